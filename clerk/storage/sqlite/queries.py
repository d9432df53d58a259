"""The read queries the window lives on. Each one is served by an index (a test checks the plans).

Every function takes the connection (or a sqlite-utils `Database` over it) and returns typed
`CaseRecord`s, decoded straight from the fetched tuples
(`records.case_decoder`: no dict per row, no per-field dataclass init). `point_code`, where accepted,
matches cases whose owning point *or* county office is that code, so a county hall also sees
the cases its township points handed over.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from clerk.domain.model import CaseState
from clerk.ports.records import CaseRecord, case_decoder
from clerk.storage.sqlite import fts
from clerk.storage.sqlite.schema import BAD_OPEN, CASE_SEQ_TAIL, ID_TAIL

if TYPE_CHECKING:
    from sqlite_utils import Database

SEARCH_LIMIT = 200


def _day(day: date | str) -> str:
    return day.isoformat() if isinstance(day, date) else str(day)


def _next_day(day: date | str) -> str:
    d = day if isinstance(day, date) else date.fromisoformat(str(day))
    return (d + timedelta(days=1)).isoformat()


def _point_clause(point_code: str | None, params: dict[str, Any]) -> str:
    if point_code is None:
        return ""
    params["point"] = point_code
    return " AND (point_code = :point OR office_code = :point)"


_DECODERS: dict[tuple[str, ...], Callable[[Sequence[Any]], CaseRecord]] = {}


def _conn(db: Database | sqlite3.Connection) -> sqlite3.Connection:
    return db if isinstance(db, sqlite3.Connection) else db.conn


def _rows(db: Database | sqlite3.Connection, sql: str, params: dict[str, Any]) -> list[CaseRecord]:
    cursor = _conn(db).execute(sql, params)
    columns = tuple(d[0] for d in cursor.description)
    decode = _DECODERS.get(columns)
    if decode is None:
        decode = _DECODERS.setdefault(columns, case_decoder(columns))
    return [decode(row) for row in cursor.fetchall()]


# Each query's SQL is a module constant so the plan test explains exactly what runs.
BY_CASE_NO = "SELECT * FROM cases WHERE case_no = :case_no"
BY_UUID = "SELECT * FROM cases WHERE uuid = :uuid"
# The instants of the one-time notices (告知) of some cases, in log order: what a case summary
# needs for 待补正's hand-in day and for the deemed-acceptance check of a case in 收件.
# `+action`: the case index, a few events a case; the planner would otherwise take the index on
# (action, at) and read every notice the county ever issued (0.12 s a queue at a million cases).
NOTICES_OF = "SELECT case_uuid, at FROM events WHERE case_uuid IN ({marks}) AND +action = 'notice' ORDER BY case_uuid, n"
NOTICES_OF_ONE = (
    "SELECT case_uuid, at FROM events WHERE case_uuid = ? AND +action = 'notice' ORDER BY n"
)
NOTICE_CHUNK = 500
BY_ID_NUMBER = "SELECT * FROM cases WHERE id_number = :id_number ORDER BY received_at DESC"
BY_CREDIT_CODE = "SELECT * FROM cases WHERE credit_code = :code ORDER BY received_at DESC"
BY_NAME_PREFIX = (
    "SELECT * FROM cases WHERE applicant_name >= :low AND applicant_name < :high"
    " ORDER BY applicant_name, received_at DESC LIMIT :limit"
)
BY_UNIT_PREFIX = (
    "SELECT * FROM cases WHERE unit_name >= :low AND unit_name < :high"
    " ORDER BY unit_name, received_at DESC LIMIT :limit"
)
# One page of matches, newest first, taken from the FTS index in its own (rowid, i.e. arrival)
# order before the join: a name part found in every case reads `limit` rows, never sorts them all.
BY_FULL_TEXT = (
    f"SELECT c.* FROM (SELECT t.case_uuid, t.rowid AS r FROM {fts.TABLE} t WHERE t.{fts.TABLE} MATCH :match"
    " ORDER BY t.rowid DESC LIMIT :limit) f"
    " JOIN cases c ON c.uuid = f.case_uuid ORDER BY c.received_at DESC, f.r DESC"
)
RECEIVED_BETWEEN = "SELECT * FROM cases WHERE received_at >= :start AND received_at < :end"
IN_STATE_BETWEEN = (
    "SELECT * FROM cases WHERE state = :state AND received_at >= :start AND received_at < :end"
)
IN_STATE = "SELECT * FROM cases WHERE state = :state"
# Open cases whose legal limit is still running: accepted (awaiting review) or awaiting payment.
# What a clerk reads off a slip: the last characters of a case number, the last 6 of an ID.
BY_CASE_NO_TAIL = (
    "SELECT * FROM cases WHERE case_no LIKE :tail ESCAPE '\\' OR case_no LIKE :tail_check ESCAPE '\\'"
    " ORDER BY received_at DESC LIMIT :limit"
)
# Four digits or more: the day's sequence is known, so the sequence index finds the candidates
# (about one a day) instead of a scan of every case number.
BY_CASE_SEQ_TAIL = (
    f"SELECT * FROM cases WHERE ({CASE_SEQ_TAIL} = :seq_check AND case_no LIKE :tail_check ESCAPE '\\')"
    f" OR ({CASE_SEQ_TAIL} = :seq AND case_no LIKE :tail ESCAPE '\\')"
    " ORDER BY received_at DESC LIMIT :limit"
)
BY_ID_TAIL = f"SELECT * FROM cases WHERE {ID_TAIL} = :tail ORDER BY received_at DESC LIMIT :limit"
BY_ITEMS = "SELECT * FROM cases WHERE item_no IN ({marks}) ORDER BY received_at DESC LIMIT :limit"
DUE_BY = "SELECT * FROM cases WHERE state IN (:state, :paying) AND due_date <= :day"
DUE_BEFORE = "SELECT * FROM cases WHERE state IN (:state, :paying) AND due_date < :day"


def by_case_no(db: Database | sqlite3.Connection, case_no: str) -> CaseRecord | None:
    typed = case_no.strip().upper()  # a clerk may type it in lower case
    rows = _rows(db, BY_CASE_NO, {"case_no": typed})
    compact = re.sub(r"[\s\-]", "", typed)  # or in groups
    if not rows and compact != typed:
        rows = _rows(db, BY_CASE_NO, {"case_no": compact})
    return rows[0] if rows else None


def by_uuid(db: Database | sqlite3.Connection, uuid: str) -> CaseRecord | None:
    rows = _rows(db, BY_UUID, {"uuid": uuid})
    return rows[0] if rows else None


def notices_of(
    db: Database | sqlite3.Connection, case_uuids: Sequence[str]
) -> dict[str, list[str]]:
    """{case uuid: the `at` texts of its notice events, in log order} for the cases that have any."""
    found: dict[str, list[str]] = {}
    if len(case_uuids) == 1:  # one summary: the same statement every time (cached by sqlite3)
        for case_uuid, at in _conn(db).execute(NOTICES_OF_ONE, (case_uuids[0],)):
            found.setdefault(case_uuid, []).append(at)
        return found
    unique = list(dict.fromkeys(case_uuids))
    for start in range(0, len(unique), NOTICE_CHUNK):
        chunk = unique[start : start + NOTICE_CHUNK]
        sql = NOTICES_OF.format(marks=", ".join("?" * len(chunk)))
        for case_uuid, at in _conn(db).execute(sql, chunk):
            found.setdefault(case_uuid, []).append(at)
    return found


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def by_case_no_tail(
    db: Database | sqlite3.Connection, tail: str, limit: int = SEARCH_LIMIT
) -> list[CaseRecord]:
    """Cases whose number ends with `tail`, with or without the check character after it."""
    tail = _like_escape(tail.strip().upper())
    typed = tail.strip().upper()
    tail = _like_escape(typed)
    params: dict[str, Any] = {"tail": f"%{tail}", "tail_check": f"%{tail}_", "limit": limit}
    if len(typed) >= 4 and typed[-4:].isdigit():
        # typed without the check character (its last 4 are the sequence), or with it
        params.update(seq_check=typed[-4:], seq=typed[-5:-1] if len(typed) >= 5 else None)
        return _rows(db, BY_CASE_SEQ_TAIL, params)
    return _rows(db, BY_CASE_NO_TAIL, params)


def by_id_tail(
    db: Database | sqlite3.Connection, tail: str, limit: int = SEARCH_LIMIT
) -> list[CaseRecord]:
    """Cases whose applicant's ID number ends with `tail` (the last 6 a clerk reads off a card)."""
    return _rows(db, BY_ID_TAIL, {"tail": tail.strip().upper(), "limit": limit})


def by_items(
    db: Database | sqlite3.Connection, item_nos: list[int], limit: int = SEARCH_LIMIT
) -> list[CaseRecord]:
    """The newest cases of the given items."""
    if not item_nos:
        return []
    params: dict[str, Any] = {f"i{n}": no for n, no in enumerate(item_nos)}
    params["limit"] = limit
    sql = BY_ITEMS.format(marks=", ".join(f":i{n}" for n in range(len(item_nos))))
    return _rows(db, sql, params)


def by_id_number(db: Database | sqlite3.Connection, id_number: str) -> list[CaseRecord]:
    """Exact match on the applicant's ID number (upper-case X, as stored)."""
    return _rows(db, BY_ID_NUMBER, {"id_number": id_number.strip().upper()})


def by_credit_code(db: Database | sqlite3.Connection, code: str) -> list[CaseRecord]:
    """Exact match on a unit's credit code (upper case, as stored)."""
    return _rows(db, BY_CREDIT_CODE, {"code": code.strip().upper()})


def _prefix_bounds(prefix: str) -> tuple[str, str]:
    # BINARY collation orders UTF-8 by code point, so [p, p with its last character + 1)
    # holds exactly the strings that start with p.
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)


def by_name_prefix(
    db: Database | sqlite3.Connection, prefix: str, limit: int = SEARCH_LIMIT
) -> list[CaseRecord]:
    prefix = prefix.strip()
    if not prefix:
        return []
    low, high = _prefix_bounds(prefix)
    return _rows(db, BY_NAME_PREFIX, {"low": low, "high": high, "limit": limit})


def by_unit_prefix(
    db: Database | sqlite3.Connection, prefix: str, limit: int = SEARCH_LIMIT
) -> list[CaseRecord]:
    prefix = prefix.strip()
    if not prefix:
        return []
    low, high = _prefix_bounds(prefix)
    return _rows(db, BY_UNIT_PREFIX, {"low": low, "high": high, "limit": limit})


def by_full_text(
    db: Database | sqlite3.Connection, text: str, limit: int = SEARCH_LIMIT
) -> list[CaseRecord]:
    """Cases whose applicant or unit name contains the characters of `text` in a row."""
    match = fts.match_expression(text)
    if match is None:
        return []
    return _rows(db, BY_FULL_TEXT, {"match": match, "limit": limit})


def received_between(
    db: Database | sqlite3.Connection,
    start: date,
    end: date,
    state: str | None = None,
    point_code: str | None = None,
) -> list[CaseRecord]:
    """Cases received on days start..end inclusive, optionally in one state, oldest first."""
    params: dict[str, Any] = {"start": _day(start), "end": _next_day(end)}
    sql = RECEIVED_BETWEEN
    if state is not None:
        sql = IN_STATE_BETWEEN
        params["state"] = str(state)
    sql += _point_clause(point_code, params) + " ORDER BY received_at, case_no"
    return _rows(db, sql, params)


def in_state(
    db: Database | sqlite3.Connection, state: str, point_code: str | None = None
) -> list[CaseRecord]:
    params: dict[str, Any] = {"state": str(state)}
    sql = IN_STATE + _point_clause(point_code, params) + " ORDER BY received_at, case_no"
    return _rows(db, sql, params)


# The oldest open bad ratings first, by the partial index of m011; a queue, not a report: a
# county with years of them unanswered sees the first page, not every one it ever had.
BAD_RATINGS_OPEN = (
    f"SELECT c.* FROM evaluations v INDEXED BY idx_evaluations_bad_open JOIN cases c ON c.uuid = v.case_uuid"
    f" WHERE v.{BAD_OPEN.replace(' AND ', ' AND v.')}"
)


def bad_ratings_awaiting_follow_up(
    db: Database | sqlite3.Connection, point_code: str | None = None, limit: int = SEARCH_LIMIT
) -> list[CaseRecord]:
    """Cases rated 不满意 or 非常不满意 whose rating has no follow-up (回访) yet: the oldest
    ratings first, at most `limit` cases."""
    params: dict[str, Any] = {"limit": limit}
    where = ""
    if point_code is not None:
        params["point"] = point_code
        where = " AND (c.point_code = :point OR c.office_code = :point)"
    rows = _rows(db, BAD_RATINGS_OPEN + where + " ORDER BY v.at LIMIT :limit", params)
    first: dict[str, CaseRecord] = {}
    for r in rows:
        first.setdefault(r.uuid, r)  # a case rated badly twice is listed once, at its older rating
    return list(first.values())


def due_on_or_before(
    db: Database | sqlite3.Connection, day: date, point_code: str | None = None
) -> list[CaseRecord]:
    params: dict[str, Any] = {
        "state": str(CaseState.ACCEPTED),
        "paying": str(CaseState.AWAITING_PAYMENT),
        "day": _day(day),
    }
    sql = DUE_BY + _point_clause(point_code, params) + " ORDER BY due_date, received_at, case_no"
    return _rows(db, sql, params)


def overdue(
    db: Database | sqlite3.Connection, today: date, point_code: str | None = None
) -> list[CaseRecord]:
    params: dict[str, Any] = {
        "state": str(CaseState.ACCEPTED),
        "paying": str(CaseState.AWAITING_PAYMENT),
        "day": _day(today),
    }
    sql = (
        DUE_BEFORE + _point_clause(point_code, params) + " ORDER BY due_date, received_at, case_no"
    )
    return _rows(db, sql, params)


def search(
    db: Database | sqlite3.Connection, text: str, limit: int = SEARCH_LIMIT
) -> list[CaseRecord]:
    """What the search box finds: case number, ID number or credit code exactly, else names.

    Results are de-duplicated, exact identifier matches first, then name matches newest first.
    """
    text = text.strip()
    if not text:
        return []
    found: dict[str, CaseRecord] = {}
    candidates: list[CaseRecord] = []
    if text.isascii():  # case numbers, ID numbers and credit codes are ASCII: a name skips them
        exact = by_case_no(db, text)
        candidates = ([exact] if exact else []) + by_id_number(db, text) + by_credit_code(db, text)
    candidates += by_full_text(db, text, limit)
    for row in candidates:
        found.setdefault(row.uuid, row)
    return list(found.values())[:limit]
