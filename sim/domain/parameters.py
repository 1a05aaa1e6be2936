"""The behavioural parameters, declared once: name, meaning, unit, bounds and mechanism.

`Parameters` is the one home of every parameter. Each field is a value the model
reads (`p.threat_weight`), typed, so a name read but never declared is an error
for mypy and for the tests, not a failure in every replication. Its metadata
says what it means, its unit, the range that calibration, sweeps and sensitivity
explore, and the mechanism it belongs to (`domain/mechanisms.py`; ``process`` for
the timing of the procedure). The values themselves live in parameter files
(``scenarios/params/default.yaml``: name: value), which the loader checks
against this declaration.

Bounds are argued from what each quantity means (a share lies in [0, 1], an
index jump cannot exceed the index's range, a delay within a presidential term),
never narrowed to fit the historical record.

Every parameter has a **prior**, argued from the same meaning and never from the
record: a timescale (a half-life, a delay, a review interval) is log-uniform over
its range, as likely a week as a month as a year; a weight, a level, a jump or a
share is uniform over its range (in logit units, in index units, in points).
A parameter is **calibrated** when the calibration targets identify it (the
identifiability table in docs/calibration.md, made by `python run.py identify`);
the others are held at their prior median, the value no target can move.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

PRIORS: dict[str, str] = {
    "uniform": "uniform over the declared range (a weight, level, jump or share: no value of it is favoured)",
    "loguniform": "log-uniform over the declared range (a timescale: as likely a week as a month as a year)",
}
"""The kinds of prior a parameter may have, and the argument for each."""


@dataclass(frozen=True)
class ParameterInfo:
    """What one parameter is: its meaning, unit, bounds, mechanism, prior and whether it is calibrated."""

    name: str
    meaning: str
    unit: str
    lower: float
    upper: float
    mechanism: str
    prior: str = "uniform"
    calibrated: bool = False
    """Whether the calibration searches it (the targets identify it); otherwise it sits at its prior median."""
    fixed: str = ""
    """Why it is held fixed at its prior median, if it is: inert in free runs of every recorded episode
    (tests/test_inert.py), kept for the scenarios where its mechanism acts."""

    def contains(self, value: float) -> bool:
        """Whether `value` lies within the declared bounds."""
        return self.lower <= value <= self.upper

    def from_unit(self, u: float) -> float:
        """The value at quantile `u` (0-1) of the prior."""
        if self.prior == "loguniform":
            return math.exp(math.log(self.lower) + u * (math.log(self.upper) - math.log(self.lower)))
        return self.lower + u * (self.upper - self.lower)

    def to_unit(self, value: float) -> float:
        """The prior quantile (0-1) of `value`."""
        if self.prior == "loguniform":
            return (math.log(value) - math.log(self.lower)) / (math.log(self.upper) - math.log(self.lower))
        return (value - self.lower) / (self.upper - self.lower)

    @property
    def prior_median(self) -> float:
        """The median of the prior: where a parameter no target identifies is held."""
        return self.from_unit(0.5)

    @property
    def prior_text(self) -> str:
        """The prior in words, for tables."""
        return f"{self.prior} [{self.lower:g}, {self.upper:g}]"


TIMESCALE_UNITS = ("days", "hours")


def declare(lower: float, upper: float, unit: str, mechanism: str, meaning: str, *,
            prior: str | None = None, calibrated: bool = False, fixed: str = "") -> Any:
    """A `Parameters` field: no default (values come from a parameter file), metadata for the rest.

    The prior defaults by unit: log-uniform for a timescale with a positive lower bound, else uniform.
    `fixed` gives the reason a parameter inert in every recorded episode is held at its prior median.
    """
    if prior is None:
        prior = "loguniform" if unit.startswith(TIMESCALE_UNITS) and lower > 0 else "uniform"
    if prior not in PRIORS:
        raise ValueError(f"unknown prior {prior!r}")
    return field(metadata={"lower": lower, "upper": upper, "unit": unit, "mechanism": mechanism, "meaning": meaning,
                           "prior": prior, "calibrated": calibrated, "fixed": fixed})


@dataclass(frozen=True, slots=True)
class Parameters:
    """The values of every behavioural parameter (read by the model as attributes)."""


    # -- threat_cooperation ------------------------------------------------------------------------
    threat_weight: float = declare(0.0, 6.0, 'utility per unit of threat', 'threat_cooperation',
        'How much perceived North Korean threat adds to the value of sharing intelligence (Seoul and '
        'Tokyo).')
    threat_half_life_days: float = declare(10.0, 365.0, 'days', 'threat_cooperation',
        "Half-life of a test's effect on perceived threat.")
    missile_threat_jump: float = declare(0.0, 0.5, 'threat units per launch of magnitude 1', 'threat_cooperation',
        'Rise in perceived threat after a missile or satellite launch.')
    nuclear_threat_jump: float = declare(0.0, 1.0, 'threat units per test of magnitude 1', 'threat_cooperation',
        'Rise in perceived threat after a nuclear test.')

    # -- quasi_alliance ----------------------------------------------------------------------------
    patron_weight: float = declare(0.0, 10.0, 'utility per unit of US pressure', 'quasi_alliance',
        "How much US pressure adds to Seoul's value of the pact; also Washington's own stake when it "
        "weighs pressing.")
    us_pressure_half_life_days: float = declare(3.0, 120.0, 'days', 'quasi_alliance',
        "Half-life of a US visit's or statement's pressure.")
    us_pressure_jump: float = declare(0.0, 1.0, 'pressure units per event of magnitude 1', 'quasi_alliance',
        'Rise in US pressure from one visit, statement or resolution.')
    patron_press_base: float = declare(-6.0, 3.0, 'utility', 'quasi_alliance',
        "Washington's baseline propensity to press publicly (negative: it prefers quiet diplomacy).")
    patron_threat_share: float = declare(0.0, 1.0, 'share of the threat index', 'quasi_alliance',
        "How much of the perceived threat counts as urgency for Washington when no deadline is near (what is "
        "at stake for it is the larger of the deadline's urgency and this share of the threat).")

    # -- two_level_game ----------------------------------------------------------------------------
    domestic_cost_weight: float = declare(0.0, 25.0,
        'utility per unit of mobilisation x seat share x stake', 'two_level_game',
        "How much a mobilised opposition weighs on the executive (Putnam's win-set).")
    mobilisation_half_life_days: float = declare(3.0, 180.0, 'days', 'two_level_game',
        'Half-life of opposition mobilisation after a protest or backlash.')
    protest_mobilisation_jump: float = declare(0.0, 1.0,
        'mobilisation units per protest of magnitude 1', 'two_level_game',
        'Rise in mobilisation from one protest or campaign.')
    opposition_mobilise_base: float = declare(-5.0, 3.0, 'utility', 'two_level_game',
        "The opposition's baseline propensity to mobilise on a pact event.")
    opposition_mobilise_weight: float = declare(0.0, 8.0, 'utility per unit of salience', 'two_level_game',
        "How much the issue's salience (anti-Japan mood, threat or the president's unpopularity) adds to "
        "mobilising.")

    # -- opinion_dynamics --------------------------------------------------------------------------
    anti_japan_weight: float = declare(0.0, 15.0,
        'utility per unit of anti-Japan sentiment x stake', 'opinion_dynamics',
        'How much the executive weighs anti-Japan sentiment against the pact.')
    suspension_line_share: float = declare(0.0, 1.0, 'share of the anti-Japan opinion cost', 'opinion_dynamics',
        "Share of the anti-Japan opinion cost of keeping the pact that suspending a notice spares, against "
        "withdrawing it: the notice stays on the table and can take effect at any time, so the public still "
        "sees a firm line (Seoul's 'conditional' suspension of 22 Nov 2019).")
    approval_norm: float = declare(15.0, 60.0, '% approving', 'opinion_dynamics',
        'The level presidential approval regresses toward (its standing level); a scandal lowers it for '
        'the rest of the episode (approval erodes over a single term: Mueller 1970).', calibrated=True)
    approval_half_life_days: float = declare(10.0, 720.0, 'days', 'opinion_dynamics',
        'Half-life of a jump in presidential approval.', calibrated=True)
    anti_japan_half_life_days: float = declare(10.0, 720.0, 'days', 'opinion_dynamics',
        'Half-life of a jump in anti-Japan sentiment.')
    scandal_approval_share: float = declare(0.0, 1.0,
        'share of the approval above the loyal core per scandal event of magnitude 1', 'opinion_dynamics',
        "Share of the support above the loyal core (loyal_approval) that one scandal revelation costs, today "
        "and in the standing level, for the rest of the episode (a scandal erodes what support is left: five "
        "in a row leave little more than the core).",
        calibrated=True)
    loyal_approval: float = declare(0.0, 15.0, '% approving', 'opinion_dynamics',
        "Approval a scandal does not erode: the president's loyal core (partisan identifiers are the last "
        "to desert a leader; Jacobson 2007 on partisan approval). A scandal costs a share of the support "
        "above this core only; other events (a backlash at secrecy) can still take approval below it. "
        "Prior from the argument that a core is at most a small minority of the electorate, never from "
        "the polls being fitted.")
    scandal_mobilisation_jump: float = declare(0.0, 1.0, 'mobilisation units per scandal event', 'opinion_dynamics',
        'Rise in mobilisation against the executive from a scandal revelation.',
        fixed="inert in free runs of every recorded episode: the only scandals on the record (2016) also take "
              "the president's approval, and with it the stake that multiplies mobilisation's cost, to almost "
              "nothing, so the mobilisation they add changes no decision; kept for a scandal that hits a "
              "president with support left")
    history_anti_japan_jump: float = declare(0.0, 0.6, 'sentiment units per event', 'opinion_dynamics',
        'Rise in anti-Japan sentiment from a history or territorial dispute.')
    trade_anti_japan_jump: float = declare(0.0, 0.6, 'sentiment units per measure', 'opinion_dynamics',
        'Rise in anti-Japan sentiment from a Japanese trade measure.')
    boycott_base: float = declare(-6.0, 3.0, 'utility', 'opinion_dynamics',
        "The public's baseline propensity to boycott after a trade measure.")
    boycott_weight: float = declare(0.0, 10.0, 'utility per unit of anti-Japan sentiment', 'opinion_dynamics',
        'How much anti-Japan sentiment adds to the propensity to boycott.')
    boycott_anti_japan_jump: float = declare(0.0, 0.6, 'sentiment units per boycott', 'opinion_dynamics',
        'Rise in anti-Japan sentiment as a boycott takes hold.')
    summit_thaw: float = declare(0.0, 0.6, 'index units per summit of magnitude 1', 'opinion_dynamics',
        "Fall in anti-Japan sentiment and in Tokyo's grievance after a leaders' summit (and in sentiment "
        "after a settlement); the fall fades like any jump.",
        fixed="inert in every recorded episode: none of the seven has a summit or a settlement; kept for the "
              "scenarios that do")

    # -- issue_linkage -----------------------------------------------------------------------------
    linkage_weight: float = declare(0.0, 12.0, 'utility per unit of trade dispute', 'issue_linkage',
        'How much the trade dispute counts against the pact in Seoul (security tied to trade).')
    trade_half_life_days: float = declare(5.0, 720.0, 'days', 'issue_linkage',
        'Half-life of a temporary swing in the trade dispute (standing measures persist).')
    export_control_trade_jump: float = declare(0.0, 1.0, 'dispute units', 'issue_linkage',
        'Rise in the standing level of the trade dispute from export controls.')
    whitelist_trade_jump: float = declare(0.0, 1.0, 'dispute units', 'issue_linkage',
        'Rise in the standing level of the trade dispute from a white-list removal.')
    ruling_grievance_jump: float = declare(0.0, 1.0, 'grievance units per ruling', 'issue_linkage',
        "Rise in the standing level of Tokyo's grievance from a Korean ruling on colonial-era claims: an "
        "unsettled claim does not fade; only a settlement lowers it.")
    history_grievance_jump: float = declare(0.0, 1.0, 'grievance units per event', 'issue_linkage',
        "Rise in Tokyo's grievance from a history dispute or incident.",
        fixed="inert in free runs of every recorded episode: the history disputes on the record are Seoul's own "
              "acts (the 2012 Dokdo visit, the 2017 taskforce report, the 2018 fleet review and foundation), "
              "given moves that free runs leave out; acts in file and conditional runs")
    grievance_half_life_days: float = declare(10.0, 1000.0, 'days', 'issue_linkage',
        "Half-life of Tokyo's grievance.",
        fixed="inert in free runs of every recorded episode: the rulings raise the grievance's standing level, "
              "which does not fade, and the fading part comes only from history disputes, which on the record "
              "are Seoul's given moves (left out of free runs)")
    retaliation_base: float = declare(0.0, 10.0, 'utility', 'issue_linkage',
        'What a trade measure costs Tokyo (economic interdependence).', calibrated=True)
    retaliation_weight: float = declare(0.0, 10.0, 'utility per unit of grievance', 'issue_linkage',
        'How much grievance pushes Tokyo to a trade measure; also lowers its appetite for the pact.', calibrated=True)
    trade_talks_relief: float = declare(0.0, 1.0, 'dispute units', 'issue_linkage',
        'Fall in the trade dispute when export-control talks are offered.')
    tokyo_patience: float = declare(0.0, 6.0, 'utility', 'issue_linkage',
        "Tokyo's own value of holding a further trade measure in reserve (its patience): imposing a measure "
        "must be worth more than this. Prior as Seoul's option_value, for the same reason.")
    settlement_share: float = declare(0.0, 1.0, 'share of the standing grievance', 'issue_linkage',
        "Share of Tokyo's standing grievance (the unsettled claims) that a settlement of magnitude 1 resolves.",
        fixed="inert in every recorded episode: none of the seven has a settlement; kept for the scenarios "
              "that do")

    # -- Tokyo's own politics and the 1965 claims clock (issue 26 item 3) ----------------------------
    claims_step_patience_share: float = declare(0.0, 1.0, 'share of the patience left, per step', 'issue_linkage',
        "Share of Tokyo's remaining patience (tokyo_patience) that a step of the 1965 claims agreement's dispute "
        "procedure uses up (a request for consultation, arbitration or a panel, or its deadline passing "
        "unanswered): while the treaty's own procedure is open, holding a measure in reserve is worth something; "
        "each step left unanswered closes part of that route (compounded over steps). Uniform over all shares: "
        "from a step that changes nothing to one that ends all restraint.")
    seizure_patience_share: float = declare(0.0, 1.0, 'share of the patience left, per seizure', 'issue_linkage',
        "Share of Tokyo's remaining patience that a Korean court's approval of the seizure or sale of a Japanese "
        "company's assets uses up (the rulings enforced: the harm waiting was meant to avert draws near). "
        "Uniform over all shares, for the same reason.")
    tokyo_election_stake_weight: float = declare(0.0, 3.0, 'multiple of the grievance term', 'electoral_horizon',
        "How much more Tokyo's ruling party weighs its grievance (the reward of a firm line) as a national "
        "election in Japan nears: the grievance term is multiplied by 1 + this x exp(-days to the election / "
        "election_horizon_days), for imposing, keeping and lifting alike. Same range as Seoul's "
        "election_stake_weight: an election at most quadruples what a leader weighs.")
    host_restraint_days: float = declare(3.0, 180.0, 'days', 'host_restraint',
        "How far ahead a summit Tokyo hosts restrains it: a new trade measure against a guest loses the share "
        "exp(-days to the summit / this) of its value (all of it at the opening: no measure is worth a host's "
        "summit). Log-uniform from the last days of preparation to the half-year a summit's preparatory "
        "meetings run.")

    # -- quasi_alliance ----------------------------------------------------------------------------
    tokyo_offer_base: float = declare(-6.0, 3.0, 'utility', 'quasi_alliance',
        "Tokyo's baseline propensity to agree to export-control talks when Seoul asks for them in return for "
        "keeping the pact.")
    tokyo_offer_weight: float = declare(0.0, 10.0, 'utility per unit of US pressure', 'quasi_alliance',
        'How much US pressure pushes Tokyo to agree to such talks.')

    # -- quasi_alliance: the patron's expected mediation (issue 26 item 2) ---------------------------
    mediation_weight: float = declare(0.0, 2.0, 'multiple of the leverage per unit of US pressure', 'quasi_alliance',
        "How much Washington's observed pressure adds to what a notice (or keeping one pending) can win: the "
        "patron is expected to lean on Tokyo to concede, so the leverage from Tokyo's measures is multiplied by "
        "1 + mediation_weight x us_pressure. 0: Washington's mediation is worth nothing to Seoul; 2: at full "
        "pressure it triples what the notice can win. Bounded at 2 because the mediation works through Tokyo's "
        "concession on the same measures, which it can make likelier but not larger than a full lifting.")

    # -- abandonment_fear (issue 26 item 5) ---------------------------------------------------------
    abandonment_weight: float = declare(0.0, 6.0, 'utility per unit of abandonment fear', 'abandonment_fear',
        "How much doubt about Washington's commitment adds to the value Seoul and Tokyo put on the pact "
        "(cooperating with each other as insurance against abandonment). Same range as threat_weight: both "
        "measure how much a 0-1 index of insecurity is worth to sharing intelligence.")
    abandonment_jump: float = declare(0.0, 1.0, 'abandonment units per event of magnitude 1', 'abandonment_fear',
        "Rise in abandonment fear from one dated sign of a weaker US commitment (exercises suspended, a "
        "cost-sharing demand, a leader's statement questioning the alliance); the index spans 0-1.")
    abandonment_half_life_days: float = declare(10.0, 720.0, 'days', 'abandonment_fear',
        "Half-life of a jump in abandonment fear (from weeks, a statement soon walked back, to two years, a "
        "policy kept for the rest of a term).")

    # -- audience_costs ----------------------------------------------------------------------------
    audience_cost: float = declare(0.0, 6.0, 'utility', 'audience_costs',
        "Cost to a leader of reversing a public decision of its own: withdrawing or suspending a notice it "
        "gave, resuming talks it broke off.")
    face_saving_share: float = declare(0.0, 1.0, 'share of the audience cost', 'audience_costs',
        "Share of the audience cost removed when Tokyo offers a concession (a 'conditional' suspension).")

    # -- issue_linkage -----------------------------------------------------------------------------
    leverage_value: float = declare(0.0, 6.0, 'utility per unit of trade dispute', 'issue_linkage',
        'Value of keeping a notice pending as a bargaining chip while time remains.')

    # -- audience_costs ----------------------------------------------------------------------------
    walkaway_cost: float = declare(0.0, 6.0, 'utility', 'audience_costs',
        'Cost of walking away from a commitment in the open (cancelling, giving notice, lifting a '
        'measure without a settlement).', calibrated=True)

    # -- electoral_horizon -------------------------------------------------------------------------
    election_stake_weight: float = declare(0.0, 3.0, 'stake units', 'electoral_horizon',
        "Weight of an approaching election in the president's stake.")
    election_horizon_days: float = declare(30.0, 730.0, 'days', 'electoral_horizon',
        'How far ahead an election weighs: closeness = exp(-days to election / this).')

    political_capital_weight: float = declare(-4.0, 4.0, 'log stake per unit of approval share', 'electoral_horizon',
        "How the president's stake (the weight of domestic costs) moves with approval: stake = 0.5 x "
        "exp(this x (approval share - 0.5)) before the election term. Positive: a popular president has more "
        "to lose and is more deterred; negative: popularity is capital to spend and deters less; 0: approval "
        "does not matter. The prior spans both signs equally so the data, not the modeller, choose; at the "
        "bounds the stake varies about 55-fold between 0% and 100% approval.")

    # -- ruling_camp_veto (issue 26 item 4) -----------------------------------------------------------
    ruling_veto_base: float = declare(-6.0, 3.0, 'utility', 'ruling_camp_veto',
        "The ruling camp's baseline propensity to force the postponement of a step that advances the pact "
        "(negative: it defers to its own government). Prior as the other actors' baselines.")
    ruling_veto_election_weight: float = declare(0.0, 10.0, 'utility per unit of closeness x salience',
        'ruling_camp_veto',
        "How much an approaching election (closeness = exp(-days to it / election_horizon_days)) times the "
        "issue's salience (the mean of mobilisation and anti-Japan sentiment, 0-1) adds to the ruling camp's "
        "wish to postpone: its candidates fear the vote.")

    # -- nothing_to_lose and diversion (issue 26 item 6) ----------------------------------------------
    spent_capital_approval: float = declare(1.0, 30.0, '% approving', 'nothing_to_lose',
        "Approval below which a president has nothing left to lose: the domestic stake is multiplied by "
        "min(1, approval / this). Prior from meaning: from a handful of points (the loyal core alone) to 30% "
        "(a minority too small to win anything), uniform.")
    diversion_weight: float = declare(0.0, 6.0, "utility per unit of the president's unpopularity", 'diversion',
        "What a foreign-policy act (a step on the pact, a notice) is worth to a president in scandal, per unit "
        "of unpopularity (1 - approval share), once a scandal has broken in the episode.")

    # -- tacit_renewal (issue 26: what a pact in force costs a government that leaves it be) -----------
    tacit_renewal_share: float = declare(0.0, 1.0, 'share of the domestic costs of the pact', 'tacit_renewal',
        "Share of the pact's domestic costs (the opposition's and the public's, when they are against it) "
        "that Seoul counts against a pact that stands if left be, when it weighs ending it (giving notice on a "
        "pact in force, ending a suspended one): the pact renews by itself, and leaving it be is blamed less "
        "than an act is. 1 counts them as in a step of the procedure; 0 "
        "blames nobody for a renewal nobody decided. Domestic support for the pact, which ending it would "
        "forfeit by an act, is counted in full. Prior from meaning: the whole range, uniform.")

    # -- procedural_legitimacy ---------------------------------------------------------------------
    secrecy_discount: float = declare(0.0, 1.0, 'share of domestic cost', 'procedural_legitimacy',
        'Share of domestic cost an executive expects to avoid by deciding without public notice.')
    secrecy_backlash_jump: float = declare(0.0, 1.0, 'mobilisation units', 'procedural_legitimacy',
        'Rise in mobilisation when a secret approval becomes public.')
    secrecy_approval_drop: float = declare(0.0, 20.0, 'approval points', 'procedural_legitimacy',
        'Fall in approval when a secret approval becomes public.')
    leak_days: float = declare(0.1, 30.0, 'days (mean)', 'procedural_legitimacy',
        'Mean time for a secret cabinet approval to leak.')
    haste_window_days: float = declare(0.0, 60.0, 'days', 'procedural_legitimacy',
        'A step taken within this many days of the previous one reads as a rush job.')
    haste_cost: float = declare(0.0, 12.0, 'utility per unit of stake', 'procedural_legitimacy',
        "Cost to the executive of taking a step of the procedure right after the previous one; fades with "
        "haste_window_days and scales with the president's stake.")
    haste_backlash_jump: float = declare(0.0, 1.0, 'mobilisation units', 'procedural_legitimacy',
        'Rise in mobilisation after a rushed step.')

    # -- rally -------------------------------------------------------------------------------------
    rally_approval_gain: float = declare(0.0, 20.0, 'approval points per unit of anti-Japan sentiment', 'rally',
        'Rise in approval when Seoul takes a firm line against Tokyo.')
    rally_weight: float = declare(0.0, 4.0, 'utility per unit of anti-Japan sentiment', 'rally',
        'How much the expected rally counts when Seoul weighs a firm line.')

    # -- leader_orientation ------------------------------------------------------------------------
    orientation_weight: float = declare(0.0, 6.0, 'utility per unit of orientation', 'leader_orientation',
        "How much a leader's line toward the counterpart (from -1, conciliatory, to +1, hard-line, read "
        "from its platform) lowers (or, conciliatory, raises) its value of the pact.")

    # -- process -----------------------------------------------------------------------------------
    executive_pact_base: float = declare(-3.0, 4.0, 'utility', 'process',
        "Seoul's standing preference for the pact (military and bureaucratic interest).", calibrated=True)
    tokyo_pact_base: float = declare(-3.0, 6.0, 'utility', 'process',
        "Tokyo's standing preference for the pact.")
    talks_round_days: float = declare(1.0, 30.0, 'days (mean)', 'process',
        'Mean time between working-level rounds of talks.')
    full_text_rounds: float = declare(1.0, 40.0, 'rounds', 'process',
        "Rounds needed to negotiate the whole text; the scenario's text_remaining scales it.")
    legal_review_days: float = declare(0.5, 30.0, 'days (mean)', 'process',
        'Mean time of legal review between initialling and the first cabinet meeting.')
    procedure_step_shape: float = declare(1.0, 20.0, 'gamma shape (dimensionless)', 'process',
        "Shape of the gamma distribution of a bureaucratic step's duration (talks rounds, legal review): "
        "1 is exponential (often instant, sometimes very slow); higher values make steps more regular "
        "around their mean.")
    signing_lead_days: float = declare(1.0, 30.0, 'days (mean)', 'process',
        'Mean days between cabinet approval and the signing ceremony (arranging a ceremony takes from the '
        'next day to a few weeks).')
    consent_delay_days: float = declare(1.0, 30.0, 'days', 'process',
        'When Tokyo is not ready to sign on the day, days until the new signing date.')
    reaction_days: float = declare(0.1, 30.0, 'days (mean)', 'process',
        'Mean delay between a decision to protest or boycott and the event.')

    # -- deliberation: when actors take up a pending decision (every actor, every episode) ----------
    review_days: float = declare(3.0, 120.0, 'days (mean)', 'process',
        "Mean time between the meetings at which an actor takes up a decision it faces (a Poisson agenda). "
        "Under `deliberation` a government takes it up between meetings only when the situation changes (an "
        "extraordinary meeting); without it, any event the actor listens to prompts a review at once.", calibrated=True)
    deadline_reviews: float = declare(0.0, 10.0, 'reviews (expected, per deadline)', 'process',
        'How many more times, in expectation, an actor takes up a decision in the run-up to its deadline than '
        'its ordinary cadence brings: the review rate is 1 / review_days + deadline_reviews x urgency / '
        'urgency_days, so an actor that meets rarely still looks at a decision before its deadline passes '
        '(missing the run-up altogether with probability about exp(-deadline_reviews)). The deadline effect '
        'in bargaining: Roth, Murnighan & Schoumaker 1988, AER 78:4. From none to about one a day over a '
        'ten-day run-up.')
    urgency_days: float = declare(1.0, 90.0, 'days', 'process',
        'How close a deadline must be to press: urgency = exp(-days left / urgency_days), 0 far from any '
        'deadline, 1 at it. Used by every actor facing a deadline (Seoul, Washington, Tokyo).')
    option_value: float = declare(0.0, 6.0, 'utility', 'process',
        'Value of holding an irreversible move (a notice, a suspension, letting a notice run) in reserve '
        'while its deadline is far: waiting is worth option_value x (1 - urgency) (real options: what '
        'is not done now can be done later; what is done cannot be undone).', calibrated=True)


PARAMETERS: dict[str, ParameterInfo] = {
    f.name: ParameterInfo(f.name, f.metadata["meaning"], f.metadata["unit"], f.metadata["lower"],
                          f.metadata["upper"], f.metadata["mechanism"], f.metadata["prior"],
                          f.metadata["calibrated"], f.metadata["fixed"])
    for f in fields(Parameters)
}
"""Name -> declaration, in declaration order."""

CALIBRATED: tuple[str, ...] = tuple(name for name, info in PARAMETERS.items() if info.calibrated)
"""The parameters the calibration searches, in declaration order."""


class PriorDraw:
    """Draws chosen parameters from their priors for many replications, fast: each call maps a vector of
    uniforms, one per declared parameter in declaration order, to the values at those quantiles of the
    chosen parameters' priors (`ParameterInfo.from_unit`, vectorised, and equal to it to the bit), the
    others kept from a base."""

    def __init__(self, names: tuple[str, ...]) -> None:
        place = {name: i for i, name in enumerate(PARAMETERS)}
        infos = [PARAMETERS[n] for n in names]
        self.names = names
        self.positions = [place[n] for n in names]
        self.index = np.array(self.positions, dtype=np.intp)
        self.logs = [i.prior == "loguniform" for i in infos]
        low = [math.log(i.lower) if log else i.lower for i, log in zip(infos, self.logs, strict=True)]
        high = [math.log(i.upper) if log else i.upper for i, log in zip(infos, self.logs, strict=True)]
        self.low = np.array(low, dtype=float)
        self.span = np.array(high, dtype=float) - self.low

    def __call__(self, base: np.ndarray, units: np.ndarray) -> Parameters:
        """`base` (every declared value, in declaration order) with the chosen parameters set to their
        priors' quantiles `units[i]` (`units` has one entry per declared parameter)."""
        values = (self.low + units[self.index] * self.span).tolist()
        row = base.tolist()
        for i, value, log in zip(self.positions, values, self.logs, strict=True):
            row[i] = math.exp(value) if log else value  # math.exp, as from_unit: the same value to the bit
        return Parameters(*row)

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (PriorDraw, (self.names,))


def as_row(p: Parameters) -> np.ndarray:
    """Every value of `p`, in declaration order."""
    return np.array([getattr(p, name) for name in PARAMETERS], dtype=float)
