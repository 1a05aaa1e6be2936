"""Print the cost of reducing fan-chart data while an ensemble runs (run --out / report).

Usage: python bench/fan_overhead.py [SCENARIO] [RUNS]
"""

from __future__ import annotations

import sys
import time
import tracemalloc

from diplosim import compile_scenario, load_scenario, run_ensemble
from diplosim.run.fan import run_with_fan


def main() -> None:
    path = sys.argv[1] if len(sys.argv) > 1 else "scenarios/examples/quiet-year.yaml"
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    model = compile_scenario(load_scenario(path))
    t0 = time.perf_counter()
    run_ensemble(model, runs, 1)
    plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    _, fan = run_with_fan(model, runs, 1)
    with_fan = time.perf_counter() - t0
    tracemalloc.start()  # memory in a second pass: tracing slows Python down many times
    run_with_fan(model, runs, 1)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"{path}: {runs} runs")
    print(f"  run_ensemble  {plain:6.2f} s")
    print(f"  run_with_fan  {with_fan:6.2f} s  ({with_fan / plain:.2f}x), grid {len(fan.grid)} days x "
          f"{len(fan.variables)} variables x {fan.bins} bins = {fan.counts.nbytes / 1e6:.1f} MB of counts, "
          f"peak traced memory {peak / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
