"""The read behind the lists that need action (`Store.action_cases`, decoded by
`clerk.ports.action_cases`): open cases from the state indexes, unanswered bad ratings from the
partial index of open bad ratings — never a walk over every case ever kept."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from clerk.ports.action_cases import BAD_LEVELS, COLUMNS, WAITING_STATES, ActionCase, action_case

_WAITING = ", ".join(f"'{s}'" for s in WAITING_STATES)
_BAD = ", ".join(f"'{level}'" for level in BAD_LEVELS)

ACTION_CASES = f"""
SELECT c.uuid, c.case_no, COALESCE(c.office_code, p.office_code, c.point_code) AS office,
       c.origin_point AS point, c.item_no, c.state, c.received_at, c.due_date,
       v.level, v.at AS rated_at, v.followed_up_at
  FROM cases c
  LEFT JOIN points p ON p.code = c.point_code
  LEFT JOIN evaluations v ON v.uuid = (SELECT w.uuid FROM evaluations w WHERE w.case_uuid = c.uuid
                                        ORDER BY w.at DESC LIMIT 1)
 WHERE c.uuid IN (SELECT uuid FROM cases WHERE state IN ({_WAITING})
                  UNION SELECT case_uuid FROM evaluations
                         WHERE level IN ({_BAD}) AND followed_up_at IS NULL)
 ORDER BY c.received_at, c.case_no
"""


def action_cases(conn: sqlite3.Connection) -> Iterator[ActionCase]:
    cursor = conn.execute(ACTION_CASES)
    names = tuple(d[0] for d in cursor.description)
    assert names == COLUMNS, names
    for row in cursor:
        yield action_case(dict(zip(names, row, strict=True)))
