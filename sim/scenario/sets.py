"""Mechanism sets: named rival explanations, each a selection of the model's switchable mechanisms.

A set file (``scenarios/params/sets/NAME.yaml``) names an explanation, says in a
sentence what it claims, switches mechanisms off in the same form as a
scenario's ``mechanisms:`` block (``two_level_game: false``), and may list the
parameters to calibrate under it (``calibrate:``; by default the parameters
declared calibrated whose mechanism it keeps on). Every other parameter (but the
fixed) is drawn from its prior, as in every calibration and predictive. `explore/rivals.py` compares sets on the record.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..domain.mechanisms import DEFAULT_MECHANISMS, PROCESS
from ..domain.parameters import CALIBRATED, PARAMETERS
from ..errors import ScenarioError, did_you_mean, excerpt, shown_path
from .loader import Scenario, switch_problem
from .shipped import SHIPPED_DIR
from .yamlio import MarkedDict, read_yaml

SETS_DIR = SHIPPED_DIR / "params" / "sets"
"""The shipped mechanism sets."""

KEYS = ("name", "explains", "mechanisms", "calibrate")


@dataclass(frozen=True)
class MechanismSet:
    """One rival explanation: the mechanisms it switches off, those off by default it switches on, and the
    parameters it calibrates."""

    name: str
    explains: str
    off: frozenset[str]
    calibrate: tuple[str, ...]
    file: str
    adds: frozenset[str] = frozenset()
    """Mechanisms off by default (`OFF_BY_DEFAULT`) that this set switches on."""

    @property
    def on(self) -> frozenset[str]:
        """The mechanisms this set has."""
        return (DEFAULT_MECHANISMS - self.off) | self.adds

    def apply(self, sc: Scenario) -> Scenario:
        """`sc` with this set's mechanisms switched off (those the scenario itself switches off stay off) and
        the ones it adds switched on."""
        return dataclasses.replace(sc, mechanisms=(sc.mechanisms - self.off) | self.adds)


def _err(node: MarkedDict, key: str, file: str, message: str) -> ScenarioError:
    line, col = node.place(key) if key in node else node.place()
    return ScenarioError(message, file=file, line=line, column=col, field=key)


def load_set(path: str | Path) -> MechanismSet:
    """Read and check one set file (an error names the file, line and column)."""
    path = Path(path)
    file = shown_path(path)
    doc = read_yaml(path)
    if not isinstance(doc, MarkedDict):
        raise ScenarioError(f"expected a mapping with the keys {', '.join(KEYS)}", file=file, line=1, column=1)
    for key in doc:
        if key not in KEYS:
            raise _err(doc, key, file, f"unknown key '{excerpt(str(key))}'{did_you_mean(str(key), KEYS)}; "
                                       f"a set file has {', '.join(KEYS)}")
    name, explains = doc.get("name"), doc.get("explains")
    if not isinstance(name, str) or not name.strip() or len(name) > 40:
        raise _err(doc, "name", file, "expected 'name': a short name (at most 40 characters)")
    if not isinstance(explains, str) or not explains.strip():
        raise _err(doc, "explains", file, "expected 'explains': a sentence saying what the explanation claims")
    node = doc.get("mechanisms")
    off: set[str] = set()
    adds: set[str] = set()
    if node is not None:
        if not isinstance(node, MarkedDict):
            raise _err(doc, "mechanisms", file, "expected a mapping of mechanism names to true or false")
        for mech, flag in node.items():
            problem = switch_problem(mech, flag)
            if problem is not None:
                raise _err(node, mech, file, problem)
            if not flag:
                off.add(mech)
            elif mech not in DEFAULT_MECHANISMS:
                adds.add(mech)
    on = (DEFAULT_MECHANISMS - off) | adds
    calibrate = doc.get("calibrate")
    if calibrate is None:
        names = tuple(n for n in CALIBRATED if PARAMETERS[n].mechanism in on | {PROCESS})
    else:
        if not isinstance(calibrate, list) or not calibrate or not all(isinstance(n, str) for n in calibrate):
            raise _err(doc, "calibrate", file, "expected a list of parameter names")
        for n in calibrate:
            if n not in PARAMETERS:
                raise _err(doc, "calibrate", file, f"unknown parameter '{excerpt(n)}'{did_you_mean(n, PARAMETERS)}")
            if PARAMETERS[n].mechanism not in on | {PROCESS}:
                raise _err(doc, "calibrate", file, f"'{n}' belongs to {PARAMETERS[n].mechanism}, which this set "
                                                   "switches off")
        if len(set(calibrate)) != len(calibrate):
            raise _err(doc, "calibrate", file, "a parameter is listed twice")
        names = tuple(calibrate)
    if not names:
        raise _err(doc, "calibrate", file, "no parameter to calibrate under this set")
    return MechanismSet(name.strip(), " ".join(explains.split()), frozenset(off), names, file, frozenset(adds))


def shipped_sets() -> list[Path]:
    """The shipped set files, by name."""
    return sorted(SETS_DIR.glob("*.yaml"))


def find_set(ref: str) -> Path:
    """A set file from a path or the name of a shipped set (its file stem)."""
    path = Path(ref)
    if path.suffix in (".yaml", ".yml") or path.exists():
        return path
    match = [p for p in shipped_sets() if p.stem == ref]
    if not match:
        stems = [p.stem for p in shipped_sets()]
        raise ScenarioError(f"no mechanism set named '{excerpt(ref)}'{did_you_mean(ref, stems)}; "
                            f"shipped: {', '.join(stems)}", file=shown_path(SETS_DIR))
    return match[0]


def load_sets(refs: Sequence[str]) -> list[MechanismSet]:
    """The sets named (paths or shipped names), checked to be distinct in name and in mechanisms."""
    sets = [load_set(find_set(r)) for r in refs]
    names = [s.name for s in sets]
    for s in sets:
        if names.count(s.name) > 1:
            raise ScenarioError(f"two sets are named '{s.name}'", file=s.file)
    return sets
