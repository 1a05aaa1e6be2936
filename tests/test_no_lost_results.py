"""No lost results: atomic writes, output directories of other runs, failing replications."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import diplosim.files
import diplosim.run.ensemble
from diplosim import load_scenario, run_ensemble
from diplosim.cli.main import main
from diplosim.files import write_atomic
from diplosim.present.resultdir import (
    LOCK,
    MANIFEST,
    RESULT_FILES,
    OutputDirError,
    check_output_dir,
    claim_output_dir,
    run_identity,
)
from tests.conftest import REPO

QUIET = str(REPO / "scenarios" / "examples" / "quiet-year.yaml")


# -- atomic writes ----------------------------------------------------------------------


def test_a_failed_write_leaves_the_old_file_whole_and_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "summary.json"
    write_atomic(target, '{"old": true}\n')

    def crash(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(diplosim.files.os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, '{"new": true, "long": "' + "x" * 100_000 + '"}\n')
    assert target.read_text() == '{"old": true}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["summary.json"]


def test_a_crash_while_writing_results_leaves_only_whole_files(tmp_path, monkeypatch):
    """Kill the writing after the first file is in place: every file present is complete."""
    out = tmp_path / "out"
    real_replace = os.replace
    calls = {"n": 0}

    def replace_then_crash(src, dst):
        calls["n"] += 1
        if calls["n"] == 3:  # manifest and summary.json are in place; crash on the next file
            raise OSError(28, "No space left on device")
        real_replace(src, dst)

    monkeypatch.setattr(diplosim.files.os, "replace", replace_then_crash)
    assert main(["run", QUIET, "--runs", "20", "--out", str(out)]) == 1
    names = sorted(p.name for p in out.iterdir())
    # no temporary left behind; the run store (SQLite, its own transactions) holds every replication
    assert names == [LOCK, MANIFEST, "runs.sqlite", "summary.json"], names
    assert json.loads((out / "summary.json").read_text())["runs"] == 20
    assert json.loads((out / MANIFEST).read_text())["complete"] is False  # recognisably incomplete


# -- output directories that hold another run ---------------------------------------------


def _files(out: Path) -> dict[str, bytes]:
    # the run store logs each run as a new ensemble with its own timestamps, so it
    # is compared by name only; every result file must be the same to the byte
    return {p.name: b"" if p.name == "runs.sqlite" else p.read_bytes() for p in sorted(out.iterdir())}


def test_the_same_run_may_rewrite_its_directory_but_another_run_needs_force(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", QUIET, "--runs", "10", "--seed", "1", "--out", str(out)]) == 0
    first = _files(out)
    assert set(first) == {LOCK, MANIFEST, *RESULT_FILES}
    assert main(["run", QUIET, "--runs", "10", "--seed", "1", "--out", str(out)]) == 0
    assert _files(out) == first  # same run, same results
    capsys.readouterr()

    assert main(["run", QUIET, "--runs", "10", "--seed", "2", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert "holds the results of a different run (seed 1; this run has seed 2)" in err and "--force" in err
    assert _files(out) == first  # untouched

    assert main(["run", QUIET, "--runs", "10", "--seed", "2", "--out", str(out), "--force"]) == 0
    assert json.loads((out / MANIFEST).read_text())["seed"] == 2
    assert json.loads((out / "summary.json").read_text())["seed"] == 2


def test_a_changed_scenario_is_a_different_run(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", QUIET, "--runs", "5", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["run", QUIET, "--runs", "5", "--out", str(out), "--set", "initial.approval=30"]) == 2
    assert "scenario_sha256" in capsys.readouterr().err


def test_results_without_a_manifest_are_not_overwritten(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "summary.json").write_text("{}")
    (out / "notes.txt").write_text("mine")
    assert main(["run", QUIET, "--runs", "5", "--out", str(out)]) == 2
    assert "already holds results (summary.json) of an unknown run" in capsys.readouterr().err
    assert (out / "summary.json").read_text() == "{}"


def test_a_directory_of_other_files_may_receive_results(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["run", QUIET, "--runs", "5", "--out", str(out)]) == 0
    assert (out / "notes.txt").read_text() == "mine"


def test_out_must_not_be_a_file(tmp_path, capsys):
    target = tmp_path / "taken"
    target.write_text("x")
    assert main(["run", QUIET, "--runs", "5", "--out", str(target)]) == 2
    assert "exists and is not a directory" in capsys.readouterr().err


def test_rundir_api_checks_without_writing(tmp_path):
    out = tmp_path / "out"
    one = run_identity("a" * 64, 1, 10, "0.1.0")
    check_output_dir(out, one)
    assert not out.exists()
    claim_output_dir(out, one)
    check_output_dir(out, one)
    with pytest.raises(OutputDirError, match=r"scenario_sha256 aaaaaaaaaaaa; this run has scenario_sha256 bbbb"):
        check_output_dir(out, run_identity("b" * 64, 1, 10, "0.1.0"))
    (out / MANIFEST).write_text("not json")
    with pytest.raises(OutputDirError, match="unknown run"):
        check_output_dir(out, one)


# -- a replication that raises ---------------------------------------------------------------


@pytest.fixture
def third_replication_raises(monkeypatch):
    real = diplosim.run.ensemble.run_replication

    def flaky(model, rng, index=0, **kwargs):
        if index == 3:
            raise ZeroDivisionError("a bug in replication 3")
        return real(model, rng, index, **kwargs)

    monkeypatch.setattr(diplosim.run.ensemble, "run_replication", flaky)


def test_a_failing_replication_is_recorded_and_the_batch_goes_on(third_replication_raises):
    ens = run_ensemble(load_scenario(QUIET), runs=8, seed=5)
    assert [r.index for r in ens.results] == list(range(8))
    failed = ens.results[3]
    assert failed.outcome == "error" and failed.error == "ZeroDivisionError: a bug in replication 3"
    assert all(r.error is None for i, r in enumerate(ens.results) if i != 3)
    summary = ens.summary()
    assert summary["errors"] == 1
    assert summary["failed"] == [{"replication": 3, "error": "ZeroDivisionError: a bug in replication 3"}]
    assert summary["outcomes"]["error"]["count"] == 1
    assert sum(o["count"] for o in summary["outcomes"].values()) == 8


def test_the_cli_reports_failed_replications_and_exits_1(third_replication_raises, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", QUIET, "--runs", "8", "--seed", "5", "--out", str(out)]) == 1
    table = capsys.readouterr().out
    assert "replications that raised an error: 1 (seed 5)" in table
    assert table.count("replication 3: ZeroDivisionError: a bug in replication 3") == 1  # listed once
    rows = list(csv.DictReader((out / "replications.csv").open()))
    assert len(rows) == 8
    assert rows[3]["error"] == "ZeroDivisionError: a bug in replication 3" and rows[3]["root_seed"] == "5"
    assert json.loads((out / "summary.json").read_text())["errors"] == 1
    assert main(["run", QUIET, "--runs", "8", "--seed", "5", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["failed"][0]["replication"] == 3


@pytest.mark.slow
def test_two_runs_into_one_out_never_mix_and_the_loser_is_refused(tmp_path):
    # Started together, with different seeds: exactly one may write the directory; the
    # other is refused (exit 2) whichever way the race goes, and the directory's
    # manifest and summary always belong to the same run. Three rounds, because the
    # order in which the two reach the lock varies.
    for trial in range(3):
        out = tmp_path / f"out{trial}"
        procs = [subprocess.Popen([sys.executable, str(REPO / "run.py"), "run", QUIET, "--runs", "300",
                                   "--seed", str(seed), "--out", str(out), "--workers", "1"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for seed in (2, 3)]
        outcomes = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
        codes = sorted(code for code, _ in outcomes)
        assert codes == [0, 2], outcomes
        loser = next(err for code, err in outcomes if code == 2)
        assert "another diplosim run is writing" in loser or "holds the results of a different run" in loser
        manifest = json.loads((out / MANIFEST).read_text())
        summary = json.loads((out / "summary.json").read_text())
        assert manifest["complete"] is True and manifest["seed"] == summary["seed"]


def test_plot_refuses_a_directory_whose_run_did_not_finish_writing(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", QUIET, "--runs", "20", "--out", str(out), "--workers", "1"]) == 0
    manifest = json.loads((out / MANIFEST).read_text())
    assert manifest["complete"] is True
    (out / MANIFEST).write_text(json.dumps({**manifest, "complete": False}))  # as an interrupted run leaves it
    capsys.readouterr()
    assert main(["plot", str(out)]) == 2
    assert "the results are incomplete" in capsys.readouterr().err
