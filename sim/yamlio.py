"""Safe, bounded YAML reading that remembers where every value came from.

Scenario files are shared between people, so they are untrusted input:
- only plain YAML types are built (no ``!!python`` or other tags);
- alias expansion, nesting depth and file size are bounded;
- every mapping and list remembers its file, and the line and column of each
  of its items, so errors can point at the exact place.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from .errors import ScenarioError

MAX_FILE_BYTES = 1_000_000
"""Largest scenario or parameter file read, in bytes."""
MAX_ALIASES = 200
"""Most alias uses (``*name``) in one file; guards against alias bombs."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and lists in one file."""


class Marked:
    """Mixin: where a node and each of its items stand in the source file."""

    file: str
    mark: tuple[int, int]
    item_marks: dict[Any, tuple[int, int]]

    def place(self, key: Any = None) -> tuple[int, int]:
        """(line, column) of item `key`, or of the node itself."""
        if key is not None and key in self.item_marks:
            return self.item_marks[key]
        return self.mark

    def where(self, key: Any = None) -> tuple[str, int, int]:
        """(file, line, column) of item `key`, or of the node itself.

        After an ``extends`` merge, items of one mapping may come from
        different files; `item_files` records those.
        """
        files = getattr(self, "item_files", None)
        file = files.get(key, self.file) if files and key is not None else self.file
        line, col = self.place(key)
        return file, line, col


class MarkedDict(dict, Marked):
    """A dict that knows its file and the (line, col) of each key."""


class MarkedList(list, Marked):
    """A list that knows its file and the (line, col) of each item."""


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts aliases, bounds depth and keeps marks."""

    def __init__(self, stream: str, file: str) -> None:
        super().__init__(stream)
        self.file = file
        self.aliases = 0
        self.depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise ScenarioError(
                    f"more than {MAX_ALIASES} alias uses; alias expansion is limited",
                    file=self.file, line=mark.line + 1, column=mark.column + 1,
                )
        self.depth += 1
        if self.depth > MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise ScenarioError(
                f"nesting deeper than {MAX_DEPTH} levels",
                file=self.file, line=mark.line + 1, column=mark.column + 1,
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_marked_mapping(self, node: yaml.MappingNode) -> MarkedDict:
        data = MarkedDict()
        data.file, data.mark, data.item_marks = self.file, _mark(node), {}
        yield data
        self.flatten_mapping(node)
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise ScenarioError(
                    "a mapping key must be a plain value",
                    file=self.file, line=_mark(key_node)[0], column=_mark(key_node)[1],
                ) from None
            if key in data:
                raise ScenarioError(
                    f"duplicate key '{key}'",
                    file=self.file, line=_mark(key_node)[0], column=_mark(key_node)[1],
                )
            data[key] = self.construct_object(value_node, deep=True)
            data.item_marks[key] = _mark(key_node)

    def construct_marked_sequence(self, node: yaml.SequenceNode) -> MarkedList:
        data = MarkedList()
        data.file, data.mark, data.item_marks = self.file, _mark(node), {}
        yield data
        for i, child in enumerate(node.value):
            data.append(self.construct_object(child, deep=True))
            data.item_marks[i] = _mark(child)

    def construct_undefined(self, node: yaml.Node):  # type: ignore[override]
        line, col = _mark(node)
        raise ScenarioError(
            f"the YAML tag '{node.tag}' is not allowed; scenario files hold plain data only",
            file=self.file, line=line, column=col,
        )


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_marked_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_marked_sequence)
_Loader.add_constructor(None, _Loader.construct_undefined)


def read_yaml(path: str | Path) -> Any:
    """Parse one YAML file safely; raise `ScenarioError` with a place on failure."""
    path = Path(path)
    shown = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ScenarioError("file not found", file=shown) from None
    except OSError as exc:
        raise ScenarioError(f"cannot read file ({exc.strerror})", file=shown) from None
    if path.is_dir():
        raise ScenarioError("is a directory, not a scenario file", file=shown)
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            f"file is {size} bytes; the limit is {MAX_FILE_BYTES}", file=shown
        )
    raw = path.read_bytes()
    if b"\x00" in raw:
        raise ScenarioError("file holds binary data (a NUL byte), not YAML text", file=shown)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"file is not UTF-8 text (bad byte at offset {exc.start})", file=shown
        ) from None
    return parse_yaml(text, shown)


def parse_yaml(text: str, file: str = "<input>") -> Any:
    """Parse YAML text safely; raise `ScenarioError` with a place on failure."""
    loader = _Loader(text, file)
    try:
        return loader.get_single_data()
    except ScenarioError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise ScenarioError(
            f"YAML syntax error: {problem}",
            file=file,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.YAMLError as exc:
        raise ScenarioError(f"YAML error: {exc}", file=file) from None
    except RecursionError:
        raise ScenarioError(f"nesting deeper than {MAX_DEPTH} levels", file=file) from None
    finally:
        loader.dispose()
