"""Directions the record implies (issue 26), each on the shipped parameters in free runs (every actor
decides, nothing given): what a counterfactual change does to the recorded outcome or move.

Each compares two ensembles of the same seed and size; the tolerance of each is stated where it is used.
Two directions the model does not yet produce (a public 2012 cabinet lowering collapse; 2016 without its nuclear
tests signing less or later) are not tests here, where they could only be skipped or expected to fail: issue 26
keeps them open, and `python bench/directions.py` prints where the model stands on all four.
"""

from __future__ import annotations

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
