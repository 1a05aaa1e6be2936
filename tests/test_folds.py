"""Leave-one-out folds choose their own parameters: `identify` runs inside each fold, on its episodes only."""

from __future__ import annotations

import numpy as np

from diplosim import load_scenario
from diplosim.domain.parameters import PARAMETERS
from diplosim.explore.identify import at_prior_medians, fold_selection
from diplosim.explore.targets import EpisodeSet, episode_key, target_names
from diplosim.scenario.shipped import HISTORY_DIR

HISTORY = sorted(HISTORY_DIR.glob("*.yaml"))


def test_a_folds_selection_is_made_without_its_episode(monkeypatch):
    """A spy in place of the simulator records every episode `identify` evaluates: the left-out one never
    reaches it, every other one does, and the selection comes from what the spy returned."""
    scenarios = [load_scenario(p) for p in HISTORY]
    held_out = next(sc for sc in scenarios if episode_key(sc) == "gsomia-2019")
    seen: set[str] = set()
    bases: list[dict[str, float]] = []

    def spy(self: EpisodeSet, values, seed: np.random.SeedSequence, runs: int = 1) -> dict[str, float]:
        seen.update(episode_key(m.scenario) for m in self.models)
        bases.append(self.base.values)
        # a fake response: every target of every episode follows one parameter, so it alone is identified
        # (each target scaled differently, so that no target group merely repeats another)
        u = PARAMETERS["threat_weight"].to_unit(values["threat_weight"])
        return {name: u * (i + 1) / 100 for i, name in enumerate(self.names)}

    monkeypatch.setattr(EpisodeSet, "simulate", spy)
    # 2000 vectors: a parameter the fake ignores shows eta^2 near the noise floor 9 / 2000 = 0.0045, far below
    # the 0.03 threshold, so the selection is exactly the parameter the fake follows
    report = fold_selection(scenarios, held_out, scenarios[0].params, samples=2000, runs=1, seed=0, workers=1)
    assert "gsomia-2019" not in seen
    assert seen == {episode_key(sc) for sc in scenarios if sc is not held_out and sc.record is not None}
    assert report["left_out"] == "gsomia-2019" and "gsomia-2019" not in report["episodes"]
    assert not any(t.startswith("gsomia-2019:") for t in report["targets"])
    assert report["selected"] == ["threat_weight"]
    # the fold starts from prior medians, not from the in-sample posterior's medians (which saw 2019)
    assert all(b == at_prior_medians(scenarios[0].params).values for b in bases)


def test_folds_differ_when_their_episodes_do(monkeypatch):
    """Folds see different episodes, so each makes its own choice: here a parameter that moves only 2019's
    targets is selected by every fold that holds 2019 and by none that leaves it out."""
    scenarios = [load_scenario(p) for p in HISTORY]

    def fake(self: EpisodeSet, values, seed: np.random.SeedSequence, runs: int = 1) -> dict[str, float]:
        out = {}
        for m in self.models:
            driver = "anti_japan_weight" if episode_key(m.scenario) == "gsomia-2019" else "walkaway_cost"
            u = PARAMETERS[driver].to_unit(values[driver])
            out.update({name: u * (len(out) + 1) / 100 for name in target_names(m.scenario)})
        return out

    monkeypatch.setattr(EpisodeSet, "simulate", fake)
    picks = {episode_key(sc): fold_selection(scenarios, sc, sc.params, samples=2000, runs=1, seed=0,
                                             workers=1)["selected"]
             for sc in scenarios if episode_key(sc) in ("gsomia-2012", "gsomia-2019", "gsomia-2020")}
    assert picks["gsomia-2019"] == ["walkaway_cost"]
    assert all(set(picks[k]) == {"anti_japan_weight", "walkaway_cost"} for k in picks if k != "gsomia-2019")
