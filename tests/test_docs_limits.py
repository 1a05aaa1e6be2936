"""docs/testing.md states the loader's limits; they must be the values in the code."""

import re

from diplosim.cli.common import MAX_RUNS
from diplosim.errors import MAX_EXCERPT, MAX_MESSAGE, MAX_WORD
from diplosim.model.engine import MAX_REACTIONS
from diplosim.scenario.loader import MAX_EXTENDS, MAX_FIRINGS, MAX_TRIGGERS
from diplosim.scenario.yamlio import MAX_ALIASES, MAX_DEPTH, MAX_FILE_BYTES, MAX_NODES, MAX_NUMBER
from tests.conftest import REPO

DOC = (REPO / "docs" / "testing.md").read_text(encoding="utf-8")


def test_every_limit_in_the_docs_matches_the_code():
    limits = {"MAX_FILE_BYTES": MAX_FILE_BYTES, "MAX_ALIASES": MAX_ALIASES, "MAX_NODES": MAX_NODES,
              "MAX_DEPTH": MAX_DEPTH, "MAX_TRIGGERS": MAX_TRIGGERS, "MAX_EXTENDS": MAX_EXTENDS,
              "MAX_REACTIONS": MAX_REACTIONS, "MAX_RUNS": MAX_RUNS,
              "MAX_FIRINGS": MAX_FIRINGS}
    rows = {re.search(r"`(MAX_[A-Z_]+)`", line)[1]: line
            for line in DOC.splitlines() if line.startswith("|") and "`MAX_" in line}
    assert set(limits) <= set(rows)
    for name, value in limits.items():
        assert f"| {value:,} " in rows[name], rows[name]
    assert f"{MAX_WORD} characters" in DOC
    assert f"| {MAX_NUMBER:.0e} |" in rows["MAX_NUMBER"]
    assert f"| {MAX_EXCERPT} characters |" in rows["MAX_EXCERPT"]
    assert f"| {MAX_MESSAGE} characters |" in rows["MAX_MESSAGE"]
