"""Whole-file maintenance: verifying a database file and making a consistent backup copy."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from clerk.domain.clock import system_clock
from clerk.ports.errors import (
    BusyError,
    DamagedError,
    DiskError,
    DiskFullError,
    ReadOnlyError,
    StorageError,
)
from clerk.storage.sqlite import schema
from clerk.storage.sqlite.connection import (
    BUSY_TIMEOUT_MS,
    connect,
    connect_read_only,
    foreign_tables,
)
from clerk.storage.sqlite.errors import translate, translated
from clerk.support.file_modes import make_private, use_private_umask
from clerk.support.progress import Progress

if TYPE_CHECKING:  # the report loads with a verify, not with every open
    from clerk.ports.verify_report import VerifyReport


class BackupError(ValueError):
    """The backup could not be made (Chinese message)."""


def _failure(problem: str) -> VerifyReport:
    from clerk.ports.verify_report import VerifyReport

    return VerifyReport.refused(problem)


def _unverifiable(path: Path, exc: sqlite3.Error | StorageError) -> str:
    """Why `path` could not be verified: "restore a backup" only for a file proven damaged (the
    engine says it is malformed or not a database), never for a disk, space or lock failure."""
    error = exc if isinstance(exc, StorageError) else translate(exc)
    if isinstance(error, DamagedError):
        return f"{path} 不是有效的 clerk 数据库或已损坏（{exc}）。请确认 --db 指定的文件没错；是本机的数据库时，请换用最近一份备份。"
    if isinstance(error, DiskFullError):
        return f"磁盘空间不足，无法检查 {path}（{exc}）。请清理磁盘空间后重试；数据库本身未见损坏，不要从备份恢复。"
    if isinstance(error, DiskError):
        return f"检查 {path} 时磁盘读写出错（{exc}），可能磁盘空间将满或磁盘被拔出。请检查后重试；数据库本身未见损坏，不要从备份恢复。"
    if isinstance(error, ReadOnlyError):
        return f"没有权限读取 {path} 或其所在的文件夹（{exc}）。请检查文件夹权限后重试；数据库本身未见损坏，不要从备份恢复。"
    if isinstance(error, BusyError):
        return f"{path} 正被其他程序占用（{exc}），请稍候重试。"
    return f"检查 {path} 时出错（{exc}），请重试；数据库本身未见损坏，不要据此从备份恢复。"


def verify_file(
    path: str | Path,
    *,
    full: bool = False,
    remember: bool = True,
    quick_check: bool = False,
    progress: Progress | None = None,
) -> VerifyReport:
    """Verify a database file without migrating it: the proof of the record (`clerk.audit.proof`)
    on `SQLiteRecordReads`, with SQLite's own checks (`quick_check` adds SQLite's quick_check to
    an incremental verify).

    The check runs on a read-only connection. When it passes on a file at the current schema
    and `remember` is true, where it got to is recorded (a short write), so the next incremental
    verify starts there; a file that cannot be written is still verified, just not remembered.
    """
    from clerk.audit import proof  # loaded by a verify, not by opening a file
    from clerk.ports.instants import instant
    from clerk.storage.sqlite.verify import SQLiteRecordReads

    path = Path(path)
    if not path.is_file():
        return _failure(f"找不到数据库文件 {path}，请检查路径。")
    try:
        conn = connect_read_only(path)
    except sqlite3.Error:
        return _failure(f"无法打开数据库文件 {path}，请检查文件权限。")
    try:
        version = schema.user_version(conn)
        foreign = foreign_tables(conn)
        if foreign:
            return _failure(
                f"{path} 不是 clerk 数据库（里面有其他程序的 {foreign} 个数据表或索引），请检查 --db 指定的文件。"
            )
        if version > schema.LATEST:
            return _failure(
                f"数据库版本为 {version}，高于本程序支持的 {schema.LATEST}，请升级 clerk 后再检查。"
            )
        if version < schema.LATEST:
            return _failure(
                f"数据库版本为 {version}，需要先由本程序升级到 {schema.LATEST}（打开一次即可），再检查。"
            )
        report = proof.prove(
            SQLiteRecordReads(conn), full=full, quick_check=quick_check, progress=progress
        )
    except (sqlite3.DatabaseError, StorageError) as exc:
        return _failure(_unverifiable(path, exc))
    finally:
        conn.close()
    if remember and report.ok:
        try:
            writer = connect(path)
            try:
                proof.record(SQLiteRecordReads(writer), report, instant(system_clock()))
            finally:
                writer.close()
        except (sqlite3.Error, StorageError):
            pass  # read-only file or busy: the verify stands, the next one starts further back
    return report.typed()


@contextmanager
def document_index(path: str | Path, root: Path) -> Iterator[Callable[[Path], bool] | None]:
    """A read-only `document_at` on the clerk file at `path` (whether a recorded document's text
    or PDF is a given file), for the crash tidy `clerk verify` runs before it judges orphan files;
    None when the file is not a clerk file at the current schema, or when its record does not
    keep its documents under `root` (its newest document lives elsewhere: a copy of another
    machine's file, whose record would wrongly disown this folder's files)."""
    path = Path(path)
    conn: sqlite3.Connection | None = None
    try:
        conn = connect_read_only(path)
        usable = not foreign_tables(conn) and schema.user_version(conn) == schema.LATEST
        newest = (
            conn.execute("SELECT path_pdf FROM documents ORDER BY rowid DESC LIMIT 1").fetchone()
            if usable
            else None
        )
    except sqlite3.Error:
        usable, newest = False, None
    if conn is None or not usable or newest is None or not _under(Path(newest[0]), root):
        if conn is not None:
            conn.close()
        yield None
        return
    reader = conn

    def document_at(file: Path) -> bool:
        same = [str(file.with_suffix(".txt")), str(file.with_suffix(".pdf"))]
        found = reader.execute(
            "SELECT 1 FROM documents WHERE path_txt IN (?, ?) OR path_pdf IN (?, ?) LIMIT 1",
            [*same, *same],
        ).fetchone()
        return found is not None

    try:
        yield document_at
    finally:
        conn.close()


def _under(file: Path, root: Path) -> bool:
    try:
        return file.resolve().is_relative_to(root.resolve())
    except OSError:
        return False


def recorded_document_files(path: str | Path) -> Iterator[str]:
    """Every document file the clerk file at `path` names (each document's text and PDF, each
    roster batch's correction notice), streamed from a read-only connection: what a backup's
    documents copy must hold (`clerk backup --with-documents`)."""
    from clerk.storage.sqlite.verify import SQLiteRecordReads

    with translated():
        conn = connect_read_only(path)
    try:
        reads = SQLiteRecordReads(conn)
        with translated():
            rows = conn.execute("SELECT path_txt, path_pdf FROM documents ORDER BY rowid")
            for pair in rows:
                yield from (p for p in pair if p)
            yield from reads.batch_notice_paths()
    finally:
        conn.close()


def upgrade_file(path: str | Path) -> tuple[int, int] | None:
    """Migrate an older clerk file to the current schema (each step in its own transaction);
    returns (from, to), or None when there was nothing to do or the file cannot be opened here."""
    path = Path(path)
    if not path.is_file():
        return None
    try:
        conn = connect_read_only(path)
        try:
            version = schema.user_version(conn)
        finally:
            conn.close()
        if version >= schema.LATEST or version == 0:
            return None
        writer = connect(path)
        try:
            schema.migrate(writer)
        finally:
            writer.close()
    except sqlite3.Error:
        return None  # verify_file reports what is wrong with the file
    return version, schema.LATEST


def backup_file(
    source: sqlite3.Connection | str | Path, out: str | Path, *, progress: Progress | None = None
) -> VerifyReport:
    """See `_backup_file`; a SQLite error leaves as a `clerk.ports.errors.StorageError`."""
    with translated():
        return _backup_file(source, out, progress)


def _backup_file(
    source: sqlite3.Connection | str | Path, out: str | Path, progress: Progress | None = None
) -> VerifyReport:
    """Copy a live database to `out` with the SQLite backup API, then verify the copy (quick_check
    and an incremental verify from the heads the source last verified).

    The copy is taken in one step, so it is a consistent snapshot even while other connections
    write (WAL readers do not block writers). It is written to a temporary file next to `out`
    and renamed only once complete, so a failed backup never leaves a half file under `out`.
    Returns the copy's verification; raises `BackupError` if `out` already exists.

    `progress` (a file given by path only): the one-step copy runs in a thread while the bytes
    written so far are told, stage "复制数据库"; then the copy's check, stage "核验副本".
    """
    use_private_umask()
    out = Path(out)
    if out.exists():
        raise BackupError(f"备份文件 {out} 已存在，请换一个文件名，以免覆盖以前的备份。")
    if not out.parent.is_dir():
        raise BackupError(f"目录 {out.parent} 不存在，请先创建或换一个位置。")
    tmp = out.with_name(out.name + ".partial")
    if isinstance(source, sqlite3.Connection):
        _remove(tmp)
        _copy_to(source, tmp, out)
    else:
        src_path = Path(source)
        if not src_path.is_file():
            raise BackupError(f"找不到数据库文件 {src_path}，请检查路径。")
        if src_path.resolve() == out.resolve():
            raise BackupError("备份文件不能与数据库文件相同。")
        _remove(tmp)
        if progress is None:
            _copy_from_path(src_path, tmp, out)
        else:
            _copy_watched(src_path, tmp, out, progress)
            progress("核验副本", 0, 0)
    # The copy's pages were all just written from one consistent snapshot: quick_check finds a
    # page the disk garbled, and the incremental verify (from the source's last verified heads,
    # which the copy carries) proves what changed since. Matching every index entry to its row,
    # replaying every case and hashing every PDF again (a full verify: minutes on a county file,
    # against seconds for the copy) would re-prove what the source's last verify proved.
    return verify_file(out, full=False, remember=False, quick_check=True)


def _copy_from_path(src_path: Path, tmp: Path, out: Path) -> None:
    src = sqlite3.connect(str(src_path), isolation_level=None)
    try:
        src.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        _copy_to(src, tmp, out)
    finally:
        src.close()


def _copy_to(src: sqlite3.Connection, tmp: Path, out: Path) -> None:
    """The backup API in one step into `tmp`, made private and renamed to `out` once whole."""
    try:
        dest = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            cookie_before = _schema_cookie(src)
            src.backup(dest, pages=-1)
            _carry_verified_schema(src, dest, cookie_before)
            # A self-contained file: no -wal beside it, whatever mode the source used.
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        make_private(tmp)
        os.replace(tmp, out)
    except BaseException:
        _remove(tmp)
        raise


def _copy_watched(src_path: Path, tmp: Path, out: Path, progress: Progress) -> None:
    """`_copy_from_path` in a thread (SQLite releases the GIL while it copies), telling the bytes
    written so far. One step still: a copy taken in steps restarts whenever another connection
    writes, and a busy office might never see it end."""
    failed: list[BaseException] = []

    def copy() -> None:
        try:
            _copy_from_path(src_path, tmp, out)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread below
            failed.append(exc)

    total = sum(p.stat().st_size for p in (src_path, Path(f"{src_path}-wal")) if p.exists())
    worker = threading.Thread(target=copy, name="clerk-backup")
    worker.start()
    while worker.is_alive():
        worker.join(0.5)
        done = _size(tmp) if worker.is_alive() else total
        progress("复制数据库", min(done, total), max(total, 1))
    if failed:
        raise failed[0]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _schema_cookie(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA schema_version").fetchone()[0])


def _carry_verified_schema(src: sqlite3.Connection, dest: sqlite3.Connection, cookie: int) -> None:
    """The backup API bumps the copy's schema cookie (so other connections reload its schema),
    which would make the copy's incremental verify escalate to a full one. When the source's last
    verify was at the schema it still has, the copy has that same schema: say so in the copy."""
    from clerk.storage.sqlite.verify import SETTING_SCHEMA

    if _schema_cookie(src) != cookie:
        return  # the source's schema changed during the copy: let the copy's verify escalate
    try:
        dest.execute(
            "UPDATE settings SET value = ? WHERE key = ? AND value = ?",
            (str(_schema_cookie(dest)), SETTING_SCHEMA, str(cookie)),
        )
    except sqlite3.OperationalError:
        pass  # not a clerk file (no settings): its verify says so


def _remove(path: Path) -> None:
    for p in (
        path,
        Path(str(path) + "-wal"),
        Path(str(path) + "-shm"),
        Path(str(path) + "-journal"),
    ):
        if p.exists():
            p.unlink()
