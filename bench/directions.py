#!/usr/bin/env python3
"""Where the model stands on the directions the record implies (issue 26), in free runs on the shipped posterior.

    python bench/directions.py            # 1,500 replications per ensemble (about a minute on 2 cores)
    python bench/directions.py --runs 500

Not a test: not every one of these directions is produced by the model (the output says which: with
`tacit_renewal`, at seed 3, the 2012 public cabinet is not, collapse 0.477 public against 0.458), and a test
could only skip it or expect it to fail. `tests/test_directions.py` asserts the three the model meets; this
prints all four with the shares it compares and whether the direction holds at a fixed margin (0.03 for the
2012 and 2016 gaps, 0.1 for Japan's measures, 0.04 for the 2018 rulings with Tokyo silenced; the tests
state their own tolerances).
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Callable

from free_runs import free_episode

from diplosim import run_ensemble
from diplosim.scenario.loader import Scenario
from diplosim.scenario.variants import silenced, without_triggers

SEED = 3  # as tests/test_directions.py
SEPTEMBER = 244  # days from 1 January 2016 to the start of September


def share(sc: Scenario, runs: int, hit: Callable[..., bool]) -> float:
    """The share of `runs` replications (seed `SEED`) for which `hit(result)` holds."""
    ens = run_ensemble(sc, runs, SEED)
    return sum(hit(r) for r in ens.results) / runs


def notice(r) -> bool:  # noqa: ANN001 - a replication result
    return any(kind == "notice_given" for _, _, kind in r.moves)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1500, help="replications per ensemble (default 1500)")
    runs = parser.parse_args().runs

    rows: list[tuple[str, str, bool]] = []

    sc = free_episode("gsomia-2012")
    seoul = sc.actors["executive"]
    public = dataclasses.replace(sc, actors={**sc.actors, "executive": dataclasses.replace(
        seoul, facts={**seoul.facts, "cabinet_process": "public"})})
    base, pub = (share(s, runs, lambda r: r.outcome == "collapsed") for s in (sc, public))
    rows.append(("a public 2012 cabinet lowers collapse", f"collapse {pub:.3f} public vs {base:.3f}",
                 pub < base - 0.03))

    sc = free_episode("gsomia-2016")
    without = without_triggers(sc, [tr.id for tr in sc.triggers if tr.kind == "nuclear_test"])
    signed = [share(s, runs, lambda r: r.outcome == "signed") for s in (sc, without)]
    early = [share(s, runs, lambda r: r.outcome == "signed" and r.stage_t.get("in_force", 1e9) < SEPTEMBER)
             for s in (sc, without)]
    rows.append(("2016 without its nuclear tests signs less or later",
                 f"signed {signed[1]:.3f} vs {signed[0]:.3f}; by September {early[1]:.3f} vs {early[0]:.3f}",
                 signed[1] < signed[0] - 0.03 or early[1] < early[0] - 0.03))

    sc = free_episode("gsomia-2019")
    with_measures, without_measures = share(sc, runs, notice), share(silenced(sc, ["counterpart"]), runs, notice)
    rows.append(("removing Japan's measures from free 2019 lowers notice",
                 f"notice {without_measures:.3f} with Tokyo silenced vs {with_measures:.3f}",
                 without_measures < with_measures - 0.1))

    sc = silenced(free_episode("gsomia-2018"), ["counterpart"])
    rulings = [tr.id for tr in sc.triggers if tr.kind == "court_ruling"]
    with_rulings, without_rulings = share(sc, runs, notice), share(without_triggers(sc, rulings), runs, notice)
    rows.append(("the 2018 rulings reach Seoul's notice only through Tokyo",
                 f"Tokyo silenced: notice {with_rulings:.3f} with the rulings vs {without_rulings:.3f} without",
                 abs(with_rulings - without_rulings) < 0.04))

    print(f"directions in free runs, shipped posterior, {runs} replications per ensemble, seed {SEED}")
    for what, figures, met in rows:
        print(f"{'met    ' if met else 'NOT MET'}  {what}: {figures}")


if __name__ == "__main__":
    main()
