"""The supervision figures a city (or a county) computes over its cases, defined once.

Each figure is counted over a period (a day or a month: `Period`) from one plain fact record per
case (`SupervisedCase`), so every engine and every screen gets the same answer from the same
cases. A rate is kept as its two counts (`Rate`): a report shows the counts behind every rate, and
a rate over no cases is "—", never 0 %.

The definitions (README "Supervision figures" repeats them for the supervisor):

- 受理量 (accepted): cases accepted in the period (an Art. 32 deemed acceptance included).
- 办结量 (closed): cases finished after acceptance in the period (办结, or 审核不通过).
- 办结率: of the cases accepted in the period, those finished by its last day.
- 按时办结率: of the cases finished in the period, those finished on or before their due date.
- 超期率: (finished in the period after their due date + still open at its end past their due
  date) ÷ (finished in the period + still open at its end with a due date on or before it).
- 即办件占比: instant-item cases (provincial limit 即时办结) among those accepted in the period;
  by item: instant items among the items with an accepted case.
- 一次性告知率: among the cases received in the period whose materials were incomplete (a
  one-time notice was given, or none was given in time and the case was deemed accepted under
  行政许可法 Art. 32), those that got their notice within 5 working days.
- 不予受理率: cases refused in the period ÷ cases received in it.
- 视为受理 (deemed): cases accepted in the period under Art. 32.
- 评价率: of the cases finished in the period, those rated; 好评率: ratings of 4–5 among the
  ratings given in the period; 差评数: ratings of 1–2 given in it.
- 差评回访率 (N working days, a setting: 国办发〔2019〕51号 leaves the deadline to each place):
  among the bad ratings given in the period, those followed up within N working days.
- Ages: working days from acceptance (or receipt, for a deemed acceptance) to the finish, for
  the cases finished in the period: the median and the 90th percentile (nearest rank), per item.

Free of Textual and of storage.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from clerk.domain.model import CaseState, Rating

GOOD_RATINGS = frozenset({Rating.VERY_SATISFIED, Rating.SATISFIED})
BAD_RATINGS = frozenset({Rating.UNSATISFIED, Rating.VERY_UNSATISFIED})
# States a case is still being worked in after its acceptance.
OPEN_STATES = frozenset({CaseState.ACCEPTED, CaseState.AWAITING_PAYMENT})
DEFAULT_FOLLOW_UP_DAYS = 5


class WorkingDays(Protocol):
    """What the figures need of the work calendar (`clerk.domain.workdays.WorkCalendar`)."""

    def add_working_days(self, start: date, n: int) -> tuple[date, bool]: ...

    def working_days_between(self, a: date, b: date) -> int: ...


class RememberingCalendar:
    """A `WorkingDays` that remembers its answers: a period's cases share a few hundred start
    days, so the calendar is asked once per (start, n) or (a, b) however many cases and groups
    (and months of a trend) count them."""

    __slots__ = ("_add", "_between")
    _add: Callable[[date, int], tuple[date, bool]]
    _between: Callable[[date, date], int]

    def __init__(self, calendar: WorkingDays) -> None:
        if isinstance(calendar, RememberingCalendar):
            self._add, self._between = calendar._add, calendar._between
            return
        self._add = functools.lru_cache(maxsize=1 << 16)(calendar.add_working_days)
        self._between = functools.lru_cache(maxsize=1 << 18)(calendar.working_days_between)

    def add_working_days(self, start: date, n: int) -> tuple[date, bool]:
        return self._add(start, n)

    def working_days_between(self, a: date, b: date) -> int:
        return self._between(a, b)


@dataclass(frozen=True)
class Period:
    """The days `first`..`last`, both included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("期间的结束日期早于开始日期")

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.first <= day <= self.last

    @classmethod
    def day(cls, day: date) -> Period:
        return cls(day, day)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        first = date(year, month, 1)
        following = date(year + (month == 12), month % 12 + 1, 1)
        return cls(first, following - timedelta(days=1))


@dataclass(frozen=True)
class SupervisedCase:
    """What the figures need to know of one case (no personal data)."""

    office: str  # the county office it belongs to
    point: str  # where it was received
    item_no: int
    instant: bool  # the item's provincial time limit is 即时办结
    state: CaseState  # as of the period's end
    received_on: date
    noticed_on: date | None = None  # the one-time notice, if one was given
    accepted_on: date | None = None
    deemed: bool = False  # accepted under Art. 32 (no notice within 5 working days)
    refused_on: date | None = None
    finished_on: date | None = None  # 办结 or 审核不通过, after acceptance
    due_date: date | None = None
    rating: Rating | None = None
    rated_on: date | None = None
    followed_up_on: date | None = None


@dataclass(frozen=True)
class Rate:
    """`part` of `whole`; `value` None when there is nothing to divide."""

    part: int
    whole: int

    @property
    def value(self) -> float | None:
        return self.part / self.whole if self.whole else None

    def percent(self) -> str:
        """As a report prints it: one decimal, or "—" over no cases."""
        value = self.value
        return "—" if value is None else f"{value * 100:.1f}%"

    def as_json(self) -> dict[str, int | float | None]:
        value = self.value
        return {
            "part": self.part,
            "whole": self.whole,
            "rate": None if value is None else round(value, 4),
        }


@dataclass(frozen=True)
class Ages:
    """Working days to finish: how many cases, their median and 90th percentile (None if none)."""

    cases: int
    median: float | None
    p90: int | None


@dataclass(frozen=True)
class Figures:
    """Every figure of one group of cases over one period."""

    received: int
    accepted: int
    closed: int
    closure: Rate  # 办结率
    on_time: Rate  # 按时办结率
    overdue: Rate  # 超期率
    instant_cases: Rate  # 即办件占比（按件）
    instant_items: Rate  # 即办件占比（按事项）
    one_time_notice: Rate  # 一次性告知率
    refusal: Rate  # 不予受理率
    deemed: int  # 视为受理
    rated: Rate  # 评价率
    good: Rate  # 好评率
    bad: int  # 差评数
    follow_up: Rate  # 差评 N 个工作日内回访率
    follow_up_days: int
    ages: dict[int, Ages] = field(default_factory=dict)  # per item


def median(values: Sequence[int]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[middle])
    return (ordered[middle - 1] + ordered[middle]) / 2


def percentile(values: Sequence[int], p: float) -> int | None:
    """The nearest-rank percentile: the smallest value with at least p % of the values at or below."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def figures(
    cases: Iterable[SupervisedCase],
    period: Period,
    calendar: WorkingDays,
    *,
    follow_up_days: int = DEFAULT_FOLLOW_UP_DAYS,
    notice_days: int = 5,
) -> Figures:
    """Every figure of `cases` over `period` (see the module's definitions)."""
    tally = Tally(
        period,
        RememberingCalendar(calendar),
        follow_up_days=follow_up_days,
        notice_days=notice_days,
    )
    for case in cases:
        tally.add(case)
    return tally.figures()


class Tally:
    """The figures of one group over one period, counted as the cases stream past: counters, the
    items seen and the working-day ages per item as a count per age (never the cases)."""

    __slots__ = (
        "period",
        "calendar",
        "follow_up_days",
        "notice_days",
        "received",
        "accepted",
        "closed",
        "deemed",
        "refused",
        "bad",
        "cohort_finished",
        "on_time",
        "late_finished",
        "open_late",
        "open_due",
        "instant",
        "items",
        "instant_items",
        "incomplete",
        "noticed_in_time",
        "rated",
        "good",
        "ratings",
        "followed",
        "ages",
    )

    def __init__(
        self,
        period: Period,
        calendar: WorkingDays,
        *,
        follow_up_days: int = DEFAULT_FOLLOW_UP_DAYS,
        notice_days: int = 5,
    ) -> None:
        if follow_up_days < 1:
            raise ValueError("差评回访期限至少为 1 个工作日")
        self.period = period
        self.calendar = calendar
        self.follow_up_days = follow_up_days
        self.notice_days = notice_days
        self.received = self.accepted = self.closed = self.deemed = 0
        self.refused = self.bad = 0
        self.cohort_finished = self.on_time = self.late_finished = 0
        self.open_late = self.open_due = self.instant = 0
        self.items: set[int] = set()
        self.instant_items: set[int] = set()
        self.incomplete = self.noticed_in_time = 0
        self.rated = self.good = self.ratings = self.followed = 0
        self.ages: dict[int, Counter[int]] = {}

    def add(self, case: SupervisedCase, *, open_at_end: bool | None = None) -> None:
        """Count one case. `open_at_end` says whether it was still being worked at the period's
        end when its `state` is a later one (a trend's earlier months); None: judge by `state`."""
        period = self.period
        end = period.last
        calendar = self.calendar
        if case.received_on in period:
            self.received += 1
            if case.noticed_on is not None or case.deemed:
                self.incomplete += 1
                if case.noticed_on is not None and _within(
                    case.received_on, case.noticed_on, self.notice_days, calendar
                ):
                    self.noticed_in_time += 1
        if case.refused_on is not None and case.refused_on in period:
            self.refused += 1
        if case.accepted_on is not None and case.accepted_on in period:
            self.accepted += 1
            self.deemed += case.deemed
            self.instant += case.instant
            self.items.add(case.item_no)
            if case.instant:
                self.instant_items.add(case.item_no)
            if case.finished_on is not None and case.finished_on <= end:
                self.cohort_finished += 1
        if case.finished_on is not None and case.finished_on in period:
            self.closed += 1
            if case.due_date is None or case.finished_on <= case.due_date:
                self.on_time += 1
            else:
                self.late_finished += 1
            if case.rating is not None:
                self.rated += 1
            start = case.received_on if case.deemed else case.accepted_on
            if start is not None:
                age = calendar.working_days_between(start, case.finished_on)
                counts = self.ages.get(case.item_no)
                if counts is None:
                    counts = self.ages[case.item_no] = Counter()
                counts[age] += 1
        elif (
            case.accepted_on is not None
            and case.accepted_on <= end
            and (case.state in OPEN_STATES if open_at_end is None else open_at_end)
            and (case.finished_on is None or case.finished_on > end)
            and case.due_date is not None
            and case.due_date <= end
        ):
            self.open_due += 1
            if case.due_date < end:
                self.open_late += 1
        if case.rating is not None and case.rated_on is not None and case.rated_on in period:
            self.ratings += 1
            self.good += case.rating in GOOD_RATINGS
            if case.rating in BAD_RATINGS:
                self.bad += 1
                if case.followed_up_on is not None and _within(
                    case.rated_on, case.followed_up_on, self.follow_up_days, calendar
                ):
                    self.followed += 1

    def figures(self) -> Figures:
        return Figures(
            received=self.received,
            accepted=self.accepted,
            closed=self.closed,
            closure=Rate(self.cohort_finished, self.accepted),
            on_time=Rate(self.on_time, self.closed),
            overdue=Rate(self.late_finished + self.open_late, self.closed + self.open_due),
            instant_cases=Rate(self.instant, self.accepted),
            instant_items=Rate(len(self.instant_items), len(self.items)),
            one_time_notice=Rate(self.noticed_in_time, self.incomplete),
            refusal=Rate(self.refused, self.received),
            deemed=self.deemed,
            rated=Rate(self.rated, self.closed),
            good=Rate(self.good, self.ratings),
            bad=self.bad,
            follow_up=Rate(self.followed, self.bad),
            follow_up_days=self.follow_up_days,
            ages={
                item: Ages(
                    sum(counts.values()), counted_median(counts), counted_percentile(counts, 90)
                )
                for item, counts in sorted(self.ages.items())
            },
        )


def counted_median(counts: Counter[int]) -> float | None:
    """`median` of the values `counts` holds (value → how many times)."""
    n = sum(counts.values())
    if not n:
        return None
    if n % 2:
        return float(_nth(counts, n // 2))
    return (_nth(counts, n // 2 - 1) + _nth(counts, n // 2)) / 2


def counted_percentile(counts: Counter[int], p: float) -> int | None:
    """`percentile` of the values `counts` holds (value → how many times)."""
    n = sum(counts.values())
    if not n:
        return None
    return _nth(counts, max(1, math.ceil(p / 100 * n)) - 1)


def _nth(counts: Counter[int], index: int) -> int:
    """The `index`-th (0-based) value in ascending order."""
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if index < seen:
            return value
    raise IndexError(index)


def _within(start: date, day: date, days: int, calendar: WorkingDays) -> bool:
    """Whether `day` is no later than the `days`-th working day after `start`."""
    last, _provisional = calendar.add_working_days(start, days)
    return day <= last


def grouped(
    cases: Iterable[SupervisedCase], key: Callable[[SupervisedCase], str | int]
) -> dict[str | int, list[SupervisedCase]]:
    """The cases by `key` (office, point, item, ...), each group in the order given."""
    groups: dict[str | int, list[SupervisedCase]] = {}
    for case in cases:
        groups.setdefault(key(case), []).append(case)
    return groups
