"""Calibration targets: how far one replication of each episode is from its record.

Every target is a number in [0, 1], 0 where the replication agrees with the
record, so that a calibration can add them and an identifiability analysis
can compare them:

- ``outcome``: 0 if the replication ends in the recorded outcome, else 1;
- ``date:STEP``: for each recorded date of the agreement's lifecycle, the
  gap in days (at most 90) over 90; 1 when the step is never reached;
- ``move:LABEL``: for each move on the record (``record.moves``), 0 if the
  model's actor agrees (made it, near the recorded date for ``at``: the gap
  over 90 as for dates; made it in the span for ``between``; never made it
  for ``never``), else 1;
- ``polls``: the root-mean-square gap between simulated approval and the
  approval polls, over 30 points (at most 1).

Each episode runs **free** (every assumption of its file removed), so the
targets score what the model's actors do, never the moves a file gives.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..domain.parameters import Parameters
from ..domain.variables import VARIABLES
from ..model.engine import Model, ReplicationResult, compile_scenario, run_replication
from ..scenario.loader import RecordedMove, Scenario
from ..scenario.params import ParameterSet
from ..scenario.variants import without_given

DATE_SCALE_DAYS = 90.0
"""A date this many days off (or more) counts as fully missed."""
POLL_SCALE_POINTS = 30.0
"""An approval RMSE of this many points (or more) counts as fully missed."""
WEIGHTS = {"outcome": 1.0, "steps": 0.5, "polls": 0.25}
"""How the targets of one episode add up to its distance: the outcome, the mean of its dates and moves,
and its polls (docs/calibration.md)."""


def episode_key(sc: Scenario) -> str:
    """A short, stable name for an episode: its file's stem."""
    return Path(sc.path).stem


def target_names(sc: Scenario) -> list[str]:
    """The targets of one episode, in a fixed order (``stem:kind[:what]``)."""
    rec = sc.record
    if rec is None:
        return []
    key = episode_key(sc)
    out = [f"{key}:outcome"]
    out += [f"{key}:date:{step}" for step in rec.dates]
    out += [f"{key}:move:{move.label}" for move in rec.moves]
    if any("approval" in tr.observed for tr in sc.polls):
        out.append(f"{key}:polls")
    return out


def _gap(t: float | None, when: float) -> float:
    return 1.0 if t is None else min(abs(t - when), DATE_SCALE_DAYS) / DATE_SCALE_DAYS


def _move_gap(model: Model, result: ReplicationResult, move: RecordedMove) -> float:
    sc = model.scenario
    times = [t for t, role, kind in result.moves if role == move.by and kind == move.kind]
    if move.never:
        return 0.0 if not times else 1.0
    if move.between is not None:
        lo, hi = sc.t(move.between[0]), sc.t(move.between[1]) + 1.0
        return 0.0 if any(lo <= t < hi for t in times) else 1.0
    assert move.at is not None
    return _gap(times[0] if times else None, sc.t(move.at))


def replication_targets(model: Model, result: ReplicationResult) -> dict[str, float]:
    """Each target of the episode for one replication (see the module's docstring)."""
    sc = model.scenario
    rec = sc.record
    if rec is None:
        return {}
    key = episode_key(sc)
    out = {f"{key}:outcome": 0.0 if result.outcome == rec.outcome else 1.0}
    for step, when in rec.dates.items():
        out[f"{key}:date:{step}"] = _gap(result.stage_t.get(step), sc.t(when))
    for move in rec.moves:
        out[f"{key}:move:{move.label}"] = _move_gap(model, result, move)
    gaps = [sim - tr.observed["approval"] for tr, sim in zip(sc.polls, result.polls, strict=True)
            if "approval" in tr.observed and sim is not None]
    if gaps:
        rmse = math.sqrt(sum(g * g for g in gaps) / len(gaps))
        out[f"{key}:polls"] = min(rmse, POLL_SCALE_POINTS) / POLL_SCALE_POINTS
    return out


def distance(targets: Mapping[str, float], episode_weights: Mapping[str, float] | None = None) -> float:
    """The calibration distance of a set of target values: per episode, the outcome, the mean of its
    dates and moves and its polls, weighted by WEIGHTS; summed over the episodes, each times its weight in
    `episode_weights` (by `episode_key`; 1 where absent or without it)."""
    episodes: dict[str, dict[str, list[float]]] = {}
    for name, value in targets.items():
        key, kind = name.split(":", 2)[:2]
        group = "steps" if kind in ("date", "move") else kind
        episodes.setdefault(key, {}).setdefault(group, []).append(value)
    total = 0.0
    for key, groups in episodes.items():
        weight = 1.0 if episode_weights is None else episode_weights.get(key, 1.0)
        for group, values in groups.items():
            total += weight * WEIGHTS[group] * sum(values) / len(values)
    return total


def kind_weights(kinds: Mapping[str, bool]) -> dict[str, float]:
    """Episode weights under which the eventful episodes and the quiet ones weigh the same in the distance,
    whatever their numbers: an episode of a kind with k of the n episodes weighs n / (2 k), so the weights
    still add up to n, and every weight is 1 when the two kinds are as many (or one kind is missing).
    `kinds` maps each episode's key to whether it is eventful (`validation.eventful`)."""
    n = len(kinds)
    eventful = sum(kinds.values())
    if eventful in (0, n):
        return dict.fromkeys(kinds, 1.0)
    return {key: n / (2 * (eventful if is_eventful else n - eventful)) for key, is_eventful in kinds.items()}


def with_parameters(model: Model, p: Parameters) -> Model:
    """`model` with every replication using `p` (no posterior): what calibration varies."""
    return dataclasses.replace(
        model, p=p, draws=(), draw_cumulative=(),
        half_lives={name: getattr(p, spec.half_life_param) for name, spec in VARIABLES.items()},
        baselines={"approval": p.approval_norm} if model.baselines else {})


@dataclass
class EpisodeSet:
    """The calibration episodes, each compiled once in free mode with fixed parameters."""

    models: list[Model]
    base: ParameterSet

    @classmethod
    def of(cls, scenarios: Sequence[Scenario], base: ParameterSet) -> EpisodeSet:
        fixed = base.fixed()
        models = [compile_scenario(dataclasses.replace(without_given(sc), params=fixed)) for sc in scenarios
                  if sc.record is not None]
        return cls(models, fixed)

    @property
    def names(self) -> list[str]:
        """Every target of every episode, in order."""
        return [name for m in self.models for name in target_names(m.scenario)]

    def parameters(self, values: Mapping[str, float]) -> Parameters:
        """The typed parameters: the base values with `values` in their place."""
        return Parameters(**{**self.base.values, **values})

    def simulate(self, values: Mapping[str, float], seed: np.random.SeedSequence, runs: int = 1) -> dict[str, float]:
        """Each target's mean over `runs` replications of every episode with `values` (the rest at the
        base), replication r of episode e drawing from the child (e, r) of `seed`."""
        p = self.parameters(values)
        out: dict[str, float] = {}
        for e, model in enumerate(self.models):
            varied = with_parameters(model, p)
            sums: dict[str, float] = {}
            for r in range(runs):
                rng = np.random.default_rng(np.random.SeedSequence(seed.entropy, spawn_key=(*seed.spawn_key, e, r)))
                try:
                    got = replication_targets(varied, run_replication(varied, rng, r))
                except (ArithmeticError, ValueError):  # a replication that fails misses every target
                    got = dict.fromkeys(target_names(model.scenario), 1.0)
                for name, value in got.items():
                    sums[name] = sums.get(name, 0.0) + value
            out.update({name: total / runs for name, total in sums.items()})
        return out
