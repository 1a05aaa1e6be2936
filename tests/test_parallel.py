"""Parallel ensembles: the same results whatever the workers, the chunking or the backend."""

import io
import json

import distributed
import pytest

from diplosim import compile_scenario, load_scenario, run_ensemble
from diplosim.run.parallel import chunk_size, chunks_of, pack, run_parallel, unpack
from diplosim.run.progress import ProgressBar
from tests.conftest import scenario_dict

BUSY = scenario_dict(triggers=[
    {"id": "missiles", "kind": "missile_test", "rate": 12},
    {"id": "rulings", "kind": "court_ruling", "rate": 3},
    {"id": "pressure", "kind": "us_pressure", "rate": 4},
    {"id": "curbs", "kind": "export_control", "at": "2017-07-04", "source": "test"},
    {"id": "poll", "kind": "poll", "at": "2017-09-01", "approval": 45, "source": "test"},
])


@pytest.fixture
def busy_model(write_scenario):
    return compile_scenario(load_scenario(write_scenario(BUSY)))


def _packed(ens):
    return [pack(r) for r in ens.results]


def test_one_and_two_workers_and_any_chunking_give_identical_results(busy_model):
    serial = run_ensemble(busy_model, 300, 11)
    one = run_parallel(busy_model, 300, 11, workers=1)
    two = run_parallel(busy_model, 300, 11, workers=2, chunk=7)
    assert [r.index for r in two.results] == list(range(300))
    assert _packed(serial) == _packed(one) == _packed(two)
    assert json.dumps(serial.summary(), sort_keys=True) == json.dumps(two.summary(), sort_keys=True)
    # and the seed matters: another root seed gives other replications
    assert _packed(run_parallel(busy_model, 300, 12, workers=2)) != _packed(two)


def test_dask_local_cluster_gives_the_local_result(busy_model):
    local = run_parallel(busy_model, 120, 4, workers=2)
    # Worker threads in this process, but over TCP on loopback: starts in about
    # a second and takes the same path (connect, scatter, submit, as_completed,
    # results sent back over the network) as a cluster on other hosts.
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        remote = run_parallel(busy_model, 120, 4, scheduler=cluster.scheduler_address, chunk=9)
    assert _packed(remote) == _packed(local)


def test_pack_round_trips_through_json(busy_model):
    for r in run_ensemble(busy_model, 20, 2).results:
        assert pack(unpack(json.loads(json.dumps(pack(r))))) == pack(r)


def test_chunks_cover_every_index_once():
    indices = list(range(1003))
    size = chunk_size(len(indices), 2)
    chunks = chunks_of(indices, size)
    assert [i for c in chunks for i in c] == indices
    assert max(len(c) for c in chunks) == size
    assert chunk_size(1, 8) == 1 and chunk_size(10**7, 2) == 500


def test_progress_is_reported_per_chunk_and_drawn_only_when_enabled(busy_model):
    seen: list[tuple[int, int]] = []
    run_parallel(busy_model, 50, 1, workers=2, chunk=10, progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 50) and seen[-1] == (50, 50)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    shown, hidden = io.StringIO(), io.StringIO()
    for stream, enabled in ((shown, True), (hidden, None)):  # None: only on a terminal (StringIO is not)
        bar = ProgressBar("x", stream, enabled)
        for done in (0, 25, 50):
            bar(done, 50)
    last = shown.getvalue().rstrip("\n").rsplit("\r", 1)[1]
    assert " 50/50 " in last and "left" in last and shown.getvalue().endswith("\n")
    assert hidden.getvalue() == ""


def test_progress_outside_a_terminal_is_plain_lines_at_intervals_and_silent_for_short_work():
    now = [0.0]
    stream = io.StringIO()  # not a terminal, like a notebook's or a log file's stderr
    bar = ProgressBar("run", stream, clock=lambda: now[0], line_every=5.0)
    for t, done in ((0.0, 0), (2.0, 10), (5.5, 30), (7.0, 40), (11.0, 90), (12.0, 100)):
        now[0] = t
        bar(done, 100)
    lines = stream.getvalue().splitlines()
    assert "\r" not in stream.getvalue()
    assert len(lines) == 3  # at 5.5 s, at 11 s (5 s later), and the end
    assert lines[0].startswith("run: 30/100 (30%)") and lines[-1] == "run: 100/100 (100%), 8/s, done"
    quick = io.StringIO()
    short = ProgressBar("run", quick, clock=lambda: 0.5)
    short(0, 10)
    short(10, 10)
    assert quick.getvalue() == ""  # work shorter than the interval prints nothing
