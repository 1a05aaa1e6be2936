"""Rerun the commands a document shows and paste their output back in.

A fenced block whose first line is ``$ python run.py ...`` (continued with a
trailing backslash) holds that command and what it printed; a line
``Produced by: python run.py ... --markdown`` is followed by the table the
command printed. This rewrites both from fresh runs, so the figures a page
shows are the ones the current model gives::

    python -m tests.doc_outputs docs/exploring.md

The prose that reads the figures is the author's to update.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"```\n(\$ python run\.py (?:[^\n]*\\\n)*[^\n]*)\n(.*?)```", re.S)
PRODUCED = re.compile(r"(Produced by: (python run\.py [^\n]*)\n\n)((?:\|[^\n]*\n)+)")


def run(command: str) -> str:
    """What `command` (a `python run.py ...` line) prints from the repository root: its output and the
    lines saying what it wrote, or, for a command refused as a page shows on purpose, its error line."""
    words = shlex.split(command.replace("\\\n", " "))
    done = subprocess.run([sys.executable, *words[1:]], cwd=REPO, capture_output=True, text=True, check=False)
    if done.returncode == 2:  # a refusal the page shows on purpose: its one line is the output
        return done.stderr
    if done.returncode not in (0, 1):
        raise RuntimeError(f"{command!r} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout + "".join(line + "\n" for line in done.stderr.splitlines()
                                 if line.startswith(("wrote", "plots:")))


def regenerate(text: str) -> str:
    """`text` with every shown command's output rerun."""
    def block(match: re.Match[str]) -> str:
        command = match.group(1)
        print(f"running: {command.splitlines()[0]}", file=sys.stderr)
        return f"```\n{command}\n{run(command[2:])}```"

    def table(match: re.Match[str]) -> str:
        print(f"running: {match.group(2)}", file=sys.stderr)
        out = run(match.group(2))
        if out.startswith("Produced by: "):  # a command that names itself: the page's line already does
            out = out.split("\n", 2)[2]
        return match.group(1) + out

    return PRODUCED.sub(table, BLOCK.sub(block, text))


if __name__ == "__main__":
    for name in sys.argv[1:]:
        path = REPO / name
        path.write_text(regenerate(path.read_text(encoding="utf-8")), encoding="utf-8")
        print(f"rewrote {name}", file=sys.stderr)
