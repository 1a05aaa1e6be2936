"""The error type for bad input, and its one-line format.

Every problem with a scenario or parameter file is raised as `ScenarioError`,
which renders as ``path/to/file.yaml:LINE:COL: field.path: message``. The CLI
prints that line and exits with status 2; nothing else is shown to the user.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable
from pathlib import Path


class DiplosimError(Exception):
    """Base class of the errors diplosim raises on purpose."""


class ScenarioError(DiplosimError):
    """A scenario or parameter file is not valid.

    `line` and `column` are 1-based, or None when the problem has no place in
    the file (a missing file, say). `field` is the dotted path of the value.
    """

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column
        self.field = field
        super().__init__(self.format())

    def format(self) -> str:
        """The one-line form: ``file:line:col: field: message``."""
        place = self.file or "<input>"
        if self.line is not None:
            place += f":{self.line}"
            if self.column is not None:
                place += f":{self.column}"
        head = f"{place}: "
        if self.field:
            head += f"{_shorten(self.field)}: "
        message = " ".join(_shorten(word) for word in self.message.split())
        if len(message) > MAX_MESSAGE:  # a message never carries more than an excerpt of any file
            message = message[:MAX_MESSAGE - 25] + " ... (message shortened)"
        return printable(head + message)


MAX_WORD = 160
"""Longest run of non-blank characters an error line quotes whole; longer ones are cut in the middle."""
MAX_MESSAGE = 400
"""Longest message part of an error line; longer ones are cut (quoted values are already excerpts)."""
MAX_EXCERPT = 60
"""Most characters of a value from a file that an error message quotes."""


def excerpt(text: str, limit: int = MAX_EXCERPT) -> str:
    """A short, escaped excerpt of `text` for an error message (never a file's contents)."""
    text = printable(str(text))
    return text if len(text) <= limit else f"{text[:limit - 1]}…"


def _shorten(word: str) -> str:
    if len(word) <= MAX_WORD:
        return word
    return f"{word[:MAX_WORD - 30]}...{word[-20:]}"


def printable(text: str) -> str:
    """`text` with control characters, lone surrogates and the like escaped.

    Error lines quote values from untrusted files; escaping keeps them on one
    line, keeps terminal escape sequences inert and keeps stderr encodable.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in text)


class MissingExtra(DiplosimError):
    """An optional dependency is not installed; the message names the extra that brings it."""


def install_hint(extra: str) -> str:
    """The command that adds an optional extra to any install of diplosim (a wheel, a clone, editable)."""
    return f"pip install 'diplosim[{extra}]'"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A " (did you mean 'x'?)" suffix for a misspelled name, or ''."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def shown_path(path: str | os.PathLike[str]) -> str:
    """`path` as a message shows it: relative to the working directory where that is shorter."""
    text = os.fspath(path)
    try:
        rel = os.path.relpath(text)
    except ValueError:  # another drive, on Windows
        return text
    return rel if len(rel) < len(text) else text
