"""The classroom page (`serve`): settings to one scenario file and back, the loader's error lines,
confinement, the server's limits, the command's signals, and the page in a real browser."""

from __future__ import annotations

import contextlib
import http.client
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from diplosim import compile_scenario
from diplosim.cli import main as cli
from diplosim.explore.compare import compare
from diplosim.present import classroom, classroom_jobs, classroom_state
from diplosim.present.classroom import MAX_BODY, ClassroomApp, ClassroomServer, static_file
from diplosim.present.classroom_jobs import Job
from diplosim.present.classroom_queue import worker_task
from diplosim.present.classroom_state import Workspace, episode_of, prepare, scenario_text
from diplosim.present.story import story_text, tell
from diplosim.run.ensemble import run_indices
from diplosim.scenario.loader import ALLOW_ENV, load_scenario
from diplosim.scenario.shipped import SHIPPED_DIR
from tests.browser import require_chromium

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
REPO = Path(__file__).resolve().parent.parent

EPISODE = "history/gsomia-2019.yaml"
CHANGED: dict[str, Any] = {
    "episode": EPISODE,
    "mechanisms": {"issue_linkage": False},
    "remove": ["stilwell-visit"],
    "move": {"export-controls": "2019-06-01"},
    "add": [{"id": "class-1", "kind": "nuclear_test", "at": "2019-10-15", "source": "invented in class"},
            {"id": "class-2", "kind": "us_pressure", "by": "patron", "given": True, "at": "2019-11-01",
             "source": "invented in class"}],
    "params": {"anti_japan_weight": 2.5},
    "runs": 120, "seed": "3",
}


@pytest.fixture(scope="module")
def app() -> Iterator[ClassroomApp]:
    served = ClassroomApp()
    yield served
    served.close()


def call(app: ClassroomApp, method: str, route: str, body: Any = None) -> tuple[int, Any]:
    status, kind, raw = app.handle(method, route, body)
    assert kind.startswith("application/json"), kind
    return status, json.loads(raw)


def finished(app: ClassroomApp, job: str, timeout: float = 60.0) -> dict[str, Any]:
    """The job's snapshot once it is done."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, snap = call(app, "GET", f"/api/jobs/{job}")
        assert status == 200, snap
        if snap["status"] not in ("queued", "running"):
            assert snap["status"] == "done", snap
            return snap
        time.sleep(0.05)
    raise AssertionError(f"job {job} did not finish in {timeout} s")


def cli_lines(argv: list[str], cwd: Path) -> tuple[int, str, str]:
    """(exit status, stdout, stderr) of the command line run here, in `cwd`."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(cwd), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(argv)
    return status, out.getvalue(), err.getvalue()


# ---------------------------------------------------------------- settings -> file -> settings


def test_the_saved_file_is_complete_and_the_loader_reads_the_changes(app, tmp_path):
    status, saved = call(app, "POST", "/api/scenario", CHANGED)
    assert status == 200, saved
    assert saved["filename"] == "gsomia-2019-classroom.yaml"
    doc = yaml.safe_load(saved["yaml"])
    assert "extends" not in doc
    assert set(doc.get("params", {})) <= {"override"}  # the shipped parameters, but for overrides
    path = tmp_path / saved["filename"]
    path.write_text(saved["yaml"], encoding="utf-8")
    sc = load_scenario(path)
    ids = {tr.id: tr for tr in sc.triggers}
    assert "issue_linkage" not in sc.mechanisms and "quasi_alliance" in sc.mechanisms
    assert "stilwell-visit" not in ids
    assert ids["export-controls"].at.isoformat() == "2019-06-01"
    assert ids["class-1"].kind == "nuclear_test" and not ids["class-1"].given
    assert ids["class-2"].given and ids["class-2"].by == "patron"
    assert sc.params.values["anti_japan_weight"] == 2.5
    shipped = load_scenario(SHIPPED_DIR / EPISODE)
    assert sc.params.values["patron_weight"] == shipped.params.values["patron_weight"]
    assert len(sc.triggers) == len(shipped.triggers) + 1


def test_run_of_the_saved_file_with_the_seed_gives_the_pages_result(app, tmp_path):
    status, saved = call(app, "POST", "/api/scenario", CHANGED)
    (tmp_path / saved["filename"]).write_text(saved["yaml"], encoding="utf-8")
    status, started = call(app, "POST", "/api/run", {"now": CHANGED, "before": None})
    assert status == 200, started
    page = finished(app, started["job"])["now"]["summary"]
    code, out, err = cli_lines(["check", saved["filename"]], tmp_path)
    assert code == 0 and out.startswith(f"{saved['filename']}: ok"), err
    code, out, err = cli_lines(["run", saved["filename"], "--seed", "3", "--runs", "120", "--json", "--workers", "1"],
                               tmp_path)
    assert code == 0, err
    ran = json.loads(out)
    assert page["file"] == saved["filename"] and ran["file"] == saved["filename"]
    assert page == ran  # the same file, seed and runs: the same outcomes, intervals, dates and hash


def test_a_saved_file_uploaded_again_is_the_same_scenario(app):
    _, saved = call(app, "POST", "/api/scenario", CHANGED)
    again = {"upload": {"name": saved["filename"], "text": saved["yaml"]}, "runs": 120, "seed": "3"}
    status, resaved = call(app, "POST", "/api/scenario", again)
    assert status == 200, resaved
    body = [line for line in saved["yaml"].splitlines() if not line.startswith("#")]
    assert [line for line in resaved["yaml"].splitlines() if not line.startswith("#")] == body
    status, episode = call(app, "POST", "/api/episode", again)
    assert status == 200 and episode["uploaded"] and episode["name"] == "GSOMIA 2019"
    assert "issue_linkage" not in episode["mechanisms"]


def test_text_from_the_page_cannot_leave_its_place_in_the_file(app, tmp_path):
    sneaky = "x\nextends: /etc/passwd\r\u2028params: {file: /etc/passwd}"
    state = {"episode": EPISODE, "remove": [], "add": [{"id": sneaky, "kind": "nuclear_test", "at": "2019-10-15",
                                                        "source": sneaky, "note": sneaky}],
             "params": {"audience_cost": 3.5}}
    status, saved = call(app, "POST", "/api/scenario", state)
    assert status == 200, saved
    header = saved["yaml"].split("\nname:")[0].splitlines()
    assert header and all(line.startswith("# ") for line in header), header
    doc = yaml.safe_load(saved["yaml"])
    assert "extends" not in doc and doc["params"] == {"override": {"audience_cost": 3.5}}
    assert doc["triggers"][-1]["id"] == sneaky


def test_an_unchanged_shipped_episode_runs_as_the_shipped_file(app, tmp_path):
    state = {"episode": "counterfactuals/2019-no-us-pressure.yaml", "runs": 60}
    _, started = call(app, "POST", "/api/run", {"now": state})
    page = finished(app, started["job"])["now"]["summary"]
    shipped = SHIPPED_DIR / state["episode"]
    code, out, err = cli_lines(["run", str(shipped), "--runs", "60", "--json", "--workers", "1"], tmp_path)
    ran = json.loads(out)
    assert page["outcomes"] == ran["outcomes"] and page["scenario"] == ran["scenario"]


def test_every_shipped_history_file_and_counterfactual_is_offered(app):
    _, meta = call(app, "GET", "/api/meta")
    offered = {e["id"] for e in meta["episodes"] if "error" not in e}
    for group in ("history", "counterfactuals"):
        for path in (SHIPPED_DIR / group).glob("*.yaml"):
            assert f"{group}/{path.name}" in offered
    assert {m["name"] for m in meta["mechanisms"]} and {k["name"] for k in meta["kinds"]} >= {"us_pressure"}
    assert [p["name"] for p in meta["parameters"]] == classroom_state.classroom_parameters()


def test_classroom_parameters_skip_names_the_model_does_not_declare(monkeypatch):
    monkeypatch.setattr(classroom_state, "CLASSROOM_PARAMETERS", ("threat_weight", "no_such_parameter"))
    assert classroom_state.classroom_parameters() == ["threat_weight"]


# ---------------------------------------------------------------- mistakes: the line `check` prints


BAD_STATES = {
    "an invalid date": ({"move": {"export-controls": "2019-02-30"}}, "trigger:export-controls"),
    "a date outside the window": ({"move": {"export-controls": "2021-01-01"}}, "trigger:export-controls"),
    "an unknown kind": ({"add": [{"id": "class-1", "kind": "nuclear_tst", "at": "2019-10-15", "source": "s"}]},
                        "add:0"),
    "a move not given": ({"add": [{"id": "class-1", "kind": "export_control", "at": "2019-10-15", "source": "s"}]},
                         "add:0"),
    "a parameter out of bounds": ({"params": {"anti_japan_weight": 60}}, "param:anti_japan_weight"),
    "a misspelled mechanism": ({"mechanisms": {"issue_linkag": False}}, "mechanism:issue_linkag"),
}


@pytest.mark.parametrize("name", BAD_STATES)
def test_a_bad_setting_gets_the_line_check_prints_beside_its_field(app, tmp_path, name):
    change, target = BAD_STATES[name]
    state = {"episode": EPISODE, **change}
    status, answer = call(app, "POST", "/api/check", state)
    assert status == 400 and answer["error"]["target"] == target, answer
    ws = app.workspace
    text, _ = scenario_text(state, episode_of(state, ws))  # the file the page would save
    filename = episode_of(state, ws).filename
    (tmp_path / filename).write_text(text, encoding="utf-8")
    code, _, err = cli_lines(["check", filename], tmp_path)
    assert code == 2
    assert answer["error"]["message"] == err.strip()
    assert answer["error"]["message"].startswith(f"{filename}:")


BAD_UPLOADS = {
    "not a scenario": "just some words\n",
    "a list": "- one\n- two\n",
    "YAML syntax": "name: [unclosed\n",
    "an unknown key": "name: x\nstart: 2019-01-01\nend: 2019-12-31\nactorz: {}\n",
    "extends /etc/passwd": "extends: /etc/passwd\nname: x\n",
    "params.file /etc/passwd": "extends: ../history/gsomia-2019.yaml\nparams: {file: /etc/passwd}\n",
}


@pytest.mark.parametrize("name", BAD_UPLOADS)
def test_a_bad_upload_gets_the_line_check_prints(app, tmp_path, name):
    text = BAD_UPLOADS[name]
    status, answer = call(app, "POST", "/api/episode", {"upload": {"name": "mine.yaml", "text": text}})
    assert status == 400 and answer["error"]["target"] == "episode", answer
    folder = tmp_path / "student"
    folder.mkdir()
    for shipped in ("history", "params"):  # a student's folder beside the shipped episodes
        (folder.parent / shipped).symlink_to(SHIPPED_DIR / shipped)
    (folder / "mine.yaml").write_text(text, encoding="utf-8")
    code, _, err = cli_lines(["check", "mine.yaml"], folder)
    assert code == 2
    assert answer["error"]["message"] == err.strip()


def test_an_upload_may_extend_a_shipped_episode_as_the_teaching_guide_writes_it(app):
    for ref in ("../history/gsomia-2019.yaml", "scenarios/history/gsomia-2019.yaml"):
        text = f"extends: {ref}\nname: my 2019\ntriggers:\n  - remove: stilwell-visit\n"
        status, answer = call(app, "POST", "/api/check", {"upload": {"name": "my-2019.yaml", "text": text}})
        assert status == 200 and answer["name"] == "my 2019", answer


def test_an_upload_cannot_read_outside_the_shipped_scenarios(app, tmp_path):
    secret = tmp_path / "secret.yaml"
    secret.write_text("name: secret\n", encoding="utf-8")
    for text in (f"extends: {secret}\n", f"extends: ../../../../../../..{secret}\n",
                 f"extends: ../history/gsomia-2019.yaml\nparams: {{file: {secret}}}\n",
                 "extends: ../../generated/x/y.yaml\n"):
        status, answer = call(app, "POST", "/api/episode", {"upload": {"name": "mine.yaml", "text": text}})
        assert status == 400, text
        assert "outside the folders" in answer["error"]["message"] or "not found" in answer["error"]["message"]


def test_uploads_are_written_only_inside_the_private_folder(tmp_path):
    ws = Workspace()
    try:
        state = {"upload": {"name": "../../../evil.yaml", "text": "extends: ../history/gsomia-2019.yaml\n"}}
        assert prepare(state, ws).filename == "evil-classroom.yaml"
        written = [p for p in ws.root.rglob("*") if p.is_file() and not p.is_symlink()]
        assert written and all(p.resolve().is_relative_to(ws.root) for p in written)
        assert not (ws.root.parent / "evil.yaml").exists()
    finally:
        ws.close()
    assert not ws.root.exists()


def test_a_state_naming_a_file_instead_of_an_episode_is_refused(app):
    for name in ("/etc/passwd", "../../pyproject.toml", "history/../../../etc/passwd.yaml"):
        status, answer = call(app, "POST", "/api/episode", {"episode": name})
        assert status == 400 and answer["error"]["target"] == "episode"
        assert "unknown episode" in answer["error"]["message"]


def test_runs_and_seed_are_checked(app):
    for change, target in (({"runs": 0}, "runs"), ({"runs": 10**9}, "runs"), ({"seed": "-1"}, "seed"),
                           ({"seed": "x"}, "seed"), ({"story": 1.5}, "story")):
        status, answer = call(app, "POST", "/api/run", {"now": {"episode": EPISODE, **change}})
        assert status == 400 and answer["error"]["target"] == target, answer
    status, answer = call(app, "POST", "/api/run", {"now": {"episode": EPISODE},
                                                    "before": {"episode": EPISODE, "params": {"audience_cost": -1}}})
    assert status == 400 and answer["error"]["target"] == "before:param:audience_cost"


# ---------------------------------------------------------------- runs: growing, paired, told


def test_a_job_grows_chunk_by_chunk_and_shows_numbers_from_its_first_estimate(monkeypatch):
    monkeypatch.setattr(classroom_jobs, "FIRST_ESTIMATE", 200)  # the rule, whatever the size chosen
    monkeypatch.setattr(classroom_jobs, "FIRST_CHUNK", 200)
    ws = Workspace()
    try:
        job = Job(prepare({"episode": EPISODE, "runs": 430}, ws), None)
        assert job.snapshot()["status"] == "queued"
        seen = []
        while (task := job.next_task() if job.has_work() else None) is not None:
            job.sent += 1
            job.accept(task, worker_task(task.args)[0])
            job._changed()
            job._built_at = 0.0  # as if SNAPSHOT_SECONDS had passed
            snap = job.snapshot()
            seen.append((snap["done"], snap["ran"], snap["partial"], snap["now"] is not None))
        job.complete()
        final = job.snapshot()
    finally:
        ws.close()
    assert classroom_jobs.chunk_plan(430) == [(0, 200), (200, 300), (300, 400), (400, 430)]
    assert seen == [(200, 200, True, True), (300, 300, True, True), (400, 400, True, True), (430, 430, False, True)]
    assert final["status"] == "done" and final["done"] == 430 and final["partial"] is False
    assert final["total"] == 430 and final["result"] == job.ident


def test_the_comparison_is_the_paired_difference_of_compare(app):
    before = {"episode": EPISODE, "runs": 100, "seed": "4"}
    now = {**before, "mechanisms": {"quasi_alliance": False}}
    _, started = call(app, "POST", "/api/run", {"now": now, "before": before})
    snap = finished(app, started["job"])
    models = [prepare(s, app.workspace).model for s in (before, now)]
    report = compare(models, 100, 4, lambda model, runs, seed: run_indices(model, seed, range(runs)))
    assert snap["difference"] == report["scenarios"][1]["difference"]
    # Washington's pressure is what turns 2019's notice into a suspension: without it, fewer of the same
    # replications suspend. (This asserted the episode suspended in most runs before, and so did the model
    # until its recalibration on issue 26's mechanisms: with the ~75 uncalibrated parameters drawn from their
    # priors, 2019 suspends in 0.2-0.3 of free runs; with them all at their prior medians 0.67 vs 0.27 without
    # Washington, but the page's state cannot pin a parameter at its file's value.) Measured, 100 paired runs:
    # 0.27 vs 0.11 with seed 4; over seeds 0-9 the paired gap ranged 0.04-0.16 (mean 0.11, sd 0.04), so the
    # direction is not a seed's luck.
    suspended = [snap[s]["summary"]["outcomes"]["suspended"]["p"] for s in ("before", "now")]
    assert suspended[0] > suspended[1], suspended
    stages = {t["stage"] for t in snap["now"]["timing"]}
    assert "notice_given" in stages and "in_force" not in stages  # the steps after the starting one
    fan = snap["now"]["fan"]
    # the page draws the fan of every variable in its list (approval, threat and, since issue 27, Washington's
    # pressure index), each on its full range
    assert set(fan["variables"]) == set(classroom_jobs.FAN_VARIABLES) and fan["runs"] == 100
    assert fan["variables"]["approval"]["upper"] == 100 and fan["variables"]["threat"]["upper"] == 1
    assert fan["variables"]["us_pressure"]["upper"] == 1


def test_the_story_is_the_one_story_tells(app, tmp_path):
    # the first replication of seed 2 whose story tells a decision (a run in which nobody changes anything
    # and no call is close tells none, about one run in five): chosen here rather than fixed, since any
    # change to the model's draws changes which replication that is
    model = compile_scenario(load_scenario(SHIPPED_DIR / EPISODE))
    index = next(i for i in range(30) if any("(p=" in line for line in tell(model, 2, i, runs=0)["lines"]))
    status, started = call(app, "POST", "/api/story", {"episode": EPISODE, "seed": "2", "story": index,
                                                       "runs": 150})
    assert status == 200 and set(started) == {"job"}, started  # queued, told by the job's worker
    snap = finished(app, started["job"])
    assert snap["kind"] == "story" and snap["done"] == snap["runs"] == 151
    told = snap["story"]
    code, out, _ = cli_lines(["story", str(SHIPPED_DIR / EPISODE), "--seed", "2", "--replication", str(index),
                              "--runs", "150"], tmp_path)
    assert out.splitlines() == story_text(told)
    assert any("(p=" in line for line in told["lines"])  # told decisions (story.py: no "because" since issue 27)
    assert told["share"].startswith("How common: ") and "p        the chance" in "\n".join(told["guide"])


# ---------------------------------------------------------------- the server


@pytest.fixture(scope="module")
def server() -> Iterator[ClassroomServer]:
    served = ClassroomServer("127.0.0.1", 0)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    yield served
    served.shutdown()
    served.server_close()


def raw(server: ClassroomServer, method: str, path: str, body: bytes | None = None,
        headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.putrequest(method, path, skip_host="Host" in (headers or {}), skip_accept_encoding=True)
        for key, value in (headers or {}).items():
            conn.putheader(key, value)
        if body is not None and "Content-Length" not in (headers or {}):
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def test_the_server_listens_on_loopback_by_default(server):
    assert server.server_address[0] == "127.0.0.1"
    assert server.url == f"http://127.0.0.1:{server.port}/"


def test_static_requests_cannot_leave_the_static_folder(server):
    assert raw(server, "GET", "/")[0] == 200
    assert raw(server, "GET", "/app.js")[0] == 200
    for path in ("/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fclassroom.py",
                 "/classroom_static/../classroom.py", "/%2e%2e%5c..%5cclassroom.py", "/app.js%00.css",
                 "/../../pyproject.toml", "//etc/passwd", "/C:/Windows/win.ini"):
        status, body = raw(server, "GET", path)
        assert status == 404, path
        assert b"root:" not in body and b"[project]" not in body
    assert static_file("/..%2f..%2fpyproject.toml") is None
    assert static_file("/style.css") is not None


def test_request_bodies_are_limited_and_must_be_json(server):
    big = b"{" + b" " * (MAX_BODY + 10) + b"}"
    status, body = raw(server, "POST", "/api/check", big, {"Content-Type": "application/json"})
    assert status == 413 and b"the limit is" in body
    status, _ = raw(server, "POST", "/api/check", b"", {"Content-Type": "application/json",
                                                        "Content-Length": str(100 * MAX_BODY)})
    assert status == 413  # refused on its length, before any of it arrives
    status, _ = raw(server, "POST", "/api/check", b'{"episode": 1}', {"Content-Type": "text/plain"})
    assert status == 415
    status, _ = raw(server, "POST", "/api/check", b"not json", {"Content-Type": "application/json"})
    assert status == 400
    status, _ = raw(server, "POST", "/api/check", b'"\\ud800"', {"Content-Type": "application/json"})
    assert status == 400
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.putrequest("POST", "/api/check")
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    assert conn.getresponse().status == 411
    conn.close()
    status, body = raw(server, "POST", "/api/check", json.dumps({"episode": EPISODE}).encode(),
                       {"Content-Type": "application/json"})
    assert status == 200, body


def test_the_loopback_server_answers_only_to_its_own_name(server):
    assert raw(server, "GET", "/", headers={"Host": "attacker.example:80"})[0] == 421
    assert raw(server, "GET", "/", headers={"Host": f"localhost:{server.port}"})[0] == 200


# ---------------------------------------------------------------- the command


def start_serve(*args: str, session: bool = False) -> tuple[subprocess.Popen[str], str]:
    """`python run.py serve --port 0 ...` in a process of its own (with `session`, at the head of a process
    group of its own, which a signal can be sent to whole); (process, its address)."""
    proc = subprocess.Popen([sys.executable, str(REPO / "run.py"), "serve", "--port", "0", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=session)
    line = proc.stdout.readline() if proc.stdout else ""
    found = re.search(r"http://[^\s]+/", line)
    if found is None:
        proc.kill()
        raise AssertionError(f"no address printed: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc, found.group(0)


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGTERM])
def test_serve_prints_its_address_and_stops_cleanly(how):
    proc, url = start_serve()
    try:
        with contextlib.closing(http.client.HTTPConnection(url.split("/")[2], timeout=10)) as conn:
            conn.request("GET", "/api/meta")
            assert conn.getresponse().status == 200
        proc.send_signal(how)
        out, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert url.startswith("http://127.0.0.1:")
    assert len(err.strip().splitlines()) == 1 and "stopped" in err, err


def test_serve_stops_when_sigterm_goes_to_its_whole_process_group():
    # A service manager (or a terminal's job control) sends SIGTERM to the whole group: the pool's workers die
    # with the server, one of them holding the lock of the pool's task queue, on which Pool.terminate alone
    # would wait forever. The server must still end, within its pool-ending timeout (10 s) and a margin.
    proc, _ = start_serve("--workers", "2", session=True)
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
    assert proc.returncode == 0, err
    assert "stopped by SIGTERM" in err, err


def test_serve_on_another_address_warns_that_anyone_can_use_it():
    proc, url = start_serve("--host", "0.0.0.0", "--allow-host", "Room.Example")
    try:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "anyone" in err and "warning" in err
    assert "numeric addresses and to room.example" in err  # the names it answers to besides numbers
    assert "0.0.0.0" not in url or not classroom.reachable_addresses()  # an address students can type


def test_serve_refuses_an_allowed_host_with_a_port_in_one_line(capsys):
    assert cli.main(["serve", "--allow-host", "room.example:8765"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--allow-host" in err and "not a host name" in err


def test_serve_on_a_port_in_use_says_so_in_one_line(server, capsys, monkeypatch):
    monkeypatch.setenv(ALLOW_ENV, os.environ.get(ALLOW_ENV, ""))  # serve clears it; the other tests need it back
    assert cli.main(["serve", "--port", str(server.port)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--port 0" in err


# ---------------------------------------------------------------- the page in a real browser


def _playwright() -> Any:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        reason = "the browser test needs Playwright for Python: pip install -e '.[test]' (never `playwright install`)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so the browser checks must run)")
        pytest.skip(reason)
    return sync_playwright


@contextlib.contextmanager
def _served_browser() -> Iterator[tuple[Any, subprocess.Popen[str], str]]:
    """Headless Chromium (through Playwright) and `run.py serve` in a process of its own: (browser, the
    server's process, its address). The server is stopped with Ctrl-C when the block ends (its return code
    is then set); a missing browser or Playwright skips the test, or fails it where CI is set."""
    chromium = require_chromium()
    sync_playwright = _playwright()
    proc, url = start_serve()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            yield browser, proc, url
            browser.close()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)


def _distribution(page: Any, side: str) -> dict[str, float]:
    cells = page.query_selector_all(f"#outcome-table td[data-side={side}]")
    return {c.get_attribute("data-outcome"): float(c.get_attribute("data-p")) for c in cells}


def _watch(page: Any, problems: list[str]) -> None:
    """Collect the page's console errors and warnings and its uncaught errors into `problems`."""
    page.on("console", lambda m: problems.append(f"console.{m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))


def _choose(page: Any, episode: str) -> None:
    """Pick `episode` in the page's list and wait for its settings to be drawn."""
    page.select_option("#episode", episode)
    page.wait_for_selector("#mechanism-quasi_alliance")


def _open(page: Any, url: str, episode: str = EPISODE) -> None:
    """Load the page at `url`, wait until it is ready, and pick `episode`."""
    page.goto(url)
    page.wait_for_selector("body[data-ready=yes]", timeout=20_000)
    _choose(page, episode)


def _run(page: Any, runs: str | None = None, timeout: int = 60_000) -> None:
    """Press Run (with `runs` replications typed in first, if given) and wait until the run is done."""
    if runs is not None:
        page.fill("#runs", runs)
    page.click("#run")
    page.wait_for_selector("body[data-run=done]", timeout=timeout)


_OVERLAPS_JS = """(sel) => {
  const box = (e) => e.getBoundingClientRect();
  const meet = (a, b) => a.left < b.right - 0.5 && b.left < a.right - 0.5
    && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
  const chart = document.querySelector(sel);
  const texts = [...chart.querySelectorAll("text")], bars = [...chart.querySelectorAll("rect")];
  const out = [];
  for (const t of texts) for (const r of bars) if (meet(box(t), box(r))) out.push(t.textContent);
  return [...new Set(out)];
}"""
"""Texts of an SVG chart whose drawn box meets a bar's (the browser's own layout, half a pixel of slack)."""


def _overlaps(page: Any, selector: str) -> list[str]:
    return page.evaluate(_OVERLAPS_JS, selector)


@pytest.mark.slow
def test_the_page_in_chromium_runs_changes_and_compares(tmp_path):
    problems: list[str] = []
    with _served_browser() as (browser, proc, url):
        page = browser.new_page(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
        _watch(page, problems)
        page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
        page.on("request", lambda r: None if r.url.startswith((url, "blob:", "data:"))
                else problems.append(f"request outside the server: {r.url}"))
        _open(page, url)
        _run(page, "300", timeout=30_000)
        first = _distribution(page, "now")
        page.uncheck("#mechanism-quasi_alliance")
        _run(page, timeout=30_000)
        before, now = _distribution(page, "before"), _distribution(page, "now")
        page.wait_for_selector("#story li")
        assert _overlaps(page, "#timing-chart") == [], "labels of the timing chart cover its bars"
        shot = ARTIFACTS / "classroom-screenshot.png"
        shot.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot of the classroom page: {shot}")
        link = page.url
        with page.expect_download() as download:
            page.click("#download")
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        # the link restores the settings in a new page
        other = browser.new_page()
        other.goto(link)
        other.wait_for_selector("body[data-ready=yes]", timeout=20_000)
        restored = other.is_checked("#mechanism-quasi_alliance"), other.input_value("#runs")
        # a mistake typed into a date field: the loader's line beside it
        other.fill("input[data-trigger='export-controls']", "2019-02-30")
        other.wait_for_selector("[data-for='trigger:export-controls']:not(:empty)")
        bad_date = other.inner_text("[data-for='trigger:export-controls']")
        other.fill("input[data-trigger='export-controls']", "2019-07-01")
        # dragging the trigger along the timeline moves its date
        dot = other.locator("circle[data-id='export-controls']").bounding_box()
        other.mouse.move(dot["x"] + dot["width"] / 2, dot["y"] + dot["height"] / 2)
        other.mouse.down()
        other.mouse.move(dot["x"] + 80, dot["y"] + dot["height"] / 2, steps=5)
        other.mouse.up()
        other.wait_for_selector("[data-for='trigger:export-controls']:empty", state="attached")
        dragged = other.input_value("input[data-trigger='export-controls']")
        # a pasted text that is not a scenario: the loader's line beside the upload
        other.select_option("#episode", "upload")
        other.fill("#upload-text", "just some words")
        other.click("#upload-use")
        other.wait_for_selector("[data-for='episode']:not(:empty)")
        bad_upload = other.inner_text("[data-for='episode']")
    assert proc.returncode == 0
    assert problems == []
    assert before == first  # the run before the change, paired: the same replications again
    assert now != before  # unticking the mechanism changed what the page shows
    assert sum(now.values()) == pytest.approx(1.0, abs=1e-5)  # five outcomes, each rounded to 6 decimals
    assert restored == (False, "300")
    # errors in words naming the field, not in file:line form (an uploaded file's line is named in words)
    assert bad_date.startswith('The trigger "export-controls" (its date or values): expected a date YYYY-MM-DD')
    assert re.fullmatch(r"2019-\d\d-\d\d", dragged) and dragged > "2019-07-01", dragged
    assert bad_upload.startswith("Your file pasted.yaml, line 1: expected a mapping"), bad_upload
    # The page's two columns are the model's own numbers, not the page's: the downloaded file run by the CLI
    # on the page's seed gives the column after the change, and with the mechanism switched back on the one
    # before it (the size of the mechanism's effect is the model's business, not this page test's).
    run = ["run", saved.name, "--seed", "0", "--runs", "300", "--json", "--workers", "1"]
    code, out, err = cli_lines(run, tmp_path)
    assert code == 0, err
    assert {name: o["p"] for name, o in json.loads(out)["outcomes"].items()} == now
    code, out, err = cli_lines([*run, "--set", "mechanisms.quasi_alliance=true"], tmp_path)
    assert code == 0, err
    assert {name: o["p"] for name, o in json.loads(out)["outcomes"].items()} == before
