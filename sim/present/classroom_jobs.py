"""The classroom page's runs: ensembles in chunks, in a background thread, readable as they grow.

A job runs one scenario (``now``), or two with common random numbers (``before`` and ``now``):
replication i of each draws from the same seed, so after every chunk both hold replications
0..n-1 and their paired difference (`explore.compare.difference`) is exact for those n. The page
polls the job's snapshot: outcome distribution, timing of the decisive steps and fan chart of each
scenario, and the difference. The "now" summary is `Ensemble.summary`, the one ``run`` prints.
"""

from __future__ import annotations

import math
import secrets
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from ..explore.compare import difference, outcome_names
from ..model.engine import Model, ReplicationResult
from ..model.outcomes import median
from ..run.ensemble import RECORDED_STAGES, Ensemble, run_one
from ..run.fan import FanReducer
from .classroom_state import Prepared
from .run_figures import scenario_context
from .story import tell

CHUNK = 50
"""Replications per scenario between two snapshots' worth of work."""
SNAPSHOT_SECONDS = 0.25
"""Shortest time between two snapshots (each costs the fan's quantiles and a bootstrap)."""
FAN_VARIABLES = ("approval", "threat")
"""The state variables the page draws as fan charts."""
MAX_JOBS_KEPT = 32
"""Most jobs remembered; the oldest finished ones are forgotten first (a finished job keeps only its
last snapshot, a few tens of KiB)."""


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


class Job:
    """One press of the page's run button."""

    def __init__(self, now: Prepared, before: Prepared | None) -> None:
        self.ident = secrets.token_hex(8)
        self.runs, self.seed = now.runs, now.seed
        self.sides = [Side("before", before)] if before is not None else []
        self.sides.append(Side("now", now))
        self.status = "queued"
        self.error: str | None = None
        self.started = time.monotonic()
        self.finished: float | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._snapshot = self._build()

    def cancel(self) -> None:
        """Stop after the chunk in progress."""
        self._stop.set()

    def run(self) -> None:
        """Run every chunk, both sides in step, refreshing the snapshot as it goes."""
        self.status = "running"
        last = 0.0
        try:
            for lo in range(0, self.runs, CHUNK):
                if self._stop.is_set():
                    self.status = "cancelled"
                    break
                for side in self.sides:
                    side.run(self.seed, lo, min(self.runs, lo + CHUNK))
                if time.monotonic() - last >= SNAPSHOT_SECONDS:
                    self._publish()
                    last = time.monotonic()
            else:
                self.status = "done"
        except Exception as exc:  # noqa: BLE001 - shown on the page, not lost in a thread
            self.status, self.error = "failed", f"{type(exc).__name__}: {exc}"
        self.finished = time.monotonic()
        self._publish()
        for side in self.sides:
            side.release()

    def _publish(self) -> None:
        snapshot = self._build()
        with self._lock:
            self._snapshot = snapshot

    def _build(self) -> dict[str, Any]:
        sides = {side.label: side.view(self.seed) for side in self.sides}
        names = outcome_names([s.model for s in self.sides], [s.results for s in self.sides])
        done = len(self.sides[-1].results)
        diff = None
        if len(self.sides) == 2 and done:
            diff = difference(self.sides[0].results, self.sides[1].results, names, self.seed)
        return {"id": self.ident, "status": self.status, "error": self.error, "done": done, "runs": self.runs,
                "seed": self.seed, "outcomes": names, "now": sides["now"], "before": sides.get("before"),
                "difference": diff, "seconds": round((self.finished or time.monotonic()) - self.started, 3)}

    def snapshot(self) -> dict[str, Any]:
        """The latest snapshot (its status is the one its results belong with)."""
        with self._lock:
            return self._snapshot


class JobBoard:
    """The jobs of a server: started in one background thread (a queue), found by id, cancelled."""

    def __init__(self, workers: int = 1) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="classroom-job")
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, now: Prepared, before: Prepared | None) -> Job:
        """Queue a job for `now` (and `before`, paired)."""
        job = Job(now, before)
        with self._lock:
            self._jobs[job.ident] = job
            finished = [k for k, j in self._jobs.items() if j.finished is not None]
            for key in finished[:max(0, len(self._jobs) - MAX_JOBS_KEPT)]:
                del self._jobs[key]
        self._pool.submit(job.run)
        return job

    def get(self, ident: str) -> Job | None:
        with self._lock:
            return self._jobs.get(ident)

    def close(self) -> None:
        """Cancel every job and wait for the one running to stop (within a chunk)."""
        with self._lock:
            jobs = list(self._jobs.values())
        for job in jobs:
            job.cancel()
        self._pool.shutdown(wait=True, cancel_futures=True)


def told(prepared: Prepared) -> dict[str, Any]:
    """One replication of a prepared state told as a story: what ``run.py story --runs RUNS`` prints."""
    return tell(prepared.model, prepared.seed, prepared.story, prepared.runs)
