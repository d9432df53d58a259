"""Input a person can get wrong gets a clear Chinese message, never a traceback."""

from __future__ import annotations

from datetime import date

import pytest
from test_service import person, user, window  # noqa: F401  (window: a fixture)

from clerk.cli import main
from clerk.domain.catalog import default_catalog
from clerk.domain.deadlines import DeadlineRangeError, compute_deadline
from clerk.domain.workdays import WorkCalendar
from clerk.service.window import ServiceError


@pytest.mark.parametrize("item_no", [0, 40, -1])
def test_opening_a_case_for_an_item_that_does_not_exist_is_refused(window, item_no: int) -> None:  # noqa: F811
    clerk = user(window, "clerk1")
    with pytest.raises(ServiceError, match=f"没有第 {item_no} 项事项：事项序号为 1–39"):
        window.open_case(clerk, item_no, person())


def test_the_materials_of_an_item_that_does_not_exist_are_refused(window) -> None:  # noqa: F811
    with pytest.raises(ServiceError, match="没有第 0 项事项"):
        window.required_for(0, frozenset())


@pytest.mark.parametrize("day", [date(9999, 12, 31), date(1, 1, 1), date(2100, 1, 1)])
def test_a_deadline_outside_the_calendar_years_is_refused(day: date) -> None:
    item = default_catalog().item(31)
    with pytest.raises(DeadlineRangeError, match="超出可计算的范围"):
        compute_deadline(item, day, calendar=WorkCalendar.default())


def test_the_last_day_a_deadline_counts_from_still_has_its_deadline() -> None:
    item = default_catalog().item(31)  # 25 working days
    deadline = compute_deadline(item, date(2099, 12, 31), calendar=WorkCalendar.default())
    assert deadline.due.year == 2100


def test_clerk_deadline_on_the_last_day_of_9999_says_what_is_wrong(capsys) -> None:
    assert main(["deadline", "31", "9999-12-31"]) == 1
    assert capsys.readouterr().err == (
        "日期 9999-12-31 超出可计算的范围：期限只能从 2000 年到 2099 年之间的日期起算，请检查输入的日期。\n"
    )
