"""The dependency rule: subpackages import only downstream of the data flow.

    errors, files  <-  domain  <-  scenario  <-  model  <-  run  <-  explore  <-  present  <-  cli

A module may import from its own subpackage and from any subpackage to its left,
never to its right (docs/architecture.md). Every import counts, including
those inside functions and under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parent.parent / "sim"
LAYERS = ("domain", "scenario", "model", "run", "explore", "present", "cli")
LEAVES = ("errors", "files")
"""Top-level modules that import nothing of the package: anyone may use them."""


def layer_of(parts: tuple[str, ...]) -> str:
    """The subpackage (or leaf module) a dotted path inside the package belongs to."""
    return parts[0] if parts else ""


def imports_of(path: Path) -> list[tuple[int, tuple[str, ...]]]:
    """Every import of the package in `path`, as (line, dotted parts below `diplosim`)."""
    rel = path.relative_to(SIM).with_suffix("").parts
    package = rel[:-1] if rel[-1] != "__init__" else rel[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = base + tuple(node.module.split(".") if node.module else ())
            elif node.module and node.module.split(".")[0] == "diplosim":
                target = tuple(node.module.split(".")[1:])
            else:
                continue
            if not target:  # `from . import x`: x is the thing imported
                out += [(node.lineno, (a.name,)) for a in node.names if a.name != "__version__"]
            else:
                out.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, tuple(a.name.split(".")[1:])) for a in node.names
                    if a.name.split(".")[0] == "diplosim"]
    return out


def allowed(source: str, target: str) -> bool:
    """Whether code in `source` may import from `target`."""
    if target in LEAVES or target == source:
        return True
    if source in LEAVES:
        return False
    if source == "":  # diplosim/__init__.py: the public API may gather from anywhere
        return True
    return target in LAYERS and LAYERS.index(target) < LAYERS.index(source)


MODULES = sorted(p for p in SIM.rglob("*.py"))


def test_every_module_belongs_to_a_layer() -> None:
    for path in MODULES:
        rel = path.relative_to(SIM).parts
        if len(rel) == 1:
            assert path.stem in LEAVES + ("__init__",), f"{path}: top-level module outside the layers"
        else:
            assert rel[0] in LAYERS, f"{path}: unknown subpackage {rel[0]}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SIM)))
def test_imports_follow_the_data_flow(path: Path) -> None:
    rel = path.relative_to(SIM).parts
    source = "" if rel == ("__init__.py",) else (path.stem if len(rel) == 1 else rel[0])
    wrong = [f"line {line}: {'.'.join(target)}" for line, target in imports_of(path)
             if not allowed(source, layer_of(target))]
    assert not wrong, f"{path.relative_to(SIM)} imports against the dependency rule: {wrong}"


def test_the_rule_catches_a_backward_import() -> None:
    assert not allowed("model", "run")
    assert not allowed("scenario", "model")
    assert not allowed("errors", "domain")
    assert allowed("cli", "domain")
