"""Print how long the loader takes to refuse each file of the bad-input corpus.

    python bench/hostile_inputs.py

Not a test: timings depend on the machine. The point is that every refusal,
hostile YAML included, takes milliseconds, not minutes.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from diplosim import ScenarioError, load_scenario

BAD = Path(__file__).resolve().parent.parent / "tests" / "bad_inputs"


def main() -> None:
    os.chdir(BAD)
    timings = []
    for path in sorted(BAD.glob("*.yaml")):
        if path.name == "expected.yaml":
            continue
        t0 = time.perf_counter()
        try:
            load_scenario(path.name)
            outcome = "LOADED (not an error!)"
        except ScenarioError:
            outcome = "refused"
        timings.append((time.perf_counter() - t0, path.name, outcome))
    for seconds, name, outcome in sorted(timings, reverse=True)[:10]:
        print(f"{seconds * 1000:8.1f} ms  {name}  {outcome}")
    print(f"{len(timings)} files; slowest {max(timings)[0] * 1000:.1f} ms; "
          f"total {sum(t for t, _, _ in timings) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
