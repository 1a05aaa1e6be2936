"""The one experiment loop's evaluator: runs points, opened once and reused for all of them.

An experiment (a comparison, a sweep, a sensitivity analysis, scenario
discovery, "what mattered", validation, calibration) is many *points*: a model
and how many replications of it to run under one root seed. An `Evaluator`
runs each point here (serially), in a pool of processes, or on a Dask cluster,
and returns the point's replications in order. The pool (or the cluster client)
is opened on the first point that needs it and kept until the evaluator is
closed, so an experiment of a hundred points pays for one pool, not a hundred.
Points below `serial_below` replications run here: handing them out costs more
than it saves (bench/evaluator.py measures it).

Replication i of a point draws from ``replication_rng(seed, i)`` wherever it
runs, so an evaluator never changes results, only where they are computed.
"""

from __future__ import annotations

import itertools
import pickle
from collections.abc import Iterator, Sequence
from typing import Any

from ..model.engine import Model, ReplicationResult
from .parallel import Packed, _context, chunk_size, chunks_of, default_workers, quiet_worker, run_chunk, unpack

SERIAL_BELOW = 64
"""Replications per point below which a point runs in this process (bench/evaluator.py)."""

_worker_models: dict[int, Model] = {}
"""A pool worker's models, by the token of the point that sent them (the last few only)."""


def _eval_task(args: tuple[int, bytes, int, list[int]]) -> list[Packed]:
    token, blob, seed, indices = args
    model = _worker_models.get(token)
    if model is None:
        if len(_worker_models) >= 4:  # points come one after another: keep memory flat
            _worker_models.clear()
        model = _worker_models[token] = pickle.loads(blob)
    return run_chunk(model, seed, indices)


class Evaluator:
    """Runs points `(model, runs, seed)`: call it like a runner, use it as a context manager.

    `workers`: processes on this machine (default: all cores; 1 runs everything
    here); `scheduler`: a Dask scheduler's address instead.
    """

    def __init__(self, workers: int | None = None, scheduler: str | None = None,
                 serial_below: int = SERIAL_BELOW) -> None:
        self.workers = workers if workers is not None else default_workers()
        self.scheduler = scheduler
        self.serial_below = serial_below
        self._pool: Any = None
        self._client: Any = None
        self._tokens = itertools.count()
        self.pools_opened = 0
        """How many process pools this evaluator has opened (one at most, however many points)."""
        self.points = 0
        """Points run so far."""

    def __enter__(self) -> Evaluator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """End the pool's workers and the cluster client, if any were opened."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        if self._client is not None:
            self._client.close()
            self._client = None

    def __call__(self, model: Model, runs: int, seed: int) -> list[ReplicationResult]:
        """Replications 0..runs-1 of `model` under root seed `seed`, in order."""
        self.points += 1
        indices = list(range(runs))
        if self.scheduler is None and (self.workers <= 1 or runs < self.serial_below):
            return [unpack(p) for p in run_chunk(model, seed, indices)]
        chunks = chunks_of(indices, chunk_size(runs, self.workers))
        done: dict[int, ReplicationResult] = {}
        for batch in self._batches(model, seed, chunks):
            for packed in batch:
                result = unpack(packed)
                done[result.index] = result
        return [done[i] for i in indices]

    def _batches(self, model: Model, seed: int, chunks: Sequence[list[int]]) -> Iterator[list[Packed]]:
        if self.scheduler is not None:
            from .dask_backend import dask_client, dask_run

            if self._client is None:
                self._client = dask_client(self.scheduler)
            yield from dask_run(self._client, model, seed, chunks)
            return
        if self._pool is None:
            self._pool = _context().Pool(self.workers, initializer=quiet_worker)
            self.pools_opened += 1
        token, blob = next(self._tokens), pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
        yield from self._pool.imap_unordered(_eval_task, [(token, blob, seed, c) for c in chunks])
