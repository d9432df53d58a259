"""The administrative chain on SQLite (`clerk.domain.admin_log`): its table and guards, and the
connection as `clerk.storage.admin_chain` writes through it (`Sql`).

Appends (`clerk.storage.admin_chain.append`) run inside the caller's transaction: the store's
`BEGIN IMMEDIATE` holds the write lock, so the head read there is the head the insert extends;
the triggers refuse anything but an append at the head, like the event log's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any

from clerk.domain.chain import ZERO_HASH

TABLE = f"""
CREATE TABLE admin_events (
    seq INTEGER PRIMARY KEY CHECK (seq >= 1),
    uuid TEXT NOT NULL UNIQUE,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    subject TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '{{}}' CHECK (json_valid(data)),
    prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
);
CREATE TRIGGER admin_events_no_update BEFORE UPDATE ON admin_events
BEGIN
    SELECT RAISE(ABORT, 'the administrative record is append-only: UPDATE is not allowed');
END;
CREATE TRIGGER admin_events_no_delete BEFORE DELETE ON admin_events
BEGIN
    SELECT RAISE(ABORT, 'the administrative record is append-only: DELETE is not allowed');
END;
CREATE TRIGGER admin_events_no_replace BEFORE INSERT ON admin_events
WHEN EXISTS (
    SELECT 1 FROM admin_events WHERE seq = NEW.seq OR uuid = NEW.uuid OR hash = NEW.hash
)
BEGIN
    SELECT RAISE(ABORT, 'the administrative record is append-only: seq, uuid or hash exists');
END;
CREATE TRIGGER admin_events_append_at_head BEFORE INSERT ON admin_events
WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM admin_events)
  OR NEW.prev_hash IS NOT COALESCE(
        (SELECT hash FROM admin_events ORDER BY seq DESC LIMIT 1), '{ZERO_HASH}')
BEGIN
    SELECT RAISE(ABORT, 'the administrative record is append-only: append at the head');
END;
"""
TRIGGERS = frozenset(
    {
        "admin_events_no_update",
        "admin_events_no_delete",
        "admin_events_no_replace",
        "admin_events_append_at_head",
    }
)


class Sql:
    """`clerk.storage.admin_chain.AdminSql` on a SQLite connection (`:name` as it is)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def run(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.conn.execute(sql, params or {})

    def lock_chain(self) -> None:
        """Nothing to take: the transaction's `BEGIN IMMEDIATE` already holds the write lock."""
