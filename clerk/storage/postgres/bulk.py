"""Loading whole tables of raw rows into an empty clerk database: `clerk migrate-store`'s target.

The rows are a record's stored forms exactly (the same on both engines), so nothing is
converted: each table goes in with one `COPY ... FROM STDIN` (psycopg's `cursor.copy`), all
tables in one transaction, in `LOAD_ORDER` (every row's references already there). The event
log's own triggers stay on: each event must extend its origin's chain head, so a chain that
arrives broken, reordered or forked is refused here, and the chain heads and the incremental
verify's marks are built as the events arrive. Arrival numbers (`n`) are this database's own and
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
