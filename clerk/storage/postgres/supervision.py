"""The supervision read (`Store.supervised_cases`) on PostgreSQL: one row per case relevant to a
period, streamed through a server-side cursor (a city keeps millions of cases), decoded by
`clerk.ports.supervision` exactly as the SQLite adapter's rows are."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from datetime import date, timedelta
from typing import Any

from clerk.domain.indicators import SupervisedCase
from clerk.domain.model import CaseState
from clerk.ports.supervision import COLUMNS, FigureCases, figure_page, supervised_case
from clerk.storage.figure_cases_sql import FIGURE_SQL, postgres_style
from clerk.storage.postgres import queries

_OPEN = f"'{CaseState.ACCEPTED}', '{CaseState.AWAITING_PAYMENT}'"


SUPERVISED_CASES = f"""
SELECT COALESCE(c.office_code, p.office_code, c.point_code) AS office,
       c.origin_point AS point, c.item_no, c.state,
       ev.closing_state,
       c.received_at, c.accepted_at, c.due_date, c.closed_at,
       ev.noticed_at, ev.refused_at, ev.finished_at, ev.accept_data,
       v.level, v.at AS rated_at, v.followed_up_at
  FROM cases c
  LEFT JOIN points p ON p.code = c.point_code
  LEFT JOIN LATERAL (
      SELECT (array_agg(e.to_state ORDER BY e.n DESC) FILTER (WHERE e.at < %(end)s))[1]
                 AS closing_state,
             MIN(e.at) FILTER (WHERE e.action = 'notice') AS noticed_at,
             MIN(e.at) FILTER (WHERE e.action = 'refuse') AS refused_at,
             MIN(e.at) FILTER (WHERE e.to_state IN ('closed', 'rejected')) AS finished_at,
             (array_agg(e.data ORDER BY e.n DESC) FILTER (WHERE e.action = 'accept'))[1]
                 AS accept_data
        FROM events e WHERE e.case_uuid = c.uuid) ev ON TRUE
  LEFT JOIN LATERAL (SELECT w.level, w.at, w.followed_up_at FROM evaluations w
                      WHERE w.case_uuid = c.uuid ORDER BY w.at DESC LIMIT 1) v ON TRUE
 WHERE c.received_at < %(end)s
   AND c.uuid IN (SELECT uuid FROM cases WHERE received_at >= %(start)s AND received_at < %(end)s
                  UNION SELECT uuid FROM cases WHERE state IN ({_OPEN})
                  UNION SELECT case_uuid FROM events WHERE at >= %(start)s
                  UNION SELECT case_uuid FROM evaluations WHERE at >= %(start)s)
 ORDER BY c.received_at, c.case_no
"""
# A case's events are read once (one scan of `idx_events_case` per case, aggregated with
# FILTER), not once per fact: five correlated subqueries made the month's read ~75x its floor.


def supervised_cases(
    conn: Any, first: date, last: date, instant_items: Collection[int]
) -> Iterator[SupervisedCase]:
    """The rows, a thousand at a time from a named cursor (the caller holds a snapshot)."""
    bounds = {"start": first.isoformat(), "end": (last + timedelta(days=1)).isoformat()}
    items = frozenset(instant_items)
    with conn.cursor(name="clerk_supervised_cases") as cursor:
        cursor.itersize = 1000
        cursor.execute(SUPERVISED_CASES, bounds)
        names: tuple[str, ...] | None = None
        for row in cursor:
            if names is None:
                names = tuple(d.name for d in cursor.description)
                assert names == COLUMNS, names
            values = row if isinstance(row, dict) else dict(zip(names, row, strict=True))
            yield supervised_case(values, items)


def figure_cases(
    conn: Any,
    figure: str,
    period: tuple[date, date],
    place: tuple[int, str, str | None],
    after: tuple[str, str] | None,
    limit: int,
) -> FigureCases:
    """One page of the cases behind `figure` (`clerk.storage.figure_cases_sql`), as the SQLite
    adapter's `figure_cases`."""
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
    with conn.cursor() as cursor:
        cursor.execute(_FIGURE_SQL[figure], params)
        hits = [_hit(row) for row in cursor.fetchall()]
    uuids = [u for _k, _no, u in hits[:limit]]
    records = (
        queries.rows(conn, "SELECT * FROM cases WHERE uuid = ANY(%s)", (uuids,)) if uuids else []
    )
    return figure_page(hits, limit, {r.uuid: r for r in records})


def _hit(row: Any) -> tuple[str, str, str]:
    values = list(row.values()) if isinstance(row, dict) else list(row)
    return str(values[0]), str(values[1]), str(values[2])


_FIGURE_SQL = {figure: postgres_style(sql) for figure, sql in FIGURE_SQL.items()}
