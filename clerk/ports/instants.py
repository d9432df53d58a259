"""An instant as the port stores it: Beijing time with its offset, ISO 8601 (one small module, so
that recording where a verify got to loads none of the port's records)."""

from __future__ import annotations

from datetime import datetime

from clerk.domain.clock import TZ


def instant(value: datetime | str) -> str:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("timestamps must carry a UTC offset (use the injected clock)")
    return moment.astimezone(TZ).isoformat()
