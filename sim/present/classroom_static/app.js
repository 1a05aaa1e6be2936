// diplosim's classroom page: settings on the left, runs on the right. Plain JavaScript and SVG,
// nothing from the network. The settings (the "state") live in the address after "#s=", so a link
// restores them; the server turns them into one scenario file, checks it with the loader and runs it.
"use strict";

const SVG = "http://www.w3.org/2000/svg";
const DEFAULTS = {runs: 1000, seed: "0", story: 0, mode: "file"};
const POLL_MS = 250;
// This page's own id: the server counts a page's queued runs by it (its caps per page).
const CLIENT = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");

const S = {
  meta: null,       // /api/meta: episodes, mechanisms, kinds, parameters, limits
  episode: null,    // /api/episode: the facts of the episode the state starts from
  state: null,      // the settings
  before: null,     // the pinned "before" settings
  lastRun: null,    // the settings of the last run
  job: null,        // id of the run being shown
  storyJob: null,   // id of the story being told
  snapshot: null,   // its latest snapshot
  card: null,       // /api/card: the Info tab's model card
  groupsJob: null,  // id of the lecturer's comparison of groups' scenarios
  checkTimer: null,
  checkSeq: 0,
};
window.diplosim = S;  // for the curious (and the tests)

// ---------------------------------------------------------------- small helpers

function $(id) { return document.getElementById(id); }

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children) node.append(child);
  return node;
}

function svg(tag, attrs, parent) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "text") node.textContent = value; else node.setAttribute(key, value);
  }
  if (parent) parent.append(node);
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

// Charts are drawn at the width they are shown at, so their text keeps its size.
function widthOf(box) { return Math.max(360, Math.round(box.getBoundingClientRect().width) || 800); }

async function api(path, body) {
  const options = body === undefined ? {headers: {"X-Diplosim-Client": CLIENT}} :
    {method: "POST", headers: {"Content-Type": "application/json", "X-Diplosim-Client": CLIENT},
     body: JSON.stringify(body)};
  let response;
  try {
    response = await fetch(path, options);
  } catch (err) {
    return {error: {message: "the server does not answer (is `python run.py serve` still running?)", target: "scenario"}};
  }
  try {
    return await response.json();
  } catch (err) {
    return {error: {message: `the server answered ${response.status} without JSON`, target: "scenario"}};
  }
}

const DAY = 86400000;
function toDay(iso) {  // NaN for anything but a real YYYY-MM-DD date (Date.parse would roll 02-30 over)
  const day = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? Date.parse(iso + "T00:00:00Z") / DAY : NaN;
  return Number.isFinite(day) && new Date(day * DAY).toISOString().slice(0, 10) === iso ? day : NaN;
}
function fromDay(day) { return new Date(Math.round(day) * DAY).toISOString().slice(0, 10); }
const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                     "October", "November", "December"];
function dateWords(iso) {  // "2019-11-18" -> "18 November 2019"
  const [y, m, d] = iso.split("-").map(Number);
  return Number.isFinite(toDay(iso)) ? `${d} ${MONTH_NAMES[m - 1]} ${y}` : iso;
}
function pct(p) { return (100 * p).toFixed(1); }
function signed(p) { return (p >= 0 ? "+" : "") + (100 * p).toFixed(1); }
function same(a, b) { return JSON.stringify(compact(a)) === JSON.stringify(compact(b)); }
function copy(x) { return JSON.parse(JSON.stringify(x)); }
function roleName(role) { return (S.episode && S.episode.actors && S.episode.actors[role]) || role; }

// ---------------------------------------------------------------- the state and the address

function freshState(base) {
  const keep = S.state || DEFAULTS;
  return Object.assign({mechanisms: {}, remove: [], move: {}, add: [], params: {},
                        runs: keep.runs, seed: keep.seed, story: keep.story, mode: keep.mode || "file"}, base);
}

function compact(state) {
  if (!state) return null;
  const out = {};
  for (const [key, value] of Object.entries(state)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (typeof value === "object" && !Array.isArray(value) && Object.keys(value).length === 0) continue;
    if (key in DEFAULTS && String(value) === String(DEFAULTS[key])) continue;
    out[key] = value;
  }
  return out;
}

function complete(state) {
  return Object.assign({mechanisms: {}, remove: [], move: {}, add: [], params: {}}, DEFAULTS, state);
}

function writeAddress() {
  const saved = compact(S.state);
  if (S.before && $("compare").value === "pinned") saved.before = compact(S.before);
  const result = sharedResult();
  if (result) saved.result = result;
  history.replaceState(null, "", "#s=" + encodeURIComponent(JSON.stringify(saved)));
  $("link").value = location.href;
}

function readAddress() {
  const hash = location.hash;
  if (!hash.startsWith("#s=")) return null;
  try {
    const saved = JSON.parse(decodeURIComponent(hash.slice(3)));
    if (!saved || typeof saved !== "object" || Array.isArray(saved)) return null;
    const before = saved.before, result = typeof saved.result === "string" ? saved.result : null;
    delete saved.before; delete saved.result;
    return {state: complete(saved), before: before ? complete(before) : null, result};
  } catch (err) {
    return null;
  }
}

function changed() {
  writeAddress();
  scheduleCheck();
}

// ---------------------------------------------------------------- errors beside their fields

// The lines the lecturer's-view buttons write (saving a group, comparing groups): the settings check, answering
// late after its debounce and round trip, must not wipe what one of them has just said.
const GROUP_LINES = ["group", "groups"];

function clearErrors(keep = []) {
  for (const node of document.querySelectorAll("[data-for]")) if (!keep.includes(node.dataset.for)) node.textContent = "";
  $("error-before").textContent = "";
}

function showError(error) {
  if (!error) return;
  let target = error.target || "scenario";
  if (target.startsWith("before:")) {
    $("error-before").textContent = `The "before" settings: ${inWords(error.message, target.slice(7))}`;
    $("error-before").title = error.message;
    return;
  }
  for (const node of document.querySelectorAll("[data-for]")) {
    if (node.dataset.for === target) { node.textContent = inWords(error.message, target); node.title = error.message; return; }
  }
  $("error-general").textContent = inWords(error.message, target);
  $("error-general").title = error.message;
}

function scheduleCheck() {
  clearTimeout(S.checkTimer);
  S.checkTimer = setTimeout(check, 250);
}

async function check() {
  const seq = ++S.checkSeq;
  const result = await api("/api/check", S.state);
  if (seq !== S.checkSeq) return;  // a later change is being checked
  clearErrors(GROUP_LINES);
  if (result.error) {
    showError(result.error);
    $("status").textContent = "The settings have a mistake (shown beside it).";
  } else {
    $("status").textContent = `${result.name}: ${result.triggers} triggers, ready to run.`;
  }
}

// ---------------------------------------------------------------- 1. the episode

function fillEpisodes() {
  const select = clear($("episode"));
  const groups = {history: "History", counterfactuals: "Counterfactuals", examples: "Examples"};
  for (const [group, label] of Object.entries(groups)) {
    const optgroup = el("optgroup", {label});
    for (const e of S.meta.episodes.filter((x) => x.group === group && !x.error)) {
      optgroup.append(el("option", {value: e.id, text: `${e.name} (${e.id})`}));
    }
    select.append(optgroup);
  }
  select.append(el("option", {value: "upload", text: "A file of your own..."}));
}

// An uploaded file is shown by its own name, never as the shipped episode it extends.
function showUploadName() {
  const option = $("episode").querySelector("option[value=upload]");
  const e = S.episode, upload = S.state && S.state.upload;
  option.textContent = upload && e ? `Your file: ${e.ident}` : "A file of your own...";
  $("episode-file").textContent = upload && e ? `Running your file ${e.ident} (its scenario is called "${e.name}").` : "";
}

async function loadEpisode() {
  clearErrors();
  const upload = S.state.upload;
  $("episode").value = upload ? "upload" : S.state.episode;
  $("upload-box").hidden = !upload && $("episode").value !== "upload";
  if (upload) $("upload-text").value = upload.text;
  const answer = await api("/api/episode", S.state);
  if (answer.error) {
    S.episode = null;
    showError(answer.error);
    renderEditors();
    $("status").textContent = "The episode could not be read (see beside it).";
    return false;
  }
  S.episode = answer;
  showUploadName();
  renderEditors();
  changed();
  return true;
}

async function chooseEpisode(base) {
  S.state = freshState(base);
  await loadEpisode();
}

function renderEpisodeInfo() {
  const box = clear($("episode-info"));
  const e = S.episode;
  if (!e) return;
  box.append(el("h3", {text: e.name}));
  if (e.question) box.append(el("p", {class: "question", text: e.question}));
  if (e.description) box.append(el("p", {text: e.description}));
  let facts = `Window ${e.start} to ${e.end}; the agreement starts ${e.state}.`;
  if (e.record) facts += ` Recorded outcome: ${e.record.outcome}.`;
  box.append(el("p", {class: "hint", text: facts}));
}

// ---------------------------------------------------------------- 2. mechanisms

function renderMechanisms() {
  const box = clear($("mechanisms"));
  if (!S.episode) return;
  for (const m of S.meta.mechanisms) {
    const base = S.episode.mechanisms.includes(m.name);
    const on = m.name in S.state.mechanisms ? S.state.mechanisms[m.name] : base;
    const input = el("input", {type: "checkbox", id: `mechanism-${m.name}`, checked: on});
    input.addEventListener("change", () => {
      if (input.checked === base) delete S.state.mechanisms[m.name];
      else S.state.mechanisms[m.name] = input.checked;
      changed();
    });
    box.append(el("div", {class: "mechanism"},
      el("label", {}, input, " ", el("b", {text: m.plain.split(" (")[0]}), ` (${m.name})`),
      el("span", {class: "hint", text: " " + m.meaning}),
      el("p", {class: "error", "data-for": `mechanism:${m.name}`})));
  }
}

// ---------------------------------------------------------------- 3. triggers

function dateOf(trigger) {
  return trigger.id in S.state.move ? S.state.move[trigger.id] : trigger.at;
}

function moverText(by) {
  return `${roleName(by)}'s move (the ${by}'s), given as a declared assumption (given: true, by: ${by})`;
}

function describeTiming(t) {
  if (t.rate !== undefined) return `at random, ${t.rate} a year (${t.between[0]} to ${t.between[1]})`;
  return `after each ${t.after} event, with probability ${t.probability}`;
}

function renderTriggers() {
  const table = clear($("triggers"));
  if (!S.episode) return;
  table.append(el("tr", {}, el("th", {text: "keep"}), el("th", {text: "date"}), el("th", {text: "kind"}),
    el("th", {text: "id"}), el("th", {text: "note"})));
  for (const t of S.episode.triggers) {
    const kept = !S.state.remove.includes(t.id);
    const keep = el("input", {type: "checkbox", checked: kept, "aria-label": `keep ${t.id}`});
    keep.addEventListener("change", () => {
      S.state.remove = S.state.remove.filter((x) => x !== t.id);
      if (!keep.checked) S.state.remove.push(t.id);
      renderTimeline(); changed();
    });
    let when;
    if (t.at !== undefined) {
      when = el("input", {class: "date", size: 11, value: dateOf(t), spellcheck: "false",
                          "aria-label": `date of ${t.id}`, "data-trigger": t.id});
      when.addEventListener("input", () => { setMove(t, when.value.trim()); renderTimeline(); changed(); });
    } else {
      when = el("span", {class: "hint", text: describeTiming(t)});
    }
    const kind = el("td", {text: t.kind});
    if (t.given) kind.append(el("span", {class: "badge", title: moverText(t.by), text: `given: ${t.by}`}));
    table.append(el("tr", {class: kept ? "" : "removed"},
      el("td", {}, keep), el("td", {}, when), kind, el("td", {text: t.id}),
      el("td", {title: t.source || "", text: t.note || ""}, el("p", {class: "error", "data-for": `trigger:${t.id}`}))));
  }
  S.state.add.forEach((t, j) => {
    const when = el("input", {class: "date", size: 11, value: t.at || "", spellcheck: "false",
                              "aria-label": `date of ${t.id}`, "data-added": j});
    when.addEventListener("input", () => { t.at = when.value.trim(); renderTimeline(); changed(); });
    const drop = el("button", {type: "button", text: "remove", title: "remove this added trigger"});
    drop.addEventListener("click", () => { S.state.add.splice(j, 1); renderTriggers(); renderTimeline(); changed(); });
    const kind = el("td", {text: t.kind});
    if (t.given) kind.append(el("span", {class: "badge", text: `given: ${t.by}`}));
    table.append(el("tr", {class: "added"}, el("td", {}, drop), el("td", {}, when), kind, el("td", {text: t.id}),
      el("td", {text: t.note || "added in class"}, el("p", {class: "error", "data-for": `add:${j}`}))));
  });
}

function setMove(trigger, value) {
  if (value === trigger.at) delete S.state.move[trigger.id];
  else S.state.move[trigger.id] = value;
}

function renderTimeline() {
  const box = clear($("timeline"));
  if (!S.episode) return;
  const e = S.episode;
  const dated = e.triggers.filter((t) => t.at !== undefined).map((t) => ({t, added: false, at: dateOf(t),
                                                                        removed: S.state.remove.includes(t.id)}));
  S.state.add.forEach((t, j) => dated.push({t, j, added: true, at: t.at, removed: false}));
  const kinds = [...new Set(dated.map((d) => d.t.kind))];
  const W = widthOf(box), L = 120, R = 12, lane = 26, top = 14;
  const H = top + lane * Math.max(1, kinds.length) + 26;
  box.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const t0 = toDay(e.start), t1 = toDay(e.end) + 1;
  const x = (day) => L + (day - t0) / (t1 - t0) * (W - L - R);
  const dayAt = (px) => Math.max(t0, Math.min(t1 - 1, Math.round(t0 + (px - L) / (W - L - R) * (t1 - t0))));
  axis(box, e.start, e.end, x, top + lane * kinds.length + 4);
  kinds.forEach((kind, i) => {
    svg("text", {x: L - 6, y: top + lane * i + 14, "text-anchor": "end", class: "lane", text: kind.replace(/_/g, " ")}, box);
    svg("line", {x1: L, x2: W - R, y1: top + lane * i + 10, y2: top + lane * i + 10, class: "lane-line"}, box);
  });
  for (const d of dated) {
    const day = toDay(d.at);
    if (!Number.isFinite(day)) continue;  // a date being typed
    const cy = top + lane * kinds.indexOf(d.t.kind) + 10;
    const moved = !d.added && d.at !== d.t.at;
    const cls = ["marker", d.added ? "added" : "", moved ? "moved" : "", d.removed ? "removed" : "",
                 d.t.given ? "given" : ""].join(" ");
    const dot = svg("circle", {cx: x(Math.max(t0, Math.min(t1, day))), cy, r: 6, class: cls, tabindex: 0,
                               "data-id": d.t.id}, box);
    svg("title", {text: `${d.t.id} (${d.t.kind}) ${d.at}${d.t.note ? ": " + d.t.note : ""}`}, dot);
    if (d.removed) continue;
    dot.addEventListener("pointerdown", (ev) => {
      ev.preventDefault();
      dot.setPointerCapture(ev.pointerId);
      const point = box.createSVGPoint();
      const move = (mv) => {
        point.x = mv.clientX; point.y = mv.clientY;
        const local = point.matrixTransform(box.getScreenCTM().inverse());
        const iso = fromDay(dayAt(local.x));
        dot.setAttribute("cx", x(toDay(iso)));
        const field = d.added ? document.querySelector(`input[data-added="${d.j}"]`)
                              : [...document.querySelectorAll("input[data-trigger]")].find((n) => n.dataset.trigger === d.t.id);
        if (field) field.value = iso;
        if (d.added) d.t.at = iso; else setMove(d.t, iso);
      };
      const up = () => {
        dot.removeEventListener("pointermove", move);
        dot.removeEventListener("pointerup", up);
        renderTimeline(); changed();
      };
      dot.addEventListener("pointermove", move);
      dot.addEventListener("pointerup", up);
    });
  }
  timelineLegend(markOverlaps(box));
}

// Markers of one lane closer than a marker's width overlap: a count above each such cluster says how many.
function markOverlaps(box) {
  const dots = [...box.querySelectorAll("circle.marker")].map((d) => ({x: Number(d.getAttribute("cx")),
                                                                       y: Number(d.getAttribute("cy"))}));
  dots.sort((a, b) => a.y - b.y || a.x - b.x);
  let any = false;
  for (let i = 0; i < dots.length;) {
    let j = i + 1;
    while (j < dots.length && dots[j].y === dots[i].y && dots[j].x - dots[j - 1].x < 12) j += 1;
    if (j - i > 1) {
      any = true;
      svg("text", {x: (dots[i].x + dots[j - 1].x) / 2, y: dots[i].y - 8, "text-anchor": "middle", class: "tick overlap",
                   text: `\u00d7${j - i}`}, box);
    }
    i = j;
  }
  return any;
}

function axis(box, start, end, x, y) {
  svg("line", {x1: x(toDay(start)), x2: x(toDay(end) + 1), y1: y, y2: y, class: "axis"}, box);
  const first = new Date(start + "T00:00:00Z");
  const months = (new Date(end + "T00:00:00Z") - first) / (30.44 * DAY);
  const every = months > 36 ? 12 : months > 18 ? 6 : months > 8 ? 3 : 1;
  const d = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1));
  while (d <= new Date(end + "T00:00:00Z")) {
    if (d.getUTCMonth() % every === 0) {
      const px = x(d / DAY);
      svg("line", {x1: px, x2: px, y1: y, y2: y + 4, class: "axis"}, box);
      svg("text", {x: px, y: y + 15, "text-anchor": "middle", class: "tick",
                   text: d.toISOString().slice(0, 7)}, box);
    }
    d.setUTCMonth(d.getUTCMonth() + 1);
  }
}

function fillAddForm() {
  const kinds = clear($("add-kind"));
  for (const k of S.meta.kinds.filter((k) => k.name !== "poll")) kinds.append(el("option", {value: k.name, text: k.name}));
  const issues = clear($("add-issue"));
  for (const issue of Object.keys(S.meta.kinds.find((k) => k.name === "talks").issues)) {
    issues.append(el("option", {value: issue, text: issue}));
  }
  const by = clear($("add-by"));
  by.append(el("option", {value: "", text: "no: a fact"}));
  for (const role of Object.keys(S.meta.roles)) by.append(el("option", {value: role, text: `yes: the ${role}'s`}));
  for (const id of ["add-kind", "add-issue"]) $(id).addEventListener("change", describeAddKind);
  describeAddKind();
}

function addMover() {
  const kind = S.meta.kinds.find((k) => k.name === $("add-kind").value);
  return kind.issues ? kind.issues[$("add-issue").value] : kind.mover;
}

function describeAddKind() {
  const kind = S.meta.kinds.find((k) => k.name === $("add-kind").value);
  $("add-meaning").textContent = `${kind.meaning} Effect: ${kind.effects}`;
  $("add-issue-label").hidden = !kind.issues;
  const mover = addMover();
  $("add-by-label").hidden = Boolean(mover);
  $("add-mover").textContent = mover ? `This is ${roleName(mover)}'s move (the ${mover}'s), which the model decides: ` +
    `it can be added only as a declared assumption (given: true, by: ${mover}).` : "";
}

function addTrigger() {
  const kind = $("add-kind").value;
  const used = new Set([...(S.episode ? S.episode.triggers.map((t) => t.id) : []), ...S.state.add.map((t) => t.id)]);
  let n = 1;
  while (used.has(`class-${n}`)) n += 1;
  const t = {id: `class-${n}`, kind, at: $("add-at").value.trim()};
  const magnitude = $("add-magnitude").value.trim();
  if (magnitude !== "" && Number(magnitude) !== 1) t.magnitude = Number.isFinite(Number(magnitude)) ? Number(magnitude) : magnitude;
  if (kind === "talks") t.issue = $("add-issue").value;
  const by = addMover() || $("add-by").value;
  if (by) { t.by = by; t.given = true; }
  t.source = $("add-source").value.trim() || "added in class";
  if ($("add-note").value.trim()) t.note = $("add-note").value.trim();
  S.state.add.push(t);
  renderTriggers(); renderTimeline(); changed();
}

// ---------------------------------------------------------------- 4. parameters

function renderParams() {
  const box = clear($("params"));
  if (!S.episode) return;
  const source = S.episode.parameter_source;
  $("param-source").textContent = source && source.source === "posterior"
    ? `Each replication draws the ${source.drawn.length} calibrated parameters from the posterior ` +
      `(${source.particles} particles, ${source.sample}); the value shown is the posterior median. ` +
      "A parameter you move is held at your value in every replication."
    : "Every replication uses the values shown.";
  for (const p of S.meta.parameters) box.append(paramControl(p));
}

// How many decimals a parameter's value is shown with: enough to tell apart the slider's 200 steps.
function decimalsOf(p) { return Math.max(0, Math.min(4, Math.ceil(-Math.log10((p.upper - p.lower) / 200)))); }

function shown(p, value) {
  const v = Number(value);
  return Number.isFinite(v) ? v.toFixed(decimalsOf(p)) : String(value);
}

// One behavioural parameter: its label, what it means, its value with a sensible precision and its unit.
function paramControl(p) {
  const words = (S.meta.words && S.meta.words.parameters[p.name]) || {label: p.name, unit: p.unit};
  const base = S.episode.params[p.name];
  const moved = p.name in S.state.params;
  const value = moved ? S.state.params[p.name] : base;
  const digits = decimalsOf(p), step = (p.upper - p.lower) / 200;
  const slider = el("input", {type: "range", min: p.lower, max: p.upper, step, value, list: `mark-${p.name}`,
                              "aria-label": words.label, id: `param-${p.name}`});
  const mark = el("datalist", {id: `mark-${p.name}`}, el("option", {value: base}));  // a tick at the episode's value
  const number = el("input", {type: "number", min: p.lower, max: p.upper, step: "any", value: moved ? value : shown(p, base),
                              size: 7, "aria-label": `${words.label}: value`, "data-param": p.name});
  const note = el("span", {class: "hint value"});
  const describe = () => {
    note.textContent = p.name in S.state.params ? `held at ${shown(p, S.state.params[p.name])} in every replication ` +
      `(the episode's: ${shown(p, base)})` : `the episode's value: ${shown(p, base)}`;
  };
  const set = (raw, from) => {
    const v = Number(raw);
    const chosen = raw === "" || !Number.isFinite(v) ? raw : Number(v.toFixed(digits));
    if (from !== number) number.value = chosen;
    if (from !== slider) slider.value = chosen;
    S.state.params[p.name] = chosen;
    describe(); changed();
  };
  slider.addEventListener("input", () => set(slider.value, slider));
  number.addEventListener("input", () => set(number.value, number));
  const reset = el("button", {type: "button", text: "reset", title: `back to the episode's ${shown(p, base)}`});
  reset.addEventListener("click", () => {
    delete S.state.params[p.name];
    slider.value = base; number.value = shown(p, base);
    describe(); changed();
  });
  describe();
  return el("div", {class: "param"},
    el("label", {for: `param-${p.name}`, class: "label", text: words.label}), " ",
    el("code", {text: p.name}),
    el("p", {class: "hint", title: p.meaning, text: words.help || p.meaning}),
    el("div", {class: "row"}, el("span", {class: "hint", text: shown(p, p.lower)}), slider, mark,
       el("span", {class: "hint", text: shown(p, p.upper)}), number, el("span", {class: "hint", text: words.unit}), reset),
    note,
    el("p", {class: "error", "data-for": `param:${p.name}`}));
}

function renderEditors() {
  renderEpisodeInfo(); renderMechanisms(); renderTriggers(); renderTimeline(); renderParams();
  $("runs").value = S.state.runs; $("seed").value = S.state.seed; $("story-index").value = S.state.story;
  $("mode").value = S.state.mode || "file";
}

// ---------------------------------------------------------------- 5. running

function comparedWith(now) {
  const mode = $("compare").value;
  if (mode === "pinned") {
    if (S.before && !sameEpisode(S.before, now)) {
      $("error-before").textContent = 'The pinned "before" is of another episode: a paired difference means something ' +
        "only within one episode, so this run is shown alone (pin settings of this episode to compare).";
      return null;
    }
    return S.before;
  }
  if (mode === "previous" && S.lastRun && !same(S.lastRun, now) && sameEpisode(S.lastRun, now)) return S.lastRun;
  return null;
}

// A paired difference means something only between two settings of one episode (not "2016 minus 2012").
function sameEpisode(a, b) {
  return JSON.stringify(a.upload || a.episode) === JSON.stringify(b.upload || b.episode);
}

async function run() {
  document.body.dataset.run = "starting";  // the tests wait for "done" again
  clearErrors();
  const now = copy(S.state);
  const before = comparedWith(now);
  if (S.job) await api(`/api/jobs/${S.job}/cancel`, {});  // before asking again: a page's queue is capped
  if (S.storyJob) await api(`/api/jobs/${S.storyJob}/cancel`, {});
  S.job = S.storyJob = null;
  $("status").textContent = "Starting the run...";
  const answer = await api("/api/run", {now, before});
  if (answer.error) {
    showError(answer.error);
    $("status").textContent = answer.error.retry_after ? answer.error.message :
      "The run could not start (the reason is beside the setting).";
    document.body.dataset.run = "refused";
    return;
  }
  S.lastRun = now;
  S.job = answer.job;
  $("cancel").disabled = false;
  clearResults();
  $("status").textContent = "Sent to the server...";
  tell();
  poll(answer.job);
}

async function poll(job) {
  const snap = await api(`/api/jobs/${job}`);
  if (job !== S.job) return;  // a newer run took over
  if (snap.error && !snap.id) { showError(snap.error); return; }
  S.snapshot = snap;
  showProgress(snap);
  if (snap.now) renderResults(snap);  // no numbers until the first estimate is in
  if (snap.status === "queued" || snap.status === "running") {
    setTimeout(() => poll(job), POLL_MS);
    return;
  }
  $("cancel").disabled = true;
  const how = {done: "Done", cancelled: "Stopped", failed: `Failed: ${snap.error}`}[snap.status] || snap.status;
  $("status").textContent = `${how}: ${snap.done} replications${snap.before ? " of each" : ""} in ${snap.seconds} s.`;
  document.body.dataset.run = snap.status;  // the tests wait for this
  writeAddress();  // a done run's link carries its result
}

// The queue, the progress and the first estimate: while a run waits, its place in the queue and no
// numbers; while its first estimate runs, how far it is; then numbers, marked as a first estimate
// until the run is complete.
function clearResults() {
  for (const id of ["outcome-chart", "outcome-table", "timing-chart", "fan-approval", "fan-threat", "fan-us_pressure"]) {
    if ($(id)) clear($(id));
  }
  for (const id of ["shift", "sides-note", "pressure-note"]) if ($(id)) $(id).textContent = "";
  $("progress").value = 0;
  $("progress-text").textContent = "";
}

function showProgress(snap) {
  document.body.dataset.run = snap.status;
  document.body.dataset.position = snap.status === "queued" && snap.position ? String(snap.position) : "";
  const each = snap.before ? " of each setting" : "";
  $("progress").max = snap.total || snap.runs; $("progress").value = snap.ran || 0;
  if (snap.status === "queued") {
    $("status").textContent = snap.position ? `Waiting in the queue: place ${snap.position}. The server runs ` +
      "everyone's runs in turn; the numbers appear when yours has run." : "Waiting in the queue.";
    $("progress-text").textContent = "waiting: no numbers yet";
  } else if (snap.status === "running" && !snap.now) {
    $("status").textContent = `Running: a first estimate comes after ${Math.min(snap.runs, S.meta.limits.first_estimate)} ` +
      `replications${each}.`;
    $("progress-text").textContent = `${snap.ran} / ${snap.total} replications run; no numbers yet`;
  } else if (snap.status === "running") {
    const top = snap.now.summary ? topOutcome(snap.now.summary.outcomes) : null;
    const said = top && top[1].ci ? `: most likely ${outcomeWords(top[0])}, ${pct(top[1].p)}% ` +
      `[${pct(top[1].ci[0])}, ${pct(top[1].ci[1])}] (95% interval)` : "";
    $("status").textContent = `First estimate from ${snap.done} of ${snap.runs} replications${each}${said}. ` +
      "The numbers still move, and their intervals narrow, as the rest run.";
    $("progress-text").textContent = `${snap.done} / ${snap.runs} replications${each} (a first estimate)`;
  } else {
    $("progress-text").textContent = `${snap.done} / ${snap.runs} replications${each}`;
  }
}

function renderResults(snap) {
  const record = snap.now.context.record;
  const sides = snap.before ? [snap.before, snap.now] : [snap.now];
  $("sides-note").textContent = sides.map(sideNote).join(". ") + ".";
  renderWho(snap);
  quickResult(snap);
  outcomeChart(snap, sides, record);
  outcomeTable(snap, sides, record);
  const d = snap.difference;
  $("shift").textContent = d ? `Distribution shift ${d.shift.toFixed(3)} [${d.shift_ci[0].toFixed(3)}, ${d.shift_ci[1].toFixed(3)}]; ` +
    `the outcome changed in ${pct(d.changed)}% of paired replications (common random numbers: replication i of ` +
    "both settings draws from the same seed)." : "";
  timingChart(snap);
  fanChart($("fan-approval"), "approval", snap);
  fanChart($("fan-threat"), "threat", snap);
  fanChart($("fan-us_pressure"), "us_pressure", snap);
  pressureNote(snap);
}

function outcomeChart(snap, sides, record) {
  const box = clear($("outcome-chart"));
  const names = snap.outcomes;
  const longest = Math.max(...names.map((n) => outcomeWords(n).length + 2));
  const W = widthOf(box), L = Math.min(Math.round(W * 0.45), 7 * longest + 12), R = 90, row = 18 * sides.length + 12;
  const H = names.length * row + 30;
  box.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const x = (p) => L + p * (W - L - R);
  for (const tick of [0, 0.25, 0.5, 0.75, 1]) {
    svg("line", {x1: x(tick), x2: x(tick), y1: 0, y2: H - 20, class: "grid"}, box);
    svg("text", {x: x(tick), y: H - 6, "text-anchor": "middle", class: "tick", text: tick.toFixed(2)}, box);
  }
  names.forEach((name, i) => {
    const y0 = i * row + 6;
    const label = outcomeWords(name) + (record && record.outcome === name ? " \u2605" : "");
    svg("text", {x: L - 8, y: y0 + row / 2, "text-anchor": "end", class: record && record.outcome === name ? "label recorded" : "label", text: label}, box);
    sides.forEach((side, k) => {
      const o = side.summary.outcomes[name];
      if (!o) return;
      const y = y0 + k * 18;
      svg("rect", {x: L, y, width: Math.max(0, x(o.p) - L), height: 14, class: `bar ${side.label}`}, box);
      svg("line", {x1: x(o.ci[0]), x2: x(o.ci[1]), y1: y + 7, y2: y + 7, class: "whisker"}, box);
      for (const end of o.ci) svg("line", {x1: x(end), x2: x(end), y1: y + 3, y2: y + 11, class: "whisker"}, box);
      svg("text", {x: x(o.ci[1]) + 6, y: y + 12, class: "value", text: `${o.p.toFixed(3)}${sides.length > 1 ? " " + side.label : ""}`}, box);
    });
  });
}

function outcomeTable(snap, sides, record) {
  const table = clear($("outcome-table"));
  const head = el("tr", {}, el("th", {text: "outcome"}));
  for (const side of sides) head.append(el("th", {text: `${side.label}: p [95%]`}));
  if (snap.difference) head.append(el("th", {text: "now \u2212 before, points [95%, paired]"}));
  head.append(el("th", {text: "median date (now)"}));
  table.append(head);
  for (const name of snap.outcomes) {
    const meaning = S.meta.outcomes[name] || "";
    const tr = el("tr", {}, el("td", {title: `${meaning} (${name})`, text: outcomeWords(name) +
      (record && record.outcome === name ? " \u2605 recorded" : "")}));
    for (const side of sides) {
      const o = side.summary.outcomes[name];
      tr.append(el("td", {"data-side": side.label, "data-outcome": name, "data-p": o ? o.p : "",
                          text: o ? `${o.p.toFixed(3)} [${o.ci[0].toFixed(3)}, ${o.ci[1].toFixed(3)}]` : "\u2013"}));
    }
    if (snap.difference) {
      const d = snap.difference.outcomes[name];
      tr.append(el("td", {"data-diff": name, text: `${signed(d.diff)} [${signed(d.ci[0])}, ${signed(d.ci[1])}]`}));
    }
    const mine = snap.now.summary.outcomes[name];
    tr.append(el("td", {text: (mine && mine.median_date) || "\u2013"}));
    table.append(tr);
  }
}

function sameWindow(a, b) { return a && b && a.context.start === b.context.start && a.context.end === b.context.end; }

function timingChart(snap) {
  const box = clear($("timing-chart"));
  const now = snap.now, before = sameWindow(snap.before, now) ? snap.before : null;
  const stages = now.timing.map((t) => t.stage);
  if (before) for (const t of before.timing) if (!stages.includes(t.stage)) stages.push(t.stage);
  // each row: its label line, a line for the recorded date, then the bars below both (never over them)
  const W = widthOf(box), L = 12, R = 12, row = 84, labels = 34;
  const H = Math.max(1, stages.length) * row + 40;
  box.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const t0 = toDay(now.context.start), t1 = toDay(now.context.end) + 1;
  const x = (day) => L + (day - t0) / (t1 - t0) * (W - L - R);
  if (!stages.length) svg("text", {x: L, y: 20, class: "hint", text: "No step after the starting one."}, box);
  const counts = [...now.timing, ...(before ? before.timing : [])].flatMap((t) => t.counts);
  const scale = Math.max(1, ...counts);
  box.dataset.scale = scale;
  stages.forEach((stage, i) => {
    const y0 = i * row + 4, base = y0 + row - 16;
    const mine = now.timing.find((t) => t.stage === stage);
    const theirs = before && before.timing.find((t) => t.stage === stage);
    const max = scale;  // one scale for every row: a step 0.6% of replications reach must not look like 97%
    let about = mine ? `: ${pct(mine.reached)}% of replications reach it` + (mine.median ? `, median ${mine.median}` : "") : "";
    if (theirs) about += ` (before: ${pct(theirs.reached)}%` + (theirs.median ? `, median ${theirs.median})` : ")");
    svg("text", {x: L, y: y0 + 12, class: "label", text: stage.replace(/_/g, " ") + about}, box);
    svg("line", {x1: L, x2: W - R, y1: base, y2: base, class: "axis"}, box);
    const bars = (t, cls) => t.counts.forEach((count, w) => {
      if (!count) return;
      const h = (row - 16 - labels) * count / max;
      svg("rect", {x: x(t0 + 7 * w), y: base - h, width: Math.max(1, x(t0 + 7 * w + 7) - x(t0 + 7 * w) - 1), height: h, class: cls}, box);
    });
    if (mine) bars(mine, "bar now");
    if (theirs) bars(theirs, "bar before-outline");
    const rec = (mine && mine.record) || (theirs && theirs.record);
    if (rec) {
      const px = x(toDay(rec));
      svg("line", {x1: px, x2: px, y1: y0 + labels - 6, y2: base, class: "record"}, box);
      const right = px > W * 0.7;
      svg("text", {x: px + (right ? -4 : 4), y: y0 + labels - 8, "text-anchor": right ? "end" : "start", class: "tick",
                   text: `recorded ${rec}`}, box);
    }
  });
  axis(box, now.context.start, now.context.end, x, H - 38);
  svg("text", {x: L, y: H - 4, class: "tick",
               text: `One scale for every row: the tallest bar is ${scale} replications in a week.`}, box);
}

function fanChart(box, name, snap) {
  clear(box);
  const fan = snap.now.fan;
  const spec = S.meta.variables[name];
  const W = widthOf(box), L = 44, R = 12, T = 22, B = 48, H = 240;
  box.setAttribute("viewBox", `0 0 ${W} ${H}`);
  const t0 = toDay(snap.now.context.start), t1 = toDay(snap.now.context.end) + 1;
  const x = (day) => L + (day - t0) / (t1 - t0) * (W - L - R);
  const y = (v) => T + (1 - (v - spec.lower) / (spec.upper - spec.lower)) * (H - T - B);
  const before = sameWindow(snap.before, snap.now) && snap.before.fan && snap.before.fan.variables[name];
  const label = (snap.now.context.labels && snap.now.context.labels[name]) || name.replace(/_/g, " ");
  const title = svg("text", {x: L, y: 14, class: "label", text: `${label} (${spec.unit})`}, box);
  svg("title", {text: spec.meaning}, title);
  if (before) svg("text", {x: W - R, y: 14, "text-anchor": "end", class: "tick", text: "dashed: the median before"}, box);
  for (let k = 0; k <= 4; k++) {
    const v = spec.lower + k * (spec.upper - spec.lower) / 4;
    svg("line", {x1: L, x2: W - R, y1: y(v), y2: y(v), class: "grid"}, box);
    svg("text", {x: L - 6, y: y(v) + 4, "text-anchor": "end", class: "tick", text: String(+v.toFixed(2))}, box);
  }
  axis(box, snap.now.context.start, snap.now.context.end, x, H - B);
  if (!fan || !fan.variables[name]) return;
  const days = fan.dates.map(toDay);
  const q = fan.variables[name].quantiles;
  const band = (lo, hi, cls) => {
    const upper = days.map((d, i) => `${x(d).toFixed(1)},${y(q[hi][i]).toFixed(1)}`);
    const lower = days.map((d, i) => `${x(d).toFixed(1)},${y(q[lo][i]).toFixed(1)}`).reverse();
    svg("polygon", {points: upper.concat(lower).join(" "), class: cls}, box);
  };
  const line = (values, cls) => svg("polyline", {points: days.map((d, i) => `${x(d).toFixed(1)},${y(values[i]).toFixed(1)}`).join(" "), class: cls}, box);
  band("5", "95", "band90"); band("25", "75", "band50"); line(q["50"], "median");
  fanLegend(box, L, H - 6, Boolean(before));
  if (before) line(before.quantiles["50"], "median-before");
  for (const poll of snap.now.context.polls.filter((p) => p.variable === name)) {
    const dot = svg("circle", {cx: x(toDay(poll.date)), cy: y(poll.value), r: 4, class: "poll"}, box);
    svg("title", {text: `${poll.date}: ${poll.value} (${poll.source || poll.id})`}, dot);
  }
  for (const t of snap.now.context.triggers.filter((t) => t.date)) {
    const tick = svg("line", {x1: x(toDay(t.date)), x2: x(toDay(t.date)), y1: H - B - 8, y2: H - B, class: "trigger-tick"}, box);
    svg("title", {text: `${t.date} ${t.kind}: ${t.id}`}, tick);
  }
}

// The patron's pressure index in words (the guide's 2.3: why silencing Washington changes 2019): where the
// median replication's index peaks, the run before's beside it, and whether the patron decides its own moves
// here or only the file's dated pressure events push.
function peakOf(fan) {
  const q = fan && fan.variables.us_pressure && fan.variables.us_pressure.quantiles["50"];
  if (!q || !q.length) return null;
  let k = 0;
  for (let i = 1; i < q.length; i++) if (q[i] > q[k]) k = i;
  return {value: q[k], date: fan.dates[k]};
}

function pressureNote(snap) {
  const box = $("pressure-note");
  const peak = peakOf(snap.now.fan);
  if (!box || !peak) return;
  const patron = (snap.now.context.cast && snap.now.context.cast.patron) || "the patron";
  const decide = (snap.now.summary.assumptions && snap.now.summary.assumptions.decide) || [];
  const before = sameWindow(snap.before, snap.now) ? peakOf(snap.before.fan) : null;
  const was = before ? ` (before: ${before.value.toFixed(2)} on ${dateWords(before.date)})` : "";
  const who = decide.includes(patron)
    ? `${patron} decides its own moves here: besides the file's dated pressure events, it presses whenever an ` +
      "event or its agenda prompts it, so removing those events does not remove its pressure."
    : `${patron} decides nothing here: only the file's dated pressure events can raise the index.`;
  box.textContent = `Pressure from ${patron}, an index from 0 (none) to 1 (the most): in the median replication ` +
    `it peaks at ${peak.value.toFixed(2)} on ${dateWords(peak.date)}${was}. ${who}`;
  box.dataset.peak = String(peak.value);
  box.dataset.decides = decide.includes(patron) ? "yes" : "no";
}

// A story is a job of the server's queue too: asked for, then polled until it is told.
async function tell() {
  clear($("story"));
  const head = clear($("story-heading"));
  clear($("story-guide"));
  if (S.storyJob) await api(`/api/jobs/${S.storyJob}/cancel`, {});
  S.storyJob = null;
  const started = await api("/api/story", S.state);
  if (started.error) { showError(started.error); return; }
  S.storyJob = started.job;
  head.append(el("div", {text: "Telling the story (it waits its turn behind the runs)..."}));
  pollStory(started.job);
}

async function pollStory(job) {
  const snap = await api(`/api/jobs/${job}`);
  if (job !== S.storyJob) return;  // a newer story took over
  if (snap.error && !snap.id) { showError(snap.error); return; }
  if (snap.status === "queued" || snap.status === "running") {
    setTimeout(() => pollStory(job), POLL_MS);
    return;
  }
  S.storyJob = null;
  const head = clear($("story-heading"));
  if (snap.status !== "done") {
    head.append(el("div", {text: snap.status === "failed" ? `The story failed: ${snap.error}` : "The story was stopped."}));
    return;
  }
  showStory(snap.story);
}

function showStory(answer) {
  const list = clear($("story"));
  const head = clear($("story-heading"));
  for (const line of answer.heading) head.append(el("div", {text: line}));
  if (answer.share) head.append(el("div", {class: "story-share", text: answer.share}));
  const guide = clear($("story-guide"));
  for (const line of answer.guide) guide.append(el("div", {text: line}));
  if (answer.failed) list.append(el("li", {text: `This replication failed: ${answer.failed}`}));
  for (const line of answer.lines) {  // an indented line says the decision above it in plain words
    if (line.startsWith(" ") && list.lastChild) list.lastChild.append(el("div", {class: "story-plain", text: line.trim()}));
    else list.append(el("li", {text: line}));
  }
}

// ---------------------------------------------------------------- 6. sharing and saving

async function download() {
  const answer = await api("/api/scenario", S.state);
  if (answer.error) { showError(answer.error); $("download-note").textContent = "Mend the mistake first."; return; }
  const blob = new Blob([answer.yaml], {type: "application/x-yaml"});
  const link = el("a", {href: URL.createObjectURL(blob), download: answer.filename});
  document.body.append(link); link.click(); link.remove();
  $("download-note").textContent = `Saved as ${answer.filename}.`;
  $("yaml").textContent = answer.yaml;
  $("commands").textContent = `python run.py check ${answer.filename}\n` +
    `python run.py run ${answer.filename} --seed ${answer.seed} --runs ${answer.runs}` +
    (S.state.mode && S.state.mode !== "file" ? ` --mode ${S.state.mode}` : "");
}

async function copyLink() {
  $("link").select();
  try { await navigator.clipboard.writeText(location.href); $("download-note").textContent = "Link copied."; }
  catch (err) { $("download-note").textContent = "Select the link and copy it."; }
}

// ---------------------------------------------------------------- plain words

function outcomeWords(name) { return (S.meta.words && S.meta.words.outcomes[name]) || name.replace(/_/g, " "); }

// What a page field is called on the page, for an error line that names it.
function fieldWords(target) {
  const cut = target.indexOf(":"), kind = cut < 0 ? target : target.slice(0, cut), id = cut < 0 ? "" : target.slice(cut + 1);
  if (kind === "trigger") return `The trigger "${id}" (its date or values)`;
  if (kind === "add") {
    const t = S.state && S.state.add[Number(id)];
    return `The trigger you added (${t ? t.id + ", " + t.kind : "number " + (Number(id) + 1)})`;
  }
  if (kind === "param") {
    const words = S.meta.words && S.meta.words.parameters[id];
    return `The parameter "${words ? words.label : id}"`;
  }
  if (kind === "mechanism") return `The mechanism "${id.replace(/_/g, " ")}"`;
  const names = {runs: "Replications", seed: "Seed", story: "The replication to tell", mode: "Who decides",
                 group: "Your group's name", groups: "The comparison", state: "The settings",
                 triggers: "The triggers", episode: S.state && S.state.upload ? "Your file" : "The episode",
                 scenario: "The settings"};
  return names[kind] || "The settings";
}

// A server's error line in words naming the field: "The trigger "x" (its date or values): expected a date ...",
// never "file.yaml:62:3: triggers[4].at: ..." (the original line stays in the title, for the curious).
function inWords(message, target) {
  const found = /^(.+?\.ya?ml):(\d+)(?::(\d+))?: (?:[A-Za-z_][\w.\[\]-]*: )?([\s\S]*)$/.exec(message);
  if (!found) return `${fieldWords(target)}: ${message}`;
  const [, file, line, , rest] = found;
  const uploaded = S.state && S.state.upload && !file.endsWith("-classroom.yaml");
  return uploaded ? `${fieldWords(target)} ${file}, line ${line}: ${rest}` : `${fieldWords(target)}: ${rest}`;
}

// "Now: your file my-2019.yaml (...)" or "Before: GSOMIA 2019 (as shipped)".
function sideNote(side) {
  const shipped = S.meta.episodes.some((e) => e.id === side.episode);
  const name = shipped ? side.name : `your file ${side.episode} ("${side.name}")`;
  const changes = side.changes.length ? ` (${side.changes.join("; ")})` : shipped ? " (as shipped)" : " (as uploaded)";
  return `${side.label === "now" ? "Now" : "Before"}: ${name}${changes}`;
}

// ---------------------------------------------------------------- who decides, and the switch to the free run

function givenWords(g) {
  return `${g.by || "no actor"}: ${g.move.replace(/_/g, " ")} on ${g.when}`;
}

function whoWords(summary) {
  const a = summary.assumptions;
  if (!a) return {short: "", lines: []};
  const total = a.decide.length + a.silent.length;
  const lines = [`Deciding: ${a.decide.length} of ${total} actors (${a.decide.join(", ") || "none"}).`];
  if (a.silent.length) lines.push(`Taking no initiatives of their own (they only answer): ${a.silent.join(", ")}.`);
  if (a.given.length) lines.push(`Given, not decided (assumed from the record): ${a.given.length} moves: ` +
                                 `${a.given.map(givenWords).join("; ")}.`);
  else lines.push("No move is given: every move in these runs is decided by the model.");
  for (const [name, value] of Object.entries(a.choices)) lines.push(`Given: Seoul's ${name.replace(/_/g, " ")} is ${value}.`);
  const short = a.free ? `Every actor decides; nothing is given (${a.decide.length} actors).` :
    `${a.decide.length} of ${total} actors decide; ${a.given.length} moves are given, not decided.`;
  return {short, lines};
}

function renderWho(snap) {
  const box = clear($("who-decides"));
  if (!snap.now || !snap.now.summary) return;  // queued: no numbers, nothing said yet
  const {short, lines} = whoWords(snap.now.summary);
  const mode = S.lastRun ? S.lastRun.mode || "file" : "file";
  const free = snap.now.summary.assumptions && snap.now.summary.assumptions.free;
  box.classList.toggle("free", Boolean(free));
  box.append(el("p", {class: "who-text"}, el("b", {text: "Who decides here. "}), lines.join(" ")));
  if (snap.before) box.append(el("p", {class: "hint", text: `Before: ${whoWords(snap.before.summary).short}`}));
  if (!free) {
    box.append(el("p", {}, el("button", {type: "button", id: "mode-switch", class: "switch", text:
      "Run it free: every actor decides, no move given", onclick: () => switchMode("free")})));
  } else if (mode !== "file") {
    box.append(el("p", {}, el("button", {type: "button", id: "mode-switch", class: "switch", text:
      "Back to the file's given moves", onclick: () => switchMode("file")})));
  }
  for (const node of document.querySelectorAll(".who-line")) node.textContent = `Who decides: ${short}`;
}

function switchMode(mode) {
  S.state.mode = mode;
  $("mode").value = mode;
  changed();
  run();
}

// ---------------------------------------------------------------- the timeline's legend

function timelineLegend(overlaps) {
  const box = clear($("timeline-legend"));
  const key = (cls, text) => box.append(el("span", {class: `key ${cls}`}), text);
  key("fact", "a dated trigger (a fact)");
  key("given", "an actor's move given (an assumption)");
  key("added", "added in class");
  key("moved", "moved");
  key("removed", "removed");
  if (overlaps) box.append(el("span", {text: "   \u00d73 above markers: three triggers within a few days of each " +
                                              "other, drawn over each other (the table lists each)."}));
}

// ---------------------------------------------------------------- the fan chart's legend

function fanLegend(box, x0, y, before) {
  let x = x0;
  const item = (draw, text) => {
    draw(x);
    const t = svg("text", {x: x + 22, y: y, class: "legend-text", text}, box);
    x += 30 + 6.2 * text.length;
    return t;
  };
  item((px) => svg("line", {x1: px, x2: px + 16, y1: y - 4, y2: y - 4, class: "median"}, box), "median");
  item((px) => svg("rect", {x: px, y: y - 9, width: 16, height: 10, class: "band50"}, box), "middle 50%");
  item((px) => svg("rect", {x: px, y: y - 9, width: 16, height: 10, class: "band90"}, box), "middle 90%");
  item((px) => svg("circle", {cx: px + 8, cy: y - 4, r: 4, class: "poll"}, box), "a poll");
  item((px) => svg("line", {x1: px + 8, x2: px + 8, y1: y - 9, y2: y + 1, class: "trigger-tick"}, box), "a dated trigger");
  if (before) item((px) => svg("line", {x1: px, x2: px + 16, y1: y - 4, y2: y - 4, class: "median-before"}, box),
                   "the median before");
}

// ---------------------------------------------------------------- figure export (SVG and PNG)

const STYLE_KEYS = ["fill", "fill-opacity", "stroke", "stroke-width", "stroke-dasharray", "font-size", "font-weight",
                    "font-family"];

// The chart as a standalone SVG file: the page's styles written onto each element, a white background, a title.
function chartSvg(id) {
  const source = $(id);
  const copyOf = source.cloneNode(true);
  const view = (source.getAttribute("viewBox") || "0 0 800 400").split(/\s+/).map(Number);
  const originals = [source, ...source.querySelectorAll("*")], copies = [copyOf, ...copyOf.querySelectorAll("*")];
  originals.forEach((node, i) => {
    const style = getComputedStyle(node);
    for (const k of STYLE_KEYS) copies[i].setAttribute(k, style.getPropertyValue(k));  // attributes: no inline CSS
  });
  copyOf.setAttribute("xmlns", SVG);
  copyOf.setAttribute("width", view[2]); copyOf.setAttribute("height", view[3]);
  const back = document.createElementNS(SVG, "rect");
  for (const [k, v] of Object.entries({x: 0, y: 0, width: view[2], height: view[3], fill: "#fff"})) back.setAttribute(k, v);
  copyOf.insertBefore(back, copyOf.firstChild);
  return {text: new XMLSerializer().serializeToString(copyOf), width: view[2], height: view[3]};
}

function exportName(id, ext) {
  const e = S.episode ? S.episode.filename.replace(/-classroom\.yaml$/, "") : "diplosim";
  return `${e}-${id}.${ext}`;
}

function save(blob, name) {
  const link = el("a", {href: URL.createObjectURL(blob), download: name});
  document.body.append(link); link.click(); link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
}

function exportSvg(id) {
  save(new Blob([chartSvg(id).text], {type: "image/svg+xml"}), exportName(id, "svg"));
}

// PNG at twice the chart's size (sharp on a projector), drawn from the same SVG.
function exportPng(id) {
  const {text, width, height} = chartSvg(id);
  const image = new Image();
  image.onload = () => {
    const canvas = el("canvas", {width: 2 * width, height: 2 * height});
    const g = canvas.getContext("2d");
    g.scale(2, 2); g.drawImage(image, 0, 0);
    canvas.toBlob((blob) => save(blob, exportName(id, "png")), "image/png");
  };
  image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
}

function addExportButtons() {
  for (const holder of document.querySelectorAll(".export[data-chart]")) {
    const id = holder.dataset.chart;
    holder.append("save the figure:",
      el("button", {type: "button", "data-export": `${id}:svg`, text: "SVG", onclick: () => exportSvg(id)}),
      el("button", {type: "button", "data-export": `${id}:png`, text: "PNG", onclick: () => exportPng(id)}));
  }
}

// ---------------------------------------------------------------- the Info tab: the model card

const TABS = {model: "model-view", info: "info-view", groups: "groups-view"};

function showTab(which) {
  for (const [name, view] of Object.entries(TABS)) {
    $(view).hidden = name !== which;
    $(`tab-${name}`).setAttribute("aria-selected", String(name === which));
  }
  $("quick-bar").hidden = which !== "model";
  if (which === "info" && !S.card) loadCard();
  if (which === "groups") loadGroups();
}

async function loadCard() {
  const card = await api("/api/card");
  const box = clear($("card"));
  if (card.error) { box.append(el("p", {class: "error", text: card.error.message})); return; }
  S.card = card;
  renderCard(box, card);
}

function cardCell(episode, side) {
  const r = episode[side];
  if (!r) return el("td", {text: "\u2013"});
  return el("td", {"data-episode": episode.name, "data-side": side, "data-p": r.p,
                   text: `${pct(r.p)}% [${pct(r.ci[0])}, ${pct(r.ci[1])}]`});
}

function renderCard(box, card) {
  const byName = Object.fromEntries(card.episodes.map((e) => [e.name, e]));
  box.append(el("p", {text: `What the model does: it plays out ${card.episodes.length} recorded episodes of the ` +
    "South Korea\u2013Japan intelligence pact (GSOMIA), each many times over, with chance in every decision, and " +
    "counts how often each outcome happens. The numbers below come from the project's validate command " +
    `(${card.runs} replications per episode, seed ${card.seed}), not typed by hand.`}));
  box.append(el("h3", {text: "What it reproduces"}));
  box.append(el("p", {text: "With every actor deciding and nothing given (the free run), the recorded outcome is the " +
    `most likely one in ${card.reproduces.length} of ${card.episodes.length} episodes: ` +
    card.reproduces.map((n) => `${n} (${outcomeWords(byName[n].outcome)}, ${pct(byName[n].free.p)}%)`).join("; ") + "."}));
  box.append(el("h3", {text: "Where it fails"}));
  const fails = el("ul", {class: "fails"});
  for (const name of card.fails) {
    const e = byName[name];
    const loo = e.loo ? ` Left out of the calibration: ${pct(e.loo.p)}% (most likely: ${outcomeWords(e.loo.modal)}).` : "";
    const cond = e.conditional ? ` With the actors' recorded moves given (only Seoul deciding): ${pct(e.conditional.p)}%.` : "";
    fails.append(el("li", {"data-fails": name, text: `${name}: the record is "${outcomeWords(e.outcome)}"; the free run ` +
      `gives it ${pct(e.free.p)}% [${pct(e.free.ci[0])}, ${pct(e.free.ci[1])}] and finds "${outcomeWords(e.free.modal)}" ` +
      `most likely.${loo}${cond}`}));
  }
  if (!card.fails.length) fails.append(el("li", {text: "In no eventful episode is another outcome more likely."}));
  box.append(fails);
  box.append(el("p", {class: "hint", text: "So a run whose given moves make the record happen shows what those moves " +
    "would do, not that the model foresaw them: every result panel says which moves are given, and one click runs it free."}));
  const table = el("table", {class: "card-table"});
  table.append(el("tr", {}, el("th", {text: "episode"}), el("th", {text: "recorded outcome"}),
    ...["free", "loo", "conditional"].map((side) => el("th", {title: card.sides[side], text:
      {free: "free run: p of the record [95%]", loo: "left out: p [95%]", conditional: "moves given: p [95%]"}[side]})),
    el("th", {text: "most likely (free)"})));
  for (const e of card.episodes) {
    table.append(el("tr", {}, el("td", {text: e.name + (e.eventful ? " (eventful)" : "")}),
      el("td", {text: outcomeWords(e.outcome)}), cardCell(e, "free"), cardCell(e, "loo"), cardCell(e, "conditional"),
      el("td", {text: e.free ? outcomeWords(e.free.modal) : "\u2013"})));
  }
  box.append(el("div", {class: "scroll"}, table));
  box.append(el("p", {class: "hint", text: Object.entries(card.sides).map(([k, v]) => v).join(". ") + "."}));
  box.append(el("h3", {text: "The theories behind each mechanism"}));
  const list = el("dl");
  for (const m of card.mechanisms) list.append(el("dt", {text: `${m.plain} (${m.name})`}), el("dd", {text: m.theory}));
  box.append(list);
  box.append(el("p", {class: "hint"}, "Made with: ", el("code", {text: card.made_by})));
}

// ---------------------------------------------------------------- the lecturer's view: the groups' scenarios

async function saveGroup() {
  clearErrors();
  const group = $("group-name").value.trim();
  const answer = await api("/api/groups", {group, state: S.state});
  if (answer.error) { showError(answer.error); $("group-note").textContent = ""; return; }
  $("group-note").textContent = `Saved for the lecturer as "${answer.group}" at ${answer.saved}.`;
}

async function loadGroups() {
  const answer = await api("/api/groups");
  const table = clear($("groups-table"));
  if (answer.error) { $("groups-count").textContent = `This server keeps no groups' scenarios (${answer.error.message}).`; return; }
  const list = answer.groups || [];
  $("groups-count").textContent = list.length ? `${list.length} saved` : "No group has saved a scenario yet.";
  if (!list.length) return;
  table.append(el("tr", {}, el("th", {text: "compare"}), el("th", {text: "group"}), el("th", {text: "episode"}),
    el("th", {text: "what it changes"}), el("th", {text: "saved"})));
  for (const g of list) {
    const tick = el("input", {type: "checkbox", "data-group": g.group, "aria-label": `compare ${g.group}`});
    tick.addEventListener("change", groupsWarning);
    table.append(el("tr", {"data-episode": g.episode}, el("td", {}, tick), el("td", {text: g.group}),
      el("td", {text: `${g.name} (${g.episode})`}), el("td", {text: g.changes.length ? g.changes.join("; ") : "nothing"}),
      el("td", {text: g.saved})));
  }
}

function tickedGroups() {
  return [...document.querySelectorAll("#groups-table input[data-group]:checked")].map((n) => n.dataset.group);
}

// A paired difference between two episodes measures nothing: say so before the lecturer reads one.
function groupsWarning() {
  const episodes = new Set([...document.querySelectorAll("#groups-table input[data-group]:checked")]
    .map((n) => n.closest("tr").dataset.episode));
  $("groups-warning").textContent = episodes.size > 1 ? "The ticked groups start from different episodes: their " +
    "differences compare episodes, not choices within one (not a paired comparison of one episode)." : "";
}

async function compareGroups() {
  clearErrors();
  const groups = tickedGroups();
  if (groups.length < 2) { showError({message: "tick two groups or more", target: "groups"}); return; }
  if (S.groupsJob) await api(`/api/jobs/${S.groupsJob}/cancel`, {});
  clear($("groups-result")); $("groups-shift").textContent = "";
  const answer = await api("/api/groups/compare", {groups, runs: Number($("groups-runs").value),
                                                    seed: $("groups-seed").value.trim()});
  if (answer.error) { showError(answer.error); return; }
  S.groupsJob = answer.job;
  $("groups-status").textContent = "Starting the comparison...";
  document.body.dataset.groups = "running";
  pollGroups(answer.job);
}

async function pollGroups(job) {
  const snap = await api(`/api/jobs/${job}`);
  if (job !== S.groupsJob) return;
  if (snap.error && !snap.id) { showError({message: snap.error.message || String(snap.error), target: "groups"}); return; }
  const waiting = snap.status === "queued" || snap.status === "running";
  if (snap.status === "queued") {
    $("groups-status").textContent = snap.position ? `Waiting in the queue: place ${snap.position}.` : "Waiting in the queue.";
  } else if (snap.scenarios) {
    renderGroupComparison(snap);
    $("groups-status").textContent = waiting ? `Running: ${snap.done} of ${snap.runs} replications per scenario so far.` :
      snap.status === "done" ? `Done: ${snap.runs} replications per scenario, seed ${snap.seed}, common random numbers.` :
      `The comparison ${snap.status}.`;
  }
  if (waiting) { setTimeout(() => pollGroups(job), POLL_MS); return; }
  S.groupsJob = null;
  document.body.dataset.groups = snap.status;
}

function renderGroupComparison(snap) {
  const table = clear($("groups-result"));
  const scenarios = snap.scenarios, first = scenarios[0];
  const head = el("tr", {}, el("th", {text: "outcome"}), el("th", {text: `${first.label}: % [95%]`}));
  for (const sc of scenarios.slice(1)) {
    head.append(el("th", {text: `${sc.label}: % [95%]`}), el("th", {text: `${sc.label} \u2212 ${first.label}, points [95%, paired]`}));
  }
  table.append(head);
  for (const name of snap.outcomes) {
    const row = el("tr", {}, el("td", {title: name, text: outcomeWords(name)}));
    scenarios.forEach((sc, i) => {
      const o = sc.outcomes[name];
      row.append(el("td", {"data-group": sc.label, "data-outcome": name, "data-p": o.p,
                           text: `${pct(o.p)} [${pct(o.ci[0])}, ${pct(o.ci[1])}]`}));
      if (i > 0) {
        const d = sc.difference.outcomes[name];
        row.append(el("td", {"data-diff": `${sc.label}:${name}`, text: `${signed(d.diff)} [${signed(d.ci[0])}, ${signed(d.ci[1])}]`}));
      }
    });
    table.append(row);
  }
  $("groups-shift").textContent = scenarios.slice(1).map((sc) => `${sc.label} against ${first.label}: the outcome ` +
    `changed in ${pct(sc.difference.changed)}% of paired replications`).join("; ");
}

// ---------------------------------------------------------------- a link that carries its result

// The id of the run shown, when it is done and the settings are still the ones it ran.
function sharedResult() {
  const snap = S.snapshot;
  return snap && snap.status === "done" && S.lastRun && same(S.lastRun, S.state) ? snap.result || snap.id || S.job : null;
}

async function showSharedResult(id) {
  let snap = await api(`/api/result/${id}`);  // a finished run's result, kept for the server's lifetime
  if (snap.error) snap = await api(`/api/jobs/${id}`);  // a server without that route: the job, while it is kept
  if (snap.error || snap.status !== "done") {
    $("status").textContent = "The link's result is no longer on the server: press Run to make it again.";
    return;
  }
  S.job = id; S.snapshot = snap; S.lastRun = copy(S.state);
  renderResults(snap);
  $("status").textContent = `The link's result: ${snap.done} replications.`;
  document.body.dataset.run = "done";
}

// ---------------------------------------------------------------- a bar that keeps Run in reach on a phone

// The most likely outcome of a summary: [name, {p, ci, ...}] (undefined without outcomes).
function topOutcome(outcomes) { return Object.entries(outcomes || {}).sort((a, b) => b[1].p - a[1].p)[0]; }

function quickResult(snap) {
  if (!snap.now || !snap.now.summary) { $("quick-result").textContent = ""; return; }
  const top = topOutcome(snap.now.summary.outcomes);
  const first = snap.partial ? ` (first estimate from ${snap.done} replications)` : "";
  $("quick-result").textContent = top && snap.done ? `${outcomeWords(top[0])}: ${pct(top[1].p)}%${first}` : "";
}

// ---------------------------------------------------------------- wiring

function wire() {
  $("episode").addEventListener("change", () => {
    const value = $("episode").value;
    if (value === "upload") { $("upload-box").hidden = false; return; }
    chooseEpisode({episode: value});
  });
  $("upload-file").addEventListener("change", async () => {
    const file = $("upload-file").files[0];
    if (!file) return;
    if (file.size > S.meta.limits.upload_bytes) {
      showError({message: `${file.name}: file is ${file.size} bytes; the limit is ${S.meta.limits.upload_bytes}`, target: "episode"});
      return;
    }
    const text = await file.text();
    $("upload-text").value = text;
    chooseEpisode({upload: {name: file.name, text}});
  });
  $("upload-use").addEventListener("click", () => {
    const text = $("upload-text").value, size = new TextEncoder().encode(text).length;
    if (size > S.meta.limits.upload_bytes) {  // the loader's words, before sending it
      showError({message: `pasted.yaml: file is ${size} bytes; the limit is ${S.meta.limits.upload_bytes}`, target: "episode"});
      return;
    }
    chooseEpisode({upload: {name: "pasted.yaml", text}});
  });
  $("free-run").addEventListener("click", () => {
    for (const t of S.episode ? S.episode.triggers : []) if (t.given && !S.state.remove.includes(t.id)) S.state.remove.push(t.id);
    renderTriggers(); renderTimeline(); changed();
  });
  $("reset-triggers").addEventListener("click", () => {
    S.state.remove = []; S.state.move = {}; S.state.add = [];
    renderTriggers(); renderTimeline(); changed();
  });
  $("add-button").addEventListener("click", addTrigger);
  $("mode").addEventListener("change", () => { S.state.mode = $("mode").value; changed(); });
  $("tab-model").addEventListener("click", () => showTab("model"));
  $("tab-info").addEventListener("click", () => showTab("info"));
  $("tab-groups").addEventListener("click", () => showTab("groups"));
  $("save-group").addEventListener("click", saveGroup);
  $("groups-refresh").addEventListener("click", loadGroups);
  $("groups-compare").addEventListener("click", compareGroups);
  for (const a of document.querySelectorAll(".to-glossary")) a.addEventListener("click", () => showTab("info"));
  $("quick-run").addEventListener("click", run);
  $("runs").addEventListener("input", () => { S.state.runs = $("runs").value === "" ? "" : Number($("runs").value); changed(); });
  $("seed").addEventListener("input", () => { S.state.seed = $("seed").value.trim(); changed(); });
  $("story-index").addEventListener("input", () => { S.state.story = Number($("story-index").value); changed(); });
  $("run").addEventListener("click", run);
  $("cancel").addEventListener("click", () => { if (S.job) api(`/api/jobs/${S.job}/cancel`, {}); });
  $("pin").addEventListener("click", () => {
    S.before = copy(S.state);
    $("compare").value = "pinned";
    $("pinned-note").textContent = "Pinned: the next runs are compared with these settings.";
    writeAddress();
  });
  $("compare").addEventListener("change", writeAddress);
  $("tell").addEventListener("click", tell);
  $("tell-next").addEventListener("click", () => {
    S.state.story = (Number(S.state.story) || 0) + 1;
    $("story-index").value = S.state.story;
    changed(); tell();
  });
  $("download").addEventListener("click", download);
  $("copy-link").addEventListener("click", copyLink);
  window.addEventListener("hashchange", restore);
}

async function restore() {
  const saved = readAddress();
  if (saved) {
    S.state = saved.state;
    if (saved.before) {
      S.before = saved.before;
      $("compare").value = "pinned";
      $("pinned-note").textContent = "Pinned (from the link): runs are compared with those settings.";
    }
  } else {
    const first = S.meta.episodes.find((e) => !e.error);
    S.state = freshState({episode: first.id});
  }
  await loadEpisode();
  if (saved && saved.result) await showSharedResult(saved.result);
}

async function start() {
  const meta = await api("/api/meta");
  if (meta.error) { $("status").textContent = meta.error.message; return; }
  S.meta = meta;
  $("runs").max = meta.limits.runs;
  fillEpisodes();
  fillAddForm();
  addExportButtons();
  wire();
  await restore();
  document.body.dataset.ready = "yes";
}

start();
