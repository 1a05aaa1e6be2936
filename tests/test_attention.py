"""The agenda (`sim/model/attention.py`): when an actor next takes up a decision, and how a deadline presses.

A deadline adds `deadline_reviews` reviews in expectation over its run-up, whatever the actor's ordinary
cadence (`review_days`), so the chance of missing the run-up altogether depends on the deadline's pull, not
on how rarely the actor meets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from diplosim.model.attention import next_review, review_rate


def integrated_rate(now: float, t: float, deadline: float, review_days: float, deadline_reviews: float,
                    urgency_days: float, steps: int = 20000) -> float:
    """The review rate integrated from `now` to `t` by the midpoint rule (independent of the closed form)."""
    h = (t - now) / steps
    return sum(review_rate(deadline - (now + (i + 0.5) * h), review_days, deadline_reviews, urgency_days)
               for i in range(steps)) * h


@pytest.mark.parametrize(("review_days", "deadline_reviews", "urgency_days", "draw"), [
    (24.0, 5.0, 9.5, 0.7), (76.0, 10.0, 1.0, 1.3), (3.0, 0.5, 90.0, 2.0), (120.0, 2.0, 20.0, 0.2),
])
def test_the_next_review_falls_where_the_integrated_rate_reaches_the_draw(review_days, deadline_reviews,
                                                                           urgency_days, draw):
    # inversion of a non-homogeneous Poisson process: the midpoint rule over 20,000 steps is accurate to well
    # under 1e-4 here, so a tolerance of 1e-3 fails only if the closed form or the root is wrong
    now, deadline = 10.0, 70.0
    t, is_review = next_review(now, deadline, draw, review_days, deadline_reviews, urgency_days)
    assert is_review and now < t < deadline
    assert integrated_rate(now, t, deadline, review_days, deadline_reviews, urgency_days) == pytest.approx(
        draw, abs=1e-3)


def test_without_a_deadline_pull_the_agenda_is_a_plain_poisson_process():
    t, is_review = next_review(5.0, 100.0, 0.5, 24.0, 0.0, 9.5)
    assert is_review and t == pytest.approx(5.0 + 0.5 * 24.0)
    t, is_review = next_review(5.0, None, 0.5, 24.0, 7.0, 9.5)
    assert is_review and t == pytest.approx(17.0)


@pytest.mark.parametrize("review_days", [3.0, 24.0, 120.0])
def test_an_actor_misses_a_deadlines_run_up_with_a_chance_set_by_its_pull_not_its_cadence(review_days):
    # from 30 days out, no review before the deadline has probability exp(-(30 / R + m (1 - exp(-30 / u))));
    # 20,000 exponential draws (seed 0): the share's standard error is at most 0.0036 (at p = 0.5), so a
    # tolerance of 0.015 is four of them. At m = 5 the miss is at most exp(-5 (1 - exp(-30 / 9.5))) = 0.0073
    # whatever the cadence, where a pull proportional to the cadence (attention_gain, the rule before) left an
    # actor meeting every 120 days, at that gain's prior median of 10, a 0.36 chance of never looking.
    m, u, window = 5.0, 9.5, 30.0
    draws = np.random.default_rng(0).exponential(size=20000)
    missed = np.mean([not next_review(0.0, window, float(e), review_days, m, u)[1] for e in draws])
    expected = math.exp(-(window / review_days + m * (1.0 - math.exp(-window / u))))
    assert missed == pytest.approx(expected, abs=0.015)
    assert expected < 0.0075
