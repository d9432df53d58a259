"""The supervision desk counts as the store's rows stream past, and gives a monthly trend:
the same figures as the domain's one definition over the grouped cases."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from types import SimpleNamespace
from typing import Any

import pytest

from clerk.domain.catalog import default_catalog
from clerk.domain.indicators import (
    Period,
    Rate,
    SupervisedCase,
    counted_median,
    counted_percentile,
    figures,
    grouped,
    median,
    percentile,
)
from clerk.domain.model import CaseState, Rating
from clerk.domain.offices import default_offices
from clerk.domain.workdays import WorkCalendar
from clerk.service.errors import ServiceError
from clerk.service.supervision import Supervision

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


CASES = [
    case(),
    case(point="YZ03A", state=CaseState.CLOSED, finished_on=date(2026, 11, 20)),
    case(item_no=9, instant=True, state=CaseState.CLOSED, finished_on=date(2026, 11, 2)),
    case(office="YZ05", point="YZ05", due_date=date(2026, 11, 10)),
    case(
        office="YZ05",
        point="YZ05",
        state=CaseState.CLOSED,
        finished_on=date(2026, 11, 12),
        rating=Rating.VERY_UNSATISFIED,
        rated_on=date(2026, 11, 12),
        followed_up_on=date(2026, 11, 13),
    ),
    case(office="YZ05", point="YZ05", received_on=date(2026, 11, 5), refused_on=date(2026, 11, 5)),
    case(
        office="YZ05",
        received_on=date(2026, 10, 5),
        accepted_on=date(2026, 10, 6),
        due_date=date(2026, 10, 20),
        state=CaseState.CLOSED,
        finished_on=date(2026, 11, 3),
    ),
]


class OnePass:
    """A store whose supervision read can be walked once, as a server cursor can."""

    def __init__(self, cases: list[SupervisedCase]) -> None:
        self.cases = cases
        self.reads: list[tuple[date, date]] = []

    def supervised_cases(self, first: date, last: date, instant: Any) -> Iterator[SupervisedCase]:
        self.reads.append((first, last))
        yield from self.cases

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        return default

    def points(self) -> list[Any]:
        return []


def desk(cases: list[SupervisedCase]) -> tuple[Supervision, OnePass]:
    store = OnePass(cases)
    ctx = SimpleNamespace(
        store=store, calendar=CAL, catalog=default_catalog(), offices=default_offices()
    )
    return Supervision(ctx), store  # type: ignore[arg-type]


def test_counted_median_and_percentile_equal_the_listed_ones() -> None:
    for values in ([3], [1, 2], [5, 1, 4, 4], [0, 0, 7, 2, 9, 9, 9, 1, 3], list(range(21))):
        counts = Counter(values)
        assert counted_median(counts) == median(values)
        assert counted_percentile(counts, 90) == percentile(values, 90)
    assert counted_median(Counter()) is None
    assert counted_percentile(Counter(), 90) is None


def test_streamed_figures_equal_the_grouped_ones() -> None:
    supervision, store = desk(CASES)
    report = supervision.supervision(NOV, 5)
    assert store.reads == [(NOV.first, NOV.last)]
    assert report.total == figures(CASES, NOV, CAL)
    by_office = grouped(CASES, lambda c: c.office)
    assert [o.code for o in report.offices] == ["YZ03", "YZ05"]
    for office in report.offices:
        members = by_office[office.code]
        assert office.figures == figures(members, NOV, CAL)
        points = grouped(members, lambda c: c.point)
        assert {p.code: p.figures for p in office.points} == {
            str(k): figures(v, NOV, CAL) for k, v in points.items()
        }
        items = grouped(members, lambda c: c.item_no)
        assert {i.code: i.figures for i in office.items} == {
            str(k): figures(v, NOV, CAL) for k, v in items.items()
        }
    assert [g.code for g in report.items] == ["9", "31"]


def test_progress_hears_the_cases_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("clerk.service.supervision.PROGRESS_EVERY", 3)
    supervision, _store = desk(CASES)
    heard: list[int] = []
    supervision.supervision(NOV, 5, heard.append)
    assert heard == [3, 6]


def test_a_trend_gives_twelve_months_ending_with_the_month_in_one_read() -> None:
    supervision, store = desk(CASES)
    trend = supervision.supervision_trend(2026, 11, follow_up_days=5)
    assert store.reads == [(date(2025, 12, 1), date(2026, 11, 30))]
    assert trend.labels()[0] == "2025-12"
    assert trend.labels()[-1] == "2026-11"
    assert len(trend.total) == 12
    assert [o.code for o in trend.offices] == ["YZ03", "YZ05"]


def test_a_trends_last_month_equals_that_months_report() -> None:
    supervision, _store = desk(CASES)
    trend = supervision.supervision_trend(2026, 11, follow_up_days=5)
    report = supervision.supervision(NOV, 5)
    assert trend.total[-1] == report.total
    assert trend.office("YZ05").months[-1] == report.office("YZ05").figures


def test_an_earlier_month_counts_a_case_finished_later_as_open_past_due() -> None:
    supervision, _store = desk(CASES)
    october = supervision.supervision_trend(2026, 11, follow_up_days=5).office("YZ05").months[-2]
    assert (october.accepted, october.closed) == (1, 0)
    assert october.overdue == Rate(1, 1)  # due 20 Oct, finished 3 Nov: open and late at 31 Oct


def test_a_month_before_any_case_counts_nothing() -> None:
    supervision, _store = desk(CASES)
    first = supervision.supervision_trend(2026, 11, follow_up_days=5).total[0]
    assert (first.received, first.accepted, first.closed, first.overdue) == (0, 0, 0, Rate(0, 0))


def test_a_trend_of_no_months_is_refused() -> None:
    supervision, _store = desk(CASES)
    with pytest.raises(ServiceError, match="至少包含 1 个月"):
        supervision.supervision_trend(2026, 11, months=0)


def test_a_trend_across_the_new_year_names_its_months() -> None:
    supervision, _store = desk([])
    assert supervision.supervision_trend(2027, 2, months=4).labels() == [
        "2026-11",
        "2026-12",
        "2027-01",
        "2027-02",
    ]
