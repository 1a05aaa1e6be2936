"""The state variables: meaning, range, unit and the parameter that sets each half-life."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class VariableSpec:
    """Meaning, range and default starting level of one state variable."""

    name: str
    lower: float
    upper: float
    unit: str
    meaning: str
    half_life_param: str
    default_initial: float


VARIABLES: dict[str, VariableSpec] = {
    spec.name: spec
    for spec in (
        VariableSpec("threat", 0.0, 1.0, "index 0-1",
                     "Perceived North Korean military threat in Seoul.",
                     "threat_half_life_days", 0.3),
        VariableSpec("approval", 0.0, 100.0, "% approving",
                     "Approval of the South Korean president (as Gallup Korea polls it).",
                     "approval_half_life_days", 40.0),
        VariableSpec("anti_japan", 0.0, 1.0, "index 0-1",
                     "Anti-Japan sentiment in the South Korean public (an anti_japan poll reads it as the "
                     "share with an unfavourable view of Japan).",
                     "anti_japan_half_life_days", 0.3),
        VariableSpec("mobilisation", 0.0, 1.0, "index 0-1",
                     "Mobilisation of the opposition and civil society against the executive's line.",
                     "mobilisation_half_life_days", 0.1),
        VariableSpec("us_pressure", 0.0, 1.0, "index 0-1",
                     "Washington's pressure on Seoul (and Tokyo) to keep or advance the pact.",
                     "us_pressure_half_life_days", 0.1),
        VariableSpec("trade_dispute", 0.0, 1.0, "index 0-1",
                     "Intensity of the Seoul-Tokyo trade dispute (export controls, lists).",
                     "trade_half_life_days", 0.0),
        VariableSpec("grievance", 0.0, 1.0, "index 0-1",
                     "Tokyo's grievance over history rulings and disputes with Seoul.",
                     "grievance_half_life_days", 0.0),
        VariableSpec("abandonment", 0.0, 1.0, "index 0-1",
                     "Doubt in Seoul and Tokyo about Washington's commitment to defend them (abandonment fear).",
                     "abandonment_half_life_days", 0.0),
    )
}

STATE_NAMES: tuple[str, ...] = tuple(VARIABLES)

Change = tuple[float, str, float, float]
"""(time in days, variable, value after the change, baseline after the change)."""
