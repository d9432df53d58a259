"""Whole-file maintenance: verifying a database file and making a consistent backup copy."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

from clerk.storage.chain import verify_connection
from clerk.storage.connection import BUSY_TIMEOUT_MS, connect_read_only


class BackupError(ValueError):
    """The backup could not be made (Chinese message)."""


def _failure(problem: str) -> dict[str, Any]:
    return {
        "ok": False,
        "integrity": problem,
        "foreign_keys": None,
        "chain_ok": False,
        "events": 0,
        "first_broken": None,
        "head": None,
        "problem": problem,
    }


def verify_file(path: str | Path, *, quick: bool = False) -> dict[str, Any]:
    """Verify a database file read-only (no migration, no write). See `Store.verify`; `quick`
    uses `quick_check` for the file's structure."""
    path = Path(path)
    if not path.is_file():
        return _failure(f"找不到数据库文件 {path}，请检查路径。")
    try:
        conn = connect_read_only(path)
    except sqlite3.Error:
        return _failure(f"无法打开数据库文件 {path}，请检查文件权限。")
    try:
        return verify_connection(conn, quick=quick)
    except sqlite3.DatabaseError as exc:
        return _failure(f"{path} 不是有效的 clerk 数据库或已损坏（{exc}），请从备份恢复。")
    finally:
        conn.close()


def backup_file(source: sqlite3.Connection | str | Path, out: str | Path) -> dict[str, Any]:
    """Copy a live database to `out` with the SQLite backup API, then verify the copy (quick_check
    and the hash chain).

    The copy is taken in one step, so it is a consistent snapshot even while other connections
    write (WAL readers do not block writers). It is written to a temporary file next to `out`
    and renamed only once complete, so a failed backup never leaves a half file under `out`.
    Returns the copy's verification; raises `BackupError` if `out` already exists.
    """
    out = Path(out)
    if out.exists():
        raise BackupError(f"备份文件 {out} 已存在，请换一个文件名，以免覆盖以前的备份。")
    if not out.parent.is_dir():
        raise BackupError(f"目录 {out.parent} 不存在，请先创建或换一个位置。")
    own = not isinstance(source, sqlite3.Connection)
    if own:
        src_path = Path(source)  # type: ignore[arg-type]
        if not src_path.is_file():
            raise BackupError(f"找不到数据库文件 {src_path}，请检查路径。")
        if src_path.resolve() == out.resolve():
            raise BackupError("备份文件不能与数据库文件相同。")
        src = sqlite3.connect(str(src_path), isolation_level=None)
        src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    else:
        src = source  # type: ignore[assignment]
    tmp = out.with_name(out.name + ".partial")
    _remove(tmp)
    try:
        dest = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            src.backup(dest, pages=-1)
            # A self-contained file: no -wal beside it, whatever mode the source used.
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        os.replace(tmp, out)
    except BaseException:
        _remove(tmp)
        raise
    finally:
        if own:
            src.close()
    # The copy's pages were all just written from a consistent snapshot: quick_check finds a page
    # the disk garbled; matching every index entry to its row again (integrity_check, 5/6 of a
    # county backup's time) would only re-check what the source already holds.
    return verify_file(out, quick=True)


def _remove(path: Path) -> None:
    for p in (path, Path(str(path) + "-wal"), Path(str(path) + "-shm"), Path(str(path) + "-journal")):
        if p.exists():
            p.unlink()
