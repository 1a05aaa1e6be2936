"""`teaching check`: every number of the answer key has a command, the guide prints it, and the check fails
when the model changes."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from diplosim.present.teaching import (
    Entry,
    check_key,
    load_key,
    occurrences,
    paragraphs,
    shown,
    table,
    update_key,
    value_of,
)

REPO = Path(__file__).resolve().parent.parent
KEY = REPO / "docs" / "teaching-key.json"
GUIDE = REPO / "docs" / "teaching.md"


def test_every_key_number_is_printed_in_its_answer_and_made_by_a_command_the_cli_knows():
    guide = GUIDE.read_text(encoding="utf-8")
    entries = load_key(KEY)
    answers = paragraphs(guide)
    assert len(entries) >= 60 and {e.answer for e in entries} >= {"1.1", "1.2", "1.3", "1.4", "1.5", "2.1", "2.2",
                                                                    "2.3", "2.4", "2.5", "3.1", "3.2", "card"}
    assert len({e.id for e in entries}) == len(entries)
    for e in entries:
        assert e.answer in answers, e.id
        assert shown(e, e.expected, guide), f"{e.id}: the guide does not print {e.text.format(e.expected)!r}"
        assert e.command[0] in ("run", "compare", "story", "posterior", "validate"), e.id
        assert [bool(e.path), bool(e.pattern), bool(e.column)].count(True) == 1, e.id  # one way to read it
        for word in e.command:  # every file a command names is in the repository
            if word.endswith(".yaml"):
                assert (REPO / word).is_file(), (e.id, word)


DERIVED = {"1.4": {"+6.7"}, "1.5": {"7.5"}}
"""Decimal numbers of the key that no command prints: 1.4's +6.7 is the gap between two of its numbers; 1.5's
7.5 is the threshold its count of low-approval replications uses (the key's `where`), not a result."""


def test_every_decimal_number_of_the_key_is_one_the_check_reruns():
    guide = GUIDE.read_text(encoding="utf-8")
    entries = load_key(KEY)
    for answer, para in paragraphs(guide).items():
        body = para.split("**", 2)[-1]  # without the answer's own label
        numbers = re.findall(r"(?<![\w.-])[+-]?\d+\.\d+(?![\w.])", body)
        checked = {e.expected for e in entries if e.answer == answer} | DERIVED.get(answer, set())
        assert not [n for n in numbers if n not in checked], (answer, [n for n in numbers if n not in checked])


def test_values_are_read_and_formatted_as_the_guide_prints_them():
    out = json.dumps({"scenarios": [{}, {"difference": {"outcomes": {"x": {"diff": -0.0004, "ci": [-0.0261, 0.3]}}}}]})
    entry = Entry("a", "1.1", ("compare",), "{}", "", path="scenarios.1.difference.outcomes.x.diff", scale=100,
                  signed=True)
    assert value_of(entry, out) == "+0.0"  # rounding to -0.0 prints as the guide does
    assert value_of(Entry("b", "1.1", ("compare",), "{}", "", path="scenarios.1.difference.outcomes.x.ci.0",
                          scale=100, signed=True), out) == "-2.6"
    assert value_of(Entry("c", "1.1", ("compare",), "{}", "", path="scenarios.5.x", scale=100), out) == "?"
    story = Entry("d", "1.3", ("story",), "{}", "", pattern=r"How common: (\d+)%")
    assert value_of(story, "How common: 82% of the 1000 replications") == "82"


def _tiny_key(tmp_path: Path) -> tuple[Path, Path]:
    """A key of three numbers of answer 1.1 with 60 replications, and a guide that prints them (one across a
    line break)."""
    cmd = ["run", "scenarios/history/gsomia-2012.yaml", "--seed", "0", "--runs", "60"]
    entries = [{"id": "s", "answer": "1.1", "command": cmd, "path": "outcomes.signed.p", "scale": 100, "digits": 1,
                "signed": False, "text": "Signed {}%", "expected": "0.0"},
               {"id": "c", "answer": "1.1", "command": cmd, "path": "outcomes.collapsed.p", "scale": 100,
                "digits": 1, "signed": False, "text": "collapsed {}%", "expected": "0.0"},
               {"id": "t", "answer": "1.1", "command": ["story", "scenarios/history/gsomia-2012.yaml", "--runs", "60"],
                "pattern": r"How common: (\d+)%", "text": "says {}% of", "expected": "0"}]
    key = tmp_path / "key.json"
    key.write_text(json.dumps({"entries": entries}), encoding="utf-8")
    guide = tmp_path / "guide.md"
    guide.write_text("# Key\n\n**1.1** Signed 0.0%, collapsed\n0.0%; the story says 0% of them.\n\n"
                     "**1.2** Signed 0.0% here is another answer's.\n", encoding="utf-8")
    return key, guide


def test_update_writes_the_key_and_the_guide_then_the_check_passes_and_fails_when_a_parameter_changes(tmp_path):
    key, guide = _tiny_key(tmp_path)
    rows = check_key(REPO, key, guide)
    assert not any(r.ok for r in rows)  # the placeholders are not the model's numbers
    assert update_key(REPO, rows, key, guide) == (3, [])
    text = guide.read_text(encoding="utf-8")
    got = {e.id: e.expected for e in load_key(key)}
    signed, collapsed = float(got["s"]), float(got["c"])
    assert signed + collapsed <= 100.0 and 0 < collapsed < 100  # the rest stalled (a postponement pending)
    assert f"**1.1** Signed {got['s']}%, collapsed {got['c']}%; the story says {got['t']}% of them." in text
    assert "**1.2** Signed 0.0% here" in text  # another answer's paragraph is left alone
    assert all(r.ok for r in check_key(REPO, key, guide))
    # the same commands with the cost of walking away at 0 give other numbers: the check fails
    changed = check_key(REPO, key, guide, extra=("--set", "params.walkaway_cost=0"))
    assert [r.entry.id for r in changed if not r.ok] == ["s", "c", "t"]


def test_a_number_whose_text_is_printed_twice_in_its_answer_is_left_for_a_person(tmp_path):
    # "collapsed 0.0%" twice in 1.1: which one is entry c's is not certain, so neither place is changed
    key, guide = _tiny_key(tmp_path)
    twice = guide.read_text(encoding="utf-8").replace("of them.", "of them; collapsed 0.0% again.")
    guide.write_text(twice, encoding="utf-8")
    rows = check_key(REPO, key, guide)
    assert update_key(REPO, rows, key, guide) == (2, ["c"])
    text = guide.read_text(encoding="utf-8")
    assert text.count("collapsed\n0.0%") == 1 and "collapsed 0.0% again" in text
    assert {e.id: e.expected for e in load_key(key)}["c"] == "0.0"  # the key keeps the old number too
    left = [r.entry.id for r in check_key(REPO, key, guide) if not r.ok]
    assert left == ["c"]  # and the check still reports it
    base = [sys.executable, "-m", "diplosim.cli", "teaching", "check", "--root", str(REPO), "--key", str(key),
            "--guide", str(guide), "--update"]
    done = subprocess.run(base, capture_output=True, text=True, check=False)
    assert done.returncode == 1 and "left 1 for a person" in done.stdout and ": c" in done.stdout, done.stdout


def test_every_number_of_the_shipped_key_is_printed_once_in_its_answer():
    """So that `--update` knows where each goes (a text printed twice would be left for a person)."""
    guide = GUIDE.read_text(encoding="utf-8")
    counts = {e.id: occurrences(e, e.expected, guide) for e in load_key(KEY)}
    assert {k: n for k, n in counts.items() if n != 1} == {}


def test_the_command_exits_1_on_a_difference_and_0_when_the_key_holds(tmp_path):
    key, guide = _tiny_key(tmp_path)
    base = [sys.executable, "-m", "diplosim.cli", "teaching", "check", "--root", str(REPO), "--key", str(key),
            "--guide", str(guide)]
    first = subprocess.run(base, capture_output=True, text=True, check=False)
    assert first.returncode == 1 and "DIFFERS" in first.stdout and "0 of 3 numbers" in first.stdout
    assert subprocess.run([*base, "--update"], capture_output=True, text=True, check=False).returncode == 0
    again = subprocess.run(base, capture_output=True, text=True, check=False)
    assert again.returncode == 0 and "3 of 3 numbers as the key says." in again.stdout, again.stdout
    moved = subprocess.run([*base, "--set", "params.walkaway_cost=0"], capture_output=True, text=True, check=False)
    assert moved.returncode == 1


def test_the_shipped_key_holds_for_answer_1_1(tmp_path):
    # one command of the real key, at its full 1,000 replications (about two seconds): the shipped numbers
    rows = check_key(REPO, only=["1.1"])
    in_key = [e.id for e in load_key(KEY) if e.answer == "1.1"]
    assert len(in_key) >= 6 and [r.entry.id for r in rows] == in_key  # every 1.1 number of the key, checked
    assert all(r.ok for r in rows), [(r.entry.id, r.entry.expected, r.got) for r in rows]
    shutil.copy(KEY, tmp_path / "key.json")
    missing = tmp_path / "guide.md"
    signed = next(e for e in json.loads(KEY.read_text(encoding="utf-8"))["entries"] if e["id"] == "1.1-signed")
    shown = f"Signed {signed['expected']}%"  # as the guide prints the key's number
    assert shown in GUIDE.read_text(encoding="utf-8")
    missing.write_text(GUIDE.read_text(encoding="utf-8").replace(shown, "Signed 80%"), encoding="utf-8")
    bad = [r.entry.id for r in check_key(REPO, tmp_path / "key.json", missing, only=["1.1"]) if not r.ok]
    assert bad == ["1.1-signed"]  # the guide no longer prints the key's number


def test_the_handout_is_the_file_the_guide_makes_and_carries_the_sheet_glossary_and_card():
    from diplosim.present.handout import handout_html

    made = handout_html(GUIDE.read_text(encoding="utf-8"))
    assert (REPO / "docs" / "handout.html").read_text(encoding="utf-8") == made, \
        "docs/handout.html is stale: run `python run.py teaching handout`"
    for heading in ("Three things to know", "Student sheet", "Glossary", "Model card", "Part 3. One more event"):
        assert heading in made, heading
    assert "Answer key" not in made and "<script" not in made and "+35.4" not in made  # no answers for students


def test_the_handout_prints_on_two_pages(tmp_path):
    from tests.browser import require_chromium

    binary = require_chromium()
    pdf = tmp_path / "handout.pdf"
    subprocess.run([binary, "--headless", "--no-sandbox", "--disable-gpu", f"--print-to-pdf={pdf}",
                    "--no-pdf-header-footer", f"--user-data-dir={tmp_path / 'profile'}",
                    (REPO / "docs" / "handout.html").as_uri()], capture_output=True, timeout=120, check=False)
    pages = re.findall(rb"/Type\s*/Page[^s]", pdf.read_bytes())
    assert len(pages) == 2  # the complaint: the report prints to 23 pages


def test_a_number_the_output_no_longer_holds_is_reported_and_left_for_a_person(tmp_path):
    key, guide = _tiny_key(tmp_path)
    doc = json.loads(key.read_text(encoding="utf-8"))
    doc["entries"][2]["pattern"] = r"How rare: (\d+)%"  # as if the story no longer printed the line
    key.write_text(json.dumps(doc), encoding="utf-8")
    rows = check_key(REPO, key, guide, only=["t"])
    assert [r.got for r in rows] == ["?"] and "NOT FOUND" in "\n".join(table(rows))
    assert update_key(REPO, rows, key, guide) == (0, []) and "says 0% of" in guide.read_text(encoding="utf-8")


def test_a_fan_number_is_read_at_a_date_or_as_a_mean_between_two():
    fan = json.dumps({"dates": ["2016-11-02", "2016-11-04", "2016-11-06"],
                      "variables": {"approval": {"quantiles": {"50": [9.0, 7.94, 7.0]}}}})
    at = Entry("a", "1.5", ("run",), "{}", "", path="variables.approval.quantiles.50", output="fan.json",
               at="2016-11-04")
    assert value_of(at, fan) == "7.9"
    mean = Entry("b", "1.5", ("run",), "{}", "", path="variables.approval.quantiles.50", output="fan.json",
                 between=("2016-11-03", "2016-11-06"), digits=2)
    assert value_of(mean, fan) == "7.47"
    assert value_of(Entry("c", "1.5", ("run",), "{}", "", path="variables.approval.quantiles.50",
                          output="fan.json", at="2016-12-01"), fan) == "?"
    assert Entry.from_dict(mean.to_dict()) == mean and Entry.from_dict(at.to_dict()) == at


def test_a_table_number_is_a_median_date_or_a_count_of_the_rows_that_pass_the_conditions():
    table = ("replication,notice_given_date,approval\n0,2019-07-18,5.0\n1,2019-02-03,9.0\n2,,4.0\n"
             "3,2019-08-02,7.0\n4,2019-08-30,8.0\n")
    def entry(**kw) -> Entry:
        return Entry("t", "3.2", ("run",), "{}", "", output="replications.csv", **kw)
    assert value_of(entry(column="notice_given_date", stat="median"), table) == "2019-07-18"  # of the 4 dated
    assert value_of(entry(column="notice_given_date", stat="median", date="day month"), table) == "18 July"
    august = (("notice_given_date", ">=", "2019-08-01"), ("notice_given_date", "<=", "2019-08-31"))
    assert value_of(entry(column="notice_given_date", stat="count", where=august), table) == "2"
    below = entry(column="approval", stat="count", where=(("approval", "<", "7.5"),))
    assert value_of(below, table) == "3"  # as numbers: 5, 4 and 7, not 9 or 8
    assert value_of(entry(column="approval", stat="median", digits=1), table) == "7.0"
    assert value_of(entry(column="no_such_column", stat="count"), table) == "?"
    assert value_of(entry(column="approval", stat="count", where=(("approval", "~", "1"),)), table) == "?"
    for e in (below, entry(column="notice_given_date", stat="median", date="day month", where=august)):
        assert Entry.from_dict(e.to_dict()) == e


def test_a_card_number_is_read_from_the_card_the_validate_report_makes():
    def episode(name: str, outcome: str, modal: str, p: float) -> dict[str, Any]:
        side = {"p": p, "ci": [p - 0.03, p + 0.03], "modal": modal}
        return {"name": name, "outcome": outcome, "eventful": outcome != "renewed", "free": side,
                "conditional": side, "loo": side}
    report = json.dumps({"runs": 10, "seed": 0, "episodes": [episode("A", "collapsed", "collapsed", 0.503),
                                                              episode("B", "suspended", "terminated", 0.35),
                                                              episode("C", "renewed", "renewed", 0.9)]})
    card = Entry("c", "card", ("validate",), "{}", "", path="reproduces", output="model card", stat="count")
    assert value_of(card, report) == "2"  # A and C: the free run's most likely outcome is the recorded one
    assert value_of(Entry("e", "card", ("validate",), "{}", "", path="episodes", output="model card", stat="count"),
                    report) == "3"
    free = Entry("f", "card", ("validate",), "{}", "", path="episodes.0.free.p", output="model card", scale=100)
    assert value_of(free, report) == "50.3"
    assert value_of(card, json.dumps({"runs": 10})) == "?"  # not a report
    assert Entry.from_dict(card.to_dict()) == card
    assert "card" in paragraphs(GUIDE.read_text(encoding="utf-8"))  # the guide's model card section
    shipped = [e for e in load_key(KEY) if e.answer == "card"]
    assert {e.command[0] for e in shipped} >= {"validate"} and all(
        e.command[:3] == ("validate", "--runs", "1000") for e in shipped if e.command[0] == "validate")
