"""Contract: the sync's large reads (a day's export) come a page at a time, in order, on every
engine (issue 25): `events_after` by seq, `records_of_cases` in its table's order."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from storage_contract.contract_helpers import ORIGIN, new_case

PAGE = 2  # a small page, so that five rows take three pages


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    from clerk.storage.sqlite import sync as sqlite_sync

    monkeypatch.setattr(sqlite_sync, "PAGE_ROWS", PAGE)
    try:
        from clerk.storage.postgres import sync as postgres_sync
    except ImportError:  # no PostgreSQL driver: that engine's tests are skipped
        return
    monkeypatch.setattr(postgres_sync, "PAGE_ROWS", PAGE)


def test_events_after_yields_one_chains_later_events_in_seq_order_across_pages(store):
    for n in range(1, 6):
        new_case(store, n)
    found = store.sync_store().events_after(ORIGIN, 1)
    assert isinstance(found, Iterator)
    assert [e["seq"] for e in found] == [2, 3, 4, 5]


def test_events_after_the_head_yields_nothing(store):
    new_case(store, 1)
    assert list(store.sync_store().events_after(ORIGIN, 1)) == []


def test_records_of_cases_yields_the_rows_in_the_tables_order_across_pages(store):
    # received in the reverse order of their uuids: the order is the time's, not the uuid's
    uuids = [
        new_case(store, n, received_at=f"2026-03-02T09:0{9 - n}:00+08:00") for n in range(1, 6)
    ]
    found = store.sync_store().records_of_cases("cases", [*uuids, "no-such-case"])
    assert isinstance(found, Iterator)
    assert [r["uuid"] for r in found] == list(reversed(uuids))


def test_records_of_cases_of_no_case_yields_nothing(store):
    new_case(store, 1)
    assert list(store.sync_store().records_of_cases("documents", [])) == []
