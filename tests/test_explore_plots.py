"""--plot on sweep, sensitivity and explain writes non-empty PNG and SVG files."""

from __future__ import annotations

from pathlib import Path

import pytest

from diplosim.cli.main import main
from tests.conftest import scenario_dict

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
