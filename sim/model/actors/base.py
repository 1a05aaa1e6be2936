"""What every actor shares: a simpy process that wakes on reasons.

An actor sleeps until something concerns it: an event it listens to, or a
decision date it set itself. Its `handle` method is its decision rule. Actors
read the world and the agreement through the replication `Context`; they never
see YAML, and they draw randomness only from the context's generator.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

import simpy

from ..choice import Decision, Terms, choose

if TYPE_CHECKING:
    from ..engine import Context

Reason = tuple[str, Any]
"""Why an actor woke: (what, detail), e.g. ('event', 'missile_test') or ('cabinet', None)."""


class Actor:
    """Base class: role, name, the wake-up loop and a logged logit choice."""

    role: str = ""
    listens: frozenset[str] = frozenset()
    """Event kinds this actor wants to hear about."""

    def __init__(self, ctx: Context, name: str, facts: Mapping[str, Any]) -> None:
        self.ctx = ctx
        self.name = name
        self.facts = facts
        self._pending: list[Reason] = []
        self._wake: simpy.Event | None = None
        self.event_details: dict[str, Any] = {}
        """The detail of the latest event of each kind this actor heard of."""

    # -- the process -------------------------------------------------------

    def run(self) -> Generator[simpy.Event, Any, None]:
        """The simpy process: wait for a reason, handle everything pending."""
        env = self.ctx.env
        while True:
            self._wake = env.event()
            yield self._wake
            pending, self._pending = self._pending, []
            for reason in pending:
                self.handle(reason)

    def notify(self, what: str, detail: Any = None) -> None:
        """Give the actor a reason to wake now."""
        self._pending.append((what, detail))
        wake = self._wake
        if wake is not None and not wake.triggered:
            wake.succeed()

    def wake_at(self, t: float, what: str, detail: Any = None) -> None:
        """Ask to be woken at time `t` (days) with reason `what`."""
        env = self.ctx.env
        timer = env.timeout(max(0.0, t - env.now))
        timer.callbacks.append(lambda _ev: self.notify(what, detail))

    def handle(self, reason: Reason) -> None:
        """The decision rule. Subclasses override."""

    # -- helpers -----------------------------------------------------------

    def decide(self, situation: str, options: Mapping[str, Terms]) -> Decision:
        """Draw a logit choice among `options` and log it."""
        decision = choose(self.ctx.rng, self.name, situation, options)
        self.ctx.log_decision(self, decision)
        return decision

    def on(self, mechanism: str) -> bool:
        """Whether `mechanism` is switched on in this scenario."""
        return mechanism in self.ctx.mechanisms
