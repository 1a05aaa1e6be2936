"""No declared parameter is inert in every recorded episode, unless it is declared fixed with the reason.

Each parameter goes one at a time from the lower to the upper bound of its prior, every other parameter at
its prior median, in free runs (nothing given) of every episode in `scenarios/history/`. What a replication
shows is what the scores and calibration targets read: its outcome, the month each stage of the pact was
reached, how many moves of each kind each actor made, and its approval at each poll (to 5 points). The two
runs share their random numbers (replication r of episode e draws from the same seed at both bounds), so a
parameter the model never reads, or reads where it cannot change anything, gives identical replications:
total-variation distance 0 between the two distributions by construction, with no sampling noise to
allow for. A parameter *moves* an episode when the distance is at least one replication's share. A first
pass runs RUNS = 20 common replications and stops at the first episode moved; a parameter it finds inert is
run again with RECHECK_RUNS = 80 in every episode, which misses an effect that changes a share q of one
episode's replications with chance (1 - q) ** 80 (4% for q = 0.04). A parameter inert in every episode
must carry `fixed=` with its reason (`sim/domain/parameters.py`); a parameter declared fixed must still be
inert, or its reason is stale.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Hashable

import numpy as np
import pytest

from diplosim import compile_scenario, load_scenario
from diplosim.domain.mechanisms import OFF_BY_DEFAULT
from diplosim.domain.parameters import PARAMETERS, Parameters
from diplosim.explore.identify import at_prior_medians
from diplosim.explore.targets import with_parameters
from diplosim.model.engine import Model, ReplicationResult, run_replication
from diplosim.scenario.shipped import HISTORY_DIR
from diplosim.scenario.variants import without_given

RUNS = 20
"""Common-random-number replications per episode and bound, first pass."""

RECHECK_RUNS = 80
"""Replications of the second pass, for a parameter the first found inert (some act on rare paths only:
`boycott_anti_japan_jump` shows in 2019 and `secrecy_backlash_jump` in 2016 only with 80)."""

FIRST = ("gsomia-2019", "gsomia-2012", "gsomia-2016")
"""Episodes tried first (the eventful ones, where most parameters act), so most parameters stop early."""


def observable(result: ReplicationResult) -> Hashable:
    """What the scores read of one replication: outcome, stage months, move counts, polls to 5 points."""
    stages = tuple(sorted((step, int(t // 30)) for step, t in result.stage_t.items()))
    moves = tuple(sorted(Counter((role, kind) for _, role, kind in result.moves).items()))
    polls = tuple(None if v is None else int(v // 5) for v in result.polls)
    return result.outcome, stages, moves, polls


def total_variation(a: list[Hashable], b: list[Hashable]) -> float:
    ca, cb = Counter(a), Counter(b)
    return 0.5 * sum(abs(ca[k] - cb[k]) for k in set(ca) | set(cb)) / len(a)


def _models(switch_on: frozenset[str] = frozenset()) -> list[Model]:
    """Every recorded episode in free runs at the prior medians; `switch_on`: mechanisms off by default to add."""
    paths = sorted(HISTORY_DIR.glob("*.yaml"), key=lambda p: (p.stem not in FIRST, FIRST.index(p.stem)
                                                               if p.stem in FIRST else 0, p.stem))
    scenarios = [load_scenario(p) for p in paths]
    medians = at_prior_medians(scenarios[0].params).fixed()
    return [compile_scenario(without_given(dataclasses.replace(sc, params=medians,
                                                               mechanisms=sc.mechanisms | switch_on)))
            for sc in scenarios]


def _runs(model: Model, values: dict[str, float], e: int, runs: int = RUNS) -> list[Hashable]:
    p = Parameters(**{**model.scenario.params.values, **values})
    varied = with_parameters(model, p)
    return [observable(run_replication(varied, np.random.default_rng(np.random.SeedSequence(0, spawn_key=(e, r))), r))
            for r in range(runs)]


def moved_episodes(models: list[Model], name: str, stop_at_first: bool, runs: int = RUNS) -> list[str]:
    """The episodes in which `name` at its lower bound and at its upper bound give different replications."""
    info = PARAMETERS[name]
    moved = []
    for e, model in enumerate(models):
        low, high = _runs(model, {name: info.lower}, e, runs), _runs(model, {name: info.upper}, e, runs)
        if total_variation(low, high) >= 1.0 / runs:
            moved.append(model.scenario.name)
            if stop_at_first:
                break
    return moved


@pytest.mark.slow
def test_no_declared_parameter_is_inert_in_every_episode_unless_declared_fixed():
    # a mechanism off by default (OFF_BY_DEFAULT) leaves its parameters inert in every shipped episode by
    # design: they are checked with it switched on, where they must act like any other
    models = _models()
    off = {n for n, info in PARAMETERS.items() if info.mechanism in OFF_BY_DEFAULT}
    inert = [n for n, info in PARAMETERS.items() if not info.fixed and n not in off
             and not moved_episodes(models, n, True) and not moved_episodes(models, n, True, RECHECK_RUNS)]
    assert not inert, (f"inert in free runs of every recorded episode: {', '.join(inert)}; remove them or declare "
                       "them fixed=... with the reason (sim/domain/parameters.py)")
    stale = {n: moved_episodes(models, n, True, RECHECK_RUNS) for n, info in PARAMETERS.items() if info.fixed}
    stale = {n: eps for n, eps in stale.items() if eps}
    assert not stale, f"declared fixed but they move an episode (the reason is stale): {stale}"
    switched = _models(OFF_BY_DEFAULT)
    inert_when_on = [n for n in sorted(off) if not moved_episodes(switched, n, True)
                     and not moved_episodes(switched, n, True, RECHECK_RUNS)]
    assert off and not inert_when_on, f"inert even with their mechanism switched on: {inert_when_on}"


def test_a_fixed_parameter_is_neither_calibrated_nor_without_a_reason():
    for name, info in PARAMETERS.items():
        if info.fixed:
            assert not info.calibrated and len(info.fixed) > 20, name


def test_the_check_tells_an_inert_parameter_from_one_that_acts():
    """The detector itself: a parameter the model reads in 2019 (patron_weight) moves it; the distance of a
    run with itself is 0."""
    models = [m for m in _models() if m.scenario.name.endswith("2019")]
    assert moved_episodes(models, "patron_weight", True)
    same = _runs(models[0], {}, 0)
    assert total_variation(same, _runs(models[0], {}, 0)) == 0.0
