"""Scenario files: loading, ``extends`` merging and validation.

A scenario file holds facts: the window, who plays which role, the agreement's
state and rules, dated triggers with sources, poll observations and the
historical record. Behaviour lives in the parameter file it points to; a
scenario may override parameters only in its ``params.override`` block.

`load_scenario` returns an immutable, typed `Scenario`, or raises
`ScenarioError` pointing at the file, line and column of the first problem.
"""

from __future__ import annotations

import copy
import hashlib
import math
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal, overload

import numpy as np

from ..domain.kinds import EVENT_KINDS, MOVE_EVENTS, TRIGGER_KINDS, mover_of
from ..domain.lifecycle import Stage
from ..domain.mechanisms import ALL_MECHANISMS, DEFAULT_MECHANISMS, PROCESS
from ..domain.outcomes import possible_outcomes
from ..domain.parameters import PARAMETERS
from ..domain.roles import ROLES as ROLE_MEANINGS
from ..domain.variables import VARIABLES
from ..errors import MAX_EXCERPT, ScenarioError, did_you_mean, excerpt, printable, shown_path
from ..files import read_bytes, resolved
from .params import ParameterSet, check_in_bounds, load_parameters
from .shipped import DEFAULT_PARAMS_FILE, MARKER, SHIPPED_DIR, collection_root, find_scenario
from .yamlio import MAX_FILE_BYTES, SET_SOURCE, Marked, MarkedDict, MarkedList, parse_yaml, read_yaml

MAX_EXTENDS = 8
"""Longest chain of ``extends`` (a file, its base, the base's base, ...)."""
MAX_TRIGGERS = 500
"""Most triggers one scenario may hold."""
MAX_FIRINGS = 5_000
"""Most trigger firings one replication may expect (dated triggers plus each rate times its window):
with the engine's cap on reactions (MAX_REACTIONS), a replication stays well under a second."""
MAX_LOGNORMAL_SIGMA = 3.0
"""Largest sigma of a lognormal magnitude or delay: beyond it a draw can overflow to infinity."""

ROLES = tuple(ROLE_MEANINGS)

OUTCOMES: dict[str, str] = {
    "signed": "The agreement was signed during the episode.",
    "collapsed": "Seoul cancelled the agreement before signing it.",
    "stalled": "Talks or approval were still pending when the episode ended.",
    "no_talks": "No talks took place.",
    "renewed": "The agreement in force renewed (no notice was given).",
    "continued": "The agreement, which has no renewal dates, stayed in force (no notice was given).",
    "notice_pending": "Notice was given and had not yet taken effect when the episode ended.",
    "terminated": "Notice was given and the agreement ended.",
    "suspended": "A notice was suspended and is still suspended at the end; the agreement stays in force.",
    "normalised": "A notice was withdrawn (or a suspended one lifted for good): the agreement is back to normal.",
}

TOP_KEYS = {
    "name": "a short title",
    "description": "what the scenario is about",
    "question": "the question a counterfactual asks (optional)",
    "extends": "a base scenario file this one overrides",
    "start": "first date of the window",
    "end": "last date of the window",
    "actors": "who plays each role",
    "agreement": "the agreement's state and rules",
    "initial": "observed state at the start",
    "measures": "trade measures already in force at the start",
    "claims": "court rulings from before the window whose claims stand unsettled at the start",
    "threat": "the state both parties fear (for the reader)",
    "triggers": "the events",
    "mechanisms": "mechanisms switched on or off",
    "params": "parameter file and overrides",
    "record": "the historical outcome",
}

ACTOR_KEYS: dict[str, dict[str, str]] = {
    "executive": {"name": "str", "leader": "str", "orientation": "orientation", "next_election": "date",
                  "note": "str", "given": "choices"},
    "counterpart": {"name": "str", "leader": "str", "note": "str", "decides": "bool"},
    "patron": {"name": "str", "leader": "str", "note": "str", "decides": "bool", "same_as": "partner"},
    "opposition": {"name": "str", "seat_share": "share", "stance": "stance", "note": "str", "decides": "bool",
                   "source": "str", "assumption": "str"},
    "public": {"name": "str", "note": "str", "decides": "bool"},
}
"""The keys of each role's entry and what each holds. `decides: false` (an assumption: the role takes no
initiative of its own) and the executive's `given` choices are listed by `check` with the given moves."""

EXECUTIVE_CHOICES: dict[str, tuple[str, ...]] = {
    "cabinet_process": ("public", "secret"),
}
"""Choices of Seoul's that a file may give as declared assumptions (``actors.executive.given``):
'public', the cabinet approves the agreement openly; 'secret', without announcing it."""

AGREEMENT_KEYS = {
    "name", "state", "since", "term_years", "notice_days", "termination", "suspension_days",
    "text_remaining", "cabinet_weekday", "signed", "note",
}
TERMINATIONS: dict[str, str] = {
    "anniversary": "it renews at each anniversary of the signing unless notice is given `notice_days` before "
                   "that expiry (GSOMIA)",
    "after_notice": "it has no fixed term and ends `notice_days` after a notice, given at any time",
    "none": "it has no notice clause: no party can end it by notice",
}
"""How an agreement in force can end (``agreement.termination``)."""
ORIENTATIONS: dict[str, float] = {
    "conciliatory": -1.0, "pragmatic": -0.5, "neutral": 0.0, "firm": 0.5, "hard_line": 1.0,
}
"""A leader's line toward the counterpart, from its platform, and the number the model reads it as."""
MEASURES: dict[str, str] = {
    "export_controls": "the counterpart's export controls",
    "whitelist_removed": "the counterpart's removal of the executive's country from its white list",
}
"""Trade measures a scenario may start with in force (``measures:``)."""
GOVERNMENT_FIELDS = ("leader", "orientation", "next_election", "seat_share", "stance", "approval")
"""What a ``government_change`` trigger may say about the new government."""
ELECTION_FIELDS = ("seat_share", "stance", "next_election")
"""What an ``election`` trigger may say: the opposition's seats and stance after it, the next election."""
RETIRED_AGREEMENT_KEYS = {
    "cabinet_process": "how Seoul takes the pact to cabinet is its own choice, not a fact of the agreement; "
                       "give it as an assumption under actors.executive.given: {cabinet_process: public|secret}",
    "review_complete": "when the legal review ends is part of the model (legal_review_days), "
                       "not a scenario field",
}
"""Keys that older files put under ``agreement:``, refused with what to do instead."""
CABINET_PROCESSES = EXECUTIVE_CHOICES["cabinet_process"]
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

POLL_MEASURES = ("approval", "anti_japan", "support")
"""What a poll may measure, in percent: the president's approval, the share of South Koreans unfavourable
to Japan (the `anti_japan` state variable, as a share), and support for the agreement (not simulated)."""

TRIGGER_KEYS = {
    "id", "kind", "at", "rate", "between", "after", "probability", "delay_days",
    "magnitude", "issue", "source", "note", "approval", "anti_japan", "support", "pollster", "office", "given", "by",
    "leader", "orientation", "next_election", "seat_share", "stance",
}
DIST_KINDS = {
    "fixed": ("value",),
    "exponential": ("mean",),
    "uniform": ("low", "high"),
    "lognormal": ("median", "sigma"),
    "normal": ("mean", "sd"),
}
TALKS_ISSUES = ("agreement", "trade")
"""What a ``talks`` trigger is about (its ``issue``)."""
STANCES = ("against", "for")
"""The opposition's stance on the agreement."""
RECORD_DATE_KEYS = (
    "negotiating", "initialled", "cabinet_approved", "in_force", "collapsed",
    "notice_given", "suspended", "terminated", "normalised",
)


# ---------------------------------------------------------------- data types


@dataclass(frozen=True)
class Distribution:
    """A non-negative random quantity: fixed, exponential, uniform, lognormal or normal."""

    kind: str
    a: float
    b: float = 0.0

    def sample(self, rng: np.random.Generator) -> float:
        """One draw (never negative)."""
        if self.kind == "fixed":
            return self.a
        if self.kind == "exponential":
            return float(rng.exponential(self.a)) if self.a > 0 else 0.0
        if self.kind == "uniform":
            return float(self.a + (self.b - self.a) * rng.random())
        if self.kind == "lognormal":
            return float(self.a * math.exp(self.b * rng.standard_normal()))
        return max(0.0, float(self.a + self.b * rng.standard_normal()))

    @property
    def mean(self) -> float:
        """Expected value (before the clip at zero, for `normal`)."""
        if self.kind in ("fixed", "exponential", "normal"):
            return self.a
        if self.kind == "uniform":
            return (self.a + self.b) / 2
        return self.a * math.exp(self.b**2 / 2)


FIXED_ONE = Distribution("fixed", 1.0)
NO_DELAY = Distribution("fixed", 0.0)


@dataclass(frozen=True)
class Trigger:
    """One trigger, validated: how it fires, how large it is, where it is from."""

    id: str
    kind: str
    at: date | None = None
    rate: float = 0.0
    between: tuple[date, date] | None = None
    after: str | None = None
    probability: float = 1.0
    delay: Distribution = NO_DELAY
    magnitude: Distribution = FIXED_ONE
    issue: str | None = None
    by: str | None = None
    """The role whose move this is (None: a fact outside the five actors' control)."""
    given: bool = False
    """A move written in the file as a declared assumption (a conditional run), not a fact."""
    observed: Mapping[str, float] = field(default_factory=dict)
    change: Mapping[str, Any] = field(default_factory=dict)
    """What a ``government_change`` says of the new government (GOVERNMENT_FIELDS)."""
    source: str | None = None
    note: str | None = None
    file: str | None = None
    line: int | None = None



@dataclass(frozen=True)
class Cast:
    """One actor as cast by the scenario: role, name and facts about it."""

    role: str
    name: str
    facts: Mapping[str, Any]


@dataclass(frozen=True)
class AgreementSpec:
    """The agreement's state when actors begin to decide, and its rules."""

    name: str
    state: Stage
    since: date
    term_years: int = 1
    notice_days: int = 90
    text_remaining: float = 1.0
    cabinet_weekday: int = 1
    termination: str = "anniversary"
    """How the agreement in force can end (TERMINATIONS)."""
    suspension_days: int | None = None
    """How long a suspension of a notice lasts before the notice takes effect again (None: until lifted)."""
    signed: date | None = None
    """The signing date, from which expiries are counted (``since`` for ``in_force``)."""


@dataclass(frozen=True)
class RecordedMove:
    """One move an actor made on the record, scored against the model's own moves.

    Exactly one of `at` (its date: the model is scored on whether the actor makes
    the move at all and, by its first such move, on the date), `between` (the
    model is scored on whether the actor makes it in that span) or `never` (the
    actor did not make it in the window: e.g. Tokyo kept its measures).
    """

    by: str
    kind: str
    at: date | None = None
    between: tuple[date, date] | None = None
    never: bool = False
    source: str | None = None
    note: str | None = None

    @property
    def label(self) -> str:
        """'export_control by the counterpart, 2019-07-01' (what and when, on one line)."""
        when = (self.at.isoformat() if self.at else
                f"{self.between[0].isoformat()} to {self.between[1].isoformat()}" if self.between else "never")
        return f"{self.kind} by the {self.by}, {when}"


@dataclass(frozen=True)
class MeasureInForce:
    """A trade measure already in force when the window opens (a fact, with its source)."""

    measure: str
    since: date
    source: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class StandingClaim:
    """A court ruling from before the window whose claim is still unsettled at the start (a fact)."""

    at: date
    magnitude: float = 1.0
    source: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Record:
    """What happened in history, for validation."""

    outcome: str
    dates: Mapping[str, date]
    note: str | None = None
    moves: tuple[RecordedMove, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: plain, typed, immutable."""

    name: str
    description: str
    path: str
    start: date
    end: date
    actors: Mapping[str, Cast]
    agreement: AgreementSpec
    triggers: tuple[Trigger, ...]
    mechanisms: frozenset[str]
    params: ParameterSet
    initial: Mapping[str, float]
    record: Record | None
    question: str | None
    files: tuple[str, ...]
    sha256: str
    measures: tuple[MeasureInForce, ...] = ()
    threat: str | None = None
    claims: tuple[StandingClaim, ...] = ()
    initial_sources: Mapping[str, str] = field(default_factory=dict)
    """Where each written starting value comes from (``initial.sources``: variable -> report)."""
    initial_assumptions: Mapping[str, str] = field(default_factory=dict)
    """Starting values stated as assumptions (``initial.assumptions``: variable -> why; a variable not
    written in ``initial`` then starts at its default, and this says that the default is assumed)."""

    @property
    def days(self) -> float:
        """Length of the window in days (the last day counts whole)."""
        return float((self.end - self.start).days + 1)

    def t(self, d: date) -> float:
        """Simulation time (days since the start) of date `d` at 00:00."""
        return float((d - self.start).days)

    @property
    def decisions_from(self) -> date:
        """The first date actors decide: the later of `start` and `agreement.since`."""
        return max(self.start, self.agreement.since)

    @property
    def outcomes(self) -> tuple[str, ...]:
        """The outcomes a replication of this scenario can end in (by its start and its agreement's rules)."""
        return possible_outcomes(self.agreement.state, self.agreement.termination == "anniversary")

    @property
    def polls(self) -> tuple[Trigger, ...]:
        """The poll observations, in date order."""
        return tuple(sorted((tr for tr in self.triggers if tr.kind == "poll"),
                            key=lambda tr: tr.at or self.start))


# ---------------------------------------------------------------- raw loading


def _err(node: Any, key: Any, field_path: str, message: str) -> ScenarioError:
    if isinstance(node, Marked):
        file, line, col = node.where(key)
        if file == "--set":  # a value from the command line has no place in a file
            return ScenarioError(message, file=file, field=field_path)
        return ScenarioError(message, file=file, line=line, column=col, field=field_path)
    return ScenarioError(message, field=field_path)


SCENARIO_SUFFIXES = (".yaml", ".yml")
"""File endings `extends:` and `params.file` may name."""
ALLOW_ENV = "DIPLOSIM_ALLOW"
"""Environment variable: more folders (os.pathsep-separated) that `extends:` and `params.file` may name files in."""


def allowed_roots(top: Path, extra: Iterable[str | Path] = ()) -> tuple[Path, ...]:
    """The folders a scenario may draw other files from: its own folder tree, the collection it
    lies in (the nearest folder above holding a marker file, `shipped.collection_root`), the
    shipped scenarios, and any named in $DIPLOSIM_ALLOW or given as `extra` (the CLI's --allow)."""
    named = [d for d in os.environ.get(ALLOW_ENV, "").split(os.pathsep) if d]
    collection = collection_root(top)
    own = (top.resolve().parent, *([collection] if collection else []))
    return tuple(Path(d).resolve() for d in (*own, SHIPPED_DIR, *named, *extra))


def _named_file(node: MarkedDict, key: str, where: str, ref: Any, origin: Path, roots: Sequence[Path],
                what: str, chain: str | None = None) -> Path:
    """A file a scenario names (``extends``, ``params.file``), checked before it is read: a
    .yaml or .yml regular file inside an allowed folder. Messages quote only an excerpt of `ref`."""
    if not isinstance(ref, str) or not ref.strip():
        raise _err(node, key, where, f"expected a file path, found {_describe(ref)}")
    shown = excerpt(ref)
    after = f" (chain: {chain})" if chain else ""
    target = origin.parent / ref
    if target.suffix.lower() not in SCENARIO_SUFFIXES:
        raise _err(node, key, where, f"{what} '{shown}' is not a scenario file (the name must end in "
                                     f"{' or '.join(SCENARIO_SUFFIXES)}){after}")
    try:
        found = target.exists()
        regular = target.is_file()
        resolved = target.resolve(strict=found)
    except (OSError, RuntimeError) as exc:  # a symlink loop, a name too long for the system
        reason = "a loop of symbolic links" if isinstance(exc, RuntimeError) else exc.strerror or type(exc).__name__
        raise _err(node, key, where, f"{what} '{shown}' cannot be opened ({reason}){after}") from None
    if not found:
        raise _err(node, key, where, f"{what} '{shown}' not found{after}")
    if not regular:
        raise _err(node, key, where, f"{what} '{shown}' is not a file{after}")
    if not any(resolved.is_relative_to(root) for root in roots):
        raise _err(node, key, where, f"{what} '{shown}' is outside the folders scenario files may come from "
                                     f"(its own folder, the nearest folder above it holding {MARKER}, and the shipped "
                                     f"scenarios; allow another with --allow DIR or ${ALLOW_ENV})")
    return target


def _load_raw(path: Path, chain: list[str], roots: Sequence[Path]) -> tuple[MarkedDict, list[str]]:
    """Read `path` and its ``extends`` chain, merged; return it and the files read.

    `chain` holds the resolved paths of the files that led here, outermost first;
    `roots` the folders other files may come from.
    """
    shown = str(path)
    doc = read_yaml(path)  # first: a file that cannot be read (a loop of links, say) is refused in one line
    resolved = str(path.resolve())
    if doc is None:
        raise ScenarioError("file is empty; expected a scenario mapping", file=shown, line=1, column=1)
    if not isinstance(doc, MarkedDict):
        raise ScenarioError(f"expected a mapping of scenario keys, found {_describe(doc)}",
                            file=shown, line=1, column=1)
    _resolve_paths(doc, path, roots)
    files = [resolved]
    base_ref = doc.get("extends")
    if base_ref is None:
        return doc, files
    here = [*chain, resolved]
    base_path = _named_file(doc, "extends", "extends", base_ref, path, roots, "base scenario", _show_chain(here))
    base_resolved = str(base_path.resolve())
    if base_resolved in here:
        raise _err(doc, "extends", "extends", f"'extends' makes a cycle: {_show_chain([*here, base_resolved])}")
    if len(here) >= MAX_EXTENDS:
        raise _err(doc, "extends", "extends", f"'extends' chain longer than {MAX_EXTENDS} files: "
                                              f"{_show_chain([*here, base_resolved])}")
    base, base_files = _load_raw(base_path, here, roots)
    return merge(base, doc), files + base_files


def _show_chain(paths: list[str]) -> str:
    """Files of an ``extends`` chain, relative to the working directory where that is shorter."""
    return " -> ".join(shown_path(p) for p in paths)


def _resolve_paths(doc: MarkedDict, path: Path, roots: Sequence[Path]) -> None:
    """Check ``params.file`` and make it absolute, relative to the file that names it."""
    params = doc.get("params")
    if isinstance(params, MarkedDict) and "file" in params:
        target = _named_file(params, "file", "params.file", params["file"], path, roots, "parameter file")
        params["file"] = str(target.resolve())


def merge(base: MarkedDict, child: MarkedDict) -> MarkedDict:
    """`child` over `base`: mappings merge key by key; ``triggers`` merge by id.

    In ``triggers``, an item whose ``id`` is in the base replaces it, a new id is
    added, and an item ``{remove: ID}`` deletes the base trigger ID.
    """
    out = MarkedDict(base)
    out.file, out.mark, out.item_marks = base.file, base.mark, dict(base.item_marks)
    out.item_files = dict(getattr(base, "item_files", {}) or {})  # type: ignore[attr-defined]
    for key, value in child.items():
        if key == "extends":
            continue
        merged: Any
        if key == "triggers" and isinstance(value, MarkedList) and isinstance(base.get(key), MarkedList):
            merged = _merge_triggers(base[key], value)
        elif isinstance(value, MarkedDict) and isinstance(base.get(key), MarkedDict):
            merged = merge(base[key], value)
        else:
            merged = value
        out[key] = merged
        out.item_marks[key] = child.place(key)
        out.item_files[key] = child.file  # type: ignore[attr-defined]
    return out


def _merge_triggers(base: MarkedList, child: MarkedList) -> MarkedList:
    out = MarkedList()
    out.file, out.mark, out.item_marks = base.file, base.mark, {}
    out.item_files = {}  # type: ignore[attr-defined]
    # Each entry: (item, file it came from, (line, col) there); None once removed.
    items: list[tuple[Any, str, tuple[int, int]] | None] = [
        (item, _file_of(base, i), base.place(i)) for i, item in enumerate(base)
    ]
    index = {_trigger_id(item): i for i, item in enumerate(base) if _trigger_id(item) is not None}
    for j, item in enumerate(child):
        entry = (item, _file_of(child, j), child.place(j))
        if isinstance(item, MarkedDict) and set(item) == {"remove"}:
            _id_not_number(item, "remove", f"triggers[{j}].remove")
            target = _trigger_id({"id": item["remove"]})
            if target is None:
                raise _err(item, "remove", f"triggers[{j}].remove",
                           f"expected the id of a base trigger, found {_describe(item['remove'])}")
            if target not in index:
                raise _err(item, "remove", f"triggers[{j}].remove",
                           f"no trigger with id '{target}' in the base scenario"
                           f"{did_you_mean(target, [k for k in index if k])}")
            items[index.pop(target)] = None
        elif _trigger_id(item) in index:
            items[index[_trigger_id(item)]] = entry
        else:
            if _trigger_id(item) is not None:
                index[_trigger_id(item)] = len(items)
            items.append(entry)
    for kept in items:
        if kept is not None:
            item, file, mark = kept
            out.item_marks[len(out)] = mark
            out.item_files[len(out)] = file  # type: ignore[attr-defined]
            out.append(item)
    return out


def _id_not_number(node: MarkedDict, key: str, where: str) -> None:
    """A trigger's id is a name other entries and `--set` refer to: a YAML number would silently stand for
    another spelling (an unquoted 1.10 reads as 1.1, 010 as 8, 1_000 as 1000), so ids must be text."""
    value = node.get(key)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise _err(node, key, where, f"expected an id in text, found the number {value!r}: an unquoted id that "
                                     "looks like a number is read as one (1.10 as 1.1, 010 as 8); put it in "
                                     "quotes")


def _trigger_id(item: Any) -> str | None:
    """The id of a raw trigger, if it has a usable one (text or a number)."""
    tid = item.get("id") if isinstance(item, dict) else None
    if isinstance(tid, bool) or not isinstance(tid, (str, int, float)):
        return None
    return str(tid)


def _file_of(node: Marked, key: Any) -> str:
    return node.where(key)[0]


def _set_hint(key: str) -> str:
    """The did-you-mean of an unknown first key of a ``--set`` path: top-level keys and ``params.NAME``."""
    if key in PARAMETERS:
        return f" (did you mean 'params.{key}'?)"
    return did_you_mean(key, [*TOP_KEYS, *(f"params.{name}" for name in PARAMETERS)])


def apply_overrides(doc: MarkedDict, overrides: Mapping[str, Any]) -> MarkedDict:
    """Set dotted paths in a raw scenario (``--set``); validation happens after.

    ``params.NAME`` sets a parameter override; ``triggers.ID.FIELD`` a field of
    the trigger with that id; any other path walks mappings. Values given as
    strings are parsed as YAML scalars (so ``0.4`` is a number, ``false`` a bool).
    """
    doc = copy.deepcopy(doc)
    for path, raw in overrides.items():
        value = parse_yaml(raw, SET_SOURCE) if isinstance(raw, str) else raw
        parts = path.split(".")
        if not all(parts):
            raise ScenarioError(f"malformed path '{excerpt(path)}'", file=SET_SOURCE, field=excerpt(path))
        if parts[0] == "extends" or parts[:2] == ["params", "file"]:
            raise ScenarioError(f"'{path}' names a file and cannot be set with --set; write a scenario file that "
                                "says it (extends: or params: file:)", file=SET_SOURCE, field=path)
        if parts[0] == "params" and len(parts) == 2 and parts[1] not in ("file", "override"):
            parts = ["params", "override", parts[1]]
        node: Any = doc
        for depth, part in enumerate(parts[:-1]):
            if isinstance(node, list):
                match = [it for it in node if isinstance(it, dict) and str(it.get("id")) == part]
                if not match:
                    ids = [str(it.get("id")) for it in node if isinstance(it, dict)]
                    raise ScenarioError(f"no trigger with id '{part}'{did_you_mean(part, ids)}",
                                        file=SET_SOURCE, field=path)
                node = match[0]
                continue
            if not isinstance(node, dict):
                raise ScenarioError(f"'{'.'.join(parts[:depth])}' is not a mapping",
                                    file=SET_SOURCE, field=path)
            if part not in node:
                if depth == 0 and part not in TOP_KEYS:
                    raise ScenarioError(f"unknown key '{part}'{_set_hint(part)}",
                                        file=SET_SOURCE, field=path)
                fresh = MarkedDict()
                fresh.file, fresh.mark, fresh.item_marks = SET_SOURCE, (1, 1), {}
                node[part] = fresh
            node = node[part]
        if not isinstance(node, dict):
            raise ScenarioError(f"'{'.'.join(parts[:-1])}' is not a mapping", file=SET_SOURCE, field=path)
        if len(parts) == 1 and parts[0] not in TOP_KEYS:
            raise ScenarioError(f"unknown key '{parts[0]}'{_set_hint(parts[0])}",
                                file=SET_SOURCE, field=path)
        node[parts[-1]] = value
        if isinstance(node, MarkedDict):
            node.item_marks[parts[-1]] = (1, 1)
            files = getattr(node, "item_files", None)
            if files is None:
                node.item_files = files = {}  # type: ignore[attr-defined]
            files[parts[-1]] = SET_SOURCE
    return doc


# ---------------------------------------------------------------- validation


def _check_keys(node: MarkedDict, where: str, allowed: Any, required: tuple[str, ...] = ()) -> None:
    for key in node:
        if key not in allowed:
            raise _err(node, key, f"{where}.{key}" if where else str(key),
                       f"unknown key '{key}'{did_you_mean(key, allowed)}")
    for key in required:
        if key not in node:
            raise _err(node, None, f"{where}.{key}" if where else key, f"missing required key '{key}'")


@overload
def _mapping(node: MarkedDict, key: str, where: str, required: Literal[True] = ...) -> MarkedDict: ...
@overload
def _mapping(node: MarkedDict, key: str, where: str, required: bool) -> MarkedDict | None: ...
def _mapping(node: MarkedDict, key: str, where: str, required: bool = True) -> MarkedDict | None:
    if key not in node:
        if required:
            raise _err(node, None, where, f"missing required key '{key}'")
        return None
    value = node[key]
    if not isinstance(value, MarkedDict):
        raise _err(node, key, where, f"expected a mapping, found {_describe(value)}")
    return value


def _describe(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "a mapping"
    if isinstance(value, str):
        return f"'{excerpt(value)}' (text)" if len(value) <= MAX_EXCERPT else \
            f"'{excerpt(value)}' (text of {len(value):,} characters)"
    if isinstance(value, date):
        return f"{value} (a date with a time of day)" if hasattr(value, "hour") \
            else f"{value.isoformat()} (a date)"
    return f"{value!r} ({type(value).__name__})"


def _text(node: MarkedDict, key: str, where: str, required: bool = False) -> str | None:
    if key not in node:
        if required:
            raise _err(node, None, where, f"missing required key '{key}'")
        return None
    value = node[key]
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _err(node, key, where, f"expected text, found {_describe(value)}")
    text = str(value).strip()
    lone = next((c for c in text if 0xD800 <= ord(c) <= 0xDFFF), None)
    if lone is not None:  # a YAML escape such as "\uDC80": not a character, and no file or page can hold it
        raise _err(node, key, where, f"text holds a lone surrogate ({printable(lone)}, from an escape), "
                                     "which is not a character; write the character itself")
    if required and not text:
        raise _err(node, key, where, "expected non-empty text, found an empty string")
    return text


@overload
def _date(node: MarkedDict, key: str, where: str, required: Literal[True] = ...) -> date: ...
@overload
def _date(node: MarkedDict, key: str, where: str, required: bool) -> date | None: ...
def _date(node: MarkedDict, key: str, where: str, required: bool = True) -> date | None:
    if key not in node:
        if required:
            raise _err(node, None, where, f"missing required key '{key}'")
        return None
    return _as_date(node[key], node, key, where)


EARLIEST, LATEST = date(1800, 1, 1), date(2999, 12, 31)
"""The dates a scenario may use: the model's calendar arithmetic stays far from the ends of Python's."""


def _as_date(value: Any, node: Any, key: Any, where: str) -> date:
    found: date | None = None
    if isinstance(value, date) and not hasattr(value, "hour"):
        found = value
    elif isinstance(value, str):
        try:
            found = date.fromisoformat(value.strip())
        except ValueError:
            pass
    if found is None:
        raise _err(node, key, where, f"expected a date YYYY-MM-DD, found {_describe(value)}")
    if not EARLIEST <= found <= LATEST:
        raise _err(node, key, where, f"date {found.isoformat()} is outside the years "
                                     f"{EARLIEST.year} to {LATEST.year} that scenarios may use")
    return found


def _number(node: MarkedDict, key: str, where: str, lo: float | None = None, hi: float | None = None,
            default: float | None = None, what: str = "a number") -> float:
    if key not in node:
        if default is None:
            raise _err(node, None, where, f"missing required key '{key}'")
        return default
    value = node[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _err(node, key, where, f"expected {what}, found {_describe(value)}")
    value = float(value)
    if not math.isfinite(value):
        raise _err(node, key, where, f"expected a finite number, found {value}")
    if lo is not None and value < lo:
        raise _err(node, key, where, f"expected {what} of at least {lo:g}, found {value:g}")
    if hi is not None and value > hi:
        raise _err(node, key, where, f"expected {what} of at most {hi:g}, found {value:g}")
    return value


def _whole(node: MarkedDict, key: str, where: str, lo: float, hi: float, default: int, what: str) -> int:
    value = _number(node, key, where, lo=lo, hi=hi, default=default, what=what)
    if not float(value).is_integer():  # a fraction would otherwise be cut off silently
        raise _err(node, key, where, f"expected {what}, found {value:g}")
    return int(value)


def _in_window(d: date, sc_start: date, sc_end: date, node: Any, key: Any, where: str) -> None:
    if not sc_start <= d <= sc_end:
        raise _err(node, key, where,
                   f"date {d.isoformat()} is outside the scenario window "
                   f"{sc_start.isoformat()} to {sc_end.isoformat()}")


def _between(item: MarkedDict, where: str, start: date, end: date) -> tuple[date, date]:
    """A ``between: [first date, last date]`` span inside the window."""
    span = item["between"]
    if not isinstance(span, MarkedList) or len(span) != 2:
        raise _err(item, "between", where, f"expected [first date, last date], found {_describe(span)}")
    lo_d = _as_date(span[0], span, 0, f"{where}[0]")
    hi_d = _as_date(span[1], span, 1, f"{where}[1]")
    _in_window(lo_d, start, end, span, 0, f"{where}[0]")
    _in_window(hi_d, start, end, span, 1, f"{where}[1]")
    if hi_d < lo_d:
        raise _err(span, 1, where, "the last date is before the first")
    return lo_d, hi_d


def _distribution(value: Any, node: Any, key: Any, where: str) -> Distribution:
    if isinstance(value, bool):
        raise _err(node, key, where, f"expected a number or a distribution, found {_describe(value)}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or value < 0:
            raise _err(node, key, where, f"expected a non-negative number, found {value}")
        return Distribution("fixed", float(value))
    if not isinstance(value, MarkedDict):
        raise _err(node, key, where, f"expected a number or a distribution, found {_describe(value)}")
    kind = value.get("dist")
    if not isinstance(kind, str) or kind not in DIST_KINDS:
        raise _err(value, "dist" if "dist" in value else None, f"{where}.dist",
                   f"expected one of {', '.join(DIST_KINDS)}, found {_describe(kind)}"
                   f"{did_you_mean(kind, DIST_KINDS) if isinstance(kind, str) else ''}")
    names = DIST_KINDS[kind]
    _check_keys(value, where, ("dist", *names), required=names)
    nums = [_number(value, n, f"{where}.{n}", lo=0.0,
                    hi=MAX_LOGNORMAL_SIGMA if (kind, n) == ("lognormal", "sigma") else None) for n in names]
    if kind == "uniform" and nums[1] < nums[0]:
        raise _err(value, "high", f"{where}.high", f"expected high >= low ({nums[0]:g}), found {nums[1]:g}")
    return Distribution(kind, *nums)


def _move(item: MarkedDict, where: str, kind: str, issue: str | None) -> tuple[str | None, bool]:
    """(by, given) of a trigger: an actor's move may stand in a file only as a declared assumption."""
    by = item.get("by")
    if by is not None and by not in ROLES:
        raise _err(item, "by", f"{where}.by", f"expected one of {', '.join(ROLES)}, found {_describe(by)}"
                                              f"{did_you_mean(by, ROLES) if isinstance(by, str) else ''}")
    mover = mover_of(kind, issue)
    if mover is not None and by is not None and by != mover:
        raise _err(item, "by", f"{where}.by", f"'{kind}' is the {mover}'s move, not the {by}'s")
    by = by or mover
    given = item.get("given", False)
    if not isinstance(given, bool):
        raise _err(item, "given", f"{where}.given", f"expected true or false, found {_describe(given)}")
    if by is None and given:
        raise _err(item, "given", f"{where}.given", f"'{kind}' is a fact here, not an actor's move; "
                                                    "'given' marks moves (add 'by: ROLE' if it is one)")
    if by is not None and not given:
        add = "given: true" if "by" in item else f"given: true, by: {by}"
        raise _err(item, None, where, f"'{kind}' is the {by}'s move, which the model decides; a file may hold "
                                      f"it only as a declared assumption (add '{add}')")
    return by, given


def _trigger(item: Any, i: int, listing: MarkedList, start: date, end: date) -> Trigger:
    where = f"triggers[{i}]"
    if not isinstance(item, MarkedDict):
        raise _err(listing, i, where, f"expected a trigger mapping, found {_describe(item)}")
    _check_keys(item, where, TRIGGER_KEYS, required=("id", "kind"))
    _id_not_number(item, "id", f"{where}.id")
    tid = _text(item, "id", f"{where}.id", required=True)
    kind = item["kind"]
    if not isinstance(kind, str) or kind not in TRIGGER_KINDS:
        raise _err(item, "kind", f"{where}.kind",
                   f"unknown trigger kind {_describe(kind)}"
                   f"{did_you_mean(kind, TRIGGER_KINDS) if isinstance(kind, str) else ''}; "
                   f"expected one of {', '.join(TRIGGER_KINDS)}")
    ways = [k for k in ("at", "rate", "after") if k in item]
    if len(ways) != 1:
        raise _err(item, ways[1] if len(ways) > 1 else None, where,
                   f"expected exactly one of 'at', 'rate' or 'after', found {len(ways)}"
                   + (f" ({', '.join(ways)})" if ways else ""))
    fields: dict[str, Any] = {"id": tid, "kind": kind, "file": item.file, "line": item.mark[0]}
    if "at" in item:
        at = _date(item, "at", f"{where}.at")
        _in_window(at, start, end, item, "at", f"{where}.at")
        fields["at"] = at
        for k in ("between", "probability", "delay_days"):
            if k in item:
                raise _err(item, k, f"{where}.{k}", f"'{k}' goes with 'rate' or 'after', not with 'at'")
        if not item.get("source"):
            raise _err(item, None, f"{where}.source",
                       "a dated (historical) trigger needs a 'source' naming where it is reported")
    elif "rate" in item:
        fields["rate"] = _number(item, "rate", f"{where}.rate", lo=0.0, what="a rate per year")
        if "between" in item:
            fields["between"] = _between(item, f"{where}.between", start, end)
        if "probability" in item or "delay_days" in item:
            k = "probability" if "probability" in item else "delay_days"
            raise _err(item, k, f"{where}.{k}", f"'{k}' goes with 'after', not with 'rate'")
    else:
        after = item["after"]
        if not isinstance(after, str) or after not in EVENT_KINDS:
            raise _err(item, "after", f"{where}.after",
                       f"unknown event kind {_describe(after)}"
                       f"{did_you_mean(after, EVENT_KINDS) if isinstance(after, str) else ''}")
        if after == kind:
            raise _err(item, "after", f"{where}.after",
                       f"a '{kind}' trigger cannot react to its own kind (it would chain forever)")
        fields["after"] = after
        if "between" in item:
            raise _err(item, "between", f"{where}.between", "'between' goes with 'rate', not with 'after'")
        fields["probability"] = _number(item, "probability", f"{where}.probability", lo=0.0, hi=1.0,
                                        default=1.0, what="a probability")
        if "delay_days" in item:
            fields["delay"] = _distribution(item["delay_days"], item, "delay_days", f"{where}.delay_days")
    if "magnitude" in item:
        fields["magnitude"] = _distribution(item["magnitude"], item, "magnitude", f"{where}.magnitude")
    if kind == "talks":
        issue = item.get("issue", "agreement")
        if issue not in TALKS_ISSUES:
            raise _err(item, "issue", f"{where}.issue",
                       f"expected 'agreement' or 'trade', found {_describe(issue)}")
        fields["issue"] = issue
    elif "issue" in item:
        raise _err(item, "issue", f"{where}.issue", "'issue' applies to 'talks' triggers only")
    fields["by"], fields["given"] = _move(item, where, kind, fields.get("issue"))
    if kind == "government_change":
        fields["change"] = _government(item, where)
    else:
        for k in GOVERNMENT_FIELDS[:-1]:
            if k in item and not (kind == "election" and k in ELECTION_FIELDS):
                where_ok = "'government_change' (and, for the opposition's seats, 'election')" \
                    if k in ELECTION_FIELDS else "'government_change'"
                raise _err(item, k, f"{where}.{k}", f"'{k}' applies to {where_ok} triggers only")
        if kind == "election":
            fields["change"] = _election(item, where)
    observed: dict[str, float] = {}
    for k in POLL_MEASURES:
        if k not in item or (k == "approval" and kind == "government_change"):
            continue  # a new leader's approval is part of the change
        if kind != "poll":
            allowed = "'poll' and 'government_change'" if k == "approval" else "'poll'"
            raise _err(item, k, f"{where}.{k}", f"'{k}' applies to {allowed} triggers only")
        observed[k] = _number(item, k, f"{where}.{k}", lo=0.0, hi=100.0, what="a percentage")
    if kind == "poll":
        if "at" not in item:
            raise _err(item, None, where, "a poll is an observation and needs a date ('at')")
        if not observed:
            raise _err(item, None, where, "a poll needs 'approval', 'anti_japan' or 'support' (percent)")
        if "anti_japan" in observed and len(observed) > 1:
            raise _err(item, "anti_japan", f"{where}.anti_japan",
                       "a survey of opinion of Japan is a poll of its own: give 'approval' or 'support' "
                       "in another poll")
    fields["observed"] = observed
    fields["source"] = _text(item, "source", f"{where}.source")
    fields["note"] = _text(item, "note", f"{where}.note")
    for k in ("pollster", "office"):
        _text(item, k, f"{where}.{k}")
    return Trigger(**fields)


def _government(item: MarkedDict, where: str) -> dict[str, Any]:
    """What a `government_change` trigger says of the new government; it must say who leads it."""
    if "leader" not in item:
        raise _err(item, None, where, "a 'government_change' needs the new 'leader'")
    if "at" not in item:
        raise _err(item, None, where, "a 'government_change' is a dated fact and needs 'at'")
    out: dict[str, Any] = {"leader": _text(item, "leader", f"{where}.leader", required=True)}
    if "orientation" in item:
        out["orientation"] = _orientation(item, "orientation", f"{where}.orientation")
    if "next_election" in item:
        out["next_election"] = _next_election(item, where, "government change")
    if "seat_share" in item:
        out["seat_share"] = _number(item, "seat_share", f"{where}.seat_share", lo=0.0, hi=1.0, what="a share")
    if "stance" in item:
        if item["stance"] not in STANCES:
            raise _err(item, "stance", f"{where}.stance",
                       f"expected 'against' or 'for' (the pact), found {_describe(item['stance'])}")
        out["stance"] = item["stance"]
    if "approval" in item:
        out["approval"] = _number(item, "approval", f"{where}.approval", lo=0.0, hi=100.0, what="a percentage")
    return out


def _election(item: MarkedDict, where: str) -> dict[str, Any]:
    """What an `election` trigger says of the parliament it returns (optional)."""
    out: dict[str, Any] = {}
    if "seat_share" in item:
        out["seat_share"] = _number(item, "seat_share", f"{where}.seat_share", lo=0.0, hi=1.0, what="a share")
    if "stance" in item:
        if item["stance"] not in STANCES:
            raise _err(item, "stance", f"{where}.stance",
                       f"expected 'against' or 'for' (the pact), found {_describe(item['stance'])}")
        out["stance"] = item["stance"]
    if "next_election" in item:
        out["next_election"] = _next_election(item, where, "election")
    return out


def _next_election(item: MarkedDict, where: str, what: str) -> date:
    """The next election a dated trigger announces: not before the trigger's own date."""
    d = _date(item, "next_election", f"{where}.next_election")
    at = _as_date(item["at"], item, "at", f"{where}.at") if "at" in item else None
    if at is not None and d < at:
        raise _err(item, "next_election", f"{where}.next_election",
                   f"the next election {d.isoformat()} is before the {what} that announces it ({at.isoformat()})")
    return d


def _entries(node: MarkedDict, key: str, where: str, listed: str,
             fields: str) -> Iterator[tuple[str, MarkedDict]]:
    """The entries of the list under `key` (none when it is absent), each as (its place, the mapping),
    checked one by one as they are read: a list of `listed`, each a mapping of `fields`."""
    raw = node.get(key)
    if raw is None:
        return
    if not isinstance(raw, MarkedList):
        raise _err(node, key, where, f"expected a list of {listed}, found {_describe(raw)}")
    for i, item in enumerate(raw):
        place = f"{where}[{i}]"
        if not isinstance(item, MarkedDict):
            raise _err(raw, i, place, f"expected a mapping ({fields}), found {_describe(item)}")
        yield place, item


def _measures(doc: MarkedDict, start: date, end: date) -> tuple[MeasureInForce, ...]:
    out = []
    seen: set[str] = set()
    for where, item in _entries(doc, "measures", "measures", "measures in force", "measure, since, source"):
        _check_keys(item, where, ("measure", "since", "source", "note"), required=("measure", "since"))
        measure = item["measure"]
        if not isinstance(measure, str) or measure not in MEASURES:
            raise _err(item, "measure", f"{where}.measure",
                       f"expected one of {', '.join(MEASURES)}, found {_describe(measure)}"
                       f"{did_you_mean(measure, MEASURES) if isinstance(measure, str) else ''}")
        if measure in seen:
            raise _err(item, "measure", f"{where}.measure", f"'{measure}' is listed twice")
        seen.add(measure)
        since = _date(item, "since", f"{where}.since")
        if since > start:
            raise _err(item, "since", f"{where}.since",
                       f"a measure in force at the start began before it, not on {since.isoformat()} (a measure "
                       "taken inside the window is a trigger)")
        if not item.get("source"):
            raise _err(item, None, f"{where}.source", "a measure in force is a fact and needs a 'source'")
        out.append(MeasureInForce(measure, since, _text(item, "source", f"{where}.source"),
                                  _text(item, "note", f"{where}.note")))
    return tuple(out)


def _claims(doc: MarkedDict, start: date) -> tuple[StandingClaim, ...]:
    out = []
    for where, item in _entries(doc, "claims", "claims", "rulings", "at, source, magnitude"):
        _check_keys(item, where, ("at", "magnitude", "source", "note"), required=("at",))
        at = _date(item, "at", f"{where}.at")
        if at >= start:
            raise _err(item, "at", f"{where}.at", f"a standing claim comes from a ruling before the window, not "
                                                  f"{at.isoformat()} (a ruling inside it is a court_ruling trigger)")
        if not item.get("source"):
            raise _err(item, None, f"{where}.source", "a standing claim is a fact and needs a 'source'")
        magnitude = _number(item, "magnitude", f"{where}.magnitude", lo=0.0, hi=100.0, default=1.0,
                            what="a number of rulings")
        out.append(StandingClaim(at, magnitude, _text(item, "source", f"{where}.source"),
                                 _text(item, "note", f"{where}.note")))
    return tuple(out)


def _actors(doc: MarkedDict) -> dict[str, Cast]:
    node = _mapping(doc, "actors", "actors")
    _check_keys(node, "actors", ROLES, required=ROLES)
    out: dict[str, Cast] = {}
    for role in ROLES:
        entry = node[role]
        where = f"actors.{role}"
        if not isinstance(entry, MarkedDict):
            raise _err(node, role, where, f"expected a mapping with at least 'name', found {_describe(entry)}")
        spec = ACTOR_KEYS[role]
        _check_keys(entry, where, spec, required=("name",))
        facts: dict[str, Any] = {}
        for key, kind in spec.items():
            if key not in entry or key == "name":
                continue
            if kind == "date":
                facts[key] = _date(entry, key, f"{where}.{key}")
            elif kind == "share":
                facts[key] = _number(entry, key, f"{where}.{key}", lo=0.0, hi=1.0, what="a share")
            elif kind == "bool":
                if not isinstance(entry[key], bool):
                    raise _err(entry, key, f"{where}.{key}", f"expected true or false, found {_describe(entry[key])}")
                facts[key] = entry[key]
            elif kind == "choices":
                facts.update(_executive_choices(entry, key, f"{where}.{key}"))
            elif kind == "orientation":
                facts[key] = _orientation(entry, key, f"{where}.{key}")
            elif kind == "partner":
                if entry[key] != "counterpart":
                    raise _err(entry, key, f"{where}.{key}",
                               f"expected 'counterpart' (the patron is also the treaty partner), "
                               f"found {_describe(entry[key])}")
                facts[key] = "counterpart"
            elif kind == "stance":
                if entry[key] not in STANCES:
                    raise _err(entry, key, f"{where}.{key}",
                               f"expected 'against' or 'for' (the pact), found {_describe(entry[key])}")
                facts[key] = entry[key]
            else:
                facts[key] = _text(entry, key, f"{where}.{key}")
        out[role] = Cast(role, _text(entry, "name", f"{where}.name", required=True) or role, facts)
    return out


def _check_next_election(doc: MarkedDict, actors: Mapping[str, Cast], start: date) -> None:
    """The executive's next election, known from the start, is not before the window."""
    d = actors["executive"].facts.get("next_election")
    if d is not None and d < start:
        raise _err(doc["actors"]["executive"], "next_election", "actors.executive.next_election",
                   f"the next election {d.isoformat()} is before the window opens ({start.isoformat()}); "
                   "give the one still to come")


def _orientation(node: MarkedDict, key: str, where: str) -> str:
    """A leader's line toward the counterpart: one of ORIENTATIONS."""
    value = node[key]
    if not isinstance(value, str) or value not in ORIENTATIONS:
        raise _err(node, key, where, f"expected one of {', '.join(ORIENTATIONS)}, found {_describe(value)}"
                                     f"{did_you_mean(value, ORIENTATIONS) if isinstance(value, str) else ''}")
    return value


def _executive_choices(entry: MarkedDict, key: str, where: str) -> dict[str, str]:
    """Seoul's choices a file gives as declared assumptions (``actors.executive.given``)."""
    node = entry[key]
    if not isinstance(node, MarkedDict):
        raise _err(entry, key, where, f"expected a mapping of Seoul's choices, found {_describe(node)}")
    _check_keys(node, where, EXECUTIVE_CHOICES)
    out = {}
    for name, value in node.items():
        allowed = EXECUTIVE_CHOICES[name]
        if value not in allowed:
            raise _err(node, name, f"{where}.{name}",
                       f"expected {' or '.join(repr(a) for a in allowed)}, found {_describe(value)}")
        out[name] = str(value)
    return out


def _agreement(doc: MarkedDict, start: date, end: date) -> AgreementSpec:
    node = _mapping(doc, "agreement", "agreement")
    for key, why in RETIRED_AGREEMENT_KEYS.items():
        if key in node:
            raise _err(node, key, f"agreement.{key}", f"'{key}' is not a key of the agreement: {why}")
    _check_keys(node, "agreement", AGREEMENT_KEYS, required=("state", "since"))
    state = node["state"]
    if not isinstance(state, str) or state not in {s.value for s in Stage}:
        raise _err(node, "state", "agreement.state",
                   f"unknown state {_describe(state)}"
                   f"{did_you_mean(state, [s.value for s in Stage]) if isinstance(state, str) else ''}; "
                   f"expected one of {', '.join(s.value for s in Stage)}")
    since = _date(node, "since", "agreement.since")
    if since > end:
        raise _err(node, "since", "agreement.since",
                   f"date {since.isoformat()} is after the scenario's end {end.isoformat()}")
    termination = node.get("termination", "anniversary")
    if not isinstance(termination, str) or termination not in TERMINATIONS:
        raise _err(node, "termination", "agreement.termination",
                   f"expected one of {', '.join(TERMINATIONS)}, found {_describe(termination)}"
                   f"{did_you_mean(termination, TERMINATIONS) if isinstance(termination, str) else ''}")
    suspension = None
    if "suspension_days" in node:
        suspension = _whole(node, "suspension_days", "agreement.suspension_days", lo=1, hi=3650, default=1,
                            what="a whole number of days")
    _check_rules(node, Stage(state), str(termination), suspension)
    weekday = node.get("cabinet_weekday", "tuesday")
    if not isinstance(weekday, str) or weekday.lower() not in WEEKDAYS:
        raise _err(node, "cabinet_weekday", "agreement.cabinet_weekday",
                   f"expected a weekday name, found {_describe(weekday)}")
    return AgreementSpec(
        name=_text(node, "name", "agreement.name") or "the agreement",
        state=Stage(state),
        since=since,
        term_years=_whole(node, "term_years", "agreement.term_years", lo=1, hi=100, default=1,
                          what="a whole number of years"),
        notice_days=_whole(node, "notice_days", "agreement.notice_days", lo=0, hi=3650, default=90,
                           what="a whole number of days"),
        text_remaining=_number(node, "text_remaining", "agreement.text_remaining", lo=0.0, hi=1.0,
                               default=1.0, what="a share of the text"),
        cabinet_weekday=WEEKDAYS.index(weekday.lower()),
        termination=str(termination),
        suspension_days=suspension,
        signed=_signed(node, Stage(state), since),
    )


def _check_rules(node: MarkedDict, state: Stage, termination: str, suspension: int | None) -> None:
    """Refuse a start that the agreement's own rules contradict: a notice under rules without a notice
    clause (``termination: none``), or a suspended notice whose term would set it going again."""
    if termination != "none":
        return
    if state is Stage.NOTICE_GIVEN:
        raise _err(node, "termination", "agreement.termination",
                   "an agreement with 'termination: none' has no notice clause, so it cannot start in "
                   "'notice_given' (give the rule it was noticed under: anniversary or after_notice)")
    if state is Stage.SUSPENDED and suspension is not None:
        raise _err(node, "suspension_days", "agreement.suspension_days",
                   "a suspension term cannot lapse under 'termination: none' (no notice clause to resume): "
                   "drop 'suspension_days' or give the rule the notice was given under")


def _signed(node: MarkedDict, state: Stage, since: date) -> date | None:
    d = _date(node, "signed", "agreement.signed", required=False)
    if state is Stage.IN_FORCE:
        return d or since
    if d is None and state in (Stage.NOTICE_GIVEN, Stage.SUSPENDED, Stage.NORMALISED):
        raise _err(node, None, "agreement.signed",
                   f"an agreement that starts in '{state.value}' needs its signing date ('signed'), "
                   "from which its expiries are counted")
    if d is not None and d > since:
        raise _err(node, "signed", "agreement.signed",
                   f"the signing {d.isoformat()} is after 'since' {since.isoformat()}")
    return d


def switch_problem(name: Any, flag: Any) -> str | None:
    """What is wrong with one line of a `mechanisms:` block (a scenario's or a mechanism set's), or None.
    The one check both kinds of file share, so that they refuse the same lines with the same words."""
    if name == PROCESS:
        return "'process' is the agreement's procedural timing and cannot be switched off"
    if name not in ALL_MECHANISMS:
        return (f"unknown mechanism '{excerpt(str(name))}'{did_you_mean(str(name), ALL_MECHANISMS)}; "
                f"expected one of {', '.join(sorted(ALL_MECHANISMS))}")
    if not isinstance(flag, bool):
        return f"expected true or false, found {_describe(flag)}"
    return None


def _mechanisms(doc: MarkedDict) -> frozenset[str]:
    node = _mapping(doc, "mechanisms", "mechanisms", required=False)
    if node is None:
        return DEFAULT_MECHANISMS
    on = set(DEFAULT_MECHANISMS)  # a mechanism off by default (OFF_BY_DEFAULT) is switched on with `true`
    for name, flag in node.items():
        problem = switch_problem(name, flag)
        if problem is not None:
            raise _err(node, name, f"mechanisms.{excerpt(str(name))}", problem)
        if flag:
            on.add(name)
        else:
            on.discard(name)
    return frozenset(on)


def _params(doc: MarkedDict) -> ParameterSet:
    node = _mapping(doc, "params", "params", required=False)
    if node is None:
        return load_parameters(DEFAULT_PARAMS_FILE)
    _check_keys(node, "params", ("file", "override"))
    file = node.get("file")
    if file is not None and not isinstance(file, str):
        raise _err(node, "file", "params.file", f"expected a file path, found {_describe(file)}")
    if file is not None and not Path(file).is_file():
        problem = "is not a file" if Path(file).exists() else "not found"
        raise _err(node, "file", "params.file", f"parameter file '{file}' {problem}")
    params = load_parameters(file or DEFAULT_PARAMS_FILE)
    override = _mapping(node, "override", "params.override", required=False)
    if override:
        values: dict[str, float] = {}
        for name, value in override.items():
            where = f"params.override.{name}"
            if name not in params.specs:
                raise _err(override, name, where,
                           f"unknown parameter '{name}'{did_you_mean(name, params.specs)}")
            value = _number(override, name, where)
            spec = params.specs[name]
            ofile, oline, ocol = override.where(name)
            check_in_bounds(spec, value, field=where, file=ofile, place=(oline, ocol))
            values[name] = value
        params = params.with_values(values)
    return params


INITIAL_PROVENANCE = ("sources", "assumptions")
"""Keys of ``initial`` that say where its values come from rather than give one."""


def _initial(doc: MarkedDict) -> dict[str, float]:
    node = _mapping(doc, "initial", "initial", required=False)
    if node is None:
        return {}
    out: dict[str, float] = {}
    for name in node:
        if name in INITIAL_PROVENANCE:
            continue
        if name not in VARIABLES:
            raise _err(node, name, f"initial.{name}",
                       f"unknown state variable '{name}'{did_you_mean(name, VARIABLES)}")
        spec = VARIABLES[name]
        out[name] = _number(node, name, f"initial.{name}", lo=spec.lower, hi=spec.upper,
                            what=f"a value ({spec.unit})")
    return out


def _initial_provenance(doc: MarkedDict, key: str, written: Mapping[str, float]) -> dict[str, str]:
    """``initial.sources`` or ``initial.assumptions``: state variable -> text. A source is for a value
    the file writes; an assumption may also name a variable left at its default."""
    node = doc.get("initial")
    if not isinstance(node, MarkedDict):
        return {}
    entries = _mapping(node, key, f"initial.{key}", required=False)
    if entries is None:
        return {}
    out: dict[str, str] = {}
    for name in entries:
        where = f"initial.{key}.{name}"
        if name not in VARIABLES:
            raise _err(entries, name, where, f"unknown state variable '{name}'{did_you_mean(str(name), VARIABLES)}")
        if key == "sources" and name not in written:
            raise _err(entries, name, where, f"a source for '{name}', which 'initial' does not give; write its "
                                             "value, or state its default under initial.assumptions")
        text = _text(entries, name, where)
        if not text:
            raise _err(entries, name, where, "expected text naming the report (or the assumption), found nothing")
        out[str(name)] = text
    return out


NOTICE_OUTCOMES = ("notice_pending", "terminated", "suspended", "normalised")
"""Outcomes that need a notice given in the window (from a start in force or normalised)."""
NOTICE_RECORD_DATES = ("notice_given", "suspended", "terminated", "normalised")
"""Record dates that need a notice given (from a start in force or normalised)."""


def _record(doc: MarkedDict, start: date, end: date, state: Stage, termination: str = "anniversary") -> Record | None:
    node = _mapping(doc, "record", "record", required=False)
    if node is None:
        return None
    _check_keys(node, "record", ("outcome", "dates", "note", "moves"), required=("outcome",))
    outcome = node["outcome"]
    if not isinstance(outcome, str) or outcome not in OUTCOMES:
        raise _err(node, "outcome", "record.outcome",
                   f"unknown outcome {_describe(outcome)}"
                   f"{did_you_mean(outcome, OUTCOMES) if isinstance(outcome, str) else ''}; "
                   f"expected one of {', '.join(OUTCOMES)}")
    reachable = possible_outcomes(state, termination == "anniversary")
    endless = termination == "none" and state in (Stage.IN_FORCE, Stage.NORMALISED)
    if endless and outcome in NOTICE_OUTCOMES:
        raise _err(node, "outcome", "record.outcome",
                   f"outcome '{outcome}' needs a notice, and the agreement ('termination: none', starting in "
                   f"'{state.value}') has no notice clause: it cannot end; its only outcome is 'continued'")
    if outcome not in reachable:
        raise _err(node, "outcome", "record.outcome",
                   f"outcome '{outcome}' cannot happen to an agreement that starts in '{state.value}'; "
                   f"it can end {', '.join(reachable)}")
    dates: dict[str, date] = {}
    dnode = _mapping(node, "dates", "record.dates", required=False)
    if dnode:
        _check_keys(dnode, "record.dates", RECORD_DATE_KEYS)
        for key in dnode:
            d = _date(dnode, key, f"record.dates.{key}")
            _in_window(d, start, end, dnode, key, f"record.dates.{key}")
            if endless and key in NOTICE_RECORD_DATES:
                raise _err(dnode, key, f"record.dates.{key}",
                           f"the agreement ('termination: none', starting in '{state.value}') has no notice "
                           f"clause and cannot end, so it has no '{key}' date")
            dates[key] = d
    return Record(outcome, dates, _text(node, "note", "record.note"), _recorded_moves(node, start, end))


RECORDED_MOVE_KEYS = ("by", "kind", "at", "between", "never", "source", "note")


def _recorded_moves(node: MarkedDict, start: date, end: date) -> tuple[RecordedMove, ...]:
    out = []
    for where, item in _entries(node, "moves", "record.moves", "moves", "by, kind, and at, between or never"):
        _check_keys(item, where, RECORDED_MOVE_KEYS, required=("by", "kind"))
        by, kind = item["by"], item["kind"]
        if by not in ROLES:
            raise _err(item, "by", f"{where}.by", f"expected one of {', '.join(ROLES)}, found {_describe(by)}"
                                                  f"{did_you_mean(by, ROLES) if isinstance(by, str) else ''}")
        if not isinstance(kind, str) or kind not in MOVE_EVENTS:
            hint = did_you_mean(kind, MOVE_EVENTS) if isinstance(kind, str) else ""
            raise _err(item, "kind", f"{where}.kind",
                       f"unknown move {_describe(kind)}{hint}; expected one of {', '.join(MOVE_EVENTS)}")
        when = [k for k in ("at", "between", "never") if k in item]
        if len(when) != 1:
            raise _err(item, None, where, "a recorded move needs exactly one of 'at' (a date), 'between' "
                                          "(two dates) or 'never: true'")
        at = between = None
        never = False
        if "at" in item:
            at = _date(item, "at", f"{where}.at")
            _in_window(at, start, end, item, "at", f"{where}.at")
        elif "between" in item:
            between = _between(item, f"{where}.between", start, end)
        else:
            if item["never"] is not True:
                raise _err(item, "never", f"{where}.never", f"expected true, found {_describe(item['never'])}")
            never = True
        out.append(RecordedMove(str(by), kind, at, between, never, _text(item, "source", f"{where}.source"),
                                _text(item, "note", f"{where}.note")))
    return tuple(out)


def expected_firings(triggers: Sequence[Trigger], start: date, end: date) -> float:
    """How many times the dated and random-rate triggers fire in one replication, on average."""
    total = 0.0
    for tr in triggers:
        if tr.at is not None:
            total += 1.0
        elif tr.after is None:
            lo, hi = tr.between or (start, end)
            total += tr.rate * ((hi - lo).days + 1) / 365.25
    return total


def validate(doc: MarkedDict, path: str, files: tuple[str, ...], sha256: str) -> Scenario:
    """Turn a merged raw document into a `Scenario`, or raise `ScenarioError`."""
    _check_keys(doc, "", TOP_KEYS, required=("name", "start", "end", "actors", "agreement"))
    name = _text(doc, "name", "name", required=True) or ""
    start = _date(doc, "start", "start")
    end = _date(doc, "end", "end")
    if end <= start:
        raise _err(doc, "end", "end", f"the end {end.isoformat()} is not after the start {start.isoformat()}")
    if (end - start).days > 366 * 30:
        raise _err(doc, "end", "end", "the window is longer than 30 years")
    actors = _actors(doc)
    _check_next_election(doc, actors, start)
    agreement = _agreement(doc, start, end)
    raw_triggers = doc.get("triggers")
    if raw_triggers is None:  # no triggers: a quiet window
        raw_triggers = MarkedList()
        raw_triggers.file, raw_triggers.mark, raw_triggers.item_marks = doc.file, doc.mark, {}
    if not isinstance(raw_triggers, MarkedList):
        raise _err(doc, "triggers", "triggers", f"expected a list of triggers, found {_describe(raw_triggers)}")
    if len(raw_triggers) > MAX_TRIGGERS:
        raise _err(doc, "triggers", "triggers",
                   f"{len(raw_triggers)} triggers; the limit is {MAX_TRIGGERS}")
    triggers = tuple(_trigger(item, i, raw_triggers, start, end) for i, item in enumerate(raw_triggers))
    seen: set[str] = set()
    for i, tr in enumerate(triggers):
        if tr.id in seen:
            raise _err(raw_triggers, i, f"triggers[{i}].id", f"duplicate trigger id '{tr.id}'")
        seen.add(tr.id)
    firings = expected_firings(triggers, start, end)
    if firings > MAX_FIRINGS:
        raise _err(doc, "triggers", "triggers",
                   f"the triggers would fire about {firings:,.0f} times in one replication; the limit is "
                   f"{MAX_FIRINGS:,} (lower the rates or narrow their windows)")
    initial = _initial(doc)
    return Scenario(
        name=name,
        description=_text(doc, "description", "description") or "",
        path=path,
        start=start,
        end=end,
        actors=actors,
        agreement=agreement,
        triggers=triggers,
        mechanisms=_mechanisms(doc),
        params=_params(doc),
        initial=initial,
        initial_sources=_initial_provenance(doc, "sources", initial),
        initial_assumptions=_initial_provenance(doc, "assumptions", initial),
        record=_record(doc, start, end, agreement.state, agreement.termination),
        measures=_measures(doc, start, end),
        claims=_claims(doc, start),
        threat=_text(doc, "threat", "threat"),
        question=_text(doc, "question", "question"),
        files=files,
        sha256=sha256,
    )


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None, *,
                  allow: Iterable[str | Path] = ()) -> Scenario:
    """Load, merge (``extends``), override (``--set``) and validate a scenario file.

    `path` may also name a shipped scenario (``gsomia-2019``) when no such file exists
    (`shipped.find_scenario`). Files it names (``extends``, ``params.file``) must lie in its
    own folder tree, its collection, the shipped scenarios, or a folder in `allow` or $DIPLOSIM_ALLOW.
    """
    path = find_scenario(path)
    doc, files = load_document(path, allow=allow)
    if overrides:
        doc = apply_overrides(doc, overrides)
    digest = hashlib.sha256()
    for f in files:
        digest.update(read_bytes(f, MAX_FILE_BYTES))
    if overrides:
        digest.update(repr(sorted(overrides.items())).encode())
    return validate(doc, str(path), tuple(files), digest.hexdigest())


def load_document(path: str | Path, *, allow: Iterable[str | Path] = ()) -> tuple[MarkedDict, list[str]]:
    """The raw document of a scenario file with its ``extends`` chain merged, before validation,
    and the files read (resolved, the file itself first).

    The same reading and confinement as `load_scenario` (which validates this document):
    for tools that write a scenario back as a complete file.
    """
    path = find_scenario(path)
    resolved(path)  # a loop of symbolic links or a name too long is a one-line refusal, before anything else
    return _load_raw(path, [], allowed_roots(path, allow))
