#!/usr/bin/env python3
"""Where the shipped model's outcome probabilities go: the calibration or the parameters it integrates out.

    python bench/integration.py            # 1,000 free replications per episode and column (about 80 s on 2 cores)
    python bench/integration.py --runs 300

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
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from diplosim import load_scenario, run_ensemble
from diplosim.domain.parameters import PARAMETERS
from diplosim.explore.validation import prior_medians
from diplosim.scenario.params import ParameterSet
from diplosim.scenario.variants import without_given

REPO = Path(__file__).resolve().parent.parent
SEED = 3  # as bench/directions.py
EPISODES = ("2012", "2016", "2017", "2018", "2019", "2020", "2021")


def plug_in(params: ParameterSet) -> ParameterSet:
    """`params` with every parameter its draws would take from the prior held at the prior's median."""
    return params.with_values({name: PARAMETERS[name].prior_median for name in params.from_prior()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="replications per episode and column (default 1000)")
    runs = parser.parse_args().runs
    print(f"P(recorded outcome) in free runs, {runs} replications per cell, seed {SEED}")
    print(f"{'episode':<13} {'recorded':<10} {'shipped':>8} {'plug-in':>8} {'medians':>8}")
    for year in EPISODES:
        sc = without_given(load_scenario(REPO / "scenarios" / "history" / f"gsomia-{year}.yaml"))
        recorded = sc.record.outcome if sc.record else ""
        sources = (sc.params, plug_in(sc.params), prior_medians(sc.params))
        shares = []
        for params in sources:
            ens = run_ensemble(dataclasses.replace(sc, params=params), runs, SEED)
            shares.append(sum(r.outcome == recorded for r in ens.results) / runs)
        print(f"{'gsomia-' + year:<13} {recorded:<10} " + " ".join(f"{s:>8.3f}" for s in shares))


if __name__ == "__main__":
    main()
