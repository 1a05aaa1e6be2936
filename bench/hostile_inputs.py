"""Run every bad-input corpus through the CLI; count the cases refused against those that crashed or hung.

    python bench/hostile_inputs.py

The corpora: the scenarios of tests/bad_inputs/ (run as `check CASE`), and the
posterior samples, parameter files, saved experiments and results folders of
tests/bad_inputs/{posterior,params,experiments,results}/ (each run with the
command its expected.yaml names), with the cases tests make at run time (pipes,
links to /dev/zero, loops of links, huge files). A case is *refused* when the
command exits with status 2 and prints one line on stderr; anything else is a
*crash*, and a case still running after `HANG_SECONDS` is a *hang*.

Not a test: timings depend on the machine. The point is that every refusal,
hostile input included, takes milliseconds, not minutes, and that none is
unhandled.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the test modules hold the recipes of the cases made at run time

from diplosim.cli.main import main  # noqa: E402
from tests import test_bad_files as files  # noqa: E402
from tests import test_bad_inputs as scenarios  # noqa: E402

BAD = REPO / "tests" / "bad_inputs"
HANG_SECONDS = 30
"""A case still running after this long counts as hung (a refusal takes milliseconds)."""


class Hung(Exception):
    """Raised by the alarm when a case runs too long."""


def _alarm(signum: int, frame: object) -> None:
    raise Hung


def run(folder: Path, args: list[str]) -> tuple[str, float, str]:
    """(outcome, seconds, first stderr line) of `diplosim ARGS` run in `folder`."""
    here = os.getcwd()
    os.chdir(folder)
    err = io.StringIO()
    t0 = time.perf_counter()
    signal.alarm(HANG_SECONDS)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(args)
        lines = err.getvalue().splitlines()
        outcome = "refused" if code == 2 and len(lines) == 1 and "Traceback" not in err.getvalue() else "crashed"
    except Hung:
        outcome, lines = "hung", ["(still running)"]
    except BaseException as exc:  # noqa: BLE001 - a crash is what this counts
        outcome, lines = "crashed", [f"{type(exc).__name__}: {exc}"]
    finally:
        signal.alarm(0)
        os.chdir(here)
    return outcome, time.perf_counter() - t0, (lines or [""])[0]


def cases(tmp: Path) -> list[tuple[str, Path, list[str]]]:
    """(label, folder to run in, arguments) of every case, made ones made under `tmp`."""
    out = [(f"scenario/{p.name}", BAD, ["check", p.name]) for p in sorted(BAD.glob("*.yaml"))
           if p.name != "expected.yaml"]
    for name, spec in scenarios.GENERATED.items():
        folder = tmp / "scenario" / name[:40]
        folder.mkdir(parents=True)
        shutil.copytree(BAD / "support", folder / "support")
        scenarios.RECIPES[spec["recipe"]](folder, name)
        out.append((f"scenario/{name[:40]}", folder, ["check", name]))
    for kind in files.KINDS:
        for name in sorted(files.INDEX[kind]["cases"]):
            out.append((f"{kind}/{name}", BAD / kind, files.command(kind, name, tmp / "plots")))
        for name in files.GENERATED[kind]:
            made = tmp / "made" / kind / name[:40]
            made.mkdir(parents=True)
            folder, _ = files.made_case(kind, name, made)
            out.append((f"{kind}/{name[:40]}", folder, files.command(kind, name, tmp / "plots")))
    return out


def main_bench(report: Callable[[str], None] = print) -> int:
    """Run every case; print the slowest, each problem and the counts. Exit status 1 if any is unhandled."""
    signal.signal(signal.SIGALRM, _alarm)
    with tempfile.TemporaryDirectory() as tmp:
        results = [(label, *run(folder, args)) for label, folder, args in cases(Path(tmp))]
    for label, outcome, seconds, _ in sorted(results, key=lambda r: -r[2])[:10]:
        report(f"{seconds * 1000:8.1f} ms  {label}  {outcome}")
    bad = [r for r in results if r[1] != "refused"]
    for label, outcome, _, line in bad:
        report(f"{outcome.upper()}: {label}: {line[:200]}")
    counts = {k: sum(r[1] == k for r in results) for k in ("refused", "crashed", "hung")}
    report(f"{len(results)} cases: {counts['refused']} refused, {counts['crashed']} crashed, {counts['hung']} hung"
           f" ({'none unhandled' if not bad else f'{len(bad)} unhandled'}); slowest "
           f"{max(r[2] for r in results) * 1000:.0f} ms, total {sum(r[2] for r in results):.1f} s")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main_bench())
