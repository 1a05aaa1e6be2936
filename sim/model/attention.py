"""Deliberation: when an actor takes up a decision it faces, and how a deadline presses.

An actor facing a decision reviews it whenever an event it listens to happens,
and otherwise at the times of a Poisson agenda whose rate rises as the deadline
it faces nears (the deadline effect in bargaining: Roth, Murnighan & Schoumaker
1988, AER 78:4)::

    urgency(t) = exp(-(deadline - t) / urgency_days)          (0 far away, 1 at it)
    rate(t)    = 1 / review_days + deadline_reviews * urgency(t) / urgency_days

so a deadline adds `deadline_reviews` reviews in expectation over its run-up, whatever
the actor's ordinary cadence: an actor meeting rarely still takes a deadline up
(it misses its run-up altogether with probability about exp(-deadline_reviews)).

A deadline acts only through these two quantities: the rate at which an actor
reviews, and, in its utilities, the value of waiting (``option_value * (1 -
urgency)``). No decision is ever scheduled at an offset from a deadline.
Everything here is pure, so it is tested without simpy.
"""

from __future__ import annotations

import math


def urgency(days_left: float | None, urgency_days: float) -> float:
    """How much a deadline `days_left` away presses, in [0, 1]; 0 without a deadline."""
    if days_left is None:
        return 0.0
    if days_left <= 0.0:
        return 1.0
    return math.exp(-days_left / urgency_days)


def review_rate(days_left: float | None, review_days: float, deadline_reviews: float, urgency_days: float) -> float:
    """Reviews per day of a decision whose deadline is `days_left` away (None: no deadline)."""
    return 1.0 / review_days + deadline_reviews * urgency(days_left, urgency_days) / urgency_days


def next_review(now: float, deadline: float | None, draw: float, review_days: float, deadline_reviews: float,
                urgency_days: float) -> tuple[float, bool]:
    """When the agenda next brings the decision up: ``(time, True)``, or ``(deadline, False)`` when
    the deadline passes first (the decision then changes: plan again from there).

    `draw` is a standard exponential variate E: the review falls where the integrated
    rate from `now` reaches E (inversion of a non-homogeneous Poisson process),
    ``(t - now) / R + m * (exp((t - D) / u) - exp((now - D) / u)) = E``,
    found by Newton's method from the right (the left side is convex and increasing).
    """
    base = 1.0 / review_days
    if deadline is None or deadline <= now or deadline_reviews == 0.0:
        t = now + draw / base
        if deadline is not None and now < deadline <= t:
            return deadline, False
        return t, True
    m, u = deadline_reviews, urgency_days
    start = math.exp((now - deadline) / u)
    if _excess(deadline, now, deadline, draw, base, m, u, start) < 0.0:
        return deadline, False
    t = min(now + draw / base, deadline)  # the homogeneous answer: at or right of the root
    for _ in range(50):
        f = _excess(t, now, deadline, draw, base, m, u, start)
        if f <= 1e-12:
            break
        step = f / review_rate(deadline - t, review_days, m, u)  # the excess's slope at t
        t -= step
        if step < 1e-9:
            break
    return max(now, t), True


def _excess(t: float, now: float, deadline: float, draw: float, base: float, m: float, u: float,
            start: float) -> float:
    """The agenda's integrated rate from `now` to `t`, minus the exponential `draw` (`next_review`'s root)."""
    return base * (t - now) + m * (math.exp((t - deadline) / u) - start) - draw
