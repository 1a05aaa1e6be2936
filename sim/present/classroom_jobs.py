"""The classroom page's runs: ensembles in chunks, in a background thread, readable as they grow.

A job runs one scenario (``now``), or two with common random numbers (``before`` and ``now``):
replication i of each draws from the same seed, so after every chunk both hold replications
0..n-1 and their paired difference (`explore.compare.difference`) is exact for those n. The page
polls the job's snapshot: outcome distribution, timing of the decisive steps and fan chart of each
scenario, and the difference. The "now" summary is `Ensemble.summary`, the one ``run`` prints.
A story (`StoryJob`) is a job too: every simulation the server runs waits its turn in the one
queue, never in a request's thread.

The board (`JobBoard`) refuses a job (`Busy`) past its caps: a client (an address, and a page by
the id it sends) may have at most `MAX_CLIENT_JOBS` / `MAX_PAGE_JOBS` jobs and
`MAX_CLIENT_REPLICATIONS` / `MAX_PAGE_REPLICATIONS` replications waiting or running, and the
server at most `MAX_QUEUED_JOBS` and `MAX_QUEUED_REPLICATIONS` in all.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import Counter, OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..explore.compare import difference, outcome_names
from ..model.engine import Model, ReplicationResult
from ..model.outcomes import median
from ..run.ensemble import RECORDED_STAGES, Ensemble, run_indices, run_one
from ..run.fan import FanReducer
from .classroom_state import MAX_PAGE_RUNS, Prepared
from .run_figures import scenario_context
from .story import outcome_share_line, tell

CHUNK = 50
"""Replications per scenario between two snapshots' worth of work."""
SNAPSHOT_SECONDS = 0.25
"""Shortest time between two snapshots (each costs the fan's quantiles and a bootstrap)."""
FAN_VARIABLES = ("approval", "threat")
"""The state variables the page draws as fan charts."""
MAX_JOBS_KEPT = 32
"""Most finished jobs remembered; the oldest are forgotten first (a finished job keeps only its
last snapshot, a few tens of KiB)."""
PRESS_REPLICATIONS = 3 * MAX_PAGE_RUNS + 1
"""What one press of the run button costs at the largest run: a comparison (2 x `MAX_PAGE_RUNS`)
and its story (`MAX_PAGE_RUNS` + 1)."""
MAX_PAGE_JOBS = 3
"""Most jobs one page (by the client id it sends) may have waiting or running."""
MAX_PAGE_REPLICATIONS = PRESS_REPLICATIONS
"""Most replications one page may have waiting or running: one press at the largest run."""
MAX_CLIENT_JOBS = 6
"""Most jobs one client address may have waiting or running (two pages' worth)."""
MAX_CLIENT_REPLICATIONS = 2 * PRESS_REPLICATIONS
"""Most replications one client address may have waiting or running."""
MAX_QUEUED_JOBS = 32
"""Most jobs waiting or running in all."""
MAX_QUEUED_REPLICATIONS = 200_000
"""Most replications waiting or running in all (about four minutes of the one worker)."""
ASSUMED_RATE = 500.0
"""Replications a second the worker is assumed to run (for 'try again in N s') until a finished job
measures it."""


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
    """One scenario of a job: its replications so far and their fan-chart histograms."""

    def __init__(self, label: str, prepared: Prepared) -> None:
        self.label = label
        self.prepared = prepared
        self.model = prepared.model
        self.results: list[ReplicationResult] = []
        self.fan = FanReducer.for_model(self.model)
        context = scenario_context(prepared.scenario)
        context["file"] = prepared.filename  # not the private folder's path
        self.context = context

    def run(self, seed: int, lo: int, hi: int) -> None:
        """Run replications lo..hi-1 and reduce their trajectories."""
        for i in range(lo, hi):
            result = run_one(self.model, seed, i, record_changes=True)
            if result.error is None:  # a replication that raised has no trajectory
                self.fan.add(result)
            result.changes = None
            self.results.append(result)

    def release(self) -> None:
        """Let the replications and histograms go (once the last snapshot is made)."""
        self.results = []
        self.fan = FanReducer([0.0], self.fan.half_lives, self.fan.variables, bins=1)

    def view(self, seed: int) -> dict[str, Any]:
        """The side's part of a snapshot."""
        summary = Ensemble(self.model, seed, list(self.results)).summary()
        summary["file"] = self.prepared.filename
        return {"label": self.label, "name": self.model.scenario.name, "file": self.prepared.filename,
                "episode": self.prepared.episode.ident, "changes": list(self.prepared.changes),
                "summary": summary, "context": self.context,
                "timing": stage_timing(self.model, self.results), "fan": fan_view(self.fan, self.model)}


@dataclass(frozen=True)
class Client:
    """Who asked for a job: the connection's address, and the id the page sends (None without one)."""

    address: str
    page: str | None = None


LOCAL = Client("local")
"""The client of a request that came from no socket (the tests call the app directly)."""


class Busy(Exception):
    """A job the board will not take now: HTTP `status` (429 a client's cap, 503 the server's), one
    line saying why and when to try again, and that wait in whole seconds (`retry_after`)."""

    def __init__(self, status: int, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after = status, message, retry_after


class BaseJob:
    """What the board needs of a job: an id, a cost in replications, progress, cancel, run, snapshot.

    `run` does all the simulation (in the board's worker), and a snapshot is plain JSON data."""

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
        """When the worker took it (None while it waits)."""
        self.finished: float | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._snapshot: dict[str, Any] = {}

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
        """Stop after the chunk in progress (or before the first, if it waits)."""
        self._stop.set()

    def run(self) -> None:
        """Run the job (in the board's worker), then publish its last snapshot."""
        self.ran = time.monotonic()
        self.status = "running"
        try:
            self.status = "cancelled" if self._stop.is_set() or self._work() else "done"
        except Exception as exc:  # noqa: BLE001 - shown on the page, not lost in a thread
            self.status, self.error = "failed", f"{type(exc).__name__}: {exc}"
        self.end()

    def end(self, status: str | None = None) -> None:
        """Mark the job finished (with `status`, if given) and publish its last snapshot."""
        if status is not None:
            self.status = status
        self.finished = time.monotonic()
        self._publish()
        self._release()

    def _work(self) -> bool:
        """Do the job's simulation; True when it stopped because it was cancelled."""
        raise NotImplementedError

    def _release(self) -> None:
        """Let what only the snapshot needed go."""

    def _publish(self) -> None:
        snapshot = self._build()
        with self._lock:
            self._snapshot = snapshot

    def _build(self) -> dict[str, Any]:
        raise NotImplementedError

    def snapshot(self) -> dict[str, Any]:
        """The latest snapshot (its status is the one its results belong with)."""
        with self._lock:
            return self._snapshot

    def _head(self) -> dict[str, Any]:
        return {"id": self.ident, "kind": self.kind, "status": self.status, "error": self.error,
                "seconds": round((self.finished or time.monotonic()) - self.started, 3)}


class Job(BaseJob):
    """One press of the page's run button."""

    kind = "run"

    def __init__(self, now: Prepared, before: Prepared | None) -> None:
        self.runs, self.seed = now.runs, now.seed
        self.sides = [Side("before", before)] if before is not None else []
        self.sides.append(Side("now", now))
        super().__init__(self.runs * len(self.sides))
        self._snapshot = self._build()

    def _work(self) -> bool:
        """Run every chunk, both sides in step, refreshing the snapshot as it goes."""
        last = 0.0
        for lo in range(0, self.runs, CHUNK):
            if self._stop.is_set():
                return True
            for side in self.sides:
                side.run(self.seed, lo, min(self.runs, lo + CHUNK))
            self.progress = len(self.sides) * min(self.runs, lo + CHUNK)
            if time.monotonic() - last >= SNAPSHOT_SECONDS:
                self._publish()
                last = time.monotonic()
        return False

    def _release(self) -> None:
        for side in self.sides:
            side.release()

    def _build(self) -> dict[str, Any]:
        sides = {side.label: side.view(self.seed) for side in self.sides}
        names = outcome_names([s.model for s in self.sides], [s.results for s in self.sides])
        done = len(self.sides[-1].results)
        diff = None
        if len(self.sides) == 2 and done:
            diff = difference(self.sides[0].results, self.sides[1].results, names, self.seed)
        return {**self._head(), "done": done, "runs": self.runs, "seed": self.seed, "outcomes": names,
                "now": sides["now"], "before": sides.get("before"), "difference": diff}


class StoryJob(BaseJob):
    """One replication told as a story, as ``run.py story --runs RUNS`` prints it: the replication,
    then the first RUNS replications in chunks (to say how common its ending is)."""

    kind = "story"

    def __init__(self, prepared: Prepared) -> None:
        super().__init__(prepared.runs + 1)
        self.prepared = prepared
        self.told: dict[str, Any] | None = None
        self._snapshot = self._build()

    def _work(self) -> bool:
        p = self.prepared
        told = tell(p.model, p.seed, p.story, 0)
        self.progress = 1
        if told["failed"] is None:
            counts: Counter[str] = Counter()
            for lo in range(0, p.runs, CHUNK):
                if self._stop.is_set():
                    return True
                hi = min(p.runs, lo + CHUNK)
                counts.update(r.outcome for r in run_indices(p.model, p.seed, range(lo, hi)) if r.error is None)
                self.progress = 1 + hi
            told["share"] = outcome_share_line(told["outcome"], counts, p.runs, p.seed)
        self.told = told
        return False

    def _build(self) -> dict[str, Any]:
        return {**self._head(), "done": self.progress, "runs": self.cost, "story": self.told}


class JobBoard:
    """The jobs of a server: run one at a time in one background thread (a queue, first come first
    served), found by id, cancelled; refused past the caps (see the module's docstring)."""

    def __init__(self, workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="classroom-job")
        self._jobs: OrderedDict[str, BaseJob] = OrderedDict()
        self._futures: dict[str, Future[None]] = {}
        self._lock = threading.Lock()
        self.rate = ASSUMED_RATE
        """Replications a second, as the last finished job measured it."""

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

    def submit(self, job: BaseJob, client: Client = LOCAL) -> None:
        """Queue `job` for `client`, or raise `Busy` if that would pass a cap."""
        job.client = client
        with self._lock:
            self._refuse_past_caps(job.cost, client)
            self._jobs[job.ident] = job
            finished = [k for k, j in self._jobs.items() if j.finished is not None]
            for key in finished[:max(0, len(finished) - MAX_JOBS_KEPT)]:
                del self._jobs[key]
                self._futures.pop(key, None)
            self._futures[job.ident] = self._pool.submit(self._run, job)

    def _run(self, job: BaseJob) -> None:
        job.run()
        if job.status == "done" and job.ran is not None and job.finished is not None and job.progress >= CHUNK:
            self.rate = max(1.0, job.progress / max(1e-3, job.finished - job.ran))

    def cancel(self, ident: str) -> BaseJob | None:
        """Cancel a job: one still waiting leaves the queue at once (so that cancelled jobs cannot pile
        up in it), the running one stops after its chunk. None if there is no such job."""
        with self._lock:
            job = self._jobs.get(ident)
            future = self._futures.get(ident)
        if job is None:
            return None
        job.cancel()
        if future is not None and future.cancel():
            job.end("cancelled")
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
        """Cancel every job and wait for the one running to stop (within a chunk)."""
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)

