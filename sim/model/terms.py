"""Utility terms: pure functions from a state snapshot to named terms.

Each term is named after the mechanism it comes from (see `mechanisms.py`, and
`choice.Terms`) and is 0 when that mechanism is switched off. Utilities are in logit units:
a difference of 1 between two options makes the better one e (~2.7) times as
likely. Everything here is pure, so it is tested without simpy.
"""

from __future__ import annotations

import math

from ..domain.parameters import Parameters
from .choice import NOTHING, Terms
from .world import State

Mechanisms = frozenset[str]
"""The mechanisms switched on in a scenario."""


def political_stake(approval: float, days_to_election: float | None,
                    p: Parameters, on: Mechanisms) -> float:
    """How much domestic cost the president weighs (electoral horizon, nothing to lose).

    Political capital, ``0.5 * exp(political_capital_weight * (approval share - 0.5))``: 0.5 at 50%
    approval, rising with approval if the weight is positive (approval is what is at stake), falling if
    it is negative (popularity is capital to spend); plus the ruling camp's stake in an approaching
    election, ``election_stake_weight * closeness``. Under `nothing_to_lose` the whole is multiplied by
    ``min(1, approval / spent_capital_approval)``: a president below that floor has little left to lose.
    With `electoral_horizon` off, every cost is weighed fully (1), still under `nothing_to_lose`.
    """
    spent = 1.0
    if "nothing_to_lose" in on:
        spent = min(1.0, max(0.0, approval) / p.spent_capital_approval)
    if "electoral_horizon" not in on:
        return spent
    capital = 0.5 * math.exp(p.political_capital_weight * (approval / 100.0 - 0.5))
    return spent * (capital + p.election_stake_weight * election_closeness(days_to_election, p))


def election_closeness(days_to_election: float | None, p: Parameters) -> float:
    """How close the next election is, 0-1: ``exp(-days / election_horizon_days)``; 0 with none known."""
    if days_to_election is None or days_to_election < 0:
        return 0.0
    return math.exp(-days_to_election / p.election_horizon_days)


def pact_value(s: State, stake: float, seat_share: float, opposition_against: bool,
               p: Parameters, on: Mechanisms, secrecy: bool = False,
               days_in_stage: float | None = None, orientation: float = 0.0) -> Terms:
    """Seoul's value of keeping or advancing the pact now, as named terms.

    `s` holds the world variables. `secrecy` marks a decision taken out of
    public view: the executive then discounts the domestic costs it expects
    (procedural legitimacy: the 2012 cabinet approval without notice).
    `days_in_stage`, for a step of the procedure, prices haste: a step soon
    after the previous one costs ``haste_cost * stake * exp(-days / haste_window_days)``
    (the 2016 "rush job" was cheap for a president with nothing to lose).
    `orientation` is the leader's line toward the counterpart (-1 conciliatory ...
    +1 hard-line): ``-orientation_weight * orientation`` (leader orientation).
    """
    domestic = stake
    if secrecy and "procedural_legitimacy" in on:
        domestic *= 1.0 - p.secrecy_discount
    two_level = opinion = haste = 0.0
    if "two_level_game" in on:
        sign = -1.0 if opposition_against else 1.0
        two_level = sign * p.domestic_cost_weight * domestic * s.mobilisation * seat_share
    if "opinion_dynamics" in on:
        opinion = -p.anti_japan_weight * domestic * s.anti_japan
    if days_in_stage is not None and "procedural_legitimacy" in on:
        haste = -p.haste_cost * domestic * math.exp(-max(0.0, days_in_stage) / max(p.haste_window_days, 1e-9))
    return Terms(
        process=p.executive_pact_base,
        threat_cooperation=p.threat_weight * s.threat if "threat_cooperation" in on else 0.0,
        quasi_alliance=p.patron_weight * s.us_pressure if "quasi_alliance" in on else 0.0,
        two_level_game=two_level,
        opinion_dynamics=opinion,
        issue_linkage=-p.linkage_weight * s.trade_dispute if "issue_linkage" in on else 0.0,
        leader_orientation=-p.orientation_weight * orientation if "leader_orientation" in on else 0.0,
        procedural_legitimacy=haste,
        abandonment_fear=abandonment_value(s, p, on),
    )


def line_kept(value: Terms, p: Parameters) -> Terms:
    """Seoul's value of the pact when it keeps a notice on the table (suspends it) rather than withdrawing it:
    `value` with ``suspension_line_share`` of its anti-Japan opinion cost spared, since the public still
    sees a firm line (opinion dynamics; 0 where that mechanism is off, as its term is)."""
    return value.plus(Terms(opinion_dynamics=-p.suspension_line_share * value.opinion_dynamics))


def left_standing(value: Terms, p: Parameters, on: Mechanisms) -> Terms:
    """Seoul's value of a pact that stands if left be, as it weighs ending it (tacit renewal: giving notice on
    a pact in force, or ending a suspended one): `value` with its domestic costs (a negative two-level or
    opinion term) counted at ``tacit_renewal_share``, since the pact stands without an act to blame;
    domestic support (a positive term), which ending the pact forfeits by an act, counted in full. `value`
    itself where the mechanism is off."""
    if "tacit_renewal" not in on:
        return value
    spared = p.tacit_renewal_share - 1.0
    return value.plus(Terms(two_level_game=spared * min(0.0, value.two_level_game),
                            opinion_dynamics=spared * min(0.0, value.opinion_dynamics)))


def summed(first: Terms, *more: Terms) -> Terms:
    """Several sets of terms as one (terms of the same name added)."""
    for part in more:
        first = first.plus(part)
    return first


def walkaway(p: Parameters, on: Mechanisms) -> Terms:
    """The cost of walking away from a commitment in the open (audience costs)."""
    return Terms(audience_costs=-p.walkaway_cost) if "audience_costs" in on else NOTHING


def reversal_cost(p: Parameters, on: Mechanisms, face_saver: bool = False) -> Terms:
    """The cost to a leader of reversing a public decision of its own (a notice, a breaking-off);
    a counterpart's concession removes `face_saving_share` of it."""
    if "audience_costs" not in on:
        return NOTHING
    share = p.face_saving_share if face_saver else 0.0
    return Terms(audience_costs=-p.audience_cost * (1.0 - share))


def waiting(p: Parameters, urgency: float) -> Terms:
    """The value of holding an irreversible move in reserve: ``option_value * (1 - urgency)``.

    Far from a deadline (or with none) what is not done now can be done later;
    at the deadline waiting is worth nothing more than what it lets happen.
    """
    return Terms(process=p.option_value * (1.0 - urgency))


def rally_gain(s: State, p: Parameters, on: Mechanisms) -> Terms:
    """What a firm line against Tokyo is expected to bring in approval (rally)."""
    return Terms(rally=p.rally_weight * s.anti_japan) if "rally" in on else NOTHING


def leverage(s: State, p: Parameters, on: Mechanisms, urgency: float = 0.0) -> Terms:
    """The bargaining value of keeping a notice pending (or suspended) while time remains (linkage):
    ``leverage_value * trade_dispute * (1 - urgency)``, plus the patron's expected mediation on it
    (`mediated`)."""
    if "issue_linkage" not in on:
        return NOTHING
    return mediated(p.leverage_value * s.trade_dispute * (1.0 - urgency), s, p, on)


def notice_leverage(s: State, p: Parameters, on: Mechanisms, urgency: float) -> Terms:
    """What giving notice now is worth as a bargaining move (issue linkage): what the counterpart can
    concede (its measures in force: the trade dispute's level) times how close the notice deadline is
    (a notice given early leaves the counterpart time to wait it out, and wastes the threat):
    ``leverage_value * trade_dispute * urgency``, plus the patron's expected mediation on it
    (`mediated`). Without measures a notice has nothing to win."""
    if "issue_linkage" not in on:
        return NOTHING
    return mediated(p.leverage_value * s.trade_dispute * urgency, s, p, on)


# -- issue 26 items 2 and 5: the patron's mediation, and abandonment fear -------------------------------

def mediated(value: float, s: State, p: Parameters, on: Mechanisms) -> Terms:
    """A notice's bargaining `value` (issue linkage) and what the patron's expected mediation adds to it
    (quasi-alliance): Washington, seen pressing (``us_pressure``), is expected to lean on Tokyo to concede,
    so Seoul's notice also aims at drawing it in: ``mediation_weight * us_pressure * value``."""
    mediation = p.mediation_weight * s.us_pressure * value if "quasi_alliance" in on else 0.0
    return Terms(issue_linkage=value, quasi_alliance=mediation)


def abandonment_value(s: State, p: Parameters, on: Mechanisms) -> float:
    """What doubt about the patron's commitment adds to an ally's value of the pact (abandonment fear):
    ``abandonment_weight * abandonment``, the same for Seoul and Tokyo (Cha's quasi-alliance model)."""
    return p.abandonment_weight * s.abandonment if "abandonment_fear" in on else 0.0


def tokyo_consent(s: State, p: Parameters, on: Mechanisms, patron_stake: float = 0.0) -> Terms:
    """Tokyo's value of concluding the pact now; `patron_stake` (0-1) is what is at stake for a treaty
    partner that is also the patron, weighed as the patron weighs it."""
    return Terms(
        process=p.tokyo_pact_base,
        threat_cooperation=p.threat_weight * s.threat if "threat_cooperation" in on else 0.0,
        quasi_alliance=p.patron_weight * patron_stake if patron_stake and "quasi_alliance" in on else 0.0,
        issue_linkage=-p.retaliation_weight * s.grievance if "issue_linkage" in on else 0.0,
        abandonment_fear=abandonment_value(s, p, on),
    )


def retaliation(grievance: float, p: Parameters, election_factor: float = 1.0) -> Terms:
    """Tokyo's value of a (further) trade measure over its `grievance` (0-1); `election_factor` (>= 1,
    `tokyo_election_factor`) is how much more the grievance weighs as an election in Japan nears."""
    return Terms(issue_linkage=p.retaliation_weight * grievance * election_factor - p.retaliation_base)


# -- Tokyo's own politics (issue 26 item 3) ------------------------------------------------------------

def tokyo_election_factor(days_to_election: float | None, p: Parameters, on: Mechanisms) -> float:
    """How many times its grievance Tokyo's ruling party weighs as a national election in Japan nears
    (electoral horizon): ``1 + tokyo_election_stake_weight * exp(-days / election_horizon_days)``; 1 with
    no election ahead or the mechanism off."""
    if "electoral_horizon" not in on:
        return 1.0
    return 1.0 + p.tokyo_election_stake_weight * election_closeness(days_to_election, p)


def host_restraint(days_to_summit: float | None, escalation: Terms, p: Parameters, on: Mechanisms) -> Terms:
    """What a host gives up by opening a quarrel with a guest as a summit it hosts nears (the host's
    restraint): the share ``exp(-days / host_restraint_days)`` of a new measure's value `escalation` (when it
    is worth anything), so that at the opening no measure is worth the summit; nothing with no hosted summit
    ahead, or the mechanism off."""
    if "host_restraint" not in on or days_to_summit is None or days_to_summit < 0:
        return NOTHING
    value = escalation.total()
    if value <= 0.0:
        return NOTHING
    return Terms(host_restraint=-value * math.exp(-days_to_summit / p.host_restraint_days))


def patron_press(urgency: float, threat: float, p: Parameters, magnitude: float = 1.0) -> Terms:
    """Washington's value of pressing the allies with a move of `magnitude` (1 a statement or visit,
    2 a visit at the top): its base propensity plus what is at stake for it, the larger of the
    deadline's urgency and a share of the threat, both scaled by how hard it presses."""
    stake = max(urgency, threat * p.patron_threat_share)
    return Terms(quasi_alliance=magnitude * (p.patron_press_base + p.patron_weight * stake))


def mobilise(salience: float, p: Parameters) -> Terms:
    """The opposition's value of mobilising on an issue of this salience (0-1)."""
    return Terms(two_level_game=p.opposition_mobilise_base + p.opposition_mobilise_weight * salience)


def boycott(s: State, p: Parameters) -> Terms:
    """The public's propensity to boycott Japanese goods after a trade measure."""
    return Terms(opinion_dynamics=p.boycott_base + p.boycott_weight * s.anti_japan)


def offer_talks(s: State, p: Parameters, urgency: float) -> Terms:
    """Tokyo's value of agreeing to export-control talks in return for Seoul keeping the pact.

    Pressure counts as the deadline nears (`urgency` 0-1): a concession made
    early gives away what holding out to the deadline may win.
    """
    return Terms(quasi_alliance=p.tokyo_offer_base + p.tokyo_offer_weight * s.us_pressure * urgency)


# -- issue 26 items 4 and 6: the ruling camp's veto; diversion ---------------------------------------------


def ruling_veto(s: State, days_to_election: float | None, p: Parameters, on: Mechanisms) -> Terms:
    """The ruling camp's value of forcing the postponement of a step that advances the pact (veto players),
    against letting it go ahead (0): ``ruling_veto_base + ruling_veto_election_weight * closeness * salience``,
    where salience is the mean of mobilisation and anti-Japan sentiment (how much the issue can cost its
    candidates) and closeness is `election_closeness`: the camp's own electoral stake, not the president's
    standing (a term in the president's unpopularity was tried and rejected by the episodes left out;
    docs/model.md section 8).
    """
    if "ruling_camp_veto" not in on:
        return NOTHING
    salience = 0.5 * (s.mobilisation + s.anti_japan)
    return Terms(ruling_camp_veto=p.ruling_veto_base
                 + p.ruling_veto_election_weight * election_closeness(days_to_election, p) * salience)


def diversion(approval: float, in_scandal: bool, p: Parameters, on: Mechanisms) -> Terms:
    """What a foreign-policy act is worth to a president in scandal (diversion):
    ``diversion_weight * (1 - approval share)`` once a scandal has broken, else nothing."""
    if "diversion" not in on or not in_scandal:
        return NOTHING
    return Terms(diversion=p.diversion_weight * unpopularity(approval))


def unpopularity(approval: float) -> float:
    """The share of the public not approving of the president: 1 - approval / 100, approval read in 0-100."""
    return 1.0 - min(100.0, max(0.0, approval)) / 100.0
