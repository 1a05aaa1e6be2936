#!/usr/bin/env python3
"""Which of a fold's calibrated parameters move the episode it left out, in free runs.

    python bench/fold_parameters.py gsomia-2012            # 2,000 replications per column (about 20 s)
    python bench/fold_parameters.py gsomia-2019 --runs 500

Not a test: a decomposition of a left-out forecast. The fold calibrated without EPISODE
(scenarios/params/loo/EPISODE.csv) predicts it as `validate`'s `loo` column does: its calibrated parameters
drawn from the fold's sample, every other parameter (but the fixed) from its prior. This prints P(recorded
outcome) for that forecast, for the prior predictive (every parameter from its prior, `validate`'s `prior`
column), and for the fold's forecast with each calibrated parameter in turn returned to its prior (its
column dropped from the sample, so every replication draws it from the prior, as the prior predictive
does). A parameter whose return moves P(recorded) toward the prior's is one through which the other
episodes pull the left-out one away from what the prior predicted. All columns share the seed, so they
share their random numbers.
"""

from __future__ import annotations

import argparse
import dataclasses

from free_runs import free_episode

from diplosim import run_ensemble
from diplosim.explore.validation import loo_parameters, prior_sample
from diplosim.scenario.loader import Scenario
from diplosim.scenario.params import ParameterSet, Posterior

SEED = 0
"""As `validate`'s default seed."""


def without_column(posterior: Posterior, name: str) -> Posterior:
    """`posterior` with the column `name` dropped: every replication then draws it from its prior."""
    keep = [i for i, n in enumerate(posterior.names) if n != name]
    return dataclasses.replace(posterior, names=tuple(posterior.names[i] for i in keep),
                               particles=tuple(tuple(p[i] for i in keep) for p in posterior.particles))


def p_recorded(sc: Scenario, params: ParameterSet, runs: int) -> float:
    """The share of `runs` free replications (seed `SEED`) of `sc` under `params` that end as recorded."""
    assert sc.record is not None
    ens = run_ensemble(dataclasses.replace(sc, params=params), runs, SEED)
    return sum(r.outcome == sc.record.outcome for r in ens.results) / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("episode", help="a shipped history episode with a fold, e.g. gsomia-2012")
    parser.add_argument("--runs", type=int, default=2000, help="free replications per column (default 2000)")
    args = parser.parse_args()
    sc = free_episode(args.episode)
    fold = loo_parameters(sc)
    if fold is None or fold.posterior is None or sc.record is None:
        parser.error(f"{args.episode}: no leave-one-out posterior or no record")
    print(f"{sc.name}, free runs, {args.runs} replications per column, seed {SEED}: "
          f"P({sc.record.outcome})")
    prior = p_recorded(sc, prior_sample(sc.params, SEED), args.runs)
    print(f"{'prior predictive (every parameter from its prior)':52s} {prior:.3f}")
    print(f"{'the fold without it (validate: left out)':52s} {p_recorded(sc, fold, args.runs):.3f}")
    for name in fold.posterior.names:
        params = dataclasses.replace(fold, posterior=without_column(fold.posterior, name))
        print(f"{'  ... with ' + name + ' from its prior':52s} {p_recorded(sc, params, args.runs):.3f}")


if __name__ == "__main__":
    main()
