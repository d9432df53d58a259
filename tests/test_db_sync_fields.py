"""What the end-of-day sync between points will need is on every record: a UUID, the owning
point, a version counter and time-zoned timestamps."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from support.app import POINT, open_case, ready

from clerk.domain.model import Rating

SYNCED = ("cases", "case_materials", "documents", "evaluations", "events")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+08:00$")
STAMPS = {
    "cases": ("received_at", "accepted_at", "closed_at", "created_at", "updated_at"),
    "case_materials": ("created_at", "updated_at"),
    "documents": ("issued_at", "created_at", "updated_at"),
    "evaluations": ("at", "created_at", "updated_at"),
    "events": ("at",),
}


@pytest.fixture(scope="module")
def rows(tmp_path_factory) -> dict[str, list[sqlite3.Row]]:
    tmp_path: Path = tmp_path_factory.mktemp("sync")
    window, admin = ready(tmp_path)
    view = open_case(window, admin, 9, complete=True)
    window.accept(admin, view.uuid)
    window.rate(admin, view.uuid, Rating.VERY_SATISFIED)
    conn = sqlite3.connect(tmp_path / "clerk.db")
    conn.row_factory = sqlite3.Row
    found = {table: conn.execute(f"SELECT * FROM {table}").fetchall() for table in SYNCED}
    conn.close()
    return found


@pytest.mark.parametrize("table", SYNCED)
def test_every_record_has_a_uuid_and_its_point(rows, table):
    assert rows[table], f"no {table} rows to check"
    for row in rows[table]:
        assert UUID.match(row["uuid"]), row["uuid"]
        assert row["point_code"] == POINT


@pytest.mark.parametrize("table", SYNCED)
def test_every_record_has_a_version_counter(rows, table):
    assert all(row["version"] >= 1 for row in rows[table])


@pytest.mark.parametrize("table", SYNCED)
def test_every_timestamp_carries_its_time_zone(rows, table):
    for row in rows[table]:
        for column in STAMPS[table]:
            assert STAMP.match(row[column]), (table, column, row[column])


def test_an_event_version_can_never_change(tmp_path):
    window, admin = ready(tmp_path)
    open_case(window, admin, 9)
    conn = sqlite3.connect(tmp_path / "clerk.db")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO events (seq, uuid, case_uuid, action, actor, at, to_state, point_code, prev_hash, hash,"
            " version) SELECT seq + 1, uuid || 'x', case_uuid, action, actor, at, to_state, point_code, hash,"
            " substr(hash, 2) || 'a', 2 FROM events"
        )
    conn.close()
