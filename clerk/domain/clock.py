"""An injectable clock, so every test runs on a fixed date."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

TZ = ZoneInfo("Asia/Shanghai")

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(TZ)


def fixed_clock(at: datetime) -> Clock:
    """A clock frozen at `at` (naive values are taken as Beijing time)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=TZ)

    def clock() -> datetime:
        return at

    return clock


def today(clock: Clock) -> date:
    return clock().astimezone(TZ).date()
