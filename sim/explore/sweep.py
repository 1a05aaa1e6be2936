"""Parameter sweeps: outcome probabilities over a design of points in parameter space.

Like NetLogo's BehaviorSpace and the EMA Workbench's samplers: each swept value
is a scenario path (``params.NAME`` or any path ``--set`` accepts) with a low
and a high value. A *design* places the points:

- ``factorial``: every combination of evenly spaced steps on each axis
  (``PATH=LO:HI:STEPS``), the classic grid;
- ``lhs``: a Latin hypercube of ``samples`` points (each axis cut into that
  many strata, each stratum used once);
- ``sobol``: ``samples`` points (a power of two) of a scrambled Sobol sequence,
  which fills the space more evenly than random points.

Any number of paths can be swept. Every point is the scenario with those values
set, validated like the file itself (values outside a parameter's declared
bounds are refused), and run under the same root seed (common random numbers
make neighbouring points differ by the change, not by luck). The report records
the design, its seed and every point's values and results: `experiment_spec`
and `rerun` make it again, to the identical result.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ScenarioError
from ..model.engine import Model
from .compare import distribution, outcome_names, render_table
from .experiment import Runner, run_points

MAX_STEPS = 1000
"""Most values on one axis."""
MAX_POINTS = 100_000
"""Most points in one design."""
DESIGNS = ("factorial", "lhs", "sobol")


@dataclass(frozen=True)
class Axis:
    """One swept path: its range and, for a factorial design, the values it takes."""

    path: str
    values: tuple[float, ...]
    lo: float = 0.0
    hi: float = 0.0


def parse_axis(text: str, design: str = "factorial") -> Axis:
    """``PATH=LO:HI:STEPS`` (factorial) or ``PATH=LO:HI`` (lhs, sobol) -> an `Axis`."""
    form = "PATH=LO:HI:STEPS" if design == "factorial" else "PATH=LO:HI"
    if "=" not in text:
        raise ScenarioError(f"expected {form}, found '{text}'", file="--param")
    path, spec = text.split("=", 1)
    path = path.strip()
    parts = spec.split(":")
    if not path or len(parts) != (3 if design == "factorial" else 2):
        raise ScenarioError(f"expected {form} for a {design} design, found '{text}'", file="--param",
                            field=path or None)
    try:
        lo, hi = float(parts[0]), float(parts[1])
        steps = int(parts[2]) if design == "factorial" else 1
    except ValueError:
        raise ScenarioError(f"expected numbers LO:HI and a whole number of STEPS, found '{spec}'",
                            file="--param", field=path) from None
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi < lo:
        raise ScenarioError(f"expected finite LO <= HI, found {lo:g}:{hi:g}", file="--param", field=path)
    if not 1 <= steps <= MAX_STEPS:
        raise ScenarioError(f"expected 1 to {MAX_STEPS} steps, found {steps}", file="--param", field=path)
    return make_axis(path, lo, hi, steps)


def make_axis(path: str, lo: float, hi: float, steps: int = 1) -> Axis:
    """An `Axis` from LO to HI with STEPS evenly spaced values (used by factorial designs)."""
    values = np.linspace(lo, hi, steps) if steps > 1 else np.array([lo])
    return Axis(path, tuple(round(float(v), 12) for v in values), lo, hi)


def design_points(design: str, axes: Sequence[Axis], samples: int | None, seed: int) -> list[dict[str, float]]:
    """The points of `design` over `axes`: path -> value for each point, in a fixed order.

    Random designs draw from their own generator seeded by `seed`, so a design is
    the same every time for the same seed.
    """
    if design not in DESIGNS:
        raise ScenarioError(f"unknown design '{design}'; expected one of {', '.join(DESIGNS)}", file="--design")
    if len({a.path for a in axes}) != len(axes):
        raise ScenarioError("the same path is swept twice", file="--param", field=axes[0].path)
    paths = [a.path for a in axes]
    if design == "factorial":
        grid = list(itertools.product(*(a.values for a in axes)))
        if len(grid) > MAX_POINTS:
            raise ScenarioError(f"{len(grid)} grid points; the limit is {MAX_POINTS}", file="--param")
        return [dict(zip(paths, point, strict=True)) for point in grid]
    if samples is None or not 1 <= samples <= MAX_POINTS:
        raise ScenarioError(f"a {design} design needs --samples from 1 to {MAX_POINTS}", file="--samples")
    from scipy.stats import qmc

    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(7,)))  # apart from replication seeds
    if design == "sobol":
        if samples & (samples - 1):
            raise ScenarioError(f"a Sobol design needs a power of two samples (e.g. {1 << samples.bit_length()}), "
                                f"found {samples}", file="--samples")
        unit = qmc.Sobol(len(axes), scramble=True, seed=rng).random(samples)
    else:
        unit = qmc.LatinHypercube(len(axes), seed=rng).random(samples)
    lo = np.array([a.lo for a in axes])
    hi = np.array([a.hi for a in axes])
    scaled = lo + unit * (hi - lo)
    return [{p: round(float(v), 12) for p, v in zip(paths, row, strict=True)} for row in scaled]


def sweep(build: Callable[[Mapping[str, float]], Model], axes: Sequence[Axis], runs: int, seed: int,
          runner: Runner, progress: Callable[[int, int], None] | None = None, *,
          design: str = "factorial", samples: int | None = None) -> dict[str, Any]:
    """Run every point of `design` over `axes`; `build(values)` gives the model with path -> value set."""
    if not axes:
        raise ValueError("a sweep has at least one axis")
    values = design_points(design, axes, samples, seed)
    models = [build(v) for v in values]  # every point is validated before any runs
    results = list(run_points(models, runs, seed, runner, progress))
    names = outcome_names(models[:1], results)
    points = [{"values": v, "outcomes": distribution(rs, names)} for v, rs in zip(values, results, strict=True)]
    return {"scenario": models[0].scenario.name, "file": models[0].scenario.path, "runs": runs, "seed": seed,
            "design": design, "samples": samples if design != "factorial" else len(values),
            "axes": [{"path": a.path, "lo": a.lo, "hi": a.hi,
                      **({"values": list(a.values)} if design == "factorial" else {})} for a in axes],
            "outcomes": names, "points": points}


def axes_of(report: Mapping[str, Any]) -> list[Axis]:
    """The axes a sweep report (or a saved experiment) was run over."""
    return [Axis(a["path"], tuple(a.get("values", ())), a["lo"], a["hi"]) for a in report["axes"]]


def sweep_rows(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One flat row per grid point: the swept values, then p, lower and upper of each outcome."""
    rows = []
    for point in report["points"]:
        row: dict[str, Any] = dict(point["values"])
        for name in report["outcomes"]:
            o = point["outcomes"][name]
            row[f"{name}_p"] = o["p"]
            row[f"{name}_lo"] = o["ci"][0]
            row[f"{name}_hi"] = o["ci"][1]
        rows.append(row)
    return rows


def sweep_text(report: Mapping[str, Any], markdown: bool = False) -> str:
    """The sweep as a table: one row per grid point, each outcome's percent with its interval."""
    paths = [a["path"] for a in report["axes"]]
    names = report["outcomes"]
    header = [*paths, *[f"{n} % [95%]" for n in names]]
    rows = []
    for point in report["points"]:
        cells = [f"{point['values'][p]:g}" for p in paths]
        for n in names:
            o = point["outcomes"][n]
            cells.append(f"{100 * o['p']:.1f} [{100 * o['ci'][0]:.1f}, {100 * o['ci'][1]:.1f}]")
        rows.append(cells)
    head = (f"{report['scenario']}: sweep of {' x '.join(paths)} ({report['runs']} runs per point, "
            f"root seed {report['seed']})")
    return "\n".join([head, "", *render_table(header, rows, markdown)])
