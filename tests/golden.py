"""Golden values: the summary of `run --runs 200 --seed 0` for every shipped scenario.

They guard changes that are meant not to alter results (moves, refactors, speed
work): `tests/test_golden.py` compares each scenario's summary JSON with the
file stored here, byte for byte. A change that alters results on purpose
regenerates them, in the same commit, saying why::

    python -m tests.golden          # rewrite tests/golden/*.json
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
RUNS, SEED = 200, 0


def shipped_scenarios() -> list[Path]:
    """Every scenario file the project ships (history, counterfactuals, examples), relative to the repo."""
    root = REPO / "scenarios"
    return sorted(p.relative_to(REPO) for sub in ("history", "counterfactuals", "examples")
                  for p in (root / sub).glob("*.yaml"))


def golden_name(scenario: Path) -> str:
    """The golden file's name for a scenario: its folder and stem."""
    return f"{scenario.parent.name}--{scenario.stem}.json"


def summary_json(scenario: Path) -> str:
    """The CLI's `run --json` output for `scenario` (one worker: the figures do not depend on it)."""
    cmd = [sys.executable, "run.py", "run", str(scenario), "--runs", str(RUNS), "--seed", str(SEED),
           "--json", "--workers", "1"]
    done = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {done.returncode}: {done.stderr.strip()}")
    return done.stdout


def main() -> int:
    GOLDEN_DIR.mkdir(exist_ok=True)
    for old in GOLDEN_DIR.glob("*.json"):
        old.unlink()
    for scenario in shipped_scenarios():
        (GOLDEN_DIR / golden_name(scenario)).write_text(summary_json(scenario), encoding="utf-8")
        print(f"wrote {golden_name(scenario)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
