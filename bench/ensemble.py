#!/usr/bin/env python3
"""Speed of one replication and of ensembles, measured in one run on this machine.

    python bench/ensemble.py            # the full benchmark (a few minutes on 2 cores)
    python bench/ensemble.py --quick    # smaller sizes, for a smoke test

Prints: the bare-simpy ceiling (events per second of a null model); per
history episode, simpy events per replication, replications per second on one
core and the model's event rate as a share of the ceiling; replications per
second with 1 and 2 workers and the parallel efficiency; the overhead of the
Dask path against the local pool; end-to-end time of a 10,000-replication
ensemble of each episode (the CLI, with the run store); the peak memory of a
100,000-replication ensemble. Timings are medians of repeats: the machine may
be shared, so read them as noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import simpy

from diplosim import compile_scenario, load_scenario, run_ensemble
from diplosim.model import engine as engine_module
from diplosim.run.parallel import run_parallel

REPO = Path(__file__).resolve().parent.parent
SYNTHETIC = REPO / "bench" / "synthetic-2019.yaml"


def episodes() -> list[Path]:
    """The history episodes if present, else the synthetic 2019-like stand-in."""
    found = sorted((REPO / "scenarios" / "history").glob("*.yaml"))
    return found or [SYNTHETIC]


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (pool workers)."""
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def median_cpu(fn, repeats: int) -> float:
    """Median CPU seconds (all processes) of `fn`: unlike wall time, not inflated
    when other programs share the cores, so it shows the cost of parallelism itself."""
    costs = []
    for _ in range(repeats):
        c0 = cpu_seconds()
        fn()
        costs.append(cpu_seconds() - c0)
    return statistics.median(costs)


# -- bare simpy ------------------------------------------------------------------------


def null_model(processes: int, timeouts: int) -> int:
    """Processes that only wait on timeouts; returns the events processed."""
    env = simpy.Environment()

    def sleeper(delay: float):
        for _ in range(timeouts):
            yield env.timeout(delay)

    for i in range(processes):
        env.process(sleeper(1.0 + i / processes))
    env.run()
    return processes * (timeouts + 2)  # each timeout, plus each process's start and end


def bare_simpy_rate(repeats: int) -> float:
    events = null_model(100, 1000)
    return events / median_time(lambda: null_model(100, 1000), repeats)


# -- the model ----------------------------------------------------------------------------


class CountingEnvironment(simpy.Environment):
    """A simpy environment that counts the events it processes."""

    processed = 0

    def step(self) -> None:
        CountingEnvironment.processed += 1
        super().step()


def simpy_events_per_replication(model, runs: int) -> float:
    original = engine_module.simpy.Environment
    engine_module.simpy.Environment = CountingEnvironment  # type: ignore[misc]
    try:
        CountingEnvironment.processed = 0
        run_ensemble(model, runs, 0)
        return CountingEnvironment.processed / runs
    finally:
        engine_module.simpy.Environment = original  # type: ignore[misc]


def cli_end_to_end(path: Path, runs: int, workers: int) -> float:
    with tempfile.TemporaryDirectory() as out:
        cmd = [sys.executable, str(REPO / "run.py"), "run", str(path), "--runs", str(runs),
               "--workers", str(workers), "--out", out]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True)
        return time.perf_counter() - t0


PEAK_MEMORY_CHILD = """
import json, resource, sys
from diplosim import compile_scenario, load_scenario
from diplosim.run.parallel import run_parallel
from diplosim.run.store import RunStore
path, runs, workers, db = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
model = compile_scenario(load_scenario(path))
with RunStore(db) as store:
    ens = run_parallel(model, runs, 0, workers, store=store)
summary = ens.summary()
print(json.dumps({"main_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "worker_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
                  "runs": summary["runs"]}))
"""


def peak_memory(path: Path, runs: int, workers: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", PEAK_MEMORY_CHILD, str(path), str(runs), str(workers),
                              os.path.join(tmp, "runs.sqlite")], check=True, capture_output=True, text=True)
        result = json.loads(out.stdout)
        result["seconds"] = time.perf_counter() - t0
        return result


def dask_overhead(model, runs: int, repeats: int) -> tuple[float, float, float]:
    """(local pool seconds, Dask seconds, cluster start seconds) with 2 workers each."""
    from distributed import LocalCluster

    local = median_time(lambda: run_parallel(model, runs, 0, workers=2), repeats)
    t0 = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        started = time.perf_counter() - t0
        remote = median_time(lambda: run_parallel(model, runs, 0, scheduler=cluster.scheduler_address), repeats)
    return local, remote, started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (a smoke test, not figures)")
    parser.add_argument("--repeats", type=int, default=3, help="repeats per timing (median taken)")
    args = parser.parse_args()
    q = args.quick
    reps = args.repeats
    sizes = dict(single=300 if q else 2000, parallel=1000 if q else 6000, dask=1000 if q else 6000,
                 e2e=1000 if q else 10_000, memory=5000 if q else 100_000)

    print(f"diplosim ensemble benchmark  (python {sys.version.split()[0]}, simpy {simpy.__version__}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start)")
    print(f"command: python bench/ensemble.py{' --quick' if q else ''} --repeats {reps}")
    print()
    ceiling = bare_simpy_rate(reps)
    cpu_ceiling = null_model(100, 1000) / median_cpu(lambda: null_model(100, 1000), reps)
    print(f"bare simpy (null model, 100 processes x 1000 timeouts): {ceiling:,.0f} events/s "
          f"({cpu_ceiling:,.0f} per CPU-second)")
    print()
    paths = episodes()
    print("(of ceiling: simpy events per CPU-second of the model over those of the null model)")
    if paths == [SYNTHETIC]:
        print("(no scenarios/history/*.yaml: using the synthetic 2019-like bench/synthetic-2019.yaml)")
    print(f"{'episode':<28}{'simpy ev/rep':>13}{'model ev/rep':>13}{'rep/s 1 core':>14}{'rep/CPU-s':>11}"
          f"{'ev/s':>11}{'of ceiling':>12}")
    models = {}
    for path in paths:
        model = compile_scenario(load_scenario(path))
        models[path] = model
        run_ensemble(model, 50, 0)  # warm up
        per_rep = simpy_events_per_replication(model, min(500, sizes["single"]))
        model_events = sum(r.events for r in run_ensemble(model, 500, 0).results) / 500
        rate = sizes["single"] / median_time(lambda m=model: run_ensemble(m, sizes["single"], 0), reps)
        cpu_rate = sizes["single"] / median_cpu(lambda m=model: run_ensemble(m, sizes["single"], 0), reps)
        print(f"{path.stem:<28}{per_rep:>13.1f}{model_events:>13.1f}{rate:>14,.0f}{cpu_rate:>11,.0f}"
              f"{per_rep * rate:>11,.0f}"
              f"{per_rep * cpu_rate / cpu_ceiling:>12.2f}")
    print()
    target = next((p for p in paths if "2019" in p.stem), paths[-1])
    model = models[target]
    n = sizes["parallel"]
    one = n / median_time(lambda: run_parallel(model, n, 0, workers=1), reps)
    two = n / median_time(lambda: run_parallel(model, n, 0, workers=2), reps)
    print(f"{target.stem}, {n:,} replications: 1 worker {one:,.0f} rep/s, 2 workers {two:,.0f} rep/s, "
          f"parallel efficiency {two / (2 * one):.2f} (wall clock)")
    cpu_one = median_cpu(lambda: run_parallel(model, n, 0, workers=1), reps)
    cpu_two = median_cpu(lambda: run_parallel(model, n, 0, workers=2), reps)
    print(f"  CPU time, all processes: 1 worker {1e3 * cpu_one / n:.3f} ms/rep, 2 workers {1e3 * cpu_two / n:.3f} "
          f"ms/rep; efficiency by CPU time {cpu_one / cpu_two:.2f} (the share of the work that is not "
          f"parallel overhead; what wall-clock efficiency reaches on 2 otherwise idle cores)")
    local, remote, started = dask_overhead(model, sizes["dask"], reps)
    print(f"Dask LocalCluster (2 worker processes, loopback), {sizes['dask']:,} replications: "
          f"{remote:.2f} s against {local:.2f} s for the local pool "
          f"(overhead {100 * (remote / local - 1):+.0f}%; cluster start {started:.1f} s, not counted)")
    print()
    for path in paths:
        seconds = cli_end_to_end(path, sizes["e2e"], 2)
        print(f"end to end, `run.py run {path.name} --runs {sizes['e2e']:,} --workers 2 --out DIR`: {seconds:.1f} s")
    mem = peak_memory(target, sizes["memory"], 2)
    print(f"peak memory, {sizes['memory']:,} replications of {target.stem} (2 workers, with the store): "
          f"main process {mem['main_kib'] / 1024:.0f} MiB, largest worker {mem['worker_kib'] / 1024:.0f} MiB "
          f"({mem['seconds']:.0f} s)")
    print(f"load average at end: {os.getloadavg()[0]:.2f}; "
          f"this process's peak: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
