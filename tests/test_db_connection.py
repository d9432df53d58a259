"""Pragmas on every connection, and the transaction rules of `Store.transaction()`."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest
from support.tamper import store_connection
from test_storage_support import case_row, event, open_store

from clerk.ports.errors import ConstraintError
from clerk.ports.records import NewDocument


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "clerk.db")
    yield s
    s.close()


def test_connection_pragmas(store):
    from clerk.storage.sqlite.connection import pragmas

    assert pragmas(store_connection(store)) == {
        "journal_mode": "wal",
        "synchronous": 2,  # FULL
        "foreign_keys": 1,
        "busy_timeout": 15000,
    }


def test_connection_leaves_transactions_to_the_store(store):
    assert store_connection(store).isolation_level is None


def test_transaction_commits_all_steps_together(store, tmp_path):
    with store.transaction():
        store.insert_case(case_row(1))
        store.append_event(event(case_row(1).uuid), "YZ01")
    other = sqlite3.connect(tmp_path / "clerk.db")
    assert other.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1
    assert other.execute("SELECT COUNT(*) FROM events").fetchone()[0] == 1


def test_exception_rolls_back_every_step(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.insert_case(case_row(1))
            store.append_event(event(case_row(1).uuid), "YZ01")
            raise RuntimeError("boom")
    assert store.get_case(case_row(1).uuid) is None
    assert store.chain_head()[0] == 0
    assert not store_connection(store).in_transaction


def test_nested_block_joins_the_outer_transaction(store, tmp_path):
    other = sqlite3.connect(tmp_path / "clerk.db")
    with store.transaction():
        with store.transaction():
            store.insert_case(case_row(1))
        # the inner block has ended but nothing is visible to others until the outer commits
        assert other.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 0
    assert other.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 1


def test_outer_failure_undoes_a_finished_inner_block(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            with store.transaction():
                store.insert_case(case_row(1))
            raise RuntimeError("boom")
    assert store.get_case(case_row(1).uuid) is None


def test_caught_inner_failure_undoes_only_the_inner_block(store):
    with store.transaction():
        store.insert_case(case_row(1))
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.insert_case(case_row(2))
                raise RuntimeError("boom")
    assert [r.case_no for r in store.search("张三")] == [case_row(1).case_no]


def test_write_transaction_takes_the_write_lock_at_begin(store, tmp_path):
    other = sqlite3.connect(tmp_path / "clerk.db", isolation_level=None, timeout=0)
    with store.transaction():
        assert store.in_transaction
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
    other.execute("BEGIN IMMEDIATE")
    other.execute("ROLLBACK")


def test_write_methods_outside_a_block_commit_on_their_own(store, tmp_path):
    store.set_setting("point_code", "YZ01")
    other = sqlite3.connect(tmp_path / "clerk.db")
    assert other.execute("SELECT value FROM settings").fetchall() == [("YZ01",)]


def test_foreign_keys_are_enforced(store):
    with pytest.raises(ConstraintError, match="FOREIGN KEY"):
        store.add_document(
            NewDocument(
                case_uuid="no-such-case",
                point_code="YZ01",
                kind="notice",
                issued_at=datetime.fromisoformat("2026-03-02T09:00:00+08:00"),
                issued_by="clerk1",
            )
        )


def test_event_for_missing_case_fails_at_commit(store):
    with pytest.raises(ConstraintError, match="FOREIGN KEY"):
        store.append_event(event("no-such-case"), "YZ01")
    assert store.chain_head()[0] == 0
