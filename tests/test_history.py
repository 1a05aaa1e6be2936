"""History: the GSOMIA episode files hold facts, and validate runs each in both modes.

How well the model reproduces each episode is a result to publish, not an
assertion here: the README's tables are made by `python run.py validate --runs
2000 --markdown`. (Until the honest model is recalibrated, the shipped
parameters do not reproduce 2012 or 2019 in free runs; see the README.)
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from diplosim import load_scenario
from diplosim.explore.validation import validate
from diplosim.run.evaluator import Evaluator

pytestmark = pytest.mark.slow  # each test here takes seconds: see pyproject.toml's markers

HISTORY = Path(__file__).resolve().parent.parent / "scenarios" / "history"
EPISODES = sorted(p.stem for p in HISTORY.glob("*.yaml"))


def test_every_episode_file_has_a_record_and_sources():
    assert {"gsomia-2012", "gsomia-2016", "gsomia-2019"} <= set(EPISODES)
    for name in EPISODES:
        sc = load_scenario(HISTORY / f"{name}.yaml")
        assert sc.record is not None
        assert all(tr.source for tr in sc.triggers if tr.at is not None)
        assert all(move.source for move in sc.record.moves), name


def test_no_episode_file_sets_a_behavioural_parameter():
    for name in EPISODES:
        doc = yaml.safe_load((HISTORY / f"{name}.yaml").read_text())
        params = doc.get("params") or {}
        assert set(params) <= {"file"}, f"{name} overrides parameters"
        assert params.get("file") == "../params/default.yaml"
        assert "mechanisms" not in doc, f"{name} switches mechanisms"


def test_validate_runs_every_episode_in_both_modes_and_its_probabilities_add_up():
    episodes = [load_scenario(HISTORY / f"{name}.yaml") for name in EPISODES]
    with Evaluator(workers=1) as evaluate:
        report = validate(episodes, 40, 0, evaluate)
    assert [ep["name"] for ep in report["episodes"]] == [sc.name for sc in episodes]
    for ep in report["episodes"]:
        for mode in ("free", "conditional"):
            entry = ep[mode]
            assert math.isclose(sum(entry["probabilities"].values()), 1.0, abs_tol=1e-5)
            assert entry["p"] == entry["probabilities"].get(ep["outcome"], 0.0)
            assert entry["runs"] == 40
        assert ep["free"]["given"] == []
        # the kind of episode comes from its record: in the shipped files, the eventful ones date their steps
        assert ep["eventful"] == bool(ep["recorded_dates"])
        dated = {item["what"] for item in ep["free"]["dated"]}
        assert {f"stage {step}" for step in ep["recorded_dates"]} <= dated
    for name in ("free", "conditional", "prior", "posterior", "loo"):
        kinds = report["scores"][name]["model"]
        assert kinds["eventful"]["episodes"] + kinds["quiet"]["episodes"] == len(episodes)
