#!/usr/bin/env python3
"""Where the shipped model's outcome probabilities go: the calibration or the parameters it integrates out.

    python bench/integration.py            # 1,000 free replications per episode and column (about 80 s on 2 cores)
    python bench/integration.py --runs 300
    python bench/integration.py --runs 300 --random-points 40   # and how the medians rank among prior points

Not a test, and not a forecast to ship: a decomposition. For each of the seven episodes it prints the
probability of the recorded outcome in free runs (every actor decides, nothing given) under three
parameter sources:

- `shipped`: the shipped predictive. Each replication draws the calibrated parameters from the shipped
  posterior and every other parameter not declared fixed from its prior (docs/calibration.md).
- `plug-in`: the same posterior draws, but every parameter the draws would take from its prior held at the
  prior's median (`ParameterSet.with_values`, so they hold in every draw).
- `medians`: every parameter at its prior median, the posterior unused (validate's "uncalibrated" row).

`medians` minus `plug-in` is what the calibration of the identified parameters moves; `plug-in` minus
`shipped` is what integrating those parameters over their priors costs. The prior medians were set
by people who know the record and a point carries no parameter uncertainty, so `plug-in` and `medians`
are not evidence of skill (README, "Scores").

With `--random-points K` it then asks how special the medians are: the same posterior draws with those
parameters held instead at each of K points drawn at random from their priors (root seed 12345), and the
Brier score of the recorded outcome (eventful, quiet, all seven) at the medians, under the shipped
predictive and at each point, with how many of the K points beat the medians.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from diplosim import load_scenario, run_ensemble
from diplosim.domain.parameters import PARAMETERS
from diplosim.explore.scores import brier
from diplosim.explore.validation import eventful, prior_medians
from diplosim.scenario.loader import Scenario
from diplosim.scenario.params import ParameterSet
from diplosim.scenario.variants import without_given

REPO = Path(__file__).resolve().parent.parent
SEED = 3  # as bench/directions.py
EPISODES = ("2012", "2016", "2017", "2018", "2019", "2020", "2021")
POINTS_SEED = 12345


def shares(sc: Scenario, params: ParameterSet, runs: int) -> dict[str, float]:
    """Each outcome's share of `runs` free replications of `sc` under `params` (seed `SEED`)."""
    ens = run_ensemble(dataclasses.replace(sc, params=params), runs, SEED)
    return {name: sum(r.outcome == name for r in ens.results) / runs for name in sc.outcomes}


def kinds(episodes: Mapping[str, Scenario], scores: Mapping[str, float]) -> tuple[float, float, float]:
    """Mean Brier over the eventful episodes (read from their records), the quiet ones and all seven."""
    hit = [v for year, v in scores.items() if eventful(episodes[year])]
    quiet = [v for year, v in scores.items() if not eventful(episodes[year])]
    return (float(np.mean(hit)), float(np.mean(quiet)), float(np.mean([*hit, *quiet])))


def recorded(sc: Scenario) -> str:
    """The episode's recorded outcome."""
    return sc.record.outcome if sc.record else ""


def plug_in(params: ParameterSet) -> ParameterSet:
    """`params` with every parameter its draws would take from the prior held at the prior's median."""
    return params.with_values({name: PARAMETERS[name].prior_median for name in params.from_prior()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="replications per episode and column (default 1000)")
    parser.add_argument("--random-points", type=int, default=0, metavar="K",
                        help="also rank the medians among K random points of the priors (default 0: do not)")
    args = parser.parse_args()
    runs = args.runs
    episodes = {year: without_given(load_scenario(REPO / "scenarios" / "history" / f"gsomia-{year}.yaml"))
                for year in EPISODES}
    print(f"P(recorded outcome) in free runs, {runs} replications per cell, seed {SEED}")
    print(f"{'episode':<13} {'recorded':<10} {'shipped':>8} {'plug-in':>8} {'medians':>8}")
    shipped, plugged = {}, {}  # each episode's outcome shares, kept for the ranking
    for year, sc in episodes.items():
        shipped[year], plugged[year] = shares(sc, sc.params, runs), shares(sc, plug_in(sc.params), runs)
        cells = [shipped[year], plugged[year], shares(sc, prior_medians(sc.params), runs)]
        print(f"{'gsomia-' + year:<13} {recorded(sc):<10} "
              + " ".join(f"{c.get(recorded(sc), 0.0):>8.3f}" for c in cells))
    if args.random_points > 0:
        rank(episodes, runs, args.random_points, shipped, plugged)


def rank(episodes: Mapping[str, Scenario], runs: int, k: int, shipped: Mapping[str, Mapping[str, float]],
         plugged: Mapping[str, Mapping[str, float]]) -> None:
    """Brier by kind of episode with the prior-drawn parameters held at their medians (`plugged`), integrated
    (`shipped`) and held at each of `k` random points of their priors; how many points beat the medians."""
    def score(found: Mapping[str, Mapping[str, float]]) -> tuple[float, float, float]:
        return kinds(episodes, {year: brier(found[year], recorded(sc)) for year, sc in episodes.items()})

    names = next(iter(episodes.values())).params.from_prior()
    rng = np.random.default_rng(POINTS_SEED)
    medians, integrated = score(plugged), score(shipped)
    print(f"\nBrier (eventful / quiet / all), the shipped posterior's draws, {runs} replications per episode")
    print(f"  held at the medians   {medians[0]:.3f} / {medians[1]:.3f} / {medians[2]:.3f}")
    print(f"  integrated (shipped)  {integrated[0]:.3f} / {integrated[1]:.3f} / {integrated[2]:.3f}")
    points = []
    for i in range(k):
        held = {name: PARAMETERS[name].from_unit(float(rng.random())) for name in names}
        point = score({year: shares(sc, sc.params.with_values(held), runs) for year, sc in episodes.items()})
        points.append(point)
        print(f"  random point {i + 1:>3}      {point[0]:.3f} / {point[1]:.3f} / {point[2]:.3f}", flush=True)
    better = [sum(p[j] < medians[j] for p in points) for j in range(3)]
    print(f"random points better than the medians: eventful {better[0]}, quiet {better[1]}, all {better[2]} of {k}")


if __name__ == "__main__":
    main()
