"""Issue 26 items 2 and 5 as pure terms: the patron's expected mediation in a notice's leverage, and
abandonment fear in both allies' value of the pact (no simulation; the hand-set parameters of the
mechanism tests)."""

from __future__ import annotations

import numpy as np
import pytest

from diplosim.domain.mechanisms import ALL_MECHANISMS
from diplosim.domain.variables import VARIABLES
from diplosim.model.terms import leverage, mediated, notice_leverage, pact_value, tokyo_consent
from diplosim.model.triggers import apply_effect
from diplosim.model.world import State, World
from diplosim.scenario.params import load_parameters
from tests.conftest import MECHANISM_PARAMS

P = load_parameters(MECHANISM_PARAMS).as_parameters()
ALL = frozenset(ALL_MECHANISMS)


def state(**values: float) -> State:
    base = {"threat": 0.3, "approval": 40.0, "anti_japan": 0.3, "mobilisation": 0.1, "us_pressure": 0.0,
            "trade_dispute": 0.5, "grievance": 0.2, "abandonment": 0.0}
    return State(**(base | values))


def test_mediation_scales_the_leverage_with_washingtons_observed_pressure():
    value = 2.0
    quiet, pressing = mediated(value, state(us_pressure=0.0), P, ALL), mediated(value, state(us_pressure=0.8), P, ALL)
    assert quiet.issue_linkage == pressing.issue_linkage == value
    assert quiet.quasi_alliance == 0.0
    assert pressing.quasi_alliance == pytest.approx(P.mediation_weight * 0.8 * value)
    assert mediated(value, state(us_pressure=0.8), P, ALL - {"quasi_alliance"}).quasi_alliance == 0.0


def test_a_notice_and_a_pending_notice_are_worth_more_when_washington_presses_and_nothing_without_measures():
    for u in (0.2, 0.9):
        assert (notice_leverage(state(us_pressure=0.6), P, ALL, u).total()
                > notice_leverage(state(us_pressure=0.0), P, ALL, u).total())
        assert leverage(state(us_pressure=0.6), P, ALL, u).total() > leverage(state(us_pressure=0.0), P, ALL, u).total()
    # the mediation works on Tokyo's measures: with none in force there is nothing to mediate
    assert notice_leverage(state(us_pressure=0.9, trade_dispute=0.0), P, ALL, 0.9).total() == 0.0
    assert notice_leverage(state(us_pressure=0.9), P, ALL - {"issue_linkage"}, 0.9).total() == 0.0


def test_abandonment_fear_raises_the_value_of_the_pact_for_both_allies_only_when_switched_on():
    calm, doubting = state(abandonment=0.0), state(abandonment=0.7)
    seoul = [pact_value(s, 0.5, 0.4, True, P, ALL) for s in (calm, doubting)]
    tokyo = [tokyo_consent(s, P, ALL) for s in (calm, doubting)]
    gain = P.abandonment_weight * 0.7
    assert seoul[1].total() - seoul[0].total() == pytest.approx(gain) and gain > 0
    assert tokyo[1].total() - tokyo[0].total() == pytest.approx(gain)
    assert seoul[1].abandonment_fear == tokyo[1].abandonment_fear == pytest.approx(gain)
    off = ALL - {"abandonment_fear"}
    assert pact_value(doubting, 0.5, 0.4, True, P, off).total() == pytest.approx(seoul[0].total())
    assert tokyo_consent(doubting, P, off).total() == pytest.approx(tokyo[0].total())


def test_a_doubt_about_the_us_commitment_raises_abandonment_fear_which_fades():
    half = {n: getattr(P, s.half_life_param) for n, s in VARIABLES.items()}
    w = World({}, half)
    assert w.get("abandonment", 5.0) == 0.0
    apply_effect(w, P, "alliance_doubt", 5.0, 1.0)
    assert w.get("abandonment", 5.0) == pytest.approx(P.abandonment_jump)
    later = w.get("abandonment", 5.0 + P.abandonment_half_life_days)
    assert later == pytest.approx(P.abandonment_jump / 2)
    before = w.values(6.0)
    apply_effect(w, P, "consultation", 6.0, 1.0)  # an occasion for Washington, no effect on the world
    assert w.values(6.0) == before
    assert np.isfinite(list(w.values(10.0).values())).all()
