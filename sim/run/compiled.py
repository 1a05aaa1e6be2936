"""Build the compiled copy of the model's hot modules with mypyc (`python run.py compile`).

mypyc (part of mypy, which the test tools already install) compiles
type-annotated Python modules to C extensions. `build` copies the package's
sources to a scratch folder, compiles `COMPILED_MODULES` there, and keeps only
the extension files and a manifest (the sources' digest, the Python version,
which file is which module) in `out`. The pure-Python modules stay the model:
the compiled copy is used only in a process started with ``DIPLOSIM_COMPILED``
set (see `diplosim.model`), and only while the sources are the ones it was
built from.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ..errors import DiplosimError
from ..files import write_atomic
from ..model import COMPILED_MODULES, MANIFEST, PACKAGE_ROOT, source_digest

PACKAGE = "diplosim"


class CompileError(DiplosimError):
    """The compiled copy could not be built (no mypyc, no C compiler, or mypyc refused the code)."""


def build(out: Path, timeout: float = 1800.0) -> dict[str, Any]:
    """Compile the hot modules into `out` (replacing what is there); the manifest written."""
    try:
        import mypyc  # noqa: F401
    except ImportError as exc:
        raise CompileError("compiling needs mypyc, which comes with mypy: pip install mypy") from exc
    root = PACKAGE_ROOT
    digest = source_digest(root)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="diplosim-compile-") as tmp:
        scratch = Path(tmp)
        shutil.copytree(root, scratch / PACKAGE, ignore=shutil.ignore_patterns("__pycache__", "*.so", "*.pyd"))
        sources = [f"{PACKAGE}/model/{m.replace('.', '/')}.py" for m in COMPILED_MODULES]
        # mypyc type-checks the copy in the scratch folder; a PYTHONPATH would make it see other copies of
        # diplosim (and their optional imports) too
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MYPYPATH")}
        done = subprocess.run([sys.executable, "-m", "mypyc", *sources], cwd=scratch, capture_output=True,
                              text=True, timeout=timeout, check=False, env=env)
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            raise CompileError(f"mypyc failed (exit {done.returncode}):\n{tail}")
        modules: dict[str, str] = {}
        for module in COMPILED_MODULES:
            base = scratch / PACKAGE / "model" / Path(*module.split("."))
            found = sorted(base.parent.glob(f"{base.name}.*.so")) + sorted(base.parent.glob(f"{base.name}.*.pyd"))
            if not found:
                raise CompileError(f"mypyc left no extension for {module}")
            modules[f"{PACKAGE}.model.{module}"] = found[0].relative_to(scratch).as_posix()
        for shared in sorted(scratch.glob("*__mypyc.*")):  # mypyc's shared runtime, a top-level module
            modules[shared.name.split(".")[0]] = shared.name
        if out.exists():
            shutil.rmtree(out)
        for rel in modules.values():
            (out / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(scratch / rel, out / rel)
    manifest: dict[str, Any] = {
        "digest": digest, "python": sys.implementation.cache_tag, "modules": modules,
        "seconds": round(time.monotonic() - t0, 1),
    }
    write_atomic(out / MANIFEST, json.dumps(manifest, indent=2) + "\n")
    return manifest
