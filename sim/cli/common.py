"""What every command shares: exit statuses, the usage error, the parser that raises it, --set."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn, TextIO

from ..errors import DiplosimError, excerpt
from ..run.ensemble import MAX_RUNS, MAX_SEED  # the API's limits: one range for the CLI and run_ensemble

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2


class UsageError(DiplosimError):
    """Bad command-line usage (exit status 2)."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # one line, exit 2
        raise UsageError(f"{self.prog}: {message}")


def _parse_sets(items: Sequence[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in items or ():
        if "=" not in item:
            raise UsageError(f"--set expects PATH=VALUE, got '{item}'")
        path, value = item.split("=", 1)
        out[path.strip()] = value
    return out




def whole(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high`, or a usage error naming `what`."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{what} must be a whole number, found '{excerpt(text)}'") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{what} must be from {low:,} to {high:,}, found {value:,}")
        return value
    return parse


seed_arg = whole(0, MAX_SEED, "a seed")
"""--seed: a root seed for numpy's SeedSequence (non-negative)."""
runs_arg = whole(1, MAX_RUNS, "a number of runs")
"""--runs and the like: replications."""
index_arg = whole(0, MAX_RUNS - 1, "a replication")
"""--replication: which replication of a seed."""
story_runs_arg = whole(0, MAX_RUNS, "a number of runs")
"""story --runs: replications beside the one told (0: none)."""


class PrintableStream:
    """A text stream that escapes control characters (but newlines and tabs) before writing.

    Normal output quotes names, notes and sources from scenario files; escaping
    keeps a terminal escape sequence in a file from reaching the terminal.
    """

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        if not text.isprintable():
            text = "".join(ch if ch.isprintable() or ch in "\n\t" else ascii(ch)[1:-1] for ch in text)
        try:
            return self._stream.write(text)
        except BrokenPipeError:
            raise StdoutClosed() from None

    def flush(self) -> None:
        try:
            self._stream.flush()
        except BrokenPipeError:
            raise StdoutClosed() from None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class StdoutClosed(Exception):
    """Standard output was closed by its reader (``| head``): nothing more can be shown."""


def silence_stdout() -> None:
    """Point standard output at the null device, so that the interpreter's last flush of a closed pipe
    neither fails nor complains (the Python docs' note on SIGPIPE)."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, sys.__stdout__.fileno() if sys.__stdout__ is not None else 1)
    finally:
        os.close(devnull)


class Interrupted(Exception):
    """A command stopped by a signal: the line to print (what was kept) and the exit status."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
