"""The HTML report: self-contained, complete, and clean in a real browser (headless Chromium)."""

import io
import re
from pathlib import Path

import pytest
import yaml

from diplosim import load_scenario
from diplosim.cli import main as cli
from diplosim.present.report import linkify
from diplosim.run.progress import ProgressBar
from tests.browser import check_page, require_chromium
from tests.conftest import scenario_dict

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

EVENTS = scenario_dict(
    name="A year with events",
    question="Does a bad year end the pact?",
    triggers=[
        {"id": "ruling", "kind": "court_ruling", "at": "2017-03-01",
         "source": "Yonhap, 2017-03-01, https://example.org/news?id=1&x=2", "note": "a ruling"},
        {"id": "controls", "kind": "export_control", "at": "2017-06-01", "source": "a newspaper, no link"},
        {"id": "tests", "kind": "missile_test", "rate": 8},
        {"id": "poll-april", "kind": "poll", "at": "2017-04-07", "approval": 45, "source": "Gallup Korea"},
    ],
    record={"outcome": "suspended", "dates": {"notice_given": "2017-08-22", "suspended": "2017-11-22"}},
)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, str]:
    """The report of EVENTS made by the command line (once: drawing it takes seconds), and its progress bar."""
    d = tmp_path_factory.mktemp("report")
    scenario = d / "events.yaml"
    scenario.write_text(yaml.safe_dump(EVENTS, sort_keys=False), encoding="utf-8")
    out = d / "report.html"
    bar = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:  # a terminal's progress bar, into a buffer
        mp.setattr(cli, "ProgressBar", lambda label: ProgressBar(label, stream=bar, enabled=True))
        assert cli.main(["report", str(scenario), "-o", str(out), "--runs", "60", "--seed", "2"]) == 0
    return out, bar.getvalue()


@pytest.fixture
def report(built) -> Path:
    return built[0]


@pytest.mark.slow
def test_report_is_one_self_contained_file_with_every_section(report):
    text = report.read_text(encoding="utf-8")
    assert "<script" not in text and "<link" not in text and "@import" not in text
    sources = re.findall(r'(?:src|href)="([^"]*)"', text)
    assert sources, "no images or links found"
    for ref in sources:  # images embedded; the only URLs are links to sources and in-page anchors
        assert ref.startswith(("data:image/png;base64,", "#", "https://example.org/")), ref
    assert len(re.findall(r'<img src="data:image/png;base64,', text)) == 3
    for heading in ("Timeline of triggers", "Outcomes", "World state over time", "What mattered",
                    "One replication, told", "Parameters used", "Provenance"):
        assert heading in text
    assert "A year with events" in text and "Does a bad year end the pact?" in text
    assert '<a href="https://example.org/news?id=1&amp;x=2">' in text
    assert "a newspaper, no link" in text and 'href="a newspaper' not in text
    assert "Outcome (as the episode is scored): " in text  # the story's outcome line
    assert "threat_weight" in text  # the parameters table
    sc = load_scenario(report.parent / "events.yaml")
    for fact in (sc.sha256, "0.1.0", "<code>2</code>", "<code>60</code>"):
        assert fact in text


@pytest.mark.slow
def test_report_passes_the_browser_check(report, tmp_path):
    require_chromium()
    shot = ARTIFACTS / "report-screenshot.png"
    record = check_page(report, tmp_path, shot)
    print(f"screenshot of the report: {shot}")
    assert len(record["images"]) == 3
    for image in record["images"]:
        assert image["complete"] and image["width"] > 0 and image["height"] > 0, image
        assert image["inked"] > 1000, image  # decoded pixels, not a blank box
    assert record["problems"] == []
    assert record["console"] == []
    assert shot.stat().st_size > 10_000


@pytest.mark.slow
def test_the_browser_check_catches_broken_images_and_errors(tmp_path):
    # The probe must be able to fail: a page with a bad image and a script error.
    require_chromium()
    page = tmp_path / "broken.html"
    page.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>'
                    '<img src="data:image/png;base64,AAAA" alt="bad"><script>missing();</script></body></html>',
                    encoding="utf-8")
    record = check_page(page, tmp_path, tmp_path / "broken.png")
    assert record["images"][0]["width"] == 0
    assert any("missing" in p for p in record["problems"])
    assert any("failed to load" in p for p in record["problems"])
    assert any("missing" in m for m in record["console"])


def test_linkify_links_urls_and_escapes_the_rest():
    assert linkify("Yonhap (https://a.org/x?y=1), 2019") == \
        'Yonhap (<a href="https://a.org/x?y=1">https://a.org/x?y=1</a>), 2019'
    assert linkify("<b> & no link") == "&lt;b&gt; &amp; no link"
    assert linkify(None) == ""


@pytest.mark.slow
def test_report_draws_a_progress_bar_to_the_end(built):
    # 60 replications, then two steps: the figures and the story.
    last = built[1].rstrip("\n").split("\r")[-1]
    assert last.startswith("report events.yaml [") and " 62/62 " in last


def test_a_missing_browser_skips_with_the_install_command_outside_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("DIPLOSIM_CHROMIUM", str(tmp_path / "no-such-chromium"))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y chromium"):
        require_chromium()


def test_a_missing_browser_fails_where_ci_is_set(monkeypatch, tmp_path):
    monkeypatch.setenv("DIPLOSIM_CHROMIUM", str(tmp_path / "no-such-chromium"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require_chromium()
