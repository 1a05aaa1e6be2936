"""The model card the classroom page's Info tab shows, made from a `validate` report (never typed).

The card says what the model reproduces (the episodes whose recorded outcome is the most likely one
when every actor decides and nothing is given: validate's free run), where it fails (the eventful
episodes where it is not, with their free, conditional and left-out numbers), and the theory behind
each mechanism (`domain/mechanisms.py`). Every number in it is copied from the report; `build_card`
does no arithmetic but the lists of which episodes reproduce and which fail.

Regenerate it after the model or its calibration changes (one command line)::

    python run.py validate --runs 1000 --json | python -m diplosim.present.model_card

which writes ``sim/present/model_card.json`` (``--out PATH`` elsewhere; ``--report FILE`` reads a
saved ``validation.json`` instead of the standard input). The page reads the file named by the
environment variable ``DIPLOSIM_MODEL_CARD`` when it is set (the browser test's own card), else the
shipped one.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from ..domain.mechanisms import MECHANISMS
from ..files import write_atomic
from .glossary import PLAIN_NAMES

CARD_FILE = Path(__file__).resolve().with_name("model_card.json")
"""The shipped card (package data beside this module)."""
CARD_ENV = "DIPLOSIM_MODEL_CARD"
"""An environment variable naming another card file for the page to show."""
COMMAND = "python run.py validate --runs 1000 --json | python -m diplosim.present.model_card"
"""The one command line that regenerates the shipped card."""
SIDES = ("free", "conditional", "loo")
"""The report's runs the card quotes per episode: free, conditional, and left out of the calibration."""
SIDE_LABELS = {
    "free": "free run: every actor decides, nothing given (the forecast)",
    "conditional": "conditional run: the actors' recorded moves given, only Seoul decides (not a forecast)",
    "loo": "left out: the free run with parameters calibrated without this episode",
}


def _side(entry: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the card quotes of one run of an episode: p of the recorded outcome, its interval, the modal outcome."""
    if not entry:
        return None
    return {"p": entry["p"], "ci": list(entry["ci"]), "modal": entry["modal"]}


def build_card(report: dict[str, Any]) -> dict[str, Any]:
    """The model card of a validate report (`validate(...)` or ``validate --json``)."""
    episodes = []
    for ep in report["episodes"]:
        row: dict[str, Any] = {"name": ep["name"], "outcome": ep["outcome"], "eventful": bool(ep["eventful"])}
        for side in SIDES:
            row[side] = _side(ep.get(side))
        episodes.append(row)
    reproduces = [e["name"] for e in episodes if e["free"] and e["free"]["modal"] == e["outcome"]]
    fails = [e["name"] for e in episodes if e["eventful"] and e["name"] not in reproduces]
    return {
        "made_by": COMMAND,
        "runs": report["runs"],
        "seed": report["seed"],
        "parameters": report.get("parameters"),
        "sides": SIDE_LABELS,
        "episodes": episodes,
        "reproduces": reproduces,
        "fails": fails,
        "mechanisms": [{"name": name, "plain": PLAIN_NAMES[name].split(" (")[0], "theory": theory}
                       for name, theory in MECHANISMS.items()],
    }


def card_path() -> Path:
    """The card file the page shows: $DIPLOSIM_MODEL_CARD when set, else the shipped one."""
    named = os.environ.get(CARD_ENV)
    return Path(named) if named else CARD_FILE


def load_card() -> dict[str, Any] | None:
    """The card the page shows, or None when there is none (the page then says how to make it)."""
    try:
        card: dict[str, Any] = json.loads(card_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return card


def main(argv: list[str] | None = None) -> int:
    """Read a validate report (standard input, or --report FILE) and write its model card."""
    parser = argparse.ArgumentParser(prog="python -m diplosim.present.model_card", description=__doc__.split("\n")[0])
    parser.add_argument("--report", help="a saved validation.json (default: the standard input)")
    parser.add_argument("--out", default=str(CARD_FILE), help=f"where to write the card (default: {CARD_FILE.name} "
                                                             "beside this module)")
    args = parser.parse_args(argv)
    try:
        text = Path(args.report).read_text(encoding="utf-8") if args.report else sys.stdin.read()
        card = build_card(json.loads(text))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        where = args.report or "the standard input"
        print(f"{where}: not a validate report ({type(exc).__name__}); make one with "
              "`python run.py validate --json`", file=sys.stderr)
        return 2
    write_atomic(Path(args.out), json.dumps(card, indent=1, ensure_ascii=False) + "\n")
    print(f"model card: {len(card['episodes'])} episodes ({card['runs']} runs, seed {card['seed']}) -> {args.out}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
