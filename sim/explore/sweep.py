"""Parameter sweeps: outcome probabilities over a grid of one or two values.

Like NetLogo's BehaviorSpace: each axis is a scenario path (``params.NAME`` or
any path ``--set`` accepts) with a low value, a high value and a number of
steps; every grid point is the scenario with those values set, validated like
the file itself (so values outside a parameter's declared bounds are refused),
and run with the same root seed (common random numbers make neighbouring
points differ by the change, so curves are smooth rather than jagged).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ScenarioError
from ..model.engine import Model
from .compare import Runner, distribution, outcome_names, render_table

MAX_STEPS = 1000
"""Most values on one axis."""


@dataclass(frozen=True)
class Axis:
    """One swept value: a scenario path and the values it takes."""

    path: str
    values: tuple[float, ...]


def parse_axis(text: str) -> Axis:
    """``PATH=LO:HI:STEPS`` -> an `Axis` of STEPS evenly spaced values from LO to HI."""
    if "=" not in text:
        raise ScenarioError(f"expected PATH=LO:HI:STEPS, found '{text}'", file="--param")
    path, spec = text.split("=", 1)
    path = path.strip()
    parts = spec.split(":")
    if not path or len(parts) != 3:
        raise ScenarioError(f"expected PATH=LO:HI:STEPS, found '{text}'", file="--param", field=path or None)
    try:
        lo, hi = float(parts[0]), float(parts[1])
        steps = int(parts[2])
    except ValueError:
        raise ScenarioError(f"expected numbers LO:HI and a whole number of STEPS, found '{spec}'",
                            file="--param", field=path) from None
    if not (np.isfinite(lo) and np.isfinite(hi)) or hi < lo:
        raise ScenarioError(f"expected finite LO <= HI, found {lo:g}:{hi:g}", file="--param", field=path)
    if not 1 <= steps <= MAX_STEPS:
        raise ScenarioError(f"expected 1 to {MAX_STEPS} steps, found {steps}", file="--param", field=path)
    values = np.linspace(lo, hi, steps) if steps > 1 else np.array([lo])
    return Axis(path, tuple(round(float(v), 12) for v in values))


def sweep(build: Callable[[Mapping[str, float]], Model], axes: Sequence[Axis], runs: int, seed: int,
          runner: Runner, progress: Callable[[int, int], None] | None = None) -> dict[str, Any]:
    """Run every grid point; `build(values)` gives the model with path -> value set."""
    if not 1 <= len(axes) <= 2:
        raise ValueError("a sweep has one or two axes")
    if len({a.path for a in axes}) != len(axes):
        raise ScenarioError("the same path is swept twice", file="--param", field=axes[0].path)
    grid = list(itertools.product(*(a.values for a in axes)))
    models = [build(dict(zip((a.path for a in axes), point, strict=True))) for point in grid]
    results = []
    for i, model in enumerate(models):
        results.append(runner(model, runs, seed))
        if progress is not None:
            progress(i + 1, len(models))
    names = outcome_names(models[:1], results)
    points = [{"values": dict(zip((a.path for a in axes), point, strict=True)),
               "outcomes": distribution(rs, names)} for point, rs in zip(grid, results, strict=True)]
    return {"scenario": models[0].scenario.name, "file": models[0].scenario.path, "runs": runs,
            "seed": seed, "axes": [{"path": a.path, "values": list(a.values)} for a in axes],
            "outcomes": names, "points": points}


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
