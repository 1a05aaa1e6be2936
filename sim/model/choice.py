"""Random-utility (logit) choice: pure functions, no simulation state.

An actor facing options scores each as a sum of named utility terms (`Terms`:
each term named after the mechanism it comes from). The probability of option i is
``exp(U_i) / sum_j exp(U_j)`` (McFadden's conditional logit with unit scale).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, final

import numpy as np

from . import pickle_by_fields

TERM_NAMES: tuple[str, ...] = (
    "process", "threat_cooperation", "quasi_alliance", "two_level_game", "opinion_dynamics", "issue_linkage",
    "leader_orientation", "procedural_legitimacy", "audience_costs", "rally", "abandonment_fear", "host_restraint",
    "ruling_camp_veto", "diversion",
)
"""What a utility term can be named after: a mechanism (`domain/mechanisms.py`) or ``process`` (an actor's
standing preferences and the value of waiting), in the order they are summed and listed."""


@final
class Terms:
    """An option's utility, split by the mechanism each part comes from (logit units).

    One field per name in `TERM_NAMES`, 0 where the mechanism adds nothing (or is switched off).
    A value: never changed once made (`plus` and `negated` make new ones).
    """

    __slots__ = ("process", "threat_cooperation", "quasi_alliance", "two_level_game", "opinion_dynamics",
                 "issue_linkage", "leader_orientation", "procedural_legitimacy", "audience_costs", "rally",
                 "abandonment_fear", "host_restraint", "ruling_camp_veto", "diversion")

    def __init__(self, process: float = 0.0, threat_cooperation: float = 0.0, quasi_alliance: float = 0.0,
                 two_level_game: float = 0.0, opinion_dynamics: float = 0.0, issue_linkage: float = 0.0,
                 leader_orientation: float = 0.0, procedural_legitimacy: float = 0.0, audience_costs: float = 0.0,
                 rally: float = 0.0, abandonment_fear: float = 0.0,
                 host_restraint: float = 0.0, ruling_camp_veto: float = 0.0, diversion: float = 0.0) -> None:
        self.process = process
        self.threat_cooperation = threat_cooperation
        self.quasi_alliance = quasi_alliance
        self.two_level_game = two_level_game
        self.opinion_dynamics = opinion_dynamics
        self.issue_linkage = issue_linkage
        self.leader_orientation = leader_orientation
        self.procedural_legitimacy = procedural_legitimacy
        self.audience_costs = audience_costs
        self.rally = rally
        self.abandonment_fear = abandonment_fear
        self.host_restraint = host_restraint
        self.ruling_camp_veto = ruling_camp_veto
        self.diversion = diversion

    def total(self) -> float:
        """The option's utility: the sum of its terms, in the order of `TERM_NAMES`."""
        return (self.process + self.threat_cooperation + self.quasi_alliance + self.two_level_game
                + self.opinion_dynamics + self.issue_linkage + self.leader_orientation
                + self.procedural_legitimacy + self.audience_costs + self.rally + self.abandonment_fear
                + self.host_restraint + self.ruling_camp_veto + self.diversion)

    def plus(self, other: Terms) -> Terms:
        """These terms and `other`'s added, name by name."""
        return Terms(self.process + other.process, self.threat_cooperation + other.threat_cooperation,
                     self.quasi_alliance + other.quasi_alliance, self.two_level_game + other.two_level_game,
                     self.opinion_dynamics + other.opinion_dynamics, self.issue_linkage + other.issue_linkage,
                     self.leader_orientation + other.leader_orientation,
                     self.procedural_legitimacy + other.procedural_legitimacy,
                     self.audience_costs + other.audience_costs, self.rally + other.rally,
                     self.abandonment_fear + other.abandonment_fear,
                     self.host_restraint + other.host_restraint,
                     self.ruling_camp_veto + other.ruling_camp_veto, self.diversion + other.diversion)

    def negated(self) -> Terms:
        """The same terms with the sign turned (the value of undoing a step)."""
        return Terms(-self.process, -self.threat_cooperation, -self.quasi_alliance, -self.two_level_game,
                     -self.opinion_dynamics, -self.issue_linkage, -self.leader_orientation,
                     -self.procedural_legitimacy, -self.audience_costs, -self.rally, -self.abandonment_fear,
                     -self.host_restraint, -self.ruling_camp_veto, -self.diversion)

    def named(self) -> dict[str, float]:
        """The terms that add something, by name (in the order of `TERM_NAMES`)."""
        values = (self.process, self.threat_cooperation, self.quasi_alliance, self.two_level_game,
                  self.opinion_dynamics, self.issue_linkage, self.leader_orientation, self.procedural_legitimacy,
                  self.audience_costs, self.rally, self.abandonment_fear, self.host_restraint,
                  self.ruling_camp_veto, self.diversion)
        return {name: value for name, value in zip(TERM_NAMES, values, strict=True) if value != 0.0}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Terms) and self.named() == other.named()

    __hash__ = None  # type: ignore[assignment]  # a value compared by its terms, never a key

    def __repr__(self) -> str:
        return f"Terms({', '.join(f'{k}={v!r}' for k, v in self.named().items())})"

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return Terms, (self.process, self.threat_cooperation, self.quasi_alliance, self.two_level_game,
                       self.opinion_dynamics, self.issue_linkage, self.leader_orientation,
                       self.procedural_legitimacy, self.audience_costs, self.rally, self.abandonment_fear,
                       self.host_restraint, self.ruling_camp_veto, self.diversion)


NOTHING = Terms()
"""The terms of an option that adds nothing (waiting with no value of its own, holding out, staying put)."""

Options = dict[str, Terms]
"""The options of a choice: name -> its terms, in the order the rule lists them."""


@dataclass(frozen=True)
class Decision:
    """One choice an actor made: options, their utilities and what was picked."""

    actor: str
    situation: str
    chosen: str
    probabilities: Mapping[str, float]
    terms: Mapping[str, Terms]

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return pickle_by_fields(self)

    def top_terms(self, n: int = 3) -> list[tuple[str, float]]:
        """The `n` mechanisms (by size) that most set the answer drawn apart from its strongest alternative.

        Each value is the chosen option's term minus the same term of the most
        valued other option: positive pushed toward the answer, negative away
        from it. Against a reference option with no terms (e.g. "wait") these
        are the chosen option's own terms; when the reference is chosen, the
        alternative's terms with the sign turned (what counted against acting).
        """
        chosen = self.terms.get(self.chosen, NOTHING).named()
        others = [t for k, t in self.terms.items() if k != self.chosen]
        rival = max(others, key=utility).named() if others else {}
        items = [(k, chosen.get(k, 0.0) - rival.get(k, 0.0)) for k in dict.fromkeys([*chosen, *rival])]
        items = [(k, v) for k, v in items if v != 0.0]
        return sorted(items, key=lambda kv: -abs(kv[1]))[:n]


def utility(terms: Terms) -> float:
    """Total utility of an option: the sum of its terms."""
    return terms.total()


def logit_probabilities(utilities: Mapping[str, float]) -> dict[str, float]:
    """Choice probabilities for option → utility (numerically stable softmax)."""
    top = max(utilities.values())
    weights = {k: math.exp(u - top) for k, u in utilities.items()}
    total = sum(weights.values())
    return {k: w / total for k, w in weights.items()}


def binary_probability(advantage: float) -> float:
    """P(choose A over B) when U_A - U_B = `advantage` (the logistic function)."""
    if advantage >= 0:
        return 1.0 / (1.0 + math.exp(-advantage))
    e = math.exp(advantage)
    return e / (1.0 + e)


def pick(options: Options, u: float) -> tuple[str, dict[str, float]]:
    """The option a uniform draw `u` in [0, 1) picks by logit among `options` (name → its utility
    terms), and every option's probability. The choice is `pick_name`'s, so a run told as a story
    makes the same choices as the same run untold."""
    return pick_name(options, u), logit_probabilities({k: t.total() for k, t in options.items()})


def pick_name(options: Options, u: float) -> str:
    """The option `pick` would choose for the same draw `u`, without its probabilities (the hot path).

    The same sums, in the same order, as `logit_probabilities`, so the choice is bit for bit the
    one `pick` makes.
    """
    if len(options) == 2:  # most choices: act or wait
        n0 = n1 = ""
        u0 = u1 = 0.0
        first = True
        for name, terms in options.items():
            if first:
                n0, u0, first = name, terms.total(), False
            else:
                n1, u1 = name, terms.total()
        top = u0 if u0 >= u1 else u1
        w0 = math.exp(u0 - top)
        return n0 if u * (w0 + math.exp(u1 - top)) < w0 else n1
    names: list[str] = []
    utilities: list[float] = []
    top = -math.inf
    for name, terms in options.items():
        value = terms.total()
        names.append(name)
        utilities.append(value)
        if value > top:
            top = value
    total = 0.0
    weights: list[float] = []
    for value in utilities:
        w = math.exp(value - top)
        weights.append(w)
        total += w
    threshold = u * total
    acc = 0.0
    for i, w in enumerate(weights):
        acc += w
        if threshold < acc:
            return names[i]
    return names[-1]


def standing_draw(stances: dict[Any, float], key: Any, fresh: Callable[[], float]) -> float:
    """The standing uniform draw for `key` (an actor and a question): `fresh()` the first time, then the
    same number for the rest of the replication (`standing_disposition`). With a standing draw a choice is
    a fixed function of the options' utilities: an option whose probability only grows is taken at the
    first meeting where its probability passes the draw, however many meetings came before."""
    u = stances.get(key)
    if u is None:
        u = stances[key] = fresh()
    return u


def choose(rng: np.random.Generator, actor: str, situation: str, options: Options) -> Decision:
    """Draw one option by logit from `options` (name → its utility terms)."""
    chosen, probs = pick(options, float(rng.random()))
    return Decision(actor, situation, chosen, probs, options)
