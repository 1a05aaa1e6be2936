"""Suspending a notice keeps a firm line (`suspension_line_share`, opinion dynamics): the term, and what it
does to Seoul's choice between suspending and withdrawing a notice."""

from __future__ import annotations

from pathlib import Path

import pytest

from diplosim import load_scenario, run_ensemble
from diplosim.explore.notebook import with_parameters
from diplosim.model.choice import Terms
from diplosim.model.terms import line_kept
from diplosim.scenario.variants import without_given

REPO = Path(__file__).resolve().parent.parent


def _parameters(share: float):  # noqa: ANN202 - the shipped parameters with one value set
    return load_scenario(REPO / "scenarios" / "history" / "gsomia-2019.yaml").params.with_values(
        {"suspension_line_share": share}).as_parameters()


def test_keeping_the_line_spares_that_share_of_the_opinion_cost_and_nothing_else():
    value = Terms(process=1.0, threat_cooperation=2.0, opinion_dynamics=-4.0, issue_linkage=-0.5)
    kept = line_kept(value, _parameters(0.25))
    assert kept.opinion_dynamics == pytest.approx(-3.0)
    assert kept.total() == pytest.approx(value.total() + 1.0)
    for name in ("process", "threat_cooperation", "issue_linkage", "audience_costs"):
        assert getattr(kept, name) == getattr(value, name)
    assert line_kept(value, _parameters(0.0)).total() == pytest.approx(value.total())
    assert line_kept(value, _parameters(1.0)).opinion_dynamics == pytest.approx(0.0)


@pytest.mark.slow
def test_a_suspension_that_keeps_the_line_turns_more_notices_into_suspensions():
    """Free 2019 on the shipped parameters, 600 replications of seed 5 each, the share at 0 and at 1: the same
    runs up to the notice (the share acts only once a notice is pending), so the notices are the same ones
    and only what follows differs. With the opinion cost spared, suspending beats withdrawing more often.
    Tolerance: the gap must exceed 0.05 of the notices; at these sizes a share's standard error is about
    0.03, and the paired design removes most of it."""
    sc = without_given(load_scenario(REPO / "scenarios" / "history" / "gsomia-2019.yaml"))
    shares = {}
    for line in (0.0, 1.0):
        ens = run_ensemble(with_parameters(sc, {"params.suspension_line_share": line}), 600, 5)
        noticed = [r for r in ens.results if any(kind == "notice_given" for _, _, kind in r.moves)]
        suspended = [r for r in noticed if any(kind == "suspended" for _, _, kind in r.moves)]
        assert len(noticed) > 100, len(noticed)
        shares[line] = len(suspended) / len(noticed)
    assert shares[1.0] > shares[0.0] + 0.05, shares
