"""Deadlines (办结期限) from the provincial time limit of an item.

Counting follows 民法典 Art. 201 and 行政许可法 Art. 82: the day a period starts from is not
counted. So:

- 即时办结 (instant): due the day of acceptance; never provisional.
- N 工作日: the Nth working day after the start date, on the State Council's calendar including
  make-up working days (调休); provisional when any day examined lies in a year without holiday data.
- N 自然日: the start date plus N calendar days; needs no holiday data, so never provisional.

Items 38-39 (定点费用结算, `start == "after_declaration_deadline"`) run "从申报截止次日到拨付不超过20个
工作日": there `start` is the declaration deadline itself. Counting begins the day after it, which is
exactly the same arithmetic as "not counting the start day", so the due date is the 20th working day
after the declaration deadline.

Always the provincial `item.time_limit`, never the Yongzhou guide's `item.local.time_limit`.
"""

from __future__ import annotations

from datetime import date, timedelta

from clerk.domain.catalog import Item, TimeLimit
from clerk.domain.limits import DEADLINE_FIRST_DAY, DEADLINE_LAST_DAY
from clerk.domain.model import Deadline
from clerk.domain.workdays import WorkCalendar


def compute_deadline(
    item: Item, start: date, *, online: bool = False, calendar: WorkCalendar
) -> Deadline:
    """The deadline of `item` accepted on `start` (or, for items 38-39, with declaration deadline
    `start`), on site or online."""
    return deadline_for(item.time_limit.for_channel(online), start, calendar=calendar)


def deadline_for(limit: TimeLimit, start: date, *, calendar: WorkCalendar) -> Deadline:
    """The deadline for one (channel-specific) time limit counted from `start`."""
    return _compute(limit.kind, limit.days, start, calendar)


def recompute_deadline(deadline: Deadline, calendar: WorkCalendar) -> Deadline:
    """The same deadline computed again, e.g. after a holiday file was installed.

    A `Deadline` carries its kind, days and start, so no item is needed.
    """
    return _compute(deadline.kind, deadline.days, deadline.start, calendar)


class DeadlineRangeError(ValueError):
    """A deadline asked for from a date outside the calendar's years (Chinese message)."""


def _compute(kind: str, days: int, start: date, calendar: WorkCalendar) -> Deadline:
    if not DEADLINE_FIRST_DAY <= start <= DEADLINE_LAST_DAY:
        raise DeadlineRangeError(
            f"日期 {start.isoformat()} 超出可计算的范围：期限只能从 {DEADLINE_FIRST_DAY.year} 年到 "
            f"{DEADLINE_LAST_DAY.year} 年之间的日期起算，请检查输入的日期。"
        )
    if kind == "instant":
        return Deadline(due=start, provisional=False, kind="instant", days=0, start=start)
    if kind == "working_days":
        due, provisional = calendar.add_working_days(start, days)
        return Deadline(due=due, provisional=provisional, kind=kind, days=days, start=start)
    if kind == "natural_days":
        due = start + timedelta(days=days)
        return Deadline(due=due, provisional=False, kind=kind, days=days, start=start)
    raise ValueError(f"未知的时限类型 “{kind}”")


def missing_years(deadline: Deadline, calendar: WorkCalendar) -> list[int]:
    """The years without holiday data that a working-days count ran through (what makes it
    provisional, and which holiday files to install)."""
    if deadline.kind != "working_days" or deadline.due <= deadline.start:
        return []
    first = (deadline.start + timedelta(days=1)).year
    return [y for y in range(first, deadline.due.year + 1) if not calendar.has_data(y)]


def remaining_working_days(deadline: Deadline, today: date, calendar: WorkCalendar) -> int:
    """Working days left until the deadline, negative once it has passed.

    - today == due: 0 (due today);
    - today before due: the working days in (today, due];
    - today after due: minus the working days in (due, today], and at least -1, so a deadline
      missed on a Friday reads as overdue on the Saturday too.
    """
    if today <= deadline.due:
        return calendar.working_days_between(today, deadline.due)
    return -max(1, calendar.working_days_between(deadline.due, today))


def is_overdue(deadline: Deadline, today: date) -> bool:
    return today > deadline.due


def is_due_within(
    deadline: Deadline, today: date, n_working_days: int, calendar: WorkCalendar
) -> bool:
    """True when the deadline is not yet passed and at most `n_working_days` working days remain
    (0 = due today). Overdue deadlines are not "due within": ask `is_overdue` for those."""
    if is_overdue(deadline, today):
        return False
    return remaining_working_days(deadline, today, calendar) <= n_working_days
