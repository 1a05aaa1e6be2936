"""The bad-input corpus (tests/bad_inputs/): every malformed file fails cleanly.

For each case the CLI must exit with status 2, print exactly one line on
stderr naming the file (and the line and column when the problem has one),
print no traceback, and write nothing: the --out directory is not created.
The expected lines are in tests/bad_inputs/expected.yaml.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from diplosim.cli.main import main
from diplosim.scenario.loader import MAX_EXTENDS, MAX_TRIGGERS
from diplosim.scenario.yamlio import MAX_FILE_BYTES

BAD = Path(__file__).resolve().parent / "bad_inputs"
INDEX = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))
CASES: dict[str, dict] = INDEX["cases"]
GENERATED: dict[str, dict] = INDEX["generated"]
LINE = re.compile(r"^(?P<file>.+?\.yaml)(?::(?P<line>\d+):(?P<col>\d+))?: (?P<says>.+)$")
BASE_TEXT = (BAD / "support" / "base.yaml").read_text(encoding="utf-8")


# -- recipes for the cases that are made at test time -----------------------------------


def over_size_limit(folder: Path, name: str) -> None:
    text = BASE_TEXT + "# padding\n"
    (folder / name).write_text(text + "#" * (MAX_FILE_BYTES + 1 - len(text.encode())), encoding="utf-8")


def too_many_triggers(folder: Path, name: str) -> None:
    head = BASE_TEXT[: BASE_TEXT.index("triggers:")]
    items = "".join(f"  - {{id: s{i}, kind: scandal, rate: 0.1}}\n" for i in range(MAX_TRIGGERS + 1))
    (folder / name).write_text(f"{head}triggers:\n{items}", encoding="utf-8")


def long_extends_chain(folder: Path, name: str) -> None:
    files = [name] + [f"chain-{i}.yaml" for i in range(1, MAX_EXTENDS + 1)]
    for this, base in zip(files, files[1:], strict=False):
        (folder / this).write_text(f"extends: {base}\nname: {this}\n", encoding="utf-8")
    (folder / files[-1]).write_text(BASE_TEXT, encoding="utf-8")


def missing_file(folder: Path, name: str) -> None:
    """Nothing to make: the case is a path where no file is."""


def directory(folder: Path, name: str) -> None:
    (folder / name).mkdir()


def name_too_long(folder: Path, name: str) -> None:
    """Nothing to make: the case's name is longer than a file name may be."""


def symlink_loop(folder: Path, name: str) -> None:
    (folder / "loop-a.yaml").symlink_to("loop-b.yaml")
    (folder / "loop-b.yaml").symlink_to("loop-a.yaml")
    (folder / name).write_text("extends: loop-a.yaml\nname: a loop\n", encoding="utf-8")


RECIPES: dict[str, Callable[[Path, str], None]] = {
    f.__name__: f for f in (over_size_limit, too_many_triggers, long_extends_chain, missing_file, directory,
                            symlink_loop, name_too_long)
}


# -- the corpus itself ----------------------------------------------------------------


def test_the_corpus_has_at_least_40_cases_and_every_file_is_listed():
    assert len(CASES) + len(GENERATED) >= 40
    on_disk = {p.name for p in BAD.glob("*.yaml")} - {"expected.yaml"}
    assert on_disk == set(CASES), (on_disk ^ set(CASES))
    assert all(spec["recipe"] in RECIPES for spec in GENERATED.values())


def run_cli(args: list[str], capsys) -> tuple[int, str, str]:
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def check_error_line(err: str, case: str, spec: dict) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    m = LINE.match(lines[0])
    assert m, lines[0]
    assert os.path.normpath(m["file"]) == os.path.normpath(spec.get("in", case)), lines[0]
    place = f"{m['line']}:{m['col']}" if m["line"] else "none"
    assert place == spec["at"], lines[0]
    assert spec["says"] in m["says"], lines[0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_bad_file_fails_with_its_line(case, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(BAD)  # the cases name each other by relative path, as users would
    out = tmp_path / "out"
    code, stdout, err = run_cli(["run", case, "--runs", "2", "--out", str(out)], capsys)
    assert code == 2
    assert stdout == ""
    check_error_line(err, case, CASES[case])
    assert not out.exists()


@pytest.mark.parametrize("case", sorted(GENERATED))
def test_each_generated_bad_input_fails_with_its_line(case, tmp_path, monkeypatch, capsys):
    spec = GENERATED[case]
    cases = tmp_path / "cases"
    cases.mkdir()
    RECIPES[spec["recipe"]](cases, case)
    monkeypatch.chdir(cases)
    out = tmp_path / "out"
    code, stdout, err = run_cli(["run", case, "--runs", "2", "--out", str(out)], capsys)
    assert code == 2
    assert stdout == ""
    check_error_line(err, case, spec)
    assert not out.exists()


# Hostile files in a real process: a timeout (generous, not a speed claim) turns a
# hang into a failure, and stderr is what a user would see.
@pytest.mark.parametrize("case", ["hostile-alias-bomb.yaml", "hostile-deep-alias-nesting.yaml",
                                  "hostile-python-object.yaml", "hostile-binary.yaml",
                                  "extends-cycle.yaml"])
def test_hostile_files_fail_in_a_real_process(case, tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "diplosim.cli", "run", case, "--out", str(out)],
                          cwd=BAD, capture_output=True, text=True, timeout=20)
    assert proc.returncode == 2
    check_error_line(proc.stderr, case, CASES[case])
    assert not out.exists()


# -- several files, and --set ---------------------------------------------------------


def test_check_reports_every_bad_file_and_passes_good_ones(monkeypatch, capsys):
    monkeypatch.chdir(BAD)
    bad = ["range-negative-rate.yaml", "hostile-binary.yaml", "key-misspelled-top.yaml"]
    code, stdout, err = run_cli(["check", bad[0], "support/base.yaml", *bad[1:]], capsys)
    assert code == 2
    assert stdout.startswith("support/base.yaml: ok")
    lines = err.splitlines()
    assert len(lines) == len(bad)
    for case, line in zip(bad, lines, strict=True):
        check_error_line(line, case, CASES[case])


@pytest.mark.parametrize("setting, says", [
    ("agrement.state=no_talks", "--set: agrement.state: unknown key 'agrement' (did you mean 'agreement'?)"),
    ("params.threat_wieght=1", "--set: params.override.threat_wieght: unknown parameter 'threat_wieght'"),
    ("triggers.m9.at=2017-05-01", "--set: triggers.m9.at: no trigger with id 'm9'"),
    ("triggers.m1.at=2019-05-01", "outside the scenario window"),
    ("name=!!python/object/apply:os.system [ls]", "is not allowed"),
    ("initial.approval=" + "9" * 400, "--set:1:1: a number of 400 digits; numbers here are at most about 1e+15"),
    ("initial.approval=!!float x", "the YAML tag '!!float' cannot make a value of 'x'"),
    ("extends=/etc/passwd", "names a file and cannot be set with --set"),
    ("params.file=/etc/shadow", "names a file and cannot be set with --set"),
])
def test_bad_set_paths_and_values_fail_with_one_line(setting, says, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(BAD)
    out = tmp_path / "out"
    code, stdout, err = run_cli(["run", "support/base.yaml", "--runs", "2", "--out", str(out),
                                 "--set", setting], capsys)
    assert code == 2
    assert stdout == ""
    assert len(err.splitlines()) == 1 and says in err, err
    assert not out.exists()


def test_a_file_with_too_many_values_stops_while_being_read(monkeypatch, tmp_path):
    """The value count is checked as the file is composed (the limit is lowered to keep the test small)."""
    import diplosim.scenario.yamlio
    from diplosim import ScenarioError, load_scenario

    monkeypatch.setattr(diplosim.scenario.yamlio, "MAX_NODES", 50)
    path = tmp_path / "many-values.yaml"
    path.write_text("name: [" + ", ".join(["1"] * 60) + "]\n", encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"many-values.yaml:1:\d+: the document holds more than 50 values"):
        load_scenario(path)
