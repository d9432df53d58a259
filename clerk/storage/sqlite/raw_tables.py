"""A clerk file's tables as raw stored rows, for moving the office onto another engine
(`clerk migrate-store`): one read-only snapshot, every table's rows in arrival (rowid) order.

Nothing is converted: the stored forms (ISO text instants, canonical JSON text, 0/1 flags) are
the same on every engine, so an event's origin, seq, prev_hash and hash arrive as they are and
its chain verifies unchanged. What is SQLite's own bookkeeping stays behind: the full-text index
(`cases_fts*`, the target builds its own name search), the incremental verify's marks and place
(`verify_dirty`, the `verify.*` settings; the target runs a full verify of its own).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from clerk.ports.errors import StorageError
from clerk.storage.sqlite import schema
from clerk.storage.sqlite.connection import connect_read_only, foreign_tables
from clerk.storage.sqlite.errors import translated

ENGINE_TABLES_PREFIXES = ("cases_fts", "sqlite_")
ENGINE_TABLES = frozenset({"verify_dirty"})
ENGINE_SETTINGS_PREFIX = "verify."


class RawTables:
    """The tables of one open snapshot (see `raw_tables`)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def tables(self) -> list[str]:
        """The tables holding the record (SQLite's own bookkeeping left out)."""
        return [
            name
            for (name,) in self._conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
            if not name.startswith(ENGINE_TABLES_PREFIXES) and name not in ENGINE_TABLES
        ]

    def columns(self, table: str) -> tuple[str, ...]:
        self._known(table)
        return tuple(r[1] for r in self._conn.execute(f'PRAGMA table_info("{table}")'))

    def rows(self, table: str, columns: tuple[str, ...] | list[str]) -> Iterator[tuple[Any, ...]]:
        """`table`'s rows (only `columns`, in that order) in arrival order, streamed."""
        self._known(table)
        names = ", ".join(f'"{c}"' for c in columns)
        where = self._where(table)
        with translated():
            cursor = self._conn.execute(f'SELECT {names} FROM "{table}"{where} ORDER BY rowid')
            while True:
                chunk = cursor.fetchmany(2000)
                if not chunk:
                    return
                yield from (tuple(r) for r in chunk)

    def counts(self) -> dict[str, int]:
        """Rows per table (settings without `verify.*`)."""
        with translated():
            return {
                t: int(
                    self._conn.execute(f'SELECT count(*) FROM "{t}"{self._where(t)}').fetchone()[0]
                )
                for t in self.tables()
            }

    def heads(self) -> dict[str, tuple[int, str]]:
        """Each origin's chain head: (seq, hash) of its last event."""
        with translated():
            return {
                origin: (int(seq), str(digest))
                for origin, seq, digest in self._conn.execute(
                    "SELECT e.origin, e.seq, e.hash FROM events e JOIN (SELECT origin,"
                    " max(seq) AS seq FROM events GROUP BY origin) h"
                    " ON h.origin = e.origin AND h.seq = e.seq ORDER BY e.origin"
                )
            }

    def _known(self, table: str) -> None:
        if table not in self.tables():
            raise KeyError(table)

    @staticmethod
    def _where(table: str) -> str:
        if table == "settings":
            return f" WHERE key NOT LIKE '{ENGINE_SETTINGS_PREFIX}%'"
        return ""


@contextmanager
def raw_tables(path: str | Path) -> Iterator[RawTables]:
    """Open `path` read-only, in one snapshot (a read transaction), at the current schema;
    `StorageError` (Chinese) when it is missing, not clerk's, or at another version."""
    path = Path(path)
    if not path.is_file():
        raise StorageError(f"找不到数据库文件 {path}，请检查路径。")
    with translated():
        conn = connect_read_only(path)
    try:
        with translated():
            if foreign_tables(conn):
                raise StorageError(f"{path} 不是 clerk 数据库，请检查文件路径。")
            version = schema.user_version(conn)
            if version > schema.LATEST:
                raise StorageError(
                    f"{path} 的数据库版本为 {version}，高于本程序的 {schema.LATEST}，请升级 clerk。"
                )
            if version < schema.LATEST:
                raise StorageError(
                    f"{path} 的数据库版本为 {version}，本程序为 {schema.LATEST}："
                    "请先运行 clerk verify --db 该文件（会先升级）再迁移。"
                )
            conn.execute("BEGIN")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the snapshot starts
        yield RawTables(conn)
    finally:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        conn.close()
