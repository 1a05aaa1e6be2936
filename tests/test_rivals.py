"""Rival explanations: mechanism sets, their files, and model selection that recovers the set that made a
record."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from diplosim import load_scenario
from diplosim.domain.mechanisms import ALL_MECHANISMS, OFF_BY_DEFAULT
from diplosim.domain.parameters import PARAMETERS
from diplosim.errors import ScenarioError
from diplosim.scenario.sets import load_set, load_sets, shipped_sets
from diplosim.scenario.shipped import HISTORY_DIR
from tests.conftest import REPO


def test_the_shipped_sets_are_rivals_built_from_mechanisms_that_exist():
    sets = load_sets([p.stem for p in shipped_sets()])
    assert len(sets) >= 2 and len({s.on for s in sets}) == len(sets)  # no two have the same mechanisms
    for s in sets:
        assert s.off <= ALL_MECHANISMS and s.adds <= OFF_BY_DEFAULT and s.calibrate
        assert all(PARAMETERS[n].mechanism in s.on | {"process"} for n in s.calibrate)
    sc = load_scenario(HISTORY_DIR / "gsomia-2019.yaml")
    security = next(s for s in sets if s.name == "security")
    assert "two_level_game" not in security.apply(sc).mechanisms and "quasi_alliance" in security.apply(sc).mechanisms
    veto = next(s for s in sets if s.name == "veto")  # a mechanism off by default, switched on by a set
    assert "ruling_camp_veto" not in sc.mechanisms and "ruling_camp_veto" in veto.apply(sc).mechanisms


@pytest.mark.parametrize(("text", "where", "says"), [
    ("name: x\nexplains: y\nmechanisms:\n  quasi_aliance: false\n", ":4:3", "did you mean 'quasi_alliance'"),
    ("name: x\nexplains: y\nmechanisms:\n  process: false\n", ":4:3", "cannot be switched off"),
    ("name: x\nexplains: y\nmechanisms:\n  quasi_alliance: false\ncalibrate: [patron_weight]\n", ":5:",
     "quasi_alliance, which this set switches off"),
    ("name: x\nexplains: y\ncalibrate: [no_such]\n", ":3:", "unknown parameter 'no_such'"),
    ("name: x\nexplain: y\n", ":2:1", "did you mean 'explains'"),
])
def test_a_bad_set_file_is_an_error_naming_the_place(tmp_path, text, where, says):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as err:
        load_set(path)
    assert where in err.value.format() and says in err.value.format()


@pytest.mark.parametrize("line", ["quasi_aliance: false", "rally: maybe", "process: false"])
def test_a_set_file_and_a_scenario_refuse_the_same_mechanisms_line_in_the_same_words(tmp_path, line):
    # one check (loader.switch_problem) serves both kinds of file, so their messages cannot drift apart
    set_file = tmp_path / "set.yaml"
    set_file.write_text(f"name: x\nexplains: y\nmechanisms:\n  {line}\n", encoding="utf-8")
    scenario = tmp_path / "scenario.yaml"
    text = (HISTORY_DIR.parent / "examples" / "quiet-year.yaml").read_text(encoding="utf-8")
    scenario.write_text(text + f"mechanisms:\n  {line}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as from_set:
        load_set(set_file)
    with pytest.raises(ScenarioError) as from_scenario:
        load_scenario(scenario)
    assert from_set.value.message == from_scenario.value.message


@pytest.mark.slow
def test_model_selection_picks_the_set_that_made_a_synthetic_record(tmp_path):
    """A record of 2016 simulated by a set with opinion dynamics (a scandal takes approval from above 30% to
    under 15%), compared with a rival that switches opinion dynamics off (approval frozen). 30 particles and 5
    generations suffice: every replication of the rival keeps approval flat and so misses the polls' fall (a
    floor on its distance no particle can get under), while the true set's particles near the truth miss
    by a few points; as the threshold falls generation by generation the rival's particles stop being
    accepted. Seed fixed (0): the true set takes 0.98 of the probability (with 3 generations, after issue
    26's model change, only 0.80: the rival had not yet been squeezed out, so the budget was raised, not the
    bar lowered); at least 0.8 asserted, the margin for a change of pyABC's internals."""
    pytest.importorskip("pyabc")
    from diplosim.explore.rivals import explain_record, synthetic_record
    from diplosim.run.evaluator import Evaluator

    (tmp_path / "mood.yaml").write_text("name: mood\nexplains: public mood moves approval.\n"
                                        "calibrate: [scandal_approval_share, approval_norm]\n", encoding="utf-8")
    (tmp_path / "flat.yaml").write_text("name: flat\nexplains: approval does not move.\nmechanisms:\n"
                                        "  opinion_dynamics: false\ncalibrate: [executive_pact_base, walkaway_cost]\n",
                                        encoding="utf-8")
    mood, flat = load_set(tmp_path / "mood.yaml"), load_set(tmp_path / "flat.yaml")
    sc = load_scenario(HISTORY_DIR / "gsomia-2016.yaml")
    record = synthetic_record(sc, mood, {"scandal_approval_share": 0.8, "approval_norm": 45.0}, 3)
    approval = [tr.observed["approval"] for tr in record.polls if "approval" in tr.observed]
    # the record starts well above the scandal's depth (the first poll comes after months of drift from the
    # norm of 45, so not at it), and the scandal is in it: what the mood set can explain and the flat set cannot
    assert approval[0] > 30.0 and approval[-1] < 15.0
    with Evaluator(1) as evaluate:
        report = explain_record([flat, mood], [record], population=30, generations=5, runs=20, seed=0, workers=1,
                                runner=evaluate, out=tmp_path / "out", left_out=False)
    probabilities = report["in_sample"]["probabilities"]
    assert probabilities["mood"] >= 0.8 and probabilities["mood"] + probabilities["flat"] == pytest.approx(1.0)


@pytest.mark.slow
def test_explain_record_compares_the_shipped_sets_and_writes_its_report(tmp_path):
    pytest.importorskip("pyabc")
    out = tmp_path / "rivals"
    episodes = [str(HISTORY_DIR / "gsomia-2017.yaml"), str(HISTORY_DIR / "gsomia-2020.yaml")]
    done = subprocess.run([sys.executable, str(REPO / "run.py"), "explain-record", *episodes, "--population", "12",
                           "--generations", "1", "--runs", "5", "--workers", "1", "--out", str(out)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads((out / "report.json").read_text())
    names = {p.stem for p in shipped_sets()}
    assert set(report["in_sample"]["probabilities"]) == names
    # the report rounds each probability to 6 decimals (rivals.py), so their sum may miss 1 by up to half a unit
    # in the 6th decimal per set (measured 1.000001 with the four shipped sets)
    assert sum(report["in_sample"]["probabilities"].values()) == pytest.approx(1.0, abs=0.5e-6 * len(names))
    assert set(report["left_out"]["probabilities"]) == {Path(e).stem for e in episodes}
    for name in names:
        for source in ("in_sample", "left_out"):
            assert set(report[source]["scores"][name]["p_recorded"]) == {Path(e).stem for e in episodes}
    assert "posterior probability, all episodes" in done.stdout and "Brier left out, quiet (2)" in done.stdout
