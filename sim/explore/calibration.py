"""Calibration: one shared parameter set scored jointly on every episode.

The search runs in the unit cube of the declared bounds: a Latin hypercube
(``scipy.stats.qmc``) fills the space, the values in force are scored too, and
the rest of the budget refines around the best candidates with shrinking
Gaussian steps. Every candidate is scored on all episodes with the same
replication seeds (common random numbers), so differences between candidates
come from the parameters, not from noise. The accepted candidates, the best
tenth of all scored (at least ten), form an approximate posterior sample in
the manner of rejection ABC. See docs/calibration.md for the score.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import qmc

from ..model.engine import compile_scenario
from ..scenario.loader import Scenario
from ..scenario.params import ParameterSet
from .experiment import Runner, run_points
from .validation import EpisodeCheck, check_episode

DATE_SCALE_DAYS = 7.0
"""A date error of this many days costs as much as a halving of p(recorded)... times ln 2."""
POLL_SCALE_POINTS = 10.0
"""A poll RMSE of this many points costs one unit of loss."""
MISSING_DATE_DAYS = 90.0
"""Date error charged when no run reached a recorded step."""


@dataclass
class Candidate:
    """One scored parameter vector."""

    values: dict[str, float]
    loss: float
    parts: dict[str, float]
    origin: str


def episode_loss(check: EpisodeCheck, floor: float) -> tuple[float, dict[str, float]]:
    """Loss of one episode: -ln p(recorded) + dates + polls (lower is better)."""
    outcome = -math.log(max(check.p, floor))
    dates = 0.0
    for err in check.date_error_days.values():
        e = MISSING_DATE_DAYS if err is None else min(abs(err), MISSING_DATE_DAYS)
        dates += (e / DATE_SCALE_DAYS) ** 2 / max(1, len(check.date_error_days))
    polls = 0.0 if check.poll_rmse is None else (check.poll_rmse / POLL_SCALE_POINTS) ** 2
    return outcome + dates + polls, {"outcome": outcome, "dates": dates, "polls": polls}


def score(values: dict[str, float], scenarios: Sequence[Scenario], base: ParameterSet,
          runs: int, seed: int, runner: Runner) -> tuple[float, dict[str, float], list[EpisodeCheck]]:
    """Total loss of `values` over `scenarios`, its parts per episode, and the checks."""
    params = base.with_values(values)
    total = 0.0
    parts: dict[str, float] = {}
    checks = []
    models = [compile_scenario(dataclasses.replace(sc, params=params)) for sc in scenarios]
    for sc, model, results in zip(scenarios, models, run_points(models, runs, seed, runner), strict=True):
        check = check_episode(model, results)
        loss, p = episode_loss(check, 0.5 / runs)
        total += loss
        key = sc.name
        parts.update({f"{key}:{k}": round(v, 4) for k, v in p.items()})
        checks.append(check)
    return total, parts, checks


def _to_unit(values: dict[str, float], base: ParameterSet, names: Sequence[str]) -> np.ndarray:
    out = []
    for n in names:
        s = base.specs[n]
        out.append(0.0 if s.upper == s.lower else (values[n] - s.lower) / (s.upper - s.lower))
    return np.array(out)


def _from_unit(x: np.ndarray, base: ParameterSet, names: Sequence[str]) -> dict[str, float]:
    out = {}
    for n, u in zip(names, np.clip(x, 0.0, 1.0), strict=True):
        s = base.specs[n]
        out[n] = float(s.lower + u * (s.upper - s.lower))
    return out


def calibrate(scenarios: Sequence[Scenario], base: ParameterSet, budget: int, seed: int, runs: int,
              runner: Runner, progress: Callable[[int, int, float], None] | None = None,
              design_share: float = 0.3) -> dict[str, Any]:
    """Search the parameters within their bounds; return best, accepted and all candidates."""
    names = list(base.specs)
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(10**6,)))
    candidates: list[Candidate] = []

    def evaluate(values: dict[str, float], origin: str) -> None:
        loss, parts, _ = score(values, scenarios, base, runs, seed, runner)
        candidates.append(Candidate(values, loss, parts, origin))
        if progress is not None:
            progress(len(candidates), budget, min(c.loss for c in candidates))

    evaluate(base.values, "values in force")
    n_design = max(0, min(budget - 1, int(round(budget * design_share))))
    if n_design:
        design = qmc.LatinHypercube(d=len(names), seed=rng).random(n_design)
        for row in design:
            evaluate(_from_unit(row, base, names), "latin hypercube")
    remaining = budget - len(candidates)
    for i in range(remaining):
        ranked = sorted(candidates, key=lambda c: c.loss)
        parent = ranked[int(rng.integers(0, min(5, len(ranked))))]
        # steps shrink from 8% to 1% of each range as the budget is spent
        sigma = 0.08 * (0.01 / 0.08) ** (i / max(1, remaining - 1))
        x = _to_unit(parent.values, base, names)
        mask = rng.random(len(names)) < max(0.1, 4.0 / len(names))  # move a few coordinates at once
        x = np.where(mask, x + rng.normal(0.0, sigma, len(names)), x)
        evaluate(_from_unit(x, base, names), "refinement")
    ranked = sorted(candidates, key=lambda c: c.loss)
    accepted = ranked[: max(10, len(ranked) // 10)]
    return {"best": ranked[0], "accepted": accepted, "all": candidates, "names": names}
