#!/usr/bin/env python3
"""Where the model stands on the directions the record implies (issue 26), in free runs on the shipped posterior.

    python bench/directions.py            # 1,500 replications per ensemble (about a minute on 2 cores)
    python bench/directions.py --runs 500
    python bench/directions.py --set params.walkaway_cost=0    # a screen: a value held, as the CLI's --set

Not a test: not every one of these directions is produced by the model (the output says which: with
`tacit_renewal`, at seed 3, the 2012 public cabinet is not, collapse 0.477 public against 0.458), and a test
could only skip it or expect it to fail. `tests/test_directions.py` asserts the three the model meets; this
prints all four with the shares it compares and whether the direction holds at a fixed margin (0.03 for the
2012 and 2016 gaps, 0.1 for Japan's measures, 0.04 for the 2018 rulings with Tokyo silenced; the tests
state their own tolerances). The two ensembles of a comparison share their seed, so replication i of each is
paired (common random numbers); each difference is printed with Newcombe's 95% interval for paired
proportions (`diplosim.explore.paired`), which says whether it is told apart from the replications' noise.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from free_runs import add_set_option, free_episode, set_overrides, with_cabinet_process

from diplosim import run_ensemble
from diplosim.explore.paired import paired_difference
from diplosim.scenario.loader import Scenario
from diplosim.scenario.variants import silenced, without_triggers

SEED = 3  # as tests/test_directions.py
SEPTEMBER = 244  # days from 1 January 2016 to the start of September


def hits(sc: Scenario, runs: int, hit: Callable[..., bool]) -> list[bool]:
    """Whether `hit(result)` holds, replication by replication, in `runs` replications (seed `SEED`)."""
    return [bool(hit(r)) for r in run_ensemble(sc, runs, SEED).results]


def paired(base: list[bool], changed: list[bool]) -> str:
    """The change from `base` to `changed` (paired replications) with Newcombe's 95% interval."""
    diff, lower, upper = paired_difference(base, changed)
    return f"{diff:+.3f} [{lower:+.3f}, {upper:+.3f}]"


def notice(r) -> bool:  # noqa: ANN001 - a replication result
    return any(kind == "notice_given" for _, _, kind in r.moves)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1500, help="replications per ensemble (default 1500)")
    add_set_option(parser)
    args = parser.parse_args()
    runs, overrides = args.runs, set_overrides(args.set)

    rows: list[tuple[str, str, bool]] = []

    sc = free_episode("gsomia-2012", overrides)
    public = with_cabinet_process(sc, "public")
    base_hits, pub_hits = (hits(s, runs, lambda r: r.outcome == "collapsed") for s in (sc, public))
    base, pub = sum(base_hits) / runs, sum(pub_hits) / runs
    rows.append(("a public 2012 cabinet lowers collapse",
                 f"collapse {pub:.3f} public vs {base:.3f}, {paired(base_hits, pub_hits)}", pub < base - 0.03))

    sc = free_episode("gsomia-2016", overrides)
    without = without_triggers(sc, [tr.id for tr in sc.triggers if tr.kind == "nuclear_test"])
    signed_hits = [hits(s, runs, lambda r: r.outcome == "signed") for s in (sc, without)]
    early_hits = [hits(s, runs, lambda r: r.outcome == "signed" and r.stage_t.get("in_force", 1e9) < SEPTEMBER)
                  for s in (sc, without)]
    signed, early = [sum(h) / runs for h in signed_hits], [sum(h) / runs for h in early_hits]
    rows.append(("2016 without its nuclear tests signs less or later",
                 f"signed {signed[1]:.3f} vs {signed[0]:.3f}, {paired(*signed_hits)}; "
                 f"by September {early[1]:.3f} vs {early[0]:.3f}, {paired(*early_hits)}",
                 signed[1] < signed[0] - 0.03 or early[1] < early[0] - 0.03))

    sc = free_episode("gsomia-2019", overrides)
    measures_hits, silenced_hits = hits(sc, runs, notice), hits(silenced(sc, ["counterpart"]), runs, notice)
    with_measures, without_measures = sum(measures_hits) / runs, sum(silenced_hits) / runs
    rows.append(("removing Japan's measures from free 2019 lowers notice",
                 f"notice {without_measures:.3f} with Tokyo silenced vs {with_measures:.3f}, "
                 f"{paired(measures_hits, silenced_hits)}", without_measures < with_measures - 0.1))

    sc = silenced(free_episode("gsomia-2018", overrides), ["counterpart"])
    rulings = [tr.id for tr in sc.triggers if tr.kind == "court_ruling"]
    rulings_hits, without_hits = hits(sc, runs, notice), hits(without_triggers(sc, rulings), runs, notice)
    with_rulings, without_rulings = sum(rulings_hits) / runs, sum(without_hits) / runs
    rows.append(("the 2018 rulings reach Seoul's notice only through Tokyo",
                 f"Tokyo silenced: notice {with_rulings:.3f} with the rulings vs {without_rulings:.3f} without, "
                 f"{paired(rulings_hits, without_hits)}", abs(with_rulings - without_rulings) < 0.04))

    print(f"directions in free runs, shipped posterior, {runs} replications per ensemble, seed {SEED}; "
          "each change with its paired 95% interval")
    for what, figures, met in rows:
        print(f"{'met    ' if met else 'NOT MET'}  {what}: {figures}")


if __name__ == "__main__":
    main()
