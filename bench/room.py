"""A room against one classroom server: 15 students press Run at once; print when each sees numbers.

Starts ``python run.py serve --port 0`` (a process of its own, on loopback), warms it with one small
run (so the pool's processes are up, as they are once a lecturer has opened the page), then 15
simulated students, each with a page id of its own, ask at the same moment for a 1,000-replication run
of the 2019 episode (the page's default settings) and poll it as the page does (every 250 ms). For
each student it prints the seconds from the request to its first estimate (the first snapshot with
numbers, ``partial``), to the full result, and the place in the queue it was first given; then the
largest and the median. Targets on 2 cores: first estimate <= 2 s for every student, all done <= 60 s.

It also prints the CPU time the server and its pool used for the room (all processes of the
server's session, read from /proc on Linux), and that divided by the cores: the wall time the room
would take on an otherwise idle machine, at best. On a shared machine the wall times above are longer.

The server inherits this process's environment: ``DIPLOSIM_COMPILED=DIR python bench/room.py`` measures
the room on the compiled model (``python run.py compile --out DIR`` first); without it, ``serve``'s workers
run the compiled copy in the default place when one fits these sources (``python run.py compile``;
`classroom_queue.room_compiled`), and the first line says which.

Not a test: the figures depend on the machine and on what else it runs.

Usage: python bench/room.py [STUDENTS] [RUNS]   (default 15 students, 1000 runs)
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from diplosim.present.classroom_queue import room_compiled

REPO = Path(__file__).resolve().parent.parent
EPISODE = "history/gsomia-2019.yaml"
POLL_SECONDS = 0.25
TIMEOUT = 300.0


def request(port: int, method: str, path: str, body: Any = None, page: str = "0" * 16) -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        headers = {"X-Diplosim-Client": page}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, data, headers)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def student(port: int, number: int, runs: int, go: threading.Event, out: dict[str, Any]) -> None:
    try:
        ask(port, number, runs, go, out)
    except OSError as exc:  # a connection refused or reset counts against the server
        out["error"] = f"{type(exc).__name__}: {exc}"


def ask(port: int, number: int, runs: int, go: threading.Event, out: dict[str, Any]) -> None:
    page = f"{number + 1:016x}"
    go.wait()
    began = time.monotonic()
    status, answer = request(port, "POST", "/api/run", {"now": {"episode": EPISODE, "runs": runs}}, page)
    if status != 200:
        out["error"] = f"{status}: {answer}"
        return
    job = answer["job"]
    out["answered"] = time.monotonic() - began
    while time.monotonic() - began < TIMEOUT:
        status, snap = request(port, "GET", f"/api/jobs/{job}", page=page)
        if status != 200:
            out["error"] = f"{status}: {snap}"
            return
        if snap.get("position") is not None and "position" not in out:
            out["position"] = snap["position"]
        if snap.get("now") is not None and "first" not in out:
            out["first"], out["first_done"] = time.monotonic() - began, snap["done"]
            out["numbers_while_queued"] = snap["status"] == "queued"
        if snap["status"] not in ("queued", "running"):
            out["full"], out["status"] = time.monotonic() - began, snap["status"]
            return
        time.sleep(POLL_SECONDS)
    out["error"] = "timed out"


def session_cpu(session: int) -> float | None:
    """CPU seconds (user + system) of the live processes of a session, or None where /proc is missing."""
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:  # after the name: state, ppid, pgrp, session, ...
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def main() -> None:
    students = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen([sys.executable, "run.py", "serve", "--port", "0"], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        status, answer = request(port, "POST", "/api/run", {"now": {"episode": EPISODE, "runs": 10, "seed": "99"}})
        while request(port, "GET", f"/api/jobs/{answer['job']}")[1]["status"] in ("queued", "running"):
            time.sleep(0.2)
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
        compiled, workers = os.environ.get("DIPLOSIM_COMPILED"), room_compiled()
        model = (f"compiled ({compiled})" if compiled else
                 f"workers compiled ({workers}, found by serve)" if workers else "pure Python")
        print(f"{students} students, {runs} replications each of {EPISODE}, at once; {cores} cores; model: {model}; "
              f"load average before: {os.getloadavg()[0]:.2f}")
        cpu_before = session_cpu(server.pid)
        go = threading.Event()
        results: list[dict[str, Any]] = [{} for _ in range(students)]
        threads = [threading.Thread(target=student, args=(port, i, runs, go, results[i])) for i in range(students)]
        for t in threads:
            t.start()
        began = time.monotonic()
        go.set()
        for t in threads:
            t.join()
        wall = time.monotonic() - began
        cpu_after = session_cpu(server.pid)
    finally:
        server.terminate()
        server.wait(30)
    print(f"{'student':>7}  {'answered s':>10}  {'first place':>11}  {'first estimate s':>16}  {'(replications)':>14}  "
          f"{'full result s':>13}")
    for i, r in enumerate(results, 1):
        if "error" in r:
            print(f"{i:>7}  error: {r['error']}")
            continue
        print(f"{i:>7}  {r['answered']:>10.2f}  {r.get('position', '-')!s:>11}  {r['first']:>16.2f}  "
              f"{r['first_done']:>14}  {r['full']:>13.2f}")
    ok = [r for r in results if "error" not in r]
    if ok:
        firsts, fulls = [r["first"] for r in ok], [r["full"] for r in ok]
        print(f"first estimate: max {max(firsts):.2f} s, median {statistics.median(firsts):.2f} s (target <= 2 s each)")
        print(f"full result:    max {max(fulls):.2f} s, median {statistics.median(fulls):.2f} s (target: all <= 60 s)")
        print(f"numbers shown while queued: {sum(r['numbers_while_queued'] for r in ok)} of {len(ok)}")
    print(f"wall time {wall:.2f} s; load average after: {os.getloadavg()[0]:.2f}; "
          f"errors: {len(results) - len(ok)}")
    if cpu_before is not None and cpu_after is not None:
        used = cpu_after - cpu_before
        print(f"CPU used by the server and its pool for the room: {used:.1f} s; on {cores} idle cores that is "
              f"at least {used / max(1, cores or 1):.1f} s of wall time")


if __name__ == "__main__":
    main()
