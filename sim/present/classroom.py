"""The classroom page: one local web page to change an episode and watch the ensemble, offline.

Standard library only (`http.server`): one vanilla-JavaScript page with SVG charts, its files in
``classroom_static/`` (package data), nothing from the network. `ClassroomApp` answers requests
(no sockets: the tests call it directly); `ClassroomServer` serves it on a port.

Routes (JSON in and out, but the page's own files)::

    GET  /  and  /NAME            the page and its files (only files inside classroom_static/)
    GET  /api/meta                episodes, mechanisms, trigger kinds and who moves them, parameters
    GET  /api/card                the model card of the Info tab (`model_card`), made from `validate`
    POST /api/episode   {state}   the episode's facts for the editors: triggers, polls, mechanisms
    POST /api/check     {state}   ok, or the loader's one line and the page field it belongs to
    POST /api/scenario  {state}   the complete scenario file the state stands for (to download)
    POST /api/run       {"now": state, "before": state or null}   -> {"job": ID}
    POST /api/story     {state}   -> {"job": ID}: one replication told, with the reasons for each decision
    GET  /api/jobs/ID             the job's snapshot, growing as chunks finish (a story's: its "story")
    POST /api/jobs/ID/cancel
    GET  /api/result/ID           a finished run's last snapshot, for the server's lifetime (a shared link)
    POST /api/groups    {"group": NAME, "state": state}   a group saves its scenario (replacing its last)
    GET  /api/groups              the groups' saved scenarios: group, episode, name, changes, saved
    POST /api/groups/compare  {"groups": [NAME, NAME, ...], "runs": N, "seed": S}   -> {"job": ID}

Every simulation is a job in the one queue (`classroom_jobs.JobBoard`), never run in a request's
thread: the jobs' chunks run on a pool of processes over the machine's cores, handed out round
robin across pages (`classroom_queue`). A run's snapshot says while it waits ``"status": "queued"``
and its ``position`` in the queue, and holds no numbers; then ``done`` of ``runs`` replications per
scenario, ``ran`` of ``total`` in all, and from the first estimate (`classroom_jobs.FIRST_ESTIMATE`
replications) on, the numbers, with ``"partial": true`` until the run is complete. A finished run's
snapshot names its ``result`` id: ``/api/result/ID`` gives that snapshot back for as long as the
server runs (the last `classroom_jobs.MAX_RESULTS` runs), so a link that carries the id can show
the results again. A group comparison's snapshot has the shape ``compare --json`` prints
(``outcomes``, ``scenarios`` with each one's distribution and paired difference from the first).
Past a cap of the board a request is answered 429 (a client's cap) or 503 (the server's)
with a Retry-After header and one line saying when to try again. A request that is wrong is
answered 400 with one line naming its field (`PageError`); a bug 500 with one line.

Uploaded text is written only into the server's private folder (`Workspace`); a request body is
at most `MAX_BODY` bytes; on a loopback address (however it was spelt: decided from the address
bound), requests must name the server as their host (so a web page elsewhere cannot reach the
server through a rebound DNS name); on another address they must name it by a numeric address
(which no DNS name can rebind), as ``localhost``, or by a name the teacher allowed
(``serve --allow-host NAME``); a request with an Origin header must come from the server's
own origin; and a POST must say it is JSON (so a form elsewhere cannot send one without the
browser asking first).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import re
import socket
import sys
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlsplit

from .. import __version__
from ..domain.kinds import KINDS, mover_of
from ..domain.mechanisms import MECHANISMS
from ..domain.parameters import PARAMETERS
from ..domain.roles import ROLES
from ..domain.variables import VARIABLES
from ..errors import MAX_MESSAGE, excerpt
from ..scenario.loader import OUTCOMES, TALKS_ISSUES
from ..scenario.yamlio import MAX_FILE_BYTES
from .classroom_groups import Groups, group_name
from .classroom_jobs import CHUNK, FAN_VARIABLES, FIRST_ESTIMATE, LOCAL, Busy, Client, JobBoard
from .classroom_state import (
    MAX_PAGE_RUNS,
    PageError,
    Prepared,
    Workspace,
    check_request,
    classroom_parameters,
    episode_of,
    prepare,
    run_options,
    shipped_episodes,
)
from .glossary import PLAIN_NAMES, clean_source, page_words
from .model_card import load_card
from .run_figures import scenario_context

STATIC_DIR = Path(__file__).resolve().with_name("classroom_static")
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml",
}
"""The kinds of file the page is made of; no other file is served."""
MAX_BODY = 4 * MAX_FILE_BYTES
"""Largest request body: a state with an upload (at most the loader's file limit) and its 'before'."""
MAX_DRAIN = 16 * MAX_BODY
"""Largest too-large body read (and dropped) before it is refused; a larger one is refused unread."""
DEFAULT_PORT = 8765
CLIENT_HEADER = "X-Diplosim-Client"
"""The header a page sends its own random id in (the board's caps count a page by it)."""
LOOPBACK_NAMES = ("localhost", "localhost.", "127.0.0.1", "[::1]")
"""Host names a loopback server answers to, besides the address it is bound to."""
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                                "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

Response = tuple[int, str, bytes]
"""(HTTP status, content type, body)."""


def _json(status: int, data: Any) -> Response:
    return status, "application/json; charset=utf-8", json.dumps(data, ensure_ascii=False).encode("utf-8")


def _error(status: int, message: str, target: str = "request", **more: Any) -> Response:
    return _json(status, {"error": {"message": message, "target": target, **more}})


def static_file(url_path: str) -> Path | None:
    """The file of classroom_static/ a request path names, or None: never a file outside that folder."""
    rel = unquote(urlsplit(url_path).path).lstrip("/") or "index.html"
    parts = PurePosixPath(rel).parts
    if any(part in (".", "..") or "\\" in part or "\x00" in part or ":" in part for part in parts):
        return None
    target = (STATIC_DIR / rel).resolve()
    if not target.is_relative_to(STATIC_DIR) or target.suffix not in CONTENT_TYPES or not target.is_file():
        return None
    return target


def meta() -> dict[str, Any]:
    """What the page needs to know before an episode: the vocabulary and the limits."""
    kinds = []
    for name, spec in KINDS.items():
        entry: dict[str, Any] = {"name": name, "meaning": spec.meaning, "effects": spec.effects,
                                 "mover": mover_of(name)}
        if name == "talks":
            entry["issues"] = {issue: mover_of(name, issue) for issue in TALKS_ISSUES}
        kinds.append(entry)
    params = [{"name": n, "lower": PARAMETERS[n].lower, "upper": PARAMETERS[n].upper, "unit": PARAMETERS[n].unit,
               "meaning": PARAMETERS[n].meaning, "mechanism": PARAMETERS[n].mechanism}
              for n in classroom_parameters()]
    return {"version": __version__, "episodes": list(shipped_episodes()),
            "mechanisms": [{"name": n, "plain": PLAIN_NAMES[n], "meaning": m} for n, m in MECHANISMS.items()],
            "kinds": kinds, "roles": dict(ROLES), "outcomes": OUTCOMES, "parameters": params,
            "variables": {n: {"lower": VARIABLES[n].lower, "upper": VARIABLES[n].upper, "unit": VARIABLES[n].unit,
                              "meaning": VARIABLES[n].meaning} for n in FAN_VARIABLES},
            "limits": {"runs": MAX_PAGE_RUNS, "chunk": CHUNK, "first_estimate": FIRST_ESTIMATE,
                       "upload_bytes": MAX_FILE_BYTES},
            "words": _words()}


def _words() -> dict[str, Any]:
    """The page's plain words for parameters and outcomes (`glossary.page_words`)."""
    names = classroom_parameters()
    return page_words(names, OUTCOMES, {n: PARAMETERS[n].unit for n in names})


def model_card() -> Response:
    """The Info tab's model card (`model_card.load_card`), or one line saying how to make it."""
    card = load_card()
    if card is None:
        return _error(404, "no model card yet: make it with `python run.py validate --runs 1000 --json | "
                           "python -m diplosim.present.model_card`", "card")
    return _json(200, card)


class ClassroomApp:
    """The page's back end: a private folder, a board of jobs, and the routes. No sockets."""

    def __init__(self, workers: int | None = None, processes: bool = True) -> None:
        self.workspace = Workspace()
        self.jobs = JobBoard(workers, processes)
        """The jobs, on `workers` processes (default: every core); ``processes=False``: threads here."""
        self.groups = Groups()

    def close(self) -> None:
        """Stop every job and remove the private folder."""
        self.jobs.close()
        self.workspace.close()

    def handle(self, method: str, path: str, body: Any = None, client: Client = LOCAL) -> Response:
        """Answer one request; `body` is the parsed JSON of a POST, `client` who sent it."""
        route = urlsplit(path).path
        try:
            if method == "GET" and not route.startswith("/api/"):
                return self.static(path)
            if method == "GET" and route == "/api/meta":
                return _json(200, meta())
            if method == "GET" and route == "/api/card":
                return model_card()
            found = re.fullmatch(r"/api/jobs/([0-9a-f]{1,32})(/cancel)?", route)
            if found:
                return self.job(method, found.group(1), bool(found.group(2)))
            found = re.fullmatch(r"/api/result/([0-9a-f]{1,32})", route)
            if found:
                return self.result(method, found.group(1))
            if method == "GET" and route == "/api/groups":
                return _json(200, {"groups": self.groups.listing()})
            posts = {"/api/episode": self.episode, "/api/check": self.check, "/api/scenario": self.scenario,
                     "/api/run": self.run, "/api/story": self.story, "/api/groups": self.save_group,
                     "/api/groups/compare": self.compare_groups}
            if route in posts:
                if method != "POST":
                    return _error(405, f"{route} takes POST")
                if not isinstance(body, Mapping):
                    return _error(400, "the request should be a JSON object")
                check_request(body)
                return posts[route](body, client)
            return _error(404, f"no such page: {excerpt(route)}")
        except PageError as exc:
            return _json(400, {"error": exc.as_json()})
        except Busy as exc:
            return _error(exc.status, exc.message, retry_after=exc.retry_after)
        except Exception as exc:  # noqa: BLE001 - a bug answers with its one line, and the server goes on
            return _error(500, excerpt(f"diplosim: error: {type(exc).__name__}: {exc}", MAX_MESSAGE), "scenario")

    def static(self, path: str) -> Response:
        target = static_file(path)
        if target is None:
            return _error(404, "no such file")
        return 200, CONTENT_TYPES[target.suffix], target.read_bytes()

    def episode(self, state: Mapping[str, Any], client: Client = LOCAL) -> Response:
        ep = episode_of(state, self.workspace)
        sc = ep.scenario
        triggers = []
        for tr in sc.triggers:
            if tr.kind == "poll":
                continue
            entry: dict[str, Any] = {"id": tr.id, "kind": tr.kind, "by": tr.by, "given": tr.given,
                                     "note": clean_source(tr.note), "source": clean_source(tr.source),
                                     "issue": tr.issue}
            if tr.at is not None:
                entry["at"] = tr.at.isoformat()
            elif tr.after is not None:
                entry.update(after=tr.after, probability=tr.probability)
            else:
                lo, hi = tr.between or (sc.start, sc.end)
                entry.update(rate=tr.rate, between=[lo.isoformat(), hi.isoformat()])
            triggers.append(entry)
        context = scenario_context(sc)
        params = {name: sc.params.specs[name].value for name in classroom_parameters()}
        return _json(200, {"ident": ep.ident, "uploaded": ep.uploaded, "filename": ep.filename, "name": sc.name,
                           "description": sc.description, "question": sc.question, "start": sc.start.isoformat(),
                           "end": sc.end.isoformat(), "state": sc.agreement.state.value,
                           "record": context["record"], "polls": context["polls"], "triggers": triggers,
                           "mechanisms": sorted(sc.mechanisms), "params": params,
                           "parameter_source": sc.params.source(),
                           "actors": {role: cast.name for role, cast in sc.actors.items()}})

    def check(self, state: Mapping[str, Any], client: Client = LOCAL) -> Response:
        prepared = prepare(state, self.workspace)
        return _json(200, {"ok": True, "filename": prepared.filename, "name": prepared.scenario.name,
                           "triggers": len(prepared.scenario.triggers)})

    def scenario(self, state: Mapping[str, Any], client: Client = LOCAL) -> Response:
        prepared = prepare(state, self.workspace)
        return _json(200, {"filename": prepared.filename, "yaml": prepared.text, "runs": prepared.runs,
                           "seed": str(prepared.seed)})

    def run(self, body: Mapping[str, Any], client: Client = LOCAL) -> Response:
        unknown = sorted(set(body) - {"now", "before"})
        if unknown:
            return _error(400, f"a run takes only 'now' and 'before', found '{excerpt(unknown[0])}'")
        self._admit(body.get("now"), 2 if body.get("before") is not None else 1, 0, client)
        now = self._side(body, "now")
        before = self._side(body, "before") if body.get("before") is not None else None
        if now is None:
            return _error(400, "a run needs the page's settings ('now')")
        if before is not None:  # common random numbers: the same seed and runs for both
            before = dataclasses.replace(before, runs=now.runs, seed=now.seed)
        return _json(200, {"job": self.jobs.start(now, before, client).ident})

    def _side(self, body: Mapping[str, Any], side: str) -> Prepared | None:
        state = body.get(side)
        if state is None:
            return None
        try:
            return prepare(state, self.workspace)
        except PageError as exc:
            raise PageError(exc.message, exc.target if side == "now" else f"before:{exc.target}") from None

    def job(self, method: str, ident: str, cancel: bool) -> Response:
        job = self.jobs.get(ident)
        if job is None:
            return _error(404, "no such run (the server forgets old runs, and every run when it restarts)")
        if cancel:
            if method != "POST":
                return _error(405, "cancel takes POST")
            self.jobs.cancel(ident)
            return _json(200, {"cancelled": ident})
        if method != "GET":
            return _error(405, "a run's snapshot takes GET")
        return 200, "application/json; charset=utf-8", job.snapshot_json()

    def result(self, method: str, ident: str) -> Response:
        """A finished run's last snapshot (what a shared link shows again)."""
        if method != "GET":
            return _error(405, "a result takes GET")
        found = self.jobs.result(ident)
        if found is None:
            return _error(404, "no such result (the server keeps the last runs' results until it stops)")
        return _json(200, found)

    def save_group(self, body: Mapping[str, Any], client: Client = LOCAL) -> Response:
        """Keep a group's scenario (its page's settings, checked to load) under the group's name."""
        unknown = sorted(set(body) - {"group", "state"})
        if unknown:
            return _error(400, f"saving takes only 'group' and 'state', found '{excerpt(unknown[0])}'")
        group = group_name(body.get("group"))
        state = body.get("state")
        if not isinstance(state, Mapping):
            return _error(400, "saving needs the page's settings ('state')", "state")
        saved = self.groups.save(group, state, prepare(state, self.workspace))
        return _json(200, saved.listing())

    def compare_groups(self, body: Mapping[str, Any], client: Client = LOCAL) -> Response:
        """Queue a comparison of two or more groups' scenarios with common random numbers."""
        unknown = sorted(set(body) - {"groups", "runs", "seed"})
        if unknown:
            return _error(400, f"a comparison takes only 'groups', 'runs' and 'seed', found '{excerpt(unknown[0])}'")
        chosen = self.groups.chosen(body.get("groups"))
        runs, seed, _ = run_options(body)
        self.jobs.admit(len(chosen) * runs, client)
        prepared = []
        for saved in chosen:
            try:
                prepared.append(prepare({**saved.state, "runs": runs, "seed": seed, "story": 0}, self.workspace))
            except PageError as exc:
                raise PageError(f"{saved.group}: {exc.message}", "groups") from None
        job = self.jobs.compare([s.group for s in chosen], prepared, runs, seed, client)
        return _json(200, {"job": job.ident})

    def story(self, state: Mapping[str, Any], client: Client = LOCAL) -> Response:
        """Queue the story of the state's replication; its snapshot (``/api/jobs/ID``) holds it when done."""
        self._admit(state, 1, 1, client)
        return _json(200, {"job": self.jobs.story(prepare(state, self.workspace), client).ident})

    def _admit(self, state: Any, sides: int, extra: int, client: Client) -> None:
        """Refuse (`Busy`) a job past the board's caps before its scenario is loaded; a state whose
        runs are wrong is left for `prepare` to refuse with its line."""
        try:
            runs = run_options(state)[0] if isinstance(state, Mapping) else None
        except PageError:
            runs = None
        if runs is not None:
            self.jobs.admit(sides * runs + extra, client)


class _Handler(BaseHTTPRequestHandler):
    server: ClassroomServer
    protocol_version = "HTTP/1.1"
    timeout = 60  # an idle kept-alive connection lets its thread go
    server_version = f"diplosim/{__version__}"

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        if self._host_ok():
            self._send(self.server.app.handle("GET", self.path))

    def do_POST(self) -> None:  # noqa: N802
        if not self._host_ok():
            return
        page = self.headers.get(CLIENT_HEADER)
        if page is not None and not re.fullmatch(r"[0-9a-f]{8,64}", page):
            self._send(_error(400, f"the {CLIENT_HEADER} header should be 8 to 64 hexadecimal digits"), close=True)
            return
        client = Client(str(self.client_address[0]), page)
        length = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding") or length is None or not length.isdigit():
            self._send(_error(411, "a request body needs its Content-Length"), close=True)
            return
        size = int(length)
        if size > MAX_BODY:
            # read (and drop) a body of a sane size, so that the client is not cut off before the answer
            left = size if size <= MAX_DRAIN else 0
            while left > 0 and (chunk := self.rfile.read(min(left, 65536))):
                left -= len(chunk)
            self._send(_error(413, f"the request is {size:,} bytes; the limit is {MAX_BODY:,}"), close=True)
            return
        raw = self.rfile.read(size)
        if self.headers.get_content_type() != "application/json":
            self._send(_error(415, "the request should be JSON (Content-Type: application/json)"))
            return
        try:
            body = json.loads(raw.decode("utf-8"))
            json.dumps(body, ensure_ascii=False).encode("utf-8")  # lone surrogates cannot be written to a file
        except (UnicodeError, ValueError, RecursionError):
            self._send(_error(400, "the request is not valid JSON text"))
            return
        self._send(self.server.app.handle("POST", self.path, body, client))

    def _host_ok(self) -> bool:
        """Whether the request names this server as its host (on loopback) and comes from its own
        origin (when it says where it comes from); if not, it is refused here."""
        host = (self.headers.get("Host") or "").lower()
        allowed = self.server.allowed_hosts
        if allowed is not None and host not in allowed:
            self._send(_error(421, "this server answers only to its own address"), close=True)
            return False
        if allowed is None and not named_safely(host, self.server.host_names):
            self._send(_error(421, f"this server answers to its numeric addresses and to the names it was started "
                                   f"with; to open it as '{excerpt(host.rsplit(':', 1)[0])}', start it with "
                                   "'serve --allow-host NAME'"), close=True)
            return False
        origin = self.headers.get("Origin")
        if origin is not None and not same_origin(origin, host):
            self._send(_error(403, "this server answers only to its own page (the request came from "
                                   f"'{excerpt(origin)}')"), close=True)
            return False
        return True

    def _send(self, response: Response, close: bool = False) -> None:
        status, kind, body = response
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        if status in (429, 503):
            self.send_header("Retry-After", str(json.loads(body)["error"].get("retry_after", 10)))
        for key, value in SECURITY_HEADERS.items():
            self.send_header(key, value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet: no line per request
        pass


def same_origin(origin: str, host: str) -> bool:
    """Whether a request's Origin header is ``http://`` and the Host it was sent to (the port 80 left
    out or not): a page of this server, not of another site (nor ``null``)."""
    try:
        theirs, ours = urlsplit(origin.strip().lower()), urlsplit(f"//{host}")
        same = (theirs.scheme == "http" and not theirs.path.strip("/") and theirs.hostname == ours.hostname
                and (theirs.port or 80) == (ours.port or 80))
    except ValueError:  # a port that is no number
        return False
    return bool(same and ours.hostname)


def named_safely(host: str, names: frozenset[str]) -> bool:
    """Whether a request's Host header (lowercased) names a server that is not on loopback in a way no
    other site's DNS can take over: a numeric address, ``localhost``, or one of `names` (the names the
    teacher allowed, lowercased, with no trailing dot). A DNS rebinding attack needs a name of its own."""
    try:
        name = urlsplit(f"//{host}").hostname
    except ValueError:  # a port that is no number
        return False
    if not name:
        return False
    name = name.rstrip(".")
    return numeric_address(name) is not None or name == "localhost" or name in names


def host_name(text: str) -> str:
    """A name given to `serve --allow-host`, as `named_safely` compares it: lowercased, no trailing dot.
    Raises ValueError for one that is empty or holds a port, a path or a space."""
    name = text.strip().lower().rstrip(".")
    if not name or any(c in name for c in ":/@[] \t?#"):
        raise ValueError(f"'{excerpt(text)}' is not a host name (give the name alone, without a port)")
    return name


def numeric_address(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address `address` spells by number (IPv6 maybe with a %scope, which is dropped), or None for
    a name or anything else. Nothing is resolved."""
    try:
        return ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return None


def is_loopback(address: str) -> bool:
    """Whether a numeric address (as a socket reports it, IPv6 maybe with a %scope) is a loopback one.
    Names are not resolved here: a server decides from the address it is bound to."""
    ip = numeric_address(address)
    if ip is None:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def resolve(host: str, port: int) -> tuple[socket.AddressFamily, str]:
    """The address family and numeric address `host` names (IPv4 first), as bind would use it:
    ``LOCALHOST``, ``127.1``, ``0x7f.1``, ``[::1]`` and ``localhost.`` are all loopback addresses."""
    name = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    found = socket.getaddrinfo(name or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    found.sort(key=lambda item: item[0] != socket.AF_INET)
    family, _, _, _, sockaddr = found[0]
    return family, str(sockaddr[0])


def reachable_addresses() -> list[str]:
    """This machine's IPv4 addresses that other machines could use (not loopback, not link-local):
    the addresses students type when the server listens on every address. Best effort: may be []."""
    found: list[str] = []
    try:  # the address the machine would send from (a UDP 'connect' sends nothing)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: routed by the default route, never answered
            found.append(str(probe.getsockname()[0]))
    except OSError:
        pass
    try:
        found += [str(item[4][0]) for item in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)]
    except OSError:
        pass
    out = []
    for address in found:
        ip = ipaddress.ip_address(address)
        if not (ip.is_loopback or ip.is_link_local or ip.is_unspecified) and address not in out:
            out.append(address)
    return out


class ClassroomServer(ThreadingHTTPServer):
    """The page on `host`:`port` (port 0: a free one), one thread per request, jobs in the background.

    Whether the server is on a loopback address (`loopback`), and so checks each request's Host against
    its own names, is decided from the address it is bound to, not from how `host` was spelt; off loopback
    a request must name it by a numeric address, ``localhost`` or one of `names` (`named_safely`)."""

    daemon_threads = True
    request_queue_size = 128
    """Connections the listening socket holds before they are accepted (socketserver's 5 would reset a
    room's pages that connect at the same moment while the server is busy loading a scenario)."""

    def __init__(self, host: str = "127.0.0.1", port: int = DEFAULT_PORT, app: ClassroomApp | None = None,
                 names: Sequence[str] = ()) -> None:
        try:
            self.address_family, address = resolve(host, port)
        except (socket.gaierror, UnicodeError) as exc:
            raise OSError(f"no such address: {exc}") from None
        super().__init__((address, port), _Handler)
        self.app = app or ClassroomApp()
        self.app.jobs.open()  # the pool's processes start now, not when the first student presses Run
        meta()  # and the episodes are read now: not by every page of a room that opens at once
        self.host = str(self.server_address[0])
        self.port = int(self.server_address[1])
        self.loopback = is_loopback(self.host)
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.allowed_hosts: set[str] | None = None
        self.host_names = frozenset(host_name(n) for n in names)
        """Names besides numeric addresses a server off loopback answers to (`named_safely`)."""
        if self.loopback:  # only the names of this address (see the module's docstring)
            own = (shown, *LOOPBACK_NAMES, *sorted(self.host_names))
            self.allowed_hosts = {f"{name}:{self.port}" for name in own}
            if self.port == 80:  # a browser leaves the default port out
                self.allowed_hosts |= set(own)
        self.url = f"http://{shown}:{self.port}/"
        self.urls = [self.url]
        """Addresses to open the page at: on an unspecified address (0.0.0.0, ::), this machine's
        addresses that other machines can reach, where any are found."""
        bound = numeric_address(self.host)  # the socket's own address: always a number
        if bound is not None and bound.is_unspecified:
            self.urls = [f"http://{a}:{self.port}/" for a in reachable_addresses()] or self.urls

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that went away is no error; anything else is one line on stderr, not a traceback."""
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)):
            sys.stderr.write(f"diplosim serve: error answering {client_address[0]}: {type(exc).__name__}: {exc}\n")

    def server_close(self) -> None:
        super().server_close()
        app = getattr(self, "app", None)  # None when the address could not be bound
        if app is not None:
            app.close()
