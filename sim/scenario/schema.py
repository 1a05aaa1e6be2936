"""JSON Schema (draft 2020-12) of the scenario file format, built from the loader's tables.

Editors with a YAML language server use the schema to check and complete
scenario files. It is generated from the same tables the loader reads (keys,
trigger kinds, states, mechanisms, outcomes, state variables, parameter names),
so that the two cannot drift; ``scenarios/schema.json`` is its committed copy::

    python -m diplosim.scenario.schema > scenarios/schema.json

The loader stays the authority: a few rules cannot be said in JSON Schema
(dates inside the window, ``end`` after ``start``, unique trigger ids, a
uniform's ``high`` not below its ``low``) and are checked only by the loader.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from ..domain.kinds import ACTOR_MOVES, EVENT_KINDS, KINDS, LIFECYCLE_EVENTS, MOVE_EVENTS, MOVERS, TRIGGER_KINDS
from ..domain.lifecycle import Stage
from ..domain.mechanisms import MECHANISMS, OFF_BY_DEFAULT
from ..domain.parameters import PARAMETERS
from ..domain.roles import ROLES as ROLE_MEANINGS
from ..domain.variables import VARIABLES
from .loader import (
    ACTOR_KEYS,
    AGREEMENT_KEYS,
    CABINET_PROCESSES,
    DIST_KINDS,
    MAX_TRIGGERS,
    MEASURES,
    ORIENTATIONS,
    OUTCOMES,
    RECORD_DATE_KEYS,
    ROLES,
    STANCES,
    TALKS_ISSUES,
    TERMINATIONS,
    TOP_KEYS,
    TRIGGER_KEYS,
    WEEKDAYS,
)

SCHEMA_FILE = "scenarios/schema.json"
"""Where the generated schema is committed, relative to the repository root."""

STAGE_MEANINGS: dict[str, str] = {
    "no_talks": "No talks are under way (never started, broken off or collapsed).",
    "negotiating": "Talks on the text are under way.",
    "initialled": "The negotiators have initialled the text; legal review and cabinet approval follow.",
    "cabinet_approved": "The cabinet has approved the agreement; the signing follows.",
    "in_force": "The agreement is signed and in force; it renews at each anniversary unless notice is given.",
    "notice_given": "Seoul has given notice of termination; the agreement ends at the next expiry.",
    "terminated": "The agreement has ended.",
    "suspended": "Seoul has suspended its notice; the agreement stays in force.",
    "normalised": "Seoul has withdrawn a suspended notice; the agreement is back to normal.",
}
"""What each `Stage` means, shown by editors next to ``agreement.state``."""

FACT_DOCS: dict[str, str] = {
    "name": "How the actor is called in stories and results (required).",
    "leader": "Who leads it during the episode (for the reader; the model does not use it).",
    "note": "Free text for the reader.",
    "next_election": "Date of the next national election; sets the executive's electoral horizon.",
    "orientation": ("The leader's line toward the counterpart, from its platform: conciliatory, pragmatic, "
                    "neutral (default), firm or hard_line (read by the model as -1, -0.5, 0, 0.5, 1)."),
    "same_as": "'counterpart': the patron is also the treaty partner (its stake in the pact weighs in its consent).",
    "decides": ("Whether this actor takes initiatives of its own (default true). `false` is an assumption "
                "about its behaviour (`check` lists it; free validation runs drop it): it then only answers "
                "Seoul and reacts."),
    "given": ("Seoul's own choices given as declared assumptions instead of decided by the model "
              "(`check` lists them; free validation runs drop them)."),
    "seat_share": "The opposition's share of parliamentary seats, 0-1 (default 0.4).",
    "stance": "The opposition's stance on the agreement: 'against' (default) or 'for'.",
    "source": "Where the opposition's starting seat share and stance come from (a report with its date).",
    "assumption": ("What the opposition's starting seat share and stance assume where no report gives them "
                   "(a stated assumption, e.g. an older count standing for the window)."),
}

AGREEMENT_DOCS: dict[str, str] = {
    "name": "The agreement's name in stories and results (default 'the agreement').",
    "state": "The agreement's state when actors begin to decide (see `since`).",
    "since": ("Date the agreement entered `state` (for in_force: the signing date, from which the "
              "anniversaries are counted). Actors decide from the later of `start` and `since`; "
              "triggers before that still move the world. Not after `end`."),
    "term_years": "Length of one term in whole years (1-100, default 1); the agreement renews at each term's end.",
    "notice_days": ("Written notice must be given this many whole days before an expiry to end the "
                    "agreement (0-3650, default 90)."),
    "text_remaining": "Share of the text still to negotiate, 0-1 (default 1): fewer rounds of talks when lower.",
    "cabinet_weekday": "Weekday of cabinet meetings (default tuesday; case is ignored).",
    "termination": "How the agreement in force can end: " + "; ".join(f"'{k}': {v}" for k, v in TERMINATIONS.items())
                   + " (default 'anniversary').",
    "suspension_days": ("How long a suspension of a notice lasts before the notice takes effect again, unless "
                        "Seoul extends it (whole days; default: suspended until lifted)."),
    "signed": ("The signing date, from which expiries are counted; defaults to 'since' for in_force and "
               "is required for a start in notice_given, suspended or normalised."),
    "note": "Free text for the reader.",
}

DIST_DOCS: dict[str, tuple[str, dict[str, str]]] = {
    "fixed": ("Always the same value.", {"value": "The value (at least 0)."}),
    "exponential": ("Exponential with the given mean.", {"mean": "The mean (at least 0)."}),
    "uniform": ("Uniform between low and high (high not below low).",
                {"low": "Lowest value (at least 0).", "high": "Highest value (at least low)."}),
    "lognormal": ("median x exp(sigma x a standard normal draw).",
                  {"median": "The median (at least 0).", "sigma": "Spread on the log scale (at least 0)."}),
    "normal": ("Normal with mean and sd, clipped at zero.",
               {"mean": "The mean (at least 0).", "sd": "Standard deviation (at least 0)."}),
}

TRIGGER_DOCS: dict[str, str] = {
    "id": "Unique name of the trigger, in text (quote one that looks like a number); `extends` and "
          "`--set triggers.ID.FIELD` refer to it.",
    "kind": "What happens (see each kind's effect).",
    "at": "Fires once on this date (a historical fact; needs `source`). Must lie in the window.",
    "rate": "Fires at random (a Poisson process) this many times per year on average.",
    "between": "With `rate`: [first date, last date] the random firings are limited to (default: the window).",
    "after": ("Fires in reaction to an event of this kind (a trigger kind or a lifecycle event), "
              "with `probability` and after `delay_days`. Not its own kind."),
    "probability": "With `after`: chance (0-1, default 1) that the reaction follows each event.",
    "delay_days": "With `after`: days from the event to the reaction; a number or a distribution (default 0).",
    "magnitude": "Size of the effect (multiplies the kind's parameter jump); a number or a distribution (default 1).",
    "issue": "Talks only: 'agreement' (default; a negotiation round) or 'trade' (export-control talks).",
    "source": "Where the fact is reported (required with `at`).",
    "note": "Free text, shown in stories.",
    "approval": ("Poll: the president's approval in percent (0-100). government_change: the new leader's "
                 "approval at the start of its term (its first reading), from which it regresses to the norm."),
    "anti_japan": ("Poll only: the share of South Koreans with an unfavourable view of Japan, in percent "
                   "(0-100), as the EAI-Genron NPO and Gallup Korea surveys ask it; the model's anti_japan "
                   "is that share (0-1). A poll of its own, not combined with approval or support."),
    "support": "Poll only: support for the agreement in percent (0-100).",
    "pollster": "For the reader: who ran a poll.",
    "office": "For the reader: the office concerned (e.g. the one an election is for).",
    "by": "The role whose move this trigger is (executive, counterpart, patron, opposition, public); "
          "export controls, white-list removals and their lifting, US pressure, boycotts, talks, summits, "
          "settlements and counter-measures are always a role's move.",
    "leader": "government_change only: the new leader (required).",
    "orientation": ("government_change only: the new leader's line toward the counterpart, from its platform: "
                    "conciliatory, pragmatic, neutral (default), firm or hard_line."),
    "next_election": ("government_change, election: the next election from then on (known from that day, "
                      "as a snap election is)."),
    "seat_share": "government_change, election: the opposition's seat share from then on, 0-1.",
    "stance": "government_change, election: the opposition's stance on the pact from then on.",
    "given": "true: this actor's move is a declared assumption of the file (a conditional run); "
             "every move must say so, and `check` lists them. Facts outside the actors' control do not.",
}

RECORD_DOCS: dict[str, str] = {
    "outcome": "What happened in history (one of the outcomes).",
    "dates": "Dates of the lifecycle events that happened, each inside the window.",
    "note": "Free text for the reader.",
    "moves": ("The actors' own moves on the record (Tokyo's measures, Washington's pressure, Seoul's procedure, "
              "...), each scored against the model's actors in every run that does not give it."),
}

TOP_DETAILS: dict[str, str] = {
    "extends": ("Path of a base scenario, relative to this file. Mappings merge key by key, `triggers` "
                "merge by id, and `{remove: ID}` deletes a base trigger; required keys may come from the base."),
    "start": "Simulation time 0 is this date at 00:00.",
    "end": "Included in the window; after `start`, at most 30 years later.",
    "actors": "All five roles are required: executive, counterpart, patron, opposition, public.",
    "agreement": "Requires `state` and `since`.",
    "initial": "State variables at the start (others start at their defaults).",
    "measures": ("Each a mapping `measure` (export_controls or whitelist_removed), `since` (on or before the "
                 "start) and `source`: a trade measure in force when the window opens."),
    "threat": "Who the threat comes from, for the reader (North Korea in the GSOMIA case).",
    "claims": ("Each a mapping `at` (before the start), `magnitude` (rulings, default 1) and `source`: a court "
               "ruling whose claim is still unsettled when the window opens; it holds Tokyo's grievance up."),
    "triggers": f"At most {MAX_TRIGGERS}; ids must be unique.",
    "mechanisms": ("Name: true or false. Unnamed mechanisms keep their default: on, but for those off by "
                   "default (ruling_camp_veto); 'process' cannot be switched off."),
    "params": "Parameter file (default scenarios/params/default.yaml) and overrides of its values.",
}

_DATE = {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
_TEXT = {"type": ["string", "number"]}
_REQUIRED_TEXT = {"anyOf": [{"type": "string", "pattern": r"\S"}, {"type": "number"}]}


def _described(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, **schema}


def _enum(values: tuple[str, ...] | list[str], descriptions: dict[str, str], description: str) -> dict[str, Any]:
    """An enum; `enumDescriptions` is the YAML language server's per-value help."""
    return {"description": description, "enum": list(values),
            "enumDescriptions": [descriptions[v] for v in values]}


def _same_keys(where: str, loader_keys: Any, schema_keys: Any) -> None:
    """Refuse to build a schema whose keys differ from the loader's."""
    differ = set(loader_keys) ^ set(schema_keys)
    if differ:
        raise KeyError(f"{where} keys differ between the loader and the schema: {sorted(differ)}")


def _case_free(word: str) -> str:
    return "".join(f"[{c.lower()}{c.upper()}]" for c in word)


def _fact_schema(kind: str) -> dict[str, Any]:
    if kind == "date":
        return dict(_DATE)
    if kind == "share":
        return {"type": "number", "minimum": 0, "maximum": 1}
    if kind == "bool":
        return {"type": "boolean"}
    if kind == "stance":
        return {"enum": list(STANCES)}
    if kind == "orientation":
        return {"enum": list(ORIENTATIONS)}
    if kind == "partner":
        return {"const": "counterpart"}
    if kind == "choices":
        return {"type": "object", "additionalProperties": False, "properties": {
            "cabinet_process": {"enum": list(CABINET_PROCESSES), "description": (
                "How Seoul takes the agreement to cabinet: 'public' (openly) or 'secret' (without announcing "
                "it, so the approval can leak before the signing).")}}}
    return dict(_TEXT)


def _actors() -> dict[str, Any]:
    props: dict[str, Any] = {}
    for role in ROLES:
        facts = {
            key: _described(_REQUIRED_TEXT if key == "name" else _fact_schema(kind), FACT_DOCS[key])
            for key, kind in ACTOR_KEYS[role].items()
        }
        doc = ROLE_MEANINGS[role]
        props[role] = {"description": f"The {role}. {doc}", "type": "object",
                       "properties": facts, "additionalProperties": False}
    return {"type": "object", "properties": props, "additionalProperties": False}


def _agreement() -> dict[str, Any]:
    stages = [s.value for s in Stage]
    weekdays = list(WEEKDAYS)
    types: dict[str, dict[str, Any]] = {
        "name": _TEXT,
        "state": _enum(stages, STAGE_MEANINGS, AGREEMENT_DOCS["state"]),
        "since": _DATE,
        "term_years": {"type": "integer", "minimum": 1, "maximum": 100},
        "notice_days": {"type": "integer", "minimum": 0, "maximum": 3650},
        "text_remaining": {"type": "number", "minimum": 0, "maximum": 1},
        "cabinet_weekday": {"type": "string", "anyOf": [
            {"enum": weekdays}, {"pattern": "^(" + "|".join(_case_free(d) for d in weekdays) + ")$"}]},
        "termination": {"enum": list(TERMINATIONS)},
        "suspension_days": {"type": "integer", "minimum": 1, "maximum": 3650},
        "signed": _DATE,
        "note": _TEXT,
    }
    _same_keys("agreement", AGREEMENT_KEYS, types)
    props = {key: _described(schema, AGREEMENT_DOCS[key]) for key, schema in types.items()}
    # Under 'termination: none' there is no notice clause: no start with a notice pending, and no
    # suspension term whose lapse would set a notice going again (the loader says so too).
    endless = {"properties": {"termination": {"const": "none"}}, "required": ["termination"]}
    rules = [
        {"if": endless, "then": {"properties": {"state": {"not": {"const": "notice_given"}}}}},
        {"if": {"properties": {"termination": {"const": "none"}, "state": {"const": "suspended"}},
                "required": ["termination", "state"]},
         "then": {"properties": {"suspension_days": False}}},
    ]
    return {"type": "object", "properties": props, "additionalProperties": False, "allOf": rules}


def _distribution() -> dict[str, Any]:
    shapes = []
    for kind, names in DIST_KINDS.items():
        meaning, param_docs = DIST_DOCS[kind]
        props: dict[str, Any] = {"dist": {"const": kind, "description": meaning}}
        props.update({n: {"type": "number", "minimum": 0, "description": param_docs[n]} for n in names})
        shapes.append({"type": "object", "title": kind, "description": meaning, "properties": props,
                       "required": ["dist", *names], "additionalProperties": False})
    return {"anyOf": [{"type": "number", "minimum": 0, "description": "A fixed value (at least 0)."},
                      {"oneOf": shapes}]}


def _trigger() -> dict[str, Any]:
    kind_help = {k.name: f"{k.meaning} Effect: {k.effects}" for k in KINDS.values()}
    event_help = kind_help | LIFECYCLE_EVENTS
    types: dict[str, dict[str, Any]] = {
        "id": _REQUIRED_TEXT,
        "kind": _enum(TRIGGER_KINDS, kind_help, TRIGGER_DOCS["kind"]),
        "at": _DATE,
        "rate": {"type": "number", "minimum": 0},
        "between": {"type": "array", "prefixItems": [_DATE, _DATE], "minItems": 2, "maxItems": 2},
        "after": _enum(EVENT_KINDS, event_help, TRIGGER_DOCS["after"]),
        "probability": {"type": "number", "minimum": 0, "maximum": 1},
        "delay_days": {"$ref": "#/$defs/distribution"},
        "magnitude": {"$ref": "#/$defs/distribution"},
        "issue": {"enum": list(TALKS_ISSUES)},
        "approval": {"type": "number", "minimum": 0, "maximum": 100},
        "anti_japan": {"type": "number", "minimum": 0, "maximum": 100},
        "support": {"type": "number", "minimum": 0, "maximum": 100},
        "by": {"enum": list(ROLES)},
        "given": {"type": "boolean"},
        "orientation": {"enum": list(ORIENTATIONS)},
        "next_election": _DATE,
        "seat_share": {"type": "number", "minimum": 0, "maximum": 1},
        "stance": {"enum": list(STANCES)},
    }
    props = {key: _described(types.get(key, _TEXT), TRIGGER_DOCS[key]) for key in TRIGGER_DOCS}
    _same_keys("trigger", TRIGGER_KEYS, props)
    rules: list[dict[str, Any]] = [
        {"if": {"required": ["at"]},
         "then": {"required": ["source"],
                  "properties": {"between": False, "probability": False, "delay_days": False,
                                 "source": {"anyOf": [{"type": "string", "pattern": r"\S"},
                                                      {"type": "number", "not": {"const": 0}}]}}}},
        {"if": {"required": ["rate"]}, "then": {"properties": {"probability": False, "delay_days": False}}},
        {"if": {"required": ["after"]}, "then": {"properties": {"between": False}}},
        {"if": {"properties": {"kind": {"const": "talks"}}},
         "else": {"properties": {"issue": False}}},
        {"if": {"properties": {"kind": {"const": "poll"}}},
         "then": {"required": ["at"],
                  "anyOf": [{"required": ["approval"]}, {"required": ["anti_japan"]}, {"required": ["support"]}],
                  "if": {"required": ["anti_japan"]},
                  "then": {"properties": {"approval": False, "support": False}}},
         "else": {"properties": {"support": False, "anti_japan": False}}},
        {"if": {"properties": {"kind": {"enum": ["poll", "government_change"]}}},
         "else": {"properties": {"approval": False}}},
        {"if": {"properties": {"kind": {"const": "government_change"}}},
         "then": {"required": ["leader", "at"]},
         "else": {"properties": {"leader": False, "orientation": False}}},
        {"if": {"properties": {"kind": {"enum": ["government_change", "election"]}}},
         "else": {"properties": {"next_election": False, "seat_share": False, "stance": False}}},
    ]
    # An actor's move stands in a file only as a declared assumption.
    moves = sorted({*MOVERS, "talks"})
    rules += [{"if": {"anyOf": [{"properties": {"kind": {"enum": moves}}, "required": ["kind"]},
                                {"required": ["by"]}]},
               "then": {"required": ["given"], "properties": {"given": {"const": True}}},
               "else": {"properties": {"given": {"const": False}}}}]
    # A reaction to its own kind would chain forever.
    rules += [{"if": {"properties": {"kind": {"const": k}}, "required": ["kind"]},
               "then": {"properties": {"after": {"not": {"const": k}}}}} for k in TRIGGER_KINDS]
    return {
        "type": "object",
        "description": "One trigger: exactly one of `at`, `rate` or `after` says how it fires.",
        "properties": props,
        "required": ["id", "kind"],
        "additionalProperties": False,
        "oneOf": [{"required": ["at"]}, {"required": ["rate"]}, {"required": ["after"]}],
        "allOf": rules,
    }


def _trigger_removal() -> dict[str, Any]:
    return {"type": "object", "description": "With `extends`: delete the base scenario's trigger with this id.",
            "properties": {"remove": _described(_REQUIRED_TEXT, "Id of the base trigger to delete.")},
            "required": ["remove"], "additionalProperties": False}


def _initial() -> dict[str, Any]:
    props = {
        name: {"type": "number", "minimum": spec.lower, "maximum": spec.upper,
               "description": f"{spec.meaning} Unit: {spec.unit}; default {spec.default_initial:g}."}
        for name, spec in VARIABLES.items()
    }
    names = {"type": "object", "propertyNames": {"enum": list(VARIABLES)},
             "additionalProperties": {"type": "string", "minLength": 1}}
    props["sources"] = {**names, "description": ("Where each starting value written here comes from: variable -> "
                                                 "a report with its date (a poll: pollster, fieldwork, outlet).")}
    props["assumptions"] = {**names, "description": (
        "Starting values stated as assumptions: variable -> why. May name a variable not written here, "
        "to say that its default is assumed.")}
    return {"type": "object", "properties": props, "additionalProperties": False}


def _mechanisms() -> dict[str, Any]:
    props = {name: {"type": "boolean", "default": name not in OFF_BY_DEFAULT, "description": doc}
             for name, doc in MECHANISMS.items()}
    return {"type": "object", "properties": props, "additionalProperties": False}


def _params() -> dict[str, Any]:
    # Names, meanings and bounds from the one declaration (domain/parameters.py).
    override = {
        name: {"type": "number", "minimum": info.lower, "maximum": info.upper,
               "description": f"{info.meaning} Unit: {info.unit}. Mechanism: {info.mechanism}."}
        for name, info in PARAMETERS.items()
    }
    return {"type": "object", "properties": {
        "file": {"type": "string", "description": "Parameter file, relative to this scenario file."},
        "override": {"type": "object", "properties": override, "additionalProperties": False,
                     "description": "Parameter name: value, within its declared bounds."},
    }, "additionalProperties": False}


def _record() -> dict[str, Any]:
    dates = {key: _described(_DATE, f"Date of this event: {LIFECYCLE_EVENTS[key]}") for key in RECORD_DATE_KEYS}
    move_help = {**LIFECYCLE_EVENTS, **ACTOR_MOVES}
    move = {"type": "object", "additionalProperties": False, "required": ["by", "kind"],
            "oneOf": [{"required": ["at"]}, {"required": ["between"]}, {"required": ["never"]}],
            "properties": {
                "by": _described({"enum": list(ROLES)}, "The role that made the move."),
                "kind": _enum(list(MOVE_EVENTS), move_help, "What the move was."),
                "at": _described(_DATE, "Its date: the model is scored on whether the actor makes it, and on "
                                        "the date of its first such move."),
                "between": _described({"type": "array", "prefixItems": [_DATE, _DATE], "minItems": 2,
                                       "maxItems": 2},
                                      "[first date, last date]: the model is scored on whether the actor "
                                      "makes the move in that span."),
                "never": _described({"const": True}, "The actor did not make this move in the window."),
                "source": _described(_TEXT, "Where the move is reported."),
                "note": _described(_TEXT, "Free text for the reader."),
            }}
    return {"type": "object", "properties": {
        "outcome": _enum(list(OUTCOMES), OUTCOMES, RECORD_DOCS["outcome"]),
        "dates": {"type": "object", "description": RECORD_DOCS["dates"], "properties": dates,
                  "additionalProperties": False},
        "note": _described(_TEXT, RECORD_DOCS["note"]),
        "moves": _described({"type": "array", "items": move}, RECORD_DOCS["moves"]),
    }, "additionalProperties": False}


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file, as a dict."""
    types: dict[str, dict[str, Any]] = {
        "name": _REQUIRED_TEXT,
        "description": _TEXT,
        "question": _TEXT,
        "extends": {"type": "string", "pattern": r"\S"},
        "start": _DATE,
        "end": _DATE,
        "actors": {"$ref": "#/$defs/actors"},
        "agreement": {"$ref": "#/$defs/agreement"},
        "initial": {"$ref": "#/$defs/initial"},
        "measures": {"type": "array", "items": {
            "type": "object", "required": ["measure", "since", "source"], "additionalProperties": False,
            "properties": {"measure": _enum(list(MEASURES), MEASURES, "The measure in force."),
                           "since": _described(_DATE, "When it came into force (on or before the start)."),
                           "source": _described(_TEXT, "Where it is reported."),
                           "note": _described(_TEXT, "Free text for the reader.")}}},
        "threat": _TEXT,
        "claims": {"type": "array", "items": {
            "type": "object", "required": ["at", "source"], "additionalProperties": False,
            "properties": {"at": _described(_DATE, "The ruling's date (before the start)."),
                           "magnitude": _described({"type": "number", "minimum": 0, "maximum": 100},
                                                   "How many rulings (default 1)."),
                           "source": _described(_TEXT, "Where it is reported."),
                           "note": _described(_TEXT, "Free text for the reader.")}}},
        "triggers": {"type": ["array", "null"], "maxItems": MAX_TRIGGERS,
                     "items": {"anyOf": [{"$ref": "#/$defs/trigger"}, {"$ref": "#/$defs/trigger_removal"}]}},
        "mechanisms": {"$ref": "#/$defs/mechanisms"},
        "params": {"$ref": "#/$defs/params"},
        "record": {"$ref": "#/$defs/record"},
    }
    _same_keys("top-level", TOP_KEYS, types)
    props = {}
    for key, doc in TOP_KEYS.items():
        text = doc[0].upper() + doc[1:] + "."
        if key in TOP_DETAILS:
            text += " " + TOP_DETAILS[key]
        props[key] = _described(types[key], text)
    # Without `extends` the file must be complete; with it, the base supplies what is missing.
    complete = {
        "required": ["name", "start", "end", "actors", "agreement"],
        "properties": {
            "actors": {"required": list(ROLES),
                       "properties": {role: {"required": ["name"]} for role in ROLES}},
            "agreement": {"required": ["state", "since"]},
            "record": {"required": ["outcome"]},
            "triggers": {"items": {"$ref": "#/$defs/trigger"}},
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "diplosim scenario",
        "description": ("A diplosim scenario file: the window, the actors, the agreement and the triggers. "
                        "See docs/scenario-format.md."),
        "type": "object",
        "properties": props,
        "additionalProperties": False,
        "if": {"required": ["extends"]},
        "then": {},
        "else": complete,
        "$defs": {
            "actors": _actors(),
            "agreement": _agreement(),
            "distribution": _distribution(),
            "trigger": _trigger(),
            "trigger_removal": _trigger_removal(),
            "initial": _initial(),
            "mechanisms": _mechanisms(),
            "params": _params(),
            "record": _record(),
        },
    }


def schema_text() -> str:
    """The schema as the JSON text committed in ``scenarios/schema.json``."""
    return json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(schema_text())
