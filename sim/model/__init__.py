"""The simulation model: world state, agreement, actors, choices, engine.

The model is plain Python. Its hot modules (`COMPILED_MODULES`) can also be
compiled to C with mypyc (`python run.py compile`, `diplosim.run.compiled`);
the compiled copy is used only when the environment variable
``DIPLOSIM_COMPILED`` names it (``1`` for the default place), and only if it was
built from exactly these sources (else the import stops with what to do). The
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
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

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


class _CompiledFinder(importlib.abc.MetaPathFinder):
    """Finds the compiled modules (and mypyc's shared runtime module) of one compiled copy."""

    def __init__(self, where: Path, files: dict[str, Path]) -> None:
        self.where = where
        self.files = files

    def find_spec(self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None) -> Any:
        file = self.files.get(fullname)
        if file is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(file))
        return importlib.util.spec_from_file_location(fullname, file, loader=loader)


def compiled_in_use() -> Path | None:
    """The compiled copy this process uses, or None (pure Python)."""
    return next((f.where for f in sys.meta_path if isinstance(f, _CompiledFinder)), None)


def _use_compiled(where: Path) -> None:
    manifest = where / MANIFEST
    if not manifest.is_file():
        raise ImportError(f"{COMPILED_ENV} asks for a compiled model in {where}, but none is there: run "
                          f"`python run.py compile` (or unset {COMPILED_ENV} for the pure-Python model)")
    info = json.loads(manifest.read_text(encoding="utf-8"))
    if info.get("python") != sys.implementation.cache_tag:
        raise ImportError(f"the compiled model in {where} is for {info.get('python')}, this is "
                          f"{sys.implementation.cache_tag}: run `python run.py compile` again "
                          f"(or unset {COMPILED_ENV})")
    if info.get("digest") != source_digest():
        raise ImportError(f"the compiled model in {where} was built from other sources than these: run "
                          f"`python run.py compile` again (or unset {COMPILED_ENV} for the pure-Python model)")
    sys.meta_path.insert(0, _CompiledFinder(where, {name: where / rel for name, rel in info["modules"].items()}))


_where = compiled_dir_from_env(os.environ.get(COMPILED_ENV))
if _where is not None and compiled_in_use() is None:
    _use_compiled(_where)
