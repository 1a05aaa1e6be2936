"""The classroom page's runs: jobs cut into chunks, run on a pool of processes, readable as they grow.

A job runs one scenario (``now``), or two with common random numbers (``before`` and ``now``), or a
lecturer's comparison of several groups' scenarios (`CompareJob`): replication i of each draws from the
same seed, so once every scenario holds replications 0..n-1 their paired difference
(`explore.compare.difference`) is exact for those n. A story (`StoryJob`) is a job too: every
simulation the server runs waits its turn in the one queue (`classroom_queue.RoomQueue`, fair across
pages), never in a request's thread.

The page polls the job's snapshot. While the job waits it holds ``position`` (its place in the queue)
and no numbers; once the first `FIRST_ESTIMATE` replications of every scenario are in, the outcome
distribution, timing of the decisive steps and fan chart of each scenario, and the difference, flagged
``partial`` until the run is complete; ``done`` of ``runs`` replications per scenario are in the numbers,
``ran`` of ``total`` replications in all have run. The "now" summary is `Ensemble.summary`, the one
``run`` prints: the same seed gives the same final numbers however the run was cut or spread.
A finished run's snapshot stays fetchable by its id as a *result* (`JobBoard.result`) for the server's
lifetime, the most recent `MAX_RESULTS` of them.

The board (`JobBoard`) refuses a job (`Busy`) past its caps: a page (by the id it sends) may have at
most `MAX_PAGE_JOBS` jobs and `MAX_PAGE_REPLICATIONS` replications waiting or running; an address
`MAX_CLIENT_JOBS` / `MAX_CLIENT_REPLICATIONS` (a whole room: on one machine, or behind one NAT, every
page has the same address); the server `MAX_QUEUED_JOBS` and `MAX_QUEUED_REPLICATIONS` in all.
"""

from __future__ import annotations

import json
import math
import secrets
import threading
import time
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..explore.compare import difference, distribution, outcome_names
from ..model.engine import Model, ReplicationResult
from ..model.outcomes import median
from ..run.ensemble import RECORDED_STAGES, Ensemble
from ..run.fan import FanReducer
from ..run.parallel import unpack
from .classroom_queue import RoomQueue, Task, merge_fan_parts, model_blob, page_fan
from .classroom_state import MAX_PAGE_RUNS, Prepared
from .glossary import CastNames, variable_labels
from .run_figures import scenario_context
from .story import outcome_share_line

FIRST_ESTIMATE = 100
"""Replications per scenario of a run's first estimate: its first numbers, before the full run.

Sized for a room: 15 students pressing Run at once on two cores must each see a first estimate within
2 s. A replication with the page's fan charts takes about 1.5 ms of one core (pure Python), so 15 first
estimates of 200 would be 3,000 replications, 2.2 s of both cores before any overhead: over the target
for the last students whatever the order. 100 each is 1.1 s. The price is a wider interval: from 100
replications a probability's 95% interval is at most about +-10 points (at 50%; about +-8 at 20% or
80%), enough to tell a likely outcome from an unlikely one, not 50% from 45%; the page says how many
replications the estimate rests on and shows each probability with its interval, and the full run
narrows them (bench/room.py measures the room; bench/last-room.txt holds its figures)."""
FIRST_CHUNK = FIRST_ESTIMATE
"""Replications per task until the first estimate: one task (no numbers are shown before it anyway, and
with one task each, the first pages of a room get theirs first rather than all of them late)."""
CHUNK = 100
"""Replications per task after the first estimate."""
SNAPSHOT_SECONDS = 1.0
"""Shortest time between two snapshots of a running job (each costs the fan's quantiles and a bootstrap,
tens of milliseconds of the server's one Python thread; a room of pages polls four times a second)."""
FAN_VARIABLES = ("approval", "threat", "us_pressure")
"""The state variables the page draws as fan charts (``us_pressure``, the patron's pressure index, so that a
student sees what silencing the patron changes)."""
MAX_JOBS_KEPT = 32
"""Most finished jobs remembered; the oldest are forgotten first (a finished job keeps only its
last snapshot, a few tens of KiB)."""
MAX_RESULTS = 256
"""Most finished runs kept as results (`JobBoard.result`); the oldest are forgotten first."""
ROOM_PAGES = 40
"""The largest room the caps per address are sized for: pages on one machine or behind one NAT."""
PRESS_REPLICATIONS = 3 * MAX_PAGE_RUNS + 1
"""What one press of the run button costs at the largest run: a comparison (2 x `MAX_PAGE_RUNS`)
and its story (`MAX_PAGE_RUNS` + 1)."""
MAX_PAGE_JOBS = 3
"""Most jobs one page (by the client id it sends) may have waiting or running."""
MAX_PAGE_REPLICATIONS = PRESS_REPLICATIONS
"""Most replications one page may have waiting or running: one press at the largest run."""
MAX_CLIENT_JOBS = 2 * ROOM_PAGES
"""Most jobs one address may have waiting or running: a run and a story for each page of a room."""
MAX_CLIENT_REPLICATIONS = 2 * PRESS_REPLICATIONS
"""Most replications one address may have waiting or running: two presses at the largest run, or one
press at the page's default 1,000 runs (a comparison and its story) from each of `ROOM_PAGES` pages."""
MAX_QUEUED_JOBS = 2 * ROOM_PAGES + 16
"""Most jobs waiting or running in all: a room's, and a few more."""
MAX_QUEUED_REPLICATIONS = 200_000
"""Most replications waiting or running in all (a few minutes of a two-core machine)."""
ASSUMED_RATE = 500.0
"""Replications a second a worker is assumed to run (for 'try again in N s') until tasks measure it."""


def chunk_plan(runs: int) -> list[tuple[int, int]]:
    """The ranges of replications a scenario's tasks run: `FIRST_CHUNK` at a time up to the first
    estimate, then `CHUNK` at a time."""
    out, lo = [], 0
    while lo < runs:
        hi = min(runs, lo + (FIRST_CHUNK if lo < FIRST_ESTIMATE else CHUNK))
        out.append((lo, hi))
        lo = hi
    return out

def stage_timing(model: Model, results: list[ReplicationResult]) -> list[dict[str, Any]]:
    """When replications reached each decisive step (a stage after the one the episode starts in):
    share reached, median date, the recorded date, and a weekly histogram over the window."""
    sc = model.scenario
    weeks = max(1, math.ceil(model.horizon / 7))
    recorded = sc.record.dates if sc.record is not None else {}
    out = []
    for stage in RECORDED_STAGES:
        if stage == sc.agreement.state.value:
            continue
        times = [r.stage_t[stage] for r in results if stage in r.stage_t]
        if not times and stage not in recorded:
            continue
        week = np.clip(np.floor(np.asarray(times, dtype=float) / 7).astype(int), 0, weeks - 1)
        middle = median(times)
        out.append({"stage": stage, "reached": len(times) / max(1, len(results)),
                    "median": model.date(middle).isoformat() if middle is not None else None,
                    "record": recorded[stage].isoformat() if stage in recorded else None,
                    "counts": np.bincount(week, minlength=weeks).tolist()})
    return out


def fan_view(fan: FanReducer, model: Model) -> dict[str, Any] | None:
    """The fan chart's data for the page's variables (None before any replication)."""
    if fan.runs == 0:
        return None
    data = fan.to_dict(model)
    data["variables"] = {name: data["variables"][name] for name in FAN_VARIABLES if name in data["variables"]}
    data["order"] = list(data["variables"])
    return data


class Side:
    """One scenario of a job: its replications so far (by index) and their fan-chart histograms."""

    def __init__(self, label: str, prepared: Prepared) -> None:
        self.label = label
        self.prepared = prepared
        self.model = prepared.model
        self.token, self.blob = model_blob(self.model)
        self.results: dict[int, ReplicationResult] = {}
        self.prefix = 0
        """Replications 0..prefix-1 are all in."""
        self.fan = page_fan(self.model, FAN_VARIABLES)
        context = scenario_context(prepared.scenario)
        context["file"] = prepared.filename  # not the private folder's path
        labels = variable_labels(CastNames.of(prepared.scenario))
        context["labels"] = {name: labels[name] for name in FAN_VARIABLES}  # in the scenario's names
        self.context = context

    def add(self, packed: Sequence[Any], fan: tuple[Any, ...]) -> None:
        """File a task's replications and histograms."""
        for p in packed:
            result = unpack(p)
            self.results[result.index] = result
        while self.prefix in self.results:
            self.prefix += 1
        merge_fan_parts(self.fan, fan)

    def first(self, n: int) -> list[ReplicationResult]:
        """Replications 0..n-1 (all in)."""
        return [self.results[i] for i in range(n)]

    def fan_copy(self) -> FanReducer:
        return page_fan(self.model, FAN_VARIABLES).merge(self.fan)

    def release(self) -> None:
        """Let the replications, histograms and model's pickle go (once the last snapshot is made)."""
        self.results = {}
        self.blob = b""
        self.fan = FanReducer([0.0], self.fan.half_lives, self.fan.variables, bins=1)

    def view(self, seed: int, results: list[ReplicationResult], fan: FanReducer) -> dict[str, Any]:
        """The side's part of a snapshot."""
        summary = Ensemble(self.model, seed, results).summary()
        summary["file"] = self.prepared.filename
        return {"label": self.label, "name": self.model.scenario.name, "file": self.prepared.filename,
                "episode": self.prepared.episode.ident, "changes": list(self.prepared.changes),
                "summary": summary, "context": self.context,
                "timing": stage_timing(self.model, results), "fan": fan_view(fan, self.model)}


@dataclass(frozen=True)
class Client:
    """Who asked for a job: the connection's address, and the id the page sends (None without one)."""

    address: str
    page: str | None = None

    @property
    def key(self) -> Hashable:
        """Whose turn it is in the fair queue: the page, or the address of a client that sends no id."""
        return ("page", self.page) if self.page is not None else ("address", self.address)


LOCAL = Client("local")
"""The client of a request that came from no socket (the tests call the app directly)."""


class Busy(Exception):
    """A job the board will not take now: HTTP `status` (429 a client's cap, 503 the server's), one
    line saying why and when to try again, and that wait in whole seconds (`retry_after`)."""

    def __init__(self, status: int, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


class BaseJob:
    """What the board and the queue need of a job: an id, a cost in replications, progress, cancel,
    tasks to hand out (`next_task`) and their results filed (`accept`), and a snapshot (plain JSON data).

    A job that is not cut into tasks overrides `_work` only: it runs whole, in a thread of the queue."""

    kind = "job"

    def __init__(self, cost: int) -> None:
        self.ident = secrets.token_hex(8)
        self.cost = cost
        """Replications the job runs in all."""
        self.progress = 0
        """Replications run so far."""
        self.client = LOCAL
        self.status = "queued"
        self.error: str | None = None
        self.started = time.monotonic()
        self.ran: float | None = None
        """When its first task went out (None while it waits)."""
        self.finished: float | None = None
        self.sent = 0
        """Tasks handed out so far (the queue counts them)."""
        self.out = 0
        """Tasks out now."""
        self.ending = False
        self.local_result: Any = None
        self.position: Callable[[BaseJob], int | None] = lambda job: None
        """The job's place in the queue while it waits (the board sets it)."""
        self.on_end: Callable[[BaseJob], None] = lambda job: None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._build_lock = threading.Lock()
        self._version = 0
        self._built = -1
        self._built_at = 0.0
        self._snapshot: dict[str, Any] = {}
        self._encoded: bytes | None = None
        self._final = False

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()

    @property
    def pending(self) -> bool:
        """Waiting or running, and not cancelled: what counts against the caps."""
        return self.finished is None and not self._stop.is_set()

    @property
    def remaining(self) -> int:
        return max(0, self.cost - self.progress) if self.pending else 0

    def cancel(self) -> None:
        """Hand out no more of its tasks (those out finish and are dropped)."""
        self._stop.set()
        self._changed()

    def _changed(self) -> None:
        with self._lock:
            self._version += 1

    # -- what the queue asks

    def has_work(self) -> bool:
        """Whether a task is left to hand out."""
        return not self._stop.is_set() and self.error is None and self._has_work()

    def _has_work(self) -> bool:
        return self.sent == 0

    def in_first_estimate(self) -> bool:
        """Whether the next task is still part of the job's first estimate (served before later chunks)."""
        return self.sent == 0

    def next_task(self) -> Task | None:
        """The next task to hand out (the queue calls it under its lock: quick, no simulation)."""
        if self.ran is None:
            self.ran = time.monotonic()
            self.status = "running"
            self._changed()
        return self._next_task()

    def _next_task(self) -> Task | None:
        return Task(self, local=self._work)

    def accept(self, task: Task, out: Any) -> None:
        """File a task's result."""
        raise NotImplementedError

    def fail(self, exc: BaseException) -> None:
        """A task raised: the job fails with its one line (shown on the page, not lost in a worker)."""
        if self.error is None:
            self.error = f"{type(exc).__name__}: {exc}"
        self._changed()

    def complete(self) -> None:
        """The last task is back (or the job was cancelled before one went out): its final status and snapshot."""
        if self.error is not None:
            self.status = "failed"
        elif self._stop.is_set() or self.local_result is True:
            self.status = "cancelled"
        else:
            self.status = "done"
        self.end()

    def end(self, status: str | None = None) -> None:
        """Mark the job finished (with `status`, if given) and publish its last snapshot."""
        if status is not None:
            self.status = status
        self.finished = time.monotonic()
        self._changed()
        self._publish(final=True)
        self._release()
        self.on_end(self)

    def _work(self) -> bool:
        """Do the job's simulation whole (a job not cut into tasks); True when it stopped because it was
        cancelled."""
        raise NotImplementedError

    def _release(self) -> None:
        """Let what only the snapshot needed go."""

    def _publish(self, final: bool = False) -> None:
        with self._build_lock:
            if self._final:  # the last snapshot is made: what it was made of may be gone
                return
            with self._lock:
                version = self._version
            snapshot = self._build()
            with self._lock:
                self._snapshot, self._built, self._built_at = snapshot, version, time.monotonic()
                self._encoded = None
            self._final = final

    def _build(self) -> dict[str, Any]:
        raise NotImplementedError

    def _first_numbers_in(self) -> bool:
        """Whether numbers have come in that the snapshot does not show yet, and it shows none (called
        under the lock)."""
        return False

    def snapshot(self) -> dict[str, Any]:
        """The latest snapshot, rebuilt when it is out of date (a running job's at most every
        `SNAPSHOT_SECONDS`, but at once when its first numbers have come in: a page waiting for its first
        estimate does not wait a second more); its status is the one its results belong with."""
        with self._lock:
            stale = self._built != self._version and (
                self.status != "running" or self._snapshot.get("status") != self.status
                or time.monotonic() - self._built_at >= SNAPSHOT_SECONDS or self._first_numbers_in())
            final = self.finished is not None and self._built == self._version
        if (stale or self.status == "queued") and not final:
            self._publish()
        with self._lock:
            return self._snapshot

    def snapshot_json(self) -> bytes:
        """`snapshot` as JSON text (encoded once per snapshot: every page of a room polls)."""
        snapshot = self.snapshot()
        with self._lock:
            if self._encoded is not None and snapshot is self._snapshot:
                return self._encoded
        encoded = json.dumps(snapshot, ensure_ascii=False).encode("utf-8")
        with self._lock:
            if snapshot is self._snapshot:
                self._encoded = encoded
        return encoded

    def _head(self) -> dict[str, Any]:
        head = {"id": self.ident, "kind": self.kind, "status": self.status, "error": self.error,
                "seconds": round((self.finished or time.monotonic()) - self.started, 3)}
        if self.status == "queued":
            head["position"] = self.position(self)
        return head


class Job(BaseJob):
    """One press of the page's run button: `now`, or `before` and `now` paired."""

    kind = "run"

    def __init__(self, now: Prepared, before: Prepared | None = None) -> None:
        sides = [Side("before", before)] if before is not None else []
        self._init_sides([*sides, Side("now", now)], now.runs, now.seed)

    def _init_sides(self, sides: list[Side], runs: int, seed: int) -> None:
        self.runs, self.seed, self.sides = runs, seed, sides
        self.shown_from = min(FIRST_ESTIMATE, runs)
        """Replications per scenario before the first numbers are shown."""
        BaseJob.__init__(self, runs * len(sides))
        self._plan = [(s, lo, hi) for lo, hi in chunk_plan(runs) for s in range(len(sides))]
        self._snapshot = self._build()

    def _has_work(self) -> bool:
        return self.sent < len(self._plan)

    def in_first_estimate(self) -> bool:
        return self.sent < len(self._plan) and self._plan[self.sent][1] < FIRST_ESTIMATE

    def _next_task(self) -> Task | None:
        s, lo, hi = self._plan[self.sent]
        side = self.sides[s]
        return Task(self, key=(s, lo, hi), args=("run", side.token, side.blob, self.seed, lo, hi, FAN_VARIABLES),
                    replications=hi - lo)

    def accept(self, task: Task, out: Any) -> None:
        s, lo, hi = task.key
        packed, fan = out
        with self._lock:
            self.sides[s].add(packed, fan)
            self.progress += hi - lo
            self._version += 1

    def _release(self) -> None:
        for side in self.sides:
            side.release()

    def _numbers(self) -> tuple[int, list[list[ReplicationResult]], list[FanReducer]]:
        """Replications 0..done-1 of every scenario (done: as many as every one holds) and the histograms."""
        with self._lock:
            done = min(side.prefix for side in self.sides)
            if done < self.shown_from and self.finished is None:
                return done, [], []
            return done, [side.first(done) for side in self.sides], [side.fan_copy() for side in self.sides]

    def _first_numbers_in(self) -> bool:
        return self._snapshot.get("outcomes") is None and min(side.prefix for side in self.sides) >= self.shown_from

    def _progress(self, done: int, shown: bool) -> dict[str, Any]:
        return {"done": done, "runs": self.runs, "seed": self.seed, "ran": self.progress, "total": self.cost,
                "partial": shown and done < self.runs,
                "result": self.ident if self.status == "done" and self.finished is not None else None}

    def _build(self) -> dict[str, Any]:
        head = self._head()
        done, results, fans = self._numbers()
        out = {**head, **self._progress(done, bool(results)), "outcomes": None, "now": None, "before": None,
               "difference": None}
        if not results or not done:
            return out
        views = {side.label: side.view(self.seed, rs, fan) for side, rs, fan in zip(self.sides, results, fans,
                                                                                     strict=True)}
        names = outcome_names([s.model for s in self.sides], results)
        diff = difference(results[0], results[1], names, self.seed) if len(self.sides) == 2 else None
        return {**out, "outcomes": names, "now": views["now"], "before": views.get("before"), "difference": diff}


class CompareJob(Job):
    """A lecturer's comparison of groups' scenarios with common random numbers: each scenario's outcome
    distribution and its paired difference from the first, as ``compare`` reports them."""

    kind = "compare"

    def __init__(self, labels: Sequence[str], scenarios: Sequence[Prepared], runs: int, seed: int) -> None:
        if len(scenarios) < 2 or len(labels) != len(scenarios):
            raise ValueError("a comparison takes two scenarios or more, one label each")
        self._init_sides([Side(label, p) for label, p in zip(labels, scenarios, strict=True)], runs, seed)

    def _build(self) -> dict[str, Any]:
        head = self._head()
        done, results, _ = self._numbers()
        out = {**head, **self._progress(done, bool(results)), "outcomes": None, "scenarios": None}
        if not results or not done:
            return out
        names = outcome_names([s.model for s in self.sides], results)
        scenarios = []
        for side, rs in zip(self.sides, results, strict=True):
            sc = side.model.scenario
            scenarios.append({"label": side.label, "name": sc.name, "file": side.prepared.filename,
                              "episode": side.prepared.episode.ident, "changes": list(side.prepared.changes),
                              "question": sc.question, "outcomes": distribution(rs, names),
                              "errors": sum(r.error is not None for r in rs)})
        for entry, rs in zip(scenarios[1:], results[1:], strict=True):
            entry["difference"] = difference(results[0], rs, names, self.seed)
        return {**out, "outcomes": names, "scenarios": scenarios}


class StoryJob(BaseJob):
    """One replication told as a story, as ``run.py story --runs RUNS`` prints it: the replication,
    and the first RUNS replications in chunks (to say how common its ending is)."""

    kind = "story"

    def __init__(self, prepared: Prepared) -> None:
        super().__init__(prepared.runs + 1)
        self.prepared = prepared
        self.told: dict[str, Any] | None = None
        self._token, self._blob = model_blob(prepared.model)
        self._plan: list[tuple[int, int] | None] = [None, *chunk_plan(prepared.runs)]
        self._counts: Counter[str] = Counter()
        self._snapshot = self._build()

    def _has_work(self) -> bool:
        return self.sent < len(self._plan)

    def _next_task(self) -> Task | None:
        p, step = self.prepared, self._plan[self.sent]
        if step is None:
            return Task(self, key=None, args=("tell", self._token, self._blob, p.seed, p.story))
        return Task(self, key=step, args=("count", self._token, self._blob, p.seed, *step),
                    replications=step[1] - step[0])

    def accept(self, task: Task, out: Any) -> None:
        with self._lock:
            if task.key is None:
                self._told = out
                self.progress += 1
            else:
                self._counts.update(out)
                self.progress += task.key[1] - task.key[0]
            self._version += 1

    def complete(self) -> None:
        told = getattr(self, "_told", None)
        if told is not None and not self._stop.is_set() and self.error is None:
            if told["failed"] is None:
                p = self.prepared
                told["share"] = outcome_share_line(told["outcome"], self._counts, p.runs, p.seed)
            self.told = told
        super().complete()

    def _release(self) -> None:
        self._blob = b""

    def _build(self) -> dict[str, Any]:
        return {**self._head(), "done": self.progress, "runs": self.cost, "story": self.told}


class JobBoard:
    """The jobs of a server, run on a pool of `workers` processes (default: every core) through the fair
    queue; found by id, cancelled; refused past the caps (see the module's docstring). Finished runs are
    kept as results. ``processes=False`` runs the tasks in threads of this process instead (for tests)."""

    def __init__(self, workers: int | None = None, processes: bool = True) -> None:
        self.queue = RoomQueue(workers, processes)
        self._jobs: OrderedDict[str, BaseJob] = OrderedDict()
        self._results: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def rate(self) -> float:
        """Replications a second the board runs in all, as its tasks measured it."""
        return max(1.0, (self.queue.rate or ASSUMED_RATE) * self.queue.workers)

    def open(self) -> None:
        """Start the pool's processes now."""
        self.queue.open()

    def start(self, now: Prepared, before: Prepared | None, client: Client = LOCAL) -> Job:
        """Queue a run of `now` (and `before`, paired), or raise `Busy`."""
        job = Job(now, before)
        self.submit(job, client)
        return job

    def story(self, prepared: Prepared, client: Client = LOCAL) -> StoryJob:
        """Queue a story of `prepared`, or raise `Busy`."""
        job = StoryJob(prepared)
        self.submit(job, client)
        return job

    def compare(self, labels: Sequence[str], scenarios: Sequence[Prepared], runs: int, seed: int,
                client: Client = LOCAL) -> CompareJob:
        """Queue a comparison of `scenarios` (common random numbers), or raise `Busy`."""
        job = CompareJob(labels, scenarios, runs, seed)
        self.submit(job, client)
        return job

    def submit(self, job: BaseJob, client: Client = LOCAL) -> None:
        """Queue `job` for `client`, or raise `Busy` if that would pass a cap."""
        job.client = client
        job.position = self.queue.position
        job.on_end = self._ended
        with self._lock:
            self._refuse_past_caps(job.cost, client)
            self._jobs[job.ident] = job
            finished = [k for k, j in self._jobs.items() if j.finished is not None]
            for key in finished[:max(0, len(finished) - MAX_JOBS_KEPT)]:
                del self._jobs[key]
            self.queue.submit(job)

    def _ended(self, job: BaseJob) -> None:
        if job.status == "done" and isinstance(job, Job):
            snapshot = job.snapshot()
            with self._lock:
                self._results[job.ident] = snapshot
                while len(self._results) > MAX_RESULTS:
                    self._results.popitem(last=False)

    def result(self, ident: str) -> dict[str, Any] | None:
        """A finished run's last snapshot, kept for the server's lifetime (the last `MAX_RESULTS`)."""
        with self._lock:
            return self._results.get(ident)

    def cancel(self, ident: str) -> BaseJob | None:
        """Cancel a job: one still waiting leaves the queue at once (so that cancelled jobs cannot pile
        up in it), a running one once its tasks out are back. None if there is no such job."""
        with self._lock:
            job = self._jobs.get(ident)
        if job is None:
            return None
        if job.finished is None:
            job.cancel()
            self.queue.withdraw(job)
            self.queue.settle(job)
        return job

    def admit(self, cost: int, client: Client = LOCAL) -> None:
        """Raise `Busy` now if a job of `cost` replications would pass a cap: so that a refused request
        costs no scenario loaded (`submit` checks again, under the same lock as it queues)."""
        with self._lock:
            self._refuse_past_caps(cost, client)

    def _refuse_past_caps(self, cost: int, client: Client) -> None:
        pending = [j for j in self._jobs.values() if j.pending]
        groups = [("this page", lambda j: client.page is not None and j.client.page == client.page,
                   MAX_PAGE_JOBS, MAX_PAGE_REPLICATIONS, 429),
                  (f"this address ({client.address})", lambda j: j.client.address == client.address,
                   MAX_CLIENT_JOBS, MAX_CLIENT_REPLICATIONS, 429),
                  ("the server", lambda j: True, MAX_QUEUED_JOBS, MAX_QUEUED_REPLICATIONS, 503)]
        for who, mine, max_jobs, max_reps, status in groups:
            if who == "this page" and client.page is None:
                continue
            ours = [j for j in pending if mine(j)]
            reps = sum(j.remaining for j in ours)
            if len(ours) + 1 > max_jobs:
                why = f"{who} has {len(ours)} runs waiting or running, the most it may have"
                need = ours[0].remaining
            elif reps + cost > max_reps:
                why = (f"{who} has {reps:,} replications waiting or running and this one asks {cost:,} more; "
                       f"the most is {max_reps:,}")
                need = reps + cost - max_reps
            else:
                continue
            # the wait: everything queued ahead of the replications that must finish first
            ahead = 0
            for j in pending:
                ahead += j.remaining
                if mine(j):
                    need -= j.remaining
                    if need <= 0:
                        break
            wait = min(3600, max(1, math.ceil(ahead / self.rate)))
            raise Busy(status, f"{why}: try again in about {wait} s"
                       f"{', or stop one of them' if status == 429 else ''}", wait)

    def get(self, ident: str) -> BaseJob | None:
        with self._lock:
            return self._jobs.get(ident)

    def pending(self) -> list[BaseJob]:
        """The jobs waiting or running, in queue order."""
        with self._lock:
            return [j for j in self._jobs.values() if j.pending]

    def close(self) -> None:
        """Cancel every job, end the pool's processes and wait for the threads."""
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.cancel()
        self.queue.close()

