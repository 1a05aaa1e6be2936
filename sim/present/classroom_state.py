"""The classroom page's settings, and the one complete scenario file they stand for.

The page keeps its settings (its *state*) as plain JSON, in its URL::

    {"episode": "history/gsomia-2019.yaml",          # a shipped file, relative to the shipped scenarios
     "upload": {"name": "my-2019.yaml", "text": "..."},  # or, instead, a file of the student's own
     "mechanisms": {"issue_linkage": false},          # switched from the episode's own setting
     "remove": ["stilwell-visit"],                    # triggers left out
     "move": {"export-controls": "2019-09-01"},       # new dates of dated triggers
     "add": [{"id": "class-1", "kind": "nuclear_test", "at": "2019-10-15", "source": "..."}],
     "params": {"threat_weight": 2.5},                # behavioural parameters moved
     "runs": 1000, "seed": 0, "story": 0,             # how to run it, and which replication to tell
     "mode": "free"}                                  # who decides: the file as written (default), free, conditional

`scenario_text` turns a state into a complete scenario file (no ``extends:``, no parameter file:
only ``params.override`` for the values that differ from the shipped defaults), built from the
episode's merged document as the loader reads it (`load_document`). The page runs exactly that
file, loaded by the loader from the server's private folder (`Workspace`), so
``run FILE --seed S`` reproduces the page, and a mistake is the loader's own one-line message for
the file under its download name: the line ``check FILE`` prints.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..domain.mechanisms import MECHANISMS
from ..domain.parameters import CALIBRATED, PARAMETERS
from ..errors import DiplosimError, ScenarioError, did_you_mean, excerpt, printable, shown_path
from ..explore.validation import mode_variant
from ..files import write_atomic
from ..model.engine import Model, compile_scenario
from ..scenario.loader import MAX_TRIGGERS, Scenario, load_document, load_scenario
from ..scenario.params import ParameterSet, load_parameters
from ..scenario.shipped import DEFAULT_PARAMS_FILE, SHIPPED_DIR
from ..scenario.yamlio import MAX_DEPTH, MarkedDict
from .glossary import UNIT_WORDS, CastNames, parameter_label, plain_names

CLASSROOM_PARAMETERS: tuple[str, ...] = CALIBRATED
"""The behavioural parameters the page offers to move: those the calibration targets identify (the
identifiability table in docs/calibration.md), each within its prior's range. Moving one fixes it in
every replication; the others are drawn from the posterior."""

EPISODE_FOLDERS = ("history", "counterfactuals", "examples")
"""Folders of the shipped scenarios that the page offers as episodes, in the order it lists them."""

MAX_PAGE_RUNS = 20_000
"""Most replications the page runs per scenario (a comparison runs two): the largest run the server accepts."""
MAX_SEED = 2**63 - 1
MAX_REQUEST_DEPTH = MAX_DEPTH
"""Deepest nesting of lists and mappings in a request (the loader's own limit for a file)."""
MAX_REQUEST_INT = 2**63 - 1
"""Largest whole number (either sign) a request may hold; the loader refuses most far sooner."""
STATE_KEYS = ("episode", "upload", "mechanisms", "remove", "move", "add", "params", "runs", "seed", "story", "mode")
"""The settings a state may hold."""
MAX_KEPT = 256
"""Most uploaded texts (and, separately, generated files) the private folder keeps; older ones go first."""
MAX_PREPARED = 32
"""Most loaded scenarios a workspace keeps by the settings they stand for (in a room, many pages run the
same settings: loading one takes about a second of the server's time, a cached one none)."""


class PageError(DiplosimError):
    """A setting the page cannot use: the one-line message, and the page field it belongs to.

    `target` is ``episode``, ``trigger:ID``, ``add:INDEX``, ``param:NAME``, ``mechanism:NAME``,
    ``runs``, ``seed``, ``story``, ``mode``, ``triggers`` or ``scenario`` (anything else in the file).
    A `PageError` is always the request's fault: the server answers it with status 400.
    """

    def __init__(self, message: str, target: str) -> None:
        super().__init__(message)
        self.message = message
        self.target = target

    def as_json(self) -> dict[str, str]:
        return {"message": self.message, "target": self.target}


def classroom_parameters() -> list[str]:
    """`CLASSROOM_PARAMETERS` that the model declares, in that order."""
    return [name for name in CLASSROOM_PARAMETERS if name in PARAMETERS]


# ---------------------------------------------------------------- what a request may hold


def check_request(value: Any, where: str = "request") -> None:
    """Refuse (`PageError`) what no setting can be, wherever it is in a parsed JSON request: nesting
    deeper than `MAX_REQUEST_DEPTH`, text that is not Unicode (a lone surrogate), NaN or an infinity,
    a whole number beyond `MAX_REQUEST_INT`, or anything that is not a JSON value. Iterative: a
    deep request cannot exhaust the stack."""
    stack: list[tuple[Any, str, int]] = [(value, where, 0)]
    while stack:
        node, path, depth = stack.pop()
        if depth > MAX_REQUEST_DEPTH:
            raise PageError(f"{_place(path)}: nesting deeper than {MAX_REQUEST_DEPTH} levels", _top(path))
        if isinstance(node, str):
            _unicode(node, path)
        elif isinstance(node, bool) or node is None:
            continue
        elif isinstance(node, int):
            if abs(node) > MAX_REQUEST_INT:
                digits = int(abs(node).bit_length() * math.log10(2)) + 1  # str() refuses past 4,300 digits
                raise PageError(f"{_place(path)}: a number of about {digits:,} digits; numbers here are at most "
                                f"{MAX_REQUEST_INT:,}", _top(path))
        elif isinstance(node, float):
            if not math.isfinite(node):
                raise PageError(f"{_place(path)}: expected a number, found {node} (not a number the model can use)",
                                _top(path))
        elif isinstance(node, Mapping):
            for key, item in node.items():
                if not isinstance(key, str):
                    raise PageError(f"{_place(path)}: keys should be text", _top(path))
                _unicode(key, path)
                stack.append((item, f"{path}.{key}", depth + 1))
        elif isinstance(node, list):
            stack.extend((item, f"{path}[{i}]", depth + 1) for i, item in enumerate(node))
        else:
            raise PageError(f"{_place(path)}: a {type(node).__name__} is not a JSON value", _top(path))


def _unicode(text: str, path: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise PageError(f"{_place(path)}: text with a lone surrogate (not Unicode text)", _top(path)) from None


def _place(path: str) -> str:
    """A field path short enough for an error line."""
    return excerpt(path, 80)


def _top(path: str) -> str:
    """The page field a request path belongs to: the setting after ``request``/``now``/``before``."""
    parts = re.split(r"[.\[]", path)
    names = [p for p in parts[1:] if p]
    side = ""
    if names and names[0] in ("now", "before") and parts[0] == "request":
        side, names = names[0], names[1:]
    top = names[0] if names and names[0] in STATE_KEYS else "scenario"
    if top == "upload":
        top = "episode"
    return f"before:{top}" if side == "before" else top


def check_state(state: Any) -> None:
    """Refuse (`PageError`) a state whose settings have the wrong shape: an unknown setting, or a
    setting of the wrong type (the loader judges the values inside them)."""
    if not isinstance(state, Mapping):
        raise PageError(f"the page's settings should be a mapping, found {_kind(state)}", "scenario")
    for key in state:
        if key not in STATE_KEYS:
            hint = did_you_mean(key, STATE_KEYS) if len(key) <= 100 else ""
            raise PageError(f"unknown setting '{excerpt(key)}'{hint}; the settings are {', '.join(STATE_KEYS)}",
                            "scenario")
    upload = state.get("upload")
    if upload is not None:
        if not isinstance(upload, Mapping) or not isinstance(upload.get("text"), str):
            raise PageError("an upload should be a mapping with its text ('text') and file name ('name')",
                            "episode")
        unknown = set(upload) - {"name", "text"}
        if unknown:
            raise PageError(f"an upload holds only 'name' and 'text', found '{excerpt(sorted(unknown)[0])}'",
                            "episode")
        if not isinstance(upload.get("name"), (str, type(None))):
            raise PageError(f"an upload's name should be text, found {_kind(upload['name'])}", "episode")
    elif not isinstance(state.get("episode"), (str, type(None))):
        raise PageError(f"the episode should be the name of a shipped episode, found {_kind(state['episode'])}",
                        "episode")
    for key, kind in (("mechanisms", dict), ("move", dict), ("params", dict), ("remove", list), ("add", list)):
        value = state.get(key)
        if value is not None and not isinstance(value, kind):
            raise PageError(f"the page's '{key}' setting should be a {'list' if kind is list else 'mapping'}, "
                            f"found {_kind(value)}", key)
    for tid in state.get("remove") or []:
        if not isinstance(tid, str):
            raise PageError(f"a removed trigger should be named by its id (text), found {_kind(tid)}", "triggers")
    added = state.get("add") or []
    if len(added) > MAX_TRIGGERS:
        raise PageError(f"{len(added):,} triggers added; a scenario holds at most {MAX_TRIGGERS}", "triggers")
    for j, item in enumerate(added):
        if not isinstance(item, Mapping):
            raise PageError(f"an added trigger should be a mapping of trigger keys, found {_kind(item)}", f"add:{j}")


def _kind(value: Any) -> str:
    """What a JSON value is, in words (never its contents)."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return f"the text '{excerpt(value)}'"
    return "a list" if isinstance(value, list) else "a mapping" if isinstance(value, Mapping) else "a value"


# ---------------------------------------------------------------- the private folder


class Workspace:
    """The server's private folder: uploaded text and generated scenario files are written only here.

    An upload lives in a folder of its own (``uploads/DIGEST/upload.yaml``), so the loader's rules
    confine what its ``extends:`` and ``params.file`` may name to that folder and the shipped
    scenarios. Links to the shipped folders (``../history/...``, ``scenarios/history/...``) let an
    upload extend a shipped episode as a file beside the shipped ones, or in a clone, would.
    """

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="diplosim-classroom-")).resolve()
        self._lock = threading.Lock()
        self.prepared: OrderedDict[str, Prepared] = OrderedDict()
        """The last `MAX_PREPARED` states loaded (by a digest of their JSON), for `prepare`."""
        self.prepare_lock = threading.Lock()
        uploads = self.root / "uploads"
        uploads.mkdir()
        (self.root / "generated").mkdir()
        for name in (*EPISODE_FOLDERS, "params"):
            _link(uploads / name, SHIPPED_DIR / name)

    def _folder(self, kind: str, text: str) -> Path:
        folders = self.root / kind
        folder = folders / hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
        if not folder.is_dir():
            kept = sorted((p for p in folders.iterdir() if p.is_dir() and not p.is_symlink()),
                          key=lambda p: p.stat().st_mtime)
            for old in kept[:max(0, len(kept) - MAX_KEPT + 1)]:
                shutil.rmtree(old, ignore_errors=True)
            folder.mkdir()
        else:
            os.utime(folder)  # in use again: the last to go
        return folder

    def load_upload(self, name: str, text: str) -> tuple[Path, Scenario, MarkedDict]:
        """Write an uploaded text into a folder of its own and load it (errors name it `name`)."""
        with self._lock:
            folder = self._folder("uploads", text)
            _link(folder / "scenarios", SHIPPED_DIR)
            path = folder / "upload.yaml"
            write_atomic(path, text)
            try:
                return path, load_scenario(path), load_document(path)[0]
            except ScenarioError as exc:
                raise PageError(renamed(exc, path, name).format(), "episode") from None

    def load_generated(self, filename: str, text: str) -> tuple[Path, Scenario]:
        """Write a generated scenario file and load it, as `check` and `run` would (errors name it
        `filename`, as `check` does in the folder it is saved in)."""
        with self._lock:
            path = self._folder("generated", text) / filename
            write_atomic(path, text)
            try:
                return path, load_scenario(path)
            except ScenarioError as exc:
                raise renamed(exc, path, filename) from None

    def close(self) -> None:
        """Remove the folder and everything in it."""
        shutil.rmtree(self.root, ignore_errors=True)


def _link(link: Path, target: Path) -> None:
    if target.exists() and not link.exists():
        try:
            link.symlink_to(target, target_is_directory=True)
        except OSError:  # no symbolic links here (Windows without the privilege): uploads extend nothing
            pass


def renamed(exc: ScenarioError, path: Path, shown: str) -> ScenarioError:
    """The error with the file `path` shown as `shown` (the name the student knows it by)."""
    if exc.file != str(path):
        return exc
    message = exc.message.replace(str(path), shown).replace(shown_path(path), shown)  # an extends chain
    return ScenarioError(message, file=shown, line=exc.line, column=exc.column, field=exc.field)


# ---------------------------------------------------------------- episodes


@dataclass(frozen=True)
class Episode:
    """What a state starts from: a shipped file or an upload, merged and validated by the loader."""

    ident: str
    """The shipped file relative to the shipped scenarios, or the upload's file name."""
    uploaded: bool
    scenario: Scenario
    document: MarkedDict

    @property
    def filename(self) -> str:
        """The name of the scenario file a state of this episode is saved as."""
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", Path(self.ident).stem).strip("-.") or "scenario"
        return f"{stem[:60]}-classroom.yaml"


@lru_cache(maxsize=1)
def shipped_episodes() -> tuple[dict[str, Any], ...]:
    """Every shipped episode the page offers, read by the loader: id, group, name, question, record."""
    out = []
    for group in EPISODE_FOLDERS:
        for path in sorted((SHIPPED_DIR / group).glob("*.yaml")):
            entry: dict[str, Any] = {"id": f"{group}/{path.name}", "group": group}
            try:
                sc = load_scenario(path)
            except ScenarioError as exc:  # listed with its problem, never offered broken
                entry["error"] = exc.format()
            else:
                entry.update(name=sc.name, question=sc.question,
                             record=sc.record.outcome if sc.record else None)
            out.append(entry)
    return tuple(out)


@lru_cache(maxsize=32)
def _shipped(ident: str) -> Episode:
    path = SHIPPED_DIR / ident
    return Episode(ident, False, load_scenario(path), load_document(path)[0])


def episode_of(state: Mapping[str, Any], workspace: Workspace) -> Episode:
    """The episode a state names: one of `shipped_episodes`, or its upload (loaded in `workspace`).
    The state is checked first (`check_state`)."""
    check_state(state)
    upload = state.get("upload")
    if upload is not None:
        name = upload.get("name")
        name = Path(name).name if isinstance(name, str) and Path(name).name else "upload.yaml"
        _, sc, doc = workspace.load_upload(printable(name)[:100], upload["text"])
        return Episode(name, True, sc, doc)
    ident = state.get("episode")
    offered = [e["id"] for e in shipped_episodes() if "error" not in e]
    if ident not in offered:
        shown = excerpt(ident) if isinstance(ident, str) else type(ident).__name__
        hint = did_you_mean(ident, offered) if isinstance(ident, str) and len(ident) <= 200 else ""
        raise PageError(f"unknown episode '{shown}'{hint}; choose one of the {len(offered)} shipped episodes "
                        f"the page lists (such as {offered[0]})", "episode")
    return _shipped(str(ident))


# ---------------------------------------------------------------- state -> scenario file


@lru_cache(maxsize=1)
def default_parameters() -> ParameterSet:
    """The shipped parameters, which a file without ``params.file`` uses."""
    return load_parameters(DEFAULT_PARAMS_FILE)


def _plain(node: Any) -> Any:
    """A loader node as plain dicts and lists (for writing)."""
    if isinstance(node, dict):
        return {key: _plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    return node


def _as_date(value: Any) -> Any:
    """A YYYY-MM-DD text as a date (written unquoted); anything else as given, for the loader to judge."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    return value


def _field(state: Mapping[str, Any], key: str, kind: type, default: Any) -> Any:
    value = state.get(key, default)
    if not isinstance(value, kind):
        raise PageError(f"the page's '{key}' setting should be a {'list' if kind is list else 'mapping'}", key)
    return value


def _trigger_id(item: Any) -> str:
    return str(item.get("id")) if isinstance(item, dict) else ""


def scenario_document(state: Mapping[str, Any], episode: Episode) -> tuple[dict[str, Any], list[str]]:
    """The complete scenario document `state` stands for, and the page field of each of its triggers."""
    doc: dict[str, Any] = _plain(episode.document)
    doc.pop("extends", None)
    triggers = doc.get("triggers") or []
    ids = [_trigger_id(item) for item in triggers]
    remove = {str(tid) for tid in _field(state, "remove", list, [])}
    move = {str(tid): when for tid, when in _field(state, "move", dict, {}).items()}
    unknown = sorted((remove | set(move)) - set(ids))
    if unknown:
        raise PageError(f"no trigger with id '{excerpt(unknown[0])}' in {episode.ident}"
                        f"{did_you_mean(unknown[0], ids) if len(unknown[0]) <= 200 else ''}", "triggers")
    kept: list[Any] = []
    targets: list[str] = []
    for item, tid in zip(triggers, ids, strict=True):
        if tid in remove:
            continue
        if tid in move:
            item["at"] = _as_date(move[tid])
        kept.append(item)
        targets.append(f"trigger:{tid}")
    for j, added in enumerate(_field(state, "add", list, [])):
        if not isinstance(added, dict):
            raise PageError("an added trigger should be a mapping of trigger keys", f"add:{j}")
        kept.append({key: _as_date(value) if key == "at" else value for key, value in added.items()})
        targets.append(f"add:{j}")
    doc["triggers"] = kept
    mechanisms: dict[str, Any] = {name: name in episode.scenario.mechanisms for name in MECHANISMS}
    mechanisms.update(_field(state, "mechanisms", dict, {}))  # a name or value the loader refuses stays in
    doc["mechanisms"] = mechanisms
    defaults = default_parameters().values
    override: dict[str, Any] = {name: value for name, value in episode.scenario.params.values.items()
                                if value != defaults.get(name)}
    for name, value in _field(state, "params", dict, {}).items():
        if value == defaults.get(name) and not isinstance(value, bool):
            override.pop(name, None)
        else:
            override[name] = value
    doc.pop("params", None)
    if override:
        doc["params"] = {"override": override}
    return doc, targets


class _Dumper(yaml.SafeDumper):
    """Safe YAML, with text of several lines as a block (as people write it)."""


def _text(dumper: yaml.SafeDumper, text: str) -> yaml.Node:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|" if "\n" in text else None)


_Dumper.add_representer(str, _text)


def _comment(value: Any) -> str:
    """`value` as text that stays on its comment line."""
    return excerpt(" ".join(str(value).split()))


def changes(state: Mapping[str, Any], episode: Episode, plain: bool = False) -> list[str]:
    """What a state changes in its episode, in words: with the file's names for its header, or (`plain`)
    for the page, a mechanism by its plain name and a parameter by its label, value and unit
    ('Cost of walking away in the open = 2.00 utility points', not 'walkaway_cost = 2')."""
    out = []
    mechanism_names = plain_names(CastNames.of(episode.scenario)) if plain else {}
    switched = state.get("mechanisms") or {}
    if isinstance(switched, Mapping):
        for flag, word in ((False, "off"), (True, "on")):
            names = [n for n, v in switched.items() if v is flag and (n in episode.scenario.mechanisms) is not flag]
            if names:
                shown = [mechanism_names[n].split(" (")[0] if n in mechanism_names else n for n in names]
                out.append(f"mechanisms switched {word}: {', '.join(map(_comment, shown))}")
    for key, word in (("remove", "triggers removed"), ("move", "triggers moved")):
        items = state.get(key) or []
        if key == "move" and isinstance(items, Mapping):
            items = [f"{tid} to {when}" for tid, when in items.items()]
        if isinstance(items, Sequence) and not isinstance(items, str) and items:
            out.append(f"{word}: {', '.join(map(_comment, items))}")
    added = state.get("add") or []
    if isinstance(added, list) and added:
        out.append("triggers added: " + ", ".join(
            _comment(f"{t.get('id')} ({t.get('kind')}, {t.get('at')})") if isinstance(t, dict) else "?"
            for t in added))
    params = state.get("params") or {}
    if isinstance(params, Mapping) and params:
        out.append("parameters: " + ", ".join(_comment(_parameter_words(n, v) if plain else f"{n} = {v}")
                                              for n, v in params.items()))
    mode = state.get("mode", "file")
    if mode != "file" and isinstance(mode, str) and mode in PAGE_MODES:
        out.append(f"run {mode}: {PAGE_MODES[mode]}")
    return out


def shown_value(name: str, value: Any) -> str:
    """A parameter's value as the page shows it: with as many decimals as tell its slider's 200 steps apart
    (the page's own rule); a value that is not a number, as it is."""
    spec = PARAMETERS.get(name)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if spec is None or not math.isfinite(number) or not spec.upper > spec.lower:
        return str(value)
    digits = max(0, min(4, math.ceil(-math.log10((spec.upper - spec.lower) / 200))))
    return f"{number:.{digits}f}"


def _parameter_words(name: str, value: Any) -> str:
    """'Cost of walking away in the open = 2.00 utility points': a parameter change as the page says it."""
    spec = PARAMETERS.get(name)
    unit = UNIT_WORDS.get(spec.unit, spec.unit) if spec is not None else ""
    return f"{parameter_label(name)} = {shown_value(name, value)}" + (f" {unit}" if unit else "")


def run_options(state: Mapping[str, Any]) -> tuple[int, int, int]:
    """(runs, seed, story replication) of a state, each checked."""
    return (_whole(state, "runs", 1000, 1, MAX_PAGE_RUNS, "a number of runs"),
            _whole(state, "seed", 0, 0, MAX_SEED, "a seed"),
            _whole(state, "story", 0, 0, MAX_PAGE_RUNS - 1, "a replication"))


def _whole(state: Mapping[str, Any], key: str, default: int, low: int, high: int, what: str) -> int:
    raw = state.get(key, default)
    # the page sends seeds as text: a browser's numbers are exact only up to 2**53
    text = raw.strip() if isinstance(raw, str) else raw
    if isinstance(text, str) and re.fullmatch(r"[0-9]{1,30}", text):  # ASCII digits only: not '²', '١٢', '１２'
        value = int(text)
    elif isinstance(text, int) and not isinstance(text, bool) and abs(text) <= MAX_REQUEST_INT:
        value = text
    else:
        found = _kind(raw) if not isinstance(raw, str) else f"'{excerpt(raw)}'" + (
            f" ({len(raw):,} characters)" if len(raw) > 30 else "")
        raise PageError(f"{what} must be a whole number from {low:,} to {high:,}, found {found}", key)
    if not low <= value <= high:
        raise PageError(f"{what} must be from {low:,} to {high:,}, found {value:,}", key)
    return value


PAGE_MODES = {
    "file": "the file as written: its given moves happen whatever the actors decide",
    "free": "no move given, every actor decides (validate's free run)",
    "conditional": "the file's given moves, only Seoul decides (validate's conditional run)",
}
"""Who decides in a page's run (its ``mode`` setting), as ``run --mode`` and validate run a file."""


def page_mode(state: Mapping[str, Any]) -> str:
    """The state's ``mode`` (``file`` when it has none), checked: one of `PAGE_MODES`."""
    mode = state.get("mode", "file")
    if not isinstance(mode, str) or mode not in PAGE_MODES:
        shown = f"'{excerpt(mode)}'" if isinstance(mode, str) else _kind(mode)
        raise PageError(f"who decides should be one of {', '.join(PAGE_MODES)}, found {shown}", "mode")
    return mode


def with_mode(sc: Scenario, mode: str) -> Scenario:
    """`sc` as the mode runs it: as written, or validate's free or conditional variant (as ``run --mode``)."""
    if mode == "file":
        return sc
    return mode_variant(sc, mode)


def scenario_text(state: Mapping[str, Any], episode: Episode) -> tuple[str, list[str]]:
    """The scenario file `state` stands for (with a header saying where it came from), and the page
    field of each of its triggers."""
    doc, targets = scenario_document(state, episode)
    runs, seed, _ = run_options(state)
    mode = page_mode(state)
    name = episode.filename
    head = [f"{name}: made on diplosim's classroom page from {_comment(episode.ident)}.",
            "A complete scenario: no extends:, and the shipped default parameters but for params.override.",
            *(f"Changed: {line}" for line in changes(state, episode)),
            f"Check it: python run.py check {name}",
            f"Run it:   python run.py run {name} --seed {seed} --runs {runs}"
            + (f" --mode {mode}" if mode != "file" else "")]
    body = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return "".join(f"# {line}\n" for line in head) + body, targets


@dataclass(frozen=True)
class Prepared:
    """A state made into a scenario file and loaded: ready to run."""

    episode: Episode
    filename: str
    text: str
    changes: tuple[str, ...]
    """What the state changes in its episode, in words."""
    model: Model
    runs: int
    seed: int
    story: int

    @property
    def scenario(self) -> Scenario:
        return self.model.scenario


def _target(field: str | None, targets: Sequence[str]) -> str:
    """The page field a loader error's field path points at."""
    found = re.match(r"triggers\[(\d+)\]", field or "")
    if found and int(found.group(1)) < len(targets):
        return targets[int(found.group(1))]
    for prefix, kind in (("params.override.", "param"), ("mechanisms.", "mechanism")):
        if field and field.startswith(prefix):
            return f"{kind}:{field[len(prefix):]}"
    return "scenario"


def prepare(state: Mapping[str, Any], workspace: Workspace) -> Prepared:
    """The scenario a state stands for, written as a file in `workspace` and loaded (and compiled) as
    `check` would: or a `PageError` with the loader's line for that file under its download name.
    The same state a second time is the same `Prepared` (the workspace keeps the last `MAX_PREPARED`)."""
    try:
        key = hashlib.sha256(json.dumps(state, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()
    except (TypeError, ValueError, UnicodeError):  # not plain JSON: the loader says what is wrong with it
        return _prepare(state, workspace)
    with workspace.prepare_lock:  # loading is Python-bound: one at a time loses nothing, and loads a state once
        found = workspace.prepared.get(key)
        if found is not None:
            workspace.prepared.move_to_end(key)
            return found
        prepared = workspace.prepared[key] = _prepare(state, workspace)
        while len(workspace.prepared) > MAX_PREPARED:
            workspace.prepared.popitem(last=False)
        return prepared


def _prepare(state: Mapping[str, Any], workspace: Workspace) -> Prepared:
    episode = episode_of(state, workspace)
    runs, seed, story = run_options(state)
    mode = page_mode(state)
    text, targets = scenario_text(state, episode)
    try:
        model = compile_scenario(with_mode(workspace.load_generated(episode.filename, text)[1], mode))
    except ScenarioError as exc:
        raise PageError(exc.format(), _target(exc.field, targets)) from None
    return Prepared(episode, episode.filename, text, tuple(changes(state, episode, plain=True)), model, runs,
                    seed, story)
