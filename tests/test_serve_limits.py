"""The classroom server against hostile requests: every bad value is a 400 with one line (never a
500), every simulation waits in the one queue, the caps per page, per address and in all, and the
Host and Origin checks on every spelling of the loopback address."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from diplosim.present import classroom, classroom_jobs, classroom_queue
from diplosim.present.classroom import ClassroomApp, ClassroomServer, host_name, is_loopback, same_origin
from diplosim.present.classroom_jobs import BaseJob, Client
from diplosim.present.classroom_state import MAX_PAGE_RUNS

EPISODE = "history/gsomia-2019.yaml"
GOOD: dict[str, Any] = {"episode": EPISODE, "runs": 10}


def call(app: ClassroomApp, route: str, body: Any, client: Client = classroom_jobs.LOCAL) -> tuple[int, Any]:
    status, kind, raw = app.handle("POST", route, body, client)
    assert kind.startswith("application/json"), kind
    return status, json.loads(raw)


def one_line(answer: dict[str, Any]) -> str:
    message = answer["error"]["message"]
    assert isinstance(message, str) and message and "\n" not in message and len(message) <= 500, message
    assert "Traceback" not in message and "diplosim: error:" not in message, message  # not a bug's line
    return message


@pytest.fixture(scope="module")
def app() -> Iterator[ClassroomApp]:
    served = ClassroomApp()
    yield served
    served.close()


# ---------------------------------------------------------------- bad values: 400 and one line

def _deep(levels: int) -> Any:
    node: Any = 1
    for _ in range(levels):
        node = [node]
    return node


def _added(**change: Any) -> dict[str, Any]:
    return {"add": [{"id": "class-1", "kind": "nuclear_test", "at": "2019-10-15", "source": "s", **change}]}


BAD_VALUES: dict[str, tuple[dict[str, Any], str, str]] = {
    # kind of bad value: (settings changed, the page field it is shown beside, words the line holds)
    "5,000 digits as text": ({"runs": "9" * 5000}, "runs", "5,000 characters"),
    "a superscript two": ({"runs": "²"}, "runs", "whole number"),
    "Arabic-Indic digits": ({"seed": "١٢٣"}, "seed", "whole number"),
    "full-width digits": ({"story": "１２"}, "story", "whole number"),
    "a fraction": ({"runs": 1.5}, "runs", "whole number"),
    "a bool as a number": ({"runs": True}, "runs", "true or false"),
    "a negative number": ({"seed": -1}, "seed", "from 0"),
    "a seed past 2**63 - 1": ({"seed": str(2**64)}, "seed", "from 0"),
    "runs past the largest run": ({"runs": MAX_PAGE_RUNS + 1}, "runs", "1 to 20,000"),
    "a whole number of 4,000 digits": ({"params": {"threat_weight": 10**4000}}, "params", "digits"),
    "a list where a number goes": ({"runs": [5]}, "runs", "a list"),
    "NaN": ({"params": {"threat_weight": float("nan")}}, "params", "nan"),
    "an infinity": (_added(magnitude=float("inf")), "add", "inf"),
    "nesting 500 deep": (_added(note=_deep(500)), "add", "nesting deeper than 32"),
    "a lone surrogate in text": (_added(source="\ud800"), "add", "surrogate"),
    "a lone surrogate in a key": ({"mechanisms": {"\udc00": True}}, "mechanisms", "surrogate"),
    "an unknown setting": ({"rnus": 10}, "scenario", "did you mean 'runs'"),
    "a mapping where a list goes": ({"remove": {"stilwell-visit": True}}, "remove", "should be a list"),
    "a list where a mapping goes": ({"mechanisms": ["issue_linkage"]}, "mechanisms", "should be a mapping"),
    "a trigger id that is not text": ({"remove": [{"id": 1}]}, "triggers", "its id"),
    "an added trigger that is text": ({"add": ["class-1"]}, "add:0", "should be a mapping"),
    "more added triggers than a scenario holds": ({"add": [{}] * 501}, "triggers", "at most 500"),
    "an episode that is a number": ({"episode": 7}, "episode", "a number"),
    "an upload without its text": ({"upload": {"name": "mine.yaml", "text": 5}}, "episode", "its text"),
    "an upload's name that is a list": ({"upload": {"name": ["x"], "text": "a: 1\n"}}, "episode", "name"),
    "a bool where the loader wants a number": ({"params": {"threat_weight": True}}, "param:threat_weight",
                                               "gsomia-2019-classroom.yaml:"),
}


@pytest.mark.parametrize("kind", BAD_VALUES)
def test_a_bad_value_is_a_400_with_one_line_naming_its_field(app, kind):
    change, target, words = BAD_VALUES[kind]
    state = {**GOOD, **change}
    routes = (("/api/check", state, ""), ("/api/scenario", state, ""), ("/api/story", state, ""),
              ("/api/run", {"now": state}, ""), ("/api/run", {"now": GOOD, "before": state}, "before:"))
    for route, body, side in routes:
        status, answer = call(app, route, body)
        assert status == 400, (route, answer)
        message = one_line(answer)
        assert answer["error"]["target"] == side + target, (route, answer)
        assert words in message, message
        assert "9" * 100 not in message  # an excerpt of a long value, never all of it
    assert app.jobs.pending() == []  # nothing was queued for a bad request


@pytest.mark.parametrize("body", [{"now": GOOD, "later": GOOD}, {"now": [GOOD]}, {"now": None},
                                  {"now": GOOD, "before": "yesterday"}])
def test_a_bad_run_request_is_a_400(app, body):
    status, answer = call(app, "/api/run", body)
    assert status == 400, answer
    one_line(answer)


ODD_VALUES: list[Any] = ["9" * 5000, "²", "١٢٣", "\x1b[31m", "\ud800", "x" * 300_000, "", " 12 ", None, True, False,
                         0, -1, 2**64, 10**4000, 1e308, -0.0, float("nan"), float("-inf"), [], [1], {}, {"a": 1},
                         _deep(40)]
PLACES = ["episode", "upload", "mechanisms", "remove", "move", "add", "params", "runs", "seed", "story",
          "params.threat_weight", "mechanisms.issue_linkage", "move.export-controls", "add.at", "add.id",
          "upload.name", "upload.text", "remove.0"]


def _put(place: str, value: Any) -> dict[str, Any]:
    state: dict[str, Any] = dict(GOOD)
    head, _, tail = place.partition(".")
    if not tail:
        state[head] = value
    elif head == "add":
        state["add"] = [{"id": "class-1", "kind": "nuclear_test", "at": "2019-10-15", "source": "s", tail: value}]
    elif head == "upload":
        state["upload"] = {"name": "mine.yaml", "text": "extends: ../history/gsomia-2019.yaml\n", tail: value}
    elif head == "remove":
        state["remove"] = [value]
    else:
        state[head] = {tail: value}
    return state


def test_no_value_anywhere_gets_a_500(app):
    seen: dict[int, int] = {}
    for place in PLACES:
        for value in ODD_VALUES:
            status, answer = call(app, "/api/check", _put(place, value))
            assert status in (200, 400), (place, repr(value)[:40], answer)
            if status == 400:
                one_line(answer)
            seen[status] = seen.get(status, 0) + 1
    assert seen[400] > seen.get(200, 0)  # most of these are refused; some (an empty move, a 0 seed) are fine


# ---------------------------------------------------------------- every simulation in the queue


class Blocker(BaseJob):
    """A job that holds the board's one worker until it is let go."""

    def __init__(self, cost: int = 1) -> None:
        super().__init__(cost)
        self.go = threading.Event()
        self._snapshot = self._build()

    def _work(self) -> bool:
        self.go.wait(60)
        return False

    def _build(self) -> dict[str, Any]:
        return self._head()


@pytest.fixture
def blocked() -> Iterator[tuple[ClassroomApp, Blocker]]:
    """An app whose one worker is busy (so that everything asked for waits in the queue)."""
    served = ClassroomApp(workers=1)
    blocker = Blocker()
    served.jobs.submit(blocker, Client("teacher"))
    try:
        yield served, blocker
    finally:
        blocker.go.set()
        served.close()


def snapshot(app: ClassroomApp, job: str) -> dict[str, Any]:
    status, kind, raw = app.handle("GET", f"/api/jobs/{job}")
    assert status == 200
    return json.loads(raw)


def test_a_story_is_queued_and_told_by_the_worker_not_the_request(blocked, monkeypatch):
    app, blocker = blocked
    told: list[Any] = []
    monkeypatch.setattr(classroom_queue, "tell", lambda *a, **k: told.append(a))  # in this process: a bug
    status, answer = call(app, "/api/story", {**GOOD, "runs": 120, "story": 2})
    assert status == 200 and set(answer) == {"job"}, answer
    snap = snapshot(app, answer["job"])  # answered before any of it ran: its place in the queue, no story
    assert snap["status"] == "queued" and snap["position"] == 1 and snap["story"] is None
    blocker.go.set()
    deadline = time.monotonic() + 60
    while (snap := snapshot(app, answer["job"]))["status"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(0.05)
    assert snap["status"] == "done" and snap["story"]["replication"] == 2 and snap["story"]["share"]
    assert told == []  # told in a worker process, not here
    job = app.jobs.get(answer["job"])
    assert job is not None and job.sent == 1 + len(classroom_jobs.chunk_plan(120))  # told, then counted in chunks


def test_a_cancelled_job_that_waits_leaves_the_queue_at_once(blocked):
    app, _ = blocked
    _, answer = call(app, "/api/run", {"now": GOOD})
    assert snapshot(app, answer["job"])["status"] == "queued"
    status, _, _ = app.handle("POST", f"/api/jobs/{answer['job']}/cancel")
    assert status == 200 and snapshot(app, answer["job"])["status"] == "cancelled"
    assert [j.kind for j in app.jobs.pending()] == ["job"]  # only the blocker is left


# ---------------------------------------------------------------- caps


@pytest.fixture
def small_caps(monkeypatch):
    for name, value in (("MAX_PAGE_JOBS", 2), ("MAX_CLIENT_JOBS", 3), ("MAX_QUEUED_JOBS", 6),
                        ("MAX_PAGE_REPLICATIONS", 100), ("MAX_CLIENT_REPLICATIONS", 200),
                        ("MAX_QUEUED_REPLICATIONS", 300)):
        monkeypatch.setattr(classroom_jobs, name, value)


def _busy(status: int, answer: dict[str, Any], who: str) -> int:
    message = one_line(answer)
    assert status == (503 if who == "the server" else 429), answer
    assert message.startswith(who) and "try again in about" in message, message
    wait = answer["error"]["retry_after"]
    assert isinstance(wait, int) and 1 <= wait <= 3600 and f"about {wait} s" in message
    return wait


def test_caps_on_jobs_per_page_per_address_and_in_all(blocked, small_caps, monkeypatch):
    app, _ = blocked  # the blocker: one job of 1 replication, from another address
    page_a, page_b = Client("10.0.0.1", "a" * 16), Client("10.0.0.1", "b" * 16)
    other, third = Client("10.0.0.2"), Client("10.0.0.3")
    first = [call(app, "/api/run", {"now": GOOD}, page_a)[1]["job"] for _ in range(2)]
    _busy(*call(app, "/api/run", {"now": GOOD}, page_a), "this page")
    _busy(*call(app, "/api/story", GOOD, page_a), "this page")  # a story counts as a job too
    assert call(app, "/api/run", {"now": GOOD}, page_b)[0] == 200  # the same address: its third job
    _busy(*call(app, "/api/run", {"now": GOOD}, page_b), "this address (10.0.0.1)")
    assert call(app, "/api/run", {"now": GOOD}, other)[0] == 200
    assert call(app, "/api/run", {"now": GOOD}, other)[0] == 200  # six jobs in all, the blocker's too
    _busy(*call(app, "/api/run", {"now": GOOD}, third), "the server")
    loaded: list[Any] = []
    real = classroom.prepare
    monkeypatch.setattr(classroom, "prepare", lambda *a: loaded.append(a))
    _busy(*call(app, "/api/story", GOOD, third), "the server")
    assert loaded == []  # refused before its scenario was loaded
    monkeypatch.setattr(classroom, "prepare", real)
    for job in first:  # a cancelled job no longer counts: not in all ...
        assert app.handle("POST", f"/api/jobs/{job}/cancel")[0] == 200
    assert call(app, "/api/run", {"now": GOOD}, third)[0] == 200
    assert call(app, "/api/run", {"now": GOOD}, page_a)[0] == 200  # ... nor for its page


def test_caps_on_replications_per_page_per_address_and_in_all(blocked, small_caps):
    app, _ = blocked
    page_a, page_b = Client("10.0.0.1", "a" * 16), Client("10.0.0.1", "b" * 16)
    assert call(app, "/api/run", {"now": {**GOOD, "runs": 60}}, page_a)[0] == 200
    status, answer = call(app, "/api/run", {"now": {**GOOD, "runs": 30}, "before": GOOD}, page_a)  # 60 more
    _busy(status, answer, "this page")
    assert "60 more" in answer["error"]["message"] and "the most is 100" in answer["error"]["message"]
    assert call(app, "/api/story", {**GOOD, "runs": 39}, page_a)[0] == 200  # 60 + 40 = 100: just fits
    assert call(app, "/api/run", {"now": {**GOOD, "runs": 90}}, page_b)[0] == 200  # 190 from the address
    _busy(*call(app, "/api/run", {"now": {**GOOD, "runs": 20}}, Client("10.0.0.1")), "this address (10.0.0.1)")
    assert call(app, "/api/run", {"now": {**GOOD, "runs": 100}}, Client("10.0.0.2"))[0] == 200  # 291 in all
    _busy(*call(app, "/api/run", {"now": {**GOOD, "runs": 10}}, Client("10.0.0.3")), "the server")


def test_a_comparison_costs_both_sides_and_the_largest_run_is_refused_with_400(blocked):
    app, _ = blocked
    _, answer = call(app, "/api/run", {"now": GOOD, "before": GOOD})
    job = app.jobs.get(answer["job"])
    assert job is not None and job.cost == 2 * GOOD["runs"]
    status, answer = call(app, "/api/run", {"now": {**GOOD, "runs": MAX_PAGE_RUNS + 1}})
    assert status == 400 and answer["error"]["target"] == "runs"


def test_the_real_caps_take_one_press_at_the_largest_run_and_not_two():
    one = 2 * MAX_PAGE_RUNS + MAX_PAGE_RUNS + 1  # a comparison and its story
    assert classroom_jobs.MAX_PAGE_REPLICATIONS >= one > classroom_jobs.MAX_PAGE_REPLICATIONS - one
    assert classroom_jobs.MAX_CLIENT_REPLICATIONS <= classroom_jobs.MAX_QUEUED_REPLICATIONS
    assert classroom_jobs.MAX_PAGE_JOBS <= classroom_jobs.MAX_CLIENT_JOBS <= classroom_jobs.MAX_QUEUED_JOBS


# ---------------------------------------------------------------- over HTTP: status lines and headers


@contextlib.contextmanager
def serving(host: str = "127.0.0.1", app: ClassroomApp | None = None,
            names: tuple[str, ...] | list[str] = ()) -> Iterator[ClassroomServer]:
    server = ClassroomServer(host, 0, app, names)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def request(server: ClassroomServer, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    host = server.host
    conn = http.client.HTTPConnection(host, server.port, timeout=20)
    try:
        headers = {"Host": f"{'[' + host + ']' if ':' in host else host}:{server.port}", **(headers or {})}
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for key, value in headers.items():
            conn.putheader(key, value)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


JSON = {"Content-Type": "application/json"}


@pytest.mark.parametrize("text", [b'{"episode": NaN}', b'{"runs": 1e999}', b'{"runs": ' + b"9" * 5000 + b"}",
                                  b"[" * 100_000 + b"]" * 100_000, b'{"episode": "\xff"}', b'{"upload": 1',
                                  b'{"episode": "history/gsomia-2019.yaml", "runs": "\\u00b2"}'])
def test_json_no_setting_can_be_is_a_400_with_one_line(text):
    with serving() as server:
        status, _, body = request(server, "POST", "/api/check", text, JSON)
    assert status == 400, body
    one_line(json.loads(body))


def test_a_client_past_its_cap_is_told_when_to_try_again_in_retry_after(small_caps):
    app = ClassroomApp(workers=1)
    blocker = Blocker()
    app.jobs.submit(blocker, Client("teacher"))
    with serving(app=app) as server:  # which closes the app when it stops
        try:
            page = {**JSON, "X-Diplosim-Client": "c" * 32}
            bodies = [json.dumps({"now": GOOD}).encode()] * 3
            answers = [request(server, "POST", "/api/run", body, page) for body in bodies]
            assert [a[0] for a in answers] == [200, 200, 429]
            status, headers, body = answers[2]
            wait = _busy(status, json.loads(body), "this page")
            assert headers["Retry-After"] == str(wait)
            status, _, body = request(server, "POST", "/api/run", bodies[0], {**JSON, "X-Diplosim-Client": "x; y"})
            assert status == 400 and "X-Diplosim-Client" in json.loads(body)["error"]["message"]
        finally:
            blocker.go.set()


# ---------------------------------------------------------------- Host and Origin


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


LOOPBACK_SPELLINGS = ["127.0.0.1", "LOCALHOST", "localhost", "LocalHost", "127.1", "0x7f.1", "127.0.0.2",
                      "0177.0.0.1", "::1", "[::1]", "0:0:0:0:0:0:0:1"]


@pytest.mark.parametrize("spelling", LOOPBACK_SPELLINGS)
def test_the_host_check_holds_however_loopback_is_spelt(spelling):
    if ":" in spelling and not _ipv6_loopback():
        pytest.skip("this machine has no IPv6 loopback address to bind")
    with serving(spelling) as server:
        assert server.loopback and server.allowed_hosts is not None
        assert request(server, "GET", "/api/meta", headers={"Host": f"attacker.example:{server.port}"})[0] == 421
        assert request(server, "GET", "/api/meta", headers={"Host": "attacker.example"})[0] == 421
        assert request(server, "GET", "/api/meta", headers={"Host": ""})[0] == 421
        assert request(server, "GET", "/api/meta")[0] == 200  # its own address
        assert request(server, "GET", "/api/meta", headers={"Host": f"LOCALHOST:{server.port}"})[0] == 200


def test_a_server_on_every_address_is_not_loopback_and_prints_addresses_students_can_type(monkeypatch):
    found = classroom.reachable_addresses()  # this machine's (maybe none, in a sandbox)
    assert all(not is_loopback(a) and a != "0.0.0.0" for a in found), found
    monkeypatch.setattr(classroom, "reachable_addresses", lambda: ["192.0.2.7", "198.51.100.4"])
    with serving("0.0.0.0") as server:
        assert not server.loopback and server.allowed_hosts is None
        assert server.urls == [f"http://192.0.2.7:{server.port}/", f"http://198.51.100.4:{server.port}/"]
    monkeypatch.setattr(classroom, "reachable_addresses", lambda: [])
    with serving("0.0.0.0") as server:
        assert server.urls == [server.url]  # nothing better found: the address bound


def test_off_loopback_a_request_must_name_the_server_by_number_localhost_or_an_allowed_name():
    # a DNS rebinding attack reaches a server through a name the attacker controls: off loopback the server
    # answers only to numeric addresses (no DNS involved), localhost, and names the teacher gave
    with serving("0.0.0.0", names=["Class-Room.example."]) as server:
        assert not server.loopback and server.host_names == {"class-room.example"}
        port = server.port
        for host in (f"attacker.example:{port}", "attacker.example", f"127.0.0.1.attacker.example:{port}", "",
                     f"class-room.example.attacker.example:{port}", f"0x7f.1:{port}", f"[::1:{port}"):
            status, _, answer = request(server, "GET", "/api/meta", headers={"Host": host})
            assert status == 421, host
            one_line(json.loads(answer))
        for host in (f"192.0.2.7:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", f"localhost:{port}", "10.1.2.3",
                     f"CLASS-ROOM.example:{port}", f"class-room.example.:{port}"):
            assert request(server, "GET", "/api/meta", headers={"Host": host})[0] == 200, host
    with serving("0.0.0.0") as server:  # no name allowed: numbers and localhost only
        assert request(server, "GET", "/api/meta", headers={"Host": f"class-room.example:{server.port}"})[0] == 421
    with serving(names=["class-room.example"]) as server:  # on loopback an allowed name counts too, with the port
        assert request(server, "GET", "/api/meta", headers={"Host": f"class-room.example:{server.port}"})[0] == 200
        assert request(server, "GET", "/api/meta", headers={"Host": f"attacker.example:{server.port}"})[0] == 421


@pytest.mark.parametrize("bad", ["", "  ", "room:8765", "http://room", "room/x", "a b", "[::1]"])
def test_an_allowed_host_name_is_a_name_alone(bad):
    with pytest.raises(ValueError, match="not a host name"):
        host_name(bad)
    assert host_name(" Room.Example. ") == "room.example"


def test_loopback_is_decided_from_the_numeric_address():
    for address in ("127.0.0.1", "127.255.0.9", "::1", "::ffff:127.0.0.1", "::1%lo"):
        assert is_loopback(address), address
    for address in ("0.0.0.0", "::", "192.0.2.1", "localhost", "attacker.example", "", "127.0.0.1.example"):
        assert not is_loopback(address), address


def test_a_request_from_another_origin_is_refused():
    with serving() as server:
        own = f"http://127.0.0.1:{server.port}"
        body = json.dumps({"episode": EPISODE}).encode()
        for origin in ("http://attacker.example", f"http://attacker.example:{server.port}", "null",
                       f"https://127.0.0.1:{server.port}", f"http://127.0.0.1:{server.port + 1}", "http://127.0.0.1",
                       f"http://localhost:{server.port}", f"{own}/path", "http://[::1"):
            for method, path, data in (("GET", "/api/meta", None), ("POST", "/api/check", body)):
                status, _, answer = request(server, method, path, data, {**JSON, "Origin": origin})
                assert status == 403, (origin, method)
                one_line(json.loads(answer))
        assert request(server, "POST", "/api/check", body, {**JSON, "Origin": own})[0] == 200
        local = {"Host": f"localhost:{server.port}", "Origin": f"http://LocalHost:{server.port}"}
        assert request(server, "POST", "/api/check", body, {**JSON, **local})[0] == 200


def test_same_origin_compares_scheme_host_and_port():
    assert same_origin("http://127.0.0.1:8765", "127.0.0.1:8765")
    assert same_origin("http://example.test", "example.test:80")
    assert same_origin("http://example.test:80", "example.test")
    assert not same_origin("http://127.0.0.1:8766", "127.0.0.1:8765")
    assert not same_origin("http://127.0.0.1:99999999", "127.0.0.1:99999999")
    assert not same_origin("", "")


@pytest.mark.parametrize("host", ["x" * 300, "a..b"])  # refused by the IDNA codec: no DNS asked
def test_serve_on_an_address_that_is_no_address_says_so_in_one_line(host, capsys, monkeypatch):
    from diplosim.cli import main as cli
    from diplosim.scenario.loader import ALLOW_ENV

    monkeypatch.setenv(ALLOW_ENV, "")  # serve clears it; put back for the other tests
    assert cli.main(["serve", "--port", "0", "--host", host]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "cannot listen on" in err and "x" * 100 not in err, err
