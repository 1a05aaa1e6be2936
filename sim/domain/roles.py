"""The five roles a scenario casts, and what each one is."""

from __future__ import annotations

ROLES: dict[str, str] = {
    "executive": "The South Korean government (the president and the NSC).",
    "counterpart": "Tokyo: consents to the pact's steps, retaliates for rulings, offers talks at the deadline.",
    "patron": "Washington: presses the allies when the pact is at stake.",
    "opposition": "The opposition: mobilises against the executive's line on the pact.",
    "public": "Public opinion: backlash at secrecy and haste, rally, boycotts.",
}
"""Role -> one line on who plays it (the schema's descriptions)."""
