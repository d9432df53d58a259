"""The administrative chain on SQLite (`clerk.domain.admin_log`): its table, guards and appends.

Appends run inside the caller's transaction (the store's `BEGIN IMMEDIATE` holds the write lock,
so the head read here is the head the insert extends); the triggers refuse anything but an
append at the head, like the event log's.
"""

from __future__ import annotations

import json
import sqlite3
import uuid as uuidlib
from collections.abc import Mapping
from typing import Any

from clerk.domain import admin_log
from clerk.domain.chain import ZERO_HASH, canonical_json

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


def append(
    conn: sqlite3.Connection,
    at: str,
    action: str,
    actor: str,
    subject: str,
    data: Mapping[str, Any],
) -> str:
    """Append one administrative event at the head (inside the caller's transaction)."""
    row = conn.execute("SELECT seq, hash FROM admin_events ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (int(row[0]), str(row[1])) if row else (0, ZERO_HASH)
    fields = {
        "seq": seq + 1,
        "uuid": str(uuidlib.uuid4()),
        "action": action,
        "actor": actor or "system",
        "at": at,
        "subject": subject,
        "data": json.loads(canonical_json(dict(data))),
    }
    digest = admin_log.admin_event_hash(fields, prev)
    conn.execute(
        "INSERT INTO admin_events (seq, uuid, action, actor, at, subject, data, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            fields["seq"],
            fields["uuid"],
            action,
            fields["actor"],
            at,
            subject,
            canonical_json(fields["data"]),
            prev,
            digest,
        ),
    )
    return digest


def account_state(conn: sqlite3.Connection, login: str) -> dict[str, Any]:
    """An account's recorded facts as stored now (the data of a created or adopted event)."""
    role, point, active, stored = conn.execute(
        "SELECT role, point_code, active, password_hash FROM users WHERE login = ?", (login,)
    ).fetchone()
    return {
        "role": role,
        "point": point,
        "active": bool(active),
        "password": admin_log.password_digest(stored),
    }


def password_of(conn: sqlite3.Connection, login: str) -> str:
    row = conn.execute("SELECT password_hash FROM users WHERE login = ?", (login,)).fetchone()
    return admin_log.password_digest(str(row[0]))


def begin(conn: sqlite3.Connection, at: str) -> None:
    """Start the chain on a file that had accounts and checkpoints before it (the migration):
    each existing account and each kept ledger or acknowledged head is recorded as found, and a
    first event says so. What was done to them before is not proven; what is done after is."""
    logins = [r[0] for r in conn.execute("SELECT login FROM users ORDER BY login")]
    kept = conn.execute(
        "SELECT origin, seq, hash, source, note FROM checkpoints"
        " WHERE source IN ('ledger', 'ack') ORDER BY id"
    ).fetchall()
    last = conn.execute("SELECT COALESCE(MAX(n), 0) FROM events").fetchone()[0]
    points = conn.execute("SELECT COUNT(*) FROM points").fetchone()[0]
    if not logins and not kept and not last and not points:
        return  # a new file: nothing came before the proof
    append(
        conn,
        at,
        admin_log.PROOF_BEGINS,
        admin_log.MIGRATION_ACTOR,
        "",
        {"accounts": len(logins), "checkpoints": len(kept), "events_before": int(last)},
    )
    for login in logins:
        append(
            conn,
            at,
            admin_log.ACCOUNT_ADOPTED,
            admin_log.MIGRATION_ACTOR,
            login,
            account_state(conn, login),
        )
    for code, name, kind, office in conn.execute(
        "SELECT code, name, kind, office_code FROM points ORDER BY code"
    ).fetchall():
        append(
            conn,
            at,
            admin_log.POINT_DECLARED,
            admin_log.MIGRATION_ACTOR,
            code,
            {"name": name, "kind": kind, "office": office},
        )
    for origin, seq, digest, source, note in kept:
        checkpoint(conn, at, admin_log.MIGRATION_ACTOR, origin, seq, digest, source, note)


def checkpoint(
    conn: sqlite3.Connection,
    at: str,
    actor: str,
    origin: str,
    seq: int,
    digest: str,
    source: str,
    note: str,
) -> None:
    append(
        conn,
        at,
        admin_log.CHECKPOINT_KEPT,
        actor,
        admin_log.checkpoint_subject(origin, seq, digest, source),
        {"origin": origin, "seq": seq, "hash": digest, "source": source, "note": note},
    )


class Accounts:
    """`clerk.storage.accounts.AccountsSql` on a SQLite connection (`:name` as it is)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def run(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.conn.execute(sql, params or {})

    def record(
        self, at: str, action: str, actor: str, subject: str, data: Mapping[str, Any]
    ) -> str:
        return append(self.conn, at, action, actor, subject, data)
