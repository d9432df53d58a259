"""The SQL of `Store.action_cases` and `Store.action_counts` (the lists that need action,
`clerk.ports.action_cases`), one text for both engines: written with SQLite's `:name`
parameters, the PostgreSQL adapter turns them into `%(name)s` (`postgres_style`). Instants and
dates are ISO text on both engines, so the page key `(received_at, case_no)` and the day bounds
compare the same way on each.

Each list starts from an index: open cases from `cases (state, due_date)`, cases in 收件 from
`cases (state, received_at)`, unanswered bad ratings from the partial index of open bad ratings;
`overdue_in` from the events finishing in the period, the cases open now and the events since
its end (a case being worked at a past period's end is open now or has moved since). A count per
office is one GROUP BY over the same rows: nothing is decoded to count."""

from __future__ import annotations

from datetime import timedelta

from clerk.domain.model import CaseState
from clerk.ports.action_cases import LIST_KINDS, ActionQuery

_OPEN = f"'{CaseState.ACCEPTED}', '{CaseState.AWAITING_PAYMENT}'"
_FINISHED = f"'{CaseState.CLOSED}', '{CaseState.REJECTED}'"
_BAD = "'1', '2'"
_OFFICE = "COALESCE(c.office_code, p.office_code, c.point_code)"
# The case's latest rating, one column at a time: each an index probe (`evaluations (case_uuid)`)
# on both engines, where a join on a correlated subquery left PostgreSQL scanning the ratings.
_LATEST = """(SELECT w.{0} FROM evaluations w WHERE w.case_uuid = c.uuid
          ORDER BY w.at DESC, w.uuid DESC LIMIT 1)"""
_LEVEL, _RATED_AT, _FOLLOWED_UP_AT = (_LATEST.format(c) for c in ("level", "at", "followed_up_at"))

# Per list: the rows it ranges over (as `c`, with the case's point `p`), the condition, and what
# `finished_at` is.
_OVER_CASES = """cases c
  LEFT JOIN points p ON p.code = c.point_code"""

# overdue_in, in two disjoint parts as the period's 超期 figure counts them: the cases whose first
# finishing event falls in the period after their due date (found from the period's finishing
# events), and the cases accepted by its end, due before its last day, not finished by then and
# still being worked then — the state the last event before the end left them in — found among
# the cases open now and those with an event since the end (a case that moved since). The facts
# are worked out for these candidates only, once the cheap conditions on the case held (the
# subqueries name both the candidate and the case, so the engine cannot work them out before the
# join, for every candidate or every case), never for every case kept.
_FIRST_FINISH = f"""NOT EXISTS (SELECT 1 FROM events f WHERE f.case_uuid = {{0}}
                  AND f.to_state IN ({_FINISHED}) AND f.{{1}})"""
_OVER_PERIOD = f"""(SELECT c.*, hit.fin_at FROM (
    SELECT e.case_uuid AS uuid, e.at AS fin_at
      FROM events e
      JOIN cases k ON k.uuid = e.case_uuid
     WHERE e.to_state IN ({_FINISHED}) AND e.at >= :start AND e.at < :end
       AND substr(e.at, 1, 10) > k.due_date
       AND {_FIRST_FINISH.format("e.case_uuid", "n < e.n")}
    UNION ALL
    SELECT uuid, fin_at FROM (
      SELECT k.uuid, k.state,
             (SELECT MIN(e.at) FROM events e
               WHERE e.case_uuid = k.uuid AND k.uuid = cand.uuid
                 AND e.to_state IN ({_FINISHED})) AS fin_at,
             (SELECT e.to_state FROM events e
               WHERE e.case_uuid = k.uuid AND k.uuid = cand.uuid AND e.at < :end
               ORDER BY e.n DESC LIMIT 1) AS end_state
        FROM (SELECT uuid FROM cases WHERE state IN ({_OPEN})
              UNION SELECT case_uuid FROM events WHERE at >= :end) cand
        JOIN cases k ON k.uuid = cand.uuid
       WHERE k.accepted_at < :end AND k.due_date < :last) open_then
     WHERE (fin_at IS NULL OR fin_at >= :end) AND COALESCE(end_state, state) IN ({_OPEN})
  ) hit JOIN cases c ON c.uuid = hit.uuid) c
  LEFT JOIN points p ON p.code = c.point_code"""

_LISTS: dict[str, tuple[str, str, str]] = {
    "overdue": (_OVER_CASES, f"c.state IN ({_OPEN}) AND c.due_date < :last", "NULL"),
    "due_soon": (
        _OVER_CASES,
        f"c.state IN ({_OPEN}) AND c.due_date >= :first AND c.due_date <= :last",
        "NULL",
    ),
    "stuck_in_intake": (
        _OVER_CASES,
        f"c.state = '{CaseState.DRAFT}' AND c.received_at < :last",
        "NULL",
    ),
    "bad_ratings": (
        _OVER_CASES,
        f"""c.uuid IN (SELECT case_uuid FROM evaluations
                        WHERE level IN ({_BAD}) AND followed_up_at IS NULL AND at < :last)
   AND {_LEVEL} IN ({_BAD}) AND {_FOLLOWED_UP_AT} IS NULL AND {_RATED_AT} < :last""",
        "NULL",
    ),
    "overdue_in": (_OVER_PERIOD, "1 = 1", "c.fin_at"),
}
assert set(_LISTS) == set(LIST_KINDS)


def cases_sql(kind: str, after: bool, limit: bool) -> str:
    """The rows of list `kind` (columns `clerk.ports.action_cases.COLUMNS`) in key order; `after`:
    only after the key (:after_k, :after_no); `limit`: at most :limit rows."""
    rows, condition, finished = _LISTS[kind]
    page = (
        "\n   AND c.received_at >= :after_k AND (c.received_at > :after_k OR c.case_no > :after_no)"
        if after
        else ""
    )
    return f"""
SELECT c.uuid, c.case_no, {_OFFICE} AS office, c.origin_point AS point, c.item_no, c.state,
       c.received_at, c.due_date, {_LEVEL} AS level, {_RATED_AT} AS rated_at,
       {_FOLLOWED_UP_AT} AS followed_up_at,
       {finished} AS finished_at
  FROM {rows}
 WHERE ({condition}){page}
 ORDER BY c.received_at, c.case_no{" LIMIT :limit" if limit else ""}"""


def counts_sql(kind: str) -> str:
    """How many cases list `kind` holds per office: rows (office, n)."""
    rows, condition, _finished = _LISTS[kind]
    return f"""
SELECT {_OFFICE} AS office, COUNT(*) AS n
  FROM {rows}
 WHERE {condition}
 GROUP BY {_OFFICE}
 ORDER BY 1"""


def parameters(
    query: ActionQuery, after: tuple[str, str] | None = None, limit: int | None = None
) -> dict[str, object]:
    """The parameters every list's SQL may name (ISO days; `end` the day after `last`)."""
    first = query.first.isoformat() if query.first else ""
    return {
        "first": first,
        "start": first,
        "last": query.last.isoformat(),
        "end": (query.last + timedelta(days=1)).isoformat(),
        "after_k": after[0] if after else "",
        "after_no": after[1] if after else "",
        "limit": limit or 0,
    }
