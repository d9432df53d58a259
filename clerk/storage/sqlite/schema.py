"""Versioned schema: one function per migration, tracked in `PRAGMA user_version`.

A database at version N has had migrations 1..N applied. `migrate()` runs the missing ones on
open, each in its own `BEGIN IMMEDIATE` transaction that also bumps `user_version`, so a crash
leaves the file at a whole version and two processes opening a new file at once do not both
migrate it. Never edit a released migration; add the next one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from clerk.domain.chain import ZERO_HASH  # noqa: E402,F401  (kept importable from here)
from clerk.storage.sqlite import batches, fts

V1_TABLES = """
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE points (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    office_code TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE users (
    login TEXT PRIMARY KEY COLLATE NOCASE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('clerk', 'reviewer', 'finance', 'supervisor', 'admin')),
    point_code TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE cases (
    uuid TEXT PRIMARY KEY,
    case_no TEXT NOT NULL UNIQUE,
    point_code TEXT NOT NULL,
    office_code TEXT,
    origin_point TEXT NOT NULL,
    item_no INTEGER NOT NULL,
    channel TEXT NOT NULL,
    state TEXT NOT NULL,
    applicant_kind TEXT NOT NULL,
    applicant_name TEXT NOT NULL,
    id_type TEXT,
    id_number TEXT,
    phone TEXT,
    unit_name TEXT,
    credit_code TEXT,
    agent_name TEXT,
    agent_id_type TEXT,
    agent_id_number TEXT,
    bank_account TEXT,
    circumstances TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(circumstances)),
    received_at TEXT NOT NULL,
    accepted_at TEXT,
    accepted_by TEXT,
    due_date TEXT,
    due_provisional INTEGER NOT NULL DEFAULT 0,
    decided_at TEXT,
    closed_at TEXT,
    amount_fen INTEGER,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE case_materials (
    uuid TEXT PRIMARY KEY,
    case_uuid TEXT NOT NULL REFERENCES cases (uuid),
    point_code TEXT NOT NULL,
    material_id TEXT NOT NULL,
    status TEXT NOT NULL,
    alternative TEXT,
    defect TEXT,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (case_uuid, material_id)
);
CREATE TABLE documents (
    uuid TEXT PRIMARY KEY,
    case_uuid TEXT NOT NULL REFERENCES cases (uuid),
    point_code TEXT NOT NULL,
    kind TEXT NOT NULL,
    doc_no TEXT,
    path_txt TEXT,
    path_pdf TEXT,
    sha256 TEXT,
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE evaluations (
    uuid TEXT PRIMARY KEY,
    case_uuid TEXT NOT NULL REFERENCES cases (uuid),
    point_code TEXT NOT NULL,
    level TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    follow_up TEXT,
    followed_up_at TEXT,
    version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE sequences (
    point_code TEXT NOT NULL,
    day TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (point_code, day)
);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    uuid TEXT NOT NULL UNIQUE,
    case_uuid TEXT NOT NULL REFERENCES cases (uuid) DEFERRABLE INITIALLY DEFERRED,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data)),
    point_code TEXT NOT NULL,
    prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64)
);
"""

# The event log is append-only. REPLACE deletes the conflicting row without firing delete
# triggers (unless recursive_triggers is on), so a BEFORE INSERT trigger refuses any row whose
# seq, uuid or hash already exists; it also insists on the next seq and the current head's hash
# as prev_hash, so a row can only be appended at the end of the chain. Whether `hash` is right
# cannot be checked in SQL (no sha256): `verify()` does that.
V1_EVENT_TRIGGERS = f"""
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE is not allowed');
END;
CREATE TRIGGER events_no_replace BEFORE INSERT ON events
WHEN EXISTS (
    SELECT 1 FROM events WHERE seq = NEW.seq OR uuid = NEW.uuid OR hash = NEW.hash
)
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: seq, uuid or hash already exists');
END;
CREATE TRIGGER events_append_at_head BEFORE INSERT ON events
WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM events)
  OR NEW.prev_hash IS NOT COALESCE(
        (SELECT hash FROM events ORDER BY seq DESC LIMIT 1), '{ZERO_HASH}')
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: a new event must extend the chain head');
END;
"""

V2_INDEXES = """
CREATE INDEX idx_cases_id_number ON cases (id_number);
CREATE INDEX idx_cases_applicant_name ON cases (applicant_name);
CREATE INDEX idx_cases_unit_name ON cases (unit_name);
CREATE INDEX idx_cases_credit_code ON cases (credit_code);
CREATE INDEX idx_cases_received_at ON cases (received_at);
CREATE INDEX idx_cases_state_received ON cases (state, received_at);
CREATE INDEX idx_cases_state_due ON cases (state, due_date);
CREATE INDEX idx_documents_case ON documents (case_uuid);
CREATE INDEX idx_evaluations_case ON evaluations (case_uuid);
CREATE INDEX idx_events_case ON events (case_uuid, seq);
"""

V3_COLUMNS = """
ALTER TABLE cases ADD COLUMN created_by TEXT;
ALTER TABLE cases ADD COLUMN due_start TEXT;
ALTER TABLE cases ADD COLUMN reviewed_by TEXT;
ALTER TABLE cases ADD COLUMN paid_at TEXT;
ALTER TABLE documents ADD COLUMN reprint_of TEXT REFERENCES documents (uuid);
ALTER TABLE evaluations ADD COLUMN recorded_by TEXT;
"""


def _run_script(conn: sqlite3.Connection, script: str) -> None:
    # executescript() would COMMIT first; run statement by statement inside our transaction.
    for statement in _statements(script):
        conn.execute(statement)


def _statements(script: str) -> list[str]:
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise ValueError("incomplete SQL statement in migration script")
    return statements


def m001_base(conn: sqlite3.Connection) -> None:
    """Tables, and the triggers that keep the event log append-only."""
    _run_script(conn, V1_TABLES)
    _run_script(conn, V1_EVENT_TRIGGERS)


def m002_indexes_and_search(conn: sqlite3.Connection) -> None:
    """Indexes for the window's queries and the name search table (filled from existing cases)."""
    _run_script(conn, V2_INDEXES)
    conn.execute(fts.CREATE_SQL)
    fts.rebuild(conn)


def m003_service_columns(conn: sqlite3.Connection) -> None:
    """Columns the window service records: who opened/reviewed, deadline start, payment, reprints."""
    _run_script(conn, V3_COLUMNS)


def m004_events_by_time(conn: sqlite3.Connection) -> None:
    """Index events by time: the daily ledger reads one day's events and the chain head at its close."""
    conn.execute("CREATE INDEX idx_events_at ON events (at)")


def m005_event_version(conn: sqlite3.Connection) -> None:
    """Give events the version counter every synced record carries. An event never changes, so
    its version is 1 for ever; the CHECK says so. (The hash does not cover it: it is constant.)"""
    conn.execute(
        "ALTER TABLE events ADD COLUMN version INTEGER NOT NULL DEFAULT 1 CHECK (version = 1)"
    )


# Migration 6: one hash chain per origin. `n` is the local arrival order (differs between files
# and is not hashed); `origin` is the point code of the installation that wrote the event, `seq`
# its number in that origin's chain (1, 2, 3, ...), `prev_hash` the hash of that origin's previous
# event. `format` says how the hash was made: 1 for events written before migration 6 (payload
# without `origin`, so every existing hash stays as it was), 2 for events whose payload includes
# `origin`. A file holds its own chain and the chains it imports, each unchanged.
V6_EVENTS = """
CREATE TABLE events_v6 (
    n INTEGER PRIMARY KEY CHECK (n >= 1),
    origin TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq >= 1),
    uuid TEXT NOT NULL UNIQUE,
    case_uuid TEXT NOT NULL REFERENCES cases (uuid) DEFERRABLE INITIALLY DEFERRED,
    action TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    from_state TEXT,
    to_state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(data)),
    point_code TEXT NOT NULL,
    prev_hash TEXT NOT NULL CHECK (length(prev_hash) = 64),
    hash TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
    version INTEGER NOT NULL DEFAULT 1 CHECK (version = 1),
    format INTEGER NOT NULL DEFAULT 2 CHECK (format IN (1, 2)),
    UNIQUE (origin, seq)
);
"""

# Append-only, per origin: no UPDATE, no DELETE, no row whose n, uuid, hash or (origin, seq)
# exists (REPLACE would delete it without firing delete triggers), and a new row must extend its
# origin's head: the next seq, and the head's hash as prev_hash. Local order only grows (in a
# BEFORE INSERT trigger an `n` still to be assigned reads as -1).
V6_EVENT_TRIGGERS = f"""
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE is not allowed');
END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE is not allowed');
END;
CREATE TRIGGER events_no_replace BEFORE INSERT ON events
WHEN EXISTS (
    SELECT 1 FROM events
    WHERE n = NEW.n OR uuid = NEW.uuid OR hash = NEW.hash OR (origin = NEW.origin AND seq = NEW.seq)
)
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: n, uuid, hash or (origin, seq) already exists');
END;
CREATE TRIGGER events_local_order BEFORE INSERT ON events
WHEN NEW.n >= 1 AND NEW.n <= (SELECT COALESCE(MAX(n), 0) FROM events)
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: a new event goes after every stored one');
END;
CREATE TRIGGER events_append_at_head BEFORE INSERT ON events
WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM events WHERE origin = NEW.origin)
  OR NEW.prev_hash IS NOT COALESCE(
        (SELECT hash FROM events WHERE origin = NEW.origin ORDER BY seq DESC LIMIT 1), '{ZERO_HASH}')
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: a new event must extend its origin''s chain head');
END;
"""

# Chain heads known to be good: printed on a daily ledger, acknowledged by a peer, or reached by a
# verify. `clerk verify` reports any the chain no longer contains (truncated or rewritten).
V6_CHECKPOINTS = """
CREATE TABLE checkpoints (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    seq INTEGER NOT NULL CHECK (seq >= 1),
    hash TEXT NOT NULL CHECK (length(hash) = 64),
    source TEXT NOT NULL CHECK (source IN ('ledger', 'ack', 'verified')),
    note TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL,
    UNIQUE (origin, seq, hash, source)
);
CREATE INDEX idx_checkpoints_source ON checkpoints (source, origin, seq);
"""

# What an incremental verify must look at again: every case whose row, documents, material
# checks or evaluations changed since the last verify (events are covered by their chain). `mark`
# counts changes, so a verify clears only the marks it saw.
V6_DIRTY = """
CREATE TABLE verify_dirty (
    case_uuid TEXT PRIMARY KEY,
    mark INTEGER NOT NULL DEFAULT 1
);
"""
_DIRTY_TABLES = (
    ("cases", "uuid"),
    ("documents", "case_uuid"),
    ("case_materials", "case_uuid"),
    ("evaluations", "case_uuid"),
)


def _mark(row: str, column: str) -> str:
    return (
        f"    INSERT INTO verify_dirty (case_uuid) VALUES ({row}.{column})\n"
        "    ON CONFLICT (case_uuid) DO UPDATE SET mark = mark + 1;\n"
    )


V6_DIRTY_TRIGGERS = "".join(
    f"CREATE TRIGGER verify_dirty_{table}_{op.lower()} AFTER {op} ON {table}\nBEGIN\n"
    + "".join(_mark(row, column) for row in rows)
    + "END;\n"
    for table, column in _DIRTY_TABLES
    for op, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",)))
)


def m006_chain_per_origin(conn: sqlite3.Connection) -> None:
    """Events: one hash chain per origin point; checkpoints of known chain heads.

    Every existing event keeps its hash: it becomes event `seq` of the chain of this
    installation's point (the `point_code` setting; the event's own point on a file that has
    none), marked `format = 1` so its hash is recomputed the way it was made.
    """
    _run_script(conn, V6_EVENTS)
    conn.execute(
        "INSERT INTO events_v6 (n, origin, seq, uuid, case_uuid, action, actor, at, from_state,"
        " to_state, reason, data, point_code, prev_hash, hash, version, format)"
        " SELECT seq, COALESCE((SELECT value FROM settings WHERE key = 'point_code'), point_code),"
        " seq, uuid, case_uuid, action, actor, at, from_state, to_state, reason, data, point_code,"
        " prev_hash, hash, version, 1 FROM events ORDER BY seq"
    )
    conn.execute("DROP TABLE events")
    conn.execute("ALTER TABLE events_v6 RENAME TO events")
    conn.execute("CREATE INDEX idx_events_case ON events (case_uuid, n)")
    conn.execute("CREATE INDEX idx_events_at ON events (at)")
    conn.execute("CREATE INDEX idx_documents_issued ON documents (issued_at)")
    _run_script(conn, V6_EVENT_TRIGGERS)
    _run_script(conn, V6_CHECKPOINTS)
    _run_script(conn, V6_DIRTY)
    _run_script(conn, V6_DIRTY_TRIGGERS)


def m007_batches(conn: sqlite3.Connection) -> None:
    """Batches: a college's roster (表6) enrolled in one go, its checked materials and its cases."""
    _run_script(conn, batches.SCHEMA)


def m008_sync_tables(conn: sqlite3.Connection) -> None:
    """End-of-day sync: peers' keys, bundles written and read, the conflict queue, peers' acks."""
    from clerk.storage.sqlite import sync

    _run_script(conn, sync.TABLES)


def m009_county_indexes(conn: sqlite3.Connection) -> None:
    """Indexes a county-size file needs (issue 13): events by action and time (the ledger's
    recomputations after a day's close) and evaluations by time (the ledger's ratings of a day)."""
    conn.execute("CREATE INDEX idx_events_action_at ON events (action, at)")
    conn.execute("CREATE INDEX idx_evaluations_at ON evaluations (at)")


def m010_password_change(conn: sqlite3.Connection) -> None:
    """Accounts whose password someone else chose (an initial or a reset password) must change it
    at their next sign-in. Existing accounts are not forced."""
    conn.execute("ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0")


def m011_tail_lookups(conn: sqlite3.Connection) -> None:
    """Lookups a county-size file would otherwise scan for (issue 13): a case by the last digits
    of its number (the day's sequence: the four characters before the check character), an
    applicant by the last 6 characters of the ID number, and the open bad ratings by age."""
    conn.execute(f"CREATE INDEX idx_cases_seq_tail ON cases ({CASE_SEQ_TAIL}, received_at)")
    conn.execute(f"CREATE INDEX idx_cases_id_tail ON cases ({ID_TAIL}, received_at)")
    conn.execute(f"CREATE INDEX idx_evaluations_bad_open ON evaluations (at) WHERE {BAD_OPEN}")


def m013_document_paths(conn: sqlite3.Connection) -> None:
    """A document by where its files lie (issue 25): the start-up tidy and `clerk verify` ask
    whether a file on disk is a recorded document; without these each question scans the table."""
    conn.execute("CREATE INDEX idx_documents_path_pdf ON documents (path_pdf)")
    conn.execute("CREATE INDEX idx_documents_path_txt ON documents (path_txt)")


# The indexed expressions of m011, written once: a query must use them exactly to be served.
CASE_SEQ_TAIL = "substr(case_no, -5, 4)"
ID_TAIL = "substr(id_number, -6)"
BAD_OPEN = "level IN ('1', '2') AND followed_up_at IS NULL"


def m012_session_epochs(conn: sqlite3.Connection) -> None:
    """An account's session epoch: deactivating, reactivating or resetting its password moves it
    on, so a session signed in before that cannot act or read again without signing in."""
    conn.execute("ALTER TABLE users ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0")


def m014_proven_record(conn: sqlite3.Connection) -> None:
    """Accounts and kept chain heads join the proven record (issue 23, item 3): the
    administrative chain (`clerk.domain.admin_log`) with its append-only guards, started on an
    older file with the accounts and ledger/acknowledged heads as found ("before the proof");
    and the SHA-256 of a document's text beside its PDF's (documents issued before have none)."""
    from datetime import datetime

    from clerk.domain.clock import TZ
    from clerk.storage import admin_chain
    from clerk.storage.sqlite import admin_log

    _run_script(conn, admin_log.TABLE)
    conn.execute("ALTER TABLE documents ADD COLUMN sha256_txt TEXT")
    admin_chain.begin(admin_log.Sql(conn), datetime.now(TZ).isoformat())


def m015_time_anomalies(conn: sqlite3.Connection) -> None:
    """Time anomalies found at import, kept (issue 23, item 7): an event dated after the
    receiver's clock, or before an event its origin wrote earlier (this file's own record of
    what it was sent; never synced)."""
    _run_script(conn, TIME_ANOMALIES)


TIME_ANOMALIES = """
CREATE TABLE sync_time_anomalies (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL,
    seq INTEGER NOT NULL,
    case_uuid TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('future', 'backwards')),
    reference TEXT NOT NULL,
    peer TEXT NOT NULL,
    bundle_seq INTEGER NOT NULL,
    found_at TEXT NOT NULL,
    UNIQUE (origin, seq)
);
CREATE INDEX idx_sync_time_anomalies_origin ON sync_time_anomalies (origin, id);
"""


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    m001_base,
    m002_indexes_and_search,
    m003_service_columns,
    m004_events_by_time,
    m005_event_version,
    m006_chain_per_origin,
    m007_batches,
    m008_sync_tables,
    m009_county_indexes,
    m010_password_change,
    m011_tail_lookups,
    m012_session_epochs,
    m013_document_paths,
    m014_proven_record,
    m015_time_anomalies,
)
LATEST = len(MIGRATIONS)


class SchemaTooNewError(RuntimeError):
    """The file was written by a newer clerk; opening it here could damage it."""


def user_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, target: int = LATEST) -> int:
    """Apply the migrations up to `target` that the file does not have yet; returns the version.

    `conn` must be in autocommit mode (`isolation_level=None`) with no transaction open.
    """
    if not 0 <= target <= LATEST:
        raise ValueError(f"no schema version {target}")
    if user_version(conn) > LATEST:
        raise SchemaTooNewError(
            f"数据库版本为 {user_version(conn)}，高于本程序支持的 {LATEST}，请升级 clerk 后再打开。"
        )
    while user_version(conn) < target:
        conn.execute("BEGIN IMMEDIATE")
        try:
            current = user_version(conn)  # re-read under the write lock
            if current < target:
                MIGRATIONS[current](conn)
                conn.execute(f"PRAGMA user_version = {current + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return user_version(conn)
