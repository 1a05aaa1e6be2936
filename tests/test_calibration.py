"""Calibration: targets against the record, identifiability across the priors, ABC-SMC with a seeded
sampler, and posterior draws in every run."""

from __future__ import annotations

import dataclasses
import json
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from diplosim import compile_scenario, load_scenario, run_ensemble
from diplosim.domain.parameters import CALIBRATED, PARAMETERS
from diplosim.errors import shown_path
from diplosim.explore.identify import correlation_ratio, identify, sample_prior
from diplosim.explore.targets import EpisodeSet, distance, kind_weights, replication_targets, target_names
from diplosim.model.engine import ReplicationResult
from diplosim.scenario.params import load_parameters, load_posterior
from diplosim.scenario.shipped import HISTORY_DIR
from tests.conftest import REPO

HISTORY = sorted(HISTORY_DIR.glob("*.yaml"))


def test_every_parameter_has_a_prior_argued_from_its_unit_and_a_median_inside_its_bounds():
    for info in PARAMETERS.values():
        assert info.prior in ("uniform", "loguniform")
        if info.prior == "loguniform":
            assert info.lower > 0 and info.unit.startswith(("days", "hours"))
        assert info.lower <= info.prior_median <= info.upper
        assert info.to_unit(info.from_unit(0.3)) == pytest.approx(0.3)
    assert 0 < len(CALIBRATED) <= 12


def test_the_shipped_parameters_are_the_posterior_for_the_calibrated_and_prior_medians_for_the_rest():
    shipped = load_parameters()
    assert shipped.posterior is not None and len(shipped.posterior) >= 1000
    # the sample holds exactly the parameters identify selected; every other one is not fitted to the
    # record at all but held at the middle of its prior (to the 7 significant digits a file keeps)
    assert set(shipped.posterior.names) == set(CALIBRATED)
    for name, spec in shipped.specs.items():
        if name not in CALIBRATED:
            assert spec.value == pytest.approx(PARAMETERS[name].prior_median, rel=1e-6, abs=1e-9), name


def test_targets_score_one_replication_against_the_record():
    sc = load_scenario(REPO / "scenarios" / "history" / "gsomia-2019.yaml")
    model = compile_scenario(sc)
    names = target_names(sc)
    assert names[0] == "gsomia-2019:outcome" and "gsomia-2019:date:notice_given" in names
    notice, suspended = sc.t(sc.record.dates["notice_given"]), sc.t(sc.record.dates["suspended"])
    exact = ReplicationResult(0, "suspended", suspended, {"notice_given": notice, "suspended": suspended}, {},
                              [None] * len(sc.polls), 0,
                              moves=[(sc.t(m.at), m.by, m.kind) for m in sc.record.moves if m.at is not None])
    got = replication_targets(model, exact)
    assert got["gsomia-2019:outcome"] == 0.0 and got["gsomia-2019:date:notice_given"] == 0.0
    assert got["gsomia-2019:move:controls_lifted by the counterpart, never"] == 0.0
    assert got["gsomia-2019:move:us_pressure by the patron, 2019-11-01 to 2019-11-22"] == 1.0  # no pressure made
    late = ReplicationResult(0, "renewed", None, {"notice_given": notice + 45}, {}, [None] * len(sc.polls), 0)
    worse = replication_targets(model, late)
    assert worse["gsomia-2019:outcome"] == 1.0 and worse["gsomia-2019:date:notice_given"] == pytest.approx(0.5)
    assert worse["gsomia-2019:date:suspended"] == 1.0
    assert distance(got) < distance(worse)
    assert distance({"a:outcome": 1.0, "a:date:x": 1.0, "a:move:y": 0.0, "a:polls": 1.0}) == pytest.approx(
        1.0 + 0.5 * 0.5 + 0.25)


def test_balanced_kinds_weigh_the_eventful_and_the_quiet_episodes_the_same():
    # two eventful episodes and four quiet ones, as a fold that leaves an eventful episode out: each kind
    # adds up to half of the six, so one eventful miss costs twice a quiet one
    kinds = {"e1": True, "e2": True, "q1": False, "q2": False, "q3": False, "q4": False}
    w = kind_weights(kinds)
    assert w == {"e1": 1.5, "e2": 1.5, "q1": 0.75, "q2": 0.75, "q3": 0.75, "q4": 0.75}
    assert sum(w.values()) == pytest.approx(len(kinds))
    # as many of each kind (a fold that leaves a quiet episode out), or one kind only: every weight is 1,
    # so the distance is the unweighted one
    assert set(kind_weights({"e1": True, "q1": False}).values()) == {1.0}
    assert set(kind_weights({"q1": False, "q2": False}).values()) == {1.0}
    missed = {"e1:outcome": 1.0, "q1:outcome": 1.0, "q2:outcome": 0.0, "q2:polls": 1.0}
    assert distance(missed, {"e1": 2.0, "q1": 0.5}) == pytest.approx(2.0 + 0.5 + 0.25)
    assert distance(missed, None) == distance(missed) == pytest.approx(1.0 + 1.0 + 0.25)


def test_the_correlation_ratio_finds_a_dependence_and_not_noise():
    rng = np.random.default_rng(0)
    x = rng.random(2000)
    assert correlation_ratio(x, np.sin(3 * x) + 0.01 * rng.random(2000), 10) > 0.9
    noise = correlation_ratio(x, rng.random(2000), 10)
    assert noise < 0.02  # about (10 - 1) / 2000 = 0.0045 for pure noise


def test_identify_ranks_the_parameters_and_keeps_at_most_half_as_many_as_independent_targets():
    episodes = EpisodeSet.of([load_scenario(p) for p in HISTORY[:2]], load_scenario(HISTORY[0]).params)
    report = identify(episodes, samples=60, runs=1, seed=0, workers=1)
    assert set(report["table"]) == set(PARAMETERS)
    assert len(report["selected"]) <= report["independent_targets"] // 2
    assert all(0.0 <= v <= 1.0 for row in report["table"].values() for v in row.values())
    assert report["selected"] == report["identified"][:len(report["selected"])]


def test_the_prior_sample_is_a_latin_hypercube_within_the_bounds():
    points = sample_prior(["review_days", "threat_weight"], 50, 3)
    assert len(points) == 50 and points == sample_prior(["review_days", "threat_weight"], 50, 3)
    for name in ("review_days", "threat_weight"):
        u = sorted(PARAMETERS[name].to_unit(p[name]) for p in points)
        assert all(k / 50 <= v < (k + 1) / 50 for k, v in enumerate(u))  # one point in each stratum


@pytest.mark.slow
def test_abc_smc_gives_the_same_posterior_on_one_worker_or_two(tmp_path):
    pytest.importorskip("pyabc")
    from diplosim.explore.abc import calibrate_abc

    episodes = EpisodeSet.of([load_scenario(p) for p in HISTORY[:2]], load_scenario(HISTORY[0]).params)
    names = list(CALIBRATED)[:3]
    runs = [calibrate_abc(episodes, names, population=20, seed=5, workers=w, database=tmp_path / f"abc{w}.db",
                          max_generations=2) for w in (1, 2)]
    assert runs[0].particles == runs[1].particles and runs[0].weights == runs[1].weights
    assert len(runs[0].particles) == 20 and math.isclose(sum(runs[0].weights), 1.0)
    assert all(PARAMETERS[n].contains(p[n]) for p in runs[0].particles for n in names)
    assert len(runs[0].generations) == 2 and runs[0].generations[1]["epsilon"] <= runs[0].generations[0]["epsilon"]


@pytest.mark.slow
def test_calibrate_writes_a_posterior_that_run_then_draws_from(tmp_path):
    pytest.importorskip("pyabc")
    out = tmp_path / "cal"
    done = subprocess.run([sys.executable, str(REPO / "run.py"), "calibrate", str(HISTORY[0]), str(HISTORY[1]),
                           "--population", "15", "--generations", "2", "--workers", "1", "--seed", "2",
                           "--leave-out", HISTORY[1].stem, "--identify-samples", "40", "--identify-runs", "1",
                           "--out", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["left_out"].endswith(HISTORY[1].name) and len(report["episodes"]) == 1  # calibrated without it
    selection = json.loads((out / "identify.json").read_text())
    assert selection["left_out"] == HISTORY[1].stem and selection["episodes"] == [HISTORY[0].stem]
    posterior = load_posterior(out / "posterior.csv")
    assert len(posterior) == 15 and list(posterior.names) == selection["selected"] == report["names"]
    params = load_parameters(out / "params.yaml")
    assert params.posterior is not None and params.posterior.sha256 == posterior.sha256
    assert load_parameters(out / "params.yaml", posterior=False).posterior is None
    sc = load_scenario(HISTORY[0])
    import dataclasses

    drawn = run_ensemble(dataclasses.replace(sc, params=params), 30, 0)
    assert {r.draw for r in drawn.results} <= set(range(15)) and len({r.draw for r in drawn.results}) > 3
    fixed = run_ensemble(dataclasses.replace(sc, params=params.fixed()), 5, 0)
    assert {r.draw for r in fixed.results} == {None}


@pytest.mark.slow
def test_calibrate_balance_kinds_weighs_the_fold_s_eventful_episode_as_its_quiet_ones(tmp_path):
    pytest.importorskip("pyabc")
    files = {p.stem: p for p in HISTORY}
    out = tmp_path / "cal"
    on = [files["gsomia-2012"], files["gsomia-2017"], files["gsomia-2018"]]  # one eventful, two quiet
    done = subprocess.run([sys.executable, str(REPO / "run.py"), "calibrate", *map(str, on),
                           str(files["gsomia-2020"]), "--leave-out", "gsomia-2020", "--balance-kinds",
                           "--population", "15", "--generations", "2", "--workers", "1", "--seed", "2",
                           "--identify-samples", "40", "--identify-runs", "1", "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "report.json").read_text())
    assert report["episode_weights"] == {"gsomia-2012": 1.5, "gsomia-2017": 0.75, "gsomia-2018": 0.75}
    assert "eventful and the quiet weigh the same" in done.stderr + done.stdout
    assert len(load_posterior(out / "posterior.csv")) == 15


def test_a_posterior_file_is_checked(tmp_path):
    from diplosim.errors import ScenarioError

    bad = tmp_path / "p.csv"
    bad.write_text("weight,threat_weight\n1,99\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"threat_weight: expected a value in \[0, 6\]"):
        load_posterior(bad)
    bad.write_text("weight,threat_wieght\n1,2\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="did you mean 'threat_weight'"):
        load_posterior(bad)
    Path(bad).write_text("threat_weight\n2\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="'weight'"):
        load_posterior(bad)


def test_a_summary_says_where_its_parameters_come_from(tmp_path):
    posterior = tmp_path / "posterior.csv"
    posterior.write_text("weight,threat_weight,patron_weight\n0.5,2,4\n0.5,3,5\n", encoding="utf-8")
    text = (REPO / "scenarios" / "params" / "default.yaml").read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("posterior:"))
    (tmp_path / "params.yaml").write_text(text + "\nposterior: posterior.csv\n", encoding="utf-8")
    params = load_parameters(tmp_path / "params.yaml")
    assert params.source() == {"source": "posterior", "file": shown_path(tmp_path / "params.yaml"),
                               "sample": shown_path(posterior), "particles": 2,
                               "drawn": ["threat_weight", "patron_weight"],
                               "from_prior": len(PARAMETERS) - 2 - sum(bool(i.fixed) for i in PARAMETERS.values())}
    held = params.with_values({"patron_weight": 1.0}).source()
    assert held["drawn"] == ["threat_weight"] and held["overridden"] == ["patron_weight"]
    assert held["from_prior"] == params.source()["from_prior"]
    assert params.fixed().source()["source"] == "fixed"
    # The shipped file is named the same way on every machine, and a run's summary carries it.
    sc = load_scenario(HISTORY[0])
    summary = run_ensemble(sc, 2, 0).summary()
    assert summary["parameters"] == sc.params.source()
    assert summary["parameters"]["file"] == "scenarios/params/default.yaml"


def test_every_replication_draws_the_uncalibrated_parameters_from_their_priors_afresh():
    """A replication takes its particle's calibrated values and draws every parameter that is neither
    calibrated, nor overridden, nor declared fixed from its prior, from its own generator: replications
    that share a particle differ in those parameters, the values spread over each prior's range (both
    quartiles of a uniform prior reached in 1,000 replications; the chance of missing one is
    2 x 0.75^1000), stay within the bounds, and the same seed gives the same parameters. Overridden and
    fixed parameters hold. (Drawn once per particle instead, as before, the predictive integrated them
    over only as many draws as the posterior has effective particles, about 130 of 1,000.)"""
    from diplosim import replication_rng

    shipped = load_parameters()
    assert shipped.posterior is not None
    model = compile_scenario(load_scenario(HISTORY_DIR / "gsomia-2019.yaml"))
    free = [n for n, i in PARAMETERS.items() if n not in shipped.posterior.names and not i.fixed]
    assert free and list(model.nuisance) == free == shipped.from_prior()
    drawn = [model.parameters_for(0, replication_rng(0, i)) for i in range(1000)]  # all from particle 0
    assert drawn[0] == model.parameters_for(0, replication_rng(0, 0))
    for name in shipped.posterior.names:
        assert {getattr(d, name) for d in drawn} == {getattr(model.draws[0], name)}
    for name in free:
        info = PARAMETERS[name]
        units = [info.to_unit(getattr(d, name)) for d in drawn]
        assert all(0.0 <= u <= 1.0 for u in units) and min(units) < 0.25 and max(units) > 0.75, name
    for name in (n for n, i in PARAMETERS.items() if i.fixed):
        assert {getattr(d, name) for d in drawn} == {shipped.values[name]}
    held = shipped.with_values({free[0]: PARAMETERS[free[0]].lower})
    sc = load_scenario(HISTORY_DIR / "gsomia-2019.yaml")
    held_model = compile_scenario(dataclasses.replace(sc, params=held))
    assert free[0] not in held_model.nuisance
    assert getattr(held_model.parameters_for(0, replication_rng(0, 1)), free[0]) == PARAMETERS[free[0]].lower
    assert shipped.fixed().draws() == []  # fixed values (--params FILE) stay fixed
    assert compile_scenario(dataclasses.replace(sc, params=shipped.fixed())).nuisance == ()


def test_holding_one_more_parameter_leaves_every_other_draw_of_a_replication_as_it_was():
    """Common random numbers survive an override: a replication reads one uniform per declared parameter
    whether or not it draws it, so with one uncalibrated parameter held (a --set, a sweep), the same
    replication draws the same particle, the same values of every other parameter, and leaves its
    generator where it would have left it (so the rest of the run draws the same numbers too)."""
    from diplosim import replication_rng

    sc = load_scenario(HISTORY_DIR / "gsomia-2019.yaml")
    base = compile_scenario(sc)
    name = base.nuisance[len(base.nuisance) // 2]
    held = compile_scenario(dataclasses.replace(sc, params=sc.params.with_values(
        {name: PARAMETERS[name].upper})))
    assert name not in held.nuisance and len(held.nuisance) == len(base.nuisance) - 1
    for i in range(20):
        rng_a, rng_b = replication_rng(0, i), replication_rng(0, i)
        a, b = base.parameters_for(3, rng_a), held.parameters_for(3, rng_b)
        assert getattr(b, name) == PARAMETERS[name].upper != getattr(a, name)
        assert {n: getattr(a, n) for n in PARAMETERS if n != name} == {n: getattr(b, n) for n in PARAMETERS
                                                                        if n != name}
        assert rng_a.random() == rng_b.random()


def test_the_vectorised_prior_draw_gives_each_parameter_its_priors_quantile():
    """`PriorDraw` (what every replication uses) maps uniform u to `ParameterInfo.from_unit(u)` for each
    chosen parameter, to the bit (a last-bit difference, as numpy's exp can give, flips a replication now
    and then and changes published numbers), and keeps the others at the base values."""
    from diplosim.domain.parameters import PriorDraw, as_row

    base = load_parameters().as_parameters()
    chosen = tuple(n for n, info in PARAMETERS.items() if not info.fixed)[::2]
    units = np.random.default_rng(7).random(len(PARAMETERS))
    drawn = PriorDraw(chosen)(as_row(base), units)
    for i, name in enumerate(PARAMETERS):
        expected = PARAMETERS[name].from_unit(float(units[i])) if name in chosen else getattr(base, name)
        assert getattr(drawn, name) == expected, name


def test_weighted_quantiles_follow_the_weights():
    from diplosim.explore.posterior import weighted_quantile

    assert weighted_quantile([3, 1, 2], [1, 1, 1], 0.5) == 2
    assert weighted_quantile([1, 2, 3], [0.1, 0.1, 0.8], 0.5) == 3  # the heavy particle holds the median
    assert weighted_quantile([1, 2, 3], [0.1, 0.1, 0.8], 0.1) == 1
    with pytest.raises(ValueError):
        weighted_quantile([1, 2], [0, 0], 0.5)


def _posterior_file(tmp_path: Path, rows: list[tuple[float, float, float]]) -> Path:
    path = tmp_path / "posterior.csv"
    path.write_text("weight,threat_weight,approval_half_life_days\n"
                    + "".join(f"{w},{a},{b}\n" for w, a, b in rows), encoding="utf-8")
    return path


def test_a_posterior_is_summarised_against_its_prior(tmp_path):
    from diplosim.explore.posterior import marginals

    # threat_weight: uniform [0, 6], every particle at 3 -> width 0; the timescale spread over its whole
    # loguniform prior [10, 720] in equal steps of prior quantile -> width close to the prior's 0.8.
    spread = [10 * 72 ** (k / 99) for k in range(100)]
    post = load_posterior(_posterior_file(tmp_path, [(1.0, 3.0, v) for v in spread]))
    threat, timescale = marginals(post)
    assert (threat.median, threat.width, threat.narrowed) == (3.0, 0.0, 1.0)
    assert abs(timescale.width - 0.8) < 0.02 and abs(timescale.narrowed) < 0.03
    assert abs(timescale.median - math.sqrt(10 * 720)) / math.sqrt(10 * 720) < 0.05  # the log-scale middle


def test_plot_and_posterior_commands_read_a_calibration_directory(tmp_path):
    _posterior_file(tmp_path, [(0.5, 2.0, 30.0), (0.3, 4.0, 300.0), (0.2, 5.0, 600.0)])
    done = subprocess.run([sys.executable, str(REPO / "run.py"), "plot", str(tmp_path)], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert {Path(p).name for p in done.stdout.split()} == {"marginals.png", "marginals.svg", "pairs.png", "pairs.svg"}
    table = subprocess.run([sys.executable, str(REPO / "run.py"), "posterior", str(tmp_path), "--markdown"],
                           capture_output=True, text=True)
    assert table.returncode == 0, table.stderr
    assert "| `threat_weight` | 2 | 2 to 5 | uniform [0, 6] |" in table.stdout
    missing = subprocess.run([sys.executable, str(REPO / "run.py"), "posterior", str(tmp_path / "none")],
                             capture_output=True, text=True)
    assert missing.returncode != 0 and "no posterior sample here" in missing.stderr


def test_validate_with_a_parameter_file_uses_its_values_fixed():
    # --params FILE: the file's values in every replication, even when the file names a posterior.
    cmd = [sys.executable, str(REPO / "run.py"), "validate", str(HISTORY_DIR / "gsomia-2017.yaml"), "--runs", "5",
           "--json", "--workers", "1"]
    shipped = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    fixed = json.loads(subprocess.run([*cmd, "--params", str(REPO / "scenarios" / "params" / "default.yaml")],
                                      capture_output=True, text=True, check=True).stdout)
    assert shipped["parameters"]["source"] == "posterior"
    assert fixed["parameters"] == {"source": "fixed", "file": "scenarios/params/default.yaml"}


def test_a_leave_one_out_posterior_over_its_own_parameters_is_drawn_with_the_rest_at_prior_medians(
        tmp_path, monkeypatch):
    """Each fold calibrates what `identify` selects without its episode, so folds differ in their columns.
    validate draws a fold's columns from its file and holds every other parameter at its prior median,
    never at the in-sample posterior's median (which saw the left-out episode)."""
    from diplosim.explore import validation

    sc = load_scenario(HISTORY[0])
    monkeypatch.setattr(validation, "LOO_DIR", tmp_path)
    assert "no leave-one-out posterior shipped" in validation.loo_status(sc)
    dropped = sorted(CALIBRATED)[0]
    held = next(n for n in PARAMETERS if n not in CALIBRATED)
    columns = [*sorted(CALIBRATED)[1:], held]
    values = [PARAMETERS[n].from_unit(0.9) for n in columns]
    (tmp_path / f"{HISTORY[0].stem}.csv").write_text(
        ",".join(["weight", *columns]) + "\n" + ",".join(["1", *map(str, values)]) + "\n", encoding="utf-8")
    assert validation.loo_status(sc) is None
    params = validation.loo_parameters(sc)
    assert params is not None and params.posterior is not None and set(params.posterior.names) == set(columns)
    # the in-sample value of the dropped parameter is not its prior median; the fold's value is
    assert sc.params.values[dropped] != pytest.approx(PARAMETERS[dropped].prior_median)
    assert params.values[dropped] == pytest.approx(PARAMETERS[dropped].prior_median)
    draw = params.draws()[0]
    assert getattr(draw, held) == pytest.approx(PARAMETERS[held].from_unit(0.9))


def test_validate_says_which_leave_one_out_posteriors_it_left_out_and_why():
    from diplosim.cli.main import _predictive_markdown, _validation_table

    entry = {"p": 0.5, "ci": [0.4, 0.6], "modal": "signed", "date_skill": None}
    report = {"predictives": ["prior", "posterior", "loo"], "modes": [], "scores": {}, "runs": 10, "seed": 0,
              "episodes": [{"name": "A", "file": "a.yaml", "outcome": "signed",
                            "prior": entry, "posterior": entry, "loo": None}],
              "loo_missing": {"A": "loo/a.csv is stale: calibrated over x instead of y"}}
    markdown = "\n".join(_predictive_markdown(report))
    assert "| A | signed | 0.500 | 0.500 | - | - | - |" in markdown
    assert "No leave-one-out for A: loo/a.csv is stale" in markdown
    assert "no leave-one-out for A: loo/a.csv is stale" in _validation_table(report)
