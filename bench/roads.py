#!/usr/bin/env python3
"""The commonest roads of an episode's free runs: the sequence of the pact's stages each run passes through.

    python bench/roads.py gsomia-2016              # 2,000 free replications, shipped posterior, seed 3
    python bench/roads.py gsomia-2012 --runs 4000 --top 15

A diagnostic of issue 26, not a test. An outcome share says how often an episode ends one way; the road
says how it got there, which is where a mechanism acts: in 2016, for instance, a run that does not sign
may never resume the talks, break them off, or cancel after the cabinet's approval, and each of those is
a different decision of Seoul's. Prints each road's share of the runs (commonest first), then the outcome
shares and how many distinct roads the runs took.
"""

from __future__ import annotations

import argparse
from collections import Counter

from free_runs import SEED, free_episode, shares

from diplosim import run_ensemble


def road(transitions: list[tuple[float, str, str, str]]) -> str:
    """The stages a replication's pact passes through after its first, in order ('-' for none)."""
    return " > ".join(to for _, _, to, _ in transitions) or "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("episode", help="a shipped history episode, e.g. gsomia-2016")
    parser.add_argument("--runs", type=int, default=2000, help="free replications (default 2000)")
    parser.add_argument("--top", type=int, default=10, help="roads to print (default 10)")
    args = parser.parse_args()
    sc = free_episode(args.episode)
    ens = run_ensemble(sc, args.runs, SEED)
    roads = Counter((r.outcome, road(r.transitions)) for r in ens.results)
    print(f"{sc.name}, free runs, shipped posterior, {args.runs} replications, seed {SEED}: "
          f"from '{sc.agreement.state.value}', the commonest roads")
    for (outcome, stages), n in roads.most_common(args.top):
        print(f"{n / args.runs:6.3f}  {outcome:15s} {stages}")
    print(f"outcomes: {shares(Counter(r.outcome for r in ens.results))}; "
          f"{len(roads)} distinct roads")


if __name__ == "__main__":
    main()
