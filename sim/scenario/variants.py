"""Variants of a scenario built in memory: a trigger removed, a mechanism off.

`explain` and `discover` change a validated `Scenario` rather than its file:
removing triggers or mechanisms cannot make a valid scenario invalid, so no
second validation is needed, and the variant keeps the file's name and hash
for the record (its `question` says what was changed).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection

from .loader import EXECUTIVE_CHOICES, ROLES, Cast, Scenario, Trigger


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


def deciding(sc: Scenario, role: str) -> bool:
    """Whether the actor in `role` takes initiatives of its own in `sc`: Seoul always (a file may give its
    choices, not silence it); any other actor unless the file says so (``actors.ROLE.decides: false``) or
    gives a move of its own (a role whose move is given takes no initiatives: the engine's
    `silenced_roles`)."""
    if role == "executive":
        return True
    return told_to_decide(sc, role) and not any(tr.given and tr.by == role for tr in sc.triggers)


def told_to_decide(sc: Scenario, role: str) -> bool:
    """What the file says of `role` (``actors.ROLE.decides``, true unless given as false)."""
    return bool(sc.actors[role].facts.get("decides", True))


def silenced(sc: Scenario, roles: Collection[str], why: str | None = None) -> Scenario:
    """`sc` with the actors in `roles` taking no initiatives (they still answer and react); their
    dated moves, if any, still happen."""
    actors: dict[str, Cast] = dict(sc.actors)
    for role in roles:
        cast = actors[role]
        actors[role] = Cast(cast.role, cast.name, {**cast.facts, "decides": False})
    return dataclasses.replace(sc, actors=actors, question=why or f"without the own moves of {', '.join(roles)}")


def given_moves(sc: Scenario) -> list[str]:
    """Ids of the triggers that are actors' moves given as declared assumptions (`given: true`)."""
    return [tr.id for tr in sc.triggers if tr.given]


def assumptions(sc: Scenario) -> list[str]:
    """Everything `sc` gives about the actors' behaviour instead of letting them decide, one line each:
    its given moves, Seoul's given choices, and the roles it says take no initiatives."""
    out = [f"{tr.id} ({tr.kind} by the {tr.by}, {_when(tr)})" for tr in sc.triggers if tr.given]
    for name in EXECUTIVE_CHOICES:
        if name in sc.actors["executive"].facts:
            out.append(f"{name}: {sc.actors['executive'].facts[name]} (Seoul's choice)")
    out += [f"the {role} takes no initiatives" for role in ROLES
            if role != "executive" and role in sc.actors and not told_to_decide(sc, role)]
    return out


def _when(tr: Trigger) -> str:
    return tr.at.isoformat() if tr.at else "by rate" if tr.after is None else f"after {tr.after}"


def without_given(sc: Scenario) -> Scenario:
    """`sc` for a free run: every assumption about the actors removed (their given moves, Seoul's given
    choices, any role said not to decide), so all five actors decide."""
    ids = given_moves(sc)
    out = without_triggers(sc, ids, "free: without the given moves") if ids else sc
    actors: dict[str, Cast] = {}
    for role, cast in out.actors.items():
        facts = {k: v for k, v in cast.facts.items() if k != "decides" and k not in EXECUTIVE_CHOICES}
        actors[role] = Cast(cast.role, cast.name, facts)
    if actors != dict(out.actors):
        out = dataclasses.replace(out, actors=actors, question="free: without the given moves")
    return out


def conditional(sc: Scenario) -> Scenario:
    """`sc` for a conditional run: its given moves in force, and only Seoul deciding (the other actors
    take no initiatives of their own; they still answer Seoul and react to events)."""
    return silenced(sc, [role for role in ROLES if role != "executive"], "conditional: only Seoul decides")
