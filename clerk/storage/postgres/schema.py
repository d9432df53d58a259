"""Versioned schema: numbered SQL files in `migrations/`, tracked in the table `clerk_migrations`.

A database at version N has had migrations 1..N applied. `migrate()` runs the missing ones on
open, each in its own transaction that also records it, under a transaction-level advisory lock
so that two windows opening a new database at once do not both migrate it. Never edit a released
migration; add the next file.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

# The SQLite adapter's storage version whose records these tables hold (the shapes a sync bundle
# carries and names in its manifest): migration 1 here is that version's schema. (SQLite's 13 only
# indexes documents by path, which migration 1 here already does; its 14 is migration 4 here, its
# 15 migration 5.)
RECORD_VERSION = 15
MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS clerk_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
)
"""
# Any 64-bit number, the same in every clerk: the lock of "migrating this database".
ADVISORY_KEY = 0x636C65726B  # "clerk"


class SchemaTooNewError(RuntimeError):
    """The database was migrated by a newer clerk; using it here could damage it."""


@cache
def migrations() -> tuple[tuple[int, str, str], ...]:
    """(version, file name, SQL) of every migration shipped, in order."""
    folder = resources.files("clerk.storage.postgres") / "migrations"
    found = []
    for entry in folder.iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.name, entry.read_text("utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if versions != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migrations are not numbered 1..N: {versions}")
    return tuple(found)


def latest() -> int:
    return len(migrations())


def current_version(conn: Any) -> int:
    """The version the database is at (0: never migrated)."""
    row = conn.execute("SELECT to_regclass('clerk_migrations') IS NOT NULL").fetchone()
    if not row[0]:
        return 0
    return int(conn.execute("SELECT COALESCE(MAX(version), 0) FROM clerk_migrations").fetchone()[0])


def migrate(conn: Any, target: int | None = None) -> int:
    """Apply the migrations up to `target` (all by default) that the database lacks.

    `conn` is an autocommit psycopg connection as the migration role (the schema's owner).
    Returns the version reached."""
    target = latest() if target is None else target
    if current_version(conn) > latest():
        raise SchemaTooNewError(
            f"数据库版本为 {current_version(conn)}，高于本程序支持的 {latest()}，请升级 clerk 后再打开。"
        )
    if current_version(conn) >= target:
        return current_version(conn)
    for version, name, sql in migrations()[:target]:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_KEY,))
            conn.execute(MIGRATIONS_TABLE)
            if current_version(conn) >= version:  # re-read under the lock
                continue
            conn.execute(sql)
            conn.execute(
                "INSERT INTO clerk_migrations (version, name) VALUES (%s, %s)", (version, name)
            )
    return current_version(conn)
