"""Deadlines from the provincial time limits: worked examples and properties."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clerk.domain.catalog import Item, LocalGuide, MainItem, SubItem, TimeLimit, default_catalog
from clerk.domain.deadlines import (
    compute_deadline,
    deadline_for,
    is_due_within,
    is_overdue,
    missing_years,
    recompute_deadline,
    remaining_working_days,
)
from clerk.domain.model import Deadline
from clerk.domain.workdays import WorkCalendar

FAKE_2027 = {
    "year": 2027,
    "source": "测试用：虚构的2027年节假日安排",
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"]
    + [f"2027-02-{d:02d}" for d in range(5, 14)]
    + [f"2027-10-{d:02d}" for d in range(1, 8)],
    "workdays": ["2027-02-14", "2027-02-20", "2027-09-26", "2027-10-09"],
}

MAIN = MainItem(numeral="一", code="00203600000Y", name="测试主项")


def make_item(no: int, limit: TimeLimit, local: TimeLimit | None = None) -> Item:
    guide = None
    if local is not None:
        guide = LocalGuide(
            accepting_units=("永州市医疗保障事务中心",),
            venues=("county_hall",),
            applicants="参保人员",
            online_channels=(),
            time_limit=local,
            superseded=not local.same_rule(limit),
        )
    return Item(
        no=no,
        name=f"事项{no}",
        sub_item=SubItem(seq=no, code=f"0020360000{no:02d}", name=f"子项{no}", main_item=MAIN.code),
        main_item=MAIN,
        applicant_kind="person",
        materials=(),
        time_limit=limit,
        steps=("申请", "受理", "审核", "办结"),
        notes=(),
        basis=(),
        local=guide,
    )


def wd(days: int, online: TimeLimit | None = None) -> TimeLimit:
    return TimeLimit(kind="working_days", days=days, online=online)


INSTANT = TimeLimit(kind="instant", days=0)
# Provincial limits from DOMAIN.md; the Yongzhou figures as superseded local overlays.
ITEM_15 = make_item(15, wd(5))
ITEM_21 = make_item(21, TimeLimit(kind="instant", days=0, online=wd(2)))
ITEM_26 = make_item(26, wd(20, online=wd(7)), local=wd(20))
ITEM_31 = make_item(31, wd(25), local=wd(30))
ITEM_36 = make_item(
    36, TimeLimit(kind="natural_days", days=80), local=TimeLimit("natural_days", 90)
)
ITEM_38 = make_item(
    38, TimeLimit("working_days", 20, start="after_declaration_deadline"), local=wd(30)
)
ITEM_5 = make_item(5, INSTANT, local=wd(5))


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


def due(item: Item, start: date, cal: WorkCalendar, online: bool = False) -> tuple[date, bool]:
    d = compute_deadline(item, start, online=online, calendar=cal)
    return d.due, d.provisional


# -- worked examples (DOMAIN.md) -------------------------------------------------------------------


def test_item_26_over_national_day(cal: WorkCalendar) -> None:
    assert due(ITEM_26, date(2026, 9, 18), cal) == (date(2026, 10, 22), False)


def test_item_15_over_spring_festival(cal: WorkCalendar) -> None:
    assert due(ITEM_15, date(2026, 2, 10), cal) == (date(2026, 2, 24), False)


def test_item_31_uses_provincial_25_days(cal: WorkCalendar) -> None:
    assert due(ITEM_31, date(2026, 11, 2), cal) == (date(2026, 12, 7), False)


def test_item_31_superseded_30_days_would_differ(cal: WorkCalendar) -> None:
    assert deadline_for(wd(30), date(2026, 11, 2), calendar=cal).due == date(2026, 12, 14)


def test_item_36_natural_days(cal: WorkCalendar) -> None:
    assert due(ITEM_36, date(2026, 3, 1), cal) == (date(2026, 5, 20), False)


def test_item_21_online(cal: WorkCalendar) -> None:
    assert due(ITEM_21, date(2026, 11, 20), cal, online=True) == (date(2026, 11, 24), False)


def test_item_21_on_site_is_instant(cal: WorkCalendar) -> None:
    d = compute_deadline(ITEM_21, date(2026, 11, 20), calendar=cal)
    assert d == Deadline(
        due=date(2026, 11, 20), provisional=False, kind="instant", days=0, start=date(2026, 11, 20)
    )


def test_item_26_online_seven_days(cal: WorkCalendar) -> None:
    # 9-20 make-up Sunday, 9-25 Mid-Autumn holiday.
    assert due(ITEM_26, date(2026, 9, 18), cal, online=True) == (date(2026, 9, 29), False)


def test_online_without_online_figure_uses_on_site(cal: WorkCalendar) -> None:
    assert due(ITEM_31, date(2026, 11, 2), cal, online=True) == (date(2026, 12, 7), False)


def test_instant_item_with_slower_local_figure(cal: WorkCalendar) -> None:
    assert due(ITEM_5, date(2026, 9, 18), cal) == (date(2026, 9, 18), False)


def test_item_38_counts_from_the_day_after_the_declaration_deadline(cal: WorkCalendar) -> None:
    d = compute_deadline(ITEM_38, date(2026, 1, 10), calendar=cal)
    assert (d.due, d.start, d.kind, d.days) == (
        date(2026, 2, 6),
        date(2026, 1, 10),
        "working_days",
        20,
    )


def test_deadline_fields(cal: WorkCalendar) -> None:
    d = compute_deadline(ITEM_26, date(2026, 9, 18), calendar=cal)
    assert d == Deadline(
        due=date(2026, 10, 22),
        provisional=False,
        kind="working_days",
        days=20,
        start=date(2026, 9, 18),
    )


@pytest.mark.parametrize(
    ("no", "start", "online", "expected"),
    [
        (26, date(2026, 9, 18), False, date(2026, 10, 22)),
        (15, date(2026, 2, 10), False, date(2026, 2, 24)),
        (31, date(2026, 11, 2), False, date(2026, 12, 7)),
        (36, date(2026, 3, 1), False, date(2026, 5, 20)),
        (21, date(2026, 11, 20), True, date(2026, 11, 24)),
    ],
)
def test_worked_examples_with_the_shipped_catalogue(
    cal: WorkCalendar, no: int, start: date, online: bool, expected: date
) -> None:
    item = default_catalog().item(no)
    assert compute_deadline(item, start, online=online, calendar=cal).due == expected


# -- provisional ---------------------------------------------------------------------------------


def test_deadline_into_2027_is_provisional(cal: WorkCalendar) -> None:
    assert due(ITEM_31, date(2026, 12, 20), cal) == (date(2027, 1, 25), True)  # 2027-01-01 is 元旦


def test_natural_days_into_2027_are_not_provisional(cal: WorkCalendar) -> None:
    assert due(ITEM_36, date(2026, 12, 1), cal) == (date(2027, 2, 19), False)


def test_instant_in_2027_is_not_provisional(cal: WorkCalendar) -> None:
    assert due(ITEM_5, date(2027, 3, 1), cal) == (date(2027, 3, 1), False)


def test_missing_years(cal: WorkCalendar) -> None:
    d = compute_deadline(ITEM_31, date(2026, 12, 20), calendar=cal)
    assert missing_years(d, cal) == [2027]


def test_missing_years_empty_when_covered(cal: WorkCalendar) -> None:
    d = compute_deadline(ITEM_31, date(2026, 11, 2), calendar=cal)
    assert missing_years(d, cal) == []


def test_recompute_after_install(tmp_path: Path) -> None:
    cal = WorkCalendar(tmp_path / "holidays")
    before = compute_deadline(ITEM_15, date(2027, 2, 4), calendar=cal)
    # Provisional: the statutory 02-05..02-08 are skipped, make-up days are not guessed.
    assert (before.due, before.provisional) == (date(2027, 2, 15), True)
    upload = tmp_path / "2027.json"
    upload.write_text(json.dumps(FAKE_2027), encoding="utf-8")
    cal.install(upload)
    after = recompute_deadline(before, cal)
    # 2-14 (Sun, make-up) 1, 2-15 2, 2-16 3, 2-17 4, 2-18 5.
    assert (after.due, after.provisional, after.start) == (
        date(2027, 2, 18),
        False,
        date(2027, 2, 4),
    )


# -- remaining working days ------------------------------------------------------------------------

FRIDAY_DUE = Deadline(
    due=date(2026, 9, 18), provisional=False, kind="working_days", days=5, start=date(2026, 9, 11)
)


def test_remaining_zero_on_the_due_day(cal: WorkCalendar) -> None:
    assert remaining_working_days(FRIDAY_DUE, date(2026, 9, 18), cal) == 0


def test_remaining_one_the_day_before(cal: WorkCalendar) -> None:
    assert remaining_working_days(FRIDAY_DUE, date(2026, 9, 17), cal) == 1


def test_remaining_skips_the_weekend(cal: WorkCalendar) -> None:
    d = Deadline(
        due=date(2026, 9, 14),
        provisional=False,
        kind="working_days",
        days=1,
        start=date(2026, 9, 11),
    )
    assert remaining_working_days(d, date(2026, 9, 11), cal) == 1


def test_overdue_on_the_saturday_after(cal: WorkCalendar) -> None:
    assert remaining_working_days(FRIDAY_DUE, date(2026, 9, 19), cal) == -1


def test_overdue_counts_working_days(cal: WorkCalendar) -> None:
    # 9-20 (Sun) is a make-up working day, 9-21 Monday.
    assert remaining_working_days(FRIDAY_DUE, date(2026, 9, 21), cal) == -2


def test_is_overdue(cal: WorkCalendar) -> None:
    assert (
        is_overdue(FRIDAY_DUE, date(2026, 9, 18)),
        is_overdue(FRIDAY_DUE, date(2026, 9, 19)),
    ) == (False, True)


def test_due_within_today(cal: WorkCalendar) -> None:
    assert is_due_within(FRIDAY_DUE, date(2026, 9, 18), 0, cal) is True


def test_due_within_two(cal: WorkCalendar) -> None:
    assert is_due_within(FRIDAY_DUE, date(2026, 9, 16), 2, cal) is True


def test_not_due_within_one_when_two_remain(cal: WorkCalendar) -> None:
    assert is_due_within(FRIDAY_DUE, date(2026, 9, 16), 1, cal) is False


def test_overdue_is_not_due_within(cal: WorkCalendar) -> None:
    assert is_due_within(FRIDAY_DUE, date(2026, 9, 21), 5, cal) is False


# -- properties --------------------------------------------------------------------------------------

starts = st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 6, 30))
counts = st.integers(min_value=1, max_value=60)


@settings(max_examples=80, deadline=None)
@given(start=starts, n=counts)
def test_due_is_a_working_day(start: date, n: int) -> None:
    cal = WorkCalendar()
    d = deadline_for(wd(n), start, calendar=cal)
    assert cal.is_working_day(d.due)
    assert chinese_calendar.is_workday(d.due)


@settings(max_examples=80, deadline=None)
@given(start=starts, n=counts)
def test_due_grows_with_n(start: date, n: int) -> None:
    cal = WorkCalendar()
    assert (
        deadline_for(wd(n), start, calendar=cal).due
        <= deadline_for(wd(n + 1), start, calendar=cal).due
    )


@settings(max_examples=80, deadline=None)
@given(start=starts, n=counts)
def test_due_equals_brute_force(start: date, n: int) -> None:
    day, left = start, n
    while left:
        day += timedelta(days=1)
        if chinese_calendar.is_workday(day):
            left -= 1
    assert deadline_for(wd(n), start, calendar=WorkCalendar()) == Deadline(
        due=day, provisional=False, kind="working_days", days=n, start=start
    )


@settings(max_examples=80, deadline=None)
@given(start=starts, n=st.integers(min_value=1, max_value=120))
def test_natural_days_are_start_plus_n(start: date, n: int) -> None:
    d = deadline_for(TimeLimit("natural_days", n), start, calendar=WorkCalendar())
    assert (d.due - start).days == n


@pytest.fixture(scope="module")
def calendar_2027(tmp_path_factory: pytest.TempPathFactory) -> WorkCalendar:
    folder = tmp_path_factory.mktemp("cal2027")
    upload = folder / "upload.json"
    upload.write_text(json.dumps(FAKE_2027), encoding="utf-8")
    cal = WorkCalendar(folder / "holidays")
    cal.install(upload)
    return cal


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    start=st.dates(min_value=date(2026, 11, 1), max_value=date(2027, 9, 30)),
    n=st.integers(min_value=1, max_value=40),
)
def test_holiday_file_for_2027_makes_2027_deadlines_final(
    calendar_2027: WorkCalendar, start: date, n: int
) -> None:
    without = deadline_for(wd(n), start, calendar=WorkCalendar())
    with_file = deadline_for(wd(n), start, calendar=calendar_2027)
    assert without.provisional == (without.due.year == 2027)
    assert with_file.provisional is False
    assert calendar_2027.is_working_day(with_file.due)
