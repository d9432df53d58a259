"""The one test clock: a fixed instant that a test moves by hand."""

from __future__ import annotations

from datetime import datetime, timedelta

from clerk.domain.clock import TZ

MONDAY = datetime(2026, 11, 2, 9, 30, tzinfo=TZ)  # a Monday, a working day


class Clock:
    """A `clerk.domain.clock.Clock` that always says `at` until a test sets or advances it."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def set(self, *args: int) -> None:
        """Move to `datetime(*args)` in Beijing time: `clock.set(2026, 11, 2, 14, 0)`."""
        self.at = datetime(*args, tzinfo=TZ)  # type: ignore[misc]

    def advance(self, **delta: float) -> None:
        """Move forward by `timedelta(**delta)`: `clock.advance(minutes=15)`."""
        self.at += timedelta(**delta)

    def __repr__(self) -> str:
        return f"Clock({self.at.isoformat()})"
