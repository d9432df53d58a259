"""The administrative chain on PostgreSQL (`clerk.domain.admin_log`): appends and the start on
a database that held accounts before it (the SQLite adapter's twin, `%s` parameters).

Appends run inside the caller's transaction; the `admin_events_append_at_head` trigger locks the
table and refuses anything but an append at the head, so two writers queue instead of forking.
"""

from __future__ import annotations

import functools
import json
import uuid as uuidlib
from collections.abc import Mapping
from typing import Any

from clerk.domain import admin_log
from clerk.domain.chain import ZERO_HASH, canonical_json
from clerk.storage.figure_cases_sql import postgres_style

ADVISORY_KEY = 0x61646D696E  # "admin": the lock of "appending to the administrative chain"
TRIGGERS = frozenset(
    {
        "admin_events_append_at_head",
        "admin_events_no_update",
        "admin_events_no_delete",
        "admin_events_no_truncate",
    }
)


def append(
    conn: Any, at: str, action: str, actor: str, subject: str, data: Mapping[str, Any]
) -> str:
    """Append one administrative event at the head (inside the caller's transaction)."""
    # one writer of the chain at a time, until the transaction ends (any role may take it)
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_KEY,))
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
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
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


def account_state(conn: Any, login: str) -> dict[str, Any]:
    role, point, active, stored = conn.execute(
        "SELECT role, point_code, active, password_hash FROM users WHERE lower(login) = lower(%s)",
        (login,),
    ).fetchone()
    return {
        "role": role,
        "point": point,
        "active": bool(active),
        "password": admin_log.password_digest(stored),
    }


def password_of(conn: Any, login: str) -> str:
    row = conn.execute(
        "SELECT password_hash FROM users WHERE lower(login) = lower(%s)", (login,)
    ).fetchone()
    return admin_log.password_digest(str(row[0]))


def checkpoint(
    conn: Any, at: str, actor: str, origin: str, seq: int, digest: str, source: str, note: str
) -> None:
    append(
        conn,
        at,
        admin_log.CHECKPOINT_KEPT,
        actor,
        admin_log.checkpoint_subject(origin, seq, digest, source),
        {"origin": origin, "seq": seq, "hash": digest, "source": source, "note": note},
    )


def begin(conn: Any, at: str) -> None:
    """Start the chain on a database that held accounts, points or kept heads before it: each
    recorded as found ("before the proof"); a database that already has a chain is left alone."""
    if conn.execute("SELECT EXISTS (SELECT 1 FROM admin_events)").fetchone()[0]:
        return
    logins = [r[0] for r in conn.execute("SELECT login FROM users ORDER BY login")]
    points = conn.execute(
        "SELECT code, name, kind, office_code FROM points ORDER BY code"
    ).fetchall()
    kept = conn.execute(
        "SELECT origin, seq, hash, source, note FROM checkpoints"
        " WHERE source IN ('ledger', 'ack') ORDER BY id"
    ).fetchall()
    if not logins and not points and not kept:
        return
    last = conn.execute("SELECT COALESCE(MAX(n), 0) FROM events").fetchone()[0]
    actor = admin_log.MIGRATION_ACTOR
    append(
        conn,
        at,
        admin_log.PROOF_BEGINS,
        actor,
        "",
        {"accounts": len(logins), "checkpoints": len(kept), "events_before": int(last)},
    )
    for login in logins:
        append(conn, at, admin_log.ACCOUNT_ADOPTED, actor, login, account_state(conn, login))
    for code, name, kind, office in points:
        append(
            conn,
            at,
            admin_log.POINT_DECLARED,
            actor,
            code,
            {"name": name, "kind": kind, "office": office},
        )
    for origin, seq, digest, source, note in kept:
        checkpoint(conn, at, actor, origin, seq, digest, source, note)


class Accounts:
    """`clerk.storage.accounts.AccountsSql` on a psycopg connection."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def run(self, sql: str, params: Mapping[str, Any] | None = None) -> Any:
        return self.conn.execute(_styled(sql), params or {})

    def record(
        self, at: str, action: str, actor: str, subject: str, data: Mapping[str, Any]
    ) -> str:
        return append(self.conn, at, action, actor, subject, data)


@functools.lru_cache(maxsize=64)
def _styled(sql: str) -> str:
    return postgres_style(sql)
