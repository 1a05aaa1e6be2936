#!/usr/bin/env python3
"""When free 2019's Tokyo first restricts exports, and what Seoul's pact comes to after each timing.

    python bench/tokyo_timing.py              # 4,000 free replications of 2019 (about 7 s in pure Python)
    python bench/tokyo_timing.py --runs 1000

A diagnostic of issue 26, not a test: the record has Tokyo's first export controls on 1 July 2019 and
Seoul's pact suspended; this prints, on the shipped posterior in free runs (seed 3, as bench/directions.py),
the share of runs whose first controls fall in each window and the outcome shares within each window. It
asks whether Tokyo's timing is what keeps 2019's suspension unlikely: if runs whose Tokyo acts as late as
the record end suspended no more often than the others, moving Tokyo later cannot raise P(suspended).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

from free_runs import SEED, first_time, free_runs, shares, window

WINDOWS = (("Oct 2018-Jan 2019", date(2019, 2, 1)), ("Feb-Apr 2019", date(2019, 5, 1)),
           ("May 2019", date(2019, 6, 1)), ("Jun-Jul 2019 (the record)", date(2019, 8, 1)),
           ("Aug-Dec 2019", date(2020, 1, 1)))
"""The windows Tokyo's first export controls are counted in, each named and ending before its date."""
NOTICE_DEADLINE = date(2019, 8, 24)
"""The last day for notice before the pact's expiry on 23 November 2019 (90 days: the scenario's rules)."""


def main() -> None:
    sc, ens, runs = free_runs(__doc__.splitlines()[0], "gsomia-2019")
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    lags: dict[str, list[float]] = defaultdict(list)
    deadline = sc.t(NOTICE_DEADLINE) + 1.0
    for r in ens.results:
        first = first_time(r.moves, ("export_control",))
        name = window(first, sc.start, WINDOWS)
        outcomes[name][r.outcome] += 1
        if first is None:
            continue
        notice = first_time(r.moves, ("notice_given",), first)
        if notice is not None and notice < deadline:
            lags[name].append(notice - first)
    print(f"free 2019, {runs} replications, seed {SEED}: Tokyo's first export controls, and the outcome after each")
    head = "notice by 24 Aug (median days after)"
    print(f"{'first controls':28s} {'share':>6s}  {head:38s} outcomes within the window")
    for name in [w for w, _ in WINDOWS] + ["never"]:
        got = outcomes.get(name, Counter())
        n = sum(got.values())
        after = sorted(lags.get(name, []))
        notice = f"{len(after) / n:.2f} ({after[len(after) // 2]:.1f} d)" if n and after else "-"
        print(f"{name:28s} {n / runs:6.3f}  {notice:38s} {shares(got)}")
    everyone = sum(outcomes.values(), Counter())
    print(f"{'all runs':28s} {1.0:6.3f}  suspended {everyone['suspended'] / runs:.3f} (the record)")


if __name__ == "__main__":
    main()
