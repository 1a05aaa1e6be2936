"""The compiled copy of the model (mypyc): the same results as pure Python, and never a stale one.

Each check runs Python in a child process, because whether the compiled copy is
used is fixed when `diplosim.model` is first imported (by DIPLOSIM_COMPILED).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from diplosim.model import COMPILED_ENV, MANIFEST, compiled_dir_from_env, source_digest

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


def test_a_missing_or_stale_copy_stops_the_import_with_what_to_do(tmp_path):
    missing = _child(str(tmp_path / "nothing"), "import diplosim")
    assert missing.returncode != 0 and "python run.py compile" in missing.stderr and "none is there" in missing.stderr
    (tmp_path / MANIFEST).write_text(json.dumps({"digest": "0" * 64, "python": sys.implementation.cache_tag,
                                                 "modules": {}}), encoding="utf-8")
    stale = _child(str(tmp_path), "import diplosim")
    assert stale.returncode != 0 and "other sources" in stale.stderr and "compile" in stale.stderr


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
