"""The daily ledger's reads of one day's events use the events(at) index (migration 4)."""

from support.tamper import query_plan

from clerk.db import Store
from clerk.storage.sqlite import ledger_queries as ledger


def test_events_of_a_day_are_counted_through_the_index(tmp_path):
    store = Store.open(tmp_path / "clerk.db")
    plan = query_plan(
        store, ledger.EVENT_COUNT_ON_DAY, {"start": "2026-11-20", "end": "2026-11-21"}
    )
    assert "USING COVERING INDEX idx_events_at (at>? AND at<?)" in plan
