"""The groups' saved scenarios, for the lecturer's view: in memory, for the server's lifetime, capped.

A group saves its page's settings (a state, see `classroom_state`) under a group name; saving again
under the same name replaces it. The lecturer lists them and compares any two or more with common
random numbers (a `classroom_jobs.CompareJob`, through the queue like every run).
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import excerpt
from .classroom_state import PageError, Prepared

MAX_GROUPS = 64
"""Most groups' scenarios the server keeps."""
MAX_COMPARED = 8
"""Most scenarios one comparison runs."""
GROUP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 _.-]{0,39}")
"""A group's name: 1 to 40 letters, digits, spaces, '_', '.', '-' (ASCII), starting with a letter or digit."""


@dataclass(frozen=True)
class Saved:
    """A group's scenario: the page's settings, and what they stand for in words."""

    group: str
    state: Mapping[str, Any]
    episode: str
    name: str
    changes: tuple[str, ...]
    saved: float

    def listing(self) -> dict[str, Any]:
        return {"group": self.group, "episode": self.episode, "name": self.name, "changes": list(self.changes),
                "saved": time.strftime("%H:%M:%S", time.localtime(self.saved))}


def group_name(value: Any, target: str = "group") -> str:
    """A group name from a request, checked."""
    if not isinstance(value, str) or not GROUP_NAME.fullmatch(value):
        shown = f"'{excerpt(value)}'" if isinstance(value, str) else type(value).__name__
        raise PageError("a group's name is 1 to 40 letters, digits, spaces, '_', '.' or '-', "
                        f"found {shown}", target)
    return value


class Groups:
    """The saved scenarios, by group name, oldest first; at most `MAX_GROUPS`."""

    def __init__(self) -> None:
        self._saved: OrderedDict[str, Saved] = OrderedDict()
        self._lock = threading.Lock()

    def save(self, group: str, state: Mapping[str, Any], prepared: Prepared) -> Saved:
        """Keep `state` (which `prepared` shows loads) under `group`, replacing that group's last one."""
        entry = Saved(group, dict(state), prepared.episode.ident, prepared.scenario.name, prepared.changes,
                      time.time())
        with self._lock:
            if group not in self._saved and len(self._saved) >= MAX_GROUPS:
                raise PageError(f"the server keeps at most {MAX_GROUPS} groups' scenarios; save under a group "
                                "name already used", "group")
            self._saved.pop(group, None)
            self._saved[group] = entry
        return entry

    def listing(self) -> list[dict[str, Any]]:
        with self._lock:
            return [s.listing() for s in self._saved.values()]

    def chosen(self, names: Any) -> list[Saved]:
        """The saved scenarios a comparison names (2 to `MAX_COMPARED` distinct groups), or a `PageError`."""
        if not isinstance(names, Sequence) or isinstance(names, str) or not 2 <= len(names) <= MAX_COMPARED:
            raise PageError(f"a comparison takes a list of 2 to {MAX_COMPARED} group names", "groups")
        out: list[Saved] = []
        with self._lock:
            for name in names:
                group = group_name(name, "groups")
                if group not in self._saved:
                    raise PageError(f"no group saved a scenario as '{group}'", "groups")
                if any(s.group == group for s in out):
                    raise PageError(f"'{group}' is named twice", "groups")
                out.append(self._saved[group])
        return out
