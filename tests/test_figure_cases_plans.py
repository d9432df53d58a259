"""The cases behind a figure (`clerk.storage.figure_cases_sql`) are found through an index over
the figure's instant on SQLite: no plan scans the cases or events table."""

from __future__ import annotations

import pytest
from support.tamper import query_plan
from test_storage_support import open_store

from clerk.storage.figure_cases_sql import FIGURE_SQL

PARAMS = {
    "start": "2026-03-01",
    "end": "2026-04-01",
    "last": "2026-03-31",
    "item": 1,
    "office": "YZ01",
    "point": "",
    "after_k": "",
    "after_no": "",
    "limit": 101,
}
INDEX = {
    "received": "idx_cases_received_at",
    "accepted": "idx_events_action_at",
    "refused": "idx_events_action_at",
    "noticed": "idx_events_action_at",
    "closed": "idx_events_at",
    "bad": "idx_evaluations_at",
    "overdue": "idx_cases_state_due",
}


@pytest.fixture
def store(tmp_path):  # type: ignore[no-untyped-def]
    s = open_store(tmp_path / "clerk.db")
    yield s
    s.close()


@pytest.mark.parametrize("figure", sorted(FIGURE_SQL))
def test_each_figure_walks_an_index(store, figure):  # type: ignore[no-untyped-def]
    plan = query_plan(store, FIGURE_SQL[figure], PARAMS)
    assert INDEX[figure] in plan, plan
    for table in ("SCAN c ", "SCAN cases", "SCAN e ", "SCAN events", "SCAN v ", "SCAN f "):
        assert table not in plan + " ", plan
