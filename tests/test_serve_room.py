"""The classroom server for a room: the fair queue, the place in it, first estimates, result links, groups."""

from __future__ import annotations

import contextlib
import functools
import http.client
import io
import json
import random
import re
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from diplosim.explore.compare import compare
from diplosim.present import classroom_groups, classroom_jobs, classroom_queue
from diplosim.present.classroom import ClassroomApp, ClassroomServer
from diplosim.present.classroom_jobs import Client, Job
from diplosim.present.classroom_queue import worker_task
from diplosim.present.classroom_state import Workspace, prepare
from diplosim.run.ensemble import run_indices
from tests.browser import require_chromium
from tests.test_serve import _distribution, _playwright
from tests.test_serve import finished as finished_within
from tests.test_serve_limits import Blocker

EPISODE = "history/gsomia-2019.yaml"
REPO = Path(__file__).resolve().parent.parent


def post(app: ClassroomApp, route: str, body: Any, client: Client = classroom_jobs.LOCAL) -> tuple[int, Any]:
    status, _, raw = app.handle("POST", route, body, client)
    return status, json.loads(raw)


def get(app: ClassroomApp, route: str) -> tuple[int, Any]:
    status, _, raw = app.handle("GET", route)
    return status, json.loads(raw)


# a room's jobs share the pool with others: twice test_serve's patience
finished = functools.partial(finished_within, timeout=120.0)


@pytest.fixture
def blocked_threads(monkeypatch) -> Iterator[tuple[ClassroomApp, Blocker, list[tuple[str, Any]]]]:
    """An app with one worker (tasks in a thread here, so that they can be watched), held by a blocker;
    and the list of tasks as the queue hands them out: (job id, what the task runs)."""
    served: list[tuple[str, Any]] = []
    app = ClassroomApp(workers=1, processes=False)
    real_pick = app.jobs.queue._pick

    def pick() -> Any:
        task = real_pick()
        if task is not None:
            served.append((task.job.ident, task.key))
        return task

    monkeypatch.setattr(app.jobs.queue, "_pick", pick)
    blocker = Blocker()
    app.jobs.submit(blocker, Client("teacher"))
    deadline = time.monotonic() + 10
    while blocker.status == "queued" and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield app, blocker, served
    finally:
        blocker.go.set()
        app.close()


# ---------------------------------------------------------------- the fair queue


def test_the_queue_serves_pages_in_turn_first_estimates_first(blocked_threads, monkeypatch):
    monkeypatch.setattr(classroom_jobs, "FIRST_ESTIMATE", 200)  # the rule, whatever the size chosen
    monkeypatch.setattr(classroom_jobs, "FIRST_CHUNK", 200)
    app, blocker, served = blocked_threads
    a, b, c = (Client("127.0.0.1", page * 16) for page in "abc")  # one address: a room on one machine
    state = {"episode": EPISODE, "runs": 400}
    a1 = post(app, "/api/run", {"now": state}, a)[1]["job"]
    a2 = post(app, "/api/run", {"now": {**state, "seed": "1"}}, a)[1]["job"]
    b1 = post(app, "/api/run", {"now": state}, b)[1]["job"]
    c1 = post(app, "/api/run", {"now": state}, c)[1]["job"]
    positions = {job: get(app, f"/api/jobs/{job}")[1]["position"] for job in (a1, a2, b1, c1)}
    assert positions == {a1: 1, b1: 2, c1: 3, a2: 4}  # each page's first run, then a's second
    blocker.go.set()
    for job in (a1, a2, b1, c1):
        finished(app, job)
    order = [(job, key[1]) for job, key in served if job != blocker.ident]
    # first estimates (replications 0..199) of every run before anyone's later chunks, pages in turn ...
    assert order[:4] == [(a1, 0), (b1, 0), (c1, 0), (a2, 0)]
    # ... then a chunk per page in turn (a's runs one after the other: a page's own jobs in order)
    assert order[4:10] == [(b1, 200), (c1, 200), (a1, 200), (b1, 300), (c1, 300), (a1, 300)]
    assert order[10:] == [(a2, 200), (a2, 300)]


def test_a_first_estimate_is_shown_at_the_next_poll_not_a_snapshot_interval_later():
    ws = Workspace()
    try:
        job = Job(prepare({"episode": EPISODE, "runs": 3 * classroom_jobs.FIRST_ESTIMATE, "seed": "2"}, ws), None)
        task = job.next_task()
        job.sent += 1
        assert job.snapshot()["now"] is None  # running, nothing in: no numbers, and the snapshot is fresh
        job.accept(task, worker_task(task.args)[0])  # the first estimate's replications are in
        snap = job.snapshot()  # within SNAPSHOT_SECONDS of the last one, and still it shows them
        assert snap["now"] is not None and snap["done"] == classroom_jobs.FIRST_ESTIMATE and snap["partial"]
        task = job.next_task()
        job.sent += 1
        job.accept(task, worker_task(task.args)[0])
        assert job.snapshot()["done"] == classroom_jobs.FIRST_ESTIMATE  # later chunks wait for the interval
    finally:
        ws.close()


def test_a_waiting_run_has_its_place_and_no_numbers_then_a_first_estimate_then_the_full_run(blocked_threads):
    app, blocker, _ = blocked_threads
    state = {"episode": EPISODE, "runs": 600, "seed": "5"}
    status, answer = post(app, "/api/run", {"now": state}, Client("x", "e" * 16))
    assert status == 200
    status, raw, text = app.handle("GET", f"/api/jobs/{answer['job']}")
    snap = json.loads(text)
    assert snap["status"] == "queued" and snap["position"] == 1 and snap["done"] == snap["ran"] == 0
    assert snap["now"] is None and snap["before"] is None and snap["outcomes"] is None and not snap["partial"]
    assert b'"p"' not in text and b'"ci"' not in text  # no probability, no interval anywhere
    seen = []
    job = app.jobs.get(answer["job"])
    assert job is not None
    blocker.go.set()
    while job.finished is None:
        job._built_at = 0.0  # every poll a fresh snapshot
        snap = get(app, f"/api/jobs/{job.ident}")[1]
        seen.append((snap["done"], snap["partial"], snap["now"] is not None))
        time.sleep(0.005)
    final = get(app, f"/api/jobs/{job.ident}")[1]
    numbers = [done for done, partial, shown in seen if shown]
    assert all(done >= classroom_jobs.FIRST_ESTIMATE for done in numbers)  # numbers from the first estimate on
    assert all(partial == (shown and done < 600) for done, partial, shown in seen)
    assert final["partial"] is False and final["done"] == 600 and final["ran"] == final["total"] == 600


def test_the_same_seed_gives_the_same_numbers_however_the_run_is_cut_and_in_what_order_chunks_come(monkeypatch):
    ws = Workspace()
    state = {"episode": EPISODE, "runs": 260, "seed": "7"}
    try:
        def finished_job(first: int, chunk: int, shuffle: bool) -> dict[str, Any]:
            monkeypatch.setattr(classroom_jobs, "FIRST_ESTIMATE", first)
            monkeypatch.setattr(classroom_jobs, "FIRST_CHUNK", first)
            monkeypatch.setattr(classroom_jobs, "CHUNK", chunk)
            before = prepare({**state, "mechanisms": {"quasi_alliance": False}}, ws)
            job = Job(prepare(state, ws), before)
            tasks = []
            while job.has_work():
                tasks.append(job.next_task())
                job.sent += 1
            if shuffle:
                random.Random(3).shuffle(tasks)  # chunks come back in any order
            for task in tasks:
                job.accept(task, worker_task(task.args)[0])
            job.complete()
            snap = job.snapshot()
            return {k: snap[k] for k in ("now", "before", "difference", "outcomes", "done")}

        one = finished_job(200, 100, False)
        other = finished_job(30, 17, True)
        models = [prepare(s, ws).model for s in ({**state, "mechanisms": {"quasi_alliance": False}}, state)]
    finally:
        ws.close()
    assert one == other and one["done"] == 260
    report = compare(models, 260, 7, lambda model, runs, seed: run_indices(model, seed, range(runs)))
    assert one["difference"] == report["scenarios"][1]["difference"]
    assert {n: o["p"] for n, o in one["now"]["summary"]["outcomes"].items()} == \
        {n: o["p"] for n, o in report["scenarios"][1]["outcomes"].items()}


def test_the_pool_gives_the_numbers_run_json_gives(tmp_path):
    from tests.test_serve import cli_lines

    app = ClassroomApp(workers=2)
    try:
        state = {"episode": EPISODE, "runs": 250, "seed": "11", "params": {"anti_japan_weight": 2.5}}
        job = post(app, "/api/run", {"now": state})[1]["job"]
        snap = finished(app, job)
        saved = post(app, "/api/scenario", state)[1]
    finally:
        app.close()
    (tmp_path / saved["filename"]).write_text(saved["yaml"], encoding="utf-8")
    code, out, err = cli_lines(["run", saved["filename"], "--seed", "11", "--runs", "250", "--json", "--workers", "1"],
                               tmp_path)
    assert code == 0, err
    assert json.loads(out)["outcomes"] == snap["now"]["summary"]["outcomes"]


# ---------------------------------------------------------------- caps for a room


def test_a_room_of_forty_pages_on_one_address_may_each_queue_a_run_and_a_story(blocked_threads):
    app, _, _ = blocked_threads
    state = {"episode": EPISODE, "runs": 10}
    pages = [Client("127.0.0.1", f"{i:016x}") for i in range(classroom_jobs.ROOM_PAGES)]
    for page in pages:
        assert post(app, "/api/run", {"now": state}, page)[0] == 200
        assert post(app, "/api/story", state, page)[0] == 200
    status, answer = post(app, "/api/run", {"now": state}, Client("127.0.0.1", "f" * 16))
    assert status == 429 and answer["error"]["message"].startswith("this address (127.0.0.1) has 80 runs")
    status, answer = post(app, "/api/run", {"now": state}, Client("10.1.1.1", "f" * 16))
    assert status == 200  # another address still gets in: the server's cap is above a room's
    assert classroom_jobs.MAX_CLIENT_JOBS < classroom_jobs.MAX_QUEUED_JOBS


# ---------------------------------------------------------------- results a link can carry


def test_a_finished_run_stays_fetchable_as_a_result_and_the_oldest_are_forgotten(monkeypatch):
    monkeypatch.setattr(classroom_jobs, "MAX_RESULTS", 2)
    app = ClassroomApp(workers=1, processes=False)
    try:
        jobs = [post(app, "/api/run", {"now": {"episode": EPISODE, "runs": 20, "seed": str(i)}})[1]["job"]
                for i in range(3)]
        finals = [finished(app, job) for job in jobs]
        assert [f["result"] for f in finals] == jobs
        assert get(app, f"/api/result/{jobs[0]}")[0] == 404  # the oldest is forgotten
        for job, final in zip(jobs[1:], finals[1:], strict=True):
            status, kept = get(app, f"/api/result/{job}")
            assert status == 200 and kept == final
        status, answer = get(app, "/api/result/0123456789abcdef")
        assert status == 404 and "no such result" in answer["error"]["message"]
        assert app.handle("POST", f"/api/result/{jobs[1]}", {})[0] == 405
    finally:
        app.close()


# ---------------------------------------------------------------- groups


def test_groups_save_list_and_compare_with_common_random_numbers():
    app = ClassroomApp(workers=2)
    try:
        base = {"episode": EPISODE}
        states = {"Group 1": base, "group-2": {**base, "mechanisms": {"quasi_alliance": False}},
                  "g3": {**base, "params": {"anti_japan_weight": 2.5}}}
        for name, state in states.items():
            status, saved = post(app, "/api/groups", {"group": name, "state": state})
            assert status == 200 and saved["group"] == name and saved["episode"] == EPISODE, saved
        post(app, "/api/groups", {"group": "g3", "state": {**base, "params": {"anti_japan_weight": 3.0}}})  # replaced
        status, listing = get(app, "/api/groups")
        assert status == 200 and [g["group"] for g in listing["groups"]] == ["Group 1", "group-2", "g3"]
        assert listing["groups"][2]["changes"] and listing["groups"][0]["changes"] == []
        status, answer = post(app, "/api/groups/compare", {"groups": ["group-2", "Group 1", "g3"], "runs": 150,
                                                           "seed": "2"})
        assert status == 200, answer
        snap = finished(app, answer["job"])
        chosen = [states["group-2"], states["Group 1"], {**base, "params": {"anti_japan_weight": 3.0}}]
        models = [prepare({**s, "runs": 150, "seed": 2}, app.workspace).model for s in chosen]
        report = compare(models, 150, 2, lambda model, runs, seed: run_indices(model, seed, range(runs)))
    finally:
        app.close()
    assert snap["kind"] == "compare" and snap["outcomes"] == report["outcomes"]
    assert [s["label"] for s in snap["scenarios"]] == ["group-2", "Group 1", "g3"]
    for mine, theirs in zip(snap["scenarios"], report["scenarios"], strict=True):
        assert mine["outcomes"] == theirs["outcomes"] and mine.get("difference") == theirs.get("difference")


@pytest.mark.parametrize(("body", "target", "words"), [
    ({"group": "", "state": {"episode": EPISODE}}, "group", "a group's name"),
    ({"group": "a/b", "state": {"episode": EPISODE}}, "group", "a group's name"),
    ({"group": "ok", "state": 3}, "state", "settings"),
    ({"group": "ok", "state": {"episode": "history/nothing.yaml"}}, "episode", ""),
    ({"group": "ok", "state": {"episode": EPISODE}, "more": 1}, "request", "only 'group' and 'state'"),
])
def test_a_bad_group_save_is_a_400_naming_its_field(body, target, words):
    app = ClassroomApp(workers=1, processes=False)
    try:
        status, answer = post(app, "/api/groups", body)
    finally:
        app.close()
    assert status == 400 and answer["error"]["target"] == target and words in answer["error"]["message"], answer


def test_group_comparisons_name_saved_groups_and_the_groups_kept_are_capped(monkeypatch):
    monkeypatch.setattr(classroom_groups, "MAX_GROUPS", 2)
    app = ClassroomApp(workers=1, processes=False)
    try:
        for name in ("a", "b"):
            assert post(app, "/api/groups", {"group": name, "state": {"episode": EPISODE}})[0] == 200
        status, answer = post(app, "/api/groups", {"group": "c", "state": {"episode": EPISODE}})
        assert status == 400 and "at most 2" in answer["error"]["message"]
        assert post(app, "/api/groups", {"group": "b", "state": {"episode": EPISODE, "runs": 5}})[0] == 200
        for groups, words in ((["a"], "2 to 8"), (["a", "zz"], "no group saved"), (["a", "a"], "named twice"),
                              ("ab", "2 to 8")):
            status, answer = post(app, "/api/groups/compare", {"groups": groups})
            assert status == 400 and words in answer["error"]["message"] and answer["error"]["target"] == "groups"
        assert app.jobs.pending() == []
    finally:
        app.close()


# ---------------------------------------------------------------- a queued student in a real browser


@pytest.mark.slow
def test_a_queued_student_sees_a_place_in_the_queue_and_no_numbers_in_chromium():
    chromium = require_chromium()
    sync_playwright = _playwright()
    app = ClassroomApp(workers=1)
    blocker = Blocker()
    server = ClassroomServer("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    problems: list[str] = []
    try:
        app.jobs.submit(blocker, Client("10.0.0.9", "9" * 16))  # another page's run holds the one worker
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.goto(server.url)
            page.wait_for_selector("body[data-ready=yes]", timeout=20_000)
            page.select_option("#episode", EPISODE)
            page.wait_for_selector("#mechanism-quasi_alliance")
            page.fill("#runs", "1000")
            page.evaluate("""() => { window.__statuses = [];  // every status line the page shows, as it shows it
              new MutationObserver(() => __statuses.push(document.getElementById("status").textContent))
                .observe(document.getElementById("status"), {childList: true, characterData: true,
                                                             subtree: true}); }""")
            page.click("#run")
            page.wait_for_selector("body[data-run=queued][data-position='1']", timeout=20_000)
            time.sleep(0.6)  # a few polls while it waits
            status = page.inner_text("#status")
            waiting = page.inner_text("#progress-text")
            cells = page.query_selector_all("#outcome-table td")
            chart_texts = page.inner_text("#outcome-chart") if page.query_selector("#outcome-chart text") else ""
            blocker.go.set()
            page.wait_for_selector("body[data-run=done]", timeout=60_000)
            now = _distribution(page, "now")
            statuses = page.evaluate("window.__statuses")
            browser.close()
    finally:
        blocker.go.set()
        server.shutdown()
        server.server_close()
    assert problems == []
    # the first estimate says how many replications it rests on, and the most likely outcome's interval
    first = [line for line in statuses if line.startswith("First estimate from ")]
    assert first, statuses
    said = re.match(r"First estimate from (\d+) of 1000 replications: most likely .+, "
                    r"\d+\.\d% \[\d+\.\d, \d+\.\d\] \(95% interval\)\. ", first[0])
    assert said and classroom_jobs.FIRST_ESTIMATE <= int(said.group(1)) < 1000, first[0]
    assert "place 1" in status and "Running" not in status, status
    assert "no numbers" in waiting and cells == [] and chart_texts == ""  # not a row of 0.000 [0.000, 1.000]
    assert "%" not in status + waiting
    assert sum(now.values()) == pytest.approx(1.0, abs=1e-5) and len(now) >= 2


def test_serve_runs_the_room_on_the_workers_it_is_given():
    from tests.test_serve import start_serve

    proc, url = start_serve("--workers", "1")
    try:
        host = url.split("/")[2]
        headers = {"Content-Type": "application/json", "X-Diplosim-Client": "d" * 16}

        def ask(method: str, path: str, body: Any = None) -> Any:
            conn = http.client.HTTPConnection(host, timeout=30)
            try:
                conn.request(method, path, None if body is None else json.dumps(body), headers)
                return json.loads(conn.getresponse().read())
            finally:
                conn.close()

        job = ask("POST", "/api/run", {"now": {"episode": EPISODE, "runs": 60}})["job"]
        deadline = time.monotonic() + 60
        while (snap := ask("GET", f"/api/jobs/{job}"))["status"] in ("queued", "running"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        result = ask("GET", f"/api/result/{job}")
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
    assert snap["status"] == "done" and snap["done"] == 60 and result == snap
    assert proc.returncode == 0
    assert main_status(["serve", "--workers", "0"]) == 2


def main_status(argv: list[str]) -> int:
    from diplosim.cli import main as cli

    with contextlib.redirect_stderr(io.StringIO()):
        try:
            return cli.main(argv)
        except SystemExit as exc:
            return int(exc.code or 0)


def test_without_a_pool_of_processes_the_runs_go_on_in_threads(monkeypatch):
    class NoProcesses:
        def Pool(self, *args: Any, **kwargs: Any) -> Any:  # noqa: N802 - multiprocessing's name
            raise PermissionError("no semaphores here")

    monkeypatch.setattr(classroom_queue, "_context", NoProcesses)
    monkeypatch.setenv("DIPLOSIM_COMPILED", "0")  # not a compiled pool either, where a compiled copy is built
    app = ClassroomApp(workers=2)
    try:
        app.jobs.open()
        assert app.jobs.queue.fallback == "PermissionError: no semaphores here"
        snap = finished(app, post(app, "/api/run", {"now": {"episode": EPISODE, "runs": 30}})[1]["job"])
    finally:
        app.close()
    assert snap["done"] == 30 and snap["now"]["summary"]["outcomes"]


def test_a_room_connecting_at_the_same_moment_is_not_turned_away():
    """Forty pages connect before the server accepts any (as when it is busy loading a scenario): every
    one is answered (a listen backlog of socketserver's 5 leaves most of them hanging or reset)."""
    app = ClassroomApp(workers=1, processes=False)
    server = ClassroomServer("127.0.0.1", 0, app)
    sockets: list[socket.socket] = []
    received: dict[socket.socket, bytes] = {}
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    try:
        for _ in range(40):
            sockets.append(socket.create_connection(("127.0.0.1", server.port), timeout=5))
        serving.start()
        with selectors.DefaultSelector() as waiting:
            for sock in sockets:
                sock.sendall(f"GET /api/meta HTTP/1.1\r\nHost: 127.0.0.1:{server.port}\r\nConnection: close\r\n\r\n"
                             .encode())
                sock.setblocking(False)
                received[sock] = b""
                waiting.register(sock, selectors.EVENT_READ)
            deadline = time.monotonic() + 30  # one deadline for all: a refused room fails in 30 s, not hangs
            while waiting.get_map() and time.monotonic() < deadline:
                for key, _ in waiting.select(timeout=1):
                    sock = key.fileobj
                    assert isinstance(sock, socket.socket)
                    try:
                        chunk = sock.recv(65536)
                    except OSError:
                        chunk = b""
                    received[sock] += chunk
                    if not chunk:
                        waiting.unregister(sock)
    finally:
        for sock in sockets:
            sock.close()
        if serving.is_alive():
            server.shutdown()
        server.server_close()
    answered = sum(data.startswith(b"HTTP/1.1 200") for data in received.values())
    assert answered == 40


# ---------------------------------------------------------------- the room's workers on the compiled model


def test_the_rooms_workers_run_a_compiled_copy_only_when_one_fits_these_sources(tmp_path, monkeypatch):
    from diplosim.model import COMPILED_ENV, MANIFEST, default_compiled_dir
    from tests.test_compiled import _fake_copy

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))  # the default place, here
    monkeypatch.delenv(COMPILED_ENV, raising=False)
    assert classroom_queue.room_compiled() is None  # none built: a fresh clone runs pure Python
    where = _fake_copy(default_compiled_dir())  # a copy whose manifest fits this Python and these sources
    assert classroom_queue.room_compiled() == where
    monkeypatch.setenv(COMPILED_ENV, "0")  # pure Python asked for
    assert classroom_queue.room_compiled() is None
    monkeypatch.delenv(COMPILED_ENV)
    manifest = json.loads((where / MANIFEST).read_text(encoding="utf-8"))
    (where / MANIFEST).write_text(json.dumps({**manifest, "digest": "0" * 64}), encoding="utf-8")
    assert classroom_queue.room_compiled() is None  # built from other sources: not used, no error


@pytest.mark.slow
def test_the_rooms_compiled_workers_give_the_numbers_the_pure_model_gives(tmp_path, monkeypatch):
    pytest.importorskip("mypyc", reason="mypyc comes with mypy, in the test extra")
    from diplosim.model import COMPILED_ENV, compiled_in_use, default_compiled_dir

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.delenv(COMPILED_ENV, raising=False)
    made = subprocess.run([sys.executable, str(REPO / "run.py"), "compile", "--out", str(default_compiled_dir())],
                          capture_output=True, text=True, timeout=1800, check=False)
    assert made.returncode == 0, made.stderr
    state = {"episode": EPISODE, "runs": 150, "seed": "3", "mechanisms": {"quasi_alliance": False}}
    snaps = {}
    for processes in (True, False):  # the pool (compiled workers), then threads of this process (pure Python)
        app = ClassroomApp(workers=2, processes=processes)
        try:
            app.jobs.open()
            if processes:
                assert app.jobs.queue.compiled == default_compiled_dir()
                assert app.jobs.queue._pool.apply(compiled_in_use) == default_compiled_dir()
            _, started = post(app, "/api/run", {"now": state, "before": {**state, "mechanisms": {}}})
            snaps[processes] = finished_within(app, started["job"], timeout=300)
        finally:
            app.close()
    assert compiled_in_use() is None  # this process stayed pure Python
    for side in ("now", "before"):
        assert snaps[True][side]["summary"]["outcomes"] == snaps[False][side]["summary"]["outcomes"]
        assert snaps[True][side]["fan"] == snaps[False][side]["fan"]
        assert snaps[True][side]["timing"] == snaps[False][side]["timing"]
    assert snaps[True]["difference"] == snaps[False]["difference"]
