"""PostgreSQL's own tools for an office on a server (issue 20, items 5 and 7): `clerk backup` as
`pg_dump -Fc` checked by a restore and a verify, and `clerk migrate-store` of a SQLite file onto
an empty PostgreSQL database. Skipped without PostgreSQL binaries."""

from __future__ import annotations

import hashlib
import json
import stat
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest
from argon2 import PasswordHasher
from support import postgres

from clerk.cli import main

pytestmark = pytest.mark.skipif(
    postgres.skip_reason() is not None, reason=postgres.skip_reason() or ""
)

FAST = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


@pytest.fixture
def url() -> Iterator[str]:
    found = postgres.fresh_database()
    yield found
    postgres.drop_database(found)


def _demo(store, root: Path, cases: int = 12) -> None:
    from clerk.domain.catalog import default_catalog
    from clerk.domain.offices import default_offices
    from clerk.service.demo import fill

    fill(
        store,
        default_catalog(),
        default_offices(),
        cases=cases,
        point_code="YZ01",
        end=date(2026, 3, 13),
        days=3,
        documents_root=root / "documents",
    )


@pytest.fixture
def demo_file(tmp_path: Path) -> Path:
    from clerk.db import Store

    path = tmp_path / "office.db"
    store = Store.open(path, hasher=FAST)
    try:
        _demo(store, tmp_path)
    finally:
        store.close()
    return path


@pytest.fixture
def filled_url(url: str, tmp_path: Path) -> str:
    from clerk.storage.postgres.store import PostgresStore

    store = PostgresStore.open(url, hasher=FAST)
    try:
        _demo(store, tmp_path, cases=6)
    finally:
        store.close()
    return url


def _scratch_databases() -> list[str]:
    with psycopg.connect(postgres.cluster().admin_url(), autocommit=True) as conn:
        return [
            r[0]
            for r in conn.execute(
                "SELECT datname FROM pg_database WHERE datname LIKE 'clerk_check_%'"
            )
        ]


# ---------------------------------------------------------------- clerk backup on PostgreSQL


def test_backup_dumps_restores_and_verifies_the_copy(filled_url, tmp_path, capsys):
    out = tmp_path / "county.dump"
    assert main(["backup", "--db", filled_url, "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"已备份到 {out}")
    assert "恢复到临时数据库并核验" in printed
    assert "结论：检查通过。" in printed
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert not out.with_name(out.name + ".partial").exists()
    assert _scratch_databases() == []
    sums = out.with_name("county.dump.sha256")
    assert sums.read_text() == f"{hashlib.sha256(out.read_bytes()).hexdigest()}  county.dump\n"
    assert stat.S_IMODE(sums.stat().st_mode) == 0o600
    assert main(["backup", "--db", filled_url, "--check", str(out)]) == 0
    assert "结论：检查通过。" in capsys.readouterr().out


def test_the_password_is_given_to_the_tools_through_the_environment(monkeypatch):
    from clerk.storage.postgres.tools import libpq_target

    clean, env = libpq_target("postgresql://clerk:s3cret@db.example/county?sslmode=verify-full")
    assert "s3cret" not in clean
    assert clean == "postgresql://clerk@db.example/county?sslmode=verify-full"
    assert env["PGPASSWORD"] == "s3cret"
    monkeypatch.delenv("PGPASSWORD", raising=False)
    clean, env = libpq_target("postgresql://db.example/county?user=clerk&password=x1&passfile=/p")
    assert (clean, env["PGPASSWORD"]) == (
        "postgresql://db.example/county?user=clerk&passfile=%2Fp",
        "x1",
    )
    assert "PGPASSWORD" not in libpq_target("postgresql://clerk@db.example/county")[1]


def test_the_readme_restore_command_brings_the_database_back_to_the_dump(
    filled_url, tmp_path, capsys
):
    import subprocess

    from clerk.storage.postgres.store import PostgresStore
    from clerk.storage.postgres.tools import find_tool

    out = tmp_path / "county.dump"
    assert main(["backup", "--db", filled_url, "--out", str(out)]) == 0
    store = PostgresStore.open(filled_url, hasher=FAST)
    at_backup = (store.row_counts(), store.chain_heads())
    _demo(store, tmp_path / "later", cases=3)  # work after the backup, lost by the restore
    assert store.chain_heads() != at_backup[1]
    store.close()
    command = [str(find_tool("pg_restore")), "--clean", "--if-exists", "--no-owner"]
    done = subprocess.run([*command, "-d", filled_url, str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    store = PostgresStore.open(filled_url)
    try:
        assert (store.row_counts(), store.chain_heads()) == at_backup
    finally:
        store.close()
    capsys.readouterr()
    assert main(["verify", "--full", "--db", filled_url]) == 0


@pytest.mark.parametrize("where", [0.3, 0.5, 0.8, 0.95])
def test_a_tampered_dump_is_reported_by_its_checksum(filled_url, tmp_path, capsys, where):
    out = tmp_path / "county.dump"
    assert main(["backup", "--db", filled_url, "--out", str(out)]) == 0
    capsys.readouterr()
    data = bytearray(out.read_bytes())
    data[int(len(data) * where)] ^= 0xFF
    out.write_bytes(bytes(data))
    assert main(["backup", "--db", filled_url, "--check", str(out)]) == 1
    assert "检查失败：第 1 步校验和不符" in capsys.readouterr().err
    assert _scratch_databases() == []


def test_a_tampered_dump_without_its_checksum_fails_the_restore(filled_url, tmp_path, capsys):
    out = tmp_path / "county.dump"
    assert main(["backup", "--db", filled_url, "--out", str(out)]) == 0
    capsys.readouterr()
    out.with_name("county.dump.sha256").unlink()
    data = bytearray(out.read_bytes())
    for k in range(1, 9):  # the tables' (compressed) data lies after the table of contents
        data[len(data) - 30 - k * len(data) // 100] ^= 0xFF
    out.write_bytes(bytes(data))
    assert main(["backup", "--db", filled_url, "--check", str(out)]) == 1
    captured = capsys.readouterr()
    assert "检查失败：第 3 步 pg_restore 恢复副本失败" in captured.err, captured
    assert _scratch_databases() == []


def test_an_existing_dump_is_never_overwritten(url, tmp_path, capsys):
    out = tmp_path / "county.dump"
    out.write_bytes(b"older backup")
    assert main(["backup", "--db", url, "--out", str(out)]) == 1
    assert "已存在" in capsys.readouterr().err
    assert out.read_bytes() == b"older backup"


def test_a_failed_dump_says_which_step_and_leaves_no_file(tmp_path, capsys):
    c = postgres.cluster()
    missing = c.url("no_such_database")
    out = tmp_path / "county.dump"
    assert main(["backup", "--db", missing, "--out", str(out)]) == 1
    assert "pg_dump 导出失败" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- clerk migrate-store


def test_migrate_store_moves_a_demo_office_with_the_same_chains(demo_file, url, capsys):
    from clerk.storage.postgres.store import PostgresStore
    from clerk.storage.sqlite.raw_tables import raw_tables

    assert main(["migrate-store", str(demo_file), url]) == 0
    printed = capsys.readouterr().out
    assert "结论：迁移完成" in printed
    assert "文书：40 个文件的内容已复制到服务器数据库" in printed  # 20 documents, text and PDF
    with raw_tables(demo_file) as src:
        heads, counts = src.heads(), src.counts()
    assert heads and counts["events"] > 12
    store = PostgresStore.open(url)
    try:
        assert store.chain_heads() == heads
        after = store.row_counts()  # the target's own full verify added a checkpoint
        assert after["checkpoints"] == counts["checkpoints"] + 1
        assert {t: n for t, n in after.items() if t in counts and t != "checkpoints"} == {
            t: n for t, n in counts.items() if t != "checkpoints"
        }
        assert store.verify(full=True).ok
        # the name search and the queues work on what arrived
        case = store.get_case_by_no(
            next(iter(store.received_on(date(2026, 3, 13)) or store.unfinished())).case_no
        )
        assert case is not None
        assert any(r.uuid == case.uuid for r in store.search(case.applicant_name[-2:]))
    finally:
        store.close()
    assert main(["verify", "--db", url, "--full"]) == 0


def test_migrate_store_refuses_a_target_that_holds_a_record(demo_file, filled_url, capsys):
    from clerk.storage.postgres.store import PostgresStore

    store = PostgresStore.open(filled_url)
    before = store.row_counts()
    store.close()
    assert main(["migrate-store", str(demo_file), filled_url]) == 1
    assert "目标数据库不是空的" in capsys.readouterr().err
    store = PostgresStore.open(filled_url)
    try:
        assert store.row_counts() == before
    finally:
        store.close()


def test_migrate_store_leaves_every_protection_on_and_marks_every_case(demo_file, url):
    """The load switches the chain-head and verify-mark triggers off while it COPYs and does their
    work once after: the triggers are back on, the heads are the file's, and every case is
    marked for the next incremental verify."""
    from clerk.storage.postgres import bulk
    from clerk.storage.postgres.store import PostgresStore
    from clerk.storage.sqlite.raw_tables import raw_tables

    with raw_tables(demo_file) as src:
        tables = src.tables()
        heads = src.heads()
        store = PostgresStore.open(url)
        try:

            def rows_of(table):
                if table not in tables:
                    return (), ()
                kept = [c for c in src.columns(table) if c in set(store.loadable_columns(table))]
                return kept, src.rows(table, kept)

            store.bulk_load(rows_of)
            reads = store.record_reads()
            assert reads.missing_protections() == []
            assert store.chain_heads() == heads
            marked = {u for u, _ in reads.change_marks()}
            cases = {r[0] for r in store.conn.execute("SELECT uuid FROM cases")}
            assert len(cases) == 12 and marked == cases
            off = store.conn.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgenabled = 'D' AND tgname = ANY(%s)",
                ([t for _, t in bulk.LOAD_TRIGGERS_OFF],),
            ).fetchone()
            assert off == (0,)
            assert store.verify(full=True).ok
            assert reads.change_marks() == []  # a passed full verify clears them all
        finally:
            store.close()


def _break_chain(path: Path, origin_seq: int) -> str:
    """Change one event's link in a SQLite office file (its triggers dropped for the edit)."""
    import sqlite3

    conn = sqlite3.connect(path)
    try:
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'events'"
        ).fetchall():
            conn.execute(f'DROP TRIGGER "{name}"')
        origin = conn.execute("SELECT origin FROM events ORDER BY n LIMIT 1").fetchone()[0]
        conn.execute(
            "UPDATE events SET prev_hash = ? WHERE origin = ? AND seq = ?",
            ("f" * 64, origin, origin_seq),
        )
        conn.commit()
    finally:
        conn.close()
    return str(origin)


@pytest.mark.parametrize("seq", [1, 5])
def test_migrate_store_refuses_a_broken_chain_and_leaves_the_target_empty(
    demo_file, url, capsys, seq
):
    from clerk.storage.postgres.store import PostgresStore

    origin = _break_chain(demo_file, seq)
    assert main(["migrate-store", str(demo_file), url]) == 1
    err = capsys.readouterr().err
    assert f"来源 {origin} 的事件链在第 {seq} 条接不上前一条" in err
    assert "目标数据库保持为空" in err
    store = PostgresStore.open(url)
    try:
        assert not any(store.row_counts().values())
        assert store.chain_heads() == {}
        assert store.record_reads().missing_protections() == []  # the load's switch rolled back
    finally:
        store.close()


def test_migrate_store_refuses_a_target_that_is_not_postgresql(demo_file, tmp_path, capsys):
    assert main(["migrate-store", str(demo_file), str(tmp_path / "other.db")]) == 2
    assert "postgresql://" in capsys.readouterr().err


def test_migrate_store_keeps_interleaved_chains_of_several_origins(tmp_path, url, capsys):
    from storage_contract.contract_helpers import FixedClock, case_row, received

    from clerk.db import Store
    from clerk.storage.postgres.store import PostgresStore

    path = tmp_path / "county.db"
    store = Store.open(path, clock=FixedClock(), hasher=FAST)
    try:
        for n in range(1, 13):  # two origins' events arrive interleaved (a county importing)
            point = "YZ01" if n % 3 else "YZ02"
            store.set_setting("point_code", point)
            with store.transaction():
                uuid = store.insert_case(
                    case_row(n, point_code=point, case_no=f"{point}-20260302-{n:04d}")
                )
                store.append_event(received(uuid), point)
        heads = store.chain_heads()
        origin, (seq, digest) = sorted(heads.items())[0]
        store.add_checkpoint(origin, seq, digest, "ledger", "日结单")
    finally:
        store.close()
    assert len(heads) == 2
    keys = tmp_path / "county.db.keys"  # the office's sync keys, beside its file
    keys.mkdir()
    (keys / "signing.key").write_text("secret")
    assert main(["migrate-store", str(path), url, "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is True
    assert "同步密钥：已从" in result["keys"]
    target = PostgresStore.open(url)
    try:
        moved = target.sync_store().database_path()
        moved_keys = moved.with_name(moved.name + ".keys")
        assert (moved_keys / "signing.key").read_text() == "secret"
        assert stat.S_IMODE(moved_keys.stat().st_mode) == 0o700
        assert target.chain_heads() == heads
        assert [(c.origin, c.seq, c.source) for c in target.checkpoints()][:1] == [
            (origin, seq, "ledger")
        ]
    finally:
        target.close()


def test_the_password_never_reaches_the_tools_command_lines(filled_url, tmp_path, monkeypatch):
    import subprocess

    from clerk.storage.postgres import tools

    with_password = filled_url.replace("clerk_owner@", "clerk_owner:pw-Xy7%40q@")
    seen: list[tuple[list[str], str | None]] = []
    real_run = subprocess.run

    def watching(command, *args, **kwargs):
        seen.append((list(command), kwargs["env"].get("PGPASSWORD")))
        return real_run(command, *args, **kwargs)

    monkeypatch.setattr(tools.subprocess, "run", watching)
    assert main(["backup", "--db", with_password, "--out", str(tmp_path / "c.dump")]) == 0
    assert [Path(c[0]).name for c, _ in seen] == ["pg_dump", "pg_restore"]
    for command, password in seen:
        assert not any("pw-Xy7" in word for word in command)
        assert password == "pw-Xy7@q"
