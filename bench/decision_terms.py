#!/usr/bin/env python3
"""What an actor weighs, month by month, when it takes one question up in an episode's free runs.

    python bench/decision_terms.py gsomia-2016 "resume talks?"          # 300 free runs, shipped posterior
    python bench/decision_terms.py gsomia-2019 "give notice?" --runs 600 --option give_notice
    python bench/decision_terms.py gsomia-2016 "resume talks?" --set params.threat_weight=0

For every time the question is put (its wording as the story prints it before " -> "), records each option's
utility and the named terms (docs/model.md section 7) of one option, and prints per calendar month: how often
the question was put, the mean utility of every option, and the mean of each term of the option shown (the
first option offered unless `--option`; terms whose mean is under 0.005 in size are left out). Means are over
the decisions taken that month, so they describe the runs still facing the question, not all runs.

A diagnostic of issue 26, not a test: an outcome share says how often a move is made, this says which terms
made it likely or not, and when. It records choices by wrapping the engine's `Context.choose`, so it runs the
pure-Python model (with DIPLOSIM_COMPILED set it stops and says so).
"""

from __future__ import annotations

import argparse
import os
from collections import defaultdict
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from free_runs import SEED, add_set_option, free_episode, set_overrides

from diplosim.model import COMPILED_ENV, engine
from diplosim.model.choice import TERM_NAMES, Terms, utility
from diplosim.model.engine import compile_scenario
from diplosim.run.ensemble import run_one


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("episode", help="a shipped history episode, e.g. gsomia-2016")
    parser.add_argument("question", help="the question as the story words it, e.g. 'resume talks?'")
    parser.add_argument("--runs", type=int, default=300, help="free replications (default 300)")
    parser.add_argument("--option", help="the option whose terms are printed (default: the first offered)")
    add_set_option(parser)
    args = parser.parse_args()
    if os.environ.get(COMPILED_ENV):
        raise SystemExit(f"decision_terms.py wraps the pure-Python engine: unset {COMPILED_ENV} to run it")
    overrides = set_overrides(args.set)
    sc = free_episode(args.episode, overrides)
    model = compile_scenario(sc)
    months: dict[str, list[Mapping[str, Terms]]] = defaultdict(list)
    choose = engine.Context.choose

    def recording(ctx: Any, actor: Any, situation: str, options: Mapping[str, Terms]) -> str:
        if situation == args.question:
            months[(sc.start + timedelta(days=int(ctx.now))).strftime("%Y-%m")].append(dict(options))
        return choose(ctx, actor, situation, options)

    engine.Context.choose = recording  # type: ignore[method-assign]
    try:
        for index in range(args.runs):
            run_one(model, SEED, index)
    finally:
        engine.Context.choose = choose  # type: ignore[method-assign]
    if not months:
        raise SystemExit(f"nobody was asked '{args.question}' in {args.runs} free runs of {args.episode}")
    given = "".join(f", {k}={v}" for k, v in overrides.items())
    print(f"{sc.name}, free runs{given}, shipped posterior, {args.runs} replications, seed {SEED}: "
          f"'{args.question}' by month (times put; mean utility of each option | mean terms of the option shown)")
    for month in sorted(months):
        rows = months[month]
        names = sorted({name for row in rows for name in row})
        shown = args.option or next(iter(rows[0]))
        utilities = " ".join(
            f"{name}={sum(utility(r[name]) for r in rows if name in r) / sum(name in r for r in rows):+.2f}"
            for name in names)
        having = [r[shown].named() for r in rows if shown in r]
        terms = {k: sum(t.get(k, 0.0) for t in having) / len(having) for k in TERM_NAMES} if having else {}
        parts = " ".join(f"{k}={v:+.2f}" for k, v in terms.items() if abs(v) >= 0.005)
        print(f"{month} {len(rows):5d}  {utilities} | {shown}: {parts or '-'}")


if __name__ == "__main__":
    main()
