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

import csv
import fcntl
import io
import os
import stat
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from ..errors import DiplosimError, excerpt
from ..files import (
    FieldCheck,
    FileRefused,
    check_output,
    kind_of,
    path_status,
    read_json,
    read_text,
    to_json,
    write_atomic,
)

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
        data = read_json(out / MANIFEST, MAX_MANIFEST_BYTES, max_depth=MAX_RESULT_DEPTH)
    except FileRefused:  # missing, a pipe, not JSON...: no manifest this run can trust
        return None
    return data if isinstance(data, dict) else None


def check_output_dir(out: Path, identity: Mapping[str, Any], *, force: bool = False) -> None:
    """Raise `OutputDirError` unless `out` may receive the results of run `identity`.

    Writes nothing: call it before the run so a refusal costs no work.
    """
    check_output(out, folder=True)  # something else there, a loop of links, a name too long: one line
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
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputDirError(f"{out}: cannot make the folder ({exc.strerror or type(exc).__name__})") from None
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
    try:
        fd = os.open(out / LOCK, os.O_CREAT | os.O_RDWR | os.O_NONBLOCK, 0o644)
    except OSError as exc:
        raise OutputDirError(f"{out / LOCK}: cannot open the lock file ({exc.strerror})") from None
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


MAX_MANIFEST_BYTES = 65_536
"""Largest manifest.json read, in bytes (a manifest is about 200)."""
MAX_RESULT_JSON_BYTES = 16 * 1024 * 1024
"""Largest summary.json, context.json or fan.json `plot` reads, in bytes (a run writes well under 1 MiB)."""
MAX_REPLICATIONS_BYTES = 128 * 1024 * 1024
"""Largest replications.csv `plot` reads, in bytes (about a million replications at 130 bytes each)."""
MAX_RESULT_DEPTH = 16
"""Deepest nesting of a results folder's JSON files (a run writes at most 5 levels)."""
FAN_QUANTILES = ("5", "25", "50", "75", "95")
"""The quantiles fan.json holds for each variable."""


def check_results_dir(directory: str | Path) -> None:
    """Raise `FileRefused` unless `directory` is a folder (a loop of links, a name too long, a file)."""
    shown = str(directory)
    info = path_status(directory, shown=shown)
    if info is None:
        raise FileRefused("no such results folder", file=shown)
    if not stat.S_ISDIR(info.st_mode):
        raise FileRefused("is not a folder; plot takes the --out folder of a run (or of a calibration)", file=shown)


class _Shape(FieldCheck):
    """Checks that a value read from one results file has the shape the figures use."""

    def day(self, value: Any, field: str) -> None:
        try:
            date.fromisoformat(self.text(value, field)[:10])
        except ValueError:
            raise self.fail(field, f"expected a date YYYY-MM-DD, found {kind_of(value)}") from None


def read_result_files(directory: str | Path) -> tuple[dict[str, Any], list[dict[str, str]], dict[str, Any],
                                                     dict[str, Any] | None]:
    """(summary, replication rows, context, fan) of a results folder written by ``run --out``, every
    value the figures use checked; context is {} and fan None when their files are absent. Any
    problem is a `FileRefused` naming the file (and the field)."""
    d = Path(directory)
    summary = _check_summary(d / "summary.json")
    rows: list[dict[str, str]] = []
    if path_status(d / "replications.csv") is not None:
        rows = _check_rows(d / "replications.csv")
    context: dict[str, Any] = {}
    if path_status(d / "context.json") is not None:
        context = _check_context(d / "context.json")
    fan = _check_fan(d / "fan.json") if path_status(d / "fan.json") is not None else None
    return summary, rows, context, fan


def _json_mapping(path: Path) -> tuple[_Shape, dict[str, Any]]:
    shape = _Shape(path)
    data = read_json(path, MAX_RESULT_JSON_BYTES, max_depth=MAX_RESULT_DEPTH)
    if not isinstance(data, dict):
        raise FileRefused(f"expected a JSON mapping, found {kind_of(data)}", file=str(path))
    return shape, data


def _check_summary(path: Path) -> dict[str, Any]:
    shape, summary = _json_mapping(path)
    runs = summary.get("runs")
    if isinstance(runs, bool) or not isinstance(runs, int) or runs < 0:
        raise shape.fail("runs", f"expected a whole number of runs, found {kind_of(runs)}")
    shape.text(summary.get("scenario", ""), "scenario")
    outcomes = shape.mapping(summary.get("outcomes"), "outcomes")
    if not outcomes:
        raise shape.fail("outcomes", "expected at least one outcome")
    for name, o in outcomes.items():
        o = shape.mapping(o, f"outcomes.{name}")
        shape.number(o.get("p"), f"outcomes.{name}.p")
        ci = shape.items(o.get("ci"), f"outcomes.{name}.ci")
        if len(ci) != 2:
            raise shape.fail(f"outcomes.{name}.ci", f"expected two numbers (low, high), found {len(ci)}")
        for i, x in enumerate(ci):
            shape.number(x, f"outcomes.{name}.ci[{i}]")
    return summary


def _check_rows(path: Path) -> list[dict[str, str]]:
    text = read_text(path, MAX_REPLICATIONS_BYTES, kind="CSV text")
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    rows = []
    try:
        for row in reader:
            for key, value in row.items():
                if key is None or value is None:  # more or fewer fields than the header
                    raise FileRefused("a row has more or fewer fields than the header", file=str(path),
                                      line=reader.line_num)
                if (key == "date" or key.endswith("_date")) and value:
                    try:
                        date.fromisoformat(value[:10])
                    except ValueError:
                        raise FileRefused(f"{excerpt(key, 30)}: expected a date YYYY-MM-DD, found '{excerpt(value)}'",
                                          file=str(path), line=reader.line_num) from None
            # only what the figures use (the outcome and the dates reached), so a million rows stay small
            rows.append({k: v for k, v in row.items()
                         if k == "outcome" or (v and (k == "date" or k.endswith("_date")))})
    except csv.Error as exc:
        raise FileRefused(f"not a CSV file ({excerpt(str(exc))})", file=str(path), line=reader.line_num) from None
    return rows


def _check_context(path: Path) -> dict[str, Any]:
    shape, context = _json_mapping(path)
    for key in ("start", "end"):
        if context.get(key) is not None:
            shape.day(context[key], key)
    if context.get("starts_in") is not None:
        shape.text(context["starts_in"], "starts_in")
    if context.get("record") is not None:
        record = shape.mapping(context["record"], "record")
        shape.text(record.get("outcome", ""), "record.outcome")
        for step, day in shape.mapping(record.get("dates", {}), "record.dates").items():
            shape.day(day, f"record.dates.{step}")
    for i, trigger in enumerate(shape.items(context.get("triggers", []), "triggers")):
        trigger = shape.mapping(trigger, f"triggers[{i}]")
        shape.text(trigger.get("kind"), f"triggers[{i}].kind")
        if "date" in trigger:
            shape.day(trigger["date"], f"triggers[{i}].date")
    for i, poll in enumerate(shape.items(context.get("polls", []), "polls")):
        poll = shape.mapping(poll, f"polls[{i}]")
        shape.day(poll.get("date"), f"polls[{i}].date")
        shape.number(poll.get("value"), f"polls[{i}].value")
        shape.text(poll.get("variable"), f"polls[{i}].variable")
    return context


def _check_fan(path: Path) -> dict[str, Any]:
    shape, fan = _json_mapping(path)
    dates = shape.items(fan.get("dates"), "dates")
    if not dates:
        raise shape.fail("dates", "expected at least one date")
    for i, day in enumerate(dates):
        shape.day(day, f"dates[{i}]")
    variables = shape.mapping(fan.get("variables"), "variables")
    order = shape.items(fan.get("order", list(variables)), "order")
    for name in order:
        if not isinstance(name, str) or name not in variables:
            raise shape.fail("order", f"{kind_of(name)} is not one of the variables")
    for name, v in variables.items():
        v = shape.mapping(v, f"variables.{name}")
        shape.text(v.get("unit"), f"variables.{name}.unit")
        quantiles = shape.mapping(v.get("quantiles"), f"variables.{name}.quantiles")
        for q in FAN_QUANTILES:
            series = shape.items(quantiles.get(q), f"variables.{name}.quantiles.{q}")
            if len(series) != len(dates):
                raise shape.fail(f"variables.{name}.quantiles.{q}",
                                 f"expected {len(dates)} values (one per date), found {len(series)}")
            for x in series:
                shape.number(x, f"variables.{name}.quantiles.{q}")
    return fan
