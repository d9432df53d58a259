"""The SQL of `Store.figure_cases` (the cases behind one supervision figure, keyset-paged), one
text for both engines: written with SQLite's `:name` parameters, the PostgreSQL adapter turns
them into `%(name)s` (`postgres_style`). Instants and dates are ISO text on both engines, so a
page key `(instant, case_no)` compares the same way on each.

Every figure starts from an index over its instant (cases.received_at, events (action, at),
events (at), evaluations (at), cases (state, due_date); a past period's overdue cases from
the cases open now and the events since its end) and walks it in key order from the
page's key, so a page costs about its own rows whatever the size of the store."""

from __future__ import annotations

import re

from clerk.domain.model import CaseState

_OPEN = f"'{CaseState.ACCEPTED}', '{CaseState.AWAITING_PAYMENT}'"
_FINISHED = f"'{CaseState.CLOSED}', '{CaseState.REJECTED}'"
_BAD = "'1', '2'"

# Where the case stands: its item, its office (as the supervision read counts it), its point.
_PLACE = """c.item_no = :item
   AND COALESCE(c.office_code, p.office_code, c.point_code) = :office
   AND (:point = '' OR c.origin_point = :point)"""


def _first_event(condition: str) -> str:
    """The case's first event meeting `condition` (over `e`), found in the period's events."""
    return f"""
SELECT e.at AS k, c.case_no, c.uuid
  FROM events e
  JOIN cases c ON c.uuid = e.case_uuid
  LEFT JOIN points p ON p.code = c.point_code
 WHERE {condition.format(t="e")} AND e.at >= :start AND e.at < :end
   AND e.at >= :after_k AND (e.at > :after_k OR c.case_no > :after_no)
   AND NOT EXISTS (SELECT 1 FROM events f WHERE f.case_uuid = e.case_uuid
                   AND {condition.format(t="f")} AND f.n < e.n)
   AND {_PLACE}
 ORDER BY e.at, c.case_no
 LIMIT :limit"""


FIGURE_SQL: dict[str, str] = {
    "received": f"""
SELECT c.received_at AS k, c.case_no, c.uuid
  FROM cases c
  LEFT JOIN points p ON p.code = c.point_code
 WHERE c.received_at >= :start AND c.received_at < :end
   AND c.received_at >= :after_k AND (c.received_at > :after_k OR c.case_no > :after_no)
   AND {_PLACE}
 ORDER BY c.received_at, c.case_no
 LIMIT :limit""",
    "accepted": _first_event("{t}.action = 'accept'"),
    "refused": _first_event("{t}.action = 'refuse'"),
    "noticed": _first_event("{t}.action = 'notice'"),
    "closed": _first_event(f"{{t}}.to_state IN ({_FINISHED})"),
    "bad": f"""
SELECT v.at AS k, c.case_no, c.uuid
  FROM evaluations v
  JOIN cases c ON c.uuid = v.case_uuid
  LEFT JOIN points p ON p.code = c.point_code
 WHERE v.level IN ({_BAD}) AND v.at >= :start AND v.at < :end
   AND v.at >= :after_k AND (v.at > :after_k OR c.case_no > :after_no)
   AND NOT EXISTS (SELECT 1 FROM evaluations w WHERE w.case_uuid = v.case_uuid AND w.at > v.at)
   AND {_PLACE}
 ORDER BY v.at, c.case_no
 LIMIT :limit""",
    # Finished late in the period (keyed by that instant), then still being worked at the
    # period's end (its state as the last event before then left it; open now, or moved since)
    # past a due date before the period's last day (keyed by the due date, a date sorting before
    # its instants): for a past month, the cases its 超期 figure counts, whatever became of them.
    "overdue": f"""
SELECT k, case_no, uuid FROM (
  SELECT e.at AS k, c.case_no, c.uuid
    FROM events e
    JOIN cases c ON c.uuid = e.case_uuid
    LEFT JOIN points p ON p.code = c.point_code
   WHERE e.to_state IN ({_FINISHED}) AND e.at >= :start AND e.at < :end
     AND substr(e.at, 1, 10) > c.due_date
     AND NOT EXISTS (SELECT 1 FROM events f WHERE f.case_uuid = e.case_uuid
                     AND f.to_state IN ({_FINISHED}) AND f.n < e.n)
     AND {_PLACE}
  UNION ALL
  SELECT c.due_date AS k, c.case_no, c.uuid
    FROM cases c
    LEFT JOIN points p ON p.code = c.point_code
   WHERE c.uuid IN (SELECT uuid FROM cases WHERE state IN ({_OPEN})
                    UNION SELECT case_uuid FROM events WHERE at >= :end)
     AND c.due_date < :last AND c.accepted_at < :end
     AND COALESCE((SELECT e.to_state FROM events e WHERE e.case_uuid = c.uuid AND e.at < :end
                    ORDER BY e.n DESC LIMIT 1), c.state) IN ({_OPEN})
     AND NOT EXISTS (SELECT 1 FROM events f WHERE f.case_uuid = c.uuid
                     AND f.to_state IN ({_FINISHED}) AND f.at < :end)
     AND {_PLACE}
) hits
 WHERE k >= :after_k AND (k > :after_k OR case_no > :after_no)
 ORDER BY k, case_no
 LIMIT :limit""",
}


def postgres_style(sql: str) -> str:
    """`:name` parameters as psycopg's `%(name)s`."""
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)
