"""Ensembles in parallel: a pool of processes (or a Dask cluster), in chunks.

Replication i always draws from ``replication_rng(seed, i)``, so its result is
the same whatever the number of workers, the chunking or the machine: workers
only change *where* a replication runs, never what it draws.

Each worker receives the compiled `Model` once (the pool initializer), then
only (seed, indices) per chunk, and sends back each replication packed as a
plain tuple. Chunks finish in any order; the main process writes each to the
run store as it arrives (so an interruption loses at most the chunks in
flight) and puts the results in replication order at the end.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..model.engine import Model, ReplicationResult
from .ensemble import Ensemble, Progress, run_one

if TYPE_CHECKING:
    from .store import RunStore

Packed = tuple[Any, ...]
"""A replication result as a plain tuple (cheap to pickle and to store as JSON)."""


def pack(r: ReplicationResult) -> Packed:
    """A `ReplicationResult` as a plain tuple (no story, no change log)."""
    return (r.index, r.outcome, r.outcome_t, r.stage_t, r.final, r.polls, r.events,
            r.transitions, r.moves, r.draw, r.error)


def unpack(p: Sequence[Any]) -> ReplicationResult:
    """The inverse of `pack` (also accepts the lists JSON gives back)."""
    index, outcome, outcome_t, stage_t, final, polls, events, transitions, moves, draw, error = p
    return ReplicationResult(
        index=index, outcome=outcome, outcome_t=outcome_t, stage_t=dict(stage_t), final=dict(final),
        polls=list(polls), events=events, transitions=[tuple(tr) for tr in transitions],
        moves=[(float(t), str(role), str(kind)) for t, role, kind in moves], draw=draw, error=error,
    )


def run_chunk(model: Model, seed: int, indices: Sequence[int]) -> list[Packed]:
    """Run replications `indices` of `model` here, packed, in order."""
    return [pack(run_one(model, seed, i)) for i in indices]


def default_workers() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def chunk_size(runs: int, workers: int) -> int:
    """Replications per chunk: enough chunks to balance the workers and show
    progress, big enough that the per-chunk cost (a pickle each way) is small."""
    return max(1, min(500, math.ceil(runs / (workers * 16))))


def chunks_of(indices: Sequence[int], size: int) -> list[list[int]]:
    """`indices` cut into consecutive lists of at most `size`."""
    return [list(indices[i:i + size]) for i in range(0, len(indices), size)]


# -- the local process pool -------------------------------------------------------

_worker_model: Model | None = None


def quiet_worker() -> None:
    """Pool initializer: leave Ctrl-C to the main process, which ends the pool itself
    (a worker that died of the same SIGINT would only add a traceback per worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


POOL_END_SECONDS = 10.0
"""How long ending a pool may take before its processes are killed instead (`end_pool`)."""


def end_pool(pool: Any, timeout: float = POOL_END_SECONDS) -> None:
    """End `pool`'s processes and wait for them (`Pool.terminate` and `join`), but never hang.

    `Pool.terminate` first takes the lock of the pool's task queue, which an idle worker holds while it
    waits for a task; a worker killed from outside while waiting (a SIGTERM sent to the whole process group,
    as a service manager or a terminal's job control sends it) never gives the lock back, and `terminate`
    then waits forever. After `timeout` seconds this kills the pool's remaining worker processes instead
    (only its own: another pool or process this one started is left alone) and returns; the stuck ending is
    left to a daemon thread, and the pool's finalizer does not run again at exit.
    """
    def finish() -> None:
        pool.terminate()
        pool.join()

    ender = threading.Thread(target=finish, name="pool-end", daemon=True)
    ender.start()
    ender.join(timeout)
    if ender.is_alive():
        # `Pool` keeps its worker processes in `_pool`, the one handle on them it has (no public accessor)
        workers = list(getattr(pool, "_pool", ()))
        for worker in workers:
            worker.kill()
        for worker in workers:
            worker.join(timeout)


def _init_worker(model: Model) -> None:
    """Pool initializer: keep the model; leave Ctrl-C to the main process."""
    global _worker_model
    _worker_model = model
    quiet_worker()


def _pool_task(args: tuple[int, list[int]]) -> list[Packed]:
    seed, indices = args
    assert _worker_model is not None, "worker not initialised"
    return run_chunk(_worker_model, seed, indices)


def _context() -> multiprocessing.context.BaseContext:
    # fork is the cheapest start (the model is inherited, not pickled) but is
    # unsafe once other threads run (e.g. a Dask client in the same process).
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def pool_chunks(model: Model, seed: int, chunks: Sequence[list[int]],
                workers: int) -> Generator[list[Packed], None, None]:
    """Run `chunks` in a pool of `workers` processes; yield each chunk's results as it finishes."""
    if workers <= 1 or len(chunks) <= 1:
        for chunk in chunks:
            yield run_chunk(model, seed, chunk)
        return
    pool = _context().Pool(min(workers, len(chunks)), initializer=_init_worker, initargs=(model,))
    try:
        yield from pool.imap_unordered(_pool_task, [(seed, c) for c in chunks])
        pool.close()
    finally:
        end_pool(pool)  # also on Ctrl-C or an error: do not leave workers behind


# -- an ordered map over a pool, for experiments that are not ensembles ---------------

_worker_state: Any = None


def _init_state(state: Any) -> None:
    global _worker_state
    _worker_state = state
    quiet_worker()


def _state_task(args: tuple[Callable[[Any, Any], Any], Any]) -> Any:
    fn, item = args
    return fn(_worker_state, item)


def pool_map(fn: Callable[[Any, Any], Any], items: Sequence[Any], state: Any, workers: int,
             chunk: int = 1) -> Iterator[Any]:
    """`fn(state, item)` for each item, in order, over `workers` processes that each hold `state` once
    (in this process with one worker). `fn` must be a module-level function. Results do not depend on
    the number of workers as long as `fn` draws only from what the item gives it."""
    if workers <= 1 or len(items) <= 1:
        for item in items:
            yield fn(state, item)
        return
    pool = _context().Pool(min(workers, len(items)), initializer=_init_state, initargs=(state,))
    try:
        yield from pool.imap(_state_task, [(fn, item) for item in items], chunksize=max(1, chunk))
        pool.close()
    finally:
        end_pool(pool)


# -- the runner ---------------------------------------------------------------------


def run_parallel(model: Model, runs: int, seed: int = 0, workers: int | None = None,
                 progress: Progress | None = None, store: RunStore | None = None, *,
                 resume: bool = False, scheduler: str | None = None, chunk: int | None = None,
                 meta: Mapping[str, Any] | None = None) -> Ensemble:
    """Run replications 0..runs-1 of `model` from root seed `seed` in parallel.

    `workers` processes on this machine (default: all cores; 1 runs in this
    process), or the Dask cluster at `scheduler`. With a `store`, each chunk is
    saved as it finishes, with the ensemble's provenance (`meta` adds to it);
    with `resume`, the latest stored ensemble of the same model and seed is
    picked up and only its missing replications run. The result is the same
    `Ensemble` as `run_ensemble(model, runs, seed)` gives.
    """
    if runs < 1:
        raise ValueError("runs must be at least 1")
    if chunk is not None and chunk < 1:
        raise ValueError("chunk must be at least 1")
    workers = default_workers() if workers is None else max(1, workers)
    done: dict[int, ReplicationResult] = {}
    ensemble_id = None
    if store is not None:
        found = store.find_resumable(model, seed) if resume else None
        if found is not None:
            ensemble_id = found
            done = {r.index: r for r in store.results(ensemble_id) if r.index < runs}
            store.reopen(ensemble_id, runs)
        else:
            ensemble_id = store.begin(model, runs, seed, meta)
    missing = [i for i in range(runs) if i not in done]
    size = chunk or chunk_size(len(missing), workers)
    chunks = chunks_of(missing, size)
    if progress is not None:
        progress(len(done), runs)
    finished = False
    batches = _backend(model, seed, chunks, workers, scheduler)
    try:
        for packed in batches:
            results = [unpack(p) for p in packed]
            if store is not None and ensemble_id is not None:
                store.add(ensemble_id, model, seed, results)
            for r in results:
                done[r.index] = r
            if progress is not None:
                progress(len(done), runs)
        finished = True
    finally:
        batches.close()  # end the workers now, also on Ctrl-C
        if store is not None and ensemble_id is not None:
            store.end(ensemble_id, "complete" if finished else "interrupted")
    return Ensemble(model, seed, [done[i] for i in range(runs)], ensemble_id)


def _backend(model: Model, seed: int, chunks: Sequence[list[int]], workers: int,
             scheduler: str | None) -> Generator[list[Packed], None, None]:
    if scheduler is not None:
        from .dask_backend import dask_chunks

        return dask_chunks(model, seed, chunks, scheduler)
    return pool_chunks(model, seed, chunks, workers)


def runner(model: Model, runs: int, seed: int) -> list[ReplicationResult]:
    """Replications 0..runs-1 of `model` on all cores, for one point (an experiment of
    many points opens one `run.evaluator.Evaluator` instead and reuses it)."""
    from .evaluator import Evaluator

    with Evaluator() as evaluate:
        return evaluate(model, runs, seed)
