#!/usr/bin/env python3
"""When free 2016's Seoul resumes the talks, and how long the procedure then takes to a signature.

    python bench/talks_timing.py              # 4,000 free replications of 2016 (about 10 s in pure Python)
    python bench/talks_timing.py --runs 1000
    python bench/talks_timing.py --set params.threat_weight=0    # a screen: a parameter held (the CLI's --set)

A diagnostic of issue 26, not a test: the record has the talks resumed on 27 October 2016, the text
initialled on 14 November, the cabinet's approval on 22 November and the signature on 23 November. This
prints, on the shipped posterior in free runs (seed 3, as bench/directions.py), the share of runs whose
first resumption falls in each window and the outcome shares within each window; then, among the runs
that sign, how long each step of the procedure takes from the last resumption. It asks whether 2016's
dates can come right with its outcome: if the runs that resume as late as the record mostly run out of
year, moving the resumption later costs the signature unless the procedure also quickens.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import numpy as np
from free_runs import SEED, first_time, free_runs, shares, window

WINDOWS = (("January", date(2016, 2, 1)), ("February to 13 April", date(2016, 4, 14)),
           ("14 April to June", date(2016, 7, 1)), ("July to September", date(2016, 10, 1)),
           ("October to December (the record)", date(2017, 1, 1)))
"""The windows the first resumption is counted in, each named and ending before its date (13 April 2016 is
the general election)."""
RECORD_DAYS = {"resumed -> initialled": 18, "initialled -> approved": 8, "approved -> signed": 1,
               "resumed -> signed": 27}
"""Each step of the procedure, and the days it took on the record (27 Oct, 14 Nov, 22 Nov, 23 Nov 2016)."""


def step_days(moves: list[tuple[float, str, str]]) -> dict[str, float] | None:
    """Calendar days each step of the procedure took in a run that signed, from its last resumption (None if a
    step is missing)."""
    signed = first_time(moves, ("in_force",))
    if signed is None:
        return None
    resumed = max((t for t, _, kind in moves if kind == "negotiating" and t <= signed), default=None)
    initialled = None if resumed is None else first_time(moves, ("initialled",), resumed)
    approved = None if initialled is None else first_time(moves, ("cabinet_approved", "secret_approval"), initialled)
    if resumed is None or initialled is None or approved is None:
        return None
    day = {name: float(int(t)) for name, t in (("resumed", resumed), ("initialled", initialled),
                                               ("approved", approved), ("signed", signed))}
    return {"resumed -> initialled": day["initialled"] - day["resumed"],
            "initialled -> approved": day["approved"] - day["initialled"],
            "approved -> signed": day["signed"] - day["approved"], "resumed -> signed": day["signed"] - day["resumed"]}


def main() -> None:
    sc, ens, runs = free_runs(__doc__.splitlines()[0], "gsomia-2016")
    outcomes: dict[str, Counter[str]] = defaultdict(Counter)
    days: dict[str, list[float]] = defaultdict(list)
    for r in ens.results:
        first = first_time(r.moves, ("negotiating",))
        outcomes[window(first, sc.start, WINDOWS)][r.outcome] += 1
        steps = step_days(r.moves) if r.outcome == "signed" else None
        for name, value in (steps or {}).items():
            days[name].append(value)
    print(f"free 2016, {runs} replications, seed {SEED}: Seoul's first resumption of the talks, and the outcome")
    print(f"{'talks resume':34s} {'share':>6s}  outcomes within the window")
    for name in [w for w, _ in WINDOWS] + ["never"]:
        got = outcomes.get(name, Counter())
        print(f"{name:34s} {sum(got.values()) / runs:6.3f}  {shares(got)}")
    print("\nruns that sign, from the last resumption: days (median, quartiles), the record's, and the share "
          "as fast as the record or faster")
    for name, record in RECORD_DAYS.items():
        got = np.asarray(days.get(name, []))
        if not got.size:
            print(f"{name:24s} -")
            continue
        q25, q50, q75 = np.percentile(got, [25, 50, 75])
        fast = float(np.mean(got <= record))
        print(f"{name:24s} {q50:6.1f} ({q25:.1f} to {q75:.1f})  record {record:2d}  {fast:.2f}")


if __name__ == "__main__":
    main()
