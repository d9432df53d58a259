"""The adapters the storage contract runs against: one `Adapter` per engine.

The contract tests (test_*.py here) talk to storage through `clerk.ports.store.Store` only. What
they cannot do through the port (open a second writer on the same store, or try to rewrite an
event behind the port's back the way someone with the engine's own tools would) each adapter
provides here. To run the whole contract against another engine, add one `Adapter` to
`ADAPTERS` (e.g. "postgres": a fresh database per test from a throwaway server, and its
`tamper_*` hooks issuing the engine's own UPDATE / DELETE on `events`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher

from clerk.domain.clock import Clock
from clerk.ports.store import Store

FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@dataclass(frozen=True)
class Adapter:
    name: str
    # A fresh, empty, migrated store in `folder`; its `location` names it for `reopen`.
    create: Callable[[Path, Clock], Store]
    # Another store (another connection: another writer) on the same database as `store`.
    reopen: Callable[[Store, Clock], Store]
    # The engine's own UPDATE / DELETE of an event row, as a neutral error if refused.
    tamper_update_event: Callable[[Store, str, int], None]
    tamper_delete_event: Callable[[Store, str, int], None]
    # Where the engine keeps documents' bytes: itself (a server), or files on the machine.
    keeps_document_bytes: bool = False


# ---------------------------------------------------------------------- SQLite


def _sqlite_create(folder: Path, clock: Clock) -> Store:
    from clerk.db import Store as SQLiteStore

    return SQLiteStore.open(folder / "contract.db", clock=clock, hasher=FAST_HASHER)


def _sqlite_reopen(store: Store, clock: Clock) -> Store:
    from clerk.db import Store as SQLiteStore

    return SQLiteStore.open(store.location, clock=clock, hasher=FAST_HASHER)


def _sqlite_tamper(sql: str) -> Callable[[Store, str, int], None]:
    def tamper(store: Store, origin: str, seq: int) -> None:
        from clerk.storage.sqlite.errors import translated

        conn = sqlite3.connect(store.location, timeout=15)
        try:
            with translated(), conn:
                conn.execute(sql, (origin, seq))
        finally:
            conn.close()

    return tamper


SQLITE = Adapter(
    name="sqlite",
    create=_sqlite_create,
    reopen=_sqlite_reopen,
    tamper_update_event=_sqlite_tamper(
        "UPDATE events SET reason = 'rewritten' WHERE origin = ? AND seq = ?"
    ),
    tamper_delete_event=_sqlite_tamper("DELETE FROM events WHERE origin = ? AND seq = ?"),
)


# ---------------------------------------------------------------------- PostgreSQL


def _postgres_create(folder: Path, clock: Clock) -> Store:
    from support import postgres

    from clerk.storage.postgres.store import PostgresStore

    url = postgres.fresh_database()
    store = PostgresStore.open(url, clock=clock, hasher=FAST_HASHER)
    _CREATED[id(store)] = url
    return store


_CREATED: dict[int, str] = {}


def _postgres_reopen(store: Store, clock: Clock) -> Store:
    from clerk.storage.postgres.store import PostgresStore

    return PostgresStore.open(store.url, clock=clock, hasher=FAST_HASHER)  # type: ignore[attr-defined]


def _postgres_tamper(sql: str) -> Callable[[Store, str, int], None]:
    """The engine's own UPDATE / DELETE as the database's owner (the triggers refuse it)."""

    def tamper(store: Store, origin: str, seq: int) -> None:
        import psycopg

        from clerk.storage.postgres.errors import translated

        with translated(), psycopg.connect(store.url, autocommit=True) as conn:  # type: ignore[attr-defined]
            conn.execute(sql, (origin, seq))

    return tamper


POSTGRES = Adapter(
    name="postgres",
    create=_postgres_create,
    reopen=_postgres_reopen,
    tamper_update_event=_postgres_tamper(
        "UPDATE events SET reason = 'rewritten' WHERE origin = %s AND seq = %s"
    ),
    tamper_delete_event=_postgres_tamper("DELETE FROM events WHERE origin = %s AND seq = %s"),
    keeps_document_bytes=True,
)

ADAPTERS: dict[str, Adapter] = {"sqlite": SQLITE, "postgres": POSTGRES}
