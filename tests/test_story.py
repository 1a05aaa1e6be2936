"""The story for readers who are not modellers: a reading guide, plain words per decision, clean sources."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from diplosim.domain.mechanisms import MECHANISMS, PROCESS
from diplosim.model.engine import LogEntry, ReplicationResult, compile_scenario
from diplosim.present import glossary
from diplosim.present.story import (
    CLOSE,
    decision_line,
    departure,
    outcome_share_line,
    plain_line,
    story_lines,
    story_text,
    tell,
)
from diplosim.run.ensemble import run_indices, run_one
from diplosim.scenario.loader import load_scenario

REPO = Path(__file__).resolve().parent.parent
EPISODE = REPO / "scenarios" / "history" / "gsomia-2019.yaml"
FICTIONAL = REPO / "scenarios" / "examples" / "fictional-pact.yaml"
GSOMIA_WORDS = re.compile(r"Seoul|Tokyo|Washington|Japan|Korea|\bUS\b|\bus pressure|anti.japan", re.IGNORECASE)
"""The GSOMIA cast's words, which no label may use for another pact's cast."""


def test_every_mechanism_has_a_plain_name_that_is_not_its_identifier():
    for name in (*MECHANISMS, PROCESS):
        plain = glossary.plain_name(name)
        assert plain and "_" not in plain and plain != name.replace("_", " ")


@pytest.mark.parametrize(("text", "clean"), [
    ("JoongAng Ilbo, 2016-10-27 (seed 000)", "JoongAng Ilbo, 2016-10-27"),
    ("Taiwan News, 2019-08-02 (seeds 002, 004)", "Taiwan News, 2019-08-02"),
    ("spokesman, seed 001, JoongAng Daily, 2016-11-09", "spokesman, JoongAng Daily, 2016-11-09"),
    ("decided on 27 Oct (seeds 000, 003: JoongAng Ilbo, 2016-10-27)", "decided on 27 Oct (JoongAng Ilbo, 2016-10-27)"),
    ("(defence ministry, seed 000). Magnitude", "(defence ministry). Magnitude"),
    ("Reuters, 2019-11-22 (seedling exports, 300 tonnes)", "Reuters, 2019-11-22 (seedling exports, 300 tonnes)"),
])
def test_research_notes_are_taken_out_of_displayed_sources(text, clean):
    assert glossary.clean_source(text) == clean


def test_strength_words_follow_the_logit_scale():
    assert [glossary.strength(v) for v in (0.2, -0.7, 2.0, -3.0, 4.4)] == \
        ["slightly", "moderately", "strongly", "very strongly", "very strongly"]


def test_a_decision_in_plain_words_says_how_likely_and_what_pushed():
    entry = LogEntry(0.0, "Seoul", "give notice of termination? -> give notice", "",
                     (("opinion_dynamics", 4.42), ("audience_costs", -3.0)), 0.42)
    line = plain_line(entry, glossary.CastNames("Seoul", "Tokyo", "Washington"))
    assert line.strip() == ("= a 42% chance; public mood toward Tokyo pushed for it very strongly (+4.4); "
                            "cost of backing down pushed against it very strongly (-3.0).")
    # without a scenario the words are neutral
    assert "public mood toward the counterpart pushed for it" in plain_line(entry)


def test_an_unlikely_answer_is_flagged_as_the_luck_of_the_draw():
    unlikely = plain_line(LogEntry(0.0, "Seoul", "x? -> y", "", (), 0.08))
    assert "against the odds" in unlikely and "8%" in unlikely
    assert "against the odds" not in plain_line(LogEntry(0.0, "Seoul", "x? -> y", "", (), 0.5))


def test_an_uncommon_ending_is_said_to_be_uncommon():
    counts = Counter({"suspended": 180, "terminated": 20})
    assert "uncommon" in outcome_share_line("terminated", counts, 200, 3)
    line = outcome_share_line("suspended", counts, 200, 3)
    assert line == "How common: 90% of the 200 replications of seed 3 end 'suspended'; the others: terminated 10%."
    rare = outcome_share_line("suspended", Counter({"suspended": 997, "notice_pending": 3}), 1000, 0)
    assert rare.endswith("the others: notice pending <1%.")


def test_the_story_has_a_guide_told_decisions_and_its_share_on_the_shipped_2019_episode():
    model = compile_scenario(load_scenario(EPISODE))
    told = tell(model, 3, 0, runs=120)
    text = story_text(told)
    decisions = [line for line in told["lines"] if "(p=" in line]
    assert decisions and "How to read this story:" in text
    for line in decisions:  # each told decision says why it is told, by the rule the guide states
        p = float(re.search(r"\(p=([0-9.]+), ([a-z ]+)\)", line).group(1))
        why = re.search(r"\(p=[0-9.]+, ([a-z ]+)\)", line).group(1)
        assert why in ("changed the stage", "a new answer", "close"), line
        assert why != "close" or p < CLOSE, line
    used = {name for name in MECHANISMS if any(glossary.plain_name(name, glossary.CastNames.of(model.scenario))
                                               .split(" (")[0] in line for line in decisions)}
    for name in used:  # every force a told decision names is in its guide
        assert any(line.strip().startswith(name) for line in told["guide"]), name
    share = Counter(r.outcome for r in run_indices(model, 3, range(120)))[told["outcome"]] / 120
    assert told["share"].startswith(f"How common: {100 * share:.0f}% of the 120 replications of seed 3")
    assert not any("seed 0" in line or "seeds 0" in line for line in text)  # no research notes in sources


@pytest.mark.parametrize("episode", sorted((REPO / "scenarios" / "history").glob("*.yaml")), ids=lambda p: p.stem)
def test_stories_are_short_without_repeats_and_end_with_the_record(episode):
    model = compile_scenario(load_scenario(episode))
    for seed in (0, 1):
        lines = tell(model, seed, 0)["lines"]
        # the old stories ran 92-324 lines; a told story stays under 50 (typically 20-35) on every episode
        assert len(lines) <= 50, (episode.stem, seed, len(lines))
        assert len(lines) == len(set(lines))  # no line twice
        assert not [x for x in lines if "(p=1.00, a new answer" in x or "(p=1.00, close" in x]
        assert lines[-2].startswith("The record: ") and lines[-1].startswith("This run: ")
        assert any(x.startswith("Outcome (as the episode is scored): ") for x in lines)


PAGE_STORY_MEDIAN = 30
PAGE_STORY_MAX = 40
"""Bounds on a told 2019 story as the page lists it (its heading, how common its ending is, and its dated and
counted lines; the reading guide is folded away): about 30 lines, the issue's target, and none past 40. Before
the last summary (one question's quiet reviews on one line, a departure flagged on the line of its change, a
streak's closest call only) the same stories ran 19-45 lines, median 30; after it 18-39, median 26."""


def test_a_told_2019_story_is_about_30_lines_and_keeps_the_record_and_every_change():
    model = compile_scenario(load_scenario(EPISODE))
    actors = {cast.name for cast in model.scenario.actors.values()}  # not "the agreement's rules"
    sizes = []
    for index in range(30):  # seed 0, replications 0-29: the page's default story and the next ones
        told = tell(model, 0, index)
        lines = told["lines"]
        sizes.append(len(told["heading"]) + 1 + len(lines))
        assert lines[-2].startswith("The record: ") and lines[-1].startswith("This run: ")
        result = run_one(model, 0, index, record_log=True)
        changes = [x for x in lines if "the agreement is now" in x]
        assert len(changes) == len(result.transitions)  # every change of stage has its line
        for t, _, _, by in result.transitions:  # and an actor's decision that made one, its line kept
            if by in actors:
                day = model.date(t).isoformat()
                assert any(x.startswith(f"{day}  {by}: ") and "changed the stage)" in x for x in lines), (index, day)
    assert statistics.median(sizes) <= PAGE_STORY_MEDIAN and max(sizes) <= PAGE_STORY_MAX, sorted(sizes)


def _result(outcome: str, outcome_t: float | None, transitions, log) -> ReplicationResult:
    return ReplicationResult(0, outcome, outcome_t, {}, {}, [], 0, transitions=transitions, log=log)


def test_quiet_reviews_are_counted_blips_are_not_told_and_a_departure_is_flagged_where_it_happens():
    model = compile_scenario(load_scenario(EPISODE))  # decisions from 2018-10-01; the record's notice 2019-08-22
    t0 = (date(2019, 8, 1) - model.scenario.start).days
    keep, notice = "give notice of termination? -> keep the pact", "give notice of termination? -> give notice"
    talks, hold = "talks if Seoul keeps the pact? -> agree to talks", "talks if Seoul keeps the pact? -> hold out"
    log = [*(LogEntry(float(d), "Seoul", keep, "", (("process", 3.7),), 0.99) for d in range(10, 15)),
           LogEntry(20.0, "Tokyo", hold, "", (), 0.82),  # first answer, close: told
           LogEntry(21.0, "Tokyo", hold, "", (), 0.82),  # same answer, no closer: counted
           LogEntry(22.0, "Tokyo", talks, "", (), 0.18),  # a blip the next review takes back: counted
           LogEntry(23.0, "Tokyo", hold, "", (), 0.82),
           LogEntry(24.0, "Tokyo", talks, "", (), 0.40),  # a new answer that holds: told
           LogEntry(25.0, "Tokyo", talks, "", (), 0.60),
           LogEntry(t0, "Seoul", notice, "", (("opinion_dynamics", 3.7),), 0.19),
           LogEntry(t0, "Seoul", "notice given")]
    lines = story_lines(model, _result("notice_pending", t0, [(t0, "in_force", "notice_given", "Seoul")], log))
    told = [x for x in lines if "(p=" in x]
    assert len(told) == 3
    assert "hold out (p=0.82, close)" in told[0] and "agree to talks (p=0.40, a new answer)" in told[1]
    assert "give notice (p=0.19, changed the stage), against the odds" in told[2]
    assert "  Seoul: give notice of termination? -> keep the pact, at 5 more reviews" in "\n".join(lines)
    assert "hold out, at 2 more reviews" in "\n".join(lines) and "agree to talks, at 2 more reviews" in "\n".join(lines)
    assert ("2019-08-01  Seoul: the agreement is now under notice of termination; ! the record: notice on "
            "22 Aug 2019 (21 days earlier here)") in lines  # flagged on the line of the change
    assert lines[-1] == ("This run: not the record's outcome; it departs: notice on 1 Aug 2019 (the record: "
                         "22 Aug 2019); no notice suspended (the record: 22 Nov 2019).")
    assert departure(model, "notice_given", t0 + 18) == ""  # within a week of the record: no flag


def test_a_step_both_partners_answered_tells_the_movers_decision_and_the_partners_consent():
    # Seoul initials and Tokyo agrees the same day; the change is logged for Seoul. Before, only the last
    # answer of the day (Tokyo's) was told as the one that changed the stage, and Seoul's, a first answer
    # at p=1.00, was counted among the quiet reviews: the change had no line of the actor who made it.
    model = compile_scenario(load_scenario(EPISODE))
    t = 400.0
    log = [LogEntry(t, "Seoul", "initial the text? -> initial", "", (("quasi_alliance", 5.2),), 1.0),
           LogEntry(t, "Tokyo", "initial the text? -> agree", "", (("process", 5.8),), 1.0),
           LogEntry(t, "Seoul", "initialled")]
    lines = story_lines(model, _result("initialled", t, [(t, "negotiating", "initialled", "Seoul")], log))
    day = model.date(t).isoformat()
    assert any(x.startswith(f"{day}  Seoul: initial the text? -> initial (p=1.00, changed the stage)") for x in lines)
    assert any(x.startswith(f"{day}  Tokyo: initial the text? -> agree (p=1.00, changed the stage)") for x in lines)


def test_a_notice_after_signing_is_not_hidden_behind_signed():
    model = compile_scenario(load_scenario(REPO / "scenarios" / "history" / "gsomia-2016.yaml"))
    signed, notice = 100.0, 200.0
    result = _result("signed", signed, [(signed, "cabinet_approved", "in_force", "Seoul"),
                                        (notice, "in_force", "notice_given", "Seoul")], [])
    lines = story_lines(model, result)
    assert lines[0].startswith("Outcome (as the episode is scored): signed, on ")
    assert lines[1].startswith("  Later in the window (not in the score): notice on ")


def test_every_label_comes_from_the_scenarios_cast():
    aurelia = glossary.CastNames("Aurelia", "Borealis", "Borealis", "the Tarn Republic", patron_is_partner=True)
    texts = [*glossary.plain_names(aurelia).values(), *glossary.variable_labels(aurelia).values(),
             *glossary.kind_labels(aurelia).values(), *glossary.PLAIN_NAMES.values()]
    assert not [t for t in texts if GSOMIA_WORDS.search(t)]
    assert glossary.variable_labels(aurelia)["anti_japan"] == "anti-Borealis sentiment"
    assert glossary.kind_labels(aurelia)["us_pressure"] == "pressure from Borealis"
    assert glossary.plain_name("threat_cooperation", aurelia) == "threat from the Tarn Republic"
    gsomia = glossary.CastNames.of(load_scenario(EPISODE))
    assert (gsomia.executive, gsomia.counterpart, gsomia.patron) == ("Seoul", "Tokyo", "Washington")
    assert glossary.variable_labels(gsomia)["anti_japan"] == "anti-Tokyo sentiment"
    assert glossary.CastNames.from_dict(gsomia.to_dict()) == gsomia


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_fictional_pacts_story_speaks_of_its_own_cast(seed):
    model = compile_scenario(load_scenario(FICTIONAL))
    told = tell(model, seed, 0)
    lines = [*told["heading"], *told["guide"], *told["lines"]]
    assert not [line for line in lines if GSOMIA_WORDS.search(line)]
    text = "\n".join(lines)
    # the decisions that used to name Seoul, Tokyo or Washington now name Aurelia and Borealis
    assert "talks if Aurelia keeps the pact?" in text and "pressure from Borealis" in text


def test_the_gsomia_stories_still_name_seoul_and_tokyo():
    told = tell(compile_scenario(load_scenario(EPISODE)), 0, 0)
    text = "\n".join([*told["guide"], *told["lines"]])
    assert "Seoul" in text and "Tokyo" in text
    assert "talks if Seoul keeps the pact?" in text and "pressure from Washington" in text


def test_the_patrons_own_decision_is_not_glossed_as_pressure_from_itself():
    cast = glossary.CastNames("Seoul", "Tokyo", "Washington")
    press = LogEntry(0.0, "Washington", "press the allies? -> hold back", "", (("quasi_alliance", 0.7),), 0.57)
    line = decision_line("2012-11-13", press, "a new answer", cast)
    assert "pressure from Washington" not in line
    assert line.endswith("what is at stake for Washington pushed for it moderately (+0.7)")
    seoul = LogEntry(0.0, "Seoul", "suspend the notice? -> suspend notice", "", (("quasi_alliance", 4.8),), 0.79)
    assert "pressure from Washington pushed for it very strongly (+4.8)" in decision_line("d", seoul, "x", cast)


def test_a_change_of_stage_starts_the_streaks_afresh():
    model = compile_scenario(load_scenario(REPO / "scenarios" / "history" / "gsomia-2016.yaml"))
    resume, stay = "resume talks? -> resume talks", "resume talks? -> stay out"
    log = [LogEntry(10.0, "Seoul", resume, "", (), 0.02),  # moved the stage: told
           LogEntry(10.0, "Seoul", "negotiating"),
           LogEntry(40.0, "Seoul", "initial the text? -> break off", "", (), 0.77),
           LogEntry(40.0, "Seoul", "collapsed"),
           LogEntry(45.0, "Seoul", stay, "", (), 1.0)]  # another situation: not 'a new answer'
    lines = story_lines(model, _result("collapsed", 40.0, [(10.0, "no_talks", "negotiating", "Seoul"),
                                                            (40.0, "negotiating", "no_talks", "Seoul")], log))
    told = [x for x in lines if "(p=" in x]
    assert len(told) == 2 and all("changed the stage" in x for x in told)
    assert "  Seoul: resume talks? -> stay out, at 1 more review" in "\n".join(lines)
    assert any("Seoul: the agreement is now off the table (the talks collapsed)" in x for x in lines)


def test_a_vetoed_answer_starts_the_streak_afresh_and_a_quiet_fact_is_counted():
    # 2018 seed 1 told "resume talks? -> stay out (p=1.00, a new answer)" four days after the ruling camp forced
    # the postponement of the talks Seoul had chosen: the veto changed the situation, as a move does
    model = compile_scenario(load_scenario(REPO / "scenarios" / "history" / "gsomia-2018.yaml"))
    resume, stay = "resume talks? -> resume talks", "resume talks? -> stay out"
    log = [LogEntry(10.0, "Seoul", resume, "", (), 0.94),
           LogEntry(10.0, "Seoul", "the ruling camp: postpone resuming talks? -> postpone", "", (), 1.0),
           LogEntry(10.0, "Seoul", "the ruling camp forces the postponement of resuming talks"),
           LogEntry(12.0, "world", "election", "Nationwide local elections. [KBS News, 2018-06-14]"),
           LogEntry(14.0, "Seoul", stay, "", (), 1.0),  # after the veto, another situation: not 'a new answer'
           LogEntry(20.0, "Seoul", stay, "", (), 1.0)]
    lines = story_lines(model, _result("renewed", None, [], log))
    assert not [x for x in lines if "(p=" in x]  # nothing near-certain told
    assert any(x.endswith("the ruling camp forces the postponement of resuming talks") for x in lines)
    assert "  Seoul: resume talks? -> resume talks, at 1 more review" in "\n".join(lines)
    # the election met a review that kept its answer quietly: counted, not told
    assert not any("Nationwide" in x for x in lines)
    assert any(x.startswith("  Facts: election 1 (") for x in lines)


def test_the_move_a_told_decision_makes_is_not_told_twice():
    model = compile_scenario(load_scenario(EPISODE))
    log = [LogEntry(30.0, "Washington", "press the allies? -> press", "", (("quasi_alliance", -0.2),), 0.33),
           LogEntry(30.0, "Washington", "us pressure")]
    lines = story_lines(model, _result("renewed", None, [], log))
    assert [x for x in lines if "Washington" in x and not x.startswith(("The record", "This run"))] == [
        "2018-10-31  Washington: press the allies? -> press (p=0.33, close): what is at stake for Washington "
        "pushed against it slightly (-0.2)"]
