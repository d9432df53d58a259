"""Loading whole tables of raw rows into an empty clerk database: `clerk migrate-store`'s target.

The rows are a record's stored forms exactly (the same on both engines), so nothing is
converted: each table goes in with one `COPY ... FROM STDIN` (psycopg's `cursor.copy`), all
tables in one transaction, in `LOAD_ORDER` (every row's references already there). As
`pg_restore --disable-triggers` does, the triggers that work row by row or statement by statement
to build what is derived — the chain-head check and the incremental verify's marks — are off
while the tables load (`LOAD_TRIGGERS_OFF`, inside the load's transaction: a failed load leaves
them on) and their work is done once over the loaded tables (`finish_derived`): every origin's
events must run 1, 2, 3 … each linking to the one before from the zero hash, or the load is
refused; the heads are set from the last events, and every loaded case is marked for the verify.
(With the statement trigger on, one `COPY` of a 1,000,000-case county's 5.6 million events keeps
them all in the trigger's transition table, spilled to disk and scanned four times: it had not
finished after 23 minutes.) The append-only and foreign-key protections stay on throughout.
Arrival numbers (`n`) are this database's own and
are not loaded: rows given in their source's arrival order get theirs in the same order. Row ids
that other rows or a person may name (`checkpoints`, `sync_*`) are kept, and their identity
sequences moved past them.

The documents' files come along: a row's recorded path becomes the file's name on the server
(`clerk.ports.document_names`), and the file's bytes go into `document_contents` with one more
`COPY`, in the same transaction (`load_contents`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from psycopg import sql

from clerk.domain.chain import ZERO_HASH
from clerk.ports.document_names import document_name
from clerk.storage.postgres import queries

# The store (`clerk.storage.postgres.store.PostgresStore`) is passed in, never imported: it
# imports this module.
PostgresStore = Any

# Referenced tables before the tables that reference them.
LOAD_ORDER = (
    "settings",
    "points",
    "users",
    "sequences",
    "cases",
    "case_materials",
    "documents",
    "evaluations",
    "events",
    "checkpoints",
    "admin_events",  # its own trigger checks each link, as the events' does
    "batches",
    "batch_materials",
    "batch_cases",
    "sync_keys",
    "sync_bundles",
    "sync_conflicts",
    "sync_time_anomalies",
    "sync_acks",
    "sync_peer_state",
)
# What this engine keeps for itself and builds from the rows above (never loaded).
DERIVED = ("chain_heads", "case_search", "verify_dirty", "clerk_migrations")
# Settings that describe one engine's bookkeeping, not the record (the incremental verify's
# place: a SQLite rowid, a schema cookie); the target's own full verify writes its own.
ENGINE_SETTINGS_PREFIX = "verify."


# The derived-building triggers that are off while the tables load (table, trigger).
LOAD_TRIGGERS_OFF = (
    ("events", "events_extend_heads"),
    ("events", "verify_dirty_events"),
    ("cases", "verify_dirty_cases"),
    ("documents", "verify_dirty_documents"),
    ("case_materials", "verify_dirty_case_materials"),
    ("evaluations", "verify_dirty_evaluations"),
)
# The tables whose rows name the cases the incremental verify must look at (table, column).
MARKED = (
    ("cases", "uuid"),
    ("events", "case_uuid"),
    ("documents", "case_uuid"),
    ("case_materials", "case_uuid"),
    ("evaluations", "case_uuid"),
)


class BrokenChainError(Exception):
    """The loaded events of an origin do not form one chain from its first event."""

    def __init__(self, origin: str, seq: int) -> None:
        super().__init__(origin, seq)
        self.origin, self.seq = origin, seq


def set_load_triggers(store: PostgresStore, enabled: bool) -> None:
    """Switch `LOAD_TRIGGERS_OFF` on or off (the owner's right; transactional)."""
    verb = sql.SQL("ENABLE" if enabled else "DISABLE")
    for table, trigger in LOAD_TRIGGERS_OFF:
        store.conn.execute(
            sql.SQL("ALTER TABLE {} {} TRIGGER {}").format(
                sql.Identifier(table), verb, sql.Identifier(trigger)
            )
        )


def finish_derived(store: PostgresStore) -> None:
    """After the tables are loaded with `LOAD_TRIGGERS_OFF` off: check every origin's chain in
    one ordered pass (raises `BrokenChainError` at the first event that does not extend the one
    before it), set the chain heads from each origin's last event, and mark every case the
    loaded rows name for the incremental verify."""
    conn = store.conn
    broken = conn.execute(
        "SELECT origin, seq FROM ("
        " SELECT origin, seq, prev_hash,"
        "  row_number() OVER w AS expected,"
        "  COALESCE(lag(hash) OVER w, %s) AS before"
        " FROM events WINDOW w AS (PARTITION BY origin ORDER BY seq)"
        ") x WHERE seq <> expected OR prev_hash <> before"
        " ORDER BY origin, seq LIMIT 1",
        (ZERO_HASH,),
    ).fetchone()
    if broken is not None:
        raise BrokenChainError(str(broken[0]), int(broken[1]))
    conn.execute(
        "INSERT INTO chain_heads (origin, seq, hash)"
        " SELECT DISTINCT ON (origin) origin, seq, hash FROM events ORDER BY origin, seq DESC"
        " ON CONFLICT (origin) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash"
    )
    marked = sql.SQL(" UNION ").join(
        sql.SQL("SELECT {} FROM {}").format(sql.Identifier(column), sql.Identifier(table))
        for table, column in MARKED
    )
    conn.execute(
        sql.SQL(
            "INSERT INTO verify_dirty (case_uuid) SELECT * FROM ({}) m ON CONFLICT DO NOTHING"
        ).format(marked)
    )


# The columns that hold a document file's path in a SQLite file's rows: on this engine they hold
# the name the file's bytes are kept under in `document_contents` (`clerk.ports.document_names`).
PATH_COLUMNS = {
    "documents": ("path_txt", "path_pdf"),
    "batches": ("receipt_path_txt", "receipt_path_pdf", "notice_path_txt", "notice_path_pdf"),
}
CONTENTS = "document_contents"


def named(
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    files: dict[str, str],
) -> Iterator[Sequence[Any]]:
    """`rows` with each document path replaced by its name; `files` collects name -> path (the
    first path seen under a name) for `load_contents`."""
    at = [i for i, c in enumerate(columns) if c in PATH_COLUMNS.get(table, ())]
    for row in rows:
        if not at:
            yield row
            continue
        out = list(row)
        for i in at:
            if out[i]:
                name = document_name(out[i])
                files.setdefault(name, str(out[i]))
                out[i] = name
        yield out


def load_contents(
    store: PostgresStore, files: Mapping[str, str], now: str
) -> tuple[int, list[str]]:
    """COPY the bytes of each file (`files`: name -> path on this machine) into
    `document_contents`, inside the caller's transaction, one file in memory at a time. Returns
    how many went in, and the paths that could not be read (the full verify after the move names
    their documents)."""
    unreadable: list[str] = []
    count = 0
    with store.conn.cursor() as cur:
        with cur.copy(f"COPY {CONTENTS} (name, content, kept_at) FROM STDIN") as copy:
            for name, path in sorted(files.items()):
                try:
                    content = Path(path).read_bytes()
                except OSError:
                    unreadable.append(path)
                    continue
                copy.write_row((name, content, now))
                count += 1
    return count, unreadable


def loadable_columns(store: PostgresStore, table: str) -> tuple[str, ...]:
    """The columns of `table` a raw row may bring (not the arrival number `n`)."""
    return tuple(c for c in store.table_columns(table) if c != "n")


def row_counts(store: PostgresStore) -> dict[str, int]:
    """Rows in every loadable table (settings without the engine's own `verify.*`)."""
    counts = {}
    for table in LOAD_ORDER:
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        if table == "settings":
            query = sql.SQL("{} WHERE key NOT LIKE {}").format(
                query, sql.Literal(ENGINE_SETTINGS_PREFIX + "%")
            )
        counts[table] = int(store.conn.execute(query).fetchone()[0])  # type: ignore[index]
    return counts


def load(
    store: PostgresStore, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """COPY `rows` (tuples in `columns`' order) into `table`, inside the caller's transaction.
    Returns how many rows went in."""
    if table not in LOAD_ORDER:
        raise ValueError(f"{table} is not a table a raw row is loaded into")
    if not columns:
        return 0  # the source has no such table
    unknown = sorted(set(columns) - set(loadable_columns(store, table)))
    if unknown:
        raise ValueError(f"unknown column(s) for {table}: {', '.join(unknown)}")
    skip_at = list(columns).index("key") if table == "settings" else None
    if table == "cases":
        uuid_at, applicant_at = columns.index("uuid"), columns.index("applicant_name")
        unit_at = columns.index("unit_name")
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(sql.Identifier(c) for c in columns)
    )
    count = 0
    names: list[tuple[str, str, str]] = []  # the name search's keys, one COPY after the cases
    with store.conn.cursor() as cur:
        with cur.copy(statement) as copy:
            for row in rows:
                if skip_at is not None and str(row[skip_at]).startswith(ENGINE_SETTINGS_PREFIX):
                    continue
                copy.write_row(row)
                count += 1
                if table == "cases":
                    names.append(
                        (
                            row[uuid_at],
                            queries.search_key(row[applicant_at]),
                            queries.search_key(row[unit_at]),
                        )
                    )
        if names:
            with cur.copy(
                "COPY case_search (case_uuid, applicant_key, unit_key) FROM STDIN"
            ) as copy:
                for entry in names:
                    copy.write_row(entry)
        if "id" in columns:
            cur.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({t}, 'id'),"
                    " COALESCE((SELECT max(id) FROM {i}), 0) + 1, false)"
                ).format(t=sql.Literal(table), i=sql.Identifier(table))
            )
    return count
