"""What every command shares: exit statuses, the usage error, the parser that raises it, --set."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import NoReturn

from ..errors import DiplosimError

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
