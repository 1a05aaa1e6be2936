"""The standard figures of a results directory: outcomes, timing and fan chart.

`run --out DIR` writes summary.json, replications.csv and events.csv; with
this module it also writes fan.json (the fan chart's quantiles) and
context.json (the scenario's name, question, record, dated triggers and
polls, and the names of its cast, which label the figures). `plot DIR`
reads those files back and draws, so plots can be redrawn without rerunning
the ensemble.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matplotlib.figure import Figure

from ..domain.variables import VARIABLES
from ..files import to_json, write_atomic
from ..run.ensemble import RECORDED_STAGES, Ensemble
from ..run.fan import FanReducer
from ..scenario.loader import Scenario
from .charts import fan_chart, outcome_bars, save_figure, step_summary, timing_plot
from .glossary import CastNames, clean_source
from .resultdir import read_result_files

FIGURE_NAMES = ("outcomes", "timing", "fan")


def scenario_context(sc: Scenario) -> dict[str, Any]:
    """What the plots and the report need to know about a scenario, as plain data."""
    triggers = []
    for tr in sc.triggers:
        if tr.kind == "poll":
            continue
        entry: dict[str, Any] = {"id": tr.id, "kind": tr.kind, "source": clean_source(tr.source),
                                 "note": clean_source(tr.note)}
        if tr.at is not None:
            entry["date"] = tr.at.isoformat()
        elif tr.after is not None:
            entry["after"] = tr.after
            entry["probability"] = tr.probability
        else:
            entry["rate"] = tr.rate
            lo, hi = tr.between or (sc.start, sc.end)
            entry["between"] = [lo.isoformat(), hi.isoformat()]
        triggers.append(entry)
    polls = [
        {"date": tr.at.isoformat(), "variable": name, "value": value, "id": tr.id, "source": clean_source(tr.source)}
        for tr in sc.polls if tr.at is not None
        for name, value in tr.observed.items() if name in VARIABLES
    ]
    record = None
    if sc.record is not None:
        record = {"outcome": sc.record.outcome, "note": sc.record.note,
                  "dates": {k: d.isoformat() for k, d in sc.record.dates.items()}}
    return {
        "name": sc.name, "description": sc.description, "question": sc.question, "file": sc.path,
        "sha256": sc.sha256, "start": sc.start.isoformat(), "end": sc.end.isoformat(),
        "starts_in": sc.agreement.state.value,
        "record": record, "triggers": triggers, "polls": polls, "cast": CastNames.of(sc).to_dict(),
    }


def recorded_steps(context: Mapping[str, Any]) -> dict[str, str]:
    """Step → ISO date of each decisive step the record dates (the starting stage left out)."""
    record = context.get("record") or {}
    start = context.get("starts_in")
    return {k: v for k, v in record.get("dates", {}).items() if k in RECORDED_STAGES and k != start}


def write_plot_data(out: Path, ens: Ensemble, fan: FanReducer) -> None:
    """Write fan.json and context.json next to the other results."""
    write_atomic(out / "fan.json", to_json(fan.to_dict(ens.model)))
    write_atomic(out / "context.json", to_json(scenario_context(ens.scenario)))


@dataclass
class Results:
    """What the figures are drawn from (all plain data)."""

    summary: dict[str, Any]
    dates_by_outcome: dict[str, list[str]]
    context: dict[str, Any]
    fan: dict[str, Any] | None
    steps: dict[str, list[str]] = field(default_factory=dict)


def dates_by_outcome(rows: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Outcome → the dates replications reached it (undated outcomes omitted)."""
    out: dict[str, list[str]] = {}
    for row in rows:
        if row.get("date"):
            out.setdefault(str(row["outcome"]), []).append(str(row["date"]))
    return out


def dates_by_step(rows: Sequence[Mapping[str, Any]], starts_in: str | None = None) -> dict[str, list[str]]:
    """Decisive step → the dates replications reached it (the stage the episode starts in left out)."""
    out: dict[str, list[str]] = {}
    for stage in RECORDED_STAGES:
        if stage == starts_in:
            continue
        dates = [str(row[f"{stage}_date"]) for row in rows if row.get(f"{stage}_date")]
        if dates:
            out[stage] = dates
    return out


MIN_STEP_SHARE = 0.01
"""Steps fewer than this share of runs reach (and the record does not date) are left out of the figures."""


def common_steps(steps: Mapping[str, Sequence[str]], runs: int, recorded: Mapping[str, str]) -> dict[str, list[str]]:
    """The steps worth a row: reached by at least `MIN_STEP_SHARE` of the runs, or dated by the record."""
    return {k: list(v) for k, v in steps.items() if k in recorded or len(v) >= MIN_STEP_SHARE * max(runs, 1)}


def read_results(directory: str | Path) -> Results:
    """Read a results directory written by `run --out DIR`."""
    summary, rows, context, fan = read_result_files(directory)  # untrusted: bounded reads, shapes checked
    return Results(summary, dates_by_outcome(rows), context, fan, dates_by_step(rows, context.get("starts_in")))


def make_figures(res: Results) -> dict[str, Figure]:
    """The standard figures: outcome bars, timing of the steps, and (when fan data exists) fan chart."""
    record = res.context.get("record")
    name = res.summary.get("scenario", "")
    recorded = recorded_steps(res.context)
    steps = common_steps(res.steps, res.summary["runs"], recorded)
    figs: dict[str, Figure] = {
        "outcomes": outcome_bars(res.summary, record["outcome"] if record else None),
        "timing": timing_plot(steps, res.summary["runs"], recorded, title=f"{name}: when each step happened",
                              start=res.context.get("start"), end=res.context.get("end")),
    }
    if res.fan is not None:
        dated = [t for t in res.context.get("triggers", []) if "date" in t]
        figs["fan"] = fan_chart(res.fan, dated, res.context.get("polls", []), title=f"{name}: world state",
                                steps=step_summary(steps, res.summary["runs"]), recorded=recorded,
                                cast=CastNames.from_dict(res.context.get("cast")))
    return figs


def write_plots(directory: str | Path, out_dir: str | Path | None = None) -> list[Path]:
    """Draw the standard figures of a results directory into OUT_DIR (default DIR/plots)."""
    target = Path(out_dir) if out_dir else Path(directory) / "plots"
    paths: list[Path] = []
    for name, fig in make_figures(read_results(directory)).items():
        paths += save_figure(fig, target / name)
    return paths
