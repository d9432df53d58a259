"""The supervision read (`Store.supervised_cases`): one row per case relevant to a period, the
facts `clerk.ports.supervision` decodes. The candidate set comes from indexes (received in the
period, open now, an event or an evaluation since its start), never from every case ever kept."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterator
from datetime import date, timedelta

from clerk.domain.indicators import SupervisedCase
from clerk.domain.model import CaseState
from clerk.ports.supervision import COLUMNS, FigureCases, figure_page, supervised_case
from clerk.storage.figure_cases_sql import FIGURE_SQL
from clerk.storage.sqlite import queries

_OPEN = f"'{CaseState.ACCEPTED}', '{CaseState.AWAITING_PAYMENT}'"


def _first_event(actions: str) -> str:
    return (
        f"(SELECT MIN(e.at) FROM events e WHERE e.case_uuid = c.uuid AND e.action IN ({actions}))"
    )


SUPERVISED_CASES = f"""
SELECT COALESCE(c.office_code, p.office_code, c.point_code) AS office,
       c.origin_point AS point, c.item_no, c.state,
       (SELECT e.to_state FROM events e
         WHERE e.case_uuid = c.uuid AND e.at < :end ORDER BY e.n DESC LIMIT 1) AS closing_state,
       c.received_at, c.accepted_at, c.due_date, c.closed_at,
       {_first_event("'notice'")} AS noticed_at,
       {_first_event("'refuse'")} AS refused_at,
       (SELECT MIN(e.at) FROM events e WHERE e.case_uuid = c.uuid
           AND e.to_state IN ('closed', 'rejected')) AS finished_at,
       (SELECT e.data FROM events e WHERE e.case_uuid = c.uuid AND e.action = 'accept'
         ORDER BY e.n DESC LIMIT 1) AS accept_data,
       v.level, v.at AS rated_at, v.followed_up_at
  FROM cases c
  LEFT JOIN points p ON p.code = c.point_code
  LEFT JOIN evaluations v ON v.uuid = (SELECT w.uuid FROM evaluations w WHERE w.case_uuid = c.uuid
                                        ORDER BY w.at DESC LIMIT 1)
 WHERE c.received_at < :end
   AND c.uuid IN (SELECT uuid FROM cases WHERE received_at >= :start AND received_at < :end
                  UNION SELECT uuid FROM cases WHERE state IN ({_OPEN})
                  UNION SELECT case_uuid FROM events WHERE at >= :start
                  UNION SELECT case_uuid FROM evaluations WHERE at >= :start)
 ORDER BY c.received_at, c.case_no
"""


def supervised_cases(
    conn: sqlite3.Connection, first: date, last: date, instant_items: Collection[int]
) -> Iterator[SupervisedCase]:
    """The rows, fetched a thousand at a time (the caller holds a read transaction)."""
    bounds = {"start": first.isoformat(), "end": (last + timedelta(days=1)).isoformat()}
    items = frozenset(instant_items)
    cursor = conn.execute(SUPERVISED_CASES, bounds)
    names = tuple(d[0] for d in cursor.description)
    assert names == COLUMNS, names
    while batch := cursor.fetchmany(1000):
        for row in batch:
            yield supervised_case(dict(zip(names, row, strict=True)), items)


def figure_cases(
    conn: sqlite3.Connection,
    figure: str,
    period: tuple[date, date],
    place: tuple[int, str, str | None],
    after: tuple[str, str] | None,
    limit: int,
) -> FigureCases:
    """One page of the cases behind `figure` (`clerk.storage.figure_cases_sql`) for
    `place` = (item, office, point or None) in `period` = (first, last), after the key `after`."""
    first, last = period
    item_no, office, point = place
    params = {
        "start": first.isoformat(),
        "end": (last + timedelta(days=1)).isoformat(),
        "last": last.isoformat(),
        "item": item_no,
        "office": office,
        "point": point or "",
        "after_k": after[0] if after else "",
        "after_no": after[1] if after else "",
        "limit": limit + 1,
    }
    hits = [(str(k), str(no), str(u)) for k, no, u in conn.execute(FIGURE_SQL[figure], params)]
    uuids = {f"u{n}": u for n, (_k, _no, u) in enumerate(hits[:limit])}
    records = (
        queries._rows(conn, f"SELECT * FROM cases WHERE uuid IN (:{', :'.join(uuids)})", uuids)
        if uuids
        else []
    )
    return figure_page(hits, limit, {r.uuid: r for r in records})
