"""Output directories: which run a directory's results belong to, and refusing to mix runs.

A command that writes results into a directory first *claims* it: it writes a
small manifest (``manifest.json``) naming the run, that is the scenario's
sha256 (which covers every file in its ``extends`` chain and any ``--set``),
the root seed, the number of replications and the diplosim version. If the
directory already holds results of a different run, or results with no
manifest, the claim is refused unless `force` is given, so one run's results
are never silently replaced by another's. Re-running the same run into the
same directory is allowed: it writes the same results again.

While a run writes, it holds a lock on the directory (``.diplosim.lock``, an
advisory lock the system drops when the process ends, even on kill -9), so two
runs into one directory can never mix their files: the second is refused. The
manifest says ``"complete": false`` until every result file is written and
``true`` after, so a directory left by an interrupted run (a full disk, a
signal) is recognisable, and `plot` refuses it.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import DiplosimError
from ..files import to_json, write_atomic

MANIFEST = "manifest.json"
"""The file, inside an output directory, that names the run whose results it holds."""
RESULT_FILES = ("summary.json", "replications.csv", "events.csv", "fan.json", "context.json", "runs.sqlite")
"""Files a run writes; finding any of them means the directory holds results."""


class OutputDirError(DiplosimError):
    """An output directory cannot be used (bad input or usage: exit status 2)."""


def run_identity(sha256: str, seed: int, runs: int, version: str) -> dict[str, Any]:
    """The manifest of a run: what must match for two runs to be the same."""
    return {"tool": "diplosim", "version": version, "scenario_sha256": sha256, "seed": seed, "runs": runs}


def read_manifest(out: Path) -> dict[str, Any] | None:
    """The manifest in `out`, or None if there is none or it cannot be read as a JSON object."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def check_output_dir(out: Path, identity: Mapping[str, Any], *, force: bool = False) -> None:
    """Raise `OutputDirError` unless `out` may receive the results of run `identity`.

    Writes nothing: call it before the run so a refusal costs no work.
    """
    if out.exists() and not out.is_dir():
        raise OutputDirError(f"{out}: exists and is not a directory")
    if force or not out.exists():
        return
    held = [name for name in (MANIFEST, *RESULT_FILES) if (out / name).exists()]
    if not held:
        return
    manifest = read_manifest(out)
    if manifest is None:
        raise OutputDirError(f"{out}: already holds results ({', '.join(held)}) of an unknown run; "
                             "use --force to overwrite them, or choose another --out")
    differ = [key for key in identity if manifest.get(key) != identity[key]]
    if differ:
        was = ", ".join(f"{key} {_short(manifest.get(key))}" for key in differ)
        now = ", ".join(f"{key} {_short(identity[key])}" for key in differ)
        raise OutputDirError(f"{out}: holds the results of a different run ({was}; this run has {now}); "
                             "use --force to overwrite them, or choose another --out")


LOCK = ".diplosim.lock"
"""The lock file a run holds in its output directory while it writes there."""

_held_locks: dict[str, int] = {}
"""Directories this process has claimed -> the open lock file (kept open: closing drops the lock)."""


def claim_output_dir(out: Path, identity: Mapping[str, Any], *, force: bool = False) -> None:
    """Check `out` (see `check_output_dir`), lock it, create it and write the run's manifest.

    The manifest is written before any result, marked incomplete, so a crash
    part-way leaves a directory that the same run may fill again and a different
    run may not. The check is repeated once the lock is held, so a run that
    finished into the directory meanwhile is seen.
    """
    check_output_dir(out, identity, force=force)
    out.mkdir(parents=True, exist_ok=True)
    _lock(out)
    check_output_dir(out, identity, force=force)
    write_atomic(out / MANIFEST, to_json({**identity, "complete": False}))


def finish_output_dir(out: Path, identity: Mapping[str, Any]) -> None:
    """Mark `out` complete (after every result file is written) and release its lock."""
    write_atomic(out / MANIFEST, to_json({**identity, "complete": True}))
    fd = _held_locks.pop(str(out.resolve()), None)
    if fd is not None:
        os.close(fd)


def require_complete(out: Path) -> None:
    """Raise `OutputDirError` unless `out` holds the results of a run that finished writing them."""
    manifest = read_manifest(out)
    if manifest is not None and manifest.get("complete") is False:
        raise OutputDirError(f"{out}: the results are incomplete (the run writing them was interrupted or is "
                             "still running); run it again into this directory")


def _lock(out: Path) -> None:
    key = str(out.resolve())
    if key in _held_locks:
        return
    fd = os.open(out / LOCK, os.O_CREAT | os.O_RDWR, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise OutputDirError(f"{out}: another diplosim run is writing into this directory; "
                             "wait for it to finish, or choose another --out") from None
    _held_locks[key] = fd


def _short(value: Any) -> str:
    text = str(value)
    return text[:12] if len(text) == 64 else text  # a sha256 is recognisable by its first 12 digits
