"""`teaching check`: rerun every number of the teaching guide's answer key (sim/present/teaching.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..files import write_atomic
from ..present.handout import handout_html
from ..present.teaching import GUIDE_FILE, KEY_FILE, check_key, table, update_key
from .common import EXIT_ERROR, EXIT_OK, EXIT_USAGE, story_runs_arg


def cmd_teaching_check(args: argparse.Namespace) -> int:
    root = Path(args.root)
    key = Path(args.key) if args.key else root / KEY_FILE
    if not key.is_file():
        print(f"diplosim: {key}: no answer key there (give the repository's root with --root)", file=sys.stderr)
        return EXIT_USAGE
    extra = [a for pair in (args.set or []) for a in ("--set", pair)]
    guide = Path(args.guide) if args.guide else None
    try:
        rows = check_key(root, key, guide, args.runs, extra, args.only.split(",") if args.only else (),
                         progress=lambda line: print(line, file=sys.stderr, flush=True))
    except RuntimeError as exc:
        print(f"diplosim: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for line in table(rows):
        print(line)
    if args.update:
        changed, left = update_key(root, rows, key, guide)
        print(f"updated {changed} number(s) in {key} and the guide")
        if left:
            print(f"left {len(left)} for a person (its text is printed more than once in its answer, so the "
                  f"place to change is not certain): {', '.join(left)}")
            return EXIT_ERROR
        return EXIT_OK
    return EXIT_OK if all(r.ok for r in rows) else EXIT_ERROR


HANDOUT_FILE = Path("docs") / "handout.html"
"""Where `teaching handout` writes by default, relative to the repository's root."""


def cmd_teaching_handout(args: argparse.Namespace) -> int:
    root = Path(args.root)
    guide = Path(args.guide) if args.guide else root / GUIDE_FILE
    if not guide.is_file():
        print(f"diplosim: {guide}: no teaching guide there (give the repository's root with --root)", file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.out) if args.out else root / HANDOUT_FILE
    write_atomic(out, handout_html(guide.read_text(encoding="utf-8")))
    print(f"wrote {out}: open it in a browser and print (two pages)")
    return EXIT_OK


def add_teaching_command(sub: Any) -> None:
    """Register `teaching check` on the subcommand parsers."""
    p = sub.add_parser("teaching", help="the teaching guide's answer key")
    tsub = p.add_subparsers(dest="teaching_command", required=True)
    c = tsub.add_parser("check", help="rerun every command of the answer key (docs/teaching-key.json) and compare "
                                      "each number with the key and the guide's text; exit 1 when one differs")
    c.add_argument("--update", action="store_true", help="write the numbers found into the key and the guide")
    c.add_argument("--root", default=".", help="the repository's root (default: here)")
    c.add_argument("--key", help="the key file (default: ROOT/docs/teaching-key.json)")
    c.add_argument("--guide", help="the guide (default: ROOT/docs/teaching.md)")
    c.add_argument("--only", help="answers or ids to check, comma-separated (e.g. 1.1,2.2)")
    c.add_argument("--runs", type=story_runs_arg, help="replications per command instead of the key's "
                                                          "(the numbers then differ: for trying the check)")
    c.add_argument("--set", action="append", metavar="PATH=VALUE",
                   help="passed to every command, e.g. params.walkaway_cost=1 (the check then fails)")
    c.set_defaults(func=cmd_teaching_check)
    h = tsub.add_parser("handout", help="write the two-page student handout (HTML to print) from the guide")
    h.add_argument("--root", default=".", help="the repository's root (default: here)")
    h.add_argument("--guide", help="the guide (default: ROOT/docs/teaching.md)")
    h.add_argument("--out", help="the HTML file to write (default: ROOT/docs/handout.html)")
    h.set_defaults(func=cmd_teaching_handout)
