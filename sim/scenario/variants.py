"""Variants of a scenario built in memory: a trigger removed, a mechanism off.

`explain` and `discover` change a validated `Scenario` rather than its file:
removing triggers or mechanisms cannot make a valid scenario invalid, so no
second validation is needed, and the variant keeps the file's name and hash
for the record (its `question` says what was changed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping

from .loader import Cast, Scenario


def active_triggers(sc: Scenario) -> list[str]:
    """Ids of the triggers that act on the model (polls are observations, not causes)."""
    return [tr.id for tr in sc.triggers if tr.kind != "poll"]


def without_triggers(sc: Scenario, ids: Collection[str], why: str | None = None) -> Scenario:
    """`sc` with the triggers `ids` removed."""
    unknown = set(ids) - {tr.id for tr in sc.triggers}
    if unknown:
        raise KeyError(f"no trigger with id {', '.join(sorted(unknown))} in {sc.path}")
    kept = tuple(tr for tr in sc.triggers if tr.id not in ids)
    return dataclasses.replace(sc, triggers=kept, question=why or f"without {', '.join(sorted(ids))}")


def without_mechanisms(sc: Scenario, names: Collection[str]) -> Scenario:
    """`sc` with the mechanisms `names` switched off."""
    return dataclasses.replace(sc, mechanisms=sc.mechanisms - frozenset(names),
                               question=f"without {', '.join(sorted(names))}")


def patron_engaged(sc: Scenario) -> bool:
    """Whether Washington reacts on its own in `sc` (``actors.patron.engaged``)."""
    return bool(sc.actors["patron"].facts.get("engaged", True))


def patron_disengaged(sc: Scenario) -> Scenario:
    """`sc` with Washington's own reactions silenced (its dated triggers still fire)."""
    cast = sc.actors["patron"]
    actors: Mapping[str, Cast] = {**sc.actors,
                                  "patron": Cast(cast.role, cast.name, {**cast.facts, "engaged": False})}
    return dataclasses.replace(sc, actors=actors, question="without Washington's own reactions")


def given_moves(sc: Scenario) -> list[str]:
    """Ids of the triggers that are actors' moves given as declared assumptions (`given: true`)."""
    return [tr.id for tr in sc.triggers if tr.given]


def without_given(sc: Scenario) -> Scenario:
    """`sc` for a free run: every actor's move it gives as an assumption removed, so the actors decide."""
    ids = given_moves(sc)
    return without_triggers(sc, ids, "free: without the given moves") if ids else sc
