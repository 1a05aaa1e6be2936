"""A pact left standing is blamed less than an act (`tacit_renewal`): the term, and what it does to Seoul's
choice between giving notice on a pact in force (or ending a suspended one) and leaving it be."""

from __future__ import annotations

from pathlib import Path

import pytest

from diplosim import load_scenario, run_ensemble
from diplosim.explore.notebook import with_parameters
from diplosim.model.choice import Terms
from diplosim.model.terms import left_standing
from diplosim.scenario.variants import without_given

REPO = Path(__file__).resolve().parent.parent
EVERY = frozenset({"tacit_renewal", "two_level_game", "opinion_dynamics"})


def _parameters(share: float):  # noqa: ANN202 - the shipped parameters with one value set
    return load_scenario(REPO / "scenarios" / "history" / "gsomia-2017.yaml").params.with_values(
        {"tacit_renewal_share": share}).as_parameters()


def test_a_standing_pact_counts_that_share_of_its_domestic_costs_and_all_of_its_domestic_support():
    costly = Terms(process=1.0, threat_cooperation=2.0, two_level_game=-2.0, opinion_dynamics=-4.0,
                   issue_linkage=-0.5)
    left = left_standing(costly, _parameters(0.25), EVERY)
    assert left.two_level_game == pytest.approx(-0.5)
    assert left.opinion_dynamics == pytest.approx(-1.0)
    assert left.total() == pytest.approx(costly.total() + 4.5)
    for name in ("process", "threat_cooperation", "issue_linkage", "audience_costs"):
        assert getattr(left, name) == getattr(costly, name)
    assert left_standing(costly, _parameters(1.0), EVERY).total() == pytest.approx(costly.total())
    # support from an opposition for the pact is what a notice forfeits by an act: counted in full
    supported = Terms(process=1.0, two_level_game=3.0, opinion_dynamics=-1.0)
    assert left_standing(supported, _parameters(0.0), EVERY).two_level_game == pytest.approx(3.0)
    assert left_standing(supported, _parameters(0.0), EVERY).opinion_dynamics == pytest.approx(0.0)
    # the mechanism switched off: the value as it is, whatever the share
    assert left_standing(costly, _parameters(0.0), EVERY - {"tacit_renewal"}).total() == pytest.approx(costly.total())


def _share(sc, share: float, kind: str) -> float:  # noqa: ANN001 - a loaded scenario
    ens = run_ensemble(with_parameters(sc, {"params.tacit_renewal_share": share}), 600, 5)
    return sum(any(k == kind for _, _, k in r.moves) for r in ens.results) / len(ens.results)


@pytest.mark.slow
def test_a_pact_left_standing_draws_fewer_notices_and_fewer_endings():
    """Free 2017 (a pact in force) and free 2020 (a suspended notice), 600 replications of seed 5 each, the
    share at 0 and at 1 on the shipped parameters otherwise. With the standing pact's domestic costs not
    counted, giving notice in 2017 and ending the pact in 2020 are rarer. Tolerance: each gap must exceed
    0.05 of the runs; at these sizes a share's standard error is about 0.02, and both runs of a pair draw
    the same random numbers, so most of it cancels. Measured on the shipped posterior: 2017 0.08 against 0.43,
    2020 0.08 against 0.22."""
    for name, kind in (("gsomia-2017", "notice_given"), ("gsomia-2020", "terminated")):
        sc = without_given(load_scenario(REPO / "scenarios" / "history" / f"{name}.yaml"))
        none, full = _share(sc, 0.0, kind), _share(sc, 1.0, kind)
        assert full > none + 0.05, (name, none, full)
