"""Bad files other than scenarios: posterior samples, parameter files, saved experiments, results folders.

Each corpus folder (tests/bad_inputs/posterior, params, experiments, results) has
an expected.yaml naming the command its cases run with and, for each case, the
line it must produce. Like a bad scenario, every case must end with exit status
2, nothing on stdout, and exactly one line on stderr that names the file (and
the line where the problem has one), quotes no more than an excerpt of it, and
holds no traceback. Cases that cannot live in git (pipes, links to devices, loops
of links, huge files) are made at test time by the recipes below; the ones that
would hang a careless reader also run in a real process under a timeout (a
generous one: a hang fails it, it measures no speed).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from diplosim.cli.main import main
from diplosim.explore.saved import MAX_EXPERIMENT_BYTES
from diplosim.present.resultdir import MAX_RESULT_JSON_BYTES
from diplosim.scenario.params import MAX_CSV_FIELD, MAX_PARTICLES, MAX_POSTERIOR_BYTES
from diplosim.scenario.yamlio import MAX_FILE_BYTES

BAD = Path(__file__).resolve().parent / "bad_inputs"
KINDS = ("posterior", "params", "experiments", "results")
INDEX = {kind: yaml.safe_load((BAD / kind / "expected.yaml").read_text(encoding="utf-8")) for kind in KINDS}
LINE = re.compile(r"^(?P<file>.+?)(?::(?P<line>\d+)(?::(?P<col>\d+))?)?: (?P<says>.+)$")
MAX_LINE = 700
"""Longest error line accepted: the message (at most 400 characters) after a file name; a line this short
cannot carry a file's contents (the hostile cases hold 200 KB to 60 MB)."""


def command(kind: str, case: str, tmp: Path) -> list[str]:
    return [arg.format(case=case, tmp=tmp) for arg in INDEX[kind]["command"]]


def check_line(err: str, case: str, spec: dict) -> None:
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err and len(lines[0]) <= MAX_LINE, lines[0][:300]
    m = LINE.match(lines[0])
    assert m, lines[0]
    assert os.path.normpath(m["file"]) == os.path.normpath(spec.get("in", case)), lines[0]
    place = m["line"] + (f":{m['col']}" if m["col"] else "") if m["line"] else "none"
    assert place == str(spec["at"]), lines[0]
    assert spec["says"] in m["says"], lines[0]


def run_case(kind: str, case: str, spec: dict, tmp_path: Path, capsys) -> None:
    code = main(command(kind, case, tmp_path))
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert captured.out == ""
    check_line(captured.err, case, spec)


STATIC = [(kind, case) for kind in KINDS for case in sorted(INDEX[kind]["cases"])]


def test_every_case_on_disk_is_listed():
    for kind in KINDS:
        on_disk = {p.name for p in (BAD / kind).iterdir()} - {"expected.yaml"}
        assert on_disk == set(INDEX[kind]["cases"]), (kind, on_disk ^ set(INDEX[kind]["cases"]))


@pytest.mark.parametrize("kind, case", STATIC, ids=[f"{k}/{c}" for k, c in STATIC])
def test_each_bad_file_fails_with_its_line(kind, case, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(BAD / kind)
    run_case(kind, case, INDEX[kind]["cases"][case], tmp_path, capsys)
    assert not (tmp_path / "plots").exists()  # plot draws nothing from a refused folder


# -- cases made at test time ----------------------------------------------------------------

POSTERIOR_HEAD = (BAD.parent.parent / "scenarios" / "params" / "posterior.csv").read_text().splitlines()[0]


def fifo(folder: Path, name: str) -> None:
    os.mkfifo(folder / name)


def device(folder: Path, name: str) -> None:
    (folder / name).symlink_to("/dev/zero")


def loop(folder: Path, name: str) -> None:
    other = folder / f"other-{name}"
    (folder / name).symlink_to(other.name)
    other.symlink_to(name)


def directory(folder: Path, name: str) -> None:
    (folder / name).mkdir()


def nothing(folder: Path, name: str) -> None:
    """The case is a name where nothing is (missing, or a name longer than the system allows)."""


def sparse(limit: int) -> Callable[[Path, str], None]:
    """A file one byte over `limit` (sparse: it costs no disk), refused from its size alone."""
    def make(folder: Path, name: str) -> None:
        with open(folder / name, "wb") as fh:
            fh.truncate(limit + 1)
    return make


def tiny_rows_60mb(folder: Path, name: str) -> None:
    row = "1,50\n"
    (folder / name).write_text("weight,approval_norm\n" + row * (60_000_000 // len(row)), encoding="utf-8")


def too_many_particles(folder: Path, name: str) -> None:
    (folder / name).write_text("weight,approval_norm\n" + "1,50\n" * (MAX_PARTICLES + 1), encoding="utf-8")


def field_200kb(folder: Path, name: str) -> None:
    (folder / name).write_text(f"weight,approval_norm\n1,{'5' * 200_000}\n", encoding="utf-8")


def header_500kb(folder: Path, name: str) -> None:
    (folder / name).write_text(f"weight,{'n' * 500_000}\n1,50\n", encoding="utf-8")


def results_with(file: str, make: Callable[[Path, str], None]) -> Callable[[Path, str], None]:
    """A results folder (a copy of a valid one) whose `file` is made by `make`."""
    def build(folder: Path, name: str) -> None:
        shutil.copytree(BAD / "results" / "fan-a-list", folder / name)
        shutil.copy(BAD / "results" / "summary-a-list" / "fan.json", folder / name / "fan.json")
        (folder / name / file).unlink()
        make(folder / name, file)
    return build


LONG = "n" * 300
GENERATED: dict[str, dict[str, tuple[Callable[[Path, str], None], str, str]]] = {
    # kind -> case -> (recipe, the file the line names, what it says); every line is placeless
    "posterior": {
        "pipe.csv": (fifo, "pipe.csv", "is a named pipe (FIFO), not a regular file"),
        "zero.csv": (device, "zero.csv", "is a device, not a regular file"),
        "loop.csv": (loop, "loop.csv", "cannot read file (a loop of symbolic links)"),
        "folder.csv": (directory, "folder.csv/posterior.csv", "no posterior sample here"),
        f"{LONG}.csv": (nothing, f"{LONG}.csv", "cannot read file (File name too long)"),
        "tiny-rows-60mb.csv": (tiny_rows_60mb, "tiny-rows-60mb.csv", f"bytes; the limit is {MAX_POSTERIOR_BYTES}"),
        "too-many-particles.csv": (too_many_particles, "too-many-particles.csv:100002",
                                   f"more than {MAX_PARTICLES:,} particles"),
        "field-200kb.csv": (field_200kb, "field-200kb.csv:2", "a line of 200,002 characters"),
        "header-500kb.csv": (header_500kb, "header-500kb.csv:1", "a line of 500,007 characters"),
    },
    "params": {
        "pipe.yaml": (fifo, "pipe.yaml", "is a named pipe (FIFO), not a regular file"),
        "zero.yaml": (device, "zero.yaml", "is a device, not a regular file"),
        "loop.yaml": (loop, "loop.yaml", "cannot read file (a loop of symbolic links)"),
        "folder.yaml": (directory, "folder.yaml", "is a directory, not a scenario file"),
        "missing.yaml": (nothing, "missing.yaml", "file not found"),
        "huge.yaml": (sparse(MAX_FILE_BYTES), "huge.yaml", f"bytes; the limit is {MAX_FILE_BYTES}"),
    },
    "experiments": {
        "pipe.json": (fifo, "pipe.json", "is a named pipe (FIFO), not a regular file"),
        "zero.json": (device, "zero.json", "is a device, not a regular file"),
        "loop.json": (loop, "loop.json", "cannot read file (a loop of symbolic links)"),
        "folder.json": (directory, "folder.json", "is a directory, not a saved experiment"),
        "missing.json": (nothing, "missing.json", "file not found"),
        f"{LONG}.json": (nothing, f"{LONG}.json", "cannot read file (File name too long)"),
        "huge.json": (sparse(MAX_EXPERIMENT_BYTES), "huge.json", f"bytes; the limit is {MAX_EXPERIMENT_BYTES}"),
    },
    "results": {
        "summary-pipe": (results_with("summary.json", fifo), "summary-pipe/summary.json",
                         "is a named pipe (FIFO), not a regular file"),
        "fan-pipe": (results_with("fan.json", fifo), "fan-pipe/fan.json", "is a named pipe (FIFO), not a regular file"),
        "fan-zero": (results_with("fan.json", device), "fan-zero/fan.json", "is a device, not a regular file"),
        "context-loop": (results_with("context.json", loop), "context-loop/context.json",
                         "cannot read file (a loop of symbolic links)"),
        "replications-folder": (results_with("replications.csv", directory), "replications-folder/replications.csv",
                                "is a directory, not a file"),
        "summary-huge": (results_with("summary.json", sparse(MAX_RESULT_JSON_BYTES)), "summary-huge/summary.json",
                         f"bytes; the limit is {MAX_RESULT_JSON_BYTES}"),
        "loop": (loop, "loop", "cannot read file (a loop of symbolic links)"),
        "missing": (nothing, "missing", "no such results folder"),
        "a-file": (lambda folder, name: (folder / name).write_text("x"), "a-file", "is not a folder"),
        LONG: (nothing, LONG, "cannot read file (File name too long)"),
    },
}
MADE = [(kind, case) for kind in KINDS for case in GENERATED[kind]]


def made_case(kind: str, case: str, tmp_path: Path) -> tuple[Path, dict]:
    """Make `case` in a folder of its own (beside a copy of support/ that parameter cases need)."""
    folder = tmp_path / "cases" / kind
    folder.mkdir(parents=True)
    shutil.copytree(BAD / "support", tmp_path / "cases" / "support")
    recipe, file, says = GENERATED[kind][case]
    recipe(folder, case)
    name, _, line = file.partition(":")
    return folder, {"in": name, "at": line or "none", "says": says}


@pytest.mark.parametrize("kind, case", MADE, ids=[f"{k}/{c[:40]}" for k, c in MADE])
def test_each_made_bad_file_fails_with_its_line(kind, case, tmp_path, monkeypatch, capsys):
    folder, spec = made_case(kind, case, tmp_path)
    monkeypatch.chdir(folder)
    run_case(kind, case, spec, tmp_path, capsys)


HANGS = [("posterior", "pipe.csv"), ("posterior", "zero.csv"), ("params", "pipe.yaml"), ("experiments", "pipe.json"),
         ("experiments", "zero.json"), ("results", "fan-pipe"), ("results", "fan-zero")]


@pytest.mark.parametrize("kind, case", HANGS, ids=[f"{k}/{c}" for k, c in HANGS])
def test_pipes_and_devices_fail_in_a_real_process_without_hanging(kind, case, tmp_path):
    folder, spec = made_case(kind, case, tmp_path)
    proc = subprocess.run([sys.executable, "-m", "diplosim.cli", *command(kind, case, tmp_path)], cwd=folder,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    check_line(proc.stderr, case, spec)


def test_a_field_longer_than_the_limit_is_refused_by_its_length(tmp_path, capsys):
    path = tmp_path / "wide.csv"
    path.write_text(f"weight,approval_norm\n1,{'5' * (MAX_CSV_FIELD + 1)}\n", encoding="utf-8")
    assert main(["posterior", str(path)]) == 2
    assert f"a field of {MAX_CSV_FIELD + 1} characters" in capsys.readouterr().err


# -- what is accepted ---------------------------------------------------------------------------


def test_a_byte_order_mark_and_blank_lines_at_the_end_are_accepted(tmp_path, capsys):
    shipped = (BAD.parent.parent / "scenarios" / "params" / "posterior.csv").read_bytes()
    path = tmp_path / "posterior.csv"
    path.write_bytes(b"\xef\xbb\xbf" + shipped.rstrip(b"\n") + b"\n\n\r\n\n")
    assert main(["posterior", str(path)]) == 0
    assert capsys.readouterr().out.splitlines()[0].endswith("posterior.csv: 1000 particles, 9 parameters")


def test_a_results_folder_with_every_file_in_shape_is_drawn(tmp_path, capsys):
    folder = tmp_path / "ok"
    results_with("fan.json", lambda d, f: shutil.copy(BAD / "results" / "summary-a-list" / "fan.json", d / f))(
        tmp_path, "ok")
    assert main(["plot", str(folder), "--out-dir", str(tmp_path / "plots")]) == 0
    assert {p.stem for p in (tmp_path / "plots").iterdir()} == {"outcomes", "timing", "fan"}


def test_a_scenario_that_is_a_loop_of_links_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("a.yaml").symlink_to("b.yaml")
    Path("b.yaml").symlink_to("a.yaml")
    assert main(["check", "a.yaml"]) == 2
    assert capsys.readouterr().err == "a.yaml: cannot read file (a loop of symbolic links)\n"


# -- the documented limits --------------------------------------------------------------------


def test_docs_state_each_limit_with_its_value_in_the_code():
    from diplosim.explore import saved, sweep
    from diplosim.present import resultdir
    from diplosim.scenario import params

    doc = (BAD.parent.parent / "docs" / "testing.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Other files diplosim reads"):]
    rows = {re.search(r"`(MAX_[A-Z_]+)`", line)[1]: line for line in section.splitlines()
            if line.startswith("|") and "`MAX_" in line}
    modules = {"MAX_POSTERIOR_BYTES": params, "MAX_PARTICLES": params, "MAX_CSV_FIELD": params,
               "MAX_WEIGHT": params, "MAX_EXPERIMENT_BYTES": saved, "MAX_EXPERIMENT_DEPTH": saved,
               "MAX_WORK": saved, "MAX_AXES": saved, "MAX_SETS": saved, "MAX_POINTS": sweep, "MAX_STEPS": sweep,
               "MAX_MANIFEST_BYTES": resultdir, "MAX_RESULT_JSON_BYTES": resultdir,
               "MAX_REPLICATIONS_BYTES": resultdir, "MAX_RESULT_DEPTH": resultdir}
    assert set(rows) == set(modules)
    for name, module in modules.items():
        value = getattr(module, name)
        shown = f"{value:.0e}" if isinstance(value, float) else f"{value:,}"
        assert f"| {shown} " in rows[name], rows[name]
        assert f"({module.__name__.replace('diplosim.', 'sim/').replace('.', '/')}.py)" in rows[name], rows[name]
