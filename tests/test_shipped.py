"""The shipped scenarios load wherever their folder lies, go by their short names, and `list` names them.

A copy of `scenarios/` (as a wheel or a plain `pip install .` puts it, or as a user
copies it) is a collection: its top holds the marker file, so its files may name
each other. The marker widens nothing else: files outside stay refused, and a
marker that is a link, says something else, belongs to another user or lies at or
above a folder anyone may write in marks nothing. The installs themselves are
tested in test_wheel.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from diplosim.cli.main import main
from diplosim.errors import MissingExtra, ScenarioError
from diplosim.scenario import shipped
from diplosim.scenario.catalogue import catalogue, first_sentence
from diplosim.scenario.loader import allowed_roots, load_scenario
from diplosim.scenario.shipped import (
    COUNTERFACTUAL_DIR,
    HISTORY_DIR,
    MARKER,
    SHIPPED_DIR,
    collection_root,
    find_scenario,
    shipped_scenarios,
)

REPO = Path(__file__).resolve().parent.parent
EPISODES = sorted([*HISTORY_DIR.glob("*.yaml"), *COUNTERFACTUAL_DIR.glob("*.yaml")])


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    """A copy of the shipped scenarios in a private folder, as a user would make it."""
    dest = tmp_path / "mine" / "scenarios"
    shutil.copytree(SHIPPED_DIR, dest, ignore=shutil.ignore_patterns("__pycache__", "__init__.py"))
    return dest


def _cli(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# -- a copied folder -----------------------------------------------------------------


def test_the_shipped_folder_holds_the_marker_and_setuptools_ships_it():
    assert shipped._is_marker(SHIPPED_DIR / MARKER)
    assert MARKER in (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert collection_root(HISTORY_DIR / "gsomia-2019.yaml") == SHIPPED_DIR.resolve()


@pytest.mark.parametrize("path", EPISODES, ids=lambda p: p.stem)
def test_every_episode_and_counterfactual_loads_from_a_copied_folder_reading_the_copy(copied, path):
    copy = copied / path.parent.name / path.name
    sc = load_scenario(copy)
    assert sc.files and all(Path(f).is_relative_to(copied.resolve()) for f in sc.files), sc.files
    assert Path(sc.params.file).resolve().is_relative_to(copied.resolve()), sc.params.file


def test_a_counterfactual_in_a_copy_follows_the_edited_copy_not_the_shipped_file(copied):
    episode = copied / "history" / "gsomia-2019.yaml"
    episode.write_text(episode.read_text(encoding="utf-8").replace("name: GSOMIA 2019", "name: my edited 2019"),
                       encoding="utf-8")
    sc = load_scenario(copied / "counterfactuals" / "2019-no-us-pressure.yaml")
    assert sc.files[1] == str(episode.resolve())
    assert load_scenario(episode).name == "my edited 2019"


def test_a_copy_without_the_marker_is_confined_to_each_files_own_folder(copied):
    (copied / MARKER).unlink()
    with pytest.raises(ScenarioError, match="is outside the folders scenario files may come from"):
        load_scenario(copied / "counterfactuals" / "2019-no-us-pressure.yaml")


# -- what the marker does not allow ------------------------------------------------------------


def _secret_next_to(collection: Path) -> str:
    secret = collection.parent / "secret.yaml"
    secret.write_text("name: secret\n", encoding="utf-8")
    return str(secret)


@pytest.mark.parametrize("ref", ["ABS", "../../secret.yaml", "../../../../../../../../etc/passwd.yaml"])
def test_a_scenario_in_a_collection_still_cannot_name_files_outside_it(copied, ref):
    secret = _secret_next_to(copied)
    ref = secret if ref == "ABS" else ref
    (copied / "history" / "mine.yaml").write_text(f"extends: {ref}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="outside the folders|not found"):
        load_scenario(copied / "history" / "mine.yaml")
    params = copied / "history" / "params.yaml"
    params.write_text(f"extends: gsomia-2019.yaml\nparams: {{file: '{ref}'}}\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match="outside the folders|not found"):
        load_scenario(params)


def _roots_of(copied: Path) -> tuple[Path, ...]:
    return allowed_roots(copied / "counterfactuals" / "2019-no-us-pressure.yaml")


def test_a_marker_that_is_a_link_marks_nothing(copied, tmp_path):
    real = tmp_path / "elsewhere.txt"
    shutil.move(copied / MARKER, real)
    (copied / MARKER).symlink_to(real)
    assert collection_root(copied / "history" / "gsomia-2019.yaml") is None
    assert copied.resolve() not in _roots_of(copied)


def test_a_file_of_the_markers_name_that_says_something_else_marks_nothing(copied):
    (copied / MARKER).write_text("my notes on diplosim scenario collections\n", encoding="utf-8")
    assert collection_root(copied / "history" / "gsomia-2019.yaml") is None


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="file owners are a POSIX notion")
def test_a_marker_owned_by_another_user_marks_nothing(copied, monkeypatch):
    marker = copied / MARKER
    if os.getuid() == 0:  # the administrator may hand the file to someone else
        os.chown(marker, 4242, -1)
    else:  # a user may not: pretend to be someone else instead
        monkeypatch.setattr(shipped.os, "getuid", lambda: marker.stat().st_uid + 1)
    assert collection_root(copied / "history" / "gsomia-2019.yaml") is None


def test_the_search_stops_at_a_folder_anyone_may_write_in(tmp_path):
    shared = tmp_path / "shared"
    shutil.copytree(SHIPPED_DIR, shared / "scenarios", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(SHIPPED_DIR / MARKER, shared / MARKER)
    inside = shared / "scenarios" / "history" / "gsomia-2019.yaml"
    assert collection_root(inside) == (shared / "scenarios").resolve()
    os.chmod(shared, 0o777)  # like /tmp (the sticky bit changes nothing here)
    try:
        assert collection_root(shared / "mine.yaml") is None  # the marker in it marks nothing
        (shared / "scenarios" / MARKER).unlink()
        assert collection_root(inside) is None  # and nothing above it is looked at
        (shared / "scenarios" / "history" / "x.yaml").write_text("extends: ../../secret.yaml\n", encoding="utf-8")
        (shared / "secret.yaml").write_text("name: secret\n", encoding="utf-8")
        with pytest.raises(ScenarioError, match="outside the folders"):
            load_scenario(shared / "scenarios" / "history" / "x.yaml")
    finally:
        os.chmod(shared, 0o700)


# -- names -------------------------------------------------------------------------------------


def test_every_shipped_scenario_has_a_name_of_its_own_that_finds_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no file of any of these names here
    every = shipped_scenarios()
    assert {s.group for s in every} == {"history", "counterfactuals", "examples"}
    assert len({s.name for s in every}) == len(every), "two shipped files share a short name"
    for s in every:
        for name in (s.name, s.long_name, f"{s.long_name}.yaml", f"scenarios/{s.long_name}.yaml"):
            assert find_scenario(name) == s.path, name


def test_a_name_loads_the_shipped_scenario(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sc = load_scenario("2019-no-us-pressure")
    assert sc.path == str(COUNTERFACTUAL_DIR / "2019-no-us-pressure.yaml")
    assert sc.files[1] == str((HISTORY_DIR / "gsomia-2019.yaml").resolve())


def test_a_real_file_of_that_name_wins(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = (SHIPPED_DIR / "examples" / "quiet-year.yaml").read_text(encoding="utf-8")
    Path("gsomia-2019").write_text(text.replace("name: A quiet year", "name: my own file"), encoding="utf-8")
    assert load_scenario("gsomia-2019").name == "my own file"
    Path("history").mkdir()
    with pytest.raises(ScenarioError, match="is a directory"):  # even a folder is not passed over
        load_scenario("history")


def test_an_unknown_name_fails_in_one_line_saying_which_names_exist(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = _cli(["run", "gsomia-2091", "--runs", "2"], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert err.startswith("gsomia-2091: file not found, nor the name of a shipped scenario")
    assert "did you mean 'gsomia-2021'?" in err and "diplosim list" in err
    code, _, err = _cli(["check", "history/nothing-like-it"], capsys)
    assert code == 2 and "the history episodes are gsomia-2012" in err and "gsomia-2021" in err


def test_paths_that_cannot_be_names_fail_as_before(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for path in (str(tmp_path / "gsomia-2019.yaml"), "a/b/gsomia-2019.yaml", "../history/gsomia-2019.yaml"):
        with pytest.raises(ScenarioError) as err:
            load_scenario(path)
        assert err.value.message == "file not found", path


def test_the_cli_runs_a_shipped_episode_by_name_from_another_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    code, out, err = _cli(["run", "gsomia-2019", "--runs", "3", "--workers", "1", "--json"], capsys)
    assert code == 0, err
    assert json.loads(out)["scenario"] == "GSOMIA 2019"


def test_a_saved_sweep_records_the_file_a_name_stood_for(tmp_path, monkeypatch):
    from diplosim.cli.explore import experiment_spec

    monkeypatch.chdir(tmp_path)
    spec = experiment_spec("sweep", "quiet-year", {})
    assert spec["scenario"] == str(SHIPPED_DIR / "examples" / "quiet-year.yaml")  # what rerun loads, from anywhere


# -- list ---------------------------------------------------------------------------------------


def test_list_names_every_shipped_scenario_with_a_line_on_it(capsys):
    code, out, err = _cli(["list"], capsys)
    assert code == 0, err
    for s in shipped_scenarios():
        line = next((ln for ln in out.splitlines() if ln.split()[:1] == [s.name]), None)
        assert line is not None, s.name
        assert len(line.split(None, 1)[1]) > 20, line
    assert "2019-no-us-pressure" in out and "(changes gsomia-2019)" in out
    assert str(HISTORY_DIR) in out


def test_list_json_matches_the_files(capsys):
    code, out, _ = _cli(["list", "--json"], capsys)
    rows = json.loads(out)
    assert code == 0 and [r["name"] for r in rows] == [s.name for s in shipped_scenarios()]
    for r in rows:
        assert r["error"] is None and r["summary"]
        text = Path(r["path"]).read_text(encoding="utf-8")
        based = re.search(r"^extends: \.\./history/(.+)\.yaml$", text, re.M)
        assert r["extends"] == (based.group(1) if based else None), r["name"]
        if r["group"] == "counterfactuals":
            assert r["summary"].endswith("?"), r  # the counterfactual's question


def test_list_reports_a_shipped_file_that_does_not_load(monkeypatch, tmp_path, capsys):
    broken = tmp_path / "history"
    broken.mkdir()
    (broken / "broken.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    monkeypatch.setattr(shipped, "SHIPPED_DIR", tmp_path)
    rows = catalogue()
    assert [r["name"] for r in rows] == ["broken"] and "broken.yaml:" in rows[0]["error"]
    code, out, _ = _cli(["list"], capsys)
    assert code == 1 and "broken  does not load:" in out


def test_first_sentence():
    assert first_sentence("One.  Two? Three.") == "One."
    assert first_sentence("No stop at all") == "No stop at all"
    assert first_sentence("A president at 30.5%. More.") == "A president at 30.5%."


# -- optional extras ---------------------------------------------------------------------------


def test_missing_salib_says_how_to_install_it_for_any_install(monkeypatch, tmp_path, capsys):
    from diplosim.explore import sensitivity

    monkeypatch.chdir(tmp_path)
    for name in ["SALib", *(m for m in sys.modules if m.startswith("SALib."))]:
        monkeypatch.setitem(sys.modules, name, None)  # as if not installed, even after another test imported it
    with pytest.raises(MissingExtra, match=re.escape("pip install 'diplosim[analysis]'")):
        sensitivity.sample("morris", {"num_vars": 1, "names": ["x"], "bounds": [[0, 1]]}, 4, 0)
    code, out, err = _cli(["sensitivity", "gsomia-2019", "--runs", "2", "--samples", "2", "--out", "sens"],
                          capsys)
    assert code == 2 and err.count("\n") == 1 and "pip install 'diplosim[analysis]'" in err, err


def test_missing_pyabc_says_how_to_install_it_for_any_install(monkeypatch):
    from diplosim.explore import abc

    monkeypatch.setitem(sys.modules, "pyabc", None)
    with pytest.raises(MissingExtra, match=re.escape("pip install 'diplosim[calibrate]'")):
        abc._pyabc()


def test_no_hint_in_the_package_tells_a_wheel_user_to_install_a_checkout():
    hints = [f"{p.relative_to(REPO)}:{n}" for p in (REPO / "sim").rglob("*.py")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if "pip install -e" in line]
    assert hints == []
