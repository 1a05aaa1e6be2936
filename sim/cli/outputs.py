"""Output folders of the commands: results are never silently replaced.

`run --out` claims its folder with a manifest (`diplosim.present.resultdir`); the
other commands that write a folder (compare, sweep, sensitivity, explain,
discover, validate, identify, calibrate) claim theirs the same way, with a
manifest naming the command and a digest of what it was asked (its inputs: the
scenarios' hashes, with any --set, and the options that shape the results).
Without `--force` a command refuses a folder that holds

- the results of another command (a run's folder, a sweep's, ...),
- its own results from other inputs (an earlier, different sweep), or
- result files and no manifest (written by an older diplosim, or by hand).

Running the same command with the same inputs into its own folder is allowed:
it writes the same results again. Every check happens before any work; a
command that then stops on bad input (a swept value out of bounds) leaves the
folder as it found it.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from .. import __version__
from ..errors import DiplosimError
from ..files import to_json, write_atomic
from ..present.resultdir import (
    LOCK,
    MANIFEST,
    RESULT_FILES,
    OutputDirError,
    claim_output_dir,
    finish_output_dir,
    read_manifest,
)

COMMAND_FILES: dict[str, tuple[str, ...]] = {
    "compare": ("comparison.json", "comparison.csv"),
    "sweep": ("sweep.json", "sweep.csv"),
    "sensitivity": ("sensitivity.json", "sensitivity.csv"),
    "explain": ("explain.json", "explain.csv"),
    "discover": ("discover.json", "variants.csv"),
    "validate": ("validation.json",),
    "identify": ("identify.json",),
    "calibrate": ("posterior.csv", "params.yaml", "report.json", "abc.db"),
}
"""The result files each command writes: finding one of them (or a run's) in a folder without a
manifest means the folder holds results."""

NOT_INPUTS = frozenset({"func", "evaluate", "command", "out", "force", "json", "markdown", "plot", "workers",
                        "allow", "top", "ship"})
"""Options that do not change what a command writes into its folder (how it prints, where, how fast)."""


def command_identity(command: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The manifest of a command's results: the command, and a digest of its inputs."""
    digest = hashlib.sha256(to_json(dict(inputs)).encode()).hexdigest()
    return {"tool": "diplosim", "version": __version__, "command": command, "inputs": digest}


def inputs_of(args: argparse.Namespace, scenario_sha256: Iterable[str]) -> dict[str, Any]:
    """What a command was asked: its options (but those in NOT_INPUTS) and its scenarios' hashes."""
    options = {k: v for k, v in sorted(vars(args).items()) if k not in NOT_INPUTS and not callable(v)}
    return {"options": options, "scenarios": list(scenario_sha256)}


def check_command_folder(out: Path, command: str, *, force: bool = False) -> None:
    """Raise `OutputDirError` if `out` holds another command's results, or results of no known command."""
    if out.exists() and not out.is_dir():
        raise OutputDirError(f"{out}: exists and is not a directory")
    if force or not out.is_dir():
        return
    manifest = read_manifest(out)
    if manifest is None:
        files = (MANIFEST, *RESULT_FILES, *(f for names in COMMAND_FILES.values() for f in names))
        held = sorted({name for name in files if (out / name).exists()})
        if held:
            raise OutputDirError(f"{out}: already holds results ({', '.join(held)}) of an unknown run; "
                                 "use --force to overwrite them, or choose another --out")
        return
    other = manifest.get("command", "run")  # a run's manifest names no command
    if other != command:
        raise OutputDirError(f"{out}: holds the results of `{other}`; `{command}` does not write into another "
                             f"command's folder: choose another --out (or use --force to overwrite them)")


@contextlib.contextmanager
def claimed(out: Path, command: str, inputs: Mapping[str, Any], *, force: bool = False) -> Iterator[Path]:
    """Claim `out` for `command` (refusing another command's or another input's results, see the module),
    yield it for the results, then mark it complete. Call before the work: a refusal costs none."""
    check_command_folder(out, command, force=force)
    identity = command_identity(command, inputs)
    manifest = read_manifest(out) if out.is_dir() else None
    if not force and manifest is not None and any(manifest.get(k) != v for k, v in identity.items()):
        why = "another diplosim version" if manifest.get("version") != __version__ else "other inputs"
        raise OutputDirError(f"{out}: holds the results of another `{command}` ({why}); use --force to "
                             "overwrite them, or choose another --out")
    existed = out.is_dir()
    previous = (out / MANIFEST).read_bytes() if (out / MANIFEST).is_file() else None
    claim_output_dir(out, identity, force=force)
    try:
        yield out
    except DiplosimError:
        # bad input, found before any result was written: leave the folder as it was, so that a failed
        # attempt neither claims it (an incomplete manifest refusing the next command) nor litters
        _unclaim(out, identity, previous, existed)
        raise
    finish_output_dir(out, identity)


def _unclaim(out: Path, identity: Mapping[str, Any], previous: bytes | None, existed: bool) -> None:
    """Undo `claim_output_dir`: release the lock and put back the manifest (or none, or no folder)."""
    finish_output_dir(out, identity)  # releases the lock
    if previous is not None:
        write_atomic(out / MANIFEST, previous)
        return
    (out / MANIFEST).unlink(missing_ok=True)
    if not existed:
        (out / LOCK).unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # not empty: something else was written there meanwhile
            out.rmdir()


def add_force(p: argparse.ArgumentParser) -> None:
    """The `--force` option of a command that writes a folder (as `run --out` has it)."""
    p.add_argument("--force", action="store_true",
                   help="write into --out even if it holds other results (they are overwritten)")
