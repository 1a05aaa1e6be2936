"""Files: opening the untrusted files the CLI is given, and writing results.

Reading. Every path the CLI opens (a scenario, a parameter or posterior file, a
saved experiment, a results folder's files, a run store, an --out target) goes
through `path_status` and the `read_*` functions here, which turn every
operating-system failure (a missing file, a directory, a pipe or device that
would block or never end, a loop of symbolic links, a name too long, a denied
permission, bytes that are not UTF-8 text, a file too large) into `FileRefused`:
one line naming the file, exit status 2 from the CLI. A pipe is never opened
for reading (its type is checked first, and the file is opened non-blocking and
checked again), and no more than the limit plus one byte is ever read.

Writing. Every result file is written atomically (temporary file, then rename);
tables as CSV text or, for notebooks, as pandas frames.
"""

from __future__ import annotations

import csv
import errno
import io
import itertools
import json
import math
import os
import re
import stat
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from .errors import ScenarioError, excerpt


class FileRefused(ScenarioError):
    """A file or folder cannot be used as given (missing, not a regular file, unreadable, too large,
    not UTF-8 text...): renders as one line naming it, like any bad input."""


def _reason(exc: OSError) -> str:
    """An OS error in words, without the path (the message names the file once, first)."""
    if exc.errno == errno.ELOOP:
        return "a loop of symbolic links"
    return exc.strerror or excerpt(str(exc)) or type(exc).__name__


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def path_status(path: str | os.PathLike[str], *, shown: str | None = None,
                doing: str = "read file") -> os.stat_result | None:
    """What is at `path` (links followed), or None when nothing is; any other failure (a loop of
    symbolic links, a name too long, a denied search permission) is a `FileRefused` ("cannot `doing` (why)")."""
    shown = os.fspath(path) if shown is None else shown
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:  # ValueError: a NUL character in the name
        reason = _reason(exc) if isinstance(exc, OSError) else "the name holds a NUL character"
        raise FileRefused(f"cannot {doing} ({reason})", file=shown) from None


def resolved(path: str | os.PathLike[str], *, shown: str | None = None) -> Path:
    """`path` made absolute with its links followed; a loop of links (Python's RuntimeError) or any OS
    failure is a `FileRefused`."""
    shown = os.fspath(path) if shown is None else shown
    try:
        return Path(path).resolve()
    except RuntimeError:  # Python 3.11: "Symlink loop from ..."
        raise FileRefused("cannot read file (a loop of symbolic links)", file=shown) from None
    except OSError as exc:
        raise FileRefused(f"cannot read file ({_reason(exc)})", file=shown) from None
    except ValueError:  # a NUL character in the name
        raise FileRefused("cannot read file (the name holds a NUL character)", file=shown) from None


def read_bytes(path: str | os.PathLike[str], limit: int, *, what: str = "file",
               shown: str | None = None) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them, or a `FileRefused`.

    `what` names the kind of file in messages ("is a directory, not a scenario file").
    """
    shown = os.fspath(path) if shown is None else shown
    info = path_status(path, shown=shown)
    if info is None:
        raise FileRefused("file not found", file=shown)
    if stat.S_ISDIR(info.st_mode):
        raise FileRefused(f"is a directory, not a {what}", file=shown)
    if not stat.S_ISREG(info.st_mode):  # a pipe could block, a device (/dev/zero) be read forever
        raise FileRefused(f"is {_kind(info.st_mode)}, not a regular file", file=shown)
    if info.st_size > limit:
        raise FileRefused(f"file is {info.st_size} bytes; the limit is {limit}", file=shown)
    try:
        # O_NONBLOCK: if the file was replaced by a pipe since the stat, opening it does not wait for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise FileRefused(f"cannot read file ({_reason(exc)})", file=shown) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"is {_kind(info.st_mode)}, not a regular file", file=shown)
        chunks, size = [], 0
        while size <= limit:  # the file may have grown since the stat: read at most one byte past the limit
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise FileRefused(f"cannot read file ({_reason(exc)})", file=shown) from None
    finally:
        os.close(fd)
    if size > limit:
        raise FileRefused(f"file is larger than the limit of {limit} bytes", file=shown)
    return b"".join(chunks)


def decode_text(raw: bytes, file: str, *, kind: str = "text") -> str:
    """`raw` as UTF-8 text (a leading byte-order mark dropped), or a `FileRefused` for UTF-16, binary
    data (a NUL byte) or bytes that are not UTF-8. `kind` names the text expected ("YAML text")."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRefused("file is UTF-16 text; save it as UTF-8", file=file)
    if b"\x00" in raw:
        raise FileRefused(f"file holds binary data (a NUL byte), not {kind}", file=file)
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise FileRefused(f"file is not UTF-8 text (bad byte at offset {exc.start})", file=file) from None


def read_text(path: str | os.PathLike[str], limit: int, *, what: str = "file", kind: str = "text",
              shown: str | None = None) -> str:
    """The UTF-8 text of the regular file at `path` (see `read_bytes` and `decode_text`)."""
    shown = os.fspath(path) if shown is None else shown
    return decode_text(read_bytes(path, limit, what=what, shown=shown), shown, kind=kind)


def _no_constant(token: str) -> Any:
    raise ValueError(f"the token {token} (not a JSON number)")


def read_json(path: str | os.PathLike[str], limit: int, *, max_depth: int, what: str = "JSON file",
              shown: str | None = None) -> Any:
    """The JSON value in the file at `path`: at most `limit` bytes, nested at most `max_depth` deep,
    with no NaN or Infinity tokens; anything else is a `FileRefused` (with the line and column of a
    syntax error)."""
    shown = os.fspath(path) if shown is None else shown
    text = read_text(path, limit, what=what, kind="JSON text", shown=shown)
    depth = json_depth(text)
    if depth > max_depth:
        raise FileRefused(f"JSON nested {depth} levels deep; the limit is {max_depth}", file=shown)
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise FileRefused(f"not valid JSON: {exc.msg}", file=shown, line=exc.lineno, column=exc.colno) from None
    except ValueError as exc:  # NaN, Infinity, or an integer too long to convert
        raise FileRefused(f"not valid JSON: {str(exc)[:80]}", file=shown) from None


def json_depth(text: str) -> int:
    """The deepest nesting of brackets in JSON `text`, strings skipped (checked before parsing, so a
    deeply nested file costs one pass, not Python's recursion)."""
    brackets = _BRACKETS.sub("", _STRINGS.sub("", text))
    return max(itertools.accumulate(1 if ch in "[{" else -1 for ch in brackets), default=0)


_STRINGS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKETS = re.compile(r"[^\[\]{}]+")


def check_output(path: str | os.PathLike[str], *, folder: bool = False, file: bool = False) -> None:
    """Refuse an output target that cannot be used: something other than a folder (when `folder`) or a
    regular file (when `file`) is there, a link loops or leads nowhere, the name is too long. Nothing
    there is fine: it will be made."""
    shown = os.fspath(path)
    info = path_status(path, shown=shown, doing="write there")
    if info is None:
        if os.path.islink(path):
            raise FileRefused("is a symbolic link to nothing", file=shown)
        if len(os.path.basename(shown).encode("utf-8", "surrogateescape")) > 255:
            raise FileRefused("cannot write there (File name too long)", file=shown)
        return
    if (folder and stat.S_ISDIR(info.st_mode)) or (file and stat.S_ISREG(info.st_mode)):
        return
    kind = "a file" if stat.S_ISREG(info.st_mode) else _kind(info.st_mode)
    wanted = " or ".join(w for w, ok in (("a directory", folder), ("a regular file", file)) if ok)
    raise FileRefused(f"exists and is not {wanted} (it is {kind})", file=shown)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


PATH_ERRORS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.EACCES, errno.EPERM, errno.ENAMETOOLONG,
                         errno.ELOOP, errno.EROFS, errno.EEXIST})
"""Errors that say the path given cannot be used (bad input), as opposed to the system failing."""


def _refuse_path(exc: OSError, path: Path) -> None:
    if exc.errno in PATH_ERRORS:
        # mkdir says "File exists" when a file stands where a folder of the path should be
        reason = "a file stands where a folder of its path should be" if exc.errno == errno.EEXIST else _reason(exc)
        raise FileRefused(f"cannot write file ({reason})", file=str(path)) from None


def write_atomic(path: str | Path, data: str | bytes) -> None:
    """Write `data` to `path` so that a crash never leaves a half-written file.

    The file gets the usual permissions (0666 less the umask), not the private
    0600 of a temporary file. A path that cannot be written (no permission, a
    file where a folder should be, a name too long) is a `FileRefused` naming
    it; a failure of the system (a full disk, an I/O error) stays an `OSError`.
    """
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        _refuse_path(exc, path)
        raise
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        _refuse_path(exc, path)
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def to_json(obj: Any) -> str:
    """Stable JSON text: sorted keys, two-space indent, trailing newline."""
    # allow_nan=False: NaN or infinity is never written as a bare token (invalid JSON); it is an error
    return json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False) + "\n"


def csv_text(rows: Sequence[Mapping[str, Any]], columns: Sequence[str] | None = None) -> str:
    """Rows as CSV text with a header."""
    buf = io.StringIO()
    cols = list(columns or (rows[0].keys() if rows else []))
    writer = csv.DictWriter(buf, fieldnames=cols, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({c: row.get(c, "") for c in cols})
    return buf.getvalue()


FRAME_HINT = "a pandas DataFrame needs the optional extra: pip install 'diplosim[frame]' (pandas)"


def to_frame(rows: Sequence[Mapping[str, Any]]) -> Any:
    """Rows as a pandas DataFrame (pandas is an optional extra; a clear ImportError without it)."""
    try:
        import pandas
    except ImportError as exc:
        raise ImportError(FRAME_HINT) from exc
    return pandas.DataFrame.from_records(list(rows))


def kind_of(value: Any) -> str:
    """What a value read from an untrusted JSON file is, in words, never echoing more than an excerpt."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    if isinstance(value, str):
        return f"'{excerpt(value)}' (text)"
    return excerpt(repr(value), 30)


class FieldCheck:
    """Checks of the values read from one untrusted JSON file (a saved experiment, a results file), each failing
    with one line naming the file and the field. `error` is the exception type the line is raised as."""

    error: type[ScenarioError] = FileRefused

    def __init__(self, file: str | os.PathLike[str]) -> None:
        self.file = str(file)

    def fail(self, field: str, message: str) -> ScenarioError:
        return self.error(message, file=self.file, field=field)

    def mapping(self, value: Any, field: str) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(field, f"expected a mapping, found {kind_of(value)}")
        return value

    def items(self, value: Any, field: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.fail(field, f"expected a list, found {kind_of(value)}")
        return value

    def number(self, value: Any, field: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise self.fail(field, f"expected a finite number, found {kind_of(value)}")
        return float(value)

    def text(self, value: Any, field: str) -> str:
        if not isinstance(value, str):
            raise self.fail(field, f"expected text, found {kind_of(value)}")
        return value
