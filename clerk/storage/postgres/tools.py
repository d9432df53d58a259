"""Backups with PostgreSQL's own tools: `pg_dump -Fc`, checked by `pg_restore` into a scratch
database and the proof of the record there (`clerk backup --db postgresql://...`).

The password never goes on a command line (where `ps` shows it): the tools get the URL without
it and find it where libpq always looks (`PGPASSFILE` or `~/.pgpass`, a `passfile=` parameter, or
`PGPASSWORD` in their environment, set here only when the URL itself carried a password).

The dump is written owner-only (0600) under `NAME.partial` and renamed to `NAME` once `pg_dump`
finished and the copy restored; a failure at any step says which and leaves nothing under
`NAME`. Its SHA-256 goes beside it in `NAME.sha256` (`sha256sum -c` reads it): a restore proves
the rows, but a changed byte in the dump's uncompressed table of contents (a comment, a
function's text) may restore without complaint; the checksum catches any change. The check restores the copy into a new database (`CREATE DATABASE ... TEMPLATE
template0`, which needs the CREATEDB right), runs a full `clerk verify` of it through the port,
and drops it: a dump the disk garbled, or one that misses rows, fails there.
"""

from __future__ import annotations

import glob
import hashlib
import os
import secrets
import shutil
import subprocess
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg import sql

from clerk.ports.errors import StorageError
from clerk.ports.verify_report import VerifyReport
from clerk.support.file_modes import make_private, use_private_umask
from clerk.support.progress import Progress, silent

TOOL_TIMEOUT = 6 * 3600  # a county's dump or restore takes minutes; a hung server, not hours


class DumpError(ValueError):
    """A step of a PostgreSQL backup or of its check failed (Chinese message naming the step)."""


def find_tool(name: str) -> Path:
    """`pg_dump` / `pg_restore`: the one on PATH, else the newest in /usr/lib/postgresql/*/bin."""
    on_path = shutil.which(name)
    if on_path:
        return Path(on_path)
    found = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if not found:
        raise DumpError(
            f"找不到 PostgreSQL 的 {name} 程序，请安装 postgresql-client（与服务器同一大版本或更新）。"
        )
    return Path(found[-1])


def libpq_target(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and the environment the tools run with (the password, if
    the URL carried one, as `PGPASSWORD`; otherwise libpq's passfile as always)."""
    parts = urlsplit(url)
    params = parse_qsl(parts.query, keep_blank_values=True)
    password = next((v for k, v in params if k == "password"), None)
    params = [(k, v) for k, v in params if k != "password"]
    netloc = parts.netloc
    if "@" in netloc:
        auth, host = netloc.rsplit("@", 1)
        if ":" in auth:
            user, secret = auth.split(":", 1)
            password = unquote(secret)
            netloc = f"{user}@{host}"
    env = dict(os.environ)
    if password is not None:
        env["PGPASSWORD"] = password
    clean = urlunsplit((parts.scheme, netloc, parts.path, urlencode(params), parts.fragment))
    return clean, env


def with_database(url: str, name: str) -> str:
    """`url` naming database `name` instead."""
    parts = urlsplit(url)
    params = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "dbname"]
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, urlencode(params), parts.fragment))


def _run(command: list[str], env: dict[str, str], **kwargs: object) -> str | None:
    """Run a tool; None when it succeeded, else its last lines of stderr."""
    try:
        done = subprocess.run(
            command,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",  # a garbled dump's names reach pg_restore's messages
            timeout=TOOL_TIMEOUT,
            check=False,
            **kwargs,  # type: ignore[call-overload]
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    if done.returncode == 0:
        return None
    lines = [line for line in (done.stderr or "").splitlines() if line.strip()]
    return "；".join(lines[-3:]) or f"退出码 {done.returncode}"


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except FileNotFoundError:
        pass


def backup_database(url: str, out: str | Path, *, progress: Progress = silent) -> VerifyReport:
    """`pg_dump -Fc` of `url` into `out` (0600), checked by restoring it into a scratch database
    and verifying that (`check_dump`). Raises `DumpError` when a step fails (nothing is left
    under `out`); returns the copy's verify report (a failed verify keeps the file: it is a
    faithful copy of what the server holds, and the report says what is wrong with that)."""
    use_private_umask()
    out = Path(out)
    if out.exists():
        raise DumpError(f"备份文件 {out} 已存在，请换一个文件名，以免覆盖以前的备份。")
    if not out.parent.is_dir():
        raise DumpError(f"目录 {out.parent} 不存在，请先创建或换一个位置。")
    pg_dump = find_tool("pg_dump")
    target, env = libpq_target(url)
    tmp = out.with_name(out.name + ".partial")
    _remove(tmp)
    progress("导出数据库（pg_dump）", 0, 0)
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            failed = _run(
                [str(pg_dump), "--format=custom", "--no-password", f"--dbname={target}"],
                env,
                stdout=fd,
            )
            os.fsync(fd)
        finally:
            os.close(fd)
        if failed:
            raise DumpError(f"第 1 步 pg_dump 导出失败：{failed}")
        make_private(tmp)
        digest = file_sha256(tmp)
        report = check_dump(url, tmp, progress=progress)
        sums = checksum_file(out)
        sums_tmp = sums.with_name(sums.name + ".partial")
        sums_tmp.write_text(f"{digest}  {out.name}\n", encoding="utf-8")
        make_private(sums_tmp)
        os.replace(tmp, out)
        os.replace(sums_tmp, sums)
    except BaseException:
        _remove(tmp)
        _remove(checksum_file(out).with_name(checksum_file(out).name + ".partial"))
        raise
    return report


def checksum_file(dump: Path) -> Path:
    """Where a dump's SHA-256 is kept: `NAME.sha256` beside it."""
    return dump.with_name(dump.name + ".sha256")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_sum(dump: Path) -> None:
    """Compare `dump` with its `NAME.sha256` when there is one; `DumpError` when it differs."""
    sums = checksum_file(dump)
    if not sums.is_file():
        return
    try:
        recorded = sums.read_text(encoding="utf-8").split()[0].lower()
    except (OSError, UnicodeDecodeError, IndexError) as exc:
        raise DumpError(f"第 1 步无法读取校验文件 {sums}（{exc}）。") from exc
    if file_sha256(dump) != recorded:
        raise DumpError(
            f"第 1 步校验和不符：备份文件 {dump} 与备份时记下的 SHA-256（{sums.name}）不同，"
            "文件已被改动或损坏，不可用于恢复。"
        )


def check_dump(url: str, dump: str | Path, *, progress: Progress = silent) -> VerifyReport:
    """Compare `dump` with its `NAME.sha256` (when there is one), restore it into a new scratch
    database on `url`'s server, verify it in full through the port, drop it. Raises `DumpError` when the scratch database cannot be made or the
    restore fails; returns the verify report otherwise."""
    dump = Path(dump)
    if not dump.is_file():
        raise DumpError(f"找不到备份文件 {dump}。")
    _check_sum(dump)
    pg_restore = find_tool("pg_restore")
    scratch = f"clerk_check_{os.getpid()}_{secrets.token_hex(4)}"
    scratch_url = with_database(url, scratch)
    target, env = libpq_target(scratch_url)
    progress("恢复副本到临时数据库（pg_restore）", 0, 0)
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                    sql.Identifier(scratch)
                )
            )
    except psycopg.Error as exc:
        raise DumpError(
            f"第 2 步无法新建临时数据库 {scratch} 来检查备份（{_first_line(exc)}）；"
            "检查备份需要该用户有 CREATEDB 权限。"
        ) from exc
    try:
        failed = _run(
            [
                str(pg_restore),
                "--exit-on-error",
                "--no-owner",
                "--no-password",
                f"--dbname={target}",
                str(dump),
            ],
            env,
            stdout=subprocess.DEVNULL,
        )
        if failed:
            raise DumpError(f"第 3 步 pg_restore 恢复副本失败，备份文件不可用：{failed}")
        progress("核验副本", 0, 0)
        from clerk.storage.postgres.store import PostgresStore

        try:
            store = PostgresStore.open(scratch_url, migrate=False)
            try:
                return store.verify(full=True, remember=False)
            finally:
                store.close()
        except StorageError as exc:
            raise DumpError(f"第 4 步核验恢复出的副本时出错：{exc}") from exc
    finally:
        _drop(url, scratch)


def _drop(url: str, name: str) -> None:
    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )
    except psycopg.Error:
        pass  # left for the administrator: named clerk_check_*, holds only a copy


def _first_line(exc: BaseException) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else type(exc).__name__
