"""Behavioural parameters: their declaration, loading and bounds.

The one home of every parameter is the parameter file
(``scenarios/params/default.yaml``): name, value, lower and upper bound, unit,
the mechanism it belongs to and what it means. Calibration, sweeps and
sensitivity analysis all read this one declaration.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from ..domain.mechanisms import ALL_MECHANISMS, PROCESS
from ..errors import ScenarioError, did_you_mean
from .shipped import DEFAULT_PARAMS_FILE
from .yamlio import MarkedDict, read_yaml

"""The shipped parameter file, used when a scenario names none."""

_SPEC_KEYS = ("value", "lower", "upper", "unit", "mechanism", "doc")


@dataclass(frozen=True)
class ParameterSpec:
    """One behavioural parameter: its value, bounds, unit and mechanism."""

    name: str
    value: float
    lower: float
    upper: float
    unit: str
    mechanism: str
    doc: str

    def contains(self, value: float) -> bool:
        """Whether `value` lies within the declared bounds."""
        return self.lower <= value <= self.upper


@dataclass(frozen=True)
class ParameterSet:
    """All parameter declarations of one file, and the values in force."""

    specs: Mapping[str, ParameterSpec]
    file: str

    @property
    def values(self) -> dict[str, float]:
        """Name → value, in declaration order."""
        return {name: spec.value for name, spec in self.specs.items()}

    def with_values(self, new: Mapping[str, float]) -> ParameterSet:
        """A copy with some values replaced (names and bounds are checked)."""
        specs = dict(self.specs)
        for name, value in new.items():
            if name not in specs:
                raise ScenarioError(
                    f"unknown parameter '{name}'{did_you_mean(name, specs)}",
                    field=f"params.{name}",
                )
            spec = specs[name]
            check_in_bounds(spec, float(value), field=f"params.{name}")
            specs[name] = ParameterSpec(**{**spec.__dict__, "value": float(value)})
        return ParameterSet(specs, self.file)

    def namespace(self) -> SimpleNamespace:
        """Values as attributes (fast lookup inside the engine)."""
        return SimpleNamespace(**self.values)


def check_in_bounds(
    spec: ParameterSpec, value: float, *, field: str, file: str | None = None,
    place: tuple[int | None, int | None] | None = None,
) -> None:
    """Raise `ScenarioError` unless `value` is finite and within `spec`'s bounds."""
    if not math.isfinite(value) or not spec.contains(value):
        line, col = place or (None, None)
        raise ScenarioError(
            f"expected a value in [{spec.lower:g}, {spec.upper:g}] ({spec.unit}), found {value:g}",
            file=file, line=line, column=col, field=field,
        )


def _number(node: MarkedDict, key: str, name: str, file: str) -> float:
    value = node.get(key)
    line, col = node.place(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(
            f"expected a number, found {value!r}", file=file, line=line, column=col,
            field=f"parameters.{name}.{key}",
        )
    if not math.isfinite(value):
        raise ScenarioError(
            f"expected a finite number, found {value!r}", file=file, line=line, column=col,
            field=f"parameters.{name}.{key}",
        )
    return float(value)


def load_parameters(path: str | Path | None = None) -> ParameterSet:
    """Read a parameter file and check every declaration."""
    path = Path(path) if path is not None else DEFAULT_PARAMS_FILE
    doc = read_yaml(path)
    file = str(path)
    if not isinstance(doc, MarkedDict) or "parameters" not in doc:
        raise ScenarioError("expected a mapping with a 'parameters' key", file=file, line=1, column=1)
    extra = set(doc) - {"parameters", "calibration"}
    if extra:
        key = sorted(extra, key=str)[0]
        line, col = doc.place(key)
        raise ScenarioError(
            f"unknown key '{key}'; a parameter file has 'parameters' (and optionally 'calibration')",
            file=file, line=line, column=col,
        )
    table = doc["parameters"]
    if not isinstance(table, MarkedDict):
        line, col = doc.place("parameters")
        raise ScenarioError("expected a mapping of parameters", file=file, line=line,
                            column=col, field="parameters")
    specs: dict[str, ParameterSpec] = {}
    for name, entry in table.items():
        line, col = table.place(name)
        if not isinstance(entry, MarkedDict):
            raise ScenarioError("expected a mapping with value, lower, upper, unit, mechanism, doc",
                                file=file, line=line, column=col, field=f"parameters.{name}")
        for key in entry:
            if key not in _SPEC_KEYS:
                kl, kc = entry.place(key)
                raise ScenarioError(f"unknown key '{key}'{did_you_mean(key, _SPEC_KEYS)}",
                                    file=file, line=kl, column=kc, field=f"parameters.{name}")
        for key in _SPEC_KEYS:
            if key not in entry:
                raise ScenarioError(f"missing '{key}'", file=file, line=line, column=col,
                                    field=f"parameters.{name}")
        value = _number(entry, "value", name, file)
        lower = _number(entry, "lower", name, file)
        upper = _number(entry, "upper", name, file)
        if lower > upper:
            kl, kc = entry.place("lower")
            raise ScenarioError(f"lower bound {lower:g} is above upper bound {upper:g}",
                                file=file, line=kl, column=kc, field=f"parameters.{name}")
        mechanism = str(entry["mechanism"])
        if mechanism not in ALL_MECHANISMS and mechanism != PROCESS:
            kl, kc = entry.place("mechanism")
            raise ScenarioError(
                f"unknown mechanism '{mechanism}'{did_you_mean(mechanism, [*ALL_MECHANISMS, PROCESS])}",
                file=file, line=kl, column=kc, field=f"parameters.{name}.mechanism")
        spec = ParameterSpec(str(name), value, lower, upper, str(entry["unit"]), mechanism,
                             " ".join(str(entry["doc"]).split()))
        check_in_bounds(spec, value, field=f"parameters.{name}.value", file=file,
                        place=entry.place("value"))
        specs[str(name)] = spec
    missing = REQUIRED_PARAMETERS - set(specs)
    if missing:
        raise ScenarioError(f"missing parameters: {', '.join(sorted(missing))}", file=file)
    return ParameterSet(specs, file)


def parameters_to_yaml(params: ParameterSet, header: str = "") -> str:
    """Render a parameter set as a parameter file (used by calibration)."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    lines.append("parameters:")
    for spec in params.specs.values():
        lines.append(f"  {spec.name}:")
        lines.append(f"    value: {_fmt(spec.value)}")
        lines.append(f"    lower: {_fmt(spec.lower)}")
        lines.append(f"    upper: {_fmt(spec.upper)}")
        lines.append(f"    unit: {_quote(spec.unit)}")
        lines.append(f"    mechanism: {spec.mechanism}")
        lines.append(f"    doc: {_quote(spec.doc)}")
    return "\n".join(lines) + "\n"


def _fmt(x: float) -> str:
    return repr(round(float(x), 6))


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'



# Names the engine reads. A parameter file must declare each of them; the
# meaning, unit and bounds of each live in the file, not here.
REQUIRED_PARAMETERS: frozenset[str] = frozenset(
    """
    threat_weight threat_half_life_days missile_threat_jump nuclear_threat_jump
    patron_weight us_pressure_half_life_days us_pressure_jump patron_press_base
    patron_urgency_days patron_review_days
    domestic_cost_weight mobilisation_half_life_days protest_mobilisation_jump
    opposition_mobilise_base opposition_mobilise_weight
    anti_japan_weight approval_norm approval_half_life_days anti_japan_half_life_days
    scandal_approval_drop scandal_mobilisation_jump history_anti_japan_jump
    ruling_anti_japan_jump trade_anti_japan_jump boycott_base boycott_weight
    boycott_anti_japan_jump
    linkage_weight trade_half_life_days export_control_trade_jump
    whitelist_trade_jump ruling_grievance_jump history_grievance_jump
    grievance_half_life_days retaliation_base retaliation_weight tokyo_review_days
    trade_talks_relief tokyo_offer_base tokyo_offer_weight
    audience_cost face_saving_share leverage_value walkaway_cost
    election_stake_weight election_horizon_days
    secrecy_discount secrecy_backlash_jump secrecy_approval_drop leak_days
    haste_window_days haste_backlash_jump haste_cost
    rally_approval_gain rally_weight
    executive_pact_base tokyo_pact_base talks_round_days full_text_rounds
    legal_review_days signing_lead_days notice_margin_days final_margin_hours
    reaction_days
    """.split()
)
