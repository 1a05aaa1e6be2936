"""Installs other than the editable one find, load and name their shipped data from any directory.

The package is built from a copy of this checkout's sources (so nothing is
written into the checkout) and installed into temporary targets, twice: as a
wheel, and with a plain `pip install .` (not editable). Commands then run from
an unrelated directory, so they can only find the history, the counterfactuals
and the default parameters inside the installed package, or, given a clone's
path, in the clone's own `scenarios/` folder (the README's first command with a
non-editable install).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SOURCES = ("pyproject.toml", "README.md", "sim", "scenarios")
"""What a build reads from the checkout."""
EPISODE_GROUPS = ("history", "counterfactuals")
SHIPPED = sorted(p.relative_to(REPO / "scenarios").as_posix()
                 for group in EPISODE_GROUPS for p in (REPO / "scenarios" / group).glob("*.yaml"))
"""Every history file and counterfactual, as GROUP/NAME.yaml."""
RUNS = ("--runs", "3", "--workers", "1")
"""Few replications, in this process: the point is that each scenario loads and runs."""

Installed = tuple[Path, dict[str, str]]


def _install(work: Path, how: str) -> Installed:
    """Install the package into WORK/site (`how`: "wheel" or "source", i.e. `pip install .`);
    return a directory outside the repo and an environment whose `diplosim` is that install."""
    src = work / "src"
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            src.mkdir(parents=True, exist_ok=True)
            shutil.copy(REPO / name, src / name)
    pip = [sys.executable, "-m", "pip"]
    target = ["install", "--no-deps", "-q", "--target", str(work / "site")]
    if how == "wheel":
        subprocess.run([*pip, "wheel", "--no-deps", "-q", "-w", str(work / "dist"), str(src)],
                       check=True, capture_output=True)
        wheels = list((work / "dist").glob("diplosim-*.whl"))
        assert len(wheels) == 1, wheels
        subprocess.run([*pip, *target, str(wheels[0])], check=True, capture_output=True)
    else:
        subprocess.run([*pip, *target, str(src)], check=True, capture_output=True)
    shutil.rmtree(src)  # the install must not lean on the sources it was built from
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(work / "site")}
    env.pop("DIPLOSIM_ALLOW", None)  # the tests' conftest allows a folder of its own; an install needs none
    return elsewhere, env


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    """The wheel, installed: (a directory outside the repo, an environment that imports it)."""
    return _install(tmp_path_factory.mktemp("wheel"), "wheel")


@pytest.fixture(scope="module", params=["wheel", "source"], ids=["wheel", "pip-install-dot"])
def each_install(request, tmp_path_factory) -> Installed:
    """The wheel, then a plain `pip install .`, each in a target of its own."""
    if request.param == "wheel":
        return request.getfixturevalue("installed")
    return _install(tmp_path_factory.mktemp("source"), "source")


def _run(installed: Installed, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    here, env = installed
    return subprocess.run([sys.executable, *args], cwd=cwd or here, env=env, capture_output=True, text=True,
                          timeout=600)


DRIVER = """
import contextlib, io, json, sys
from diplosim.cli.main import main
from diplosim.scenario.shipped import SHIPPED_DIR
shipped, clone, runs = json.loads(sys.argv[1])
ways = {"installed path": [str(SHIPPED_DIR / s) for s in shipped],
        "clone path": [clone + "/" + s for s in shipped],
        "name": [s.split("/")[1][:-len(".yaml")] for s in shipped]}
done = {"shipped_dir": str(SHIPPED_DIR), "runs": {}}
for way, scenarios in ways.items():
    for scenario in scenarios:
        with contextlib.redirect_stdout(io.StringIO()):
            done["runs"][way + ": " + scenario] = main(["run", scenario, *runs])
print(json.dumps(done))
"""


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
             "    status, _, body = app.handle('GET', '/api/card')\n"  # the model card is package data
             "    assert status == 200 and b'GSOMIA 2019' in body, body[:200]\n"
             "finally:\n"
             "    app.close()\n")
    done = _run(installed, "-c", probe)
    assert done.returncode == 0, done.stderr
    assert "/app.js text/javascript" in done.stdout


@pytest.mark.slow
def test_every_shipped_scenario_runs_by_installed_path_clone_path_and_name(each_install):
    site = each_install[1]["PYTHONPATH"]
    done = _run(each_install, "-c", DRIVER, json.dumps([SHIPPED, str(REPO / "scenarios"), RUNS]))
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["shipped_dir"].startswith(site)
    runs = report["runs"]
    assert len(runs) == 3 * len(SHIPPED) and len(SHIPPED) >= 15
    failed = {scenario: code for scenario, code in runs.items() if code != 0}
    assert failed == {}, done.stderr[-2000:]


@pytest.mark.slow
def test_the_command_runs_an_episode_by_name_from_another_directory(each_install):
    done = _run(each_install, "-m", "diplosim.cli", "run", "gsomia-2019", *RUNS, "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["scenario"] == "GSOMIA 2019" and summary["runs"] == 3


@pytest.mark.slow
def test_the_readme_command_runs_from_a_clone_with_a_non_editable_install(each_install):
    done = _run(each_install, "run.py", "run", "scenarios/history/gsomia-2019.yaml", *RUNS, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert "GSOMIA 2019" in done.stdout


@pytest.mark.slow
def test_list_names_every_installed_scenario(each_install):
    done = _run(each_install, "-m", "diplosim.cli", "list", "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    names = {p.stem for group in (*EPISODE_GROUPS, "examples") for p in (REPO / "scenarios" / group).glob("*.yaml")}
    assert {r["name"] for r in rows} == names
    assert all(r["path"].startswith(each_install[1]["PYTHONPATH"]) and r["error"] is None for r in rows), rows


@pytest.mark.slow
def test_a_copied_scenarios_folder_runs_with_the_installed_package(installed, tmp_path):
    copy = tmp_path / "my-scenarios"
    shutil.copytree(REPO / "scenarios", copy, ignore=shutil.ignore_patterns("__pycache__"))
    done = _run(installed, "-m", "diplosim.cli", "check", *(str(copy / s) for s in SHIPPED))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count(": ok (") == len(SHIPPED)
    done = _run(installed, "-m", "diplosim.cli", "run", str(copy / "counterfactuals" / "2019-no-us-pressure.yaml"),
                *RUNS)
    assert done.returncode == 0, done.stderr
