"""Ensembles: many replications from one root seed, and their summary.

Replication i draws from its own generator, seeded by
``SeedSequence(root_seed, spawn_key=(i,))`` (the i-th child of the root), so
its result does not depend on how many replications run, in what order, or
in how many workers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..domain.variables import STATE_NAMES
from ..files import to_frame
from ..model.engine import Model, ReplicationResult, compile_scenario, run_replication
from ..model.outcomes import median, wilson_interval
from ..scenario.loader import EXECUTIVE_CHOICES, ROLES, Scenario, Trigger
from ..scenario.variants import deciding

Progress = Callable[[int, int], None]
"""Called as progress(done, total) while an ensemble runs."""

RECORDED_STAGES: tuple[str, ...] = (
    "negotiating", "initialled", "cabinet_approved", "in_force", "collapsed",
    "notice_given", "suspended", "terminated", "normalised",
)
"""Stages whose first date a replication row records."""

ROW_COLUMNS: tuple[str, ...] = (
    "replication", "root_seed", "outcome", "date", *(f"{s}_date" for s in RECORDED_STAGES),
    *STATE_NAMES, "events", "error",
)
"""The columns of `replication_row`, in order."""


MAX_RUNS = 10_000_000
"""Most replications one ensemble runs (a run store and the summary hold them all)."""
MAX_SEED = 2**63 - 1
"""Largest root seed (seeds run from 0, numpy's SeedSequence takes no negative entropy)."""


def check_runs_and_seed(runs: int, seed: int) -> None:
    """Raise ValueError unless `runs` (1 to MAX_RUNS) and `seed` (0 to MAX_SEED) are whole numbers in range."""
    for name, value, low, high in (("runs", runs, 1, MAX_RUNS), ("seed", seed, 0, MAX_SEED)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer):
            raise ValueError(f"{name} must be a whole number, found {value!r}")
        if not low <= value <= high:
            raise ValueError(f"{name} must be from {low:,} to {high:,}, found {value:,}")


def replication_rng(root_seed: int, index: int) -> np.random.Generator:
    """The generator of replication `index` under `root_seed`."""
    return np.random.default_rng(np.random.SeedSequence(root_seed, spawn_key=(index,)))


ERROR_OUTCOME = "error"
"""The outcome of a replication that raised instead of finishing."""


def run_one(model: Model, root_seed: int, index: int, **kwargs: Any) -> ReplicationResult:
    """Replication `index` of `model` under `root_seed`.

    A replication that raises does not stop the ensemble: it comes back with
    outcome ``"error"`` and the error as ``"Type: message"``, so the batch
    goes on, the summary counts it and the seed that reproduces it is known.
    """
    try:
        return run_replication(model, replication_rng(root_seed, index), index, **kwargs)
    except Exception as exc:  # noqa: BLE001 - recorded per replication, never swallowed silently
        return failed_replication(index, exc)


def failed_replication(index: int, exc: BaseException) -> ReplicationResult:
    """The result recorded for replication `index` when it raised `exc`."""
    text = " ".join(f"{type(exc).__name__}: {exc}".split())
    return ReplicationResult(index=index, outcome=ERROR_OUTCOME, outcome_t=None, stage_t={}, final={},
                             polls=[], events=0, error=text)


def run_indices(model: Model, root_seed: int, indices: Iterable[int]) -> list[ReplicationResult]:
    """Run the given replications in this process, in order."""
    return [run_one(model, root_seed, i) for i in indices]


@dataclass
class Ensemble:
    """The results of an ensemble, with the scenario and seed that made them."""

    model: Model
    seed: int
    results: list[ReplicationResult]
    ensemble_id: int | None = None
    """Its id in the run store, when it was stored."""

    @property
    def scenario(self) -> Scenario:
        return self.model.scenario

    @property
    def runs(self) -> int:
        return len(self.results)

    def outcome_names(self) -> list[str]:
        """Every possible outcome of the scenario, then any other seen."""
        names = list(self.scenario.outcomes)
        names += sorted({r.outcome for r in self.results} - set(names))
        return names

    def probability(self, outcome: str) -> float:
        """Share of replications that ended in `outcome`."""
        return sum(r.outcome == outcome for r in self.results) / max(1, self.runs)

    def summary(self) -> dict[str, Any]:
        """The JSON-able summary: each outcome's probability, 95% Wilson interval and median date."""
        return summarise(self.model, self.seed, self.results, self.outcome_names())

    def rows(self) -> list[dict[str, Any]]:
        """One plain row per replication (for tables and the run store)."""
        return [replication_row(self.model, self.seed, r) for r in self.results]

    def to_frame(self) -> Any:
        """The rows as a pandas DataFrame, one row per replication (needs the `frame` extra)."""
        return to_frame(self.rows())


MAX_FAILED_LISTED = 20
"""Most failed replications the summary lists by index and error (all are counted)."""


def summarise(model: Model, seed: int, results: Sequence[ReplicationResult],
              names: Sequence[str]) -> dict[str, Any]:
    """Summary dict of `results` (see `Ensemble.summary`)."""
    n = len(results)
    counts = Counter(r.outcome for r in results)
    outcomes: dict[str, Any] = {}
    for name in names:
        k = counts.get(name, 0)
        lo, hi = wilson_interval(k, n)
        times = [r.outcome_t for r in results if r.outcome == name and r.outcome_t is not None]
        mt = median(times)
        outcomes[name] = {
            "p": round(k / n, 6) if n else 0.0,
            "ci": [round(lo, 6), round(hi, 6)],
            "count": k,
            "median_date": model.date(mt).isoformat() if mt is not None else None,
        }
    modal = max(names, key=lambda name: (counts.get(name, 0), -names.index(name))) if names else None
    errors = sum(r.error is not None for r in results)
    failed = [{"replication": r.index, "error": r.error} for r in results if r.error is not None]
    sc = model.scenario
    return {
        "scenario": sc.name,
        "file": sc.path,
        "sha256": sc.sha256,
        "runs": n,
        "seed": seed,
        "parameters": sc.params.source(),
        "assumptions": who_decides(sc),
        "outcomes": outcomes,
        "modal_outcome": modal,
        "errors": errors,
        "failed": failed[:MAX_FAILED_LISTED],
    }


def who_decides(sc: Scenario) -> dict[str, Any]:
    """Who decides in `sc` and what it gives them instead.

    ``decide``: the actors who take initiatives of their own; ``silent``: those who
    take none (they still answer and react); ``given``: the moves the file keeps as
    declared assumptions (``given: true``), which happen whatever the actors decide;
    ``choices``: Seoul's choices the file fixes; ``free``: whether there is none of
    these (every actor decides, nothing given) and, if not, ``free_run``: how to get it.
    """
    roles = [role for role in ROLES if role in sc.actors]
    executive = sc.actors["executive"].facts if "executive" in sc.actors else {}
    out: dict[str, Any] = {
        "decide": [sc.actors[r].name for r in roles if deciding(sc, r)],
        "silent": [sc.actors[r].name for r in roles if not deciding(sc, r)],
        "given": [{"id": tr.id, "move": tr.kind, "by": _actor_name(sc, tr.by), "when": trigger_when(tr)}
                  for tr in sc.triggers if tr.given],
        "choices": {name: executive[name] for name in EXECUTIVE_CHOICES if name in executive},
    }
    out["free"] = not (out["silent"] or out["given"] or out["choices"])
    if not out["free"]:
        out["free_run"] = FREE_RUN
    return out


FREE_RUN = ("no move given and every actor deciding, as validate's free mode: `run --mode free`, or "
            "run_ensemble(diplosim.explore.validation.mode_variant(scenario, 'free'))")
"""How to get the free run of a scenario that gives moves or silences actors (in its summary)."""


def _actor_name(sc: Scenario, role: str | None) -> str | None:
    return sc.actors[role].name if role is not None and role in sc.actors else role


def trigger_when(tr: Trigger) -> str:
    """When a trigger fires, in a few words: its date, window, rate or the event it follows."""
    if tr.at is not None:
        return tr.at.isoformat()
    if tr.between is not None:
        return f"{tr.between[0].isoformat()} to {tr.between[1].isoformat()}"
    return f"after {tr.after}" if tr.after is not None else "by rate"


def replication_row(model: Model, seed: int, r: ReplicationResult) -> dict[str, Any]:
    """A replication as a flat row: seed index, outcome, dates, final state."""
    row: dict[str, Any] = {
        "replication": r.index,
        "root_seed": seed,
        "outcome": r.outcome,
        "date": _iso(model, r.outcome_t),
    }
    for stage in RECORDED_STAGES:
        row[f"{stage}_date"] = _iso(model, r.stage_t.get(stage))
    for name in STATE_NAMES:
        row[name] = round(r.final[name], 6) if name in r.final else ""
    row["events"] = r.events
    row["error"] = r.error or ""
    return row


def _iso(model: Model, t: float | None) -> str:
    return model.date(t).isoformat() if t is not None else ""


def run_ensemble(scenario: Scenario | Model, runs: int = 1000, seed: int = 0, *,
                 progress: Progress | None = None, chunk: int = 250, workers: int | None = 1) -> Ensemble:
    """Run `runs` replications of `scenario` from root seed `seed`.

    `workers` is the command line's ``--workers``: the number of processes (None:
    all cores). The default, 1, runs in this process. The results are the same for
    any number of workers: replication i always draws from the i-th child seed.
    Raises ValueError for runs below 1, a seed outside 0 to MAX_SEED, or workers
    or chunk below 1.
    """
    check_runs_and_seed(runs, seed)
    if chunk < 1:
        raise ValueError(f"chunk must be at least 1, found {chunk}")
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1 (or None for all cores), found {workers}")
    model = scenario if isinstance(scenario, Model) else compile_scenario(scenario)
    if workers != 1:
        from .parallel import run_parallel  # imports this module: loaded only when asked for

        return run_parallel(model, runs, seed, workers, progress, chunk=chunk)
    results: list[ReplicationResult] = []
    for lo in range(0, runs, chunk):
        results.extend(run_indices(model, seed, range(lo, min(runs, lo + chunk))))
        if progress is not None:
            progress(len(results), runs)
    return Ensemble(model, seed, results)

