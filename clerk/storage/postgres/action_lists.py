"""The read behind the lists that need action (`Store.action_cases`) on PostgreSQL, streamed
through a server-side cursor and decoded by `clerk.ports.action_cases` as SQLite's rows are."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from clerk.ports.action_cases import BAD_LEVELS, COLUMNS, WAITING_STATES, ActionCase, action_case

_WAITING = ", ".join(f"'{s}'" for s in WAITING_STATES)
_BAD = ", ".join(f"'{level}'" for level in BAD_LEVELS)

ACTION_CASES = f"""
SELECT c.uuid, c.case_no, COALESCE(c.office_code, p.office_code, c.point_code) AS office,
       c.origin_point AS point, c.item_no, c.state, c.received_at, c.due_date,
       v.level, v.at AS rated_at, v.followed_up_at
  FROM cases c
  LEFT JOIN points p ON p.code = c.point_code
  LEFT JOIN LATERAL (SELECT w.level, w.at, w.followed_up_at FROM evaluations w
                      WHERE w.case_uuid = c.uuid ORDER BY w.at DESC LIMIT 1) v ON TRUE
 WHERE c.uuid IN (SELECT uuid FROM cases WHERE state IN ({_WAITING})
                  UNION SELECT case_uuid FROM evaluations
                         WHERE level IN ({_BAD}) AND followed_up_at IS NULL)
 ORDER BY c.received_at, c.case_no
"""


def action_cases(conn: Any) -> Iterator[ActionCase]:
    """The rows, a thousand at a time from a named cursor (the caller holds a snapshot)."""
    with conn.cursor(name="clerk_action_cases") as cursor:
        cursor.itersize = 1000
        cursor.execute(ACTION_CASES)
        names: tuple[str, ...] | None = None
        for row in cursor:
            if names is None:
                names = tuple(d.name for d in cursor.description)
                assert names == COLUMNS, names
            values = row if isinstance(row, dict) else dict(zip(names, row, strict=True))
            yield action_case(values)
