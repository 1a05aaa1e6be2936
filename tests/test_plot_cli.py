"""`run --out DIR --plot` and `plot DIR`: the plot files are written, non-empty, and redrawable."""

import json

import pytest
from matplotlib.text import Text

from diplosim.cli.main import main
from diplosim.present.run_figures import make_figures, read_results
from tests.conftest import REPO, scenario_dict
from tests.test_plotting import text_problems
from tests.test_story import GSOMIA_WORDS

pytestmark = pytest.mark.slow  # each test here takes seconds: see pyproject.toml's markers

FILES = [f"{name}.{ext}" for name in ("outcomes", "timing", "fan") for ext in ("png", "svg")]


def _scenario(write_scenario):
    return write_scenario(scenario_dict(
        triggers=[{"id": "ruling", "kind": "court_ruling", "at": "2017-03-01", "source": "test"},
                  {"id": "poll", "kind": "poll", "at": "2017-04-07", "approval": 45, "source": "test"}],
        record={"outcome": "renewed"}))


def test_run_with_plot_writes_every_plot_file(write_scenario, tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", str(_scenario(write_scenario)), "--runs", "40", "--out", str(out), "--plot"]) == 0
    for name in FILES:
        assert (out / "plots" / name).stat().st_size > 1000, name
    context = json.loads((out / "context.json").read_text())
    assert context["record"]["outcome"] == "renewed"
    assert [t["id"] for t in context["triggers"]] == ["ruling"]
    assert context["polls"] == [{"date": "2017-04-07", "variable": "approval", "value": 45.0, "id": "poll",
                                 "source": "test"}]
    fan = json.loads((out / "fan.json").read_text())
    assert fan["runs"] == 40 and len(fan["dates"]) > 100
    assert "plots: 6 files" in capsys.readouterr().err


def test_plot_redraws_a_results_directory_elsewhere(write_scenario, tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", str(_scenario(write_scenario)), "--runs", "30", "--out", str(out)]) == 0
    assert not (out / "plots").exists()
    capsys.readouterr()
    assert main(["plot", str(out), "-o", str(tmp_path / "figs")]) == 0
    printed = capsys.readouterr().out.split()
    assert sorted(p.rsplit("/", 1)[1] for p in printed) == sorted(FILES)
    for name in FILES:
        assert (tmp_path / "figs" / name).stat().st_size > 1000


def test_plot_on_a_directory_without_results_is_a_usage_error(tmp_path, capsys):
    assert main(["plot", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "no summary.json" in err and len(err.strip().splitlines()) == 1


def test_run_plot_without_out_writes_under_results(write_scenario, tmp_path, monkeypatch):
    scenario = _scenario(write_scenario)
    monkeypatch.chdir(tmp_path)
    assert main(["run", str(scenario), "--runs", "20", "--plot"]) == 0
    assert (tmp_path / "results" / scenario.stem / "plots" / "fan.png").stat().st_size > 1000


def _figure_texts(directory) -> list[str]:
    """Every text the standard figures of a results directory draw (titles, labels, legends, ticks), the fan
    chart with every panel, checked for overlaps and text off the canvas on the way (the default 16:9 fan too)."""
    results = read_results(directory)
    assert text_problems(make_figures(results)["fan"]) == [], "fan (default panels)"
    figures = make_figures(results, ["all"])
    for name, fig in figures.items():
        assert text_problems(fig) == [], name
    return [t.get_text() for fig in figures.values() for t in fig.findobj(Text) if t.get_text().strip()]


def test_the_fictional_pacts_figures_speak_of_its_own_cast(tmp_path):
    out = tmp_path / "fictional"
    assert main(["run", str(REPO / "scenarios" / "examples" / "fictional-pact.yaml"), "--runs", "30",
                 "--out", str(out), "--plot"]) == 0
    assert json.loads((out / "context.json").read_text())["cast"]["counterpart"] == "Borealis"
    texts = _figure_texts(out)
    assert not [t for t in texts if GSOMIA_WORDS.search(t)]
    joined = "\n".join(texts)
    assert "anti-Borealis sentiment" in joined and "pressure from Borealis" in joined


def test_the_gsomia_figures_still_name_tokyo_and_washington(tmp_path):
    out = tmp_path / "2019"
    assert main(["run", str(REPO / "scenarios" / "history" / "gsomia-2019.yaml"), "--runs", "30",
                 "--out", str(out)]) == 0
    joined = "\n".join(_figure_texts(out))
    assert "anti-Tokyo sentiment" in joined and "pressure from Washington" in joined


def test_results_written_before_the_cast_was_recorded_get_neutral_labels(tmp_path):
    out = tmp_path / "old"
    assert main(["run", str(REPO / "scenarios" / "history" / "gsomia-2019.yaml"), "--runs", "20",
                 "--out", str(out)]) == 0
    context = json.loads((out / "context.json").read_text())
    del context["cast"]
    (out / "context.json").write_text(json.dumps(context))
    joined = "\n".join(_figure_texts(out))
    assert "anti-counterpart sentiment" in joined and "pressure from the patron" in joined


def test_plot_panels_picks_the_fan_charts_panels_and_refuses_an_unknown_one(write_scenario, tmp_path, capsys):
    out = tmp_path / "res"
    assert main(["run", str(_scenario(write_scenario)), "--runs", "20", "--out", str(out)]) == 0
    assert main(["plot", str(out), "-o", str(tmp_path / "one"), "--panels", "threat"]) == 0
    fan = make_figures(read_results(out), ["threat"])["fan"]
    assert fan.axes[0].get_ylabel().startswith("threat")
    width, height = fan.get_size_inches()
    assert abs(width / height - 16 / 9) < 0.01
    tall = make_figures(read_results(out), ["all"])["fan"]
    assert tall.get_size_inches()[1] > tall.get_size_inches()[0]  # every variable: a tall page, as asked
    capsys.readouterr()
    assert main(["plot", str(out), "-o", str(tmp_path / "two"), "--panels", "threat,mood"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "no fan panel 'mood'; the panels are threat, approval" in err[0]
