"""The simulation model: world state, agreement, actors, choices, engine.

The model is plain Python. Its hot modules (`COMPILED_MODULES`) can also be
compiled to C with mypyc (`python run.py compile`, `diplosim.run.compiled`);
the compiled copy is used only when the environment variable
``DIPLOSIM_COMPILED`` names it (``1`` for the default place), and only if it was
built from exactly these sources and its manifest names only those modules, in
files inside its folder (else the import stops with `CompiledModelError`, saying
what to do; the command line prints it as one line and exits with status 2). The
compiled modules make the same draws and the same floating-point operations in
the same order: a replication gives the same result either way
(tests/test_compiled.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import re
import stat
import sys
from collections.abc import Sequence
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path
from types import ModuleType
from typing import Any

from ..errors import DiplosimError, excerpt, printable

COMPILED_ENV = "DIPLOSIM_COMPILED"
"""Environment variable: unset or 0, the pure-Python model; 1, the compiled copy in its default
place; a path, the compiled copy there."""
COMPILED_MODULES: tuple[str, ...] = (
    "stages", "choice", "world", "draws", "attention", "terms", "triggers", "outcomes", "view", "engine",
    "actors.base", "actors.executive", "actors.counterpart", "actors.patron", "actors.opposition",
    "actors.public",
)
"""The modules of this package that `compile` builds (the replication's hot path)."""
DIGESTED = ("model", "domain", "scenario")
"""Subpackages of diplosim whose sources a compiled copy must match (what compiled code was typed
against)."""
MANIFEST = "manifest.json"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
"""The folder of the diplosim package itself (its sources)."""


def pickle_by_fields(obj: Any) -> tuple[Any, tuple[Any, ...]]:
    """`__reduce__` of a frozen dataclass: rebuilt by its constructor from its fields. A class compiled
    by mypyc restores pickled state by assignment, which a frozen dataclass refuses; the constructor
    works either way (workers receive the compiled `Model` by pickle)."""
    return type(obj), tuple(getattr(obj, f.name) for f in dataclasses.fields(obj))


def default_compiled_dir() -> Path:
    """Where `compile` puts the compiled modules unless told otherwise (per Python version)."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "diplosim" / f"compiled-{sys.implementation.cache_tag}"


def compiled_dir_from_env(value: str | None) -> Path | None:
    """The compiled copy the environment asks for (`value` of DIPLOSIM_COMPILED), or None for pure Python."""
    if not value or value.strip() in ("0", ""):
        return None
    return default_compiled_dir() if value.strip() == "1" else Path(value).expanduser()


def source_digest(package_root: Path | None = None) -> str:
    """SHA-256 over the sources a compiled copy is built from (`DIGESTED`, every .py file, by path)."""
    root = package_root or PACKAGE_ROOT
    h = hashlib.sha256()
    for sub in DIGESTED:
        for path in sorted((root / sub).rglob("*.py")):
            h.update(path.relative_to(root).as_posix().encode())
            h.update(b"\0")
            h.update(path.read_bytes())
    return h.hexdigest()


MAX_MANIFEST_BYTES = 1 << 20
"""Largest manifest a compiled copy may have (the one `compile` writes is under 2 KiB)."""
SHARED_RUNTIME = re.compile(r"^[0-9A-Za-z_]+__mypyc$")
"""The name of mypyc's shared runtime module, the one top-level module a compiled copy may hold."""


class CompiledModelError(DiplosimError, ImportError):
    """The compiled copy that ``DIPLOSIM_COMPILED`` asks for cannot be used (missing, stale, damaged,
    or naming modules or files it may not); the message names the folder or file and what to do."""

    exit_status = 2


def _redo(where: Path) -> str:
    """What to do about an unusable compiled copy in `where`."""
    out = "" if where == default_compiled_dir() else f" --out {printable(str(where))}"
    return (f"build it again with `python run.py compile{out}` ({COMPILED_ENV} unset while it builds), "
            f"or unset {COMPILED_ENV} for the pure-Python model")


def _refuse(where: Path, shown: Path, problem: str) -> CompiledModelError:
    return CompiledModelError(f"{COMPILED_ENV}: {printable(str(shown))}: {problem}; {_redo(where)}")


def _read_manifest(where: Path) -> dict[str, Any]:
    """The manifest of the compiled copy in `where`, read within bounds and checked for shape."""
    manifest = where / MANIFEST
    try:
        if not where.is_dir():
            problem = "not a folder" if where.exists() else "no such folder, so no compiled model is there"
            raise _refuse(where, where, problem)
        try:
            st = manifest.stat()
        except FileNotFoundError:
            raise _refuse(where, manifest, "no manifest, so no compiled model is there") from None
        if not stat.S_ISREG(st.st_mode):
            raise _refuse(where, manifest, "not a regular file")
        # non-blocking, and checked again once open: a FIFO or a device swapped in meanwhile never blocks
        with os.fdopen(os.open(manifest, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)), "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise _refuse(where, manifest, "not a regular file")
            raw = fh.read(MAX_MANIFEST_BYTES + 1)
    except OSError as exc:
        raise _refuse(where, manifest, f"cannot be read ({exc.strerror or type(exc).__name__})") from None
    if len(raw) > MAX_MANIFEST_BYTES:
        raise _refuse(where, manifest, f"larger than {MAX_MANIFEST_BYTES:,} bytes, so not a manifest")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _refuse(where, manifest, f"not UTF-8 text (bad byte at offset {exc.start})") from None
    try:
        info = json.loads(text)
    except (ValueError, RecursionError) as exc:
        where_bad = f" at line {exc.lineno}, column {exc.colno}" if isinstance(exc, json.JSONDecodeError) else ""
        raise _refuse(where, manifest, f"not JSON{where_bad}") from None
    if not isinstance(info, dict):
        raise _refuse(where, manifest, f"expected a JSON object, found {type(info).__name__}")
    modules = info.get("modules")
    if not isinstance(info.get("python"), str) or not isinstance(info.get("digest"), str) \
            or not isinstance(modules, dict) or not all(isinstance(v, str) for v in modules.values()):
        raise _refuse(where, manifest, "not a manifest of a compiled model (it needs 'python', 'digest' and "
                                       "'modules', a mapping of module names to files)")
    return info


def _module_files(where: Path, modules: dict[str, str]) -> dict[str, Path]:
    """The files of the compiled modules a manifest lists, each checked: only diplosim's own hot
    modules (`COMPILED_MODULES`, all of them) and mypyc's shared runtime, each an extension file inside
    `where` (after resolving links), named for its module."""
    manifest = where / MANIFEST
    hot = {f"diplosim.model.{m}" for m in COMPILED_MODULES}
    missing = sorted(hot - set(modules))
    if missing:
        raise _refuse(where, manifest, f"lists no compiled {excerpt(missing[0])} ({len(missing)} of the "
                                       f"{len(hot)} modules missing)")
    root = where.resolve()
    files: dict[str, Path] = {}
    for name, rel in modules.items():
        if name not in hot and not SHARED_RUNTIME.match(name):
            raise _refuse(where, manifest, f"lists the module '{excerpt(name)}', which is not one of "
                                           "diplosim's compiled modules; refusing to load it")
        base = name.rsplit(".", 1)[-1]
        relpath = Path(rel)
        if relpath.is_absolute() or ".." in relpath.parts or not rel:
            raise _refuse(where, manifest, f"names the file '{excerpt(rel)}' for {name}, which is not a path "
                                           "inside the compiled folder; refusing to load it")
        if relpath.name.split(".")[0] != base or not any(rel.endswith(x) for x in EXTENSION_SUFFIXES):
            raise _refuse(where, manifest, f"names the file '{excerpt(rel)}' for {name}, which is not that "
                                           "module's compiled extension")
        file = where / relpath
        try:
            resolved = file.resolve(strict=True)
            regular = stat.S_ISREG(resolved.stat().st_mode)
        except FileNotFoundError:
            raise _refuse(where, file, f"missing (the compiled {name})") from None
        except (OSError, RuntimeError) as exc:
            why = "a loop of symbolic links" if isinstance(exc, RuntimeError) else exc.strerror
            raise _refuse(where, file, f"cannot be read ({why})") from None
        if not resolved.is_relative_to(root):
            raise _refuse(where, file, f"leads outside the compiled folder (to {printable(str(resolved))}); "
                                       "refusing to load it")
        if not regular:
            raise _refuse(where, file, "not a regular file")
        files[name] = resolved
    return files


class _CompiledLoader(importlib.machinery.ExtensionFileLoader):
    """Loads one compiled module; a file that will not load is a `CompiledModelError` saying what to do."""

    def __init__(self, fullname: str, path: str, where: Path) -> None:
        super().__init__(fullname, path)
        self.where = where

    def create_module(self, spec: Any) -> Any:
        try:
            return super().create_module(spec)
        except (ImportError, OSError) as exc:
            problem = f"will not load as {self.name} ({excerpt(str(exc).splitlines()[0] if str(exc) else '')})"
            raise _refuse(self.where, Path(self.path), problem) from None


class _CompiledFinder(importlib.abc.MetaPathFinder):
    """Finds the compiled modules (and mypyc's shared runtime module) of one compiled copy: only the
    modules its checked manifest lists (`_module_files`), from their files inside it."""

    def __init__(self, where: Path, files: dict[str, Path]) -> None:
        self.where = where
        self.files = files

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        file = self.files.get(fullname)
        if file is None:
            return None
        loader = _CompiledLoader(fullname, str(file), self.where)
        return importlib.util.spec_from_file_location(fullname, file, loader=loader)


def compiled_in_use() -> Path | None:
    """The compiled copy this process uses, or None (pure Python)."""
    return next((f.where for f in sys.meta_path if isinstance(f, _CompiledFinder)), None)


def check_compiled(where: Path) -> dict[str, Path]:
    """The module files of the compiled copy in `where`, if it can be used by this Python with these
    sources; else `CompiledModelError`, naming the folder or file and what to do."""
    info = _read_manifest(where)
    if info["python"] != sys.implementation.cache_tag:
        raise _refuse(where, where / MANIFEST, f"a compiled model for {excerpt(info['python'])}, and this is "
                                               f"{sys.implementation.cache_tag}")
    if info["digest"] != source_digest():
        raise _refuse(where, where / MANIFEST, "built from other sources than these")
    return _module_files(where, info["modules"])


def _exit_on_uncaught(previous: Any) -> Any:
    """A `sys.excepthook` that ends a program stopped by an uncaught `CompiledModelError` (the command
    line, at its imports) with its one line and status 2, not a traceback; any other goes to `previous`."""

    def hook(kind: type[BaseException], exc: BaseException, tb: Any) -> None:
        if not isinstance(exc, CompiledModelError):
            previous(kind, exc, tb)
            return
        print(f"diplosim: {exc}", file=sys.stderr)
        sys.stderr.flush()
        os._exit(CompiledModelError.exit_status)  # an uncaught exception's status is always 1

    return hook


def _use_compiled(where: Path) -> None:
    try:
        files = check_compiled(where)
    except CompiledModelError:
        sys.excepthook = _exit_on_uncaught(sys.excepthook)
        raise
    sys.excepthook = _exit_on_uncaught(sys.excepthook)  # a compiled file that will not load, later
    sys.meta_path.insert(0, _CompiledFinder(where, files))


_where = compiled_dir_from_env(os.environ.get(COMPILED_ENV))
if _where is not None and compiled_in_use() is None:
    _use_compiled(_where)
