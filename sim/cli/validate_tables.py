"""validate's tables: the report (`explore.validation.validate`) as text or Markdown.

Headline first: the out-of-sample scores of the eventful episodes beside the
baselines, then the quiet ones and the total; the dated scores; then each
episode. Straw-man forecasts (all outcomes equally likely, the status quo) stay
in the JSON only.
"""

from __future__ import annotations

from typing import Any

SCORE_ROWS = (("model", "diplosim (shipped parameters)"),
              ("prior_mean", "diplosim, every parameter at its prior median (uncalibrated)"),
              ("persistence", "smoothed persistence of the other episodes"),
              ("hazard", "monthly hazard of a change (logistic, fitted on the other episodes)"),
              ("base_rate", "base rate of the other episodes"))
"""The forecasts validate's tables score, in order ("uniform" and "status_quo" are in the JSON only)."""

PREDICTIVE_ROWS = (("loo", "model", "diplosim, left out (calibrated without the episode)"),
                   ("posterior", "model", "diplosim, in sample (the shipped posterior)"),
                   ("prior", "model", "diplosim, every parameter drawn from its prior"),
                   ("loo", "persistence", "smoothed persistence of the other episodes"),
                   ("loo", "hazard", "monthly hazard of a change (logistic, fitted on the other episodes)"),
                   ("loo", "base_rate", "base rate of the other episodes"))
"""The headline rows: (which scores, which forecast, its name); the baselines are the same in every column."""

KINDS = (("eventful", "eventful"), ("quiet", "quiet"), ("all", "all"))

WINDOW_NOTE = ("a dated move agrees when the actor makes it within {days} days of the recorded date; a span when "
               "made in it; 'never' when never made")
DATED_NOTE = ("month log: -ln P(recorded month), 'never' an outcome, each month +0.5 replication (smoothing); "
              "CRPS in days, 'never' at the window's end + 1 day; lower is better")


def _pair(entry: dict[str, Any] | None, kind: str) -> tuple[float | None, float | None]:
    if entry is None:
        return None, None
    part = entry if kind == "all" else entry.get(kind) or {}
    return part.get("brier"), part.get("log")


def _num(x: float | None, fmt: str = ".3f") -> str:
    return "-" if x is None else format(x, fmt)


def kinds_line(report: dict[str, Any]) -> str:
    """Which episodes are eventful (the record changes the pact's stage) and which quiet."""
    eps = report.get("episodes", [])
    if not eps or "eventful" not in eps[0]:
        return ""
    ev = [ep["name"] for ep in eps if ep["eventful"]]
    qu = [ep["name"] for ep in eps if not ep["eventful"]]
    return (f"Eventful (the record changes the pact's stage): {', '.join(ev) or 'none'}; "
            f"quiet: {', '.join(qu) or 'none'}.")


def headline_rows(report: dict[str, Any]) -> list[tuple[str, list[float | None]]]:
    """The out-of-sample rows: (name, Brier and log over eventful, quiet, all), for the predictives scored."""
    scores = report.get("scores", {})
    rows = []
    for source, label, name in PREDICTIVE_ROWS:
        entry = scores.get(source, {}).get(label)
        if entry is None:
            continue
        rows.append((name, [x for kind, _ in KINDS for x in _pair(entry, kind)]))
    return rows


def mc_line(report: dict[str, Any]) -> str:
    """The Monte Carlo standard errors of the headline's simulated Brier means (eventful / quiet / all), or ''
    when the report has none (a report from before they were kept)."""
    names = {"loo": "left out", "posterior": "in sample", "prior": "prior draws"}
    parts = []
    for source, name in names.items():
        entry = report.get("scores", {}).get(source, {}).get("model")
        if entry is None or entry.get("brier_mc_se") is None:
            continue
        ses = [(entry if kind == "all" else entry.get(kind) or {}).get("brier_mc_se") for kind, _ in KINDS]
        parts.append(f"{name} " + " / ".join(_num(se) for se in ses))
    if not parts:
        return ""
    return (f"Monte Carlo standard error of diplosim's Brier scores above ({report['runs']} runs per episode; "
            f"eventful / quiet / all; episodes taken as independent): {'; '.join(parts)}. The baselines have none. "
            "It counts the replications' noise only: a calibration made with another seed (for the prior draws, "
            "another sample of the prior) moves the scores too.")


def dated_rows(report: dict[str, Any], sources: list[str]) -> list[tuple[str, list[str]]]:
    """The dated-score rows: per source, month log and CRPS over eventful, quiet, all; then the calendar."""
    names = {"loo": "diplosim, left out", "posterior": "diplosim, in sample", "prior": "diplosim, prior draws",
             "free": "diplosim, free", "conditional": "diplosim, actors' recorded moves given (oracle input)"}
    dated = [(source, report["scores"][source]["dates"]) for source in sources
             if report["scores"].get(source, {}).get("dates") is not None]
    rows = []
    for source, dates in dated:
        cells = []
        for kind, _ in KINDS:
            m = dates["model"][kind]
            cells += [_num(m["month_log"]), _num(m["crps_days"], ".1f") + f" ({m['items']})"]
        rows.append((names.get(source, source), cells))
    for source, dates in dated[:1]:  # the calendar against the first source that has dated scores
        cells = []
        for kind, _ in KINDS:
            c = dates["calendar"][kind]
            cells += ["-", f"{_num(c['crps_days'], '.1f')} vs {_num(c['model_crps_days'], '.1f')} ({c['items']})"]
        rows.append((f"legal calendar vs {names.get(source, source)}, on the steps it dates", cells))
    return rows


def first_change_rows(report: dict[str, Any], sources: list[str]) -> list[tuple[str, list[str]]]:
    """The first change of the pact's stage: per source the model's month log and CRPS over eventful, quiet,
    all; then the hazard baseline's (the same in every source)."""
    names = {"loo": "diplosim, left out", "posterior": "diplosim, in sample", "prior": "diplosim, prior draws"}
    rows = []
    found = None
    for source in sources:
        got = report["scores"].get(source, {}).get("first_change")
        if got is None:
            continue
        found = found or got
        rows.append((names.get(source, source), _first_cells(got["model"])))
    if found is not None:
        rows.append(("monthly hazard of a change (logistic, fitted on the other episodes)",
                     _first_cells(found["hazard"])))
    return rows


def _first_cells(by_kind: dict[str, Any]) -> list[str]:
    cells = []
    for kind, _ in KINDS:
        m = by_kind[kind]
        cells += [_num(m["month_log"]), _num(m["crps_days"], ".1f") + f" ({m['episodes']})"]
    return cells


def _dates_line(ep: dict[str, Any], mode: dict[str, Any]) -> list[str]:
    out = []
    for step, rec in ep["recorded_dates"].items():
        sim = mode["median_dates"].get(step)
        err = mode["date_error_days"].get(step)
        shown = f"{sim} ({err:+.0f} days)" if sim is not None else "never reached"
        cal = mode["calendar_dates"].get(step)
        out.append(f"{step} simulated median {shown}, recorded {rec}" + (f", calendar {cal}" if cal else ""))
    return out


def _move_text(m: dict[str, Any]) -> str:
    if m["given"]:
        return f"{m['move']}: given (not scored)"
    when = "" if m["median_date"] is None else f", first median {m['median_date']}"
    err = "" if m["date_error_days"] is None else f" ({m['date_error_days']:+.0f} d)"
    return f"{m['move']}: p = {m['p']:.3f}{when}{err}"


def _label(report: dict[str, Any], mode: str) -> str:
    return report.get("mode_labels", {}).get(mode, mode)


def _text_block(title: str, name_width: int, heads: list[tuple[str, str]], widths: tuple[int, int],
                rows: list[tuple[str, list[str]]]) -> list[str]:
    """One plain-text table of `validation_table`: a title, a header of column pairs (a score, then its
    companion, right-aligned in `widths`), a row per forecast and a blank line; nothing when there are no rows."""
    if not rows:
        return []
    pair = "".join(f"{a:>{widths[0]}}{b:>{widths[1]}}" for a, b in heads)
    body = [f"  {name:<{name_width}}" + "".join(f"{c:>{widths[i % 2]}}" for i, c in enumerate(cells))
            for name, cells in rows]
    return [title, f"  {'forecast':<{name_width}}" + pair, *body, ""]


def validation_table(report: dict[str, Any]) -> str:
    """The report as plain text."""
    lines = [f"Validation: {report['runs']} runs per episode and mode, seed {report['seed']}",
             *(_label(report, mode) for mode in report["modes"])]
    if "agree_window_days" in report:
        lines.append(WINDOW_NOTE.format(days=report["agree_window_days"]))
    if line := kinds_line(report):
        lines.append(line)
    lines.append("")
    sources = [s for s in ("loo", "posterior", "prior") if s in report.get("scores", {})]
    lines += _text_block("Out of sample first: scores of the recorded outcome, free runs (lower is better)", 54,
                         [(f"{kind} Brier", "log") for kind, _ in KINDS], (15, 7),
                         [(name, [_num(v) for v in vals]) for name, vals in headline_rows(report)])
    if line := mc_line(report):
        lines += [line, ""]
    lines += _text_block(f"Dated scores, free runs ({DATED_NOTE}; items in brackets)", 54,
                         [(f"{kind} month log", "CRPS d") for kind, _ in KINDS], (20, 22), dated_rows(report, sources))
    lines += _text_block("First change of the pact's stage (or 'never' in a quiet year), free runs; "
                         "episodes in brackets", 68, [(f"{kind} month log", "CRPS d") for kind, _ in KINDS], (20, 16),
                         first_change_rows(report, sources))
    for ep in report["episodes"]:
        kind = "" if "eventful" not in ep else (", eventful" if ep["eventful"] else ", quiet")
        lines.append(f"{ep['name']}  ({ep['file']}{kind}): recorded {ep['outcome']}")
        for mode in report["modes"]:
            m = ep[mode]
            lo, hi = m["ci"]
            lines.append(f"  {mode:<12} p = {m['p']:.3f}  [{lo:.3f}, {hi:.3f}]  modal {m['modal']}")
            if m["given"]:
                lines.append(f"  {'':<12} given: {'; '.join(m['given'])}")
            for text in _dates_line(ep, m):
                lines.append(f"  {'':<12} {text}")
            if m["calendar_dates"]:
                skill = "undefined" if m["date_skill"] is None else f"{m['date_skill']:+.2f}"
                lines.append(f"  {'':<12} date skill over the legal calendar: {skill}")
            for move in m["moves"]:
                lines.append(f"  {'':<12} move {_move_text(move)}")
            for item in m.get("dated", []):
                cal = ("" if item["calendar_crps_days"] is None
                       else f", calendar CRPS {item['calendar_crps_days']:.1f} d")
                lines.append(f"  {'':<12} dated {item['what']}: month log {item['month_log']:.3f}, "
                             f"CRPS {item['crps_days']:.1f} d, P(never) {item['p_never']:.3f}{cal}")
            rmse = m["poll_rmse"]
            lines.append(f"  {'':<12} " + (f"approval vs polls RMSE {rmse:.1f} points" if rmse is not None
                                            else "no approval polls"))
            if (aj := m.get("anti_japan_rmse")) is not None:
                lines.append(f"  {'':<12} anti-Japan sentiment vs surveys RMSE {aj:.1f} points")
        lines.append("")
    if report.get("predictives"):
        lines.append("Free runs by where the parameters come from: the prior, the posterior (in sample), and the "
                     "posterior calibrated without the episode (leave-one-out, from the prior)")
        for ep in report["episodes"]:
            cells = []
            for name in report["predictives"]:
                got = ep.get(name)
                cells.append(f"{name} " + ("-" if got is None else f"p = {got['p']:.3f} modal {got['modal']}"))
            lines.append(f"  {ep['name']:<14} recorded {ep['outcome']:<10} " + "; ".join(cells))
        lines += [f"  no leave-one-out for {name}: {why}" for name, why in report.get("loo_missing", {}).items()]
        lines.append("")
    modes = [m for m in report["modes"] if m in report["scores"]]
    if modes:
        lines.append("Scores of the record in sample, by mode (lower is better; all-equal and status-quo "
                     "forecasts in --json)")
        for mode in modes:
            lines.append(f"  {_label(report, mode)}")
            lines.append(f"    {'forecast':<62}" + "".join(f"{kind + ' Brier':>15}{'log':>7}" for kind, _ in KINDS))
            for label, name in SCORE_ROWS:
                entry = report["scores"][mode].get(label)
                if entry is None:
                    continue
                vals = [x for kind, _ in KINDS for x in _pair(entry, kind)]
                lines.append(f"    {name:<62}" + "".join(f"{_num(v):>15}" if i % 2 == 0 else f"{_num(v):>7}"
                                                          for i, v in enumerate(vals)))
    return "\n".join(lines)


def predictive_markdown(report: dict[str, Any]) -> list[str]:
    """The leave-one-out table: each episode predicted from the prior, in sample, and left out."""
    lines = ["| episode | recorded outcome | prior: p | posterior (in sample): p | left out: p (95% interval) | "
             "left out: modal | left out: date skill over the calendar |", "|---|---|---|---|---|---|---|"]

    def cell(ep: dict[str, Any], name: str) -> str:
        got = ep.get(name)
        return "-" if got is None else f"{got['p']:.3f}"

    for ep in report["episodes"]:
        loo = ep.get("loo")
        interval = "-" if loo is None else f"{loo['p']:.3f} ({loo['ci'][0]:.3f}-{loo['ci'][1]:.3f})"
        skill = "-" if loo is None or loo["date_skill"] is None else f"{loo['date_skill']:+.2f}"
        lines.append(f"| {ep['name']} | {ep['outcome']} | {cell(ep, 'prior')} | {cell(ep, 'posterior')} | {interval} | "
                     f"{'-' if loo is None else loo['modal']} | {skill} |")
    missing = report.get("loo_missing", {})
    if missing:
        lines += ["", *(f"No leave-one-out for {name}: {why}." for name, why in missing.items())]
    return lines + [""]


def _headline_markdown(report: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    head = headline_rows(report)
    if head:
        lines += ["| forecast (free runs, recorded outcome) | "
                  + " | ".join(f"{kind}: Brier | {kind}: log" for kind, _ in KINDS) + " |",
                  "|---|" + "---|---|" * len(KINDS)]
        lines += [f"| {name} | " + " | ".join(_num(v) for v in vals) + " |" for name, vals in head]
        lines.append("")
        if line := mc_line(report):
            lines += [line, ""]
    dated = dated_rows(report, [s for s in ("loo", "posterior", "prior") if s in report.get("scores", {})])
    if dated:
        lines += ["| forecast (free runs, recorded dates) | "
                  + " | ".join(f"{kind}: month log | {kind}: CRPS, days (items)" for kind, _ in KINDS) + " |",
                  "|---|" + "---|---|" * len(KINDS)]
        lines += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in dated]
        lines += ["", f"Dated scores: {DATED_NOTE}; the calendar row gives its CRPS against the model's on the "
                      "same steps.", ""]
    first = first_change_rows(report, [s for s in ("loo", "posterior", "prior") if s in report.get("scores", {})])
    if first:
        lines += ["| forecast (free runs, first change of the pact's stage, or never) | "
                  + " | ".join(f"{kind}: month log | {kind}: CRPS, days (episodes)" for kind, _ in KINDS) + " |",
                  "|---|" + "---|---|" * len(KINDS)]
        lines += [f"| {name} | " + " | ".join(cells) + " |" for name, cells in first]
        lines.append("")
    return lines


def validation_markdown(report: dict[str, Any]) -> str:
    """The report as the README's Markdown tables."""
    lines: list[str] = _headline_markdown(report)
    if line := kinds_line(report):
        lines += [line, ""]
    lines += predictive_markdown(report) if report.get("predictives") else []
    for mode in report["modes"]:
        # the surveys of opinion of Japan get a column only where some episode has one
        surveyed = any(ep[mode].get("anti_japan_rmse") is not None for ep in report["episodes"])
        lines += [f"| episode ({_label(report, mode)}) | recorded outcome | p (95% interval) | modal | "
                  "simulated median date vs record | date skill over the calendar | approval RMSE vs polls |"
                  + (" anti-Japan RMSE vs surveys |" if surveyed else ""),
                  "|---|---|---|---|---|---|---|" + ("---|" if surveyed else "")]
        for ep in report["episodes"]:
            m = ep[mode]
            lo, hi = m["ci"]
            dates = "; ".join(
                f"{step} {m['median_dates'][step] or 'never'} vs {rec}"
                + (f" ({m['date_error_days'][step]:+.0f} d)" if m["date_error_days"][step] is not None else "")
                for step, rec in ep["recorded_dates"].items()) or "-"
            rmse = "-" if m["poll_rmse"] is None else f"{m['poll_rmse']:.1f} pts"
            aj = "-" if m.get("anti_japan_rmse") is None else f"{m['anti_japan_rmse']:.1f} pts"
            skill = "-" if m["date_skill"] is None else f"{m['date_skill']:+.2f}"
            lines.append(f"| {ep['name']} | {ep['outcome']} | {m['p']:.3f} ({lo:.3f}-{hi:.3f}) | {m['modal']} | "
                         f"{dates} | {skill} | {rmse} |" + (f" {aj} |" if surveyed else ""))
        lines.append("")
    days = report.get("agree_window_days")
    window = f"within {days} days of the date" if days is not None else "agreeing"
    lines += ["| episode | recorded move | " + " | ".join(f"{mode}: p agreeing ({window}; first median date)"
                                                          for mode in report["modes"]) + " |",
              "|---|---|" + "---|" * len(report["modes"])]
    for ep in report["episodes"]:
        for i, move in enumerate(ep[report["modes"][0]]["moves"]):
            cells = []
            for mode in report["modes"]:
                m = ep[mode]["moves"][i]
                if m["given"]:
                    cells.append("given")
                else:
                    when = "" if m["median_date"] is None else f" ({m['median_date']})"
                    cells.append(f"{m['p']:.3f}{when}")
            lines.append(f"| {ep['name']} | {move['move']} | {' | '.join(cells)} |")
    if days is not None:
        lines += ["", WINDOW_NOTE.format(days=days).capitalize() + "."]
    lines += _dated_items_markdown(report)
    modes = [m for m in report["modes"] if m in report["scores"]]
    if modes:
        lines += ["", "| forecast (in sample, by mode) | "
                  + " | ".join(f"{m} {kind}: Brier | {m} {kind}: log" for m in modes for kind, _ in KINDS) + " |",
                  "|---|" + "---|---|" * len(KINDS) * len(modes)]
        for label, name in SCORE_ROWS:
            if all(label in report["scores"][m] for m in modes):
                vals = [x for m in modes for kind, _ in KINDS for x in _pair(report["scores"][m][label], kind)]
                lines.append(f"| {name} | " + " | ".join(_num(v) for v in vals) + " |")
        lines += ["", "Modes: " + "; ".join(_label(report, m) for m in modes) + "."]
    return "\n".join(lines)


def _dated_items_markdown(report: dict[str, Any]) -> list[str]:
    sources = [s for s in ("loo", *report["modes"]) if any(s in ep and ep[s] is not None for ep in report["episodes"])]
    if not any(ep.get(s) and ep[s].get("dated") for ep in report["episodes"] for s in sources):
        return []
    lines = ["", "| episode | recorded step or move (date) | "
             + " | ".join(f"{s if s != 'loo' else 'left out'}: P(never) / month log / CRPS d" for s in sources)
             + " | legal calendar: CRPS d |", "|---|---|" + "---|" * (len(sources) + 1)]
    for ep in report["episodes"]:
        by_source = {s: {d["what"]: d for d in ep[s]["dated"]} for s in sources if ep.get(s)}
        whats = list(dict.fromkeys(w for got in by_source.values() for w in got))
        for what in whats:
            cells = []
            item: dict[str, Any] = {}
            for s in sources:
                d = by_source.get(s, {}).get(what)
                if d is None:
                    cells.append("-")
                    continue
                item = item or d
                cells.append(f"{d['p_never']:.3f} / {d['month_log']:.2f} / {d['crps_days']:.1f}")
            cal = "-" if item["calendar_crps_days"] is None else f"{item['calendar_crps_days']:.1f}"
            what = f"{item['what']} ({item['recorded']})" if item["what"].startswith("stage ") else item["what"]
            lines.append(f"| {ep['name']} | {what} | {' | '.join(cells)} | {cal} |")
    return lines
