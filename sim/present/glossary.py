"""Plain words for readers who are not modellers: mechanism names, the scale of a push, clean sources.

The model's files and logs name mechanisms by their identifiers
(``threat_cooperation``); a student reading a story, a figure or the classroom
page sees these plain names beside them. Numbers behind a decision are utility
points on the logit scale: a push of +1 toward an answer multiplies its odds
against the alternative by e (about 2.7), so the words for strength are tied to
that scale, not chosen per episode.

No label names a country: `CastNames` carries the names a scenario gives its
executive, counterpart, patron and threat, and `plain_names`, `variable_labels`
and `kind_labels` word the mechanisms, state variables and event kinds in them
('public mood toward Tokyo' in a GSOMIA episode, 'public mood toward Borealis'
in the fictional pact).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..domain.kinds import KINDS
from ..domain.mechanisms import MECHANISMS, PROCESS
from ..domain.variables import VARIABLES
from ..scenario.loader import Scenario


@dataclass(frozen=True)
class CastNames:
    """The names a scenario gives the roles and the threat that labels mention.

    Every label that names a country or a government takes it from here, so a
    scenario about another pact reads in its own cast's names; the defaults are
    neutral words for when no scenario is at hand (the classroom's list of
    mechanisms, results written before the cast was recorded).
    """

    executive: str = "the executive"
    counterpart: str = "the counterpart"
    patron: str = "the patron"
    threat: str | None = None
    """Who the threat comes from (the scenario's ``threat:``), or None when the file does not say."""
    patron_is_partner: bool = False
    """Whether the treaty partner is also the patron (``patron: same_as: counterpart``)."""

    @classmethod
    def of(cls, sc: Scenario) -> CastNames:
        """The names `sc` gives its executive, counterpart, patron and threat."""
        def name(role: str, default: str) -> str:
            cast = sc.actors.get(role)
            return cast.name if cast is not None and cast.name else default

        patron = sc.actors.get("patron")
        partner = patron is not None and patron.facts.get("same_as") == "counterpart"
        return cls(name("executive", cls.executive), name("counterpart", cls.counterpart),
                   name("patron", cls.patron), sc.threat, partner)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> CastNames:
        """From `to_dict`'s output (as context.json stores it); neutral names for what is missing."""
        data = data or {}
        base = cls()
        return cls(str(data.get("executive") or base.executive), str(data.get("counterpart") or base.counterpart),
                   str(data.get("patron") or base.patron), data.get("threat") or None,
                   bool(data.get("patron_is_partner", False)))

    def to_dict(self) -> dict[str, Any]:
        """Plain data (for context.json)."""
        return {"executive": self.executive, "counterpart": self.counterpart, "patron": self.patron,
                "threat": self.threat, "patron_is_partner": self.patron_is_partner}


NEUTRAL = CastNames()
"""Neutral names, for labels drawn without a scenario."""


def threat_name(cast: CastNames = NEUTRAL) -> str:
    """'threat from North Korea', or 'common threat' when the scenario does not say whose."""
    return f"threat from {cast.threat}" if cast.threat else "common threat"


def plain_names(cast: CastNames = NEUTRAL) -> dict[str, str]:
    """Mechanism identifier → a short plain-language name with a gloss, in `cast`'s names."""
    if cast.patron_is_partner:
        ally = f"{cast.patron}, the partner and protector, presses {cast.executive} to keep the pact"
    else:
        ally = f"the common ally pushes {cast.executive} and {cast.counterpart} together"
    return {
        PROCESS: "baseline and waiting (the step's own standing value; the worth of keeping a move in reserve)",
        "threat_cooperation": f"{threat_name(cast)} (its tests make sharing intelligence worth more)",
        "quasi_alliance": f"pressure from {cast.patron} ({ally})",
        "two_level_game": "organised opposition (protests in parliament narrow what the government can sign)",
        "opinion_dynamics": (f"public mood toward {cast.counterpart} (anger at {cast.counterpart} makes cooperation "
                             "costly at home)"),
        "issue_linkage": "trade dispute (the pact is used as a bargaining chip over export controls)",
        "audience_costs": "cost of backing down (reversing a public stand costs a leader face)",
        "electoral_horizon": "election calendar (a leader near the end of term weighs domestic costs less)",
        "procedural_legitimacy": "backlash at secrecy and haste",
        "rally": f"rally effect (a firm line against {cast.counterpart} lifts approval)",
        "leader_orientation": "the leader's line toward the other country (from its platform)",
        "deliberation": "meetings (a government takes a decision up at its meetings, not at every piece of news)",
        "standing_disposition": ("a standing disposition (each side keeps its own lean on a question from meeting to "
                                 "meeting, so it acts when the situation changes, not by luck at one meeting)"),
        "abandonment_fear": (f"doubt about {cast.patron}'s commitment (fear of being abandoned draws "
                             f"{cast.executive} and {cast.counterpart} together)"),

        "host_restraint": f"host's restraint ({cast.counterpart} avoids a quarrel with a guest before its summit)",

        "ruling_camp_veto": (f"the ruling party's veto (with an election ahead, {cast.executive}'s own party can "
                             "force a step to be postponed)"),
        "nothing_to_lose": "nothing left to lose (a president with almost no support stops fearing domestic costs)",
        "diversion": "a distraction abroad (a leader in scandal seeks a foreign-policy act)",
        "agenda_setting": ("an agenda set by events (a dormant pact comes up only when a nuclear test or "
                           f"{cast.patron}'s pressure puts it on {cast.executive}'s agenda)"),
        "tacit_renewal": ("a pact that renews by itself (a government is blamed less for leaving a pact in force "
                          "than for a step that makes it)"),
    }


PLAIN_NAMES: dict[str, str] = plain_names()
"""Mechanism identifier → a short plain-language name with a gloss, in neutral words (every mechanism has one);
`plain_names` gives them in a scenario's names."""

assert set(PLAIN_NAMES) == set(MECHANISMS) | {PROCESS}, "every mechanism needs a plain name"


def variable_labels(cast: CastNames = NEUTRAL) -> dict[str, str]:
    """State variable → its label in figures, in `cast`'s names ('anti-Tokyo sentiment')."""
    labels = {name: name.replace("_", " ") for name in VARIABLES}
    labels["anti_japan"] = f"anti-{_bare(cast.counterpart)} sentiment"
    labels["us_pressure"] = f"pressure from {cast.patron}"
    return labels


def kind_labels(cast: CastNames = NEUTRAL) -> dict[str, str]:
    """Trigger or event kind → its label in stories and figures, in `cast`'s names ('pressure from Washington')."""
    labels = {kind: kind.replace("_", " ") for kind in KINDS}
    labels["us_pressure"] = f"pressure from {cast.patron}"
    return labels


def _bare(name: str) -> str:
    """A name without a leading 'the' ('the Tarn Republic' → 'Tarn Republic'), for 'anti-...'."""
    return name[4:] if name.lower().startswith("the ") else name


STRENGTHS: tuple[tuple[float, str], ...] = ((0.5, "slightly"), (1.5, "moderately"), (3.0, "strongly"))
"""Upper bounds (utility points, exclusive) of each strength word; 3 or more is "very strongly".
At 0.5 the odds move by a factor of 1.6, at 1.5 by 4.5, at 3 by 20."""

UNLIKELY = 0.25
"""A choice drawn with less than this probability is flagged as the luck of the draw."""

NEAR_CERTAIN = 0.9
"""A choice drawn with at least this probability is called almost certain."""


def plain_name(mechanism: str, cast: CastNames = NEUTRAL) -> str:
    """The short plain name of a mechanism (before its gloss) in `cast`'s names, or the identifier with spaces."""
    full = plain_names(cast).get(mechanism)
    return full.split(" (")[0] if full else mechanism.replace("_", " ")


def strength(value: float) -> str:
    """A word for the size of a push of `value` utility points."""
    size = abs(value)
    for bound, word in STRENGTHS:
        if size < bound:
            return word
    return "very strongly"


def chance_phrase(p: float) -> str:
    """How likely the answer drawn was, in words: 'against the odds (a 12% chance)' etc."""
    pct = f"{100 * p:.0f}%"
    if p < UNLIKELY:
        return f"against the odds: a {pct} chance that the draw happened to pick"
    if p >= NEAR_CERTAIN:
        return f"an almost certain answer ({pct})"
    return f"a {pct} chance"


def explain_terms(terms: Iterable[tuple[str, float]], cast: CastNames = NEUTRAL) -> str:
    """'public mood toward Tokyo pushed for it strongly (+4.4); cost of backing down against it (-3.0)'."""
    names = plain_names(cast)
    parts = []
    for name, value in terms:
        side = "for it" if value > 0 else "against it"
        full = names.get(name)
        short = full.split(" (")[0] if full else name.replace("_", " ")
        parts.append(f"{short} pushed {side} {strength(round(value, 1))} ({value:+.1f})")
    return "; ".join(parts)


_SEEDS = r"seeds?\s+\d{3}(?:\s*(?:,|and|&)\s*\d{3})*"
_ALONE = re.compile(r"\s*\(\s*" + _SEEDS + r"\s*\)")
_INSIDE = re.compile(r"(,\s*)?\b" + _SEEDS + r"\s*([:;,]\s*)?")


def clean_source(text: str | None) -> str:
    """`text` without the project's research notes ("(seed 000)", "seeds 002, 004: ...").

    Those numbers point at the articles the project started from; a reader of
    a story, a report or the page needs the outlet and date, not our filing.
    """
    if not text:
        return ""
    out = _ALONE.sub("", text)
    out = _INSIDE.sub(lambda m: ", " if m.group(1) and m.group(2) else "", out)
    out = re.sub(r"\(\s*\)", "", out)
    out = re.sub(r"\(\s+", "(", out)
    out = re.sub(r"\s+\)", ")", out)
    return re.sub(r"[ \t]{2,}", " ", out).strip()


PARAMETER_LABELS: dict[str, str] = {
    "approval_norm": "Standing approval level",
    "approval_half_life_days": "How fast a jump in approval fades (its half-life)",
    "scandal_approval_share": "Support one scandal costs",
    "audience_cost": "Cost of reversing one's own decision",
    "leverage_value": "Worth of a pending notice as a bargaining chip",
    "walkaway_cost": "Cost of walking away in the open",
    "election_horizon_days": "How far ahead an election weighs",
    "executive_pact_base": "Seoul's standing preference for the pact",
    "option_value": "Worth of waiting (keeping a move in reserve)",
    "threat_weight": "Weight of the threat",
    "anti_japan_weight": "Weight of the public mood toward the other country",
    "retaliation_base": "What a trade measure costs Tokyo",
    "retaliation_weight": "Weight of Tokyo's grievance",
    "review_days": "Time between a government's meetings on the pact",
}
"""Behavioural parameter → a short label for readers (the classroom page); `parameter_label` falls back
to the name in words for a parameter without one."""

UNIT_WORDS: dict[str, str] = {
    "utility": "utility points",
    "utility per unit of trade dispute": "utility points per unit of trade dispute",
    "utility per unit of grievance": "utility points per unit of grievance",
    "utility per unit of anti-Japan sentiment x stake":
        "utility points per unit of anti-Japan mood, scaled by what the president has at stake",
    "days (mean)": "days, on average",
    "share of the approval above the loyal core per scandal event of magnitude 1":
        "share of the support above the loyal core, per scandal",
}
"""Units as a reader should see them, where the declared unit is a modeller's word (the page's glossary says
what a utility point is)."""

PARAMETER_HELP: dict[str, str] = {
    "approval_norm": "The approval rating the president drifts back to when nothing happens; a scandal lowers it.",
    "approval_half_life_days": "After an event moves approval, the days until half of that jump has faded.",
    "scandal_approval_share": "How much of the support above the loyal core one scandal takes away, for good.",
    "audience_cost": "What it costs a leader to undo a decision of its own in public (withdraw a notice, "
                     "resume talks it broke off).",
    "leverage_value": "What a notice still pending is worth as a bargaining chip while the trade dispute lasts.",
    "walkaway_cost": "What it costs to walk away from a commitment in the open (cancel, give notice, lift a "
                     "measure without a settlement).",
    "election_horizon_days": "How far ahead an election starts to weigh: the larger, the earlier a coming "
                             "election makes domestic costs count.",
    "executive_pact_base": "How much Seoul's government values the pact in itself (the military's and "
                           "officials' interest), before any event.",
    "option_value": "What keeping an irreversible move in reserve is worth while its deadline is far: the "
                    "later the deadline, the more waiting pays.",
    "anti_japan_weight": "How much the public's mood toward Japan counts against the pact in Seoul's eyes, the "
                         "more so the more the president has at stake at home.",
    "retaliation_base": "What imposing a trade measure on Korea costs Tokyo itself (the two economies depend on "
                        "each other): the higher, the more grievance it takes before Tokyo retaliates.",
    "retaliation_weight": "How strongly Tokyo's grievance over the court rulings pushes it to a trade measure; "
                          "the same grievance also makes Tokyo care less for the pact.",
    "review_days": "The average days between the meetings at which a government takes up a decision on the pact; "
                   "between them only a real change of the situation brings the question up early.",
}
"""Behavioural parameter → a plain explanation without formulas (the page shows the declared meaning, with
its formula, on hover); `page_words` falls back to the declared meaning."""

OUTCOME_LABELS: dict[str, str] = {
    "signed": "signed",
    "collapsed": "collapsed before signing",
    "stalled": "still pending at the end",
    "no_talks": "no talks",
    "renewed": "renewed (no notice)",
    "continued": "stayed in force (no notice)",
    "notice_pending": "notice given, not yet in effect",
    "terminated": "ended (the notice took effect)",
    "suspended": "notice given, then suspended",
    "normalised": "back to normal (notice withdrawn)",
}
"""Outcome identifier → its name in words (the page's tables and charts); `outcome_label` falls back to the
identifier in words."""


def parameter_label(name: str) -> str:
    """The label of a behavioural parameter for readers ('Cost of walking away in the open')."""
    return PARAMETER_LABELS.get(name) or name.replace("_", " ").capitalize()


def outcome_label(name: str) -> str:
    """An outcome in words ('notice given, not yet in effect' for notice_pending)."""
    return OUTCOME_LABELS.get(name) or name.replace("_", " ")


def page_words(parameters: Iterable[str], outcomes: Iterable[str], units: Mapping[str, str]) -> dict[str, Any]:
    """What the classroom page shows instead of identifiers: each parameter's label, plain explanation (or
    None: the page shows the declared meaning) and unit in words (`units`: parameter → its declared unit),
    each outcome's name in words."""
    return {"parameters": {name: {"label": parameter_label(name), "help": PARAMETER_HELP.get(name),
                                  "unit": UNIT_WORDS.get(units[name], units[name])}
                           for name in parameters},
            "outcomes": {name: outcome_label(name) for name in outcomes}}
