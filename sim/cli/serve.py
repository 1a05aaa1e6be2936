"""`serve`: the classroom page (`present/classroom.py`) on a local web server.

Argument parsing, printing and signals only: Ctrl-C or SIGTERM stops the server, which cancels
its runs, ends its pool of processes (`--workers`, default every core) and removes its private
folder, and the command exits 0 with one line.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from ..errors import excerpt
from ..scenario.loader import ALLOW_ENV
from .common import EXIT_OK, UsageError, whole
from .store_commands import Terminated

DEFAULT_HOST = "127.0.0.1"


def cmd_serve(args: argparse.Namespace) -> int:
    from ..present.classroom import ClassroomApp, ClassroomServer  # http.server: loaded only here

    # What a page uploads may extend only the shipped scenarios, whatever folders the shell allows.
    os.environ.pop(ALLOW_ENV, None)
    app = ClassroomApp(workers=args.workers)
    try:
        server = ClassroomServer(args.host, args.port, app, args.allow_host)
    except OSError as exc:
        app.close()
        raise UsageError(f"serve: cannot listen on {excerpt(args.host)} port {args.port} ({exc.strerror or exc}); "
                         "try another --port, or --port 0 for a free one") from None
    how = "stopped"
    try:  # from here on a signal stops the server cleanly, even before it serves its first request
        if not server.loopback:  # decided from the address bound, however --host was spelt
            print(f"warning: listening on {server.host}: anyone who can reach this machine on that network can "
                  "use the page (run simulations, upload scenario files); it answers to this machine's numeric "
                  "addresses"
                  + (f" and to {', '.join(sorted(server.host_names))}" if server.host_names else
                     " (--allow-host NAME: to a name as well)"), file=sys.stderr)
        if app.jobs.queue.fallback is not None:
            print(f"warning: no pool of processes ({excerpt(app.jobs.queue.fallback)}): the page's runs share this "
                  "process, one at a time", file=sys.stderr)
        compiled = app.jobs.queue.compiled  # the room's runs on the compiled model: the same numbers, faster
        model = f"; runs on the compiled model in {excerpt(str(compiled))}" if compiled is not None else ""
        print(f"diplosim classroom page: {'  '.join(server.urls)}  (Ctrl-C to stop{model})", flush=True)
        server.serve_forever()
    except Terminated:
        how = "stopped by SIGTERM"
    except KeyboardInterrupt:
        how = "stopped by Ctrl-C"
    finally:
        server.server_close()
    print(f"diplosim serve: {how}; the page's runs and uploads are gone", file=sys.stderr)
    return EXIT_OK


def allowed_name(text: str) -> str:
    """An --allow-host name, checked (argparse turns the error into a usage line)."""
    from ..present.classroom import host_name

    try:
        return host_name(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_serve_command(sub: Any) -> None:
    """Register `serve` on the subcommand parsers."""
    p = sub.add_parser("serve", help="the classroom page: change an episode in a local web page and run it")
    p.add_argument("--port", type=whole(0, 65535, "a port"), default=8765,
                   help="port to listen on (default 8765; 0 picks a free one)")
    p.add_argument("--host", default=DEFAULT_HOST, metavar="ADDRESS",
                   help=f"address to listen on (default {DEFAULT_HOST}, this machine only); another address "
                        "opens the page to that network")
    p.add_argument("--allow-host", action="append", default=[], type=allowed_name, metavar="NAME",
                   help="off this machine (--host 0.0.0.0 or an address of a network), also answer to the page "
                        "opened as http://NAME:PORT/ (repeatable); by default such a server answers only to its "
                        "numeric addresses and localhost, so that no other site can reach it through a DNS name")
    p.add_argument("--workers", type=whole(1, 256, "a number of processes"), default=None, metavar="N",
                   help="processes that run the page's replications (default: every core); the room's runs "
                        "share them in turn")
    p.set_defaults(func=cmd_serve)
