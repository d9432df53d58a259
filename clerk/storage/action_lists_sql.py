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
_LATEST_RATING = """LEFT JOIN evaluations v ON v.uuid = (
      SELECT w.uuid FROM evaluations w WHERE w.case_uuid = c.uuid ORDER BY w.at DESC LIMIT 1)"""
_FINISHED_AT = f"COALESCE(c.fin_at, CASE WHEN c.state IN ({_FINISHED}) THEN c.closed_at END)"

# Per list: the rows it ranges over (as `c`, with the case's point `p` and its latest rating
# `v`), the condition, and what `finished_at` is.
_OVER_CASES = f"""cases c
  LEFT JOIN points p ON p.code = c.point_code
  {_LATEST_RATING}"""

# overdue_in: the candidates with the two facts the figure needs (`clerk.ports.supervision`
# decodes the same ones): the first finishing event, and the state the last event before the
# period's end left it in (a case with no event by then keeps its own state, as there).
_OVER_PERIOD = f"""(SELECT c.*,
        (SELECT MIN(e.at) FROM events e
          WHERE e.case_uuid = c.uuid AND e.to_state IN ({_FINISHED})) AS fin_at,
        (SELECT e.to_state FROM events e
          WHERE e.case_uuid = c.uuid AND e.at < :end ORDER BY e.n DESC LIMIT 1) AS end_state
   FROM cases c
  WHERE c.due_date IS NOT NULL AND c.received_at < :end
    AND c.uuid IN (SELECT e.case_uuid FROM events e
                    WHERE e.to_state IN ({_FINISHED}) AND e.at >= :start AND e.at < :end
                   UNION SELECT uuid FROM cases WHERE state IN ({_OPEN})
                   UNION SELECT case_uuid FROM events WHERE at >= :end)) c
  LEFT JOIN points p ON p.code = c.point_code
  {_LATEST_RATING}"""

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
   AND v.level IN ({_BAD}) AND v.followed_up_at IS NULL AND v.at < :last""",
        "NULL",
    ),
    # Finished in the period after the due date; or accepted by its end, still being worked then
    # (not finished by then) with a due date before its last day.
    "overdue_in": (
        _OVER_PERIOD,
        f"""(({_FINISHED_AT}) >= :start AND ({_FINISHED_AT}) < :end
         AND substr({_FINISHED_AT}, 1, 10) > c.due_date)
     OR (c.accepted_at < :end AND c.due_date < :last
         AND COALESCE(c.end_state, c.state) IN ({_OPEN})
         AND (({_FINISHED_AT}) IS NULL OR ({_FINISHED_AT}) >= :end))""",
        _FINISHED_AT,
    ),
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
       c.received_at, c.due_date, v.level, v.at AS rated_at, v.followed_up_at,
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
