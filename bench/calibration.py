#!/usr/bin/env python3
"""Speed for calibration, in one run on this machine.

    python bench/calibration.py            # replication speed, then the shipped calibration, timed
    python bench/calibration.py --quick    # replication speed only, fewer replications

Prints, for the 2019 episode as its file stands and free (every actor deciding,
the runs calibration makes): simpy events per replication, replications per
second on one core (median of repeats), and the bare-simpy ceiling measured in
the same run (how many replications per second simpy alone could process at
that many events each). Then it reruns the calibration whose command the
shipped parameter file names (scenarios/params/default.yaml, "Calibrated by:")
into a temporary folder (its progress, a line per generation, on stderr) and
prints its wall time against the 15-minute target.
Timings are medians: the machine may be shared, so read them as noisy. Run it
with DIPLOSIM_COMPILED set to time the compiled model (`python run.py compile`);
the first line says which model was timed, and the calibration inherits it.
"""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ensemble import bare_simpy_rate, median_time, simpy_events_per_replication  # noqa: E402

from diplosim import compile_scenario, load_scenario  # noqa: E402
from diplosim.model import compiled_in_use  # noqa: E402
from diplosim.run.ensemble import run_indices  # noqa: E402
from diplosim.scenario.variants import without_given  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
EPISODE = REPO / "scenarios" / "history" / "gsomia-2019.yaml"
TARGET_RATE = 2000.0
"""Replications per second per core the calibration issue asks for on 2019."""
TARGET_MINUTES = 15.0
"""Wall time the shipped calibration should stay under on 2 cores."""


def shipped_command() -> list[str] | None:
    """The `calibrate` command the shipped parameter file says made it, as arguments for run.py."""
    for line in (REPO / "scenarios" / "params" / "default.yaml").read_text(encoding="utf-8").splitlines():
        if line.startswith("# Calibrated by: diplosim calibrate"):
            words = shlex.split(line.removeprefix("# Calibrated by: diplosim "))
            return [w for w in words if w != "--ship"]
    return None


def replication_speed(runs: int, repeats: int) -> None:
    where = compiled_in_use()
    print(f"model: compiled with mypyc ({where})" if where else
          "model: pure Python (DIPLOSIM_COMPILED=1 after `python run.py compile` uses the compiled copy)")
    ceiling = bare_simpy_rate(repeats)
    print(f"bare simpy: {ceiling:,.0f} events per second (one core)")
    sc = load_scenario(EPISODE)
    for label, variant in (("as the file stands", sc), ("free (calibration's runs)", without_given(sc))):
        model = compile_scenario(variant)
        run_indices(model, 0, range(20))  # warm up
        per_rep = simpy_events_per_replication(model, min(runs, 500))
        seconds = median_time(lambda m=model: run_indices(m, 0, range(runs)), repeats)
        rate = runs / seconds
        bound = ceiling / per_rep
        print(f"2019 {label}: {per_rep:.0f} simpy events per replication; {rate:,.0f} replications/s on one "
              f"core (target {TARGET_RATE:,.0f}); bare-simpy ceiling {bound:,.0f}/s, the model at "
              f"{rate / bound:.0%} of it")
        params = model.scenario.params
        if params.posterior is not None:
            print(f"  (each replication draws its parameters from {len(params.posterior)} posterior particles)")


def calibration_time() -> None:
    command = shipped_command()
    if command is None:
        print("calibration: the shipped parameter file names no calibrate command; nothing to time")
        return
    with tempfile.TemporaryDirectory() as out:
        args = [sys.executable, str(REPO / "run.py"), *command, "--out", out]
        print(f"calibration: {' '.join(shlex.quote(a) for a in command)} ({os.cpu_count()} cores) ...", flush=True)
        t0 = time.perf_counter()
        # calibrate's progress (one line per generation, on stderr) shows as it comes; its report is not needed
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        minutes = (time.perf_counter() - t0) / 60
    verdict = "under" if minutes < TARGET_MINUTES else "over"
    print(f"calibration: {minutes:.1f} min wall, {verdict} the {TARGET_MINUTES:.0f}-minute target")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="replication speed only, fewer replications")
    args = parser.parse_args()
    replication_speed(300 if args.quick else 2000, 3 if args.quick else 5)
    if not args.quick:
        calibration_time()
    return 0


if __name__ == "__main__":
    sys.exit(main())
