"""The ledger counts the day's events per action and actor in SQL, and among them the automatic
ones (data `"auto": true`), looking into the JSON only where the text names "auto"."""

from __future__ import annotations

import sqlite3

import pytest

from clerk.domain.model import Action
from clerk.ports.ledger import DayActions, day_actions
from clerk.storage.sqlite.ledger_queries import ACTIONS_ON_DAY, _sql


@pytest.fixture
def conn() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.executescript(
        "CREATE TABLE cases (uuid TEXT, point_code TEXT, office_code TEXT);"
        "CREATE TABLE events (case_uuid TEXT, action TEXT, actor TEXT, data TEXT, at TEXT);"
        "INSERT INTO cases VALUES ('c1', 'YZ01', 'YZ01'), ('c2', 'LX01', 'YZ01'),"
        " ('c3', 'SS01', 'SS01');"
    )
    return db


def _add(db: sqlite3.Connection, action: str, actor: str, data: str, case: str = "c1") -> None:
    db.execute(
        "INSERT INTO events VALUES (?, ?, ?, ?, '2026-12-07T10:00:00+08:00')",
        (case, action, actor, data),
    )


def _actions(db: sqlite3.Connection, point: str | None = None) -> tuple[DayActions, ...]:
    params = {"start": "2026-12-07", "end": "2026-12-08"}
    rows = db.execute(_sql(ACTIONS_ON_DAY, point, params), params).fetchall()
    return tuple(sorted(day_actions(rows), key=lambda a: (a.action, a.actor)))


@pytest.mark.parametrize(
    ("data", "auto"),
    [
        ('{"auto":true}', 1),
        ('{"auto": true, "documents": [{"no": "YZ01-BJ-1"}]}', 1),
        ('{"auto": false}', 0),
        ("{}", 0),
        ('{"note": "auto"}', 0),  # the word as a value, not the key
        ('{"auto": 1}', 0),  # only JSON true is automatic
        ('{"auto": tru', 0),  # a damaged record: not automatic, and no error
        ('["auto"]', 0),
    ],
)
def test_an_event_is_automatic_only_with_auto_true(
    conn: sqlite3.Connection, data: str, auto: int
) -> None:
    _add(conn, "approve", "clerk1", data)
    assert _actions(conn) == (DayActions(Action.APPROVE, "clerk1", 1, auto),)


def test_events_are_counted_per_action_and_actor(conn: sqlite3.Connection) -> None:
    for _ in range(3):
        _add(conn, "accept", "clerk1", "{}")
    _add(conn, "approve", "clerk1", '{"auto":true}')
    _add(conn, "approve", "clerk1", "{}")
    _add(conn, "approve", "reviewer1", "{}")
    assert _actions(conn) == (
        DayActions(Action.ACCEPT, "clerk1", 3, 0),
        DayActions(Action.APPROVE, "clerk1", 2, 1),
        DayActions(Action.APPROVE, "reviewer1", 1, 0),
    )


def test_a_county_office_counts_its_points_events_and_not_another_offices(
    conn: sqlite3.Connection,
) -> None:
    _add(conn, "accept", "clerk1", "{}", case="c1")
    _add(conn, "accept", "clerk1", "{}", case="c2")  # a point under YZ01
    _add(conn, "accept", "clerk1", "{}", case="c3")
    assert _actions(conn, "YZ01") == (DayActions(Action.ACCEPT, "clerk1", 2, 0),)
    assert _actions(conn) == (DayActions(Action.ACCEPT, "clerk1", 3, 0),)
