"""Saved experiments: reading back a sweep's ``sweep.json`` for ``rerun``, as untrusted input.

An experiment file is as untrusted as a scenario: it names a scenario file, a
list of ``--set`` overrides, a design, a seed and a number of runs, and ``rerun``
would run whatever it asks. So before anything runs, `read_saved_sweep` checks
that the file is a bounded JSON document (`files.read_json`), that every field
has its type and range, that the scenario it names is a scenario file in a
folder scenario files may come from, and that the whole experiment (points
times runs) stays within `MAX_WORK` replications. Any problem is one
`ScenarioError` line naming the file and the field.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import ScenarioError, excerpt, shown_path
from ..files import FieldCheck, FileRefused, kind_of, read_json, resolved
from ..scenario.loader import ALLOW_ENV, SCENARIO_SUFFIXES, allowed_roots
from .sweep import DESIGNS, MAX_POINTS, MAX_STEPS

MAX_EXPERIMENT_BYTES = 32 * 1024 * 1024
"""Largest experiment file read, in bytes (a sweep of `MAX_POINTS` points with a few outcomes)."""
MAX_EXPERIMENT_DEPTH = 16
"""Deepest nesting of an experiment file's JSON (a sweep writes 5 levels)."""
MAX_WORK = 10_000_000
"""Most replications one experiment may ask for: its points times its runs (the most one `run` may ask)."""
MAX_AXES = 64
"""Most swept paths in one experiment."""
MAX_SETS = 200
"""Most ``--set`` overrides an experiment may carry."""
MAX_SEED = 2**63 - 1
"""Largest root seed (numpy's SeedSequence takes any non-negative whole number; the CLI allows this many)."""


def _canonical(path: str) -> str:
    """The one spelling of a swept path: ``params.NAME`` and ``params.override.NAME`` are the same."""
    parts = path.split(".")
    if len(parts) == 3 and parts[:2] == ["params", "override"]:
        return f"params.{parts[2]}"
    return path


class _Check(FieldCheck):
    """Field checks of one experiment file, each failing with a line naming the file and field."""

    error = ScenarioError

    def whole(self, value: Any, field: str, low: int, high: int) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(field, f"expected a whole number, found {kind_of(value)}")
        if not low <= value <= high:
            raise self.fail(field, f"expected a whole number from {low:,} to {high:,}, found {excerpt(str(value), 30)}")
        return value

    def text(self, value: Any, field: str, limit: int = 1000) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, f"expected text, found {kind_of(value)}")
        if len(value) > limit:
            raise self.fail(field, f"text of {len(value):,} characters; the limit is {limit:,}")
        return value


def read_saved_sweep(path: str | Path) -> Mapping[str, Any]:
    """The saved sweep in `path` (a ``sweep.json`` written by ``sweep --out``), every field checked,
    or a `ScenarioError`. The scenario it names must end in .yaml or .yml and lie in the folder tree of
    the folder holding the experiment's folder (``sweep --out DIR`` writes DIR/sweep.json) or of the working
    folder, the shipped scenarios, or a folder in $DIPLOSIM_ALLOW.
    """
    path = Path(path)
    file = shown_path(path)
    check = _Check(file)
    saved = read_json(path, MAX_EXPERIMENT_BYTES, max_depth=MAX_EXPERIMENT_DEPTH,
                      what="saved experiment (a sweep.json file)", shown=file)
    if not isinstance(saved, dict):
        raise ScenarioError(f"not a saved experiment (sweep.json written by sweep --out): the file holds "
                            f"{kind_of(saved)}, not a mapping", file=file)
    for key in ("experiment", "axes", "runs", "seed", "design", "points"):
        if key not in saved:
            raise ScenarioError(f"not a saved experiment (sweep.json written by sweep --out): no '{key}'", file=file)
    spec = check.mapping(saved["experiment"], "experiment")
    command = spec.get("command")
    if command != "sweep":
        raise check.fail("experiment.command", f"rerun repeats sweeps; this is {kind_of(command)}")
    _check_scenario(check, spec.get("scenario"), path)
    sets = check.mapping(spec.get("set", {}), "experiment.set")
    if len(sets) > MAX_SETS:
        raise check.fail("experiment.set", f"{len(sets):,} overrides; the limit is {MAX_SETS}")
    for key, value in sets.items():
        check.text(key, "experiment.set", 200)
        if not isinstance(value, str) or len(value) > 1000:
            raise check.fail(f"experiment.set.{excerpt(key, 40)}", f"expected the text of a --set value of at most "
                                                                   f"1,000 characters, found {kind_of(value)}")
    sha = spec.get("scenario_sha256")
    if not isinstance(sha, str) or len(sha) != 64 or any(ch not in "0123456789abcdef" for ch in sha):
        raise check.fail("experiment.scenario_sha256", f"expected a sha256 (64 hex digits), found {kind_of(sha)}")
    design = saved["design"]
    if design not in DESIGNS:
        raise check.fail("design", f"expected one of {', '.join(DESIGNS)}, found {kind_of(design)}")
    runs = check.whole(saved["runs"], "runs", 1, MAX_WORK)
    check.whole(saved["seed"], "seed", 0, MAX_SEED)
    points = _check_axes(check, saved["axes"], design)
    if design != "factorial":
        points = check.whole(saved.get("samples"), "samples", 1, MAX_POINTS)
        if design == "sobol" and points & (points - 1):
            raise check.fail("samples", f"a Sobol design needs a power of two samples, found {points:,}")
    if points > MAX_POINTS:
        raise check.fail("axes", f"{float(points):.3g} points; the limit is {MAX_POINTS:,}")
    if points * runs > MAX_WORK:
        raise check.fail("runs", f"{points:,} points of {runs:,} runs is {points * runs:,} replications; "
                                 f"an experiment may ask for at most {MAX_WORK:,}")
    if not isinstance(saved["points"], list) or len(saved["points"]) != points:
        raise check.fail("points", f"expected the results of {points:,} points, found {kind_of(saved['points'])}"
                         + (f" of {len(saved['points']):,}" if isinstance(saved["points"], list) else ""))
    for i, point in enumerate(saved["points"]):
        if not isinstance(point, dict) or not {"values", "outcomes"} <= set(point):
            raise check.fail(f"points[{i}]", "expected a mapping with 'values' and 'outcomes'")
    return saved


def _check_scenario(check: _Check, scenario: Any, experiment: Path) -> None:
    name = check.text(scenario, "experiment.scenario", 4096)
    if Path(name).suffix.lower() not in SCENARIO_SUFFIXES:
        raise check.fail("experiment.scenario", f"'{excerpt(name)}' is not a scenario file (the name must end in "
                                                f"{' or '.join(SCENARIO_SUFFIXES)})")
    try:
        target = resolved(name)  # rerun loads it as given: relative to the working folder
    except FileRefused as exc:  # a loop of links, a NUL character in the name
        raise check.fail("experiment.scenario", f"'{excerpt(name)}': {exc.message}") from None
    # sweep --out DIR writes DIR/sweep.json: the folder that holds DIR is the experiment's project
    project = resolved(experiment, shown=check.file).parent.parent
    if not any(target.is_relative_to(root) for root in allowed_roots(experiment, [os.getcwd(), project])):
        raise check.fail("experiment.scenario", f"'{excerpt(name)}' is outside the folders an experiment may name "
                                                f"(the folder holding the experiment's folder, the working folder, "
                                                f"the shipped scenarios; allow another with ${ALLOW_ENV})")


def _check_axes(check: _Check, axes: Any, design: str) -> int:
    """Check the swept axes; return the number of points a factorial design has over them."""
    if not isinstance(axes, list) or not axes:
        raise check.fail("axes", f"expected a list of at least one swept path, found "
                                 f"{'an empty list' if axes == [] else kind_of(axes)}")
    if len(axes) > MAX_AXES:
        raise check.fail("axes", f"{len(axes):,} swept paths; the limit is {MAX_AXES}")
    seen: dict[str, str] = {}
    points = 1
    for i, axis in enumerate(axes):
        where = f"axes[{i}]"
        axis = check.mapping(axis, where)
        path = check.text(axis.get("path"), f"{where}.path", 200).strip()
        if _canonical(path) in seen:
            raise check.fail(f"{where}.path", f"'{excerpt(path)}' is swept twice (also as "
                                              f"'{excerpt(seen[_canonical(path)])}')")
        seen[_canonical(path)] = path
        lo, hi = check.number(axis.get("lo"), f"{where}.lo"), check.number(axis.get("hi"), f"{where}.hi")
        if lo > hi:
            raise check.fail(f"{where}.lo", f"expected lo <= hi, found {lo:g} > {hi:g}")
        if design == "factorial":
            values = axis.get("values")
            if not isinstance(values, list) or not 1 <= len(values) <= MAX_STEPS:
                raise check.fail(f"{where}.values",
                                 f"expected a list of 1 to {MAX_STEPS} values, found {kind_of(values)}")
            for j, value in enumerate(values):
                check.number(value, f"{where}.values[{j}]")
            points *= len(values)
    return points
