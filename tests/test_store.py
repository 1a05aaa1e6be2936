"""The run store: provenance, resume after an interruption, and the store commands."""

import dataclasses
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from diplosim import __version__, compile_scenario, load_scenario, run_ensemble
from diplosim.cli.main import main
from diplosim.run.parallel import pack, run_parallel
from diplosim.run.store import RunStore, StoreError
from tests.conftest import REPO, scenario_dict

BUSY = scenario_dict(triggers=[
    {"id": "missiles", "kind": "missile_test", "rate": 12},
    {"id": "rulings", "kind": "court_ruling", "rate": 3},
    {"id": "pressure", "kind": "us_pressure", "rate": 4},
])


def _packed(results):
    return [pack(r) for r in results]


def test_store_holds_each_replication_and_the_provenance(write_scenario, tmp_path):
    sc = load_scenario(write_scenario(BUSY))
    model = compile_scenario(sc)
    with RunStore(tmp_path / "runs.sqlite") as store:
        ens = run_parallel(model, 200, 8, workers=2, store=store, meta={"command": "test"})
        [e] = store.ensembles()
        assert e["id"] == ens.ensemble_id
        assert (e["scenario_file"], e["scenario_sha256"]) == (sc.path, sc.sha256)
        assert e["params"] == dataclasses.asdict(model.p) and e["mechanisms"] == sorted(model.mechanisms)
        assert (e["root_seed"], e["runs"], e["saved"], e["status"]) == (8, 200, 200, "complete")
        assert e["diplosim_version"] == __version__ and e["meta"] == {"command": "test"}
        assert e["started"] <= e["finished"] and {"python", "numpy", "simpy"} <= set(e["environment"])
        assert _packed(store.results(ens.ensemble_id)) == _packed(ens.results)
        rows = store.rows([ens.ensemble_id])
    assert [{k: v for k, v in r.items() if k != "ensemble"} for r in rows] == ens.rows()


class _StopAfter:
    """A progress callback that interrupts the ensemble once `n` replications are done."""

    def __init__(self, n):
        self.n = n

    def __call__(self, done, total):
        if done >= self.n:
            raise KeyboardInterrupt


def test_interrupted_ensemble_resumed_equals_the_uninterrupted_one(write_scenario, tmp_path):
    model = compile_scenario(load_scenario(write_scenario(BUSY)))
    whole = run_ensemble(model, 240, 5)
    with RunStore(tmp_path / "runs.sqlite") as store:
        with pytest.raises(KeyboardInterrupt):
            run_parallel(model, 240, 5, workers=2, store=store, chunk=20, progress=_StopAfter(60))
        [e] = store.ensembles()
        assert e["status"] == "interrupted" and 60 <= e["saved"] < 240
        # another seed is another ensemble: resume must not pick the interrupted one
        other = run_parallel(model, 10, 6, workers=1, store=store, resume=True)
        assert other.ensemble_id != e["id"]
        ran: list[int] = []
        resumed = run_parallel(model, 240, 5, workers=2, store=store, resume=True,
                               progress=lambda done, total: ran.append(done))
        assert resumed.ensemble_id == e["id"]
        assert ran[0] == e["saved"]  # the saved replications were not run again
        assert store.ensemble(e["id"])["status"] == "complete"
    assert _packed(resumed.results) == _packed(whole.results)
    assert resumed.summary() == whole.summary()


def test_replications_made_by_another_version_of_the_model_are_not_resumed(write_scenario, tmp_path, monkeypatch):
    """The store's key for a model includes the digest of the model's sources: after a change to the
    model's code (which can change every result for a seed), resuming starts a new ensemble instead of
    mixing the old replications with new ones."""
    from diplosim.run import store as store_module

    model = compile_scenario(load_scenario(write_scenario(BUSY)))
    with RunStore(tmp_path / "runs.sqlite") as store:
        with pytest.raises(KeyboardInterrupt):
            run_parallel(model, 80, 5, workers=1, store=store, chunk=20, progress=_StopAfter(20))
        [old] = store.ensembles()
        assert store.find_resumable(model, 5) == old["id"]
        monkeypatch.setattr(store_module, "_model_sources", lambda: "another version of the model")
        assert store.find_resumable(model, 5) is None
        resumed = run_parallel(model, 80, 5, workers=1, store=store, resume=True)
        assert resumed.ensemble_id != old["id"] and store.ensemble(old["id"])["status"] == "interrupted"


def _saved_rows(db_path):
    try:
        with sqlite3.connect(db_path, timeout=1) as db:
            return db.execute("SELECT COUNT(*) FROM replications").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


@pytest.mark.parametrize("sig, status", [(signal.SIGINT, 130), (signal.SIGTERM, 128 + signal.SIGTERM)])
@pytest.mark.slow
def test_a_real_signal_leaves_finished_replications_and_resume_completes(write_scenario, tmp_path, sig, status):
    # A heavier scenario (about 300 missile tests a year, a few ms a replication)
    # in chunks of 4, so the run lasts about a second and the signal, sent once
    # the first chunk is saved, lands part-way.
    path = write_scenario(scenario_dict(triggers=[{"id": "m", "kind": "missile_test", "rate": 300}]))
    db = tmp_path / "store.sqlite"
    runs, seed = 240, 3
    cmd = [sys.executable, str(REPO / "run.py"), "run", str(path), "--runs", str(runs), "--seed", str(seed),
           "--store", str(db), "--workers", "2", "--chunk", "4", "--json"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while _saved_rows(db) == 0 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == status, err
    lines = [line for line in err.splitlines() if "%" not in line]  # progress lines aside: one line
    assert lines == [f"diplosim: {'interrupted' if sig == signal.SIGINT else 'terminated'}; finished replications "
                     f"are in the run store {db} (run again with --resume)"], err
    assert "Traceback" not in err
    saved = _saved_rows(db)
    assert 0 < saved < runs
    with RunStore(db) as store:
        [e] = store.ensembles()
        assert e["status"] == "interrupted"
    done = subprocess.run([*cmd, "--resume"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    whole = run_ensemble(load_scenario(path), runs, seed)
    assert json.loads(done.stdout) == whole.summary()
    with RunStore(db) as store:
        [e] = store.ensembles()
        assert (e["saved"], e["status"]) == (runs, "complete")
        assert _packed(store.results(e["id"])) == _packed(whole.results)


def test_runs_and_export_commands(write_scenario, tmp_path, capsys):
    path = str(write_scenario(BUSY))
    # two runs into one store (an --out folder holds one run; the store can hold many)
    store = str(tmp_path / "runs.sqlite")
    out = tmp_path / "out"
    assert main(["run", path, "--runs", "50", "--seed", "2", "--out", str(tmp_path / "first"), "--store", store,
                 "--workers", "1"]) == 0
    assert main(["run", path, "--runs", "30", "--seed", "9", "--out", str(out), "--store", store,
                 "--workers", "2"]) == 0
    capsys.readouterr()
    assert main(["runs", store]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert len(listing) == 3 and "complete" in listing[1] and "50/50" in listing[1] and "30/30" in listing[2]
    assert main(["export", store, "--ensemble", "1", "--to", str(tmp_path / "one.csv")]) == 0
    exported = (tmp_path / "one.csv").read_text().splitlines()
    written = (out / "replications.csv").read_text().splitlines()  # the last run's file (ensemble 2)
    assert len(exported) == 51 and exported[0].startswith("ensemble,replication,root_seed,outcome")
    assert main(["export", store, "--to", str(tmp_path / "all.parquet")]) == 0
    table = pq.read_table(tmp_path / "all.parquet").to_pylist()
    assert len(table) == 80 and [r["ensemble"] for r in table].count(2) == 30
    ours = [",".join(str(v) for k, v in r.items() if k != "ensemble") for r in table if r["ensemble"] == 2]
    assert len(ours) == len(written) - 1
    assert main(["export", store, "--provenance"]) == 0
    assert capsys.readouterr().out.count("\n") == 3


def test_store_usage_errors(write_scenario, tmp_path, capsys):
    path = str(write_scenario(BUSY))
    assert main(["run", path, "--runs", "5", "--resume"]) == 2
    assert "--resume needs a run store" in capsys.readouterr().err
    assert main(["runs", str(tmp_path / "nowhere.sqlite")]) == 2
    assert main(["run", path, "--runs", "5", "--workers", "0"]) == 2
    assert main(["run", path, "--runs", "5", "--chunk", "0"]) == 2
    assert not os.path.exists(tmp_path / "nowhere.sqlite")
    store = str(tmp_path / "runs.sqlite")
    assert main(["run", path, "--runs", "5", "--store", store, "--workers", "1"]) == 0
    capsys.readouterr()
    assert main(["export", store, "--to", str(tmp_path / "x.xlsx")]) == 2  # not silently CSV
    assert "cannot write '.xlsx' files; --to takes a file ending in .csv or .parquet" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()


def _flip_a_result_byte(db_path: Path) -> None:
    """Flip one digit inside a stored result, in the file itself (SQLite's own checks still pass)."""
    raw = bytearray(db_path.read_bytes())
    at = raw.find(b'"renewed"')
    if at < 0:
        at = raw.find(b'"suspended"')
    digit = next(i for i in range(at, len(raw)) if chr(raw[i]).isdigit())
    raw[digit] = ord("7") if raw[digit] != ord("7") else ord("3")
    db_path.write_bytes(bytes(raw))


def test_a_flipped_byte_in_the_results_is_refused_on_resume_runs_and_export(write_scenario, tmp_path, capsys):
    path = str(write_scenario(BUSY))
    store = tmp_path / "runs.sqlite"
    assert main(["run", path, "--runs", "40", "--seed", "3", "--store", str(store), "--workers", "1"]) == 0
    with sqlite3.connect(store) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    _flip_a_result_byte(store)
    with sqlite3.connect(store) as db:  # the damage is invisible to SQLite
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    capsys.readouterr()
    for argv in (["run", path, "--runs", "40", "--seed", "3", "--store", str(store), "--resume"],
                 ["runs", str(store)], ["export", str(store)]):
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert str(store) in err and "checksum" in err and len(err.strip().splitlines()) == 1, err


def test_a_file_that_is_not_a_store_is_never_overwritten(write_scenario, tmp_path, capsys):
    path = str(write_scenario(BUSY))
    for content in (b"x", b"some notes, not a database\n"):
        other = tmp_path / "notes.txt"
        other.write_bytes(content)
        assert main(["run", path, "--runs", "5", "--store", str(other)]) == 2
        assert other.read_bytes() == content
        assert f"{other}: not a diplosim run store" in capsys.readouterr().err
    foreign = tmp_path / "other.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE notes (x TEXT)")
    assert main(["runs", str(foreign)]) == 2
    assert "not a diplosim run store" in capsys.readouterr().err


# -- rows that are intact but not this ensemble's: a checksum binds each row to its ensemble ---------------------


def _two_stores(write_scenario, tmp_path):
    """Two stores of the same scenario, each with one ensemble (id 1) of 30 replications, seeds 3 and 4."""
    model = compile_scenario(load_scenario(write_scenario(BUSY)))
    paths = []
    for seed in (3, 4):
        path = tmp_path / f"seed{seed}.sqlite"
        with RunStore(path) as store:
            run_parallel(model, 30, seed, workers=1, store=store)
        paths.append(path)
    return model, paths


def _refused_everywhere(path: Path, capsys) -> None:
    """Every reader of the store refuses it with one line naming the file and the checksum."""
    with RunStore(path) as store, pytest.raises(StoreError, match=r"replication 0 of ensemble 1 does not match "
                                                                    r"its checksum"):
        store.results(1)
    for argv in (["runs", str(path)], ["export", str(path)]):
        capsys.readouterr()
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert str(path) in err and "checksum" in err and len(err.strip().splitlines()) == 1, err


def test_rows_copied_from_another_store_are_refused(write_scenario, tmp_path, capsys):
    model, (ours, theirs) = _two_stores(write_scenario, tmp_path)
    with RunStore(ours) as store:
        before = _packed(store.results(1))
    with sqlite3.connect(ours) as db:  # the other store's rows in place of ours, checksums and all
        db.execute("ATTACH DATABASE ? AS other", (str(theirs),))
        db.execute("DELETE FROM replications")
        db.execute("INSERT INTO replications SELECT * FROM other.replications")
        assert db.execute("SELECT COUNT(*) FROM replications").fetchone() == (30,)
    with RunStore(theirs) as store:
        assert _packed(store.results(1)) != before  # other seeds: other results, which would pass unseen
    _refused_everywhere(ours, capsys)
    with RunStore(ours) as store, pytest.raises(StoreError, match="checksum"):
        run_parallel(model, 30, 3, workers=1, store=store, resume=True)


def test_two_ensembles_with_their_ids_swapped_are_refused(write_scenario, tmp_path, capsys):
    model = compile_scenario(load_scenario(write_scenario(BUSY)))
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        run_parallel(model, 30, 3, workers=1, store=store)
        run_parallel(model, 30, 4, workers=1, store=store)
        store.verify()
    with sqlite3.connect(path) as db:  # ensemble 1's provenance now heads ensemble 2's rows, and back
        db.execute("UPDATE ensembles SET id = -1 WHERE id = 1")
        db.execute("UPDATE ensembles SET id = 1 WHERE id = 2")
        db.execute("UPDATE ensembles SET id = 2 WHERE id = -1")
    with RunStore(path) as store:
        assert [e["root_seed"] for e in store.ensembles()] == [4, 3]  # each provenance passes on its own
    _refused_everywhere(path, capsys)


def test_a_copied_row_under_another_index_is_refused(write_scenario, tmp_path):
    model = compile_scenario(load_scenario(write_scenario(BUSY)))
    path = tmp_path / "runs.sqlite"
    with RunStore(path) as store:
        run_parallel(model, 30, 3, workers=1, store=store)
    with sqlite3.connect(path) as db:  # replication 1's row (checksum and all) filed again as replication 0
        cols = [c for (_, c, *_) in db.execute("PRAGMA table_info(replications)") if c != "replication"]
        row = db.execute(f"SELECT {', '.join(cols)} FROM replications WHERE replication = 1").fetchone()
        db.execute("DELETE FROM replications WHERE replication = 0")
        db.execute(f"INSERT INTO replications (replication, {', '.join(cols)}) VALUES (0, "
                   f"{', '.join('?' * len(cols))})", row)
    with RunStore(path) as store, pytest.raises(StoreError, match="replication 0 of ensemble 1 does not match"):
        store.results(1)


def test_a_store_from_before_the_binding_is_refused_with_what_to_do(write_scenario, tmp_path, capsys):
    path = str(write_scenario(BUSY))
    store = tmp_path / "runs.sqlite"
    assert main(["run", path, "--runs", "5", "--store", str(store), "--workers", "1"]) == 0
    with sqlite3.connect(store) as db:
        db.execute("UPDATE store_info SET value = '3' WHERE key = 'schema_version'")
    capsys.readouterr()
    assert main(["runs", str(store)]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert str(store) in line and "schema 3" in line and "rerun into a new store" in line, line


def test_a_scenario_file_name_that_is_not_utf8_is_stored_escaped(write_scenario, tmp_path):
    plain = write_scenario(BUSY)
    odd = Path(os.fsdecode(bytes(tmp_path) + b"/x\xff.yaml"))  # the byte 0xff arrives as the surrogate \udcff
    odd.write_bytes(plain.read_bytes())
    model = compile_scenario(load_scenario(odd))
    with RunStore(tmp_path / "runs.sqlite") as store:
        run_parallel(model, 5, 1, workers=1, store=store)
        [e] = store.ensembles()
        assert e["scenario_file"] == str(odd).replace("\udcff", "\\udcff") and e["saved"] == 5
