"""Facts and moves: an actor's move stands in a file only as a declared assumption (`given: true`);
`check` lists them and `validate` runs each episode without them (free, every actor deciding) and
with them (conditional, only Seoul deciding), scoring every recorded move of every actor."""

from __future__ import annotations

import json
import subprocess
import sys

from diplosim import compile_scenario, load_scenario
from diplosim.explore.compare import compare
from diplosim.model.engine import silenced_roles
from diplosim.run.evaluator import Evaluator
from diplosim.scenario.variants import assumptions, conditional, given_moves, without_given
from tests.conftest import REPO

HISTORY = REPO / "scenarios" / "history"


def test_the_history_files_declare_every_actor_move_they_hold():
    # Seoul's own acts on the history file (Dokdo, the taskforce report, the fleet review, the foundation)
    # are the executive's given moves too: its initiatives stay on (silenced_roles never silences it)
    expected = {
        "gsomia-2012": ["opposition-blocks-may-signing", "dokdo-visit"],
        "gsomia-2016": ["trilateral-vice-ministers"],
        "gsomia-2017": ["taskforce-report"],
        "gsomia-2018": ["fleet-review-flag", "foundation-dissolved"],
        "gsomia-2019": ["fleet-review-flag", "foundation-dissolved", "export-controls", "whitelist-removal",
                        "consumer-boycott", "stilwell-visit", "milley-visit", "esper-visit", "senate-resolution"],
    }
    for name, ids in expected.items():
        sc = load_scenario(HISTORY / f"{name}.yaml")
        assert given_moves(sc) == ids
        assert "executive" not in silenced_roles(sc)
        free = without_given(sc)
        assert given_moves(free) == [] and len(free.triggers) == len(sc.triggers) - len(ids)
        assert all(tr.by is None for tr in free.triggers)  # what is left are facts
        assert assumptions(free) == [] and silenced_roles(free) == frozenset()


def test_no_history_file_sets_one_of_seouls_own_choices():
    for path in HISTORY.glob("*.yaml"):
        sc = load_scenario(path)
        assert "cabinet_process" not in sc.actors["executive"].facts, path.name
        assert all(cast.facts.get("decides", True) for cast in sc.actors.values()), path.name


def test_a_role_whose_moves_are_given_takes_no_initiatives_and_a_conditional_run_silences_all_but_seoul():
    sc = load_scenario(HISTORY / "gsomia-2019.yaml")
    assert silenced_roles(sc) == {"counterpart", "patron", "public"}
    assert silenced_roles(conditional(sc)) == {"counterpart", "patron", "public", "opposition"}
    assert silenced_roles(without_given(sc)) == frozenset()


def test_check_lists_the_given_moves():
    done = subprocess.run([sys.executable, str(REPO / "run.py"), "check", str(HISTORY / "gsomia-2019.yaml")],
                          capture_output=True, text=True, check=True)
    given = [line for line in done.stdout.splitlines() if line.startswith("  given: ")]
    assert len(given) == 9
    assert given[2] == "  given: export-controls (export_control by the counterpart, 2019-07-01): " \
                       "an assumption, not a fact"
    cabinet = subprocess.run([sys.executable, str(REPO / "run.py"), "check",
                              str(REPO / "scenarios" / "counterfactuals" / "2012-public-cabinet.yaml")],
                             capture_output=True, text=True, check=True)
    assert "  given: cabinet_process: public (Seoul's choice): an assumption, not a fact" in cabinet.stdout


def test_a_free_run_lets_tokyo_decide_instead_of_taking_its_given_measures():
    # The 2019 file gives Japan's two measures; a free run leaves them out, and Tokyo decides. Here a trade
    # measure costs Tokyo more than any grievance is worth (retaliation_base at the top of its range, and
    # retaliation_weight at 0: since the recalibration the weight is calibrated, posterior median 6.5 of 0-10,
    # and near its top a full grievance nearly offsets even the top cost; with tokyo_patience drawn from its
    # prior near 0 as well, 34 of 300 free runs imposed a measure), so it imposes nothing of its own (nor do its
    # own politics raise the grievance's worth or wear its patience down: Japan's election and the claims
    # clock are switched to nothing); and Seoul weighs trade (linkage at the top) but not the public mood
    # (anti_japan_weight 0), so the measures are what would make it give notice. It renews far more often
    # free than with the measures given. 300 paired replications; the asserted gap of 0.3 is many times the
    # standard error of a difference.
    sc = load_scenario(HISTORY / "gsomia-2019.yaml", {"params.retaliation_base": "10",
                                                      "params.retaliation_weight": "0",
                                                      "params.linkage_weight": "12",
                                                      "params.anti_japan_weight": "0",
                                                      "params.tokyo_election_stake_weight": "0",
                                                      "params.claims_step_patience_share": "0",
                                                      "params.seizure_patience_share": "0"})
    with Evaluator(workers=1) as evaluate:
        report = compare([compile_scenario(sc), compile_scenario(without_given(sc))], 300, 0, evaluate)
        free_runs = evaluate(compile_scenario(without_given(sc)), 300, 0)
    given, free = (s["outcomes"]["renewed"]["p"] for s in report["scenarios"])
    assert free > given + 0.3, (free, given)
    # A logit choice is never impossible: a draw of tokyo_patience (from its prior) near 0 leaves Tokyo a
    # small chance per review. Measured with seed 0: none of 300 runs impose (free renews 0.94, given 0.13).
    # Fewer than 5% must; the given file imposes in every run.
    imposing = sum(any(kind == "export_control" for _, _, kind in r.moves) for r in free_runs)
    assert imposing < 0.05 * len(free_runs), imposing


def test_validate_reports_free_and_conditional_runs_with_every_recorded_move():
    done = subprocess.run([sys.executable, str(REPO / "run.py"), "validate", "--runs", "60", "--json",
                           "--workers", "1"], capture_output=True, text=True, check=True)
    report = json.loads(done.stdout)
    assert report["modes"] == ["free", "conditional"]
    for ep in report["episodes"]:
        for mode in ("free", "conditional"):
            entry = ep[mode]
            assert {"p", "modal", "given", "date_skill", "moves", "probabilities"} <= set(entry)
        assert ep["free"]["given"] == []
        assert ep["conditional"]["given"]  # at least: the other actors take no initiatives
    by_name = {ep["name"]: ep for ep in report["episodes"]}
    free_2019 = {m["move"]: m for m in by_name["GSOMIA 2019"]["free"]["moves"]}
    cond_2019 = {m["move"]: m for m in by_name["GSOMIA 2019"]["conditional"]["moves"]}
    lifted = "controls_lifted by the counterpart, never"
    # free: Tokyo decides, so its keeping the measures is scored; conditional: given, never scored
    assert free_2019[lifted]["given"] is False and 0.0 <= free_2019[lifted]["p"] <= 1.0
    assert cond_2019[lifted]["given"] is True and cond_2019[lifted]["p"] is None
    assert cond_2019["export_control by the counterpart, 2019-07-01"]["date_error_days"] is None
    # Tokyo's talks are its answer to Seoul, made in either mode: scored in both
    assert cond_2019["talks by the counterpart, 2019-11-22"]["given"] is False
    for mode in ("free", "conditional"):
        assert {"model", "prior_mean", "base_rate", "uniform", "status_quo"} <= set(report["scores"][mode])


def test_a_tokyo_that_lifts_its_controls_shows_as_an_error():
    # The 2019 record says Tokyo kept its measures. Replications in which the model's Tokyo lifts
    # them (here written by hand) score that recorded move as missed: p is the share that kept them.
    from diplosim.explore.validation import move_checks
    from diplosim.model.engine import ReplicationResult

    model = compile_scenario(without_given(load_scenario(HISTORY / "gsomia-2019.yaml")))

    def run(i: int, lifted: bool) -> ReplicationResult:
        moves = [(270.0, "counterpart", "export_control")] + ([(300.0, "counterpart", "controls_lifted")]
                                                                if lifted else [])
        return ReplicationResult(i, "renewed", None, {}, {}, [], 0, moves=moves)

    rows = {r["move"]: r for r in move_checks(model, [run(i, lifted=i < 3) for i in range(4)])}
    kept = rows["controls_lifted by the counterpart, never"]
    assert kept["given"] is False and kept["p"] == 0.25
    imposed = rows["export_control by the counterpart, 2019-07-01"]
    assert imposed["p"] == 1.0 and imposed["median_date"] == model.date(270.0).isoformat()
    assert imposed["date_error_days"] == float((model.date(270.0) - model.scenario.record.moves[0].at).days)


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
    # 2012 (initialled) can end signed, collapsed or stalled, and counts 2016's signing; 2016 (no talks)
    # can also end with no talks, and counts 2012's collapse; 2019 has no other episode that ended in
    # one of its ways. One pseudo-count per outcome.
    assert r2012 == {"signed": 0.5, "collapsed": 0.25, "stalled": 0.25}
    assert r2016 == {"signed": 0.2, "collapsed": 0.4, "stalled": 0.2, "no_talks": 0.2}
    assert r2019 == {k: 0.2 for k in ("renewed", "notice_pending", "terminated", "suspended", "normalised")}
