"""Plain words for readers who are not modellers: mechanism names, the scale of a push, clean sources.

The model's files and logs name mechanisms by their identifiers
(``threat_cooperation``); a student reading a story, a figure or the classroom
page sees these plain names beside them. Numbers behind a decision are utility
points on the logit scale: a push of +1 toward an answer multiplies its odds
against the alternative by e (about 2.7), so the words for strength are tied to
that scale, not chosen per episode.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..domain.mechanisms import MECHANISMS, PROCESS

PLAIN_NAMES: dict[str, str] = {
    PROCESS: "baseline and waiting (the step's own standing value; the worth of keeping a move in reserve)",
    "threat_cooperation": "North Korean threat (tests make sharing intelligence worth more)",
    "quasi_alliance": "US pressure (the common ally pushes Seoul and Tokyo together)",
    "two_level_game": "organised opposition (protests in parliament narrow what the government can sign)",
    "opinion_dynamics": "public mood toward Japan (anger at Tokyo makes cooperation costly at home)",
    "issue_linkage": "trade dispute (the pact is used as a bargaining chip over export controls)",
    "audience_costs": "cost of backing down (reversing a public stand costs a leader face)",
    "electoral_horizon": "election calendar (a leader near the end of term weighs domestic costs less)",
    "procedural_legitimacy": "backlash at secrecy and haste",
    "rally": "rally effect (a firm line against Tokyo lifts approval)",
    "leader_orientation": "the leader's line toward the other country (from its platform)",
}
"""Mechanism identifier → a short plain-language name with a gloss (every mechanism has one)."""

assert set(PLAIN_NAMES) == set(MECHANISMS) | {PROCESS}, "every mechanism needs a plain name"

STRENGTHS: tuple[tuple[float, str], ...] = ((0.5, "slightly"), (1.5, "moderately"), (3.0, "strongly"))
"""Upper bounds (utility points, exclusive) of each strength word; 3 or more is "very strongly".
At 0.5 the odds move by a factor of 1.6, at 1.5 by 4.5, at 3 by 20."""

UNLIKELY = 0.25
"""A choice drawn with less than this probability is flagged as the luck of the draw."""

NEAR_CERTAIN = 0.9
"""A choice drawn with at least this probability is called almost certain."""


def plain_name(mechanism: str) -> str:
    """The short plain name of a mechanism (before its gloss), or the identifier with spaces."""
    full = PLAIN_NAMES.get(mechanism)
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


def explain_terms(terms: Iterable[tuple[str, float]]) -> str:
    """'public mood toward Japan pushed for it strongly (+4.4); cost of backing down against it (-3.0)'."""
    parts = []
    for name, value in terms:
        side = "for it" if value > 0 else "against it"
        parts.append(f"{plain_name(name)} pushed {side} {strength(round(value, 1))} ({value:+.1f})")
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
