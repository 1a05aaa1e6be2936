"""Random-utility (logit) choice: pure functions, no simulation state.

An actor facing options scores each as a sum of named utility terms (each term
named after the mechanism it comes from). The probability of option i is
``exp(U_i) / sum_j exp(U_j)`` (McFadden's conditional logit with unit scale).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import pickle_by_fields

Terms = dict[str, float]
"""An option's utility as named terms: mechanism -> utility (logit units)."""
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
        chosen = self.terms.get(self.chosen, {})
        others = [t for k, t in self.terms.items() if k != self.chosen]
        rival = max(others, key=utility) if others else {}
        items = [(k, chosen.get(k, 0.0) - rival.get(k, 0.0)) for k in dict.fromkeys([*chosen, *rival])]
        items = [(k, v) for k, v in items if v != 0.0]
        return sorted(items, key=lambda kv: -abs(kv[1]))[:n]


def utility(terms: Terms) -> float:
    """Total utility of an option: the sum of its terms, in their order."""
    total = 0.0
    for value in terms.values():
        total += value
    return total


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
    return pick_name(options, u), logit_probabilities({k: utility(t) for k, t in options.items()})


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
                n0, u0, first = name, utility(terms), False
            else:
                n1, u1 = name, utility(terms)
        top = u0 if u0 >= u1 else u1
        w0 = math.exp(u0 - top)
        return n0 if u * (w0 + math.exp(u1 - top)) < w0 else n1
    names: list[str] = []
    utilities: list[float] = []
    top = -math.inf
    for name, terms in options.items():
        value = utility(terms)
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


def choose(rng: np.random.Generator, actor: str, situation: str, options: Options) -> Decision:
    """Draw one option by logit from `options` (name → its utility terms)."""
    chosen, probs = pick(options, float(rng.random()))
    return Decision(actor, situation, chosen, probs, options)
