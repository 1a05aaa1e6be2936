"""A wheel installed outside the repository finds its shipped data from any directory.

The wheel is built from this checkout and installed into a temporary target
(not the editable install); `validate` and `counterfactuals` then run from an
unrelated directory, so they can only find the history, the counterfactuals and
the default parameters inside the installed package.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """(a directory outside the repo, an environment whose `diplosim` is the installed wheel)."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(work / "dist"), str(REPO)],
                   check=True, capture_output=True)
    wheels = list((work / "dist").glob("diplosim-*.whl"))
    assert len(wheels) == 1, wheels
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(work / "site"),
                    str(wheels[0])], check=True, capture_output=True)
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(work / "site")}
    return elsewhere, env


def _run(installed: tuple[Path, dict[str, str]], *args: str) -> subprocess.CompletedProcess[str]:
    cwd, env = installed
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
def test_the_installed_package_is_the_wheel_not_the_checkout(installed):
    probe = "import diplosim, diplosim.scenarios as s; print(diplosim.__file__); print(s.__file__)"
    done = _run(installed, "-c", probe)
    assert done.returncode == 0, done.stderr
    site = str(installed[1]["PYTHONPATH"])
    for line in done.stdout.splitlines():
        assert line.startswith(site), line
        assert not line.startswith(str(REPO)), line


@pytest.mark.slow
def test_validate_runs_from_another_directory(installed):
    done = _run(installed, "-m", "diplosim.cli", "validate", "--runs", "20", "--json")
    assert done.returncode == 0, done.stderr
    for episode in ("gsomia-2012", "gsomia-2016", "gsomia-2019"):
        assert episode in done.stdout


@pytest.mark.slow
def test_counterfactuals_run_from_another_directory(installed):
    done = _run(installed, "-m", "diplosim.cli", "counterfactuals", "--runs", "20")
    assert done.returncode == 0, done.stderr
    shipped = [p.stem for p in (REPO / "scenarios" / "counterfactuals").glob("*.yaml")]
    assert shipped and all(name in done.stdout for name in shipped), done.stdout[:500]


@pytest.mark.slow
def test_the_installed_package_serves_the_classroom_page(installed):
    probe = ("from diplosim.present.classroom import ClassroomApp\n"
             "app = ClassroomApp()\n"
             "try:\n"
             "    for path in ('/', '/app.js', '/style.css', '/favicon.svg'):\n"
             "        status, kind, body = app.handle('GET', path)\n"
             "        assert status == 200 and body, path\n"
             "        print(path, kind, len(body))\n"
             "    status, _, body = app.handle('POST', '/api/check', {'episode': 'history/gsomia-2019.yaml'})\n"
             "    assert status == 200, body\n"
             "finally:\n"
             "    app.close()\n")
    done = _run(installed, "-c", probe)
    assert done.returncode == 0, done.stderr
    assert "/app.js text/javascript" in done.stdout
