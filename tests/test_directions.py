"""Directions the record implies (issue 26), each on the shipped parameters in free runs (every actor
decides, nothing given): what a counterfactual change does to the recorded outcome or move.

Each compares two ensembles of the same seed and size; the tolerance of each is stated where it is used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from diplosim import load_scenario, run_ensemble
from diplosim.scenario.loader import Scenario
from diplosim.scenario.variants import silenced, without_given, without_triggers

pytestmark = pytest.mark.slow  # a few seconds each: see pyproject.toml's markers

REPO = Path(__file__).resolve().parent.parent
RUNS = 1500
"""Replications per ensemble: a probability near 0.5 then has a standard error of 0.013, and the difference
of two such of about 0.018."""


def free(path: str) -> Scenario:
    """A shipped scenario in free mode (every actor decides, no move given)."""
    return without_given(load_scenario(REPO / "scenarios" / path))


def share(sc: Scenario, hit: Callable[..., bool]) -> float:
    """The share of `RUNS` replications (seed 3) for which `hit(result)` holds."""
    ens = run_ensemble(sc, RUNS, 3)
    return sum(hit(r) for r in ens.results) / RUNS


def notice(r) -> bool:  # noqa: ANN001 - a replication result
    return any(kind == "notice_given" for _, _, kind in r.moves)


@pytest.mark.xfail(strict=True, reason="the record's direction is not met: a public cabinet raises the free 2012 "
                   "collapse (0.557 against 0.488 with the shipped posterior); the veto players of issue 26 item 4 "
                   "are not built, and secrecy's backlash does not outweigh the discount it buys")
def test_a_public_2012_cabinet_lowers_collapse():
    sc = free("history/gsomia-2012.yaml")
    seoul = sc.actors["executive"]
    public_only = dataclasses.replace(sc, actors={**sc.actors, "executive": dataclasses.replace(
        seoul, facts={**seoul.facts, "cabinet_process": "public"})})  # as scenarios/counterfactuals/ says
    secret_or_public = share(sc, lambda r: r.outcome == "collapsed")
    public = share(public_only, lambda r: r.outcome == "collapsed")
    assert public < secret_or_public - 0.03, (public, secret_or_public)  # over 1.5 standard errors of the gap


@pytest.mark.xfail(strict=True, reason="the record's direction is not met: without the nuclear tests the free 2016 "
                   "signing is 0.881 against 0.863, and signed by September 0.621 against 0.629; 2016's constraints "
                   "(issue 26 item 6) are not built, so threat mostly brings talks forward into a hostile year")
def test_removing_2016s_nuclear_tests_lowers_or_delays_signing():
    sc = free("history/gsomia-2016.yaml")
    tests = [tr.id for tr in sc.triggers if tr.kind == "nuclear_test"]
    assert tests
    without = without_triggers(sc, tests)
    signed_by_september = [share(s, lambda r: r.outcome == "signed" and r.stage_t.get("in_force", 1e9) < 244)
                           for s in (sc, without)]
    signed = [share(s, lambda r: r.outcome == "signed") for s in (sc, without)]
    assert signed[1] < signed[0] - 0.03 or signed_by_september[1] < signed_by_september[0] - 0.03, \
        (signed, signed_by_september)


def test_removing_japans_measures_from_free_2019_lowers_notice():
    sc = free("history/gsomia-2019.yaml")
    with_measures = share(sc, notice)
    without_measures = share(silenced(sc, ["counterpart"]), notice)  # Tokyo takes no initiative: no measures
    assert without_measures < with_measures - 0.1, (without_measures, with_measures)


def test_the_2018_rulings_move_seouls_notice_only_through_tokyos_answer():
    sc = silenced(free("history/gsomia-2018.yaml"), ["counterpart"])  # Tokyo does not answer the rulings
    rulings = [tr.id for tr in sc.triggers if tr.kind == "court_ruling"]
    assert rulings
    with_rulings = share(sc, notice)
    without_rulings = share(without_triggers(sc, rulings), notice)
    # no path from a ruling to Seoul but Tokyo's answer: the same within 0.04 (over 2 standard errors)
    assert abs(with_rulings - without_rulings) < 0.04, (with_rulings, without_rulings)
    answered = share(free("history/gsomia-2018.yaml"), notice)  # Tokyo free to answer them
    unanswered_no_rulings = share(without_triggers(free("history/gsomia-2018.yaml"), rulings), notice)
    assert answered > unanswered_no_rulings, (answered, unanswered_no_rulings)
