"""What every actor shares: a simpy callback that wakes on reasons.

An actor sleeps until something concerns it: an event it listens to, or a
decision date it set itself. Its `handle` method is its decision rule. Actors
read the world and the agreement through the replication `Context`; they never
see YAML, and they draw randomness only from the context's generator.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import simpy

from ..choice import Decision, Terms, choose

if TYPE_CHECKING:
    from ..engine import Context

Reason = tuple[str, Any]
"""Why an actor woke: (what, detail), e.g. ('event', 'missile_test') or ('cabinet', None)."""


class Actor:
    """Base class: role, name, waking on reasons and a logged logit choice."""

    role: str = ""
    listens: frozenset[str] = frozenset()
    """Event kinds this actor wants to hear about."""

    def __init__(self, ctx: Context, name: str, facts: Mapping[str, Any]) -> None:
        self.ctx = ctx
        self.name = name
        self.facts = facts
        self._pending: list[Reason] = []
        self._listening = False
        self._wake_scheduled = False

    # -- waking --------------------------------------------------------------
    # An actor is not a simpy process but a callback on one "wake" event at a
    # time: the same order of events and draws as a process waiting on that
    # event, without a generator switch per wake (the engine's hottest path).

    def listen(self) -> None:
        """From now on (decisions have begun), notifications wake the actor."""
        self._listening = True

    def notify(self, what: str, detail: Any = None) -> None:
        """Give the actor a reason to wake now.

        Reasons that arrive while the actor is handling others wait for the
        next wake, as they did when actors were simpy processes.
        """
        self._pending.append((what, detail))
        if self._listening and not self._wake_scheduled:
            self._wake_scheduled = True
            wake = self.ctx.env.event()
            wake.callbacks.append(self._wake_up)
            wake.succeed()

    def _wake_up(self, _event: simpy.Event) -> None:
        pending, self._pending = self._pending, []
        for reason in pending:
            self.handle(reason)
        self._wake_scheduled = False

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
