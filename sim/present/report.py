"""A self-contained HTML report of a scenario: one file, opens offline.

Everything is embedded: figures as base64 PNG, styles inline, no scripts and
no external resources. Sources that contain a URL become links; other
sources stay plain text.
"""

from __future__ import annotations

import base64
import html
import platform
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import matplotlib
import numpy as np

from .. import __version__
from ..model.engine import compile_scenario
from ..run.ensemble import run_one
from ..run.fan import run_with_fan
from ..scenario.loader import OUTCOMES, Scenario
from .charts import explain_ranking, ordered_outcomes, png_bytes
from .glossary import CastNames
from .run_figures import Results, dates_by_outcome, dates_by_step, make_figures, scenario_context
from .story import mechanisms_used, outcome_share_line, reading_guide, story_lines

URL = re.compile(r"https?://[^\s<>\"'\]\[]+")
TRAILING = ".,;:)"

FIGURE_TEXT = {
    "outcomes": ("Outcome distribution",
                 "Share of replications ending in each outcome, with its 95% Wilson interval. "
                 "A star marks the outcome recorded in history, when the scenario has a record."),
    "timing": ("When it happened",
               "Weekly histogram of the date each replication reached its outcome (outcomes without a "
               "date, such as renewal, are not shown). The dashed line is the recorded date."),
    "fan": ("The world state over time",
            "For each state variable: the median across replications (line), the middle 50% and 90% "
            "of replications (bands), dated triggers as markers on the bottom track, and poll "
            "observations as points."),
}


def linkify(text: str | None) -> str:
    """Escape `text` for HTML, turning each URL in it into a link."""
    if not text:
        return ""
    out, pos = [], 0
    for m in URL.finditer(text):
        url = m.group(0).rstrip(TRAILING)
        end = m.start() + len(url)
        out.append(html.escape(text[pos:m.start()]))
        out.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(url)}</a>')
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out)


def _img(name: str, png: bytes) -> str:
    title, caption = FIGURE_TEXT.get(name, (name, ""))
    data = base64.b64encode(png).decode("ascii")
    return (f'<figure id="fig-{name}"><img src="data:image/png;base64,{data}" alt="{html.escape(title)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _timeline(context: Mapping[str, Any]) -> str:
    dated = [t for t in context["triggers"] if "date" in t]
    dated += [{"date": p["date"], "kind": "poll", "id": p["id"], "source": p["source"],
               "note": f"{p['variable']}: {p['value']:g}%"} for p in context["polls"]]
    dated.sort(key=lambda t: t["date"])
    rows = ["<tr><th>date</th><th>kind</th><th>trigger</th><th>note</th><th>source</th></tr>"]
    for t in dated:
        rows.append(f"<tr><td>{t['date']}</td><td>{html.escape(t['kind'])}</td><td>{html.escape(t['id'])}</td>"
                    f"<td>{linkify(t.get('note'))}</td><td>{linkify(t.get('source'))}</td></tr>")
    other = []
    for t in context["triggers"]:
        if "rate" in t:
            lo, hi = t["between"]
            other.append(f"<li><b>{html.escape(t['id'])}</b> ({html.escape(t['kind'])}): at random, "
                         f"{t['rate']:g} a year between {lo} and {hi}. {linkify(t.get('note'))} "
                         f"{linkify(t.get('source'))}</li>")
        elif "after" in t:
            other.append(f"<li><b>{html.escape(t['id'])}</b> ({html.escape(t['kind'])}): after each "
                         f"{html.escape(t['after'])} event, with probability {t['probability']:g}. "
                         f"{linkify(t.get('note'))} {linkify(t.get('source'))}</li>")
    text = "<table>" + "".join(rows) + "</table>" if len(rows) > 1 else "<p>No dated triggers.</p>"
    if other:
        text += "<p>Triggers without a fixed date:</p><ul>" + "".join(other) + "</ul>"
    return text


def _outcome_table(summary: Mapping[str, Any], recorded: str | None) -> str:
    rows = ["<tr><th>outcome</th><th>probability</th><th>95% interval</th><th>median date</th><th>meaning</th></tr>"]
    for name in ordered_outcomes(list(summary["outcomes"])):
        o = summary["outcomes"][name]
        mark = " &#9733; recorded" if name == recorded else ""
        rows.append(f"<tr><td>{html.escape(name)}{mark}</td><td>{o['p']:.3f}</td>"
                    f"<td>[{o['ci'][0]:.3f}, {o['ci'][1]:.3f}]</td><td>{o['median_date'] or '&ndash;'}</td>"
                    f"<td>{html.escape(OUTCOMES.get(name, ''))}</td></tr>")
    return "<table>" + "".join(rows) + "</table>"


def _parameters(sc: Scenario) -> str:
    rows = ["<tr><th>parameter</th><th>value</th><th>range</th><th>unit</th><th>mechanism</th></tr>"]
    for spec in sc.params.specs.values():
        rows.append(f"<tr><td title=\"{html.escape(spec.doc, quote=True)}\">{html.escape(spec.name)}</td>"
                    f"<td>{spec.value:g}</td><td>{spec.lower:g} to {spec.upper:g}</td>"
                    f"<td>{html.escape(spec.unit)}</td><td>{html.escape(spec.mechanism)}</td></tr>")
    mech = ", ".join(sorted(sc.mechanisms)) or "none"
    return (f"<p>From <code>{html.escape(sc.params.file)}</code>. Mechanisms switched on: "
            f"{html.escape(mech)}.</p><table>" + "".join(rows) + "</table>")


def _provenance(sc: Scenario, runs: int, seed: int, when: datetime) -> str:
    items = {
        "diplosim version": __version__,
        "scenario file": sc.path,
        "scenario SHA-256": sc.sha256,
        "files read": ", ".join(sc.files),
        "parameter file": sc.params.file,
        "root seed": str(seed),
        "replications": str(runs),
        "made (UTC)": when.strftime("%Y-%m-%d %H:%M:%S"),
        "Python / numpy / matplotlib": f"{platform.python_version()} / {np.__version__} / {matplotlib.__version__}",
    }
    return "<table>" + "".join(f"<tr><th>{html.escape(k)}</th><td><code>{html.escape(v)}</code></td></tr>"
                               for k, v in items.items()) + "</table>"


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:62rem;margin:2rem auto;
padding:0 1rem;color:#1a1a1a;line-height:1.45}
h1{margin-bottom:.2rem}h2{border-bottom:1px solid #ccc;padding-bottom:.2rem;margin-top:2rem}
.question{font-size:1.15rem;font-style:italic}
table{border-collapse:collapse;font-size:.88rem;margin:.5rem 0}
td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}
figure{margin:1rem 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#444}
pre{background:#f7f7f7;padding:.75rem;overflow-x:auto;font-size:.8rem;white-space:pre-wrap}
nav a{margin-right:.8rem}
"""


def render_report(sc: Scenario, summary: Mapping[str, Any], figures: Mapping[str, bytes],
                  story: Sequence[str], ranking: Sequence[Mapping[str, Any]] | None = None,
                  when: datetime | None = None) -> str:
    """The report's HTML text from its parts (figures as PNG bytes)."""
    context = scenario_context(sc)
    when = when or datetime.now(UTC)
    recorded = context["record"]["outcome"] if context["record"] else None
    parts = [f"<h1>{html.escape(sc.name)}</h1>"]
    if sc.question:
        parts.append(f'<p class="question">{html.escape(sc.question)}</p>')
    parts.append(f"<p>{html.escape(sc.description)}</p>")
    parts.append(f"<p>Window: {sc.start} to {sc.end}. {summary['runs']} replications, root seed "
                 f"{summary['seed']}.")
    if context["record"]:
        rec = context["record"]
        parts.append(f" Recorded outcome: <b>{html.escape(rec['outcome'])}</b>"
                     f"{' (' + html.escape(rec['note']) + ')' if rec.get('note') else ''}.")
    parts.append("</p>")
    parts.append('<nav><a href="#timeline">Timeline</a><a href="#outcomes">Outcomes</a><a href="#fan">World state</a>'
                 '<a href="#mattered">What mattered</a><a href="#story">A story</a><a href="#parameters">'
                 'Parameters</a><a href="#provenance">Provenance</a></nav>')
    parts.append('<h2 id="timeline">Timeline of triggers</h2>' + _timeline(context))
    parts.append('<h2 id="outcomes">Outcomes</h2>' + _outcome_table(summary, recorded))
    for name in ("outcomes", "timing"):
        if name in figures:
            parts.append(_img(name, figures[name]))
    parts.append('<h2 id="fan">World state over time</h2>')
    parts.append(_img("fan", figures["fan"]) if "fan" in figures else "<p>No fan chart.</p>")
    parts.append('<h2 id="mattered">What mattered</h2>')
    if ranking:
        outcome = recorded or str(summary["modal_outcome"])
        parts.append(_img("mattered", png_bytes(explain_ranking(ranking, outcome))))
    else:
        parts.append("<p>No ranking was computed for this report; make one with "
                     "<code>run.py report SCENARIO --explain</code> (or see <code>run.py explain</code>).</p>")
    parts.append('<h2 id="story">One replication, told</h2>'
                 f"<p>Replication 0 of root seed {summary['seed']} (the same as "
                 f"<code>run.py story {html.escape(sc.path)} --seed {summary['seed']}</code>).</p>")
    parts.append("<pre>" + "\n".join(linkify(line) for line in story) + "</pre>")
    parts.append('<h2 id="parameters">Parameters used</h2>' + _parameters(sc))
    parts.append('<h2 id="provenance">Provenance</h2>' + _provenance(sc, summary["runs"], summary["seed"], when))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{html.escape(sc.name)}: diplosim report</title><style>{CSS}</style></head><body>\n"
            + "\n".join(parts) + "\n</body></html>\n")


def build_report(sc: Scenario, runs: int, seed: int, *, progress: Callable[[int, int], None] | None = None,
                 ranking: Sequence[Mapping[str, Any]] | None = None) -> str:
    """Run the ensemble, draw the figures, tell one story and return the report's HTML."""
    model = compile_scenario(sc)
    steps = 2  # after the ensemble: the figures, then the story
    total = runs + steps

    def ensemble_progress(done: int, _: int) -> None:
        if progress is not None:
            progress(done, total)

    ens, fan = run_with_fan(model, runs, seed, progress=ensemble_progress)
    summary = ens.summary()
    rows = ens.rows()
    results = Results(summary, dates_by_outcome(rows), scenario_context(sc), fan.to_dict(model),
                      dates_by_step(rows, sc.agreement.state.value))
    figures = {name: png_bytes(fig) for name, fig in make_figures(results, ["all"]).items()}  # a report: every variable
    if progress is not None:
        progress(runs + 1, total)
    told = run_one(model, seed, 0, record_log=True)
    counts = Counter(str(row["outcome"]) for row in rows)
    story = [*reading_guide(mechanisms_used(told), CastNames.of(sc)), "", *story_lines(model, told),
             outcome_share_line(told.outcome, counts, runs, seed)]
    if progress is not None:
        progress(total, total)
    return render_report(sc, summary, figures, story, ranking)
