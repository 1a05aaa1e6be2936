"""Logit choice: probabilities and draws."""

import math

import numpy as np

from diplosim.model.choice import NOTHING, TERM_NAMES, Decision, Terms, binary_probability, choose, logit_probabilities


def test_probabilities_sum_to_one_and_follow_utilities():
    p = logit_probabilities({"a": 1.0, "b": 0.0, "c": -1.0})
    assert math.isclose(sum(p.values()), 1.0)
    assert p["a"] > p["b"] > p["c"]
    assert math.isclose(p["a"] / p["b"], math.e)


def test_large_utilities_are_stable():
    p = logit_probabilities({"a": 1000.0, "b": 0.0})
    assert p["a"] == 1.0 and p["b"] == 0.0


def test_binary_probability_matches_logit():
    for adv in (-3.0, 0.0, 2.5):
        p = logit_probabilities({"a": adv, "b": 0.0})["a"]
        assert math.isclose(binary_probability(adv), p)


def test_draws_match_probabilities():
    # 20,000 draws: the share of 'a' has a standard error of about 0.003, so
    # a tolerance of 0.015 (5 standard errors) fails only if the draw is wrong.
    rng = np.random.default_rng(7)
    opts = {"a": Terms(process=1.0), "b": NOTHING}
    n = 20_000
    share = sum(choose(rng, "me", "test", opts).chosen == "a" for _ in range(n)) / n
    assert abs(share - math.e / (1 + math.e)) < 0.015


def test_top_terms_explain_a_do_nothing_choice():
    rng = np.random.default_rng(0)
    d = choose(rng, "me", "s", {"act": Terms(threat_cooperation=-5.0, process=0.1), "wait": NOTHING})
    assert d.chosen == "wait"
    assert d.top_terms()[0] == ("threat_cooperation", 5.0)


def test_top_terms_weigh_the_answer_against_its_strongest_alternative():
    # Signing carries domestic costs, but breaking off in the open costs more: the story must say the
    # walk-away cost pushed toward signing, and net out a term both options share.
    terms = {"sign": Terms(process=2.0, two_level_game=-2.5, threat_cooperation=1.0),
             "break_off": Terms(audience_costs=-4.0, threat_cooperation=1.0), "weaker": Terms(audience_costs=-9.0)}
    d = Decision("me", "sign?", "sign", {"sign": 0.97, "break_off": 0.03, "weaker": 0.0}, terms)
    assert d.top_terms() == [("audience_costs", 4.0), ("two_level_game", -2.5), ("process", 2.0)]


def test_terms_add_negate_and_name_term_by_term():
    a = Terms(process=1.0, rally=0.5)
    b = Terms(process=-1.0, audience_costs=-2.0)
    assert a.plus(b).named() == {"audience_costs": -2.0, "rally": 0.5}  # a term that adds to 0 is left out
    assert a.negated().named() == {"process": -1.0, "rally": -0.5}
    assert a.plus(b).total() == a.total() + b.total() == -1.5
    assert NOTHING.total() == 0.0 and NOTHING.named() == {}
    every = Terms(*range(1, len(TERM_NAMES) + 1))
    assert list(every.named()) == list(TERM_NAMES)  # each field has its name, in order
    assert every == Terms(**{name: float(i) for i, name in enumerate(TERM_NAMES, start=1)})


def test_every_term_is_named_after_a_mechanism_or_the_process():
    from diplosim.domain.mechanisms import MECHANISMS

    assert set(TERM_NAMES) <= set(MECHANISMS) | {"process"}
