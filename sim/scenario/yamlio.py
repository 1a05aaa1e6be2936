"""Safe, bounded YAML reading that remembers where every value came from.

Scenario files are shared between people, so they are untrusted input:
- only plain YAML types are built (no ``!!python`` or other tags);
- file size, alias uses, nesting depth and the size of the document once
  aliases are expanded are all bounded, and checked before any Python object
  is built, so a hostile file fails at once instead of eating memory or time;
- every mapping and list remembers its file, and the line and column of each
  of its items, so errors can point at the exact place.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from ..errors import ScenarioError, excerpt
from ..files import read_text

MAX_FILE_BYTES = 262_144
"""Largest scenario or parameter file read, in bytes."""
MAX_ALIASES = 200
"""Most alias uses (``*name``) in one file; guards against alias bombs."""
MAX_DEPTH = 32
"""Deepest nesting of mappings and lists in one file, counting nesting reached through aliases."""
MAX_NODES = 5_000
"""Most values (scalars, lists, mappings) a file may hold, and expand to once every alias is followed.

Ten aliases per level over nine levels stay under `MAX_ALIASES` yet expand to a
billion values; anything that walks the document (validation, ``extends``
merging, ``--set``) would then hang. A real scenario with `MAX_TRIGGERS`
triggers is well under a tenth of this.
"""


SET_SOURCE = "--set"
"""The "file" of values given on the command line with ``--set``."""


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

    def where(self, key: Any = None) -> tuple[str, int | None, int | None]:
        """(file, line, column) of item `key`, or of the node itself.

        After an ``extends`` merge, items of one mapping may come from
        different files; `item_files` records those. A value given with
        ``--set`` has no line or column.
        """
        files = getattr(self, "item_files", None)
        file = files.get(key, self.file) if files and key is not None else self.file
        if file == SET_SOURCE:
            return file, None, None
        line, col = self.place(key)
        return file, line, col


class MarkedDict(dict, Marked):
    """A dict that knows its file and the (line, col) of each key."""


class MarkedList(list, Marked):
    """A list that knows its file and the (line, col) of each item."""


def _mark(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _check_expansion(root: yaml.Node, file: str) -> None:
    """Raise `ScenarioError` if `root`, with aliases expanded, is too large, too deep or cyclic.

    An alias composes to the very node it names, so the composed graph is small
    even when its expansion is huge; sizes and heights are memoised per node and
    the walk costs one visit per distinct node.
    """
    known: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded values, height)
    open_nodes: set[int] = set()

    def fail(node: yaml.Node, message: str) -> ScenarioError:
        line, col = _mark(node)
        return ScenarioError(message, file=file, line=line, column=col)

    def visit(node: yaml.Node, level: int) -> tuple[int, int]:
        key = id(node)
        if key in open_nodes:
            raise fail(node, "an alias refers to a mapping or list that contains it")
        if key in known:
            size, height = known[key]
        else:
            if isinstance(node, yaml.MappingNode):
                children = [child for pair in node.value for child in pair]
            elif isinstance(node, yaml.SequenceNode):
                children = list(node.value)
            else:
                children = []
            open_nodes.add(key)
            size, height = 1, 1
            for child in children:
                child_size, child_height = visit(child, level + 1)
                size += child_size
                height = max(height, child_height + 1)
                if size > MAX_NODES:
                    raise fail(node, f"the document expands to more than {MAX_NODES} values "
                                     "through aliases; alias expansion is limited")
            open_nodes.discard(key)
            known[key] = (size, height)
        if level + height - 1 > MAX_DEPTH:
            raise fail(node, f"nesting deeper than {MAX_DEPTH} levels (counting aliases)")
        return size, height

    if root is not None:
        visit(root, 1)


_STANDARD_TAGS = "tag:yaml.org,2002:"
"""Prefix that ``!!`` abbreviates in YAML tags."""


MAX_NUMBER = 1e15
"""Largest number (in size) a scenario or parameter file may hold: far above any real quantity
here, and small enough that no arithmetic on it overflows."""


def _short_tag(tag: str) -> str:
    """A tag as written (``!!float``), escaped and short."""
    return excerpt("!!" + tag.removeprefix(_STANDARD_TAGS) if tag.startswith(_STANDARD_TAGS) else tag, 40)


class _Loader(yaml.SafeLoader):
    """SafeLoader that counts aliases, bounds depth and keeps marks."""

    def __init__(self, stream: str, file: str) -> None:
        super().__init__(stream)
        self.file = file
        self.aliases = 0
        self.depth = 0
        self.nodes = 0

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise ScenarioError(
                    f"more than {MAX_ALIASES} alias uses; alias expansion is limited",
                    file=self.file, line=mark.line + 1, column=mark.column + 1,
                )
        else:
            # Stop a large file early, before the whole of it is composed; alias
            # expansion is measured once the document is complete (`_check_expansion`).
            self.nodes += 1
            if self.nodes > MAX_NODES:
                mark = self.peek_event().start_mark
                raise ScenarioError(f"the document holds more than {MAX_NODES} values",
                                    file=self.file, line=mark.line + 1, column=mark.column + 1)
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

    def compose_document(self):
        node = super().compose_document()
        _check_expansion(node, self.file)
        return node

    def construct_marked_mapping(self, node: yaml.MappingNode) -> Iterator[MarkedDict]:
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

    def construct_marked_sequence(self, node: yaml.SequenceNode) -> Iterator[MarkedList]:
        data = MarkedList()
        data.file, data.mark, data.item_marks = self.file, _mark(node), {}
        yield data
        for i, child in enumerate(node.value):
            data.append(self.construct_object(child, deep=True))
            data.item_marks[i] = _mark(child)

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Construct a value; a tag that cannot make one (``!!float x``, ``!!map x``) is a one-line error."""
        try:
            return super().construct_object(node, deep=deep)
        except ScenarioError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError) as exc:
            line, col = _mark(node)
            value = node.value if isinstance(node, yaml.ScalarNode) else "..."
            raise ScenarioError(f"the YAML tag '{_short_tag(node.tag)}' cannot make a value of "
                                f"'{excerpt(str(value))}' ({type(exc).__name__})",
                                file=self.file, line=line, column=col) from None

    def construct_checked_int(self, node: yaml.ScalarNode) -> int:
        line, col = _mark(node)
        try:
            value = self.construct_yaml_int(node)
        except ValueError:
            digits = sum(ch.isdigit() for ch in node.value)
            if digits < 100:  # not a number at all (`!!int x`)
                raise ScenarioError(f"the YAML tag '!!int' cannot make a value of '{excerpt(node.value)}'",
                                    file=self.file, line=line, column=col) from None
            raise ScenarioError(f"a number of {digits:,} digits; numbers here are at most about "
                                f"{MAX_NUMBER:.0e}", file=self.file, line=line, column=col) from None
        if abs(value) > MAX_NUMBER:
            raise ScenarioError(f"a number of {len(str(abs(value))):,} digits; numbers here are at most about "
                                f"{MAX_NUMBER:.0e}", file=self.file, line=line, column=col)
        return value

    def construct_checked_float(self, node: yaml.ScalarNode) -> float:
        value = self.construct_yaml_float(node)
        if math.isfinite(value) and abs(value) > MAX_NUMBER:
            line, col = _mark(node)
            raise ScenarioError(f"the number {excerpt(node.value, 30)} is too large; numbers here are at most about "
                                f"{MAX_NUMBER:.0e}", file=self.file, line=line, column=col)
        return value

    def construct_checked_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return self.construct_yaml_timestamp(node)
        except (ValueError, OverflowError) as exc:
            line, col = _mark(node)
            raise ScenarioError(f"'{node.value}' is not a real date ({exc})",
                                file=self.file, line=line, column=col) from None

    def construct_undefined(self, node: yaml.Node):
        line, col = _mark(node)
        raise ScenarioError(
            f"the YAML tag '{_short_tag(node.tag)}' is not allowed; scenario files hold plain data only",
            file=self.file, line=line, column=col,
        )


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_marked_mapping)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_marked_sequence)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_checked_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_checked_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:float", _Loader.construct_checked_float)
_Loader.add_constructor(None, _Loader.construct_undefined)
# YAML's sets, ordered maps, pairs and binary blobs are not plain scenario data:
# refuse them with the same message as any other tag.
for _tag in ("set", "omap", "pairs", "binary"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _Loader.construct_undefined)


def read_yaml(path: str | Path) -> Any:
    """Parse one YAML file safely; raise `ScenarioError` with a place on failure.

    The file is opened as every untrusted file is (`files.read_text`): a regular
    file of at most `MAX_FILE_BYTES` bytes of UTF-8 text, or a one-line refusal.
    """
    shown = str(path)
    text = read_text(path, MAX_FILE_BYTES, what="scenario file", kind="YAML text", shown=shown)
    return parse_yaml(text, shown)


def parse_yaml(text: str, file: str = "<input>") -> Any:
    """Parse YAML text safely; raise `ScenarioError` with a place on failure."""
    try:
        loader = _Loader(text, file)
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, file) from None
    try:
        return loader.get_single_data()
    except ScenarioError:
        raise
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, file) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.problem:
            if exc.problem.startswith("but "):  # "expected X" / "but found Y"
                problem = f"{exc.context}, {exc.problem}"
            elif exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
                problem += (f" ({exc.context} that starts at line {exc.context_mark.line + 1}, "
                            f"column {exc.context_mark.column + 1})")
        if "'\\t'" in problem:  # PyYAML's words for a tab; say what to do instead
            problem = "a tab character; YAML indents with spaces only (replace the tab with spaces)"
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


def _reader_error(exc: yaml.reader.ReaderError, text: str, file: str) -> ScenarioError:
    """A character YAML does not allow in a file, with its place."""
    before = text[: exc.position]
    line = before.count("\n") + 1
    column = exc.position - (before.rfind("\n") + 1) + 1
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return ScenarioError(f"the character {ascii(char)} is not allowed in a YAML file",
                         file=file, line=line, column=column)
