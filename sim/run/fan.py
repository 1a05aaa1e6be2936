"""Fan-chart data without keeping trajectories: a streaming, mergeable reducer.

Each replication is reduced, as it finishes, to the value of every state
variable on a fixed grid of days. Those values go into a fixed histogram per
(variable, grid day), with bins over the variable's declared range, and the
replication's change log can then be dropped. Quantiles (median, 25/75%,
5/95%) are read from the histograms, so memory does not grow with the number
of replications, and two reducers (say, from two worker processes) merge by
adding their counts.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ..domain.variables import STATE_NAMES, VARIABLES, Change
from ..model.engine import Model, ReplicationResult
from .ensemble import Ensemble, Progress, run_one

DEFAULT_BINS = 200
"""Histogram bins per variable: quantiles are exact to 1/200 of the range."""
MAX_GRID_POINTS = 240
"""Most grid days: enough for a smooth fan over several years, small in memory."""
FAN_QUANTILES = (0.05, 0.25, 0.5, 0.75, 0.95)
"""The quantiles a fan chart draws: 90% band, 50% band and median."""


def fan_grid(days: float, max_points: int = MAX_GRID_POINTS) -> list[float]:
    """Grid times (days since the start): whole days, evenly spaced, first and last day included."""
    last = max(0, math.ceil(days) - 1)
    step = max(1, math.ceil((last + 1) / max_points))
    grid = list(range(0, last + 1, step))
    if grid[-1] != last:
        grid.append(last)
    return [float(t) for t in grid]


class FanReducer:
    """Histograms of each state variable on a day grid, filled one replication at a time."""

    def __init__(self, grid: Sequence[float], half_lives: Mapping[str, float],
                 variables: Sequence[str] = STATE_NAMES, bins: int = DEFAULT_BINS) -> None:
        self.grid = np.asarray(grid, dtype=float)
        self.variables = tuple(variables)
        self.half_lives = {name: float(half_lives[name]) for name in self.variables}
        self.bins = int(bins)
        self.lower = np.array([VARIABLES[v].lower for v in self.variables])
        self.upper = np.array([VARIABLES[v].upper for v in self.variables])
        shape = (len(self.variables), len(self.grid))
        self.counts = np.zeros((*shape, self.bins), dtype=np.int64)
        # Exact extremes per cell: a variable that never moves gets its exact
        # value as every quantile, not the middle of its bin.
        self.low = np.full(shape, np.inf)
        self.high = np.full(shape, -np.inf)
        self.runs = 0

    @classmethod
    def for_model(cls, model: Model, bins: int = DEFAULT_BINS) -> FanReducer:
        """A reducer over the scenario's whole window."""
        return cls(fan_grid(model.horizon), model.half_lives, STATE_NAMES, bins)

    @property
    def bin_width(self) -> np.ndarray:
        """Width of one bin, per variable."""
        return (self.upper - self.lower) / self.bins

    def add(self, result: ReplicationResult) -> None:
        """Add one replication (run with ``record_changes=True``)."""
        if result.changes is None:
            raise ValueError("the replication was run without record_changes=True; no trajectory to add")
        self.add_values(self.grid_values(result.changes, result.half_lives))

    def grid_values(self, changes: Sequence[Change], half_lives: Mapping[str, float] | None = None) -> np.ndarray:
        """values[variable, grid point] from a change log: `world.trajectory`, vectorised (with the
        replication's own `half_lives`, default the reducer's)."""
        half = self.half_lives if half_lives is None else half_lives
        out = np.empty((len(self.variables), len(self.grid)))
        for i, name in enumerate(self.variables):
            own = np.array([(t, v, b) for t, n, v, b in changes if n == name])
            j = np.maximum(np.searchsorted(own[:, 0], self.grid, side="right") - 1, 0)
            t0, v0, b0 = own[j, 0], own[j, 1], own[j, 2]
            elapsed = np.maximum(self.grid - t0, 0.0)
            out[i] = b0 + (v0 - b0) * 0.5 ** (elapsed / half[name])
        return out

    def add_values(self, values: np.ndarray) -> None:
        """Add one replication given as values[variable, grid point]."""
        width = self.bin_width[:, None]
        idx = np.floor((values - self.lower[:, None]) / width).astype(np.int64)
        np.clip(idx, 0, self.bins - 1, out=idx)
        v_idx, g_idx = np.indices(idx.shape)
        # Each (variable, grid point) receives exactly one value per replication,
        # so the fancy-indexed increment never repeats an index.
        self.counts[v_idx, g_idx, idx] += 1
        np.minimum(self.low, values, out=self.low)
        np.maximum(self.high, values, out=self.high)
        self.runs += 1

    def merge(self, other: FanReducer) -> FanReducer:
        """Add another reducer's counts (same grid, variables and bins) into this one."""
        if (self.variables != other.variables or self.bins != other.bins
                or not np.array_equal(self.grid, other.grid)):
            raise ValueError("cannot merge fan reducers with different grids, variables or bins")
        self.counts += other.counts
        np.minimum(self.low, other.low, out=self.low)
        np.maximum(self.high, other.high, out=self.high)
        self.runs += other.runs
        return self

    def quantile(self, q: float) -> np.ndarray:
        """The q-quantile of every variable at every grid point, shape (variables, grid).

        Interpolated linearly inside the bin that holds it, so it lies within
        one bin width of the sample quantile when the sample is dense there,
        and never outside the smallest and largest value seen.
        """
        if self.runs == 0:
            raise ValueError("no replications added")
        cum = np.cumsum(self.counts, axis=-1)
        target = q * self.runs
        # First bin whose cumulative count reaches the target (at least one value).
        k = np.argmax(cum >= max(target, 1e-12), axis=-1)
        before = np.take_along_axis(cum, k[..., None], axis=-1)[..., 0] - \
            np.take_along_axis(self.counts, k[..., None], axis=-1)[..., 0]
        inside = np.take_along_axis(self.counts, k[..., None], axis=-1)[..., 0]
        frac = np.clip((target - before) / np.maximum(inside, 1), 0.0, 1.0)
        estimate = self.lower[:, None] + (k + frac) * self.bin_width[:, None]
        return np.clip(estimate, self.low, self.high)

    def to_dict(self, model: Model) -> dict[str, Any]:
        """The fan chart's plain data: dates, and quantiles per variable (the format of fan.json)."""
        qs = {q: self.quantile(q) for q in FAN_QUANTILES}
        variables: dict[str, Any] = {}
        for i, name in enumerate(self.variables):
            spec = VARIABLES[name]
            variables[name] = {
                "unit": spec.unit, "meaning": spec.meaning, "lower": spec.lower, "upper": spec.upper,
                "quantiles": {f"{round(q * 100)}": [round(float(x), 6) for x in qs[q][i]] for q in FAN_QUANTILES},
            }
        return {
            "runs": self.runs,
            "bins": self.bins,
            "dates": [model.date(t).isoformat() for t in self.grid],
            "order": list(self.variables),
            "variables": variables,
        }


FAN_RUNS = 2000
"""Replications whose trajectories make a fan chart: enough for stable 5-95% bands."""


def _fan_part(args: tuple[Model, int, int, int]) -> FanReducer:
    model, seed, lo, hi = args
    fan = FanReducer.for_model(model)
    for i in range(lo, hi):
        result = run_one(model, seed, i, record_changes=True)
        if result.error is None:  # a replication that raised has no trajectory
            fan.add(result)
    return fan


def fan_for(model: Model, seed: int, runs: int, workers: int | None = 1) -> FanReducer:
    """The fan-chart histograms of replications 0..runs-1 (rerun with the same seeds).

    Replications are deterministic given their seed, so this reduces exactly the
    trajectories of the ensemble's first `runs` replications, in bounded memory.
    With several `workers` (None: all cores) each reduces a block of them and
    the histograms are merged (counts add, so the result is the same).
    """
    from .parallel import _context, default_workers, quiet_worker

    workers = default_workers() if workers is None else max(1, workers)
    if workers == 1 or runs < 200:
        return _fan_part((model, seed, 0, runs))
    step = -(-runs // workers)
    parts = [(model, seed, lo, min(runs, lo + step)) for lo in range(0, runs, step)]
    with _context().Pool(len(parts), initializer=quiet_worker) as pool:
        reducers = pool.map(_fan_part, parts)
    fan = reducers[0]
    for other in reducers[1:]:
        fan = fan.merge(other)
    return fan


def run_with_fan(model: Model, runs: int, seed: int, *, progress: Progress | None = None,
                 every: int = 250) -> tuple[Ensemble, FanReducer]:
    """Run an ensemble and reduce its trajectories on the fly.

    Same results as `run_ensemble` (recording changes draws nothing); each
    replication's change log is dropped once it is in the histograms.
    """
    fan = FanReducer.for_model(model)
    results: list[ReplicationResult] = []
    for i in range(runs):
        r = run_one(model, seed, i, record_changes=True)
        fan.add(r)
        r.changes = None
        results.append(r)
        if progress is not None and ((i + 1) % every == 0 or i + 1 == runs):
            progress(i + 1, runs)
    return Ensemble(model, seed, results), fan
