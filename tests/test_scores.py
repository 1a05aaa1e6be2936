"""Validation scores: dated scores, the persistence baseline, scores by kind of episode, the agreement window,
the calendar baseline's rules, the prior's draws, and what validate prints (labels, progress)."""

from __future__ import annotations

import dataclasses
import json
import math
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from diplosim import load_scenario
from diplosim.domain.parameters import PARAMETERS
from diplosim.explore import scores as sc_mod
from diplosim.explore.scores import (
    AGREE_WINDOW_DAYS,
    brier,
    brier_mc_variance,
    crps_days,
    month_log_score,
    never_day,
    persistence,
)
from diplosim.explore.validation import (
    EpisodeCheck,
    calendar_dates,
    eventful,
    move_checks,
    prior_sample,
    scores,
)
from diplosim.model.engine import ReplicationResult, compile_scenario
from diplosim.scenario.variants import without_given

HISTORY = Path(__file__).resolve().parent.parent / "scenarios" / "history"
CONDITIONAL_LABEL = "actors' recorded moves given (an oracle-input check, not a forecast)"


def _episode(year: int):
    return load_scenario(HISTORY / f"gsomia-{year}.yaml")


# -- dated scores, on tiny hand-made distributions with known answers ---------------------------------------

def test_month_log_score_counts_never_as_an_outcome_and_smooths_every_month_by_a_half():
    start, end = date(2020, 1, 1), date(2020, 3, 31)  # January, February, March and "never": 4 outcomes
    days = [0, 10, 40, None]  # two in January, one in February, one never; n = 4, smoothed total 4 + 4 * 0.5 = 6
    assert math.isclose(month_log_score(days, 5, start, end), -math.log(2.5 / 6))
    assert math.isclose(month_log_score(days, 31, start, end), -math.log(1.5 / 6))   # 1 February
    assert math.isclose(month_log_score(days, 70, start, end), -math.log(0.5 / 6))   # March: nobody, still finite
    assert math.isclose(month_log_score(days, None, start, end), -math.log(1.5 / 6))  # never
    assert sc_mod.MONTH_SMOOTHING == 0.5


def test_crps_of_dates_has_known_values_with_never_at_the_window_end_plus_one_day():
    start, end = date(2020, 1, 1), date(2020, 3, 31)
    never = never_day(start, end)
    assert never == 91
    # two members at days 0 and 10, recorded day 10: mean |x - y| = 5, mean |x - x'| = 5, so 5 - 5/2
    assert crps_days([0, 10], 10, never) == 2.5
    assert crps_days([3], 10, never) == 7.0                     # a point forecast scores its error
    assert crps_days([None], 20, never) == 71.0                 # "never" to a dated event: the days to day 91
    assert crps_days([None, None], None, never) == 0.0          # "never", and it never happened
    assert crps_days([0, None], None, never) == 22.75           # (0 + 91) / 2 - (91 + 91) / 4 / 2


def test_crps_agrees_with_its_integral_definition():
    # CRPS = integral of (F(x) - 1[x >= y])^2 dx; on whole days F is a step function, so the integral is exact
    never = 50
    cases = [([1, 4, 4, 9, None], 6), ([2, 2, 30], None), ([0, 7, 12, 12, 20, None, None], 12)]
    for days, observed in cases:
        xs = [never if d is None else d for d in days]
        y = never if observed is None else observed
        total = 0.0
        for x in range(-1, never + 2):  # F is constant on [x, x + 1)
            f = sum(v <= x for v in xs) / len(xs)
            total += (f - (x >= y)) ** 2
        assert math.isclose(crps_days(days, observed, never), total), (days, observed)


# -- the persistence baseline ---------------------------------------------------------------------------------

def test_smoothed_persistence_gives_no_change_laplaces_rule_and_spreads_the_rest_by_the_other_changes():
    outcomes = ["renewed", "notice_pending", "terminated", "suspended", "normalised"]
    others = [("collapsed", True), ("signed", True), ("renewed", False), ("renewed", False),
              ("suspended", False), ("suspended", False)]
    p = persistence(outcomes, "renewed", others)
    # 4 of 6 others persisted: (4 + 1) / (6 + 2); no other changed in one of these ways: 3/8 spread evenly
    assert p == {"renewed": 5 / 8, "notice_pending": 3 / 32, "terminated": 3 / 32, "suspended": 3 / 32,
                 "normalised": 3 / 32}
    # one other episode changed to "suspended": it weighs 1 + 1 against 1 for each other change
    p = persistence(outcomes, "renewed", [*others[:5], ("suspended", True)])
    assert math.isclose(p["renewed"], (3 + 1) / (6 + 2))
    assert math.isclose(p["suspended"], 0.5 * 2 / 5) and math.isclose(p["terminated"], 0.5 / 5)
    assert math.isclose(sum(p.values()), 1.0)


# -- scores by kind of episode ----------------------------------------------------------------------------------

def test_eventful_is_read_from_the_record_not_from_a_list_of_years():
    assert [eventful(_episode(y)) for y in (2012, 2016, 2017, 2018, 2019, 2020, 2021)] == [
        True, True, False, False, True, False, False]
    quiet_2019 = _episode(2019)
    assert quiet_2019.record is not None
    quiet_2019 = dataclasses.replace(quiet_2019, record=dataclasses.replace(quiet_2019.record, dates={},
                                                                            outcome="renewed"))
    assert not eventful(quiet_2019)
    noticed_2017 = _episode(2017)
    assert noticed_2017.record is not None
    noticed_2017 = dataclasses.replace(noticed_2017, record=dataclasses.replace(noticed_2017.record,
                                                                                outcome="notice_pending"))
    assert eventful(noticed_2017)  # no dated step, but an outcome other than the quiet one


def _check(model, probabilities: dict[str, float]) -> EpisodeCheck:
    rec = model.scenario.record
    return EpisodeCheck(model.scenario.name, model.scenario.path, rec.outcome, probabilities.get(rec.outcome, 0.0),
                        (0.0, 1.0), max(probabilities, key=probabilities.__getitem__), probabilities, {}, {}, {},
                        None, None, 10)


def test_scores_are_given_for_eventful_and_quiet_episodes_apart_and_together():
    models = [compile_scenario(without_given(_episode(y))) for y in (2017, 2019, 2018)]
    forecasts = [{"renewed": 0.9, "notice_pending": 0.1}, {"suspended": 0.5, "renewed": 0.5},
                 {"renewed": 0.6, "terminated": 0.4}]
    got = scores([_check(m, f) for m, f in zip(models, forecasts, strict=True)], models, floor=0.01)
    b2017, b2019, b2018 = 0.1 ** 2 + 0.1 ** 2, 0.5 ** 2 + 0.5 ** 2, 0.4 ** 2 + 0.4 ** 2
    model = got["model"]
    assert math.isclose(model["eventful"]["brier"], b2019, abs_tol=1e-6) and model["eventful"]["episodes"] == 1
    assert math.isclose(model["quiet"]["brier"], (b2017 + b2018) / 2, abs_tol=1e-6)
    assert model["quiet"]["episodes"] == 2
    assert math.isclose(model["brier"], (b2017 + b2019 + b2018) / 3, abs_tol=1e-6)
    assert math.isclose(model["eventful"]["log"], -math.log(0.5), abs_tol=1e-6)
    # persistence for 2019: its two others both persisted, (2 + 1) / (2 + 2) on renewal; 1/4 over 4 changes
    assert math.isclose(got["persistence"]["eventful"]["log"], -math.log(0.25 / 4), abs_tol=1e-6)
    assert {"uniform", "status_quo", "base_rate", "dates"} <= set(got)



# -- the Monte Carlo error of a Brier score --------------------------------------------------------------------

def test_the_brier_monte_carlo_variance_has_the_binary_closed_form_and_none_for_a_certain_forecast():
    # two outcomes, q on the recorded one: Brier = 2 (1 - q)^2, so var = (4 (1 - q))^2 q (1 - q) / n
    q, n = 0.3, 250
    assert math.isclose(brier_mc_variance({"a": q, "b": 1 - q}, "a", n), 16 * (1 - q) ** 2 * q * (1 - q) / n,
                        rel_tol=1e-12)
    assert brier_mc_variance({"a": 1.0, "b": 0.0}, "b", n) == 0.0  # every replication ends the same way
    with pytest.raises(ValueError, match="runs must be positive"):
        brier_mc_variance({"a": 1.0}, "a", 0)


def test_the_brier_monte_carlo_variance_matches_the_spread_of_finite_ensembles():
    # 20,000 ensembles of 400 replications drawn from a three-outcome forecast: the sample variance of their
    # Brier scores has a relative standard error near sqrt(2 / 20,000) = 1%, and the delta method's neglected
    # second-order term is of order 1 / 400 of it; a 5% tolerance is about five standard errors.
    p = {"a": 0.5, "b": 0.3, "c": 0.2}
    runs, ensembles = 400, 20_000
    counts = np.random.default_rng(0).multinomial(runs, [p["a"], p["b"], p["c"]], size=ensembles) / runs
    scored = [brier({"a": x, "b": y, "c": z}, "b") for x, y, z in counts]
    assert math.isclose(float(np.var(scored, ddof=1)), brier_mc_variance(p, "b", runs), rel_tol=0.05)


def test_the_simulated_forecasts_carry_the_monte_carlo_error_of_their_mean_brier_and_the_baselines_none():
    models = [compile_scenario(without_given(_episode(y))) for y in (2017, 2019, 2018)]
    forecasts = [{"renewed": 0.9, "notice_pending": 0.1}, {"suspended": 0.5, "renewed": 0.5},
                 {"renewed": 0.6, "terminated": 0.4}]
    checks = [_check(m, f) for m, f in zip(models, forecasts, strict=True)]  # 10 runs each
    got = scores(checks, models, floor=0.01, prior=checks)
    each = [brier_mc_variance(f, c.outcome, 10) for f, c in zip(forecasts, checks, strict=True)]
    model = got["model"]
    assert math.isclose(model["brier_mc_se"], math.sqrt(sum(each)) / 3, abs_tol=1e-6)
    assert math.isclose(model["eventful"]["brier_mc_se"], math.sqrt(each[1]), abs_tol=1e-6)
    assert math.isclose(model["quiet"]["brier_mc_se"], math.sqrt(each[0] + each[2]) / 2, abs_tol=1e-6)
    assert got["prior_mean"]["brier_mc_se"] == model["brier_mc_se"]
    assert all("brier_mc_se" not in got[label] for label in ("persistence", "hazard", "base_rate", "uniform"))


def test_validates_tables_print_the_monte_carlo_error_of_the_simulated_scores_and_say_what_it_leaves_out():
    from diplosim.cli.validate_tables import mc_line, validation_markdown, validation_table

    def entry(se: float) -> dict:
        return {"brier": 0.5, "log": 0.7, "brier_mc_se": se, "eventful": {"brier": 0.6, "brier_mc_se": 2 * se},
                "quiet": {"brier": 0.4, "brier_mc_se": se / 2}}

    report = {"runs": 2000, "seed": 0, "modes": [], "episodes": [],
              "scores": {"loo": {"model": entry(0.01)}, "posterior": {"model": entry(0.002)}}}
    line = mc_line(report)
    assert "2000 runs per episode" in line
    assert "left out 0.020 / 0.005 / 0.010; in sample 0.004 / 0.001 / 0.002" in line
    assert "another seed" in line  # the calibration's own noise is not in it
    assert line in validation_table(report) and line in validation_markdown(report)
    del report["scores"]["loo"]["model"]["brier_mc_se"], report["scores"]["posterior"]["model"]["brier_mc_se"]
    assert mc_line(report) == ""  # a report written before the errors were kept prints none


# -- the agreement window ------------------------------------------------------------------------------------

def test_a_dated_move_agrees_only_within_the_stated_window():
    assert AGREE_WINDOW_DAYS == 30
    model = compile_scenario(without_given(_episode(2019)))
    recorded = model.scenario.t(date(2019, 7, 1))  # export_control by the counterpart

    def run(i: int, offset: float) -> ReplicationResult:
        return ReplicationResult(i, "renewed", None, {}, {}, [], 0,
                                 moves=[(recorded + offset, "counterpart", "export_control")])

    def p(offset: float) -> float:
        rows = {r["move"]: r for r in move_checks(model, [run(0, offset), run(1, 0.0)])}
        return rows["export_control by the counterpart, 2019-07-01"]["p"]

    assert p(-30.0) == 1.0 and p(30.0) == 1.0
    assert p(-31.0) == 0.5 and p(31.0) == 0.5   # made, but a month off: not agreeing


# -- the calendar baseline knows every rule of the language ------------------------------------------------------

def _rules(**changes):
    sc = _episode(2019)
    return SimpleNamespace(scenario=dataclasses.replace(sc, agreement=dataclasses.replace(sc.agreement, **changes)))


def test_the_calendar_baseline_follows_after_notice_suspension_terms_and_no_notice_clause():
    notice, suspended = date(2019, 8, 22), date(2019, 11, 22)
    # after_notice: a notice may come any day (no date); what answers it waits notice_days (90) from it
    got = calendar_dates(_rules(termination="after_notice"), {"notice_given": notice, "suspended": suspended})
    assert got == {"suspended": notice + timedelta(days=90)}
    # a 30-day suspension, then termination: anniversary rules wait for the next expiry whose notice deadline
    # (expiry - 90 days) is on or after the lapse (2019-12-22): 2020-11-23
    ended = {"notice_given": notice, "suspended": suspended, "terminated": date(2020, 11, 23)}
    assert calendar_dates(_rules(suspension_days=30), ended)["terminated"] == date(2020, 11, 23)
    # ... and after_notice rules run the notice again from the lapse: 2019-12-22 + 90 days
    got = calendar_dates(_rules(termination="after_notice", suspension_days=30), ended)
    assert got["terminated"] == date(2019, 12, 22) + timedelta(days=90)
    assert calendar_dates(_rules(termination="none"), ended) == {}


# -- the prior draws every declared parameter --------------------------------------------------------------------

def test_the_prior_draws_every_declared_parameter():
    sc = _episode(2017)
    drawn = prior_sample(sc.params, seed=3, size=40)
    assert drawn.posterior is not None and set(drawn.posterior.names) == set(PARAMETERS)
    model = compile_scenario(dataclasses.replace(sc, params=drawn))
    assert len(model.draws) == 40
    fixed = [name for name in PARAMETERS if len({getattr(p, name) for p in model.draws}) < 2]
    assert fixed == []  # all of them vary across the draws, not only the calibrated ones
    for name, info in PARAMETERS.items():
        assert all(info.contains(getattr(p, name)) for p in model.draws), name


# -- what validate prints ------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_validate_labels_the_conditional_mode_and_reports_progress_on_stderr_only(capsys):
    from diplosim.cli.main import main

    args = ["validate", str(HISTORY / "gsomia-2017.yaml"), str(HISTORY / "gsomia-2019.yaml"), "--runs", "4",
            "--workers", "1"]
    assert main([*args, "--json"]) == 0
    out, err = capsys.readouterr()
    report = json.loads(out)  # stdout is the JSON and nothing else
    assert report["mode_labels"]["conditional"].endswith(CONDITIONAL_LABEL)
    assert [ep["eventful"] for ep in report["episodes"]] == [False, True]
    assert report["scores"]["loo"]["model"]["eventful"]["episodes"] == 1
    lines = err.splitlines()
    assert "\r" not in err
    steps = [line for line in lines if line.startswith("validate: ") and "/" in line.split()[1]]
    # two episodes, two modes, each with the prior-median rerun, then prior, posterior and left-out runs
    total = 2 * 2 * 2 + 2 * 3
    assert [line.split()[1] for line in steps] == [f"{k}/{total}" for k in range(1, total + 1)]
    assert "conditional mode, episode 2 of 2 (GSOMIA 2019)" in err
    assert lines[-1].startswith("validate: done, 14 ensembles in ")

    assert main([*args, "--markdown"]) == 0
    out, err = capsys.readouterr()
    assert CONDITIONAL_LABEL in out and "validate: " not in out and "validate: done" in err
    assert "within 30 days of the date" in out
    assert "| diplosim, left out (calibrated without the episode) |" in out
    assert "all outcomes equally likely" not in out and "status quo" not in out

    assert main(args) == 0
    out, _ = capsys.readouterr()
    assert CONDITIONAL_LABEL in out and "eventful Brier" in out


# -- the reduced-form hazard baseline --------------------------------------------------------------------------

def test_the_hazard_design_reads_its_covariates_and_outcomes_from_the_file():
    from diplosim.explore import hazard

    x, y, spans = hazard.design(_episode(2019))  # 2018-10-01 to 2019-12-31: 15 months
    months = [lo.strftime("%Y-%m") for lo, _ in spans]
    assert len(months) == 15 and list(hazard.COVARIATES) == ["intercept", "deadline", "facts", "pre_signing"]
    # expiry 2018-11-23, notice deadline 2019-08-25, expiry 2019-11-23 (signed 2016-11-23, 90 days' notice)
    assert [m for m, flag in zip(months, x[:, 1], strict=True) if flag] == ["2018-11", "2019-08", "2019-11"]
    assert [m for m, got in zip(months, y, strict=True) if got] == ["2019-08", "2019-11"]  # notice, suspension
    # August 2019: five missile tests are facts; the export measures that month are given moves, not counted
    assert math.isclose(x[months.index("2019-08"), 2], math.log(6))
    assert not x[:, 3].any()                                           # in force at the start
    assert hazard.design(_episode(2016))[0][:, 3].all()               # talks to come


def test_the_hazard_is_fitted_without_the_episode_it_predicts():
    from diplosim.explore import hazard

    episodes = [_episode(y) for y in (2012, 2016, 2017, 2019)]
    before = hazard.hazards(episodes, 2)
    own = episodes[2]
    assert own.record is not None
    episodes[2] = dataclasses.replace(own, record=dataclasses.replace(own.record, dates={"notice_given":
                                                                                         date(2017, 8, 1)}))
    assert np.array_equal(hazard.hazards(episodes, 2), before)     # its own record does not enter its fit
    assert not np.array_equal(hazard.hazards(episodes, 0), hazard.hazards(
        [_episode(y) for y in (2012, 2016, 2017, 2019)], 0))        # but enters the others'


def test_the_hazard_fit_finds_a_clear_effect():
    from diplosim.explore import hazard

    x = np.array([[1.0, float(k % 2)] for k in range(200)])
    y = np.array([float(k % 2 == 1 and k % 10 != 1) for k in range(200)])  # 80% with the covariate, 0% without
    beta = hazard.fit(x, y, ridge=1e-3)
    assert beta[1] > 3.0 and beta[0] < -3.0


def test_the_first_change_forecast_from_hazards_and_its_scores_are_exact():
    from diplosim.explore import hazard

    sc = _episode(2017)  # January to December 2017
    days = hazard.first_change_days(sc, np.full(12, 0.5))
    assert math.isclose(sum(days.values()), 1.0)
    assert math.isclose(days[None], 0.5 ** 12)
    assert math.isclose(days[0], 0.5 / 31) and math.isclose(days[31], 0.25 / 28)   # 1 January, 1 February
    assert math.isclose(hazard.month_log(days, 40, sc), -math.log(0.25))           # 10 February
    assert math.isclose(hazard.month_log(days, None, sc), 12 * math.log(2))
    # the discrete CRPS equals the ensemble CRPS on an equally weighted distribution
    assert hazard.crps_discrete({0: 0.5, 10: 0.5}, 10, 91) == 2.5
    assert hazard.crps_discrete({0: 0.5, None: 0.5}, None, 91) == crps_days([0, None], None, 91)


def test_the_hazard_baseline_gives_no_change_the_product_of_its_monthly_survivals():
    from diplosim.explore import hazard
    from diplosim.explore.validation import hazard_forecasts

    years = (2012, 2017, 2019)
    models = [compile_scenario(without_given(_episode(y))) for y in years]
    got = hazard_forecasts(models)
    h = hazard.hazards([m.scenario for m in models], 1)
    assert math.isclose(got[1]["outcome"]["renewed"], float(np.prod(1.0 - h)))
    assert math.isclose(sum(got[1]["outcome"].values()), 1.0)
    assert got[1]["first_change"]["month_log"] == hazard.month_log(hazard.first_change_days(models[1].scenario, h),
                                                                   None, models[1].scenario)
