"""Every chart: drawn from plain data, titled, labelled, with a legend, and written as PNG and SVG."""

from datetime import date
from pathlib import Path
from typing import Any

import matplotlib.dates as mdates
import matplotlib.image as mpimg
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.text import Text

from diplosim.domain.kinds import KINDS
from diplosim.present import charts as plotting
from diplosim.present.charts import OKABE_ITO, OUTCOME_COLOURS, save_figure

SUMMARY = {
    "scenario": "test", "runs": 200, "seed": 1,
    "outcomes": {  # alphabetical, as summary.json stores them
        "notice_pending": {"p": 0.1, "ci": [0.06, 0.15], "count": 20, "median_date": "2019-09-01"},
        "renewed": {"p": 0.5, "ci": [0.43, 0.57], "count": 100, "median_date": None},
        "suspended": {"p": 0.3, "ci": [0.24, 0.37], "count": 60, "median_date": "2019-11-22"},
        "terminated": {"p": 0.1, "ci": [0.06, 0.15], "count": 20, "median_date": "2019-11-23"},
    },
}
FAN = {
    "runs": 10, "dates": ["2019-07-01", "2019-08-01", "2019-09-01"], "order": ["threat", "approval"],
    "variables": {
        "approval": {"unit": "% approving", "lower": 0, "upper": 100, "quantiles": {
            "5": [40, 38, 35], "25": [44, 42, 40], "50": [47, 45, 44], "75": [50, 48, 47], "95": [55, 52, 51]}},
        "threat": {"unit": "index 0-1", "lower": 0, "upper": 1, "quantiles": {
            "5": [0.2, 0.2, 0.3], "25": [0.25, 0.3, 0.35], "50": [0.3, 0.35, 0.4], "75": [0.35, 0.4, 0.45],
            "95": [0.4, 0.5, 0.6]}},
    },
}


def _texts(fig: Figure) -> set[str]:
    return {t.get_text() for t in fig.findobj(lambda o: hasattr(o, "get_text"))}


def _assert_readable(fig: Figure) -> None:
    """A title, labelled axes and a legend."""
    titles = [ax.get_title() for ax in fig.axes] + [fig._suptitle.get_text() if fig._suptitle else ""]
    assert any(titles), "no title"
    assert any(ax.get_xlabel() for ax in fig.axes), "no x label"
    assert any(ax.get_ylabel() for ax in fig.axes), "no y label"
    colour_bar = any(getattr(ax, "_colorbar", None) is not None for ax in fig.axes)  # a heat map's key
    assert fig.legends or any(ax.get_legend() is not None for ax in fig.axes) or colour_bar, "no legend"
    legends = [*fig.legends, *(ax.get_legend() for ax in fig.axes if ax.get_legend() is not None)]
    for legend in legends:  # no entry whose key draws nothing (an "empty legend")
        for handle in legend.legend_handles:
            assert handle is not None and handle.get_visible(), f"an empty legend entry: {legend.get_texts()}"
            if isinstance(handle, Patch):
                assert handle.get_facecolor()[3] > 0 or handle.get_edgecolor()[3] > 0 or handle.get_hatch(), \
                    f"an empty legend entry: {legend.get_texts()}"


def _assert_written(fig: Figure, stem: Path) -> None:
    png, svg = save_figure(fig, stem)
    assert png.stat().st_size > 1000 and svg.stat().st_size > 1000
    image = mpimg.imread(png)
    assert image.shape[0] > 100 and image.shape[1] > 100
    assert svg.read_text(encoding="utf-8").lstrip().startswith("<?xml")


CHARTS = {
    "outcomes": lambda: plotting.outcome_bars(SUMMARY, recorded="suspended"),
    "grouped": lambda: plotting.grouped_outcome_bars(
        {"history": SUMMARY, "no export controls": SUMMARY}, {"history": "suspended"}),
    "panels": lambda: plotting.outcome_panels(
        {"GSOMIA 2019": SUMMARY, "GSOMIA 2020": SUMMARY, "GSOMIA 2021": SUMMARY}, {"GSOMIA 2019": "suspended"}),
    "timing": lambda: plotting.timing_plot(
        {"suspended": ["2019-11-22", "2019-11-20", "2019-10-01"], "terminated": ["2019-11-23"]}, runs=10,
        recorded={"suspended": "2019-11-22"}),
    "fan": lambda: plotting.fan_chart(
        FAN, triggers=[{"date": "2019-08-02", "id": "whitelist", "kind": "whitelist_removal"},
                       {"date": "2019-07-04", "id": "controls", "kind": "export_control"}],
        polls=[{"date": "2019-08-01", "variable": "approval", "value": 46}]),
    "sweep": lambda: plotting.sweep_lines(
        [0, 1, 2], {"suspended": [(0.1, 0.05, 0.2), (0.3, 0.2, 0.4), (0.6, 0.5, 0.7)],
                    "terminated": [(0.5, 0.4, 0.6), (0.3, 0.2, 0.4), (0.1, 0.05, 0.2)]},
        "threat_weight", "utility per unit of threat"),
    "heatmap": lambda: plotting.sweep_heatmap(
        [0, 1, 2], [10, 20], [[0.1, 0.2, 0.3], [0.4, 0.6, 0.9]], "threat_weight", "audience_cost", "suspended",
        interval=[[(0.05, 0.15), (0.15, 0.25), (0.25, 0.35)], [(0.35, 0.45), (0.55, 0.65), (0.85, 0.95)]]),
    "sensitivity": lambda: plotting.sensitivity_bars(
        [{"name": "threat_weight", "value": 0.2, "lo": 0.1, "hi": 0.3},
         {"name": "audience_cost", "value": -0.05, "lo": -0.1, "hi": 0.0}], "suspended"),
    "explain": lambda: plotting.explain_ranking(
        [{"name": "alliance_pressure", "value": -0.4}, {"name": "issue_linkage", "value": 0.1}], "suspended"),
}


@pytest.mark.filterwarnings("error")  # a layout warning is a figure matplotlib could not lay out
@pytest.mark.parametrize("name", list(CHARTS))
def test_each_chart_is_readable_and_written_as_png_and_svg(name, tmp_path):
    fig = CHARTS[name]()
    _assert_readable(fig)
    _assert_written(fig, tmp_path / name)
    assert text_problems(fig) == []


def test_outcome_bars_follow_outcome_order_and_mark_the_recorded_outcome():
    fig = plotting.outcome_bars(SUMMARY, recorded="suspended")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["renewed", "notice pending", "terminated", "suspended"]
    assert "recorded outcome (suspended)" in [t.get_text() for t in ax.get_legend().get_texts()]
    star = [line for line in ax.get_lines() if line.get_marker() == "*"]
    assert len(star) == 1 and star[0].get_xdata()[0] == 3


def test_grouped_bars_put_one_bar_per_scenario_in_each_outcome():
    fig = plotting.grouped_outcome_bars({"a": SUMMARY, "b": SUMMARY}, {"b": "renewed"})
    ax = fig.axes[0]
    assert len(ax.patches) == 2 * 4
    assert {t.get_text() for t in fig.legends[0].get_texts()} >= {"a", "b", "recorded outcome (history)"}
    # outcomes read horizontally down the side, first on top
    assert [t.get_text() for t in ax.get_yticklabels()] == ["renewed", "notice pending", "terminated", "suspended"]
    assert ax.get_ylim()[0] > ax.get_ylim()[1]
    star = [line for line in ax.get_lines() if line.get_marker() == "*"]
    assert len(star) == 1 and star[0].get_ydata()[0] == pytest.approx(0.2)  # b, the lower bar of the renewed group


def _every_outcome(shift: float) -> dict[str, Any]:
    names = plotting.OUTCOME_ORDER
    return {"outcomes": {n: {"p": (i + shift) % 10 / 10, "ci": [max(0.0, (i + shift) % 10 / 10 - 0.05),
                                                               min(1.0, (i + shift) % 10 / 10 + 0.05)]}
                         for i, n in enumerate(names)}}


LONG_NAMES = ["GSOMIA 2019", "2019, no US pressure after the notice and no visits by the secretary of defence",
              "2019, early Japanese offer of export-control talks", "2019, no white-list removal (a long name too)"]


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("count", [1, 2, 3, 4])
def test_grouped_bars_stay_legible_with_long_names_and_every_outcome(count):
    fig = plotting.grouped_outcome_bars({name: _every_outcome(j) for j, name in enumerate(LONG_NAMES[:count])},
                                        {LONG_NAMES[0]: "suspended"}, title="Outcomes side by side " * 6)
    assert text_problems(fig) == []
    width, height = fig.get_size_inches() * plotting.DPI
    assert width <= 1300 and height <= 1000, (width, height)


@pytest.mark.filterwarnings("error")
def test_outcome_panels_make_a_grid_and_each_panel_shows_its_own_outcomes():
    summaries = {f"episode {i}": {"outcomes": {"signed": {"p": 0.5, "ci": [0.4, 0.6]}}} for i in range(7)}
    fig = plotting.outcome_panels(summaries, {"episode 0": "collapsed"})
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 7 and len(fig.axes) == 8  # 4 x 2, the last cell left empty
    assert text_problems(fig) == []
    # a recorded outcome the model never reached still gets its (empty) bar and its star
    assert [t.get_text() for t in panels[0].get_yticklabels()] == ["signed", "collapsed"]
    assert [t.get_text() for t in panels[1].get_yticklabels()] == ["signed"]
    assert plotting.panel_grid(7) == (2, 4) and plotting.panel_grid(3) == (1, 3) and plotting.panel_grid(9) == (3, 4)


def test_timing_plot_draws_a_row_per_step_with_its_recorded_date():
    fig = plotting.timing_plot({"notice_given": ["2019-08-20", "2019-08-25"], "suspended": ["2019-11-20"]}, runs=4,
                               recorded={"notice_given": "2019-08-22", "suspended": "2019-11-22"})
    texts = _texts(fig)
    assert {" recorded 2019-08-22 ", " recorded 2019-11-22 ", "notice given: 50% of runs",
            "suspended: 25% of runs"} <= texts
    dashed = [line for ax in fig.axes for line in ax.get_lines() if line.get_linestyle() == "--"]
    assert len(dashed) == 2  # the notice date is drawn as well as the outcome's


def test_timing_plot_spans_the_dates_drawn_not_the_whole_window():
    # A year's window, and every date in six weeks of it: the axis keeps the six weeks and two weeks each side.
    fig = plotting.timing_plot({"suspended": ["2019-10-01", "2019-11-10"]}, runs=2,
                               recorded={"suspended": "2019-11-12"}, start="2019-01-01", end="2019-12-31")
    lo, hi = (mdates.num2date(x).date() for x in fig.axes[-1].get_xlim())
    assert lo == date(2019, 9, 17) and hi == date(2019, 11, 27)


def test_crop_window_stays_inside_the_scenario():
    assert plotting.crop_window([date(2019, 1, 3)], date(2019, 1, 1), date(2019, 1, 10)) == \
        (date(2019, 1, 1), date(2019, 1, 10))


FAN_TRIGGERS = [{"date": f"2019-07-{d:02d}", "id": f"crowded-trigger-number-{d}", "kind": kind}
                for d, kind in ((2, "missile_test"), (3, "missile_test"), (4, "export_control"), (5, "boycott"),
                                (6, "missile_test"), (20, "whitelist_removal"), (21, "us_pressure"))]


def test_fan_chart_has_a_panel_per_variable_with_units_and_a_trigger_track():
    fig = plotting.fan_chart(FAN, triggers=[{"date": "2019-08-02", "id": "whitelist", "kind": "whitelist_removal"}])
    labels = [ax.get_ylabel() for ax in fig.axes]
    assert labels == ["threat\n(index 0-1)", "approval\n(% approving)", "triggers"]
    assert "whitelist" in _texts(fig)


def test_fan_chart_panels_keep_their_variables_full_range():
    # Index panels always run 0-1 and approval 0-100, whatever the bands span, so panels compare by eye.
    fig = plotting.fan_chart(FAN, polls=[{"date": "2019-08-01", "variable": "approval", "value": 4}])
    assert fig.axes[0].get_ylim() == (0.0, 1.0) and fig.axes[1].get_ylim() == (0.0, 100.0)


def _renderer(fig: Figure) -> Any:
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    return canvas.get_renderer()


def _drawn_texts(fig: Figure, renderer: Any) -> list[Text]:
    """The text the figure shows: visible, not blank, not in a hidden panel, and no tick label of a tick
    outside its axis's view (matplotlib keeps those but does not draw them)."""
    undrawn: set[int] = set()
    for ax in fig.axes:
        for axis, limits in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            lo, hi = sorted(limits)
            pad = 1e-9 * max(1.0, abs(hi - lo))
            for tick in [*axis.get_major_ticks(), *axis.get_minor_ticks()]:
                if not lo - pad <= tick.get_loc() <= hi + pad:
                    undrawn |= {id(tick.label1), id(tick.label2)}
    return [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip() and id(t) not in undrawn
            and (t.axes is None or t.axes.get_visible())]


def text_problems(fig: Figure) -> list[str]:
    """Every pair of drawn text boxes that overlap, and every text box that leaves the canvas, measured
    with the renderer (`Text.get_window_extent`) at the figure's own size; half a pixel of slack for
    boxes that merely touch."""
    renderer = _renderer(fig)
    texts = _drawn_texts(fig, renderer)
    boxes = [Text.get_window_extent(t, renderer) for t in texts]
    canvas = fig.bbox
    slack = 0.5
    problems = [f"off the canvas: {t.get_text()!r} {b.bounds} (canvas {canvas.bounds})"
                for t, b in zip(texts, boxes, strict=True)
                if b.x0 < canvas.x0 - slack or b.y0 < canvas.y0 - slack or b.x1 > canvas.x1 + slack
                or b.y1 > canvas.y1 + slack]
    for i, (a, ba) in enumerate(zip(texts, boxes, strict=True)):
        for b, bb in zip(texts[i + 1:], boxes[i + 1:], strict=True):
            if min(ba.x1, bb.x1) - max(ba.x0, bb.x0) > slack and min(ba.y1, bb.y1) - max(ba.y0, bb.y0) > slack:
                problems.append(f"overlap: {a.get_text()!r} {ba.bounds} and {b.get_text()!r} {bb.bounds}")
    return problems


def _boxes(fig: Figure, gid: str) -> list[Any]:
    renderer = _renderer(fig)
    # Text's own extent: an annotation's would include its leader line.
    return [Text.get_window_extent(t, renderer) for t in fig.findobj(lambda o: getattr(o, "get_gid", None) and
                                                                         o.get_gid() == gid)]


def test_fan_chart_trigger_labels_do_not_overlap():
    fig = plotting.fan_chart(FAN, triggers=FAN_TRIGGERS)
    boxes = _boxes(fig, "trigger-label")
    # Seven long labels within three weeks of a two-month axis: five rows hold five, two are counted, not drawn.
    assert len(boxes) == 5 and "2 more not labelled (see the timeline)" in _texts(fig)
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not a.overlaps(b), "two trigger labels overlap"


def test_label_rows_put_overlapping_labels_on_different_rows():
    assert plotting.label_rows([0, 1, 10], [4, 4, 4]) == [0, 1, 0]
    assert plotting.label_rows([0, 1, 2], [4, 4, 4], max_rows=2) == [0, 1, None]
    assert plotting.label_rows([5, 0], [2, 2], gap=4) == [1, 0]


def test_each_trigger_kind_has_its_own_colour_and_shape_in_every_figure():
    styles = {kind: plotting.kind_style(kind) for kind in KINDS}
    assert len(set(styles.values())) == len(KINDS)
    # The same kind is drawn alike in two figures with different triggers.
    drawn = []
    for triggers in (FAN_TRIGGERS[:2], FAN_TRIGGERS[2:] + FAN_TRIGGERS[:1]):
        ax = plotting.fan_chart(FAN, triggers=triggers).axes[-1]
        drawn.append({line.get_label(): (line.get_color(), line.get_marker()) for line in ax.get_lines()
                      if line.get_label() == "missile test"})
    assert drawn[0] == drawn[1] == {"missile test": styles["missile_test"]}


def test_fan_chart_draws_the_models_steps_and_the_recorded_ones():
    steps = plotting.step_summary({"notice_given": ["2019-07-10", "2019-07-20", "2019-08-30"]}, runs=4)
    assert steps == {"notice_given": {"reached": 0.75, "q25": "2019-07-10", "median": "2019-07-20",
                                      "q75": "2019-08-30"}}
    fig = plotting.fan_chart(FAN, steps=steps, recorded={"notice_given": "2019-08-22", "suspended": "2019-08-25"})
    track = fig.axes[2]
    assert track.get_ylabel() == "steps"
    assert [t.get_text() for t in track.get_yticklabels()] == ["suspended (0%)", "notice given (75%)"]
    diamonds = [line for line in track.get_lines() if line.get_marker() == "D"]
    stars = [line for line in track.get_lines() if line.get_marker() == "*"]
    assert mdates.num2date(diamonds[0].get_xdata()[0]).date() == date(2019, 7, 20)
    assert sorted(mdates.num2date(s.get_xdata()[0]).date() for s in stars) == [date(2019, 8, 22), date(2019, 8, 25)]


def test_outcome_legend_stays_clear_of_the_bars_and_the_star():
    fig = plotting.outcome_bars(SUMMARY, recorded="suspended")
    renderer = _renderer(fig)
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent(renderer)
    assert legend.y1 < ax.get_window_extent(renderer).y0  # wholly under the axes


def test_heatmap_ticks_name_the_rows_and_columns():
    fig = plotting.sweep_heatmap([0, 1, 2], [10, 20, 40], [[0.1] * 3] * 3, "threat_weight", "audience_cost", "signed")
    ax = fig.axes[0]
    assert list(ax.get_yticks()) == [10, 20, 40] and list(ax.get_xticks()) == [0, 1, 2]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["10", "20", "40"]


def test_palette_is_okabe_ito():
    assert set(OUTCOME_COLOURS.values()) <= set(OKABE_ITO) | {"#999999"}


def test_a_recorded_outcome_the_bars_cannot_show_is_an_error_not_a_missing_star():
    from diplosim.present.charts import recorded_index

    assert recorded_index(["renewed", "suspended"], "suspended") == 1
    assert recorded_index(["renewed", "suspended"], None) is None
    with pytest.raises(ValueError, match="'signed' is not among the outcomes drawn"):
        recorded_index(["renewed", "suspended"], "signed")


def test_importing_the_charts_leaves_the_callers_matplotlib_backend_alone():
    import subprocess
    import sys

    code = ("import matplotlib; matplotlib.use('pdf'); import diplosim.present.charts, diplosim.present.run_figures; "
            "print(matplotlib.get_backend())")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "pdf"


def test_sweep_cells_print_their_interval_and_say_so():
    fig = CHARTS["heatmap"]()
    texts = _texts(fig)
    assert "0.60\n[0.55, 0.65]" in texts and "0.10\n[0.05, 0.15]" in texts
    assert any("cell: probability [95% interval]" in t for t in texts)
    assert not fig.axes[0].get_legend()


def test_the_fan_chart_is_a_16_9_slide_of_the_panels_chosen():
    from diplosim.present.run_figures import PanelError, fan_panels

    assert fan_panels(FAN) == ["approval", "threat"]
    everything = list(FAN.get("order") or FAN["variables"])
    assert fan_panels(FAN, ["threat"]) == ["threat"] and fan_panels(FAN, ["all"]) == everything
    with pytest.raises(PanelError, match="the panels are " + ", ".join(everything)):
        fan_panels(FAN, ["approval", "mood"])
    fig = plotting.fan_chart(FAN, variables=["threat"], size=plotting.SLIDE_16_9,
                             triggers=[{"date": "2019-08-02", "id": "whitelist", "kind": "whitelist_removal"}])
    width, height = fig.get_size_inches()
    assert abs(width / height - 16 / 9) < 0.01 and width * 100 == pytest.approx(1280)
    assert [ax.get_ylabel() for ax in fig.axes][:1] == ["threat\n(index 0-1)"]
    assert text_problems(fig) == []


def test_a_recorded_date_near_the_rows_label_does_not_overlap_it():
    # 2012: the cabinet's recorded date (26 June) fell right under the row's "cabinet approved: 95% of runs"
    early = ["2012-05-01"] * 85 + ["2012-05-08"] * 10
    fig = plotting.timing_plot({"cabinet_approved": early, "in_force": ["2012-05-07"] * 80,
                                "collapsed": ["2012-05-09"] * 20, "notice_given": ["2012-11-13"] * 4},
                               runs=100, recorded={"cabinet_approved": "2012-06-26", "collapsed": "2012-06-29"},
                               start="2012-04-01", end="2012-12-31")
    assert text_problems(fig) == []
    tops = {ax.get_ylim() for ax in fig.axes}
    assert len(tops) == 1  # one y-scale for every row (each row labelled "% of runs")
    width, height = fig.get_size_inches()
    assert abs(width / height - 16 / 9) < 0.01  # four rows: a 16:9 slide


SCREEN = (1280, 720)
"""A projector's screen in pixels: a figure shown whole on it is scaled down to fit, never up."""

MIN_SCREEN_PIXELS = 12.0
"""The smallest text a room reads on that screen, in pixels (about 9 pt at 96 dpi)."""


@pytest.mark.parametrize("name", [*CHARTS, "fan-16:9"])
def test_every_chart_shown_whole_at_1280x720_keeps_its_text_readable(name):
    fig = plotting.fan_chart(FAN, size=plotting.SLIDE_16_9) if name == "fan-16:9" else CHARTS[name]()
    width, height = fig.get_size_inches() * plotting.DPI
    scale = min(SCREEN[0] / width, SCREEN[1] / height, 1.0)
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]
    smallest = min(sizes) * plotting.DPI / 72 * scale
    assert smallest >= MIN_SCREEN_PIXELS, f"{name}: {width:.0f}x{height:.0f} px, smallest text {smallest:.1f} px"
