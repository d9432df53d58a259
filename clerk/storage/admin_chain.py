"""The administrative chain (`clerk.domain.admin_log`) as both engines write it, one text: appends
at the head, the account facts an event records, the points declared and removed, the kept
heads, and the start of the proof on a record that had accounts before it.

Each function takes the adapter's `AdminSql` and runs inside the caller's transaction. Queries
use SQLite's `:name` parameters (the PostgreSQL adapter turns them into `%(name)s`). What differs
between the engines stays in their adapters (`storage/sqlite/admin_log.py`,
`storage/postgres/admin_log.py`): the table and its guards, and how the head is held while it is
extended (`AdminSql.lock_chain`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Protocol

from clerk.domain import admin_log
from clerk.domain.chain import ZERO_HASH, canonical_json
from clerk.support.random_ids import random_uuid


class AdminSql(Protocol):
    """An adapter's connection, as this module and `clerk.storage.accounts` use it."""

    def run(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        """Execute `sql` (`:name` parameters) and return the cursor."""
        ...

    def lock_chain(self) -> None:
        """Hold the chain's head until the transaction ends (one appender at a time)."""
        ...


def append(
    db: AdminSql, at: str, action: str, actor: str, subject: str, data: Mapping[str, Any]
) -> str:
    """Append one administrative event at the head (inside the caller's transaction); returns
    its hash."""
    db.lock_chain()
    row = db.run("SELECT seq, hash FROM admin_events ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (int(row[0]), str(row[1])) if row else (0, ZERO_HASH)
    fields = {
        "seq": seq + 1,
        "uuid": random_uuid(),
        "action": action,
        "actor": actor or "system",
        "at": at,
        "subject": subject,
        "data": json.loads(canonical_json(dict(data))),
    }
    digest = admin_log.admin_event_hash(fields, prev)
    db.run(
        "INSERT INTO admin_events (seq, uuid, action, actor, at, subject, data, prev_hash, hash)"
        " VALUES (:seq, :uuid, :action, :actor, :at, :subject, :data, :prev, :hash)",
        {**fields, "data": canonical_json(fields["data"]), "prev": prev, "hash": digest},
    )
    return digest


def account_state(db: AdminSql, login: str) -> dict[str, Any]:
    """An account's recorded facts as stored now (the data of a created or adopted event)."""
    role, point, active, stored = db.run(
        "SELECT role, point_code, active, password_hash FROM users"
        " WHERE lower(login) = lower(:login)",
        {"login": login},
    ).fetchone()
    return {
        "role": role,
        "point": point,
        "active": bool(active),
        "password": admin_log.password_digest(stored),
    }


def password_of(db: AdminSql, login: str) -> str:
    """The recorded digest of `login`'s password hash as stored now."""
    row = db.run(
        "SELECT password_hash FROM users WHERE lower(login) = lower(:login)", {"login": login}
    ).fetchone()
    return admin_log.password_digest(str(row[0]))


def checkpoint(
    db: AdminSql, at: str, actor: str, origin: str, seq: int, digest: str, source: str, note: str
) -> None:
    """Record a kept chain head (a ledger's or an acknowledged one)."""
    append(
        db,
        at,
        admin_log.CHECKPOINT_KEPT,
        actor,
        admin_log.checkpoint_subject(origin, seq, digest, source),
        {"origin": origin, "seq": seq, "hash": digest, "source": source, "note": note},
    )


def declare_point(
    db: AdminSql, at: str, actor: str, code: str, name: str, kind: str, office_code: str
) -> None:
    """Declare (or redeclare) a service point, recorded."""
    db.run(
        "INSERT INTO points (code, name, kind, office_code, created_at, updated_at)"
        " VALUES (:code, :name, :kind, :office, :at, :at) ON CONFLICT (code) DO UPDATE"
        " SET name = excluded.name, kind = excluded.kind, office_code = excluded.office_code,"
        " updated_at = excluded.updated_at",
        {"code": code, "name": name, "kind": kind, "office": office_code, "at": at},
    )
    _point_declared(db, at, actor, code, name, kind, office_code)


def _point_declared(
    db: AdminSql, at: str, actor: str, code: str, name: str, kind: str, office: str
) -> None:
    append(
        db,
        at,
        admin_log.POINT_DECLARED,
        actor,
        code,
        {"name": name, "kind": kind, "office": office},
    )


def remove_point(db: AdminSql, at: str, actor: str, code: str) -> None:
    """Remove a point declared by mistake (the caller checked it holds nothing), recorded."""
    db.run("DELETE FROM points WHERE code = :code", {"code": code})
    append(db, at, admin_log.POINT_REMOVED, actor, code, {})


def begin(db: AdminSql, at: str) -> None:
    """Start the chain on a record that had accounts, points, kept heads or events before it:
    each account, point and kept head is recorded as found, after a first event that says so.
    What was done to them before is not proven; what is done after is. A record that already
    has a chain, or had nothing, is left alone."""
    if db.run("SELECT EXISTS (SELECT 1 FROM admin_events)").fetchone()[0]:
        return
    logins = [r[0] for r in db.run("SELECT login FROM users ORDER BY login")]
    points = db.run("SELECT code, name, kind, office_code FROM points ORDER BY code").fetchall()
    kept = db.run(
        "SELECT origin, seq, hash, source, note FROM checkpoints"
        " WHERE source IN ('ledger', 'ack') ORDER BY id"
    ).fetchall()
    last = db.run("SELECT COALESCE(MAX(n), 0) FROM events").fetchone()[0]
    if not logins and not points and not kept and not last:
        return  # a new record: nothing came before the proof
    actor = admin_log.MIGRATION_ACTOR
    append(
        db,
        at,
        admin_log.PROOF_BEGINS,
        actor,
        "",
        {"accounts": len(logins), "checkpoints": len(kept), "events_before": int(last)},
    )
    for login in logins:
        append(db, at, admin_log.ACCOUNT_ADOPTED, actor, login, account_state(db, login))
    for code, name, kind, office in points:
        _point_declared(db, at, actor, code, name, kind, office)
    for origin, seq, digest, source, note in kept:
        checkpoint(db, at, actor, origin, seq, digest, source, note)
