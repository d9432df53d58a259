"""How values are stored: instants in Beijing time with offset, dates as ISO text, JSON as text."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from clerk.clock import TZ
from clerk.storage import chain

# Columns holding instants (normalized to Beijing time with offset) and calendar dates.
_INSTANTS = frozenset(
    {"received_at", "accepted_at", "decided_at", "closed_at", "paid_at", "issued_at", "at", "followed_up_at"}
)
_DATES = frozenset({"due_date", "due_start"})
MANAGED = frozenset({"version", "created_at", "updated_at"})


def instant(value: datetime | str) -> str:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        raise ValueError("timestamps must carry a UTC offset (use the injected clock)")
    return moment.astimezone(TZ).isoformat()


def normalize(row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in row.items():
        if value is not None and key in _INSTANTS:
            value = instant(value)
        elif isinstance(value, date) and key in _DATES:
            value = value.isoformat()
        elif key == "circumstances" and not isinstance(value, str) and value is not None:
            value = chain.canonical_json(sorted(value) if isinstance(value, set | frozenset) else value)
        elif isinstance(value, bool):
            value = int(value)
        out[key] = value
    return out
