"""The agreement's lifecycle: an explicit state machine with dated transitions.

    no_talks -> negotiating -> initialled -> cabinet_approved -> in_force
    in_force -> notice_given -> terminated | suspended | normalised   (normalised: the notice withdrawn)
    suspended -> normalised | terminated;  normalised -> notice_given
    negotiating | initialled | cabinet_approved -> no_talks   (a collapse)
    terminated -> negotiating                                  (talks reopen)

``in_force`` is the signed agreement. Its rules come from the scenario: a term
of `term_years`, renewed automatically at each anniversary of the signing unless
a party gives written notice `notice_days` before expiry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..domain.lifecycle import TRANSITIONS, Stage
from . import pickle_by_fields


class IllegalTransition(RuntimeError):
    """A move the lifecycle does not allow (a bug in the model, never bad input)."""


@dataclass(frozen=True)
class Rules:
    """The agreement's own rules, from the scenario."""

    term_years: int = 1
    notice_days: int = 90
    termination: str = "anniversary"
    """'anniversary': renews each term unless notice `notice_days` before expiry; 'after_notice': ends
    `notice_days` after a notice given at any time; 'none': cannot be ended by notice."""
    suspension_days: int | None = None
    """A suspended notice's term (None: suspended until lifted)."""

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return pickle_by_fields(self)


@dataclass
class Agreement:
    """Current stage and the dated record of every transition."""

    stage: Stage
    rules: Rules
    signed_at: float | None = None
    """Sim time (days) of signing; negative when signed before the episode."""
    transitions: list[tuple[float, Stage, Stage, str]] = field(default_factory=list)

    def can_move(self, to: Stage) -> bool:
        """Whether moving to `to` is legal from the current stage."""
        return to in TRANSITIONS[self.stage]

    def move(self, to: Stage, t: float, by: str) -> None:
        """Make a transition at time `t` on behalf of actor `by`."""
        if not self.can_move(to):
            raise IllegalTransition(f"{self.stage} -> {to} is not allowed (by {by} at t={t:.2f})")
        self.transitions.append((t, self.stage, to, by))
        self.stage = to
        if to is Stage.IN_FORCE:
            self.signed_at = t

    def first_entry(self, stage: Stage) -> float | None:
        """Time the agreement first entered `stage`, or None."""
        for t, _, to, _ in self.transitions:
            if to is stage:
                return t
        return None


def anniversaries(signed: date, term_years: int, after: date, until: date) -> list[date]:
    """Expiry dates (signing anniversaries every `term_years`) in (after, until]."""
    out: list[date] = []
    year = signed.year + term_years
    while True:
        try:
            d = signed.replace(year=year)
        except ValueError:  # 29 Feb in a common year: the term ends on 1 Mar
            d = date(year, 3, 1)
        if d > until:
            return out
        if d > after:
            out.append(d)
        year += term_years
