"""Print what one evaluator for a whole experiment saves over a process pool per point.

Runs `discover` (scenario discovery: many small variants of one scenario) four
ways and prints the wall time of each:
- a new pool per point (what every exploring command did before the evaluator);
- one evaluator, serial (one process);
- one evaluator, 2 workers, pooling every point;
- one evaluator, 2 workers, with its default threshold (points below
  SERIAL_BELOW replications run in this process).

Usage: python bench/evaluator.py [SCENARIO] [SAMPLES] [RUNS]
(default: the 2019 episode, 40 variants, 30 replications each)
"""

from __future__ import annotations

import sys
import time

from diplosim import compile_scenario, load_scenario
from diplosim.explore.discover import discover
from diplosim.run.evaluator import SERIAL_BELOW, Evaluator


def pool_per_point(model, runs, seed):
    """What each exploring command did before: a new process pool for every point."""
    with Evaluator(workers=2, serial_below=1) as evaluate:
        return evaluate(model, runs, seed)


def timed(label: str, run) -> float:
    t0 = time.perf_counter()
    run()
    took = time.perf_counter() - t0
    print(f"  {label:<44} {took:7.2f} s")
    return took


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else "scenarios/history/gsomia-2019.yaml"
    samples = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    sc = load_scenario(path)

    def experiment(evaluate) -> None:
        discover(sc, "terminated", samples, runs, 0, evaluate)

    print(f"discover on {path}: {samples} variants x {runs} replications")
    timed("a new pool per point (before)", lambda: experiment(pool_per_point))
    for label, kwargs in (("one evaluator, serial", {"workers": 1}),
                          ("one evaluator, 2 workers, every point pooled", {"workers": 2, "serial_below": 1}),
                          (f"one evaluator, 2 workers, serial below {SERIAL_BELOW}", {"workers": 2})):
        with Evaluator(**kwargs) as evaluate:
            timed(label, lambda e=evaluate: experiment(e))
    for per_point in (64, 200, 1000):
        print(f"one point of {per_point} replications:")
        model_runs = per_point
        model = compile_scenario(sc)
        with Evaluator(workers=1) as here:
            timed("  serial", lambda m=model, r=model_runs, e=here: e(m, r, 0))
        with Evaluator(workers=2, serial_below=1) as pooled:
            pooled(model, 2, 0)  # open the pool first: an experiment pays for it once
            timed("  2 workers (pool already open)", lambda m=model, r=model_runs, e=pooled: e(m, r, 0))


if __name__ == "__main__":
    main()
