"""Facts and moves: an actor's move stands in a file only as a declared assumption (`given: true`);
`check` lists them and `validate` runs each episode without them (free) and with them (conditional)."""

from __future__ import annotations

import json
import subprocess
import sys

from diplosim import compile_scenario, load_scenario
from diplosim.explore.compare import compare
from diplosim.run.evaluator import Evaluator
from diplosim.scenario.variants import given_moves, without_given
from tests.conftest import REPO

HISTORY = REPO / "scenarios" / "history"


def test_the_history_files_declare_every_actor_move_they_hold():
    expected = {
        "gsomia-2012": ["opposition-blocks-may-signing"],
        "gsomia-2016": ["trilateral-vice-ministers"],
        "gsomia-2019": ["export-controls", "whitelist-removal", "stilwell-visit", "milley-visit", "esper-visit",
                        "senate-resolution"],
    }
    for name, ids in expected.items():
        sc = load_scenario(HISTORY / f"{name}.yaml")
        assert given_moves(sc) == ids
        assert {tr.by for tr in sc.triggers if tr.given} <= {"counterpart", "patron", "opposition"}
        free = without_given(sc)
        assert given_moves(free) == [] and len(free.triggers) == len(sc.triggers) - len(ids)
        assert all(tr.by is None for tr in free.triggers)  # what is left are facts


def test_check_lists_the_given_moves():
    done = subprocess.run([sys.executable, str(REPO / "run.py"), "check", str(HISTORY / "gsomia-2019.yaml")],
                          capture_output=True, text=True, check=True)
    given = [line for line in done.stdout.splitlines() if line.startswith("  given: ")]
    assert len(given) == 6
    assert given[0] == "  given: export-controls (export_control by the counterpart, 2019-07-01): " \
                       "an assumption, not a fact"


def test_leaving_out_tokyos_and_washingtons_given_moves_makes_notice_rarer_in_2019():
    # Direction of the free run: without Japan's measures given, Seoul has less to answer
    # through the pact, so P(renewed) rises. 400 paired replications (common random numbers):
    # the shipped parameters give about 0.00 with the moves and about 0.98 without, so the
    # asserted gap of 0.5 holds with a wide margin and fails if the moves stop acting.
    sc = load_scenario(HISTORY / "gsomia-2019.yaml")
    with Evaluator(workers=1) as evaluate:
        report = compare([compile_scenario(sc), compile_scenario(without_given(sc))], 400, 0, evaluate)
    conditional, free = (s["outcomes"]["renewed"]["p"] for s in report["scenarios"])
    assert free > conditional + 0.5, (free, conditional)


def test_validate_reports_free_and_conditional_runs():
    done = subprocess.run([sys.executable, str(REPO / "run.py"), "validate", "--runs", "60", "--json",
                           "--workers", "1"], capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    for ep in report["episodes"]:
        assert set(ep["free"]) == {"p", "modal", "given"} and ep["free"]["given"] == []
        assert ep["conditional"]["given"] and ep["conditional"]["p"] == ep["p"]
    for mode in ("scores", "scores_free"):
        assert {"model", "prior_mean", "base_rate", "uniform", "status_quo"} <= set(report[mode])


def test_the_calendar_baseline_puts_each_step_at_its_legal_deadline():
    from datetime import date

    from diplosim.explore.validation import calendar_dates, date_skill

    model = compile_scenario(load_scenario(HISTORY / "gsomia-2019.yaml"))
    recorded = {"notice_given": date(2019, 8, 22), "suspended": date(2019, 11, 22), "negotiating": date(2019, 1, 1)}
    # signed 2016-11-23, renewed yearly, 90 days' notice: expiry 2019-11-23, last day for notice 2019-08-25
    assert calendar_dates(model, recorded) == {"notice_given": date(2019, 8, 25), "suspended": date(2019, 11, 23)}
    assert date_skill({"notice_given": -2.0, "suspended": 0.0}, {"notice_given": 3.0, "suspended": 1.0}) == 0.5
    assert date_skill({"notice_given": 3.0}, {"notice_given": 3.0}) == 0.0      # no better than the calendar
    assert date_skill({"notice_given": 6.0}, {"notice_given": 3.0}) == -1.0     # worse
    assert date_skill({"notice_given": None}, {"notice_given": 3.0}) is None    # never reached
    assert date_skill({"notice_given": 1.0}, {"notice_given": 0.0}) is None     # calendar exact: no room


def test_the_base_rate_forecast_counts_the_other_episodes_that_could_end_the_same_ways():
    from diplosim.explore.validation import base_rates

    models = [compile_scenario(load_scenario(HISTORY / f"gsomia-{y}.yaml")) for y in (2012, 2016, 2019)]
    r2012, r2016, r2019 = base_rates(models)
    # 2012 and 2016 start before signing (signed, collapsed, stalled): each sees the other's outcome,
    # plus one pseudo-count per outcome; 2019 starts in force and has no other such episode.
    assert r2012 == {"signed": 0.5, "collapsed": 0.25, "stalled": 0.25}
    assert r2016 == {"signed": 0.25, "collapsed": 0.5, "stalled": 0.25}
    assert r2019 == {k: 0.25 for k in ("renewed", "notice_pending", "terminated", "suspended")}
