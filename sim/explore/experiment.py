"""The one experiment loop: points in, each point's replications out.

Every exploring command is a sampler plus an analysis around this loop. The
sampler yields the points (compiled models: the variants of a comparison, the
design of a sweep, the samples of a sensitivity analysis or of scenario
discovery, the episodes of validation, the candidates of calibration); the loop
runs each with the same root seed through the evaluator (`run.evaluator`,
opened once by the caller) and reports progress; the analysis reads the
results.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from ..model.engine import Model, ReplicationResult

Runner = Callable[[Model, int, int], list[ReplicationResult]]
"""runner(model, runs, seed) -> replications 0..runs-1 of `model` under root seed `seed` (an Evaluator)."""
Progress = Callable[[int, int], None]
"""progress(points done, points in all)."""


def run_points(models: Iterable[Model], runs: int, seed: int, runner: Runner,
               progress: Progress | None = None, total: int | None = None) -> Iterator[list[ReplicationResult]]:
    """Each point's replications, in the order of `models` (which may be built lazily).

    `total` is the number of points, for progress (default: len(models) where it has one).
    """
    if total is None and hasattr(models, "__len__"):
        total = len(models)  # type: ignore[arg-type]
    for i, model in enumerate(models):
        yield runner(model, runs, seed)
        if progress is not None:
            progress(i + 1, total or i + 1)
