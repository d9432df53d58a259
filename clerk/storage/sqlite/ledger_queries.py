"""The read queries behind the daily ledger (日结单), decoded into typed rows.

`clerk.service.ledger` counts and lays out; everything it reads from the file comes from here, in one
read transaction so the figures agree with each other.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
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

# Cases received in [start, end) with the state their last event before `end` left them in.
RECEIVED_WITH_CLOSING_STATE = """
SELECT c.uuid, c.case_no, c.item_no, c.created_by, c.state,
       (SELECT e.to_state FROM events e
         WHERE e.case_uuid = c.uuid AND e.at < :end ORDER BY e.n DESC LIMIT 1) AS closing_state
  FROM cases c
 WHERE c.received_at >= :start AND c.received_at < :end{point}
 ORDER BY c.received_at, c.case_no
"""

# The day's events counted per action and actor (`clerk.ports.ledger.day_actions`).
ACTIONS_ON_DAY = f"""
SELECT e.action, e.actor, COUNT(*),
       SUM(CASE WHEN instr(e.data, '{AUTO_DATA}') > 0 AND json_valid(e.data)
                THEN json_type(e.data, '$.auto') = 'true' ELSE 0 END)
  FROM events e JOIN cases c ON c.uuid = e.case_uuid
 WHERE e.at >= :start AND e.at < :end{{point}}
 GROUP BY 1, 2
"""

# Cases accepted before the close, with their state at the close, among those whose time limit
# can have been running then: a case open at the close is either still open (no event since) or
# has an event after the close. Both sets come from an index, so the query reads the open cases
# and the events after the close, never every case ever accepted (a county has a million).
ACCEPTED_WITH_CLOSING_STATE = f"""
SELECT c.uuid, c.case_no, c.item_no, c.applicant_kind, c.applicant_name, c.due_date,
       c.due_provisional,
       (SELECT e.to_state FROM events e
         WHERE e.case_uuid = c.uuid AND e.at < :end ORDER BY e.n DESC LIMIT 1) AS closing_state
  FROM cases c
 WHERE c.uuid IN (SELECT uuid FROM cases WHERE state IN ('{CaseState.ACCEPTED}', '{CaseState.AWAITING_PAYMENT}')
                  UNION SELECT case_uuid FROM events WHERE at >= :end)
   AND c.accepted_at IS NOT NULL AND c.accepted_at < :end AND c.due_date IS NOT NULL{{point}}
"""

# Recomputations after the close: the first one's previous_due is the due date at the close.
RECOMPUTED_AFTER = """
SELECT case_uuid, data FROM events WHERE action = :action AND at >= :end ORDER BY n
"""

EVALUATIONS_ON_DAY = """
SELECT v.level, v.comment, v.at, v.recorded_by, v.followed_up_at,
       c.case_no, c.item_no, c.applicant_kind, c.applicant_name
  FROM evaluations v JOIN cases c ON c.uuid = v.case_uuid
 WHERE v.at >= :start AND v.at < :end{point}
 ORDER BY v.at, c.case_no
"""

EVENT_COUNT_ON_DAY = "SELECT COUNT(*) FROM events WHERE at >= :start AND at < :end"
USER_NAMES = "SELECT login, name FROM users"


def _sql(template: str, point_code: str | None, params: dict[str, Any]) -> str:
    if point_code is None:
        return template.format(point="")
    params["point"] = point_code
    return template.format(point=" AND (c.point_code = :point OR c.office_code = :point)")


def _rows(conn: sqlite3.Connection, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
    cursor = conn.execute(sql, dict(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _data(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _query(
    conn: sqlite3.Connection, template: str, point_code: str | None, bounds: Mapping[str, str]
) -> list[dict[str, Any]]:
    params = dict(bounds)
    return _rows(conn, _sql(template, point_code, params), params)


def ledger_day(conn: sqlite3.Connection, day: date, point_code: str | None) -> LedgerDay:
    """Everything the ledger of `day` reads, in one read transaction (a consistent snapshot)."""
    bounds = {"start": day.isoformat(), "end": (day + timedelta(days=1)).isoformat()}
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")
    try:
        received = tuple(
            ReceivedCase(
                uuid=r["uuid"],
                case_no=r["case_no"],
                item_no=int(r["item_no"]),
                created_by=r["created_by"] or "",
                closing_state=CaseState(r["closing_state"] or r["state"]),
            )
            for r in _query(conn, RECEIVED_WITH_CLOSING_STATE, point_code, bounds)
        )
        params = dict(bounds)
        actions = day_actions(conn.execute(_sql(ACTIONS_ON_DAY, point_code, params), params))
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
            for r in _query(conn, ACCEPTED_WITH_CLOSING_STATE, point_code, bounds)
        )
        recomputed = tuple(
            Recomputation(r["case_uuid"], _data(r["data"]))
            for r in _rows(
                conn, RECOMPUTED_AFTER, {"action": str(Action.RECOMPUTE), "end": bounds["end"]}
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
            for r in _query(conn, EVALUATIONS_ON_DAY, point_code, bounds)
        )
        names = {r["login"].casefold(): r["name"] for r in _rows(conn, USER_NAMES, {})}
        count = conn.execute(EVENT_COUNT_ON_DAY, bounds).fetchone()[0]
    finally:
        if own and conn.in_transaction:
            conn.execute("COMMIT")
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
