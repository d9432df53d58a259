"""The read queries the window lives on, in PostgreSQL's SQL: the same answers as the SQLite
adapter's `queries` and `ledger_queries`, decoded into the same typed records.

`point_code`, where accepted, matches cases whose owning point *or* county office is that code.
Name search: each case's names reduced to letters and digits (lower case) in `case_search`,
matched with `LIKE '%...%'`; a pattern of two or more characters first asks the GIN index of
each key's pairs of adjacent characters (migration 8) for the keys that hold all its pairs. Case-number and ID tails use the expression
indexes `left(right(case_no, 5), 4)` and `right(id_number, 6)`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from clerk.domain.model import Action, CaseState, Rating
from clerk.ports.ledger import (
    AUTO_DATA,
    AcceptedCase,
    DayEvaluation,
    LedgerDay,
    ReceivedCase,
    Recomputation,
    day_actions,
)
from clerk.ports.records import CaseRecord, case_decoder

SEARCH_LIMIT = 200
_DECODERS: dict[tuple[str, ...], Callable[[Sequence[Any]], CaseRecord]] = {}


def search_key(text: str | None) -> str:
    """What the name search compares: the letters and digits of `text`, lower case (SQLite's
    FTS5 `unicode61` phrase of single characters finds the same names)."""
    return "".join(filter(str.isalnum, text or "")).lower()


def _day(day: date | str) -> str:
    return day.isoformat() if isinstance(day, date) else str(day)


def _next_day(day: date | str) -> str:
    d = day if isinstance(day, date) else date.fromisoformat(str(day))
    return (d + timedelta(days=1)).isoformat()


def _point_clause(point_code: str | None, params: dict[str, Any], alias: str = "") -> str:
    if point_code is None:
        return ""
    params["point"] = point_code
    return f" AND ({alias}point_code = %(point)s OR {alias}office_code = %(point)s)"


def rows(conn: Any, sql: str, params: Mapping[str, Any] | Sequence[Any] = ()) -> list[CaseRecord]:
    cursor = conn.execute(sql, params)
    columns = tuple(d.name for d in cursor.description)
    decode = _DECODERS.get(columns)
    if decode is None:
        decode = _DECODERS.setdefault(columns, case_decoder(columns))
    return [decode(row) for row in cursor.fetchall()]


CASE_COLUMNS = "c.*"


def by_case_no(conn: Any, case_no: str) -> CaseRecord | None:
    typed = case_no.strip().upper()
    found = rows(conn, "SELECT * FROM cases WHERE case_no = %s", (typed,))
    compact = re.sub(r"[\s\-]", "", typed)
    if not found and compact != typed:
        found = rows(conn, "SELECT * FROM cases WHERE case_no = %s", (compact,))
    return found[0] if found else None


def by_uuid(conn: Any, uuid: str, *, lock: bool = False) -> CaseRecord | None:
    sql = "SELECT * FROM cases WHERE uuid = %s" + (" FOR UPDATE" if lock else "")
    found = rows(conn, sql, (uuid,))
    return found[0] if found else None


def notices_of(conn: Any, case_uuids: Sequence[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    unique = list(dict.fromkeys(case_uuids))
    if not unique:
        return found
    cursor = conn.execute(
        "SELECT case_uuid, at FROM events WHERE case_uuid = ANY(%s) AND action = 'notice'"
        " ORDER BY case_uuid, n",
        (unique,),
    )
    for case_uuid, at in cursor:
        found.setdefault(case_uuid, []).append(at)
    return found


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def by_case_no_tail(conn: Any, tail: str, limit: int = SEARCH_LIMIT) -> list[CaseRecord]:
    typed = tail.strip().upper()
    escaped = _like_escape(typed)
    params: dict[str, Any] = {"tail": f"%{escaped}", "tail_check": f"%{escaped}_", "limit": limit}
    if len(typed) >= 4 and typed[-4:].isdigit():
        params.update(seq_check=typed[-4:], seq=typed[-5:-1] if len(typed) >= 5 else None)
        return rows(
            conn,
            "SELECT * FROM cases WHERE (left(right(case_no, 5), 4) = %(seq_check)s"
            " AND case_no LIKE %(tail_check)s ESCAPE '\\')"
            " OR (left(right(case_no, 5), 4) = %(seq)s AND case_no LIKE %(tail)s ESCAPE '\\')"
            " ORDER BY received_at DESC LIMIT %(limit)s",
            params,
        )
    return rows(
        conn,
        "SELECT * FROM cases WHERE case_no LIKE %(tail)s ESCAPE '\\'"
        " OR case_no LIKE %(tail_check)s ESCAPE '\\' ORDER BY received_at DESC LIMIT %(limit)s",
        params,
    )


def by_id_tail(conn: Any, tail: str, limit: int = SEARCH_LIMIT) -> list[CaseRecord]:
    return rows(
        conn,
        "SELECT * FROM cases WHERE right(id_number, 6) = %s ORDER BY received_at DESC LIMIT %s",
        (tail.strip().upper(), limit),
    )


def by_items(conn: Any, item_nos: list[int], limit: int = SEARCH_LIMIT) -> list[CaseRecord]:
    if not item_nos:
        return []
    return rows(
        conn,
        "SELECT * FROM cases WHERE item_no = ANY(%s) ORDER BY received_at DESC LIMIT %s",
        (list(item_nos), limit),
    )


def by_id_number(conn: Any, id_number: str) -> list[CaseRecord]:
    return rows(
        conn,
        "SELECT * FROM cases WHERE id_number = %s ORDER BY received_at DESC",
        (id_number.strip().upper(),),
    )


def by_credit_code(conn: Any, code: str) -> list[CaseRecord]:
    return rows(
        conn,
        "SELECT * FROM cases WHERE credit_code = %s ORDER BY received_at DESC",
        (code.strip().upper(),),
    )


def by_prefix(conn: Any, column: str, prefix: str, limit: int = SEARCH_LIMIT) -> list[CaseRecord]:
    prefix = prefix.strip()
    if not prefix:
        return []
    return rows(
        conn,
        f"SELECT * FROM cases WHERE {column} LIKE %s ESCAPE '\\'"
        f" ORDER BY {column}, received_at DESC LIMIT %s",
        (_like_escape(prefix) + "%", limit),
    )


def pairs(key: str) -> list[str]:
    """The distinct pairs of adjacent characters of a search key, as the database's
    `clerk_bigrams` (migration 8) indexes them."""
    return sorted({key[i : i + 2] for i in range(len(key) - 1)})


def by_full_text(conn: Any, text: str, limit: int = SEARCH_LIMIT) -> list[CaseRecord]:
    key = search_key(text)
    if not key:
        return []
    return rows(conn, *full_text_query(key, limit))


def full_text_query(key: str, limit: int) -> tuple[str, dict[str, Any]]:
    """The name search's SELECT for a non-empty `search_key`, and its parameters."""
    params: dict[str, Any] = {"p": "%" + _like_escape(key) + "%", "limit": limit}
    where = "(s.applicant_key LIKE %(p)s ESCAPE '\\' OR s.unit_key LIKE %(p)s ESCAPE '\\')"
    if len(key) >= 2:  # the keys holding every pair of the pattern, from the pairs' index
        params["pairs"] = pairs(key)
        where = (
            "(clerk_bigrams(s.applicant_key) @> %(pairs)s::text[]"
            " OR clerk_bigrams(s.unit_key) @> %(pairs)s::text[]) AND " + where
        )
    return (
        "SELECT c.* FROM case_search s JOIN cases c ON c.uuid = s.case_uuid"
        f" WHERE {where} ORDER BY c.received_at DESC, c.uuid DESC LIMIT %(limit)s",
        params,
    )


def received_between(
    conn: Any, start: date, end: date, state: str | None = None, point_code: str | None = None
) -> list[CaseRecord]:
    params: dict[str, Any] = {"start": _day(start), "end": _next_day(end)}
    sql = "SELECT * FROM cases WHERE received_at >= %(start)s AND received_at < %(end)s"
    if state is not None:
        sql += " AND state = %(state)s"
        params["state"] = str(state)
    sql += _point_clause(point_code, params) + " ORDER BY received_at, case_no"
    return rows(conn, sql, params)


def in_state(conn: Any, state: str, point_code: str | None = None) -> list[CaseRecord]:
    params: dict[str, Any] = {"state": str(state)}
    sql = (
        "SELECT * FROM cases WHERE state = %(state)s"
        + _point_clause(point_code, params)
        + " ORDER BY received_at, case_no"
    )
    return rows(conn, sql, params)


def bad_ratings_awaiting_follow_up(
    conn: Any, point_code: str | None = None, limit: int = SEARCH_LIMIT
) -> list[CaseRecord]:
    params: dict[str, Any] = {"limit": limit}
    sql = (
        "SELECT c.* FROM evaluations v JOIN cases c ON c.uuid = v.case_uuid"
        " WHERE v.level IN ('1', '2') AND v.followed_up_at IS NULL"
        + _point_clause(point_code, params, "c.")
        + " ORDER BY v.at, v.n LIMIT %(limit)s"
    )
    first: dict[str, CaseRecord] = {}
    for r in rows(conn, sql, params):
        first.setdefault(r.uuid, r)
    return list(first.values())


def _due(conn: Any, op: str, day: date, point_code: str | None) -> list[CaseRecord]:
    params: dict[str, Any] = {
        "state": str(CaseState.ACCEPTED),
        "paying": str(CaseState.AWAITING_PAYMENT),
        "day": _day(day),
    }
    sql = (
        f"SELECT * FROM cases WHERE state IN (%(state)s, %(paying)s) AND due_date {op} %(day)s"
        + _point_clause(point_code, params)
        + " ORDER BY due_date, received_at, case_no"
    )
    return rows(conn, sql, params)


def due_on_or_before(conn: Any, day: date, point_code: str | None = None) -> list[CaseRecord]:
    return _due(conn, "<=", day, point_code)


def overdue(conn: Any, today: date, point_code: str | None = None) -> list[CaseRecord]:
    return _due(conn, "<", today, point_code)


def search(conn: Any, text: str, limit: int = SEARCH_LIMIT) -> list[CaseRecord]:
    """Case number, ID number or credit code exactly, else names (as the SQLite adapter)."""
    text = text.strip()
    if not text:
        return []
    found: dict[str, CaseRecord] = {}
    candidates: list[CaseRecord] = []
    if text.isascii():
        exact = by_case_no(conn, text)
        candidates = (
            ([exact] if exact else []) + by_id_number(conn, text) + by_credit_code(conn, text)
        )
    candidates += by_full_text(conn, text, limit)
    for row in candidates:
        found.setdefault(row.uuid, row)
    return list(found.values())[:limit]


# ---------------------------------------------------------------------- the daily ledger

_CLOSING_STATE = (
    "(SELECT e.to_state FROM events e WHERE e.case_uuid = c.uuid AND e.at < %(end)s"
    " ORDER BY e.n DESC LIMIT 1) AS closing_state"
)


def _dicts(conn: Any, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, dict(params))
    names = [d.name for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _data(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def ledger_day(conn: Any, day: date, point_code: str | None) -> LedgerDay:
    """Everything the ledger of `day` reads; the caller runs this in one REPEATABLE READ
    transaction, so the figures agree with each other."""
    bounds = {"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()}

    def query(sql: str, alias: str = "c.") -> list[dict[str, Any]]:
        params: dict[str, Any] = dict(bounds)
        return _dicts(
            conn, sql.replace("{point}", _point_clause(point_code, params, alias)), params
        )

    received = tuple(
        ReceivedCase(
            uuid=r["uuid"],
            case_no=r["case_no"],
            item_no=int(r["item_no"]),
            created_by=r["created_by"] or "",
            closing_state=CaseState(r["closing_state"] or r["state"]),
        )
        for r in query(
            f"SELECT c.uuid, c.case_no, c.item_no, c.created_by, c.state, {_CLOSING_STATE}"
            " FROM cases c WHERE c.received_at >= %(start)s AND c.received_at < %(end)s{point}"
            " ORDER BY c.received_at, c.case_no"
        )
    )
    params: dict[str, Any] = dict(bounds)  # counted per action and actor (`day_actions`)
    actions = day_actions(
        conn.execute(
            "SELECT e.action, e.actor, COUNT(*), COUNT(*) FILTER (WHERE strpos(e.data,"
            f" '{AUTO_DATA}') > 0 AND e.data::jsonb -> 'auto' = 'true'::jsonb)"
            " FROM events e JOIN cases c ON c.uuid = e.case_uuid"
            " WHERE e.at >= %(start)s AND e.at < %(end)s"
            + _point_clause(point_code, params, "c.")
            + " GROUP BY 1, 2",
            params,
        )
    )
    accepted = tuple(
        AcceptedCase(
            uuid=r["uuid"],
            case_no=r["case_no"],
            item_no=int(r["item_no"]),
            applicant_kind=r["applicant_kind"],
            applicant_name=r["applicant_name"] or "",
            due_date=date.fromisoformat(r["due_date"]),
            due_provisional=bool(r["due_provisional"]),
            closing_state=CaseState(r["closing_state"]) if r["closing_state"] else None,
        )
        for r in query(
            "SELECT c.uuid, c.case_no, c.item_no, c.applicant_kind, c.applicant_name, c.due_date,"
            f" c.due_provisional, {_CLOSING_STATE} FROM cases c"
            f" WHERE c.uuid IN (SELECT uuid FROM cases WHERE state IN ('{CaseState.ACCEPTED}',"
            f" '{CaseState.AWAITING_PAYMENT}') UNION SELECT case_uuid FROM events WHERE at >= %(end)s)"
            " AND c.accepted_at IS NOT NULL AND c.accepted_at < %(end)s"
            " AND c.due_date IS NOT NULL{point}"
        )
    )
    recomputed = tuple(
        Recomputation(r["case_uuid"], _data(r["data"]))
        for r in _dicts(
            conn,
            "SELECT case_uuid, data FROM events WHERE action = %(action)s AND at >= %(end)s"
            " ORDER BY n",
            {"action": str(Action.RECOMPUTE), "end": bounds["end"]},
        )
    )
    evaluations = tuple(
        DayEvaluation(
            level=Rating(r["level"]),
            comment=r["comment"] or "",
            at=datetime.fromisoformat(r["at"]),
            recorded_by=r["recorded_by"] or "",
            followed_up_at=datetime.fromisoformat(r["followed_up_at"])
            if r["followed_up_at"]
            else None,
            case_no=r["case_no"],
            item_no=int(r["item_no"]),
            applicant_kind=r["applicant_kind"],
            applicant_name=r["applicant_name"] or "",
        )
        for r in query(
            "SELECT v.level, v.comment, v.at, v.recorded_by, v.followed_up_at, c.case_no,"
            " c.item_no, c.applicant_kind, c.applicant_name"
            " FROM evaluations v JOIN cases c ON c.uuid = v.case_uuid"
            " WHERE v.at >= %(start)s AND v.at < %(end)s{point} ORDER BY v.at, c.case_no"
        )
    )
    names = {
        login.casefold(): name for login, name in conn.execute("SELECT login, name FROM users")
    }
    count = conn.execute(
        "SELECT COUNT(*) FROM events WHERE at >= %(start)s AND at < %(end)s", bounds
    ).fetchone()[0]
    return LedgerDay(
        received=received,
        actions=actions,
        accepted=accepted,
        recomputed_after=recomputed,
        evaluations=evaluations,
        user_names=names,
        events_on_day=int(count),
        end=bounds["end"],
    )
