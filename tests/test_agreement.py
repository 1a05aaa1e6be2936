"""The lifecycle state machine and the renewal rule."""

from datetime import date

import pytest

from diplosim.domain.lifecycle import TRANSITIONS, Stage
from diplosim.model.agreement import Agreement, IllegalTransition, Rules, anniversaries


def test_the_historical_paths_are_legal():
    a = Agreement(Stage.NO_TALKS, Rules())
    for i, s in enumerate([Stage.NEGOTIATING, Stage.INITIALLED, Stage.CABINET_APPROVED, Stage.IN_FORCE,
                           Stage.NOTICE_GIVEN, Stage.SUSPENDED, Stage.NORMALISED]):
        a.move(s, float(i), "test")
    assert a.stage is Stage.NORMALISED
    assert a.first_entry(Stage.IN_FORCE) == 3.0 and a.signed_at == 3.0


@pytest.mark.parametrize("frm", list(Stage))
def test_every_move_outside_the_table_is_refused(frm):
    for to in Stage:
        a = Agreement(frm, Rules())
        if to in TRANSITIONS[frm]:
            a.move(to, 0.0, "test")
            assert a.stage is to
        else:
            with pytest.raises(IllegalTransition):
                a.move(to, 0.0, "test")
            assert a.stage is frm and a.transitions == []


def test_no_skipping_stages():
    a = Agreement(Stage.NEGOTIATING, Rules())
    with pytest.raises(IllegalTransition):
        a.move(Stage.IN_FORCE, 1.0, "test")


def test_anniversaries_each_year_after_signing():
    got = anniversaries(date(2016, 11, 23), 1, date(2017, 1, 1), date(2019, 12, 31))
    assert got == [date(2017, 11, 23), date(2018, 11, 23), date(2019, 11, 23)]
    assert anniversaries(date(2016, 11, 23), 2, date(2016, 11, 23), date(2020, 12, 31)) == [
        date(2018, 11, 23), date(2020, 11, 23)]
    assert anniversaries(date(2016, 2, 29), 1, date(2016, 3, 1), date(2017, 12, 31)) == [date(2017, 3, 1)]
