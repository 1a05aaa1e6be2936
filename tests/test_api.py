"""docs/api.md is executed: its worked example runs as written and its assertions hold."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
API_DOC = REPO / "docs" / "api.md"


def code_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", API_DOC.read_text(encoding="utf-8"), re.S)


@pytest.mark.slow
def test_the_api_guide_runs_as_written(capsys):
    blocks = code_blocks()
    assert len(blocks) == 3
    here = os.getcwd()
    os.chdir(REPO)  # the guide's paths are relative to a clone
    try:
        namespace: dict[str, object] = {}
        for block in blocks:
            exec(compile(block, str(API_DOC), "exec"), namespace)  # noqa: S102 - our own documentation
    finally:
        os.chdir(here)
    assert "suspended" in capsys.readouterr().out


def test_to_frame_without_pandas_names_the_extra(monkeypatch):
    import builtins

    from diplosim.files import to_frame

    real_import = builtins.__import__

    def no_pandas(name, *args, **kwargs):
        if name == "pandas":
            raise ImportError("no pandas here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pandas)
    with pytest.raises(ImportError, match=r"diplosim\[frame\]"):
        to_frame([{"a": 1}])
