"""The compiled copy of the model (mypyc): the same results as pure Python, and never a stale one.

Each check runs Python in a child process, because whether the compiled copy is
used is fixed when `diplosim.model` is first imported (by DIPLOSIM_COMPILED).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from diplosim.model import (
    COMPILED_ENV,
    COMPILED_MODULES,
    MANIFEST,
    MAX_MANIFEST_BYTES,
    CompiledModelError,
    check_compiled,
    compiled_dir_from_env,
    source_digest,
)

REPO = Path(__file__).resolve().parent.parent

# what a child prints: where the engine came from, and every field of replications of three episodes,
# each as its file stands and free (every actor deciding)
PROBE = """
import hashlib, pickle, sys
import numpy as np
import diplosim.model.engine as engine
from diplosim import compile_scenario, load_scenario
from diplosim.run.ensemble import run_indices
from diplosim.scenario.variants import without_given
h = hashlib.sha256()
for name in ("gsomia-2012", "gsomia-2016", "gsomia-2019"):
    sc = load_scenario(f"{sys.argv[1]}/scenarios/history/{name}.yaml")
    for variant in (sc, without_given(sc)):
        model = pickle.loads(pickle.dumps(compile_scenario(variant)))  # as workers receive it
        for r in run_indices(model, 11, range(60)):
            h.update(repr(r).encode())
told = engine.run_replication(model, np.random.default_rng(3), record_log=True)
h.update(repr(pickle.loads(pickle.dumps(told))).encode())  # a story's log, pickled as a worker sends it
print(engine.__file__)
print(h.hexdigest())
"""


def _child(env_value: str | None, code: str = PROBE) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != COMPILED_ENV}
    if env_value is not None:
        env[COMPILED_ENV] = env_value
    return subprocess.run([sys.executable, "-c", code, str(REPO)], capture_output=True, text=True, env=env,
                          timeout=600, check=False)


def test_the_environment_variable_names_the_copy():
    assert compiled_dir_from_env(None) is None
    assert compiled_dir_from_env("") is None and compiled_dir_from_env("0") is None
    assert compiled_dir_from_env("/some/where") == Path("/some/where")
    assert compiled_dir_from_env("1") is not None and compiled_dir_from_env("1").name.startswith("compiled-")


# -- a compiled copy that cannot be used: one line, status 2, never a traceback or code from elsewhere ----------
#
# No mypyc build is needed: a fake copy is a folder with a manifest carrying these sources' digest and a
# file (not a real extension) for each hot module, which each case then spoils.

EXT = EXTENSION_SUFFIXES[0]
HOT = [f"diplosim.model.{m}" for m in COMPILED_MODULES]
BASE = REPO / "tests" / "bad_inputs" / "support" / "base.yaml"


def _fake_copy(folder: Path, **manifest_changes) -> Path:
    """A compiled copy in `folder` that passes every check of its manifest; its module files are junk."""
    modules = {name: name.replace(".", "/") + EXT for name in HOT}
    for rel in modules.values():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_bytes(b"not an extension module\n")
    manifest = {"digest": source_digest(), "python": sys.implementation.cache_tag, "modules": modules,
                **manifest_changes}
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def _with_modules(folder: Path, **changes: str | None) -> Path:
    """`folder`'s fake copy, its manifest's module table changed (None drops a module)."""
    _fake_copy(folder)
    info = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    for name, rel in changes.items():
        name = name.replace("__", ".")
        if rel is None:
            del info["modules"][name]
        else:
            info["modules"][name] = rel
    (folder / MANIFEST).write_text(json.dumps(info), encoding="utf-8")
    return folder


def _spoiled_manifest(folder: Path, content: bytes) -> Path:
    _fake_copy(folder)
    (folder / MANIFEST).write_bytes(content)
    return folder


def _fifo(folder: Path) -> Path:
    _fake_copy(folder)
    (folder / MANIFEST).unlink()
    os.mkfifo(folder / MANIFEST)
    return folder


def _manifest_folder(folder: Path) -> Path:
    _fake_copy(folder)
    (folder / MANIFEST).unlink()
    (folder / MANIFEST).mkdir()
    return folder


def _to_dev_zero(folder: Path) -> Path:
    _fake_copy(folder)
    (folder / MANIFEST).unlink()
    (folder / MANIFEST).symlink_to("/dev/zero")
    return folder


def _module_file_gone(folder: Path) -> Path:
    _fake_copy(folder)
    (folder / "diplosim" / "model" / f"engine{EXT}").unlink()
    return folder


def _no_manifest(folder: Path) -> Path:
    _fake_copy(folder)
    (folder / MANIFEST).unlink()
    return folder


def _a_file(folder: Path) -> Path:
    folder.write_text("not a folder\n", encoding="utf-8")
    return folder


MISCONFIGURED = {  # case: (how to make it, what the line says, what it names: the folder or the manifest)
    "missing folder": (lambda f: f, "no such folder", ""),
    "a file, not a folder": (_a_file, "not a folder", ""),
    "no manifest": (_no_manifest, "no manifest", MANIFEST),
    "manifest not JSON": (lambda f: _spoiled_manifest(f, b"{modules: engine}"), "not JSON", MANIFEST),
    "manifest a list": (lambda f: _spoiled_manifest(f, b"[1, 2]"), "expected a JSON object, found list", MANIFEST),
    "manifest not UTF-8": (lambda f: _spoiled_manifest(f, b'{"digest": "\xff"}'), "not UTF-8", MANIFEST),
    "manifest too large": (lambda f: _spoiled_manifest(f, b" " * (MAX_MANIFEST_BYTES + 1)), "larger than",
                           MANIFEST),
    "manifest a folder": (_manifest_folder, "not a regular file", MANIFEST),
    "manifest a FIFO": (_fifo, "not a regular file", MANIFEST),
    "manifest a link to /dev/zero": (_to_dev_zero, "not a regular file", MANIFEST),
    "manifest of another Python": (lambda f: _fake_copy(f, python="cpython-27"), "for cpython-27", MANIFEST),
    "stale sources": (lambda f: _fake_copy(f, digest="0" * 64), "other sources than these", MANIFEST),
    "manifest without modules": (lambda f: _fake_copy(f, modules=["engine"]), "not a manifest", MANIFEST),
    "a hot module not listed": (lambda f: _with_modules(f, diplosim__model__engine=None), "lists no compiled",
                                MANIFEST),
    "a module file missing": (_module_file_gone, "missing (the compiled diplosim.model.engine)", f"engine{EXT}"),
    "garbage module files": (_fake_copy, "will not load as diplosim.model.", EXT),
}


def _cli(folder: Path, *args: str, module: bool = False) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != COMPILED_ENV} | {COMPILED_ENV: str(folder)}
    head = [sys.executable, "-m", "diplosim.cli"] if module else [sys.executable, str(REPO / "run.py")]
    return subprocess.run([*head, *args], capture_output=True, text=True, env=env, timeout=120, check=False)


def _one_line_naming(done: subprocess.CompletedProcess[str], folder: Path, says: str, names: str) -> None:
    assert done.returncode == 2, done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith(f"diplosim: {COMPILED_ENV}: {folder}") and says in line, line
    head = line.split(": ")[2]  # the file or folder the line is about
    assert head.startswith(str(folder)) and head.endswith(names), line
    assert f"python run.py compile --out {folder}" in line and f"unset {COMPILED_ENV}" in line, line


@pytest.mark.parametrize("case", MISCONFIGURED)
def test_a_misconfigured_copy_ends_the_command_with_one_line_saying_what_to_do(tmp_path, case):
    make, says, names = MISCONFIGURED[case]
    folder = make(tmp_path / "compiled")
    _one_line_naming(_cli(folder, "check", str(BASE)), folder, says, names)


def test_the_module_form_of_the_command_line_says_the_same(tmp_path):
    folder = _fake_copy(tmp_path / "compiled", digest="0" * 64)
    _one_line_naming(_cli(folder, "check", str(BASE), module=True), folder, "other sources than these", MANIFEST)


def test_the_api_raises_a_compiled_model_error(tmp_path):
    folder = _fake_copy(tmp_path / "compiled", digest="0" * 64)
    probe = ("import sys\ntry:\n    import diplosim\nexcept ImportError as exc:\n"
             "    from diplosim.errors import DiplosimError\n"
             "    print(type(exc).__name__, isinstance(exc, DiplosimError), str(exc))\n")
    done = _child(str(folder), probe)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"CompiledModelError True {COMPILED_ENV}: {folder / MANIFEST}: built from other")


def _outside_extension() -> str:
    """A real extension module of the standard library (outside any compiled copy)."""
    import _json

    return _json.__file__


ESCAPES = {  # a manifest with the right digest naming code from elsewhere: refused before anything loads
    "a standard-library module": ({"json": f"json{EXT}"}, "lists the module 'json', which is not one of"),
    "a top-level module posing as mypyc's": ({"os": f"os{EXT}"}, "lists the module 'os', which is not one of"),
    "a path outside the folder": ({"diplosim.model.engine": f"../elsewhere/engine{EXT}"},
                                  "which is not a path inside the compiled folder"),
    "an absolute path": ({"diplosim.model.engine": "@outside"}, "which is not a path inside the compiled folder"),
    "another module's file": ({"diplosim.model.engine": f"diplosim/model/world{EXT}"},
                              "which is not that module's compiled extension"),
}


@pytest.mark.parametrize("case", ESCAPES)
def test_a_manifest_cannot_make_the_finder_load_code_from_elsewhere(tmp_path, case):
    changes, says = ESCAPES[case]
    folder = _fake_copy(tmp_path / "compiled")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / f"engine{EXT}").write_bytes(b"junk")
    info = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    info["modules"].update({k: _outside_extension() if v == "@outside" else v for k, v in changes.items()})
    (folder / MANIFEST).write_text(json.dumps(info), encoding="utf-8")
    # refused at the manifest, before any module file is opened (junk files there would say "will not load")
    _one_line_naming(_cli(folder, "check", str(BASE)), folder, says, MANIFEST)


def test_a_module_file_that_links_out_of_the_folder_is_refused(tmp_path):
    folder = _fake_copy(tmp_path / "compiled")
    engine = folder / "diplosim" / "model" / f"engine{EXT}"
    engine.unlink()
    engine.symlink_to(_outside_extension())
    _one_line_naming(_cli(folder, "check", str(BASE)), folder, "leads outside the compiled folder", f"engine{EXT}")


def test_the_finder_serves_only_the_listed_modules_from_inside_the_folder(tmp_path):
    """In-process: the checked table maps each hot module to its file inside the copy, and nothing else."""
    folder = _fake_copy(tmp_path / "compiled")
    inside = folder / "linked"
    inside.mkdir()
    engine = folder / "diplosim" / "model" / f"engine{EXT}"
    (inside / f"engine{EXT}").write_bytes(engine.read_bytes())
    engine.unlink()
    engine.symlink_to(inside / f"engine{EXT}")  # a link that stays inside is fine
    files = check_compiled(folder)
    assert sorted(files) == sorted(HOT)
    assert all(f.is_relative_to(folder.resolve()) for f in files.values())
    with pytest.raises(CompiledModelError):
        check_compiled(_fake_copy(tmp_path / "other", python="cpython-27"))


def test_the_digest_follows_every_source_the_copy_was_typed_against(tmp_path):
    import shutil

    root = tmp_path / "diplosim"
    shutil.copytree(REPO / "sim", root, ignore=shutil.ignore_patterns("__pycache__"))
    before = source_digest(root)
    assert source_digest(root) == before
    (root / "domain" / "parameters.py").write_text((root / "domain" / "parameters.py").read_text() + "\n#\n")
    assert source_digest(root) != before


@pytest.mark.slow
def test_compiled_model_gives_the_same_replications_as_pure_python(tmp_path):
    pytest.importorskip("mypyc", reason="mypyc comes with mypy, in the test extra")
    out = tmp_path / "compiled"
    made = subprocess.run([sys.executable, str(REPO / "run.py"), "compile", "--out", str(out)],
                          capture_output=True, text=True, timeout=1800, check=False)
    assert made.returncode == 0, made.stderr
    assert f"{COMPILED_ENV}={out}" in made.stdout
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["digest"] == source_digest() and len(manifest["modules"]) >= 13
    pure, fast = _child(None), _child(str(out))
    assert pure.returncode == 0 and fast.returncode == 0, pure.stderr + fast.stderr
    pure_file, pure_hash = pure.stdout.split()
    fast_file, fast_hash = fast.stdout.split()
    assert pure_file.endswith(".py") and fast_file.startswith(str(out)) and not fast_file.endswith(".py")
    assert fast_hash == pure_hash  # 360 replications, every field, bit for bit
