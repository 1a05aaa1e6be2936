"""Parameter files: values for the parameters declared in `domain/parameters.py`.

A parameter file maps each declared name to its value (``name: value``), plus an
optional ``calibration`` block that records how the values were found. The loader
checks every name against the declaration (an unknown name is refused with a
did-you-mean, a missing one is named) and every value against its bounds.
What each parameter means, its unit, bounds and mechanism live only in the
declaration.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..domain.parameters import PARAMETERS, ParameterInfo, Parameters
from ..errors import ScenarioError, did_you_mean, excerpt, shown_path
from ..files import decode_text, read_bytes
from .shipped import DEFAULT_PARAMS_FILE, SHIPPED_DIR
from .yamlio import MarkedDict, read_yaml


@dataclass(frozen=True)
class ParameterSpec:
    """One behavioural parameter: its declaration and the value in force."""

    info: ParameterInfo
    value: float

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def lower(self) -> float:
        return self.info.lower

    @property
    def upper(self) -> float:
        return self.info.upper

    @property
    def unit(self) -> str:
        return self.info.unit

    @property
    def mechanism(self) -> str:
        return self.info.mechanism

    @property
    def doc(self) -> str:
        return self.info.meaning

    def contains(self, value: float) -> bool:
        """Whether `value` lies within the declared bounds."""
        return self.info.contains(value)


@dataclass(frozen=True)
class Posterior:
    """A weighted sample of the calibrated parameters (the particles of a calibration), and its file."""

    names: tuple[str, ...]
    particles: tuple[tuple[float, ...], ...]
    weights: tuple[float, ...]
    file: str
    sha256: str

    def __len__(self) -> int:
        return len(self.particles)


@dataclass(frozen=True)
class ParameterSet:
    """The value in force of every declared parameter, the file they came from, and (when the file
    names one) the posterior sample each replication draws the calibrated parameters from."""

    specs: Mapping[str, ParameterSpec]
    file: str
    posterior: Posterior | None = None
    overridden: frozenset[str] = frozenset()
    """Names set by an override: they hold in every draw from the posterior."""

    def source(self) -> dict[str, Any]:
        """What a run's parameters are, as plain data for summaries: a posterior sample each replication
        draws the calibrated parameters from (with any overridden names held fixed), or fixed values."""
        out: dict[str, Any] = {"source": "posterior" if self.posterior is not None else "fixed",
                               "file": display_path(self.file)}
        if self.posterior is not None:
            out.update(sample=display_path(self.posterior.file), particles=len(self.posterior),
                       drawn=[n for n in self.posterior.names if n not in self.overridden],
                       from_prior=len(self.from_prior()))
        if self.overridden:
            out["overridden"] = sorted(self.overridden)
        return out

    def fixed(self) -> ParameterSet:
        """The same values with no posterior: every replication uses the values in force."""
        return ParameterSet(self.specs, self.file, None, self.overridden)

    def from_prior(self) -> list[str]:
        """The parameters each draw takes from its prior: neither in the posterior, nor overridden, nor
        declared fixed (the uncalibrated ones, integrated over their priors in every predictive)."""
        if self.posterior is None:
            return []
        return [n for n, info in PARAMETERS.items()
                if n not in self.posterior.names and n not in self.overridden and not info.fixed]

    def draws(self) -> list[Parameters]:
        """One typed parameter object per particle of the posterior (overrides applied), or none. The
        parameters of `from_prior` keep their values in force here: each replication draws them from their
        priors itself, after its particle (`engine.Model.parameters_for`), so the predictive integrates them
        over as many draws as it has replications, as the calibration does (one draw per simulation)."""
        if self.posterior is None:
            return []
        base = self.values
        out = []
        for particle in self.posterior.particles:
            values = dict(base)
            values.update({n: v for n, v in zip(self.posterior.names, particle, strict=True)
                           if n not in self.overridden})
            out.append(Parameters(**values))
        return out

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
            specs[name] = ParameterSpec(spec.info, float(value))
        return ParameterSet(specs, self.file, self.posterior, self.overridden | frozenset(new))

    def as_parameters(self) -> Parameters:
        """The values as the typed object the model reads (`p.threat_weight`)."""
        return Parameters(**self.values)


def parameter_set(values: Mapping[str, float], file: str = "<values>") -> ParameterSet:
    """A `ParameterSet` from name → value for every declared parameter (names and bounds checked)."""
    missing = [n for n in PARAMETERS if n not in values]
    if missing:
        raise ScenarioError(f"missing parameters: {', '.join(missing)}", file=file)
    base = ParameterSet({n: ParameterSpec(info, 0.0) for n, info in PARAMETERS.items()}, file)
    return base.with_values(values)


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


def _found(value: Any) -> str:
    """A value from a file as a message quotes it: its kind, or a short escaped excerpt."""
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, str):
        return f"'{excerpt(value)}' (text{f' of {len(value):,} characters' if len(value) > 60 else ''})"
    return excerpt(repr(value))


def _number(node: MarkedDict, name: str, file: str) -> float:
    value = node.get(name)
    line, col = node.place(name)
    if isinstance(value, MarkedDict) and "value" in value:
        raise ScenarioError(f"a declaration in the old format (value, lower, upper, ...); a parameter file now "
                            f"holds values only, e.g. '{name}: {_found(value['value'])}' (what each parameter is, "
                            "is declared in sim/domain/parameters.py)", file=file, line=line, column=col,
                            field=f"parameters.{name}")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(f"expected a number, found {_found(value)}", file=file, line=line, column=col,
                            field=f"parameters.{name}")
    if not math.isfinite(value):
        raise ScenarioError(f"expected a finite number, found {value!r}", file=file, line=line, column=col,
                            field=f"parameters.{name}")
    return float(value)


def load_parameters(path: str | Path | None = None, *, posterior: bool = True) -> ParameterSet:
    """Read a parameter file: a value for every declared parameter, each within its bounds, and the
    posterior sample it names (``posterior: FILE.csv``, relative to it) unless `posterior` is False."""
    path = Path(path) if path is not None else DEFAULT_PARAMS_FILE
    doc = read_yaml(path)
    file = shown_path(path)
    if not isinstance(doc, MarkedDict) or "parameters" not in doc:
        raise ScenarioError("expected a mapping with a 'parameters' key", file=file, line=1, column=1)
    extra = set(doc) - {"parameters", "calibration", "posterior"}
    if extra:
        key = sorted(extra, key=str)[0]
        line, col = doc.place(key)
        raise ScenarioError(
            f"unknown key '{key}'; a parameter file has 'parameters' (and optionally 'posterior' and "
            "'calibration')", file=file, line=line, column=col,
        )
    table = doc["parameters"]
    if not isinstance(table, MarkedDict):
        line, col = doc.place("parameters")
        raise ScenarioError("expected a mapping of parameter names to values", file=file, line=line,
                            column=col, field="parameters")
    specs: dict[str, ParameterSpec] = {}
    for name in table:
        if name not in PARAMETERS:
            line, col = table.place(name)
            raise ScenarioError(f"unknown parameter '{excerpt(str(name))}'{did_you_mean(str(name), PARAMETERS)}",
                                file=file, line=line, column=col, field=f"parameters.{name}")
        spec = ParameterSpec(PARAMETERS[name], _number(table, name, file))
        check_in_bounds(spec, spec.value, field=f"parameters.{name}", file=file, place=table.place(name))
        specs[name] = spec
    missing = [n for n in PARAMETERS if n not in specs]
    if missing:
        line, col = doc.place("parameters")
        raise ScenarioError(f"missing parameters: {', '.join(missing)} (a parameter file gives every "
                            "declared parameter a value)", file=file, line=line, column=col, field="parameters")
    sample = None
    if posterior and doc.get("posterior") is not None:
        ref = doc["posterior"]
        line, col = doc.place("posterior")
        if not isinstance(ref, str) or not ref.endswith(".csv") or Path(ref).name != ref:
            raise ScenarioError("expected the name of a .csv file beside the parameter file", file=file,
                                line=line, column=col, field="posterior")
        sample = load_posterior(path.parent / ref)
    return ParameterSet({n: specs[n] for n in PARAMETERS}, file, sample)


MAX_PARTICLES = 100_000
"""Most particles a posterior file may hold."""
MAX_POSTERIOR_BYTES = 32 * 1024 * 1024
"""Largest posterior file read, in bytes (100,000 particles of a dozen parameters, with room to spare)."""
MAX_CSV_FIELD = 64
"""Longest field (a header name or a number) of a posterior file, in characters; names are at most
27 and a number written in full at most 24."""
MAX_WEIGHT = 1e15
"""Largest weight of one particle: far above any weight a calibration writes, and small enough that the
weights of `MAX_PARTICLES` particles add up without overflow."""


def _csv_rows(text: str, file: str) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) of each row of CSV `text`, read lazily; a line too long for a posterior row or a
    field longer than `MAX_CSV_FIELD` is refused before the csv module holds it."""
    longest = (len(PARAMETERS) + 2) * (MAX_CSV_FIELD + 1)

    def lines() -> Iterator[str]:
        for i, line in enumerate(io.StringIO(text, newline=""), start=1):
            if len(line) > longest and len(line.rstrip("\r\n")) > longest:
                raise ScenarioError(f"a line of {len(line.rstrip()):,} characters; a posterior row holds at most "
                                    f"{len(PARAMETERS) + 2} fields of {MAX_CSV_FIELD} characters", file=file, line=i)
            yield line

    reader = csv.reader(lines(), strict=True)
    try:
        for row in reader:
            for field in row:
                if len(field) > MAX_CSV_FIELD:
                    raise ScenarioError(f"a field of {len(field):,} characters ('{excerpt(field, 20)}'); "
                                        f"the limit is {MAX_CSV_FIELD}", file=file, line=reader.line_num)
            yield reader.line_num, row
    except csv.Error as exc:
        raise ScenarioError(f"not a CSV file ({excerpt(str(exc))})", file=file, line=reader.line_num) from None


def load_posterior(path: str | Path) -> Posterior:
    """Read a posterior sample: a CSV with a `weight` column and one column per calibrated parameter,
    each value within its declared bounds.

    Untrusted input: the file is opened as any untrusted file is (`files.read_bytes`, at most
    `MAX_POSTERIOR_BYTES`), every field and the number of particles are bounded, a column may
    appear once, every row has the header's fields, and the weights must be finite and add up to
    a finite positive total. A byte-order mark and blank lines at the end are accepted.
    """
    path = Path(path)
    file = shown_path(path)
    data = read_bytes(path, MAX_POSTERIOR_BYTES, what="posterior sample (a .csv file)", shown=file)
    rows = _csv_rows(decode_text(data, file, kind="CSV text").rstrip("\r\n"), file)  # blank lines at the end
    header = next((row for _, row in rows), [])
    if "weight" not in header:
        raise ScenarioError("expected a header with 'weight' and parameter names", file=file, line=1)
    seen: dict[str, int] = {}
    for j, name in enumerate(header, start=1):
        if name in seen:
            raise ScenarioError(f"column '{excerpt(name)}' appears twice (columns {seen[name]} and {j})",
                                file=file, line=1)
        seen[name] = j
    names = tuple(h for h in header if h not in ("weight", "particle"))
    for name in names:
        if name not in PARAMETERS:
            raise ScenarioError(f"unknown parameter '{excerpt(name)}'{did_you_mean(name, PARAMETERS)}",
                                file=file, line=1)
    w_at = header.index("weight")
    at = [header.index(n) for n in names]
    particles: list[tuple[float, ...]] = []
    weights: list[float] = []
    for i, row in rows:
        if not row:
            raise ScenarioError("a blank line inside the sample", file=file, line=i)
        if len(row) != len(header):
            raise ScenarioError(f"expected {len(header)} fields, as in the header, found {len(row)}",
                                file=file, line=i)
        if len(particles) == MAX_PARTICLES:
            raise ScenarioError(f"more than {MAX_PARTICLES:,} particles", file=file, line=i)
        try:
            w = float(row[w_at])
            values = tuple(float(row[j]) for j in at)
        except ValueError:
            raise ScenarioError("expected a number in every column", file=file, line=i) from None
        if not math.isfinite(w) or not 0 <= w <= MAX_WEIGHT:
            raise ScenarioError(f"expected a weight from 0 to {MAX_WEIGHT:.0e}, found {excerpt(row[w_at])}",
                                file=file, line=i)
        for name, v in zip(names, values, strict=True):
            info = PARAMETERS[name]
            if not math.isfinite(v) or not info.contains(v):
                raise ScenarioError(f"{name}: expected a value in [{info.lower:g}, {info.upper:g}], found {v:g}",
                                    file=file, line=i)
        particles.append(values)
        weights.append(w)
    total = math.fsum(weights)
    if not particles or not total > 0:
        raise ScenarioError("a posterior sample needs at least one particle of positive weight", file=file)
    return Posterior(names, tuple(particles), tuple(w / total for w in weights), file,
                     hashlib.sha256(data).hexdigest())


def parameters_to_yaml(params: ParameterSet, header: str = "", posterior: str | None = None) -> str:
    """Render a parameter set as a parameter file (used by calibration), grouped by mechanism; with
    `posterior`, the file names that sample (a CSV beside it) for replications to draw from."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    lines.append("# Values only: what each parameter means, its unit, bounds, prior and mechanism are")
    lines.append("# declared in sim/domain/parameters.py (and tabled in docs/model.md).")
    if posterior is not None:
        lines.append("# Each replication draws the calibrated parameters from the posterior sample below;")
        lines.append("# the values given for them here are its weighted medians (used with --params).")
        lines.append(f"posterior: {posterior}")
    lines.append("parameters:")
    mechanism = None
    for spec in params.specs.values():
        if spec.mechanism != mechanism:
            mechanism = spec.mechanism
            lines.append(f"  # {mechanism}")
        lines.append(f"  {spec.name}: {_fmt(spec.value)}")
    return "\n".join(lines) + "\n"


def _fmt(x: float) -> str:
    return repr(round(float(x), 6))


def display_path(path: str) -> str:
    """A parameter or sample file as a summary shows it: shipped files as ``scenarios/...`` (the same on
    every machine and install), others as messages show paths."""
    try:
        return "scenarios/" + Path(path).resolve().relative_to(SHIPPED_DIR.resolve()).as_posix()
    except ValueError:
        return shown_path(path)
