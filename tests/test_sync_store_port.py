"""The sync's storage port: the SQLite sync store implements it, and no engine error leaves it.

The issue: "raw sqlite3.ProgrammingError escapes from sync reads, and the screen then crashes
instead of showing a message". Every method of the sync store raises a neutral
`clerk.ports.errors.StorageError` instead, which the window turns into a Chinese message.
"""

from __future__ import annotations

import inspect
import sqlite3
from datetime import datetime

import pytest
from support.clock import Clock
from support.sync import OFFICE, installation
from support.tamper import drop_connection

from clerk.db import open_store
from clerk.domain.clock import TZ
from clerk.ports import sync as port
from clerk.ports.errors import StorageError
from clerk.service.write_errors import storage_problem
from clerk.storage.sqlite.sync import SQLiteSyncStore

UUID = "0190a000-0000-7000-8000-000000000001"

READS = {
    "schema_version": (),
    "peer_keys": (),
    "active_key": ("LS01",),
    "key_by_fingerprint": ("ab:cd",),
    "key_by_id": (1,),
    "escrow_keys": (),
    "last_bundle": ("in", "LS01"),
    "bundle": ("in", "LS01", 1),
    "bundles": ("out",),
    "acks": ("LS01",),
    "acked_bundle": ("LS01",),
    "conflicts": (),
    "conflict": (1,),
    "time_anomalies": (),
    "record": ("cases", UUID),
    "records_by_uuid": ("cases", [UUID]),
    "records_of_cases": ("documents", [UUID]),
    "cases_changed_since": (None, None),
    "heads": (),
    "head": ("LS01",),
    "events_after": ("LS01", 0),
    "event_at": ("LS01", 1),
    "event_hashes": ("LS01", 1, 3),
    "case_events": (UUID,),
    "case_histories": ([UUID],),
    "owners": (),
    "owners_of": ([UUID],),
    "owner": (UUID,),
    "batch_records_of_cases": ([UUID],),
    "batch_record": ("batches", UUID),
    "batch_records_by_key": ("batch_cases", [UUID]),
}


@pytest.fixture
def closed(tmp_path):
    store = open_store(tmp_path / "clerk.db")
    sync = store.sync_store()
    drop_connection(store)  # what a file taken away under a running window looks like to SQLite
    return sync


@pytest.mark.parametrize("name", sorted(READS))
def test_a_read_on_a_closed_database_raises_a_neutral_error(closed, name):
    with pytest.raises(StorageError) as caught:
        getattr(closed, name)(*READS[name])
    assert not isinstance(caught.value, sqlite3.Error)
    assert isinstance(caught.value.__cause__, sqlite3.ProgrammingError)
    assert storage_problem(caught.value) is not None  # the window has a message for it


def test_a_write_on_a_closed_database_raises_a_neutral_error(closed):
    with pytest.raises(StorageError):
        closed.set_ack("LS01", "LS01", 1, "a" * 64, "2026-11-02T09:00:00+08:00")
    with pytest.raises(StorageError):
        closed.insert_events([])


def test_the_window_shows_a_message_instead_of_crashing(tmp_path):
    window = installation(
        tmp_path / "county", OFFICE, Clock(datetime(2026, 11, 2, 9, 0, tzinfo=TZ))
    )
    drop_connection(window.store)
    with pytest.raises(StorageError):
        window.peer_keys()
    with pytest.raises(StorageError):
        window.conflicts()


def test_the_sqlite_sync_store_has_every_method_of_the_port(tmp_path):
    wanted = {
        name
        for name, value in vars(port.SyncStore).items()
        if not name.startswith("_") and inspect.isfunction(value)
    }
    assert wanted >= {"peer_keys", "insert_events", "now", "schema_version", "database_path"}
    missing = {name for name in wanted if not callable(getattr(SQLiteSyncStore, name, None))}
    assert missing == set()
    with open_store(tmp_path / "clerk.db") as store:
        sync = store.sync_store()
        assert store.sync_store() is sync
        assert sync.database_path() == tmp_path / "clerk.db"
        assert sync.schema_version() >= 8
        assert sync.now().startswith(store.now()[:4])


def test_records_come_in_an_explicit_order_not_the_engines_row_order(tmp_path):
    """Material checks read back by (case, material), whatever order they were inserted in."""
    from clerk.storage.sqlite import sync as adapter

    rows = [
        {"case_uuid": "b", "material_id": "m1"},
        {"case_uuid": "a", "material_id": "m2"},
        {"case_uuid": "a", "material_id": "m1"},
    ]
    ordered = adapter._ordered(rows, adapter.ORDER["case_materials"])
    assert [(r["case_uuid"], r["material_id"]) for r in ordered] == [
        ("a", "m1"),
        ("a", "m2"),
        ("b", "m1"),
    ]
    assert set(adapter.ORDER) == {*port.RECORD_TABLES, *port.BATCH_TABLES}
