#!/usr/bin/env python3
"""The commonest roads of an episode's free runs: the sequence of the pact's stages each run passes through.

    python bench/roads.py gsomia-2016              # 2,000 free replications, shipped posterior, seed 3
    python bench/roads.py gsomia-2012 --runs 4000 --top 15
    python bench/roads.py gsomia-2012 --cabinet public   # Seoul may approve only openly (bench/directions.py)
    python bench/roads.py gsomia-2016 --set params.threat_weight=0   # a parameter held (the CLI's --set)

A diagnostic of issue 26, not a test. An outcome share says how often an episode ends one way; the road
says how it got there, which is where a mechanism acts: in 2016, for instance, a run that does not sign
may never resume the talks, break them off, or cancel after the cabinet's approval, and each of those is
a different decision of Seoul's. Prints each road's share of the runs (commonest first; a road through a
cabinet approval given without notice is marked "(secret)"), then the outcome shares and how many distinct
roads the runs took. `--cabinet public` (or `secret`) gives Seoul's cabinet process as the one assumption of
scenarios/counterfactuals/2012-public-cabinet.yaml, the variant bench/directions.py compares.
"""

from __future__ import annotations

import argparse
from collections import Counter

from free_runs import SEED, add_set_option, free_episode, set_overrides, shares, with_cabinet_process

from diplosim import run_ensemble


def road(transitions: list[tuple[float, str, str, str]], moves: list[tuple[float, str, str]] = ()) -> str:
    """The stages a replication's pact passes through after its first, in order ('-' for none), marked
    '(secret)' when one of `moves` is a cabinet approval given without notice."""
    stages = " > ".join(to for _, _, to, _ in transitions) or "-"
    return stages + (" (secret)" if any(kind == "secret_approval" for _, _, kind in moves) else "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("episode", help="a shipped history episode, e.g. gsomia-2016")
    parser.add_argument("--runs", type=int, default=2000, help="free replications (default 2000)")
    parser.add_argument("--top", type=int, default=10, help="roads to print (default 10)")
    parser.add_argument("--cabinet", choices=("public", "secret"),
                        help="give Seoul's cabinet process (the one assumption kept; default: Seoul chooses)")
    add_set_option(parser)
    args = parser.parse_args()
    overrides = set_overrides(args.set)
    sc = free_episode(args.episode, overrides)
    if args.cabinet:
        sc = with_cabinet_process(sc, args.cabinet)
    ens = run_ensemble(sc, args.runs, SEED)
    roads = Counter((r.outcome, road(r.transitions, r.moves)) for r in ens.results)
    given = (f", cabinet process given: {args.cabinet}" if args.cabinet else "") + "".join(
        f", {k}={v}" for k, v in overrides.items())
    print(f"{sc.name}, free runs{given}, shipped posterior, {args.runs} replications, seed {SEED}: "
          f"from '{sc.agreement.state.value}', the commonest roads")
    for (outcome, stages), n in roads.most_common(args.top):
        print(f"{n / args.runs:6.3f}  {outcome:15s} {stages}")
    print(f"outcomes: {shares(Counter(r.outcome for r in ens.results))}; "
          f"{len(roads)} distinct roads")


if __name__ == "__main__":
    main()
