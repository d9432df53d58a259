"""The supervision figures, one behaviour each, with exact counts (November 2026: the 2nd is a
Monday, no holidays in the month)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from clerk.domain.indicators import (
    Ages,
    Period,
    Rate,
    SupervisedCase,
    figures,
    grouped,
    median,
    percentile,
)
from clerk.domain.model import CaseState, Rating
from clerk.domain.workdays import WorkCalendar

NOV = Period.month(2026, 11)
CAL = WorkCalendar.default()


def case(**changes: object) -> SupervisedCase:
    base = SupervisedCase(
        office="YZ03",
        point="YZ03",
        item_no=31,
        instant=False,
        state=CaseState.ACCEPTED,
        received_on=date(2026, 11, 2),
        accepted_on=date(2026, 11, 2),
        due_date=date(2026, 11, 30),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_a_month_runs_from_its_first_to_its_last_day() -> None:
    assert (NOV.first, NOV.last) == (date(2026, 11, 1), date(2026, 11, 30))
    assert Period.month(2026, 12).last == date(2026, 12, 31)
    assert date(2026, 12, 1) not in NOV


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(ValueError, match="结束日期早于开始日期"):
        Period(date(2026, 11, 2), date(2026, 11, 1))


def test_a_rate_keeps_its_counts_and_is_a_dash_over_no_cases() -> None:
    assert Rate(1, 3).percent() == "33.3%"
    assert Rate(0, 0).percent() == "—"
    assert Rate(0, 0).as_json() == {"part": 0, "whole": 0, "rate": None}
    assert Rate(2, 3).as_json() == {"part": 2, "whole": 3, "rate": 0.6667}


def test_accepted_and_received_count_the_cases_of_the_period() -> None:
    f = figures(
        [
            case(),
            case(received_on=date(2026, 10, 30), accepted_on=date(2026, 11, 3)),
            case(received_on=date(2026, 10, 29), accepted_on=date(2026, 10, 30)),
        ],
        NOV,
        CAL,
    )
    assert (f.received, f.accepted) == (1, 2)


def test_closure_rate_follows_the_cases_accepted_in_the_period() -> None:
    done = case(state=CaseState.CLOSED, finished_on=date(2026, 11, 20))
    later = case(state=CaseState.CLOSED, finished_on=date(2026, 12, 2))
    f = figures([done, later, case()], NOV, CAL)
    assert (f.closed, f.closure) == (1, Rate(1, 3))


def test_a_case_finished_after_its_due_date_is_late() -> None:
    early = case(state=CaseState.CLOSED, finished_on=date(2026, 11, 20))
    late = case(state=CaseState.CLOSED, finished_on=date(2026, 11, 27), due_date=date(2026, 11, 26))
    f = figures([early, late], NOV, CAL)
    assert f.on_time == Rate(1, 2)


def test_overdue_counts_late_finishes_and_open_cases_past_due() -> None:
    late = case(state=CaseState.CLOSED, finished_on=date(2026, 11, 27), due_date=date(2026, 11, 26))
    open_past_due = case(due_date=date(2026, 11, 20))
    open_due_on_the_last_day = case(due_date=date(2026, 11, 30))
    open_not_yet_due = case(due_date=date(2026, 12, 15))
    on_time = case(state=CaseState.CLOSED, finished_on=date(2026, 11, 10))
    f = figures(
        [late, open_past_due, open_due_on_the_last_day, open_not_yet_due, on_time], NOV, CAL
    )
    # late + open past due, over finished (2) + open and due by the end (2)
    assert f.overdue == Rate(2, 4)


def test_instant_share_by_case_and_by_item() -> None:
    f = figures(
        [case(item_no=1, instant=True), case(item_no=1, instant=True), case(item_no=31)],
        NOV,
        CAL,
    )
    assert (f.instant_cases, f.instant_items) == (Rate(2, 3), Rate(1, 2))


def test_one_time_notice_rate_is_notices_in_time_among_incomplete_applications() -> None:
    in_time = case(
        noticed_on=date(2026, 11, 9), accepted_on=None, state=CaseState.AWAITING_SUPPLEMENT
    )
    too_late = case(
        noticed_on=date(2026, 11, 10), accepted_on=None, state=CaseState.AWAITING_SUPPLEMENT
    )
    deemed = case(deemed=True, accepted_on=date(2026, 11, 12))
    complete = case()
    f = figures([in_time, too_late, deemed, complete], NOV, CAL)
    # received Mon 2 Nov: the 5th working day after it is Mon 9 Nov
    assert f.one_time_notice == Rate(1, 3)
    assert f.deemed == 1


def test_refusal_rate_is_refusals_over_cases_received() -> None:
    refused = case(accepted_on=None, refused_on=date(2026, 11, 2), state=CaseState.REFUSED)
    f = figures([refused, case(), case()], NOV, CAL)
    assert f.refusal == Rate(1, 3)


def test_ratings_good_bad_and_the_rating_rate() -> None:
    def rated(level: Rating, **more: object) -> SupervisedCase:
        return case(
            state=CaseState.CLOSED,
            finished_on=date(2026, 11, 3),
            rating=level,
            rated_on=date(2026, 11, 3),
            **more,
        )

    f = figures(
        [
            rated(Rating.VERY_SATISFIED),
            rated(Rating.SATISFIED),
            rated(Rating.BASIC),
            rated(Rating.VERY_UNSATISFIED),
            case(state=CaseState.CLOSED, finished_on=date(2026, 11, 3)),
        ],
        NOV,
        CAL,
    )
    assert (f.rated, f.good, f.bad) == (Rate(4, 5), Rate(2, 4), 1)


def test_follow_up_within_n_working_days_is_a_setting() -> None:
    bad = case(rating=Rating.UNSATISFIED, rated_on=date(2026, 11, 2))
    followed_day_5 = replace(bad, followed_up_on=date(2026, 11, 9))
    followed_day_6 = replace(bad, followed_up_on=date(2026, 11, 10))
    never = bad
    cases = [followed_day_5, followed_day_6, never]
    assert figures(cases, NOV, CAL, follow_up_days=5).follow_up == Rate(1, 3)
    assert figures(cases, NOV, CAL, follow_up_days=15).follow_up == Rate(2, 3)
    assert figures(cases, NOV, CAL).follow_up_days == 5


def test_a_follow_up_deadline_under_one_day_is_refused() -> None:
    with pytest.raises(ValueError, match="至少为 1 个工作日"):
        figures([], NOV, CAL, follow_up_days=0)


def test_ages_count_working_days_from_acceptance_or_receipt_when_deemed() -> None:
    f = figures(
        [
            case(state=CaseState.CLOSED, finished_on=date(2026, 11, 9)),  # Mon→Mon: 5
            case(state=CaseState.CLOSED, finished_on=date(2026, 11, 3)),  # 1
            case(
                state=CaseState.CLOSED,
                received_on=date(2026, 10, 30),
                accepted_on=date(2026, 11, 16),
                deemed=True,
                finished_on=date(2026, 11, 20),
            ),  # from Fri 30 Oct: 15
        ],
        NOV,
        CAL,
    )
    assert f.ages == {31: Ages(cases=3, median=5.0, p90=15)}


def test_median_and_nearest_rank_percentile() -> None:
    assert (median([]), percentile([], 90)) == (None, None)
    assert median([3, 1, 2, 10]) == 2.5
    assert percentile(list(range(1, 11)), 90) == 9
    assert percentile([7], 90) == 7


def test_no_cases_gives_zero_counts_and_dashes() -> None:
    f = figures([], NOV, CAL)
    assert (f.received, f.accepted, f.closed, f.bad) == (0, 0, 0, 0)
    assert f.closure.percent() == f.good.percent() == "—"


def test_cases_group_by_office_point_or_item() -> None:
    a, b, c = case(office="YZ03"), case(office="YZ05"), case(office="YZ03", item_no=9)
    assert grouped([a, b, c], lambda x: x.office) == {"YZ03": [a, c], "YZ05": [b]}
    assert list(grouped([a, b, c], lambda x: x.item_no)) == [31, 9]
