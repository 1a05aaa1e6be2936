"""The room's fair queue: the classroom jobs' pieces, handed round robin across pages to a pool of processes.

A job (`classroom_jobs.BaseJob`) is cut into *tasks*: a chunk of replications of one scenario, or a
story told. `RoomQueue` keeps each client's jobs in arrival order and hands out one task at a time,
client after client (round robin, by the page id a page sends, else by its address), so that one
student's large run cannot starve the others: a new job's first chunks (its first estimate, see
`classroom_jobs.FIRST_ESTIMATE`) go before any job's later chunks. At most one task per worker is out
at a time, so the order of service is decided here, not in the pool's own queue.

Tasks run in a process pool over the machine's cores (the start method `run.parallel` chooses), each
worker keeping the last few models it was sent (`worker_task`). When this process runs the pure-Python
model, ``DIPLOSIM_COMPILED`` is not set, and a compiled copy built from these very sources sits in its
default place (``python run.py compile``), the workers run that copy instead (`room_compiled`): started
fresh (spawn) with ``DIPLOSIM_COMPILED`` naming it, they unpickle the same models into the compiled
classes and make the same draws in the same order, so the numbers are the same, in well under half the
time (bench/room.py). Without such a copy (a fresh clone, or sources changed since it was built), or
with ``DIPLOSIM_COMPILED=0``, the workers run the pure-Python model as this process does.

A job that is not cut into chunks (`BaseJob.local`) runs in a thread of this process instead, and holds a
worker's place while it runs.
Replication i of a scenario draws from ``replication_rng(seed, i)`` wherever it runs, so the pool and the
chunking change only when results arrive, never what they are.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import pickle
import secrets
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..model import COMPILED_ENV, CompiledModelError, check_compiled, compiled_in_use, default_compiled_dir
from ..run.ensemble import run_one
from ..run.fan import DEFAULT_BINS, FanReducer, fan_grid
from ..run.parallel import _context, default_workers, end_pool, pack, quiet_worker
from .story import tell

if TYPE_CHECKING:
    from ..model.engine import Model
    from .classroom_jobs import BaseJob

WORKER_MODELS = 32
"""Most models a pool worker keeps (a room's scenarios are sent again with every task, but unpickled once)."""

_models: OrderedDict[str, Model] = OrderedDict()


@dataclass
class Task:
    """One piece of a job: `args` for `worker_task` in the pool, or `local` to call in a thread here."""

    job: BaseJob
    key: Any = None
    """What the job needs to file the result (e.g. which scenario and which replications)."""
    args: tuple[Any, ...] | None = None
    local: Callable[[], Any] | None = None
    replications: int = 0
    sent: float = field(default_factory=time.monotonic)


_blobs: OrderedDict[int, tuple[Model, str, bytes]] = OrderedDict()
_blobs_lock = threading.Lock()


def model_blob(model: Model) -> tuple[str, bytes]:
    """A model as the pool's tasks carry it: a token naming it in the workers, and its pickle. The same
    model object (in a room, many pages run the same settings) is pickled once and has one token, so a
    worker unpickles it once for all of them (the last `WORKER_MODELS` models are remembered)."""
    with _blobs_lock:
        found = _blobs.get(id(model))
        if found is not None and found[0] is model:
            _blobs.move_to_end(id(model))
            return found[1], found[2]
    blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    token = secrets.token_hex(8)
    with _blobs_lock:
        _blobs[id(model)] = (model, token, blob)  # the model held too: its id is not reused meanwhile
        while len(_blobs) > WORKER_MODELS:
            _blobs.popitem(last=False)
    return token, blob


def _model(token: str, blob: bytes) -> Model:
    model = _models.get(token)
    if model is None:
        if len(_models) >= WORKER_MODELS:
            _models.popitem(last=False)
        model = _models[token] = pickle.loads(blob)
    else:
        _models.move_to_end(token)
    return model


def page_fan(model: Model, variables: tuple[str, ...]) -> FanReducer:
    """An empty fan reducer of `variables` only over the scenario's window (the same histograms, for
    those variables, as `FanReducer.for_model`'s)."""
    return FanReducer(fan_grid(model.horizon), model.half_lives, variables, DEFAULT_BINS)


def fan_parts(fan: FanReducer) -> tuple[Any, ...]:
    """A fan reducer's histograms, sparse (its counts are mostly zero): small to send back."""
    flat = fan.counts.ravel()
    where = np.flatnonzero(flat)
    return where.astype(np.int64), flat[where], fan.low, fan.high, fan.runs


def merge_fan_parts(fan: FanReducer, parts: tuple[Any, ...]) -> None:
    """Add `fan_parts` of a reducer of the same grid, variables and bins into `fan`."""
    where, values, low, high, runs = parts
    np.add.at(fan.counts.reshape(-1), where, values)
    np.minimum(fan.low, low, out=fan.low)
    np.maximum(fan.high, high, out=fan.high)
    fan.runs += runs


def worker_task(args: tuple[Any, ...]) -> tuple[Any, float]:
    """A task in a pool worker: ``("run", token, blob, seed, lo, hi, variables)`` runs replications lo..hi-1
    (packed) and reduces their fan-chart histograms; ``("count", ...)`` runs them for their outcomes only;
    ``("tell", token, blob, seed, index)`` tells replication `index` as a story. Returns the result and the
    seconds it took."""
    began = time.perf_counter()
    kind, token, blob, seed = args[:4]
    model = _model(token, blob)
    out: Any
    if kind == "tell":
        out = tell(model, seed, args[4], 0)
    elif kind == "count":
        out = [r.outcome for r in (run_one(model, seed, i) for i in range(args[4], args[5])) if r.error is None]
    else:
        lo, hi, variables = args[4:7]
        fan = page_fan(model, variables)
        packed = []
        for i in range(lo, hi):
            result = run_one(model, seed, i, record_changes=True)
            if result.error is None:  # a replication that raised has no trajectory
                fan.add(result)
            result.changes = None
            packed.append(pack(result))
        out = (packed, fan_parts(fan))
    return out, time.perf_counter() - began


def room_compiled() -> Path | None:
    """The compiled copy the room's workers should run, or None for this process's own model: only when
    this process runs pure Python, ``DIPLOSIM_COMPILED`` is unset (0 asks for pure Python), and the copy
    in the default place fits this Python and these sources (`check_compiled`; any doubt, None)."""
    if compiled_in_use() is not None or os.environ.get(COMPILED_ENV) is not None:
        return None
    where = default_compiled_dir()
    try:
        check_compiled(where)
    except (CompiledModelError, OSError, ValueError, KeyError, TypeError):
        return None
    return where


def room_worker() -> None:
    """Pool initializer: leave Ctrl-C to the server; being this module's function, it loads the model's
    code as the worker starts, not with the first task."""
    quiet_worker()


def run_here(args: tuple[Any, ...]) -> Any:
    """`worker_task`'s result, computed in this process (a queue without a pool)."""
    return worker_task(args)


_environ_lock = threading.Lock()


def _compiled_pool(workers: int, where: Path) -> Any:
    """A pool of fresh (spawned) processes that run the compiled copy in `where`: they are started with
    ``DIPLOSIM_COMPILED`` naming it, which this process's environment holds only while they start."""
    with _environ_lock:
        os.environ[COMPILED_ENV] = str(where)
        try:
            return multiprocessing.get_context("spawn").Pool(workers, initializer=room_worker)
        finally:
            del os.environ[COMPILED_ENV]


class RoomQueue:
    """Hands the tasks of the jobs submitted out to `workers` processes (or threads, with
    ``processes=False``), round robin across clients; see the module's docstring."""

    def __init__(self, workers: int | None = None, processes: bool = True) -> None:
        self.workers = max(1, workers if workers is not None else default_workers())
        self.processes = processes
        self._clients: OrderedDict[Hashable, deque[BaseJob]] = OrderedDict()
        self._cond = threading.Condition()
        self._out = 0
        self._closed = False
        self._pool: Any = None
        self._threads = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="classroom-job")
        self._finisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="classroom-finish")
        self.rate = 0.0
        """Replications a second one worker runs, as the last tasks measured it (0 before any)."""
        self.fallback: str | None = None
        """Why the pool could not be started, if it could not (the tasks then run in threads here)."""
        self.compiled: Path | None = None
        """The compiled copy the pool's workers run (`room_compiled`), or None: the model this process runs."""
        self._loop = threading.Thread(target=self._dispatch, name="classroom-queue", daemon=True)
        self._loop.start()

    def open(self) -> None:
        """Start the pool's processes now (so that the first job does not wait for them)."""
        with self._cond:
            self._open()

    def _open(self) -> None:
        if self._pool is None and self.processes and not self._closed:
            compiled = room_compiled()
            if compiled is not None:
                try:
                    self._pool = _compiled_pool(self.workers, compiled)
                    self.compiled = compiled
                    return
                except (OSError, RuntimeError):  # no fresh processes here: the pool the model of this process runs
                    pass
            try:
                self._pool = _context().Pool(self.workers, initializer=room_worker)
            except (OSError, RuntimeError) as exc:  # no processes here (a sandbox): threads, slower but working
                self.processes = False
                self.fallback = f"{type(exc).__name__}: {exc}"

    def submit(self, job: BaseJob) -> None:
        """Put `job` at the back of its client's line."""
        with self._cond:
            self._clients.setdefault(job.client.key, deque()).append(job)
            self._cond.notify_all()

    def withdraw(self, job: BaseJob) -> bool:
        """Take a job none of whose tasks went out yet off the queue; False if one did (it stops on its own)."""
        with self._cond:
            if job.sent or job.finished is not None:
                return False
            line = self._clients.get(job.client.key)
            if line is not None and job in line:
                line.remove(job)
                if not line:
                    del self._clients[job.client.key]
            return True

    def position(self, job: BaseJob) -> int | None:
        """A waiting job's place in the queue: 1 + the waiting jobs that start before it, as the queue
        stands (round robin: each client's first waiting job, then each one's second, ...). None once
        it started."""
        with self._cond:
            if job.sent or job.finished is not None:
                return None
            ranks = []
            for turn, line in enumerate(self._clients.values()):
                waiting = [j for j in line if not j.sent and not j.cancelled]
                ranks += [((k, turn), j) for k, j in enumerate(waiting)]
            ranks.sort(key=lambda item: item[0])
            for place, (_, j) in enumerate(ranks, 1):
                if j is job:
                    return place
            return None

    def _pick(self) -> Task | None:
        """The next task: a job's first estimate if any client in turn has one to run (its earliest), else
        the next chunk of the earliest job with work left of the first client in turn; that client goes
        to the back of the turn."""
        for first in (True, False):
            for key, line in self._clients.items():
                job = next((j for j in line if j.has_work() and (j.in_first_estimate() or not first)), None)
                if job is None:
                    continue
                task = job.next_task()
                if task is None:
                    continue
                if not job.has_work():
                    line.remove(job)
                    if not line:
                        del self._clients[key]
                else:
                    self._clients.move_to_end(key)
                return task
        return None

    def _dispatch(self) -> None:
        while True:
            with self._cond:
                task = None
                while not self._closed:
                    for key in list(self._clients):  # jobs with nothing left to hand out leave their line
                        line = self._clients[key]
                        for job in [j for j in line if not j.has_work()]:
                            line.remove(job)
                        if not line:
                            del self._clients[key]
                    if self._out < self.workers:
                        task = self._pick()
                        if task is not None:
                            break
                    self._cond.wait(0.5)
                if self._closed:
                    return
                assert task is not None
                self._out += 1
                task.job.sent += 1
                task.job.out += 1
                opened: BaseException | None = None
                if task.args is not None:
                    try:
                        self._open()
                    except Exception as exc:  # noqa: BLE001 - no pool: the job fails with the line, the queue goes on
                        opened = exc
                pool = self._pool
            task.sent = time.monotonic()
            if opened is not None:
                self._done(task, opened, None)
                continue
            try:
                if task.local is not None:
                    self._threads.submit(task.local).add_done_callback(functools.partial(self._future_done, task))
                elif pool is not None:
                    pool.apply_async(worker_task, (task.args,), callback=functools.partial(self._done, task, None),
                                     error_callback=functools.partial(self._failed, task))
                else:
                    future = self._threads.submit(run_here, task.args or ())
                    future.add_done_callback(functools.partial(self._future_done, task))
            except RuntimeError as exc:  # the pool or the threads were shut down meanwhile
                self._done(task, exc, None)

    def _future_done(self, task: Task, future: Future[Any]) -> None:
        error = future.exception()
        self._done(task, error, None if error is not None else future.result())

    def _failed(self, task: Task, error: BaseException) -> None:
        self._done(task, error, None)

    def _done(self, task: Task, error: BaseException | None, result: Any) -> None:
        """A task came back: file its result with its job, free its worker, finish the job if it was the last."""
        job = task.job
        try:
            if error is not None:
                job.fail(error)
            elif task.local is None:
                out, seconds = result
                if task.replications and seconds > 0:
                    rate = task.replications / seconds
                    self.rate = rate if self.rate == 0 else 0.8 * self.rate + 0.2 * rate
                if not job.cancelled and job.error is None:
                    job.accept(task, out)
            else:
                job.local_result = result
        except Exception as exc:  # noqa: BLE001 - a job that cannot file its result fails, the queue goes on
            job.fail(exc)
        with self._cond:
            self._out -= 1
            job.out -= 1
            last = job.out == 0 and not job.has_work() and job.finished is None and not job.ending
            if last:
                job.ending = True
            self._cond.notify_all()
        if last:
            self._finish(job)

    def _finish(self, job: BaseJob) -> None:
        try:
            self._finisher.submit(job.complete)
        except RuntimeError:  # closing: finish it here
            job.complete()

    def settle(self, job: BaseJob) -> None:
        """Finish a cancelled job at once if none of its tasks is out (else its last task will)."""
        with self._cond:
            now = job.out == 0 and job.finished is None and not job.ending
            if now:
                job.ending = True
        if now:
            job.complete()

    def close(self) -> None:
        """Stop handing out tasks, end the pool's processes, wait for the threads."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            pool, self._pool = self._pool, None
        self._loop.join(5)
        if pool is not None:
            end_pool(pool)  # whatever killed its workers (a SIGTERM to the whole process group)
        self._threads.shutdown(wait=True, cancel_futures=True)
        self._finisher.shutdown(wait=True)
