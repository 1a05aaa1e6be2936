"""The exploring commands for notebooks: compare and sweep as functions returning tables.

Each returns a `Table`: `.summary()` is the report the command line prints as
JSON, `.rows()` its table as plain dicts (what `--out` writes as CSV), and
`.to_frame()` the same rows as a pandas DataFrame (the `frame` extra). One
evaluator runs every point; scenarios can be given as file paths or as loaded
`Scenario` objects.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..files import to_frame
from ..model.engine import Model, compile_scenario
from ..run.ensemble import check_runs_and_seed
from ..run.evaluator import Evaluator
from ..scenario.loader import Scenario, load_scenario
from .compare import compare as compare_models
from .sweep import make_axis, sweep_rows
from .sweep import sweep as sweep_models


@dataclass(frozen=True)
class Table:
    """An experiment's report and its rows."""

    report: dict[str, Any]
    table: list[dict[str, Any]]

    def summary(self) -> dict[str, Any]:
        """The JSON-able report (as `--json` prints it)."""
        return self.report

    def rows(self) -> list[dict[str, Any]]:
        """One plain dict per row."""
        return self.table

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame (needs the `frame` extra)."""
        return to_frame(self.table)


def _scenario(item: str | Path | Scenario, sets: Mapping[str, Any] | None) -> Scenario:
    """A scenario file loaded with `sets` applied as ``--set`` applies them, or a loaded Scenario with
    its parameters set (`with_parameters`)."""
    if isinstance(item, Scenario):
        return with_parameters(item, sets or {})
    return load_scenario(item, {k: str(v) for k, v in (sets or {}).items()})


def with_parameters(sc: Scenario, sets: Mapping[str, Any]) -> Scenario:
    """A loaded scenario with ``params.NAME`` values set (names and bounds checked as ``--set`` checks them).

    Other paths change the file's document, which a loaded Scenario no longer has: they need the file.
    """
    values: dict[str, float] = {}
    for path, value in sets.items():
        name = path[len("params."):] if path.startswith("params.") else ""
        if not name or "." in name:
            raise ValueError(f"'{path}': a loaded Scenario takes only params.NAME values; "
                             "pass the scenario's file to set other paths")
        try:
            values[name] = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"'{path}': expected a number, found {value!r}") from None
    return dataclasses.replace(sc, params=sc.params.with_values(values)) if values else sc


def _check(runs: int, seed: int, workers: int | None) -> None:
    check_runs_and_seed(runs, seed)
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1 (or None for all cores), found {workers}")


def compare(*scenarios: str | Scenario, runs: int = 1000, seed: int = 0, workers: int | None = None,
            set: Mapping[str, Any] | None = None) -> Table:  # noqa: A002 - the command line's --set
    """Scenarios side by side under common random numbers, with paired differences from the first.

    Rows: one per scenario and outcome, with p, its interval and (after the first) the
    paired difference and its interval.
    """
    _check(runs, seed, workers)
    models = [compile_scenario(_scenario(s, set)) for s in scenarios]
    with Evaluator(workers) as evaluate:
        report = compare_models(models, runs, seed, evaluate)
    rows = []
    for sc in report["scenarios"]:
        for name in report["outcomes"]:
            o = sc["outcomes"][name]
            row = {"scenario": sc["label"], "outcome": name, "p": o["p"], "lo": o["ci"][0], "hi": o["ci"][1]}
            if "difference" in sc:
                d = sc["difference"]["outcomes"][name]
                row |= {"diff": d["diff"], "diff_lo": d["ci"][0], "diff_hi": d["ci"][1]}
            rows.append(row)
    return Table(report, rows)


def sweep(scenario: str | Path | Scenario, params: Mapping[str, Sequence[float]], *, design: str = "factorial",
          samples: int | None = None, runs: int = 300, seed: int = 0, workers: int | None = None,
          set: Mapping[str, Any] | None = None) -> Table:  # noqa: A002 - the command line's --set
    """Outcome probabilities over a design of points.

    `params` maps a scenario path (``params.NAME`` or any ``--set`` path) to
    ``(lo, hi, steps)`` for a factorial design or ``(lo, hi)`` for ``lhs`` and
    ``sobol`` (with `samples` points). Rows: one per point, the values then each
    outcome's p and interval. `scenario` is a file or, as in `compare`, a loaded
    Scenario (which can sweep and `set` only ``params.NAME`` paths).
    """
    _check(runs, seed, workers)
    axes = [make_axis(path, float(spec[0]), float(spec[1]), int(spec[2]) if design == "factorial" else 1)
            for path, spec in params.items()]
    sets = dict(set or {})

    def build(values: Mapping[str, float]) -> Model:
        return compile_scenario(_scenario(scenario, {**sets, **values}))

    with Evaluator(workers) as evaluate:
        report = sweep_models(build, axes, runs, seed, evaluate, design=design, samples=samples)
    return Table(report, sweep_rows(report))
