"""What both adapters read and write the same way for two administrative records, one text for
both engines: the holiday files installed (the `HOLIDAYS_INSTALLED` events of the administrative
chain) and what a file holds of a declared point before it may be removed. Queries use SQLite's
`:name` parameters; the PostgreSQL adapter turns them into `%(name)s`
(`clerk.storage.figure_cases_sql.postgres_style`)."""

from __future__ import annotations

import json
from typing import Any

from clerk.domain.admin_log import HOLIDAYS_INSTALLED

# (year, sha256, source, issued_at, origin, recorded_at): `Store.holiday_records`' rows.
HolidayRecord = tuple[int, str, str, str, str, str]

HOLIDAY_RECORDS_SQL = "SELECT data, at FROM admin_events WHERE action = :action ORDER BY seq"
HOLIDAY_RECORDS_PARAMS = {"action": HOLIDAYS_INSTALLED}

# `Store.point_records`: each kind of record a point may have left in this file.
POINT_RECORDS_SQL = {
    "cases": "SELECT count(*) FROM cases WHERE point_code = :code OR origin_point = :code",
    "events": "SELECT count(*) FROM events WHERE point_code = :code",
    "bundles": "SELECT count(*) FROM sync_bundles WHERE peer = :code",
    "accounts": "SELECT count(*) FROM users WHERE point_code = :code",
    "keys": "SELECT count(*) FROM sync_keys WHERE point_code = :code",
}


def holiday_data(
    year: int, sha256: str, source: str, issued_at: str, origin: str
) -> dict[str, Any]:
    """The `HOLIDAYS_INSTALLED` event's data."""
    return {
        "year": year,
        "sha256": sha256,
        "source": source,
        "issued_at": issued_at,
        "origin": origin,
    }


def holiday_record(data: Any, at: Any) -> HolidayRecord:
    """One `HOLIDAYS_INSTALLED` event's row (`data` as JSON text on SQLite, jsonb on PostgreSQL)."""
    d = data if isinstance(data, dict) else json.loads(data)
    return (
        int(d["year"]),
        str(d["sha256"]),
        str(d["source"]),
        str(d["issued_at"]),
        str(d["origin"]),
        str(at),
    )
