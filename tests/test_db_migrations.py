"""Versioned migrations: a file created at every older version opens and is brought up to date."""

from __future__ import annotations

import sqlite3

import pytest
from support.clock import Clock
from support.tamper import file_connection, raw_row, raw_rows, tamper_sql
from test_storage_support import FAST_HASHER, T0, open_store

from clerk.db import Store
from clerk.domain import chain
from clerk.storage.sqlite import fts, schema
from clerk.storage.sqlite.connection import connect


def _tables_in(store: Store) -> set[str]:
    with file_connection(store) as conn:
        return _tables(conn)


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {
        r[0]
        for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")
    }


def test_new_file_is_at_the_latest_version(tmp_path):
    store = open_store(tmp_path / "new.db", template=False)
    assert store.schema_version() == schema.LATEST == 15


def test_there_are_older_versions_to_migrate_from():
    assert schema.LATEST >= 2


def test_migrations_stop_at_the_requested_version(tmp_path):
    store = Store.open(tmp_path / "v1.db", version=1, hasher=FAST_HASHER)
    assert store.schema_version() == 1
    assert "cases_fts" not in _tables_in(store)
    assert "idx_cases_id_number" not in _tables_in(store)


def _v1_case(conn: sqlite3.Connection) -> None:
    """A case written the way a version-1 clerk wrote it (no v2/v3 columns, no FTS)."""
    conn.execute(
        "INSERT INTO cases (uuid, case_no, point_code, office_code, origin_point, item_no, channel,"
        " state, applicant_kind, applicant_name, id_type, id_number, received_at, created_at, updated_at)"
        " VALUES ('u-1', 'YZ01-20260302-0001', 'YZ01', 'YZ01', 'YZ01', 1, 'on_site', 'draft', 'person',"
        " '张三丰', 'resident_id', '11010519491231002X', '2026-03-02T09:00:00+08:00',"
        " '2026-03-02T09:00:00+08:00', '2026-03-02T09:00:00+08:00')"
    )


def _legacy_events(conn: sqlite3.Connection, version: int) -> list[str]:
    """The receive event of case u-1 and a print, chained the way clerk 1-5 chained them."""
    conn.execute(
        "INSERT INTO settings (key, value, updated_at) VALUES ('point_code', 'YZ01', '2026-03-02T09:00:00+08:00')"
    )
    prev, hashes = chain.ZERO_HASH, []
    for seq, (action, data) in enumerate(
        (("receive", {"item_no": 1, "channel": "on_site"}), ("print", {})), 1
    ):
        fields = {
            "seq": seq,
            "uuid": f"e-{seq}",
            "case_uuid": "u-1",
            "action": action,
            "actor": "clerk1",
            "at": "2026-03-02T09:00:00+08:00",
            "from_state": None if seq == 1 else "draft",
            "to_state": "draft",
            "reason": "",
            "data": data,
            "point_code": "YZ01",
        }
        digest = chain.event_hash(fields, prev, format=1)
        columns = [*fields, "prev_hash", "hash"]
        values = [*fields.values(), prev, digest]
        values[columns.index("data")] = chain.canonical_json(data)
        conn.execute(
            f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' * len(values))})",
            values,
        )
        prev = digest
        hashes.append(digest)
    return hashes


# Versions whose event log is the single legacy chain that `_legacy_events` writes (before 6).
LEGACY_CHAIN_VERSIONS = range(1, 6)


@pytest.mark.parametrize("old_version", LEGACY_CHAIN_VERSIONS)
def test_file_from_an_older_version_opens_at_the_latest(tmp_path, old_version):
    path = tmp_path / f"v{old_version}.db"
    conn = connect(path)
    schema.migrate(conn, old_version)
    _v1_case(conn)
    hashes = _legacy_events(conn, old_version)
    if old_version >= 2:  # a version-2 clerk indexed names as it wrote them
        fts.index_case(conn, "u-1", "张三丰", None)
    conn.close()

    store = Store.open(path, hasher=FAST_HASHER)
    assert store.schema_version() == schema.LATEST
    assert [r.case_no for r in store.search("张三")] == ["YZ01-20260302-0001"]
    assert store.get_case("u-1").created_by is None
    assert {"idx_cases_id_number", "idx_cases_state_due", "cases_fts"} <= _tables_in(store)
    assert store.verify(full=True)["ok"] is True
    rows = raw_rows(store, "SELECT n, origin, seq, hash, prev_hash, format FROM events ORDER BY n")
    assert rows == [
        (1, "YZ01", 1, hashes[0], chain.ZERO_HASH, 1),
        (2, "YZ01", 2, hashes[1], hashes[0], 1),
    ]


@pytest.mark.parametrize("old_version", LEGACY_CHAIN_VERSIONS)
def test_migrated_file_extends_the_old_chain_in_the_new_format(tmp_path, old_version):
    path = tmp_path / f"v{old_version}.db"
    conn = connect(path)
    schema.migrate(conn, old_version)
    _v1_case(conn)
    hashes = _legacy_events(conn, old_version)
    conn.close()
    store = Store.open(path, hasher=FAST_HASHER)
    from test_storage_support import event

    from clerk.domain.model import Action

    digest = store.append_event(event("u-1", Action.PRINT, from_state="draft"), "YZ01")
    assert raw_row(
        store, "SELECT seq, prev_hash, format FROM events WHERE hash = ?", (digest,)
    ) == (
        3,
        hashes[1],
        2,
    )
    assert store.verify(full=True)["ok"] is True


@pytest.mark.parametrize("old_version", range(1, 6))  # the versions before one chain per origin (6)
def test_migrated_file_has_the_same_schema_as_a_new_one(tmp_path, old_version):
    old = connect(tmp_path / "old.db")
    schema.migrate(old, old_version)
    schema.migrate(old)
    new = connect(tmp_path / "new.db")
    schema.migrate(new)
    query = "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
    assert old.execute(query).fetchall() == new.execute(query).fetchall()


def test_reopening_applies_nothing_twice(tmp_path):
    open_store(tmp_path / "a.db", template=False).close()
    store = open_store(tmp_path / "a.db")
    assert store.schema_version() == schema.LATEST


def test_a_file_from_a_newer_clerk_is_refused(tmp_path):
    conn = connect(tmp_path / "future.db")
    conn.execute(f"PRAGMA user_version = {schema.LATEST + 1}")
    conn.close()
    with pytest.raises(schema.SchemaTooNewError, match="请升级 clerk"):
        Store.open(tmp_path / "future.db", clock=Clock(T0))


def test_a_failing_migration_leaves_the_file_at_the_previous_version(tmp_path, monkeypatch):
    def broken(conn):
        conn.execute("CREATE TABLE half_done (x)")
        raise RuntimeError("migration failed")

    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, broken))
    monkeypatch.setattr(schema, "LATEST", schema.LATEST + 1)
    conn = connect(tmp_path / "x.db")
    with pytest.raises(RuntimeError):
        schema.migrate(conn, schema.LATEST)
    assert schema.user_version(conn) == schema.LATEST - 1
    assert "half_done" not in _tables(conn)


def test_every_migration_is_a_documented_function():
    assert all(callable(m) and m.__doc__ for m in schema.MIGRATIONS)


def test_migration_10_forces_no_existing_account_to_change_its_password(tmp_path):
    path = tmp_path / "v9.db"
    Store.open(path, hasher=FAST_HASHER, version=9).close()
    _user_at_an_old_version(path, "admin")
    store = Store.open(path, hasher=FAST_HASHER)
    assert store.schema_version() == schema.LATEST
    assert store.must_change_password("admin") is False


def _user_at_an_old_version(path, login: str) -> None:
    """An account as an older program stored it (this program's account code is for the latest
    schema only)."""
    tamper_sql(
        path,
        "INSERT INTO users (login, name, role, point_code, password_hash, created_at, updated_at)"
        " VALUES (?, '王管理', 'admin', 'YZ01', ?, '2026-01-05T09:00:00+08:00',"
        " '2026-01-05T09:00:00+08:00')",
        (login, FAST_HASHER.hash("counterpass1")),
    )


def test_migration_12_starts_every_account_at_session_epoch_0(tmp_path):
    path = tmp_path / "v11.db"
    Store.open(path, hasher=FAST_HASHER, version=11).close()
    _user_at_an_old_version(path, "admin")
    store = Store.open(path, hasher=FAST_HASHER)
    user = store.user("admin")
    assert user is not None and user.session_epoch == 0
    assert store.authenticate("admin", "counterpass1").session_epoch == 0
