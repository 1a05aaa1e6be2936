"""The teaching guide's answer key, re-checked: every number tied to the command that makes it.

The key file (``docs/teaching-key.json``) lists entries
``{id, answer, command, path | pattern, scale, digits, signed, text, expected}``:

- `command` is a ``run.py`` command line (``run``, ``compare`` or ``story``),
  run from the repository's root; ``--json`` is added to ``run`` and
  ``compare``, whose printed JSON `path` (dots; numbers index lists) points
  into, and `scale`, `digits` and `signed` format (``0.693`` -> ``69.3``);
- a ``story`` (or ``posterior``) entry instead gives a regular expression
  `pattern` whose first group, as printed (or `rounded` to `digits`), is the
  value;
- an entry with `output` (``fan.json``) reads that file of the folder
  ``run --out`` writes (into a temporary folder): `path` leads to a series
  over the file's ``dates``, and `at` picks one date of it, or `between`
  (two dates) the mean over the dates from the first to the second;
- an entry with `output` ``replications.csv`` reads the table of replications
  that folder holds: `column` (a step's date, or a state variable at the end)
  over the rows that have it and pass every condition of `where`
  (``[column, op, value]``, op one of ``< <= > >= ==``; dates compare as ISO
  text), and `stat` ``median`` (the lower median; a date printed as `date`
  says: ``iso`` 2012-05-01, ``day month`` 1 May) or ``count``;
- an entry with `output` ``model card`` reads the model card made from the
  printed ``validate --json`` report (`model_card.build_card`, the card the
  page's Info tab shows); `stat` ``count`` gives the length of the list `path`
  leads to (the episodes the card says the model reproduces);
- `text` is how the number reads in the guide, with ``{}`` for the number
  (``"Signed {}%"``): the check also finds it in the paragraph of the guide that
  starts with the entry's ``**answer**`` (answer ``card``: the guide's model
  card section).

`check_key` runs each distinct command once and compares; `update_key` writes
the values it got into the key and into the guide's prose (the text with the
old number becomes the text with the new one), so that after a recalibration
one command, ``run.py teaching check --update``, regenerates the whole key.
A number the output no longer holds (a story that took another turn) is left
as it was and reported: that sentence of the guide needs rewriting by hand.
"""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from .model_card import build_card

KEY_FILE = Path("docs") / "teaching-key.json"
"""The key, relative to the repository's root."""

GUIDE_FILE = Path("docs") / "teaching.md"
"""The guide whose prose shows the key's numbers."""

JSON_COMMANDS = ("run", "compare", "validate")
"""Commands whose ``--json`` output an entry's `path` points into; ``story`` entries match text."""

CARD = "model card"
"""The `output` of an entry read from the model card made from a ``validate --json`` report."""

CARD_ANSWER = "card"
"""The `answer` of an entry shown in the guide's model card section (not an answer of the key)."""

OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b, "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b}
"""The comparisons a `where` condition of a replications.csv entry may make."""


@dataclass(frozen=True)
class Entry:
    """One number of the answer key."""

    id: str
    answer: str
    command: tuple[str, ...]
    text: str
    expected: str
    path: str = ""
    pattern: str = ""
    scale: float = 1.0
    digits: int = 1
    signed: bool = False
    rounded: bool = False
    """A `pattern` entry whose number is rounded to `digits` (a table's 4.794 printed 4.8 in the guide)."""
    output: str = ""
    at: str = ""
    between: tuple[str, str] | None = None
    column: str = ""
    """A column of replications.csv (an entry with that `output`)."""
    stat: str = ""
    """``median`` or ``count`` of `column` (replications.csv); ``count`` of a list (`path`)."""
    where: tuple[tuple[str, str, str], ...] = ()
    """Conditions on other columns a row must pass: (column, operator, value)."""
    date: str = ""
    """How a median date prints: ``iso`` (default) or ``day month`` ('1 May')."""

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Entry:
        """An entry from the key file's JSON."""
        return cls(id=str(d["id"]), answer=str(d["answer"]), command=tuple(str(c) for c in d["command"]),
                   text=str(d["text"]), expected=str(d.get("expected", "")), path=str(d.get("path", "")),
                   pattern=str(d.get("pattern", "")), scale=float(d.get("scale", 1.0)),
                   digits=int(d.get("digits", 1)), signed=bool(d.get("signed", False)),
                   rounded=bool(d.get("rounded", False)), output=str(d.get("output", "")), at=str(d.get("at", "")),
                   between=(str(d["between"][0]), str(d["between"][1])) if d.get("between") else None,
                   column=str(d.get("column", "")), stat=str(d.get("stat", "")),
                   where=tuple((str(c), str(op), str(v)) for c, op, v in d.get("where", [])),
                   date=str(d.get("date", "")))

    def to_dict(self) -> dict[str, Any]:
        """The entry as the key file holds it (defaults left out)."""
        out: dict[str, Any] = {"id": self.id, "answer": self.answer, "command": list(self.command)}
        if self.output:
            out["output"] = self.output
        if self.at or self.between:
            out.update({"at": self.at} if self.at else {"between": list(self.between or ())})
        if self.column:
            out.update(column=self.column, stat=self.stat)
            if self.where:
                out["where"] = [list(c) for c in self.where]
            if self.date:
                out["date"] = self.date
        elif self.stat:
            out.update(path=self.path, stat=self.stat)
        elif self.path:
            out.update(path=self.path, scale=self.scale, digits=self.digits, signed=self.signed)
        else:
            out["pattern"] = self.pattern
            if self.rounded:
                out.update(rounded=True, digits=self.digits)
        return {**out, "text": self.text, "expected": self.expected}


@dataclass(frozen=True)
class Row:
    """One entry checked: what the key says, what the command gave, and whether the guide shows it."""

    entry: Entry
    got: str
    in_guide: bool

    @property
    def ok(self) -> bool:
        """The command gives the key's number and the guide prints it."""
        return self.got == self.entry.expected and self.in_guide


def load_key(path: Path) -> list[Entry]:
    """The entries of a key file."""
    return [Entry.from_dict(d) for d in json.loads(path.read_text(encoding="utf-8"))["entries"]]


def save_key(path: Path, entries: Sequence[Entry]) -> None:
    """Write `entries` back, keeping the file's other fields."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["entries"] = [e.to_dict() for e in entries]
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def file_output(entry: Entry) -> bool:
    """Whether the entry reads a file of the folder ``run --out`` writes (not the printed output)."""
    return bool(entry.output) and entry.output != CARD


def command_line(entry: Entry, runs: int | None = None, extra: Sequence[str] = ()) -> tuple[str, ...]:
    """The entry's command as run: ``--json`` for run and compare, `runs` in place of its ``--runs``, and
    `extra` arguments (``--set PATH=VALUE``) after it."""
    args = list(entry.command)
    if runs is not None:
        if "--runs" in args:
            args[args.index("--runs") + 1] = str(runs)
        else:
            args += ["--runs", str(runs)]
    if args[0] in JSON_COMMANDS and not file_output(entry):
        args.append("--json")
    return (*args, *extra)


def run_command(args: Sequence[str], root: Path) -> str:
    """Run ``run.py ARGS`` from `root` (in this Python) and return what it printed; a failure raises."""
    done = subprocess.run([sys.executable, "-m", "diplosim.cli", *args], cwd=root, capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"run.py {' '.join(args)} failed (exit {done.returncode}): "
                           f"{done.stderr.strip().splitlines()[-1:] or ''}")
    return done.stdout


def _series_value(entry: Entry, doc: Any, node: Any) -> Any:
    """The value of a dated series (`node`, over ``doc['dates']``) at the entry's date, or its mean between
    the entry's two dates; None when the dates are not there."""
    dates = doc.get("dates", []) if isinstance(doc, dict) else []
    if not isinstance(node, list) or len(node) != len(dates):
        return None
    if entry.at:
        return node[dates.index(entry.at)] if entry.at in dates else None
    if entry.between:
        values = [v for d, v in zip(dates, node, strict=True) if entry.between[0] <= d <= entry.between[1]]
        return sum(values) / len(values) if values else None
    return None


def _compared(a: str, b: str) -> tuple[Any, Any]:
    """Two cells as numbers when both are, else as text (ISO dates order as text)."""
    try:
        return float(a), float(b)
    except ValueError:
        return a, b


def _table_value(entry: Entry, text: str) -> str:
    """A replications.csv entry's number: the median or count of `column` over the rows that pass `where`."""
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows or entry.column not in rows[0] or any(c not in rows[0] or op not in OPERATORS
                                                       for c, op, _ in entry.where):
        return "?"
    cells = [row[entry.column] for row in rows if row[entry.column] != "" and all(
        row[c] != "" and OPERATORS[op](*_compared(row[c], v)) for c, op, v in entry.where)]
    if entry.stat == "count":
        return str(len(cells))
    if entry.stat != "median" or not cells:
        return "?"
    try:
        numbers = [float(c) for c in cells]
    except ValueError:
        middle = statistics.median_low(cells)  # a date: the lower median, a date that happened
        if entry.date == "day month":
            day = date.fromisoformat(middle)
            return f"{day.day} {day:%B}"
        return middle
    return f"{round(statistics.median(numbers), entry.digits) + 0.0:.{entry.digits}f}"


def value_of(entry: Entry, output: str) -> str:
    """The entry's number in a command's output (or, for an entry with `output`, in that file's text),
    formatted as the guide prints it ('?' when absent)."""
    if entry.column:
        return _table_value(entry, output)
    if entry.pattern:
        m = re.search(entry.pattern, output)
        if not m:
            return "?"
        return f"{float(m.group(1)):.{entry.digits}f}" if entry.rounded else m.group(1)
    doc: Any = json.loads(output)
    if entry.output == CARD:
        try:
            doc = build_card(doc)
        except (KeyError, TypeError, ValueError):
            return "?"
    node = doc
    for part in entry.path.split("."):
        try:
            node = node[int(part)] if isinstance(node, list) else node[part]
        except (KeyError, IndexError, ValueError, TypeError):
            return "?"
    if entry.stat == "count":
        return str(len(node)) if isinstance(node, list) else "?"
    if file_output(entry):
        node = _series_value(entry, doc, node)
        if node is None:
            return "?"
    if not isinstance(node, (int, float)):
        return str(node)
    number = round(float(node) * entry.scale, entry.digits) + 0.0  # no '-0.0'
    return f"{number:+.{entry.digits}f}" if entry.signed else f"{number:.{entry.digits}f}"


def paragraphs(guide: str) -> dict[str, str]:
    """The answer key's paragraphs by answer: '**1.4** ...' up to the next answer or heading; and the model
    card section ('## Model card ...' up to the next section) as `CARD_ANSWER`."""
    out: dict[str, str] = {}
    for m in re.finditer(r"^\*\*(\d+\.\d+)\*\*(.*?)(?=^\*\*\d+\.\d+\*\*|^#|\Z)", guide, re.MULTILINE | re.DOTALL):
        out[m.group(1)] = m.group(0)
    card = re.search(r"^## Model card\b.*?(?=^## |\Z)", guide, re.MULTILINE | re.DOTALL)
    if card:
        out[CARD_ANSWER] = card.group(0)
    return out


def shown(entry: Entry, value: str, guide: str) -> bool:
    """Whether the guide's paragraph for the entry's answer prints `value` in the entry's text."""
    return _flat(entry.text.format(value)) in _flat(paragraphs(guide).get(entry.answer, ""))


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def check_key(root: Path, key: Path | None = None, guide: Path | None = None, runs: int | None = None,
              extra: Sequence[str] = (), only: Sequence[str] = (),
              progress: Callable[[str], None] | None = None) -> list[Row]:
    """Run the key's commands (each distinct one once) and compare every entry with what it gave."""
    entries = [e for e in load_key(key or root / KEY_FILE) if not only or e.id.split("-")[0] in only or e.id in only]
    text = (guide or root / GUIDE_FILE).read_text(encoding="utf-8")
    outputs: dict[tuple[str, ...], str] = {}
    rows = []
    with tempfile.TemporaryDirectory(prefix="teaching-check-") as scratch:
        folders: dict[tuple[str, ...], Path] = {}
        for e in entries:
            args = command_line(e, runs, extra)
            if args not in outputs:
                run_args = args
                if file_output(e):  # a folder of results: run --out into a scratch folder of its own
                    folders[args] = Path(scratch) / f"run{len(folders)}"
                    run_args = (*args, "--out", str(folders[args]))
                if progress is not None:
                    progress(f"run.py {' '.join(run_args)}")
                outputs[args] = run_command(run_args, root)
            got = outputs[args]
            if file_output(e):
                file = folders[args] / e.output
                got = file.read_text(encoding="utf-8") if file.is_file() else "{}"
            rows.append(Row(e, value_of(e, got), shown(e, e.expected, text)))
    return rows


def update_key(root: Path, rows: Sequence[Row], key: Path | None = None,
               guide: Path | None = None) -> tuple[int, list[str]]:
    """Write the values `rows` got into the key and the guide's prose: the number of entries changed, and the
    ids of those left for a person because their text for the old value is not printed exactly once in their
    answer's paragraph (so which place to change is not certain: a text as generic as ``[{}, ``)."""
    key_path, guide_path = key or root / KEY_FILE, guide or root / GUIDE_FILE
    text = guide_path.read_text(encoding="utf-8")
    got = {r.entry.id: r for r in rows}
    entries, changed, left = [], 0, []
    for e in load_key(key_path):
        row = got.get(e.id)
        if row is None or row.got == "?" or (row.got == e.expected and row.in_guide):
            entries.append(e)
            continue
        if row.in_guide and occurrences(e, e.expected, text) != 1:
            entries.append(e)
            left.append(e.id)
            continue
        text = _replace_in_answer(text, e, e.expected, row.got)
        entries.append(Entry(**{**e.__dict__, "expected": row.got}))
        changed += 1
    save_key(key_path, entries)
    guide_path.write_text(text, encoding="utf-8")
    return changed, left


def _pattern(entry: Entry, value: str) -> str:
    """A regular expression for the entry's text with `value`, line breaks inside it allowed."""
    return r"\s+".join(re.escape(w) for w in entry.text.format(value).split())


def occurrences(entry: Entry, value: str, guide: str) -> int:
    """How many times the entry's text with `value` is printed in its answer's paragraph of `guide`."""
    return len(re.findall(_pattern(entry, value), paragraphs(guide).get(entry.answer, "")))


def _replace_in_answer(guide: str, entry: Entry, old: str, new: str) -> str:
    """The guide with the entry's text for `old` replaced by its text for `new`, in its answer's paragraph
    (line breaks inside the text allowed)."""
    para = paragraphs(guide).get(entry.answer)
    if para is None:
        return guide
    found = re.search(_pattern(entry, old), para)
    if found is None:
        return guide
    fixed = para[:found.start()] + entry.text.format(new) + para[found.end():]
    return guide.replace(para, fixed, 1)


def table(rows: Sequence[Row]) -> list[str]:
    """The check as a table: id, the key's value, the command's, and what is wrong."""
    width = max((len(r.entry.id) for r in rows), default=2)
    lines = [f"{'id':<{width}}  {'key':>8}  {'got':>8}  check"]
    for r in rows:
        why = ("ok" if r.ok else "NOT FOUND in the output (rewrite that sentence by hand)" if r.got == "?" else
               "DIFFERS" if r.got != r.entry.expected else "not in the guide's text")
        lines.append(f"{r.entry.id:<{width}}  {r.entry.expected:>8}  {r.got:>8}  {why}")
    bad = sum(not r.ok for r in rows)
    lines.append(f"{len(rows) - bad} of {len(rows)} numbers as the key says" + (f"; {bad} differ." if bad else "."))
    return lines
