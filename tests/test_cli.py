"""The command line: byte-identical JSON for the same seed, exit statuses, the table."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import scenario_dict

REPO = Path(__file__).resolve().parent.parent
TRIGGERS = [{"id": "m", "kind": "missile_test", "rate": 10},
            {"id": "c", "kind": "court_ruling", "at": "2017-02-01", "source": "test"}]


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "run.py"), *args], capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
def test_same_seed_gives_byte_identical_json_and_another_seed_differs(write_scenario):
    path = str(write_scenario(scenario_dict(triggers=TRIGGERS)))
    a = _run("run", path, "--runs", "200", "--seed", "4", "--json")
    b = _run("run", path, "--runs", "200", "--seed", "4", "--json", "--workers", "1")
    c = _run("run", path, "--runs", "200", "--seed", "5", "--json")
    assert a.returncode == b.returncode == c.returncode == 0
    assert a.stdout == b.stdout  # byte for byte, whatever the number of workers
    assert a.stdout != c.stdout
    summary = json.loads(a.stdout)
    assert {"scenario", "runs", "seed", "outcomes", "modal_outcome"} <= set(summary)
    for o in summary["outcomes"].values():
        assert {"p", "ci", "median_date"} <= set(o)
        assert o["ci"][0] <= o["p"] <= o["ci"][1]


@pytest.mark.slow
def test_table_and_exit_statuses(write_scenario):
    path = str(write_scenario(scenario_dict(triggers=TRIGGERS)))
    ok = _run("run", path, "--runs", "50")
    assert ok.returncode == 0 and "modal outcome:" in ok.stdout and "95% interval" in ok.stdout
    bad = _run("run", str(REPO / "tests" / "bad_inputs" / "range-notice-days.yaml"))
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "Traceback" not in bad.stderr
    usage = _run("run", path, "--runs", "0")
    assert usage.returncode == 2
    check = _run("check", path)
    assert check.returncode == 0 and "ok" in check.stdout


def test_set_overrides_are_shown_with_the_results(write_scenario):
    path = str(write_scenario(scenario_dict(triggers=TRIGGERS)))
    table = _run("run", path, "--runs", "20", "--set", "mechanisms.threat_cooperation=false")
    assert table.returncode == 0, table.stderr
    head = table.stdout.splitlines()
    assert head[1].startswith("parameters: ") and "with --set mechanisms.threat_cooperation=false" in head[2]
    summary = json.loads(_run("run", path, "--runs", "20", "--set", "params.threat_weight=1", "--json").stdout)
    assert summary["set"] == {"params.threat_weight": "1"}
    assert summary["parameters"]["overridden"] == ["threat_weight"]
    held = _run("run", path, "--runs", "20", "--set", "params.approval_norm=30").stdout.splitlines()[1]
    assert "approval_norm held fixed" in held and "8 calibrated ones drawn per replication" in held
    assert "set" not in json.loads(_run("run", path, "--runs", "20", "--json").stdout)  # baseline: no key
    compared = _run("compare", path, path, "--runs", "20", "--set", "params.threat_weight=1")
    assert "with --set params.threat_weight=1 (every scenario)" in compared.stdout


def test_a_usage_error_in_an_exploring_command_exits_2_under_python_m():
    done = subprocess.run([sys.executable, "-m", "diplosim.cli", "sweep", "x.yaml", "--runs", "0"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_normal_output_escapes_control_characters_from_a_scenario(write_scenario):
    path = str(write_scenario(scenario_dict(name="evil \x1b[31mred\x1b[0m \x07 name")))
    done = _run("run", path, "--runs", "5")
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "evil \\x1b[31mred\\x1b[0m \\x07 name" in done.stdout


def test_a_file_without_triggers_is_a_quiet_window_and_files_cannot_be_named_by_set(write_scenario):
    doc = scenario_dict()
    del doc["triggers"]
    path = str(write_scenario(doc))
    assert _run("check", path).returncode == 0
    for setting in ("extends=/etc/passwd", "params.file=/etc/passwd"):
        done = _run("run", path, "--runs", "2", "--set", setting)
        assert done.returncode == 2 and "cannot be set with --set" in done.stderr, done.stderr


def test_seeds_runs_and_replications_are_checked_before_any_work(write_scenario):
    path = str(write_scenario(scenario_dict()))
    for args in (["run", path, "--seed", "-1"], ["run", path, "--runs", "1000000000000"],
                 ["story", path, "--replication", "-1"], ["sweep", path, "--param", "params.threat_weight=0:1:2",
                                                         "--seed", "x"]):
        done = _run(*args)
        assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, (args, done.stderr)
        assert "Traceback" not in done.stderr


def test_a_malformed_scheduler_address_is_refused_at_once(write_scenario):
    path = str(write_scenario(scenario_dict()))
    done = _run("run", path, "--runs", "5", "--scheduler", "not a url")
    assert done.returncode == 2 and done.stderr.strip().splitlines() == [
        "--scheduler: 'not a url' is not a scheduler address (expected [tcp://]HOST:PORT, e.g. tcp://127.0.0.1:8786)"]


def test_every_help_text_renders_as_written():
    # argparse reads help strings as %-format templates: a bare '%' in one ("10-90% against") either
    # raises or splices the argument's whole record into the text; every command's help must read clean
    from diplosim.cli.main import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    texts = {"diplosim": parser.format_help()}
    texts.update({name: sub.format_help() for name, sub in subparsers.choices.items()})
    assert len(texts) > 10
    for name, text in texts.items():
        assert "option_strings" not in text and "%(" not in text, f"help of {name} is garbled"


# -- run says who decides and what is given ------------------------------------------------------

MOVES = [{"id": "controls", "kind": "export_control", "by": "counterpart", "at": "2017-03-01", "source": "test"},
         {"id": "visit", "kind": "us_pressure", "by": "patron", "at": "2017-06-01", "source": "test"},
         {"id": "m", "kind": "missile_test", "rate": 4}]


def _main(capsys, *args: str) -> tuple[int, str, str]:
    """The CLI run in this process: (exit status, stdout, stderr)."""
    from diplosim.cli.main import main

    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_run_says_who_decides_what_is_given_and_how_to_get_the_free_run(write_scenario, capsys, tmp_path):
    path = str(write_scenario(scenario_dict(triggers=MOVES)))
    code, out, _ = _main(capsys, "run", path, "--runs", "10", "--workers", "1")
    assert code == 0
    head = out.split("\n\n")[0].splitlines()
    assert "mode: file: the file as written: its given moves happen whatever the actors decide" in head
    # a role whose move the file gives takes no initiatives of its own (the engine's silenced_roles): the
    # header says so rather than counting it among the deciding
    assert ("deciding: 3 of 5 actors (Seoul, Opposition, Public); taking no initiatives of their own: Tokyo, "
            "Washington") in head
    assert ("given: 2 moves, assumed rather than decided: Tokyo export_control 2017-03-01, "
            "Washington us_pressure 2017-06-01") in head
    assert any(line.endswith("--mode free") for line in head)

    code, out, _ = _main(capsys, "run", path, "--runs", "10", "--workers", "1", "--json", "--out",
                         str(tmp_path / "res"))
    printed = json.loads(out)
    stored = json.loads((tmp_path / "res" / "summary.json").read_text(encoding="utf-8"))
    for summary in (printed, stored):
        assert [g["id"] for g in summary["assumptions"]["given"]] == ["controls", "visit"]
        assert summary["assumptions"]["given"][0] == {"id": "controls", "move": "export_control", "by": "Tokyo",
                                                      "when": "2017-03-01"}
        assert summary["assumptions"]["silent"] == ["Tokyo", "Washington"]
        assert summary["assumptions"]["decide"] == ["Seoul", "Opposition", "Public"]
        assert "mode" not in summary and summary["assumptions"]["free"] is False  # the default: the file as is
        assert "`run --mode free`" in summary["assumptions"]["free_run"]


def test_run_mode_free_and_conditional_are_validates_modes(write_scenario, capsys):
    from diplosim import load_scenario, run_ensemble
    from diplosim.explore.validation import mode_variant

    path = str(write_scenario(scenario_dict(triggers=MOVES)))
    for mode in ("free", "conditional"):
        code, out, _ = _main(capsys, "run", path, "--runs", "30", "--seed", "3", "--workers", "1", "--json",
                             "--mode", mode)
        assert code == 0
        summary = json.loads(out)
        expected = run_ensemble(mode_variant(load_scenario(path), mode), 30, 3).summary()
        assert summary["outcomes"] == expected["outcomes"] and summary["mode"]["name"] == mode
    free = json.loads(_main(capsys, "run", path, "--runs", "5", "--workers", "1", "--json", "--mode", "free")[1])
    assert free["assumptions"]["given"] == [] and len(free["assumptions"]["decide"]) == 5
    assert free["assumptions"]["free"] is True and "free_run" not in free["assumptions"]
    assert "--mode conditional" in free["mode"]["other_modes"]
    code, out, _ = _main(capsys, "run", path, "--runs", "5", "--workers", "1", "--mode", "conditional")
    assert "deciding: 1 of 5 actors (Seoul); taking no initiatives of their own: Tokyo, Washington, " \
           "Opposition, Public" in out
    code, out, _ = _main(capsys, "run", path, "--runs", "5", "--workers", "1", "--mode", "free")
    assert "given: no moves" in out and "--mode free" not in out


def test_validate_reports_the_gap_to_surveys_of_opinion_of_japan_only_where_there_are_some(write_scenario,
                                                                                           capsys):
    # Before any event moves it, anti-Japan sentiment stays at its start (0.6), so a survey of 55% is 5 points
    # off in every run; a file without such a survey gets no column for it.
    surveys = [{"id": "view", "kind": "poll", "at": "2017-02-01", "anti_japan": 55, "source": "t"},
               {"id": "gallup", "kind": "poll", "at": "2017-02-01", "approval": 50, "source": "t"}]
    doc = scenario_dict(initial={"approval": 50, "anti_japan": 0.6}, triggers=surveys, record={"outcome": "renewed"})
    code, out, _ = _main(capsys, "validate", str(write_scenario(doc)), "--runs", "10", "--workers", "1", "--markdown")
    assert code == 0
    header, _, row = out.split("| episode (free")[1].splitlines()[:3]
    assert header.endswith("| approval RMSE vs polls | anti-Japan RMSE vs surveys |") and row.endswith("| 5.0 pts |")
    code, out, _ = _main(capsys, "validate", str(write_scenario(scenario_dict(triggers=surveys[1:],
                                                                              record={"outcome": "renewed"}))),
                         "--runs", "10", "--workers", "1", "--markdown")
    assert code == 0 and "anti-Japan RMSE" not in out


# -- a reader that goes away ---------------------------------------------------------------------


@pytest.mark.parametrize("extra", [[], ["--json"]])
def test_output_to_a_closed_pipe_ends_quietly(write_scenario, extra):
    # `run ... | head -1`: the reader may close the pipe before anything is written; Python then
    # raises BrokenPipeError at the next write or flush. The command must end quietly: no traceback,
    # no "Exception ignored" at exit, and the status of the work done (0 here)
    path = str(write_scenario(scenario_dict(triggers=TRIGGERS)))
    proc = subprocess.Popen([sys.executable, str(REPO / "run.py"), "run", path, "--runs", "5", "--workers", "1",
                             *extra], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the command prints
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0, err
    assert err == ""


def test_a_closed_pipe_mid_output_ends_quietly():
    # more output than a pipe's buffer (300 files checked, about 200 KB): a write fails, not the last flush
    import os

    from diplosim.cli.main import main

    read_end, write_end = os.pipe()
    os.close(read_end)
    saved = os.dup(1)
    try:
        os.dup2(write_end, 1)
        sys.stdout = open(1, "w", closefd=False)  # noqa: SIM115 - fd 1, a closed pipe
        code = main(["check", *[str(REPO / "scenarios" / "history" / "gsomia-2019.yaml")] * 300])
    finally:
        sys.stdout = sys.__stdout__
        os.dup2(saved, 1)
        os.close(saved)
        os.close(write_end)
    assert code == 0


# -- --set suggestions, and which commands take which options --------------------------------------


def test_a_parameter_named_without_params_is_suggested_with_it(write_scenario, capsys):
    path = str(write_scenario(scenario_dict()))
    for key, hint in (("threat_weight", "params.threat_weight"), ("thret_weight", "params.threat_weight"),
                      ("namee", "name")):
        code, _, err = _main(capsys, "run", path, "--runs", "1", "--set", f"{key}=1")
        assert code == 2 and err.strip() == f"--set: {key}: unknown key '{key}' (did you mean '{hint}'?)"


def _commands_with(option: str) -> set[str]:
    from diplosim.cli.main import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {name for name, sub in subparsers.choices.items()
            if any(option in action.option_strings for action in sub._actions)}


def test_the_readme_says_which_commands_take_set_allow_and_json():
    import re

    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    reading = re.search(r"The commands that read scenarios \(([^)]*)\) take `--set PATH=VALUE` and `--allow DIR`", text)
    json_ = re.search(r"`--json` \(JSON instead of a table\) is taken by ([^.]*)\.", text)
    assert reading and json_, "the README's sentences on --set, --allow and --json have changed"
    named = set(re.findall(r"`([a-z-]+)`", reading.group(1)))
    assert named == _commands_with("--set") == _commands_with("--allow")
    assert set(re.findall(r"`([a-z-]+)`", json_.group(1))) == _commands_with("--json")


# -- output folders are never silently replaced ------------------------------------------------------


def test_every_command_that_writes_a_folder_refuses_a_runs_folder(write_scenario, capsys, tmp_path):
    path = str(write_scenario(scenario_dict(triggers=TRIGGERS)))
    history = str(REPO / "scenarios" / "history" / "gsomia-2019.yaml")
    results = tmp_path / "run"
    assert _main(capsys, "run", path, "--runs", "5", "--workers", "1", "--out", str(results))[0] == 0
    before = {p.name: p.read_bytes() for p in results.iterdir() if p.is_file()}
    commands = {
        "compare": ["compare", path, path, "--runs", "2"],
        "sweep": ["sweep", path, "--param", "params.threat_weight=0:1:2", "--runs", "2"],
        "sensitivity": ["sensitivity", path, "--runs", "2"],
        "explain": ["explain", path, "--runs", "2"],
        "discover": ["discover", path, "--outcome", "renewed", "--runs", "2"],
        "validate": ["validate", history, "--runs", "2"],
        "identify": ["identify", history, "--runs", "2"],
        "calibrate": ["calibrate", history, "--population", "10"],
    }
    for name, args in commands.items():
        code, out, err = _main(capsys, *args, "--workers", "1", "--out", str(results))
        assert code == 2, (name, err)
        assert err.strip() == (f"{results}: holds the results of `run`; `{name}` does not write into another "
                               "command's folder: choose another --out (or use --force to overwrite them)")
        assert out == ""  # refused before any work
    assert {p.name: p.read_bytes() for p in results.iterdir() if p.is_file()} == before


def test_sweep_refuses_to_replace_another_sweep_unless_forced(write_scenario, capsys, tmp_path):
    path = str(write_scenario(scenario_dict(triggers=TRIGGERS)))
    out = tmp_path / "sweep"
    first = ["sweep", path, "--param", "params.threat_weight=0:1:2", "--runs", "3", "--workers", "1",
             "--out", str(out)]
    other = [*first[:3], "params.threat_weight=0:2:3", *first[4:]]
    assert _main(capsys, *first)[0] == 0
    saved = (out / "sweep.json").read_bytes()
    code, _, err = _main(capsys, *other)
    assert code == 2 and err.strip() == (f"{out}: holds the results of another `sweep` (other inputs); use --force "
                                         "to overwrite them, or choose another --out")
    assert (out / "sweep.json").read_bytes() == saved  # the file rerun needs is still there
    assert _main(capsys, *first)[0] == 0  # the same sweep again: the same results, allowed
    assert (out / "sweep.json").read_bytes() == saved
    assert _main(capsys, *other, "--force")[0] == 0
    assert len(json.loads((out / "sweep.json").read_text(encoding="utf-8"))["points"]) == 3
    code, _, err = _main(capsys, "run", path, "--runs", "3", "--workers", "1", "--out", str(out))
    assert code == 2 and "holds the results of `sweep`; `run` does not write into another" in err


@pytest.mark.parametrize("command", ["compare", "explain", "discover"])
def test_commands_refuse_results_of_an_unknown_run_and_write_their_own_manifest(write_scenario, capsys, tmp_path,
                                                                                  command):
    path = str(write_scenario(scenario_dict(triggers=TRIGGERS)))
    extra = {"compare": [path], "explain": ["--only", "trigger"], "discover": ["--outcome", "renewed",
                                                                                "--samples", "2"]}[command]
    old = tmp_path / "old"
    old.mkdir()
    (old / "sweep.json").write_text("{}", encoding="utf-8")  # an older diplosim's sweep: no manifest
    args = [command, path, *extra, "--runs", "2", "--workers", "1"]
    code, _, err = _main(capsys, *args, "--out", str(old))
    assert code == 2 and err.strip() == (f"{old}: already holds results (sweep.json) of an unknown run; use --force "
                                         "to overwrite them, or choose another --out")
    fresh = tmp_path / "fresh"
    assert _main(capsys, *args, "--out", str(fresh))[0] == 0
    manifest = json.loads((fresh / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == command and manifest["complete"] is True
    code, _, err = _main(capsys, *args, "--seed", "1", "--out", str(fresh))  # other inputs: refused
    assert code == 2 and f"holds the results of another `{command}` (other inputs)" in err


# -- compare: distinct headers, and values set for one scenario --------------------------------------


def test_compare_headers_are_distinct_for_variants_inheriting_a_name(write_scenario, capsys):
    base = write_scenario(scenario_dict(triggers=TRIGGERS), name="base.yaml")
    variant = write_scenario(f"extends: {base.name}\ninitial:\n  approval: 30\n", name="variant.yaml")
    code, out, err = _main(capsys, "compare", str(base), str(variant), "--runs", "10", "--workers", "1", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert [sc["name"] for sc in report["scenarios"]] == ["test scenario", "test scenario"]  # inherited
    assert [sc["label"] for sc in report["scenarios"]] == ["base", "variant"]
    code, out, _ = _main(capsys, "compare", str(base), str(variant), str(base), "--runs", "10", "--workers", "1")
    header = next(line for line in out.splitlines() if line.startswith("outcome"))
    import re

    assert re.split(r"\s{2,}", header)[1:4] == ["base #1 % [95%]", "variant % [95%]", "difference, points [95%]"]
    assert "base #3 % [95%]" in header and "base #3 vs base #1: distribution shift" in out


def test_compare_set_for_changes_one_scenario_only(write_scenario, capsys, tmp_path):
    path = str(write_scenario(scenario_dict(triggers=TRIGGERS)))
    setting = "mechanisms.threat_cooperation=false"
    code, out, err = _main(capsys, "compare", path, path, "--set-for", "2", setting, "--runs", "40", "--seed", "2",
                           "--workers", "1", "--json", "--out", str(tmp_path / "cmp"))
    assert code == 0, err
    first, second = json.loads(out)["scenarios"]
    assert "set" not in first and second["set"] == {"mechanisms.threat_cooperation": "false"}
    alone = {}
    for args in ([], ["--set", setting]):
        ran = json.loads(_main(capsys, "run", path, "--runs", "40", "--seed", "2", "--workers", "1", "--json",
                               *args)[1])
        alone[bool(args)] = {name: o["p"] for name, o in ran["outcomes"].items()}
    assert {name: o["p"] for name, o in first["outcomes"].items()} == alone[False]  # as is
    assert {name: o["p"] for name, o in second["outcomes"].items()} == alone[True]  # with the change
    rows = (tmp_path / "cmp" / "comparison.csv").read_text(encoding="utf-8")
    assert "scenario1 #1," in rows and "scenario1 #2," in rows  # the CSV's scenario column is the header
    text = _main(capsys, "compare", path, path, "--set-for", "2", setting, "--runs", "5", "--workers", "1")[1]
    assert f"with --set-for 2 {setting} (scenario1 #2 only)" in text
    for number, message in (("3", "--set-for 3: there are 2 scenarios, numbered 1 to 2"),
                            ("0", "--set-for 0: there are 2 scenarios, numbered 1 to 2"),
                            ("two", "--set-for expects a scenario's number first (1 to 2), found 'two'")):
        code, _, err = _main(capsys, "compare", path, path, "--set-for", number, setting, "--runs", "5")
        assert code == 2 and err.strip() == message


def test_a_command_stopped_by_bad_input_leaves_its_folder_as_it_was(write_scenario, capsys, tmp_path):
    path = str(write_scenario(scenario_dict(triggers=TRIGGERS)))
    out = tmp_path / "sweep"
    bad = ["sweep", path, "--param", "params.threat_weight=0:999:2", "--runs", "2", "--workers", "1", "--out", str(out)]
    code, _, err = _main(capsys, *bad)
    assert code == 2 and "expected a value in [" in err
    assert not out.exists()  # no folder left behind, claimed by nothing
    good = ["sweep", path, "--param", "params.threat_weight=0:1:2", "--runs", "2", "--workers", "1", "--out", str(out)]
    assert _main(capsys, *good)[0] == 0
    manifest = (out / "manifest.json").read_bytes()
    assert _main(capsys, *bad, "--force")[0] == 2
    assert (out / "manifest.json").read_bytes() == manifest  # still the good sweep's, complete
    assert _main(capsys, *good)[0] == 0
