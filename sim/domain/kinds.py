"""Trigger kinds and the events of the lifecycle: what each is and which state it moves.

The effects described here are applied by `model.triggers.apply_effect`;
the sizes of the jumps are behavioural parameters.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class KindSpec:
    """What one trigger kind is and which state it moves."""

    name: str
    meaning: str
    effects: str


KINDS: dict[str, KindSpec] = {
    k.name: k
    for k in (
        KindSpec("missile_test", "A ballistic missile or satellite launch by the state both parties fear "
                 "(North Korea in the GSOMIA case; the scenario names it under `threat:`).",
                 "threat rises by missile_threat_jump x magnitude."),
        KindSpec("nuclear_test", "A nuclear test by the state both parties fear.",
                 "threat rises by nuclear_threat_jump x magnitude."),
        KindSpec("scandal", "A scandal around the executive's leader (the South Korean president).",
                 "approval and its standing level each lose the share scandal_approval_share of their "
                 "support above the loyal core loyal_approval (compounded over the magnitude; for the rest "
                 "of the episode); "
                 "mobilisation rises by scandal_mobilisation_jump x magnitude; the leader counts as in "
                 "scandal until a change of government (diversion)."),
        KindSpec("court_ruling", "A Korean court ruling on colonial-era claims (forced labour).",
                 "the standing level of Tokyo's grievance rises by ruling_grievance_jump x magnitude (an "
                 "unsettled claim does not fade). Korean opinion answers what Tokyo does about it, not the ruling."),
        KindSpec("export_control", "The counterpart (Japan) restricts exports to the executive's country.",
                 "trade_dispute's standing level rises by export_control_trade_jump x magnitude "
                 "until the controls are lifted; anti_japan rises by trade_anti_japan_jump x magnitude."),
        KindSpec("whitelist_removal", "The counterpart drops the executive's country from its export white list.",
                 "trade_dispute's standing level rises by whitelist_trade_jump x magnitude until the list is "
                 "restored; anti_japan rises by trade_anti_japan_jump x magnitude."),
        KindSpec("controls_lifted", "The counterpart lifts its export controls.",
                 "the controls' share of trade_dispute's standing level is removed."),
        KindSpec("whitelist_restored", "The counterpart puts the executive's country back on its white list.",
                 "the white-list removal's share of trade_dispute's standing level is removed."),
        KindSpec("boycott", "A Korean consumer boycott of Japanese goods and travel.",
                 "anti_japan rises by boycott_anti_japan_jump x magnitude."),
        KindSpec("protest", "Protests or an opposition campaign against the executive's line.",
                 "mobilisation rises by protest_mobilisation_jump x magnitude."),
        KindSpec("us_pressure", "A US visit, statement or resolution pressing the allies.",
                 "us_pressure rises by us_pressure_jump x magnitude."),
        KindSpec("talks", "A round of talks: on the agreement (issue: agreement) or on trade "
                 "(issue: trade).",
                 "agreement talks count as a negotiation round; trade talks lower "
                 "trade_dispute by trade_talks_relief x magnitude and give Seoul a face-saving "
                 "concession."),
        KindSpec("election", "A national election in South Korea.",
                 "mobilisation returns to its standing level; the executive's electoral "
                 "horizon moves to the next election."),
        KindSpec("history_dispute", "A history or territorial dispute (a visit, a statement, "
                 "an incident).",
                 "anti_japan rises by history_anti_japan_jump x magnitude; Tokyo's grievance by "
                 "history_grievance_jump x magnitude."),
        KindSpec("summit", "A summit of the two leaders.",
                 "anti_japan and Tokyo's grievance fall by summit_thaw x magnitude (jumps that fade)."),
        KindSpec("settlement", "A settlement of a history dispute (a compensation plan for the claims the "
                 "courts upheld).",
                 "the standing level of Tokyo's grievance falls by settlement_share x magnitude of itself "
                 "(the claims settled); anti_japan falls by summit_thaw x magnitude."),
        KindSpec("counter_measure", "The executive answers the counterpart's trade measures (a WTO "
                 "complaint, its own list removal).",
                 "Tokyo's grievance rises by history_grievance_jump x magnitude."),
        KindSpec("government_change", "A new leader takes office (an inauguration, an acting president "
                 "after an impeachment), with the line, opposition and election calendar it brings.",
                 "the executive's leader and orientation change; the opposition's seat share and stance, the "
                 "next election and approval (its standing level back to approval_norm, its value the "
                 "trigger's `approval` if given) change as the trigger says."),
        # -- issue 26 item 5: the patron's commitment and its opportunities -----------------------
        KindSpec("alliance_doubt", "A dated sign that the patron's commitment weakens: joint exercises "
                 "suspended or scaled down, a cost-sharing demand, a US leader's statement questioning the "
                 "alliance (facts of the patron's relations with each ally, not moves on the pact).",
                 "abandonment rises by abandonment_jump x magnitude (a jump that fades)."),
        KindSpec("consultation", "A scheduled meeting of the patron with one or both allies (a trilateral "
                 "meeting, the annual Security Consultative Meeting, a summit): an occasion at which "
                 "Washington may press, not the pressing itself.",
                 "none on the world; the patron takes up whether to press the allies at it."),
        KindSpec("poll", "An opinion poll: an observation the model does not act on.",
                 "none; validation compares simulated opinion with it."),
        # -- Tokyo's own politics and the 1965 claims clock (issue 26 item 3) --
        KindSpec("claims_step", "A step of the dispute procedure of the 1965 claims agreement (Art. III): a "
                 "request for diplomatic consultation, for arbitration or for a third-country panel, or the "
                 "deadline of one passing without an answer.",
                 "none on the world; Tokyo's patience (tokyo_patience) loses the share claims_step_patience_share "
                 "of what is left, compounded over the magnitude (an unanswered legal step is a reason to act)."),
        KindSpec("asset_seizure", "A Korean court approves the seizure or sale of a Japanese company's assets "
                 "to pay plaintiffs (the rulings enforced), or such an order takes effect.",
                 "none on the world; Tokyo's patience loses the share seizure_patience_share of what is left, "
                 "compounded over the magnitude."),
        KindSpec("counterpart_election", "A national election in the counterpart's country (Japan).",
                 "none on the world; a dated one is known from the start, and as it nears Tokyo weighs its "
                 "grievance more (tokyo_election_stake_weight, electoral_horizon)."),
        KindSpec("hosted_summit", "A summit of many leaders that the counterpart hosts, dated at its opening "
                 "(the G20 in Osaka).",
                 "none on the world; a dated one is known from the start, and as it nears a new trade measure "
                 "loses the share exp(-days to it / host_restraint_days) of its value to Tokyo (host_restraint)."),
    )
}

TRIGGER_KINDS: tuple[str, ...] = tuple(KINDS)

LIFECYCLE_EVENTS: dict[str, str] = {
    "negotiating": "Talks on the agreement open.",
    "initialled": "The text is initialled.",
    "cabinet_approved": "The cabinet approves the agreement.",
    "revealed": "A secret cabinet approval becomes public.",
    "in_force": "The agreement is signed and in force.",
    "collapsed": "Seoul cancels the agreement before it is signed.",
    "notice_given": "Seoul gives notice of termination.",
    "suspended": "Seoul suspends its notice; the agreement stays in force.",
    "terminated": "The agreement ends.",
    "renewed": "The agreement renews automatically at its anniversary.",
    "normalised": "Seoul withdraws a notice (pending or suspended); the agreement is back to normal.",
    "suspension_extended": "Seoul extends the term of its notice's suspension.",
    "suspension_lapsed": "A suspension's term runs out: the notice takes effect again under the rules.",
}
"""Events the lifecycle and actors produce, which `after:` triggers can react to."""

EVENT_KINDS: tuple[str, ...] = TRIGGER_KINDS + tuple(LIFECYCLE_EVENTS)

SITUATION_CHANGES: frozenset[str] = frozenset(LIFECYCLE_EVENTS) | frozenset(
    {"export_control", "whitelist_removal", "controls_lifted", "whitelist_restored", "trade_talks"})
"""Events (as actors hear them: talks on trade are ``trade_talks``) that change the situation a government
decides in: the pact's stage, a trade measure imposed or lifted, talks on the measures. Under the
`deliberation` mechanism each calls an extraordinary meeting of the governments that listen; any other news
(a test, a ruling, a visit, a poll, a protest) changes the state and waits for the next regular meeting."""

AGENDA_SETTERS: frozenset[str] = frozenset({"us_pressure", "nuclear_test"})
"""Events that put a dormant question (resuming talks on a pact out of force, which no deadline or procedure
keeps before Seoul) on Seoul's agenda under the `agenda_setting` mechanism: the patron pressing (an actor with
the standing to raise it) and a nuclear test (a focusing event of the gravest kind)."""

MOVERS: dict[str, str] = {
    "export_control": "counterpart",
    "whitelist_removal": "counterpart",
    "controls_lifted": "counterpart",
    "whitelist_restored": "counterpart",
    "us_pressure": "patron",
    "boycott": "public",
    "summit": "executive",
    "settlement": "executive",
    "counter_measure": "executive",
}
"""Trigger kinds that are always one actor's move, and whose. Other kinds are facts
outside the five actors' control, unless a trigger says `by:` (an opposition
campaign is the opposition's move; a rally of civil society is a fact)."""


def mover_of(kind: str, issue: str | None = None) -> str | None:
    """The role whose move a trigger of `kind` always is, or None (a fact unless it says `by:`).

    Talks on the agreement are Seoul's decision to talk; talks on trade, Tokyo's offer.
    """
    if kind == "talks":
        return "counterpart" if issue == "trade" else "executive"
    return MOVERS.get(kind)


ANTICIPATED_KINDS: frozenset[str] = frozenset({"counterpart_election", "hosted_summit"})
"""Trigger kinds whose dated occurrences are on the calendar from the episode's start: actors read the days to
the next one (`ActorView.days_to`), not only the event when it comes."""

ACTOR_MOVES: dict[str, str] = {
    "export_control": "Tokyo restricts exports (the counterpart).",
    "whitelist_removal": "Tokyo drops Seoul from its export white list (the counterpart).",
    "controls_lifted": "Tokyo lifts its export controls (the counterpart).",
    "whitelist_restored": "Tokyo puts Seoul back on its white list (the counterpart).",
    "summit": "The leaders meet (Seoul's move, with Tokyo's assent).",
    "settlement": "Seoul settles a history dispute (a compensation plan).",
    "counter_measure": "Seoul answers Tokyo's trade measures (a WTO complaint, its own list removal).",
    "suspension_extended": "Seoul extends the term of its notice's suspension.",
    "talks": "A party opens talks: on trade, Tokyo; on the agreement, Seoul.",
    "us_pressure": "Washington presses the allies (the patron).",
    "protest": "The opposition mobilises against the executive's line.",
    "boycott": "The public boycotts Japanese goods and travel.",
    "secret_approval": "Seoul's cabinet approves the agreement without public notice (the executive).",
}
"""Moves an actor makes that a replication records (with the executive's lifecycle moves, named by
their event in `LIFECYCLE_EVENTS`), and that a record may score (``record.moves``)."""

NOT_MOVES = frozenset({"revealed", "renewed", "suspension_lapsed"})
"""Lifecycle events no actor chooses: a leak, a renewal by the agreement's own rules."""

MOVE_EVENTS: tuple[str, ...] = tuple(ACTOR_MOVES) + tuple(
    k for k in LIFECYCLE_EVENTS if k not in ACTOR_MOVES and k not in NOT_MOVES)
"""Every kind a recorded move can have."""

ANSWER_MOVES: frozenset[tuple[str, str]] = frozenset({("counterpart", "talks")})
"""(role, move) pairs an actor makes in answer to Seoul, not on its own initiative: it makes them even in
a run where it takes no initiatives (Tokyo's talks on its measures, agreed in return for Seoul keeping
the pact), so they are scored in every run."""
