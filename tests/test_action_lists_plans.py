"""The lists that need action (`clerk.storage.action_lists_sql`) are found through indexes on
SQLite, for a page, a whole list and the counts: no plan scans the cases or events table."""

from __future__ import annotations

from datetime import date

import pytest
from support.tamper import query_plan
from test_storage_support import open_store

from clerk.ports.action_cases import LIST_KINDS, ActionQuery
from clerk.storage.action_lists_sql import cases_sql, counts_sql, parameters

INDEX = {
    "overdue": "idx_cases_state_due",
    "overdue_in": "idx_events_at",
    "due_soon": "idx_cases_state_due",
    "stuck_in_intake": "idx_cases_state_received",
    "bad_ratings": "idx_evaluations_bad_open",
}
QUERY = ActionQuery("overdue_in", first=date(2026, 3, 1), last=date(2026, 3, 31))


@pytest.fixture
def store(tmp_path):  # type: ignore[no-untyped-def]
    s = open_store(tmp_path / "clerk.db")
    yield s
    s.close()


@pytest.mark.parametrize("kind", LIST_KINDS)
@pytest.mark.parametrize("shape", ["page", "whole", "counts"])
def test_each_list_walks_an_index(store, kind, shape):  # type: ignore[no-untyped-def]
    query = ActionQuery(kind, first=QUERY.first, last=QUERY.last)
    sql = {
        "page": cases_sql(kind, True, True),
        "whole": cases_sql(kind, False, False),
        "counts": counts_sql(kind),
    }[shape]
    plan = query_plan(store, sql, parameters(query, ("", ""), 51))
    assert INDEX[kind] in plan, plan
    for table in ("SCAN c ", "SCAN cases", "SCAN k ", "SCAN e ", "SCAN events", "SCAN f "):
        assert table not in plan + " ", plan
