"""--plot on sweep, sensitivity and explain writes non-empty PNG and SVG files."""

from __future__ import annotations

from pathlib import Path

import pytest

from diplosim.cli.main import main
from diplosim.present import explore_figures
from tests.conftest import REPO, scenario_dict
from tests.test_plotting import text_problems

pytestmark = pytest.mark.slow  # each test here takes seconds: see pyproject.toml's markers

TRIGGERS = [{"id": "ec", "kind": "export_control", "at": "2017-03-01", "source": "test"},
            {"id": "m", "kind": "missile_test", "rate": 6}]


@pytest.mark.parametrize("command, files", [
    (["sweep", "--param", "params.linkage_weight=0:12:3", "--runs", "30"], ["sweep.png", "sweep.svg"]),
    (["sweep", "--param", "params.linkage_weight=0:12:2", "--param", "params.audience_cost=0:6:2", "--runs", "20"],
     ["sweep-renewed.png"]),
    (["explain", "--runs", "30"], ["explain.png", "explain.svg"]),
    (["sensitivity", "--samples", "2", "--runs", "10", "--params", "issue_linkage"], ["sensitivity-renewed.png"]),
])
def test_plot_files_are_written(write_scenario, tmp_path, command, files):
    path = str(write_scenario(scenario_dict(triggers=TRIGGERS)))
    out = tmp_path / "out"
    assert main([command[0], path, *command[1:], "--out", str(out), "--plot"]) == 0
    for name in files:
        f = Path(out) / name
        assert f.is_file() and f.stat().st_size > 1000, name


def test_compare_and_validate_plots(write_scenario, tmp_path):
    path = str(write_scenario(scenario_dict(triggers=TRIGGERS, record={"outcome": "renewed"})))
    out = tmp_path / "cmp"
    assert main(["compare", path, path, "--runs", "20", "--out", str(out), "--plot"]) == 0
    assert (out / "comparison.png").stat().st_size > 1000
    out = tmp_path / "val"
    assert main(["validate", path, "--runs", "20", "--out", str(out), "--plot"]) == 0
    assert (out / "validation.png").stat().st_size > 1000 and (out / "validation.json").is_file()


def test_report_with_what_mattered(write_scenario, tmp_path):
    path = str(write_scenario(scenario_dict(triggers=TRIGGERS, record={"outcome": "renewed"})))
    out = tmp_path / "r.html"
    assert main(["report", path, "--runs", "20", "--explain", "--explain-runs", "10", "-o", str(out)]) == 0
    html = out.read_text()
    section = html[html.index('id="mattered"'):html.index('id="story"')]
    assert "<img" in section and "data:image/png;base64," in section


HISTORY = REPO / "scenarios" / "history"
WHAT_IF = REPO / "scenarios" / "counterfactuals"
COMPARISONS = {
    # docs/exploring.md's example: three scenarios with long names
    "docs": [HISTORY / "gsomia-2019.yaml", WHAT_IF / "2019-no-us-pressure.yaml",
             WHAT_IF / "2019-early-talks-offer.yaml"],
    "2012": [HISTORY / "gsomia-2012.yaml", WHAT_IF / "2012-public-cabinet.yaml"],
    "2016": [HISTORY / "gsomia-2016.yaml", WHAT_IF / "2016-no-scandal.yaml"],
    "2019": [HISTORY / "gsomia-2019.yaml", WHAT_IF / "2019-no-export-controls.yaml"],
}


@pytest.fixture
def drawn(monkeypatch):
    """The figures a command saves, kept for inspection."""
    figures = []
    save = explore_figures.save_figure

    def keep(fig, stem):
        figures.append(fig)
        return save(fig, stem)

    monkeypatch.setattr(explore_figures, "save_figure", keep)
    return figures


@pytest.mark.filterwarnings("error")  # matplotlib's layout warnings (axes collapsed to zero) fail the test
@pytest.mark.parametrize("case", list(COMPARISONS))
def test_compare_plot_text_never_overlaps_or_leaves_the_canvas(case, drawn, tmp_path):
    out = tmp_path / case
    assert main(["compare", *map(str, COMPARISONS[case]), "--runs", "20", "--out", str(out), "--plot"]) == 0
    assert len(drawn) == 1 and (out / "comparison.png").is_file()
    assert text_problems(drawn[0]) == []


@pytest.mark.filterwarnings("error")
def test_validate_plot_is_a_readable_grid_near_16_by_9(drawn, tmp_path):
    assert main(["validate", "--runs", "10", "--out", str(tmp_path), "--plot"]) == 0
    fig = drawn[0]
    assert text_problems(fig) == []
    width, height = fig.get_size_inches()
    assert 1.3 <= width / height <= 2.2, (width, height)  # was 9.8:1 with every episode in one row of bars
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == len(list(HISTORY.glob("*.yaml")))
