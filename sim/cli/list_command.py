"""`list`: name every shipped episode, counterfactual and example, the names `run` and the rest accept."""

from __future__ import annotations

import argparse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..files import to_json
from ..scenario.catalogue import GROUP_TITLES, catalogue
from ..scenario.shipped import SHIPPED_DIR
from .common import EXIT_ERROR, EXIT_OK


def catalogue_text(rows: Sequence[Mapping[str, Any]]) -> str:
    """The catalogue as text: a heading per group (with its folder), a line per scenario."""
    width = max((len(r["name"]) for r in rows), default=0)
    lines: list[str] = []
    for group, title in GROUP_TITLES.items():
        members = [r for r in rows if r["group"] == group]
        if not members:
            continue
        if lines:
            lines.append("")
        lines.append(f"{title}, in {Path(members[0]['path']).parent}:")
        for r in members:
            if r["error"]:
                told = f"does not load: {r['error']}"
            else:
                told = r["summary"] + (f" (changes {r['extends']})" if group == "counterfactuals" and r["extends"]
                                       else "")
            lines.append(f"  {r['name']:<{width}}  {told}")
    example = next((r["name"] for r in rows if r["group"] == "history"), "NAME")
    lines += ["", f"Give a name where a scenario file goes, e.g. diplosim run {example} "
                  f"(a file of that name, if there is one, comes first). The files are in {SHIPPED_DIR}."]
    return "\n".join(lines)


def cmd_list(args: argparse.Namespace) -> int:
    rows = catalogue()
    print(to_json(rows), end="") if args.json else print(catalogue_text(rows))
    return EXIT_ERROR if any(r["error"] for r in rows) else EXIT_OK


def add_list_command(sub: Any) -> None:
    """Register `list` on the subcommand parsers."""
    p = sub.add_parser("list", help="name every shipped episode, counterfactual and example, with a line on each "
                                    "(run, check, compare and the rest accept these names)")
    p.add_argument("--json", action="store_true", help="print JSON (name, group, path, title, summary, extends)")
    p.set_defaults(func=cmd_list)
