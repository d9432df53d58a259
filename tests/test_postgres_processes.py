"""PostgreSQL under concurrent OS processes, and what only a server engine has: the roles, the
password kept out of sight, opening by URL (issue 20). Skipped without PostgreSQL binaries."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import postgres

pytestmark = pytest.mark.skipif(
    postgres.skip_reason() is not None, reason=postgres.skip_reason() or ""
)

WORKER = Path(__file__).with_name("pg_worker.py")
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def url() -> Iterator[str]:
    found = postgres.fresh_database()
    yield found
    postgres.drop_database(found)


def _setup(url: str):
    from storage_contract.contract_adapters import FAST_HASHER
    from storage_contract.contract_helpers import ORIGIN, FixedClock

    from clerk.storage.postgres.store import PostgresStore

    store = PostgresStore.open(url, clock=FixedClock(), hasher=FAST_HASHER)
    store.set_setting("point_code", ORIGIN)
    store.add_point(ORIGIN, "岳麓区服务点", "point", ORIGIN)
    return store


def _race(tmp_path: Path, url: str, jobs: list[list[str]]) -> list[dict]:
    go = tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    procs = [
        subprocess.Popen(
            [sys.executable, str(WORKER), url, str(go), *job],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for job in jobs
    ]
    for p in procs:  # every process connected and waiting before any writes
        assert p.stderr is not None
        line = p.stderr.readline()
        assert line.strip() == "ready", line + p.stderr.read()
    go.write_text("go")
    results = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


PROCESSES = 20
EACH = 5


def test_twenty_processes_appending_at_once_keep_one_gap_free_chain(tmp_path, url):
    store = _setup(url)
    try:
        results = _race(
            tmp_path,
            url,
            [["append", str(1 + k * EACH), str(EACH)] for k in range(PROCESSES)],
        )
        total = PROCESSES * EACH
        sync = store.sync_store()
        events = list(sync.events_after("YZ01", 0))
        report = store.verify(full=True, remember=False)
        assert (
            sum(r["appended"] for r in results),
            [e["seq"] for e in events],
            all(
                e["prev_hash"] == (events[i - 1]["hash"] if i else "0" * 64)
                for i, e in enumerate(events)
            ),
            report.ok,
            report.events,
            store.chain_head("YZ01") == (total, events[-1]["hash"]),
        ) == (total, list(range(1, total + 1)), True, True, total, True)
    finally:
        store.close()


def test_twenty_processes_deciding_the_same_case_make_one_decision(tmp_path, url):
    from storage_contract.contract_helpers import new_case

    store = _setup(url)
    try:
        uuid = new_case(store, 1)
        results = _race(tmp_path, url, [["decide", uuid] for _ in range(PROCESSES)])
        case = store.get_case(uuid)
        assert (
            sorted(r["decided"] for r in results).count(True),
            case.version if case else None,
            [e.seq for e in store.case_events(uuid)],
            store.verify(full=True, remember=False).chain_ok,  # the case columns: a bare state
        ) == (1, 2, [1, 2], True)
    finally:
        store.close()


def test_the_application_role_may_append_but_not_rewrite_events(url):
    """A window logs in as a member of clerk_app: it appends events; UPDATE, DELETE and TRUNCATE
    of the log are refused by the privileges (even with the triggers out of the way), and so is
    switching the triggers off (what the superuser does in tests/test_verify_postgres.py)."""
    import psycopg
    from storage_contract.contract_helpers import FixedClock, new_case

    from clerk.ports.errors import ConstraintError
    from clerk.storage.postgres.errors import translated
    from clerk.storage.postgres.store import PostgresStore

    _setup(url).close()
    database = url.rsplit("/", 1)[1]
    window_url = postgres.cluster().url(database, postgres.APP)
    window = PostgresStore.open(window_url, clock=FixedClock())
    try:
        uuid = new_case(window, 1)
        refused = []
        for sql in (
            "UPDATE events SET reason = 'x'",
            "DELETE FROM events",
            "TRUNCATE events",
            "UPDATE chain_heads SET seq = 0",
            # nor can it switch the guards off first, as the owner or the superuser could
            "ALTER TABLE events DISABLE TRIGGER USER",
            "SET session_replication_role = replica",
        ):
            with pytest.raises(ConstraintError) as caught:
                with translated(), psycopg.connect(window_url, autocommit=True) as conn:
                    conn.execute(sql)
            refused.append(
                "permission denied" in str(caught.value) or "must be owner" in str(caught.value)
            )
        assert (refused, [e.seq for e in window.case_events(uuid)]) == ([True] * 6, [1])
    finally:
        window.close()


def test_open_store_takes_a_url_and_never_shows_the_password(url, monkeypatch, tmp_path):
    from clerk.db import open_store

    passfile = tmp_path / "pgpass"
    passfile.write_text("*:*:*:*:s3cret-password\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    with_password = url.replace("clerk_owner@", "clerk_owner:another-s3cret@") + "?sslmode=disable"
    store = open_store(with_password)
    try:
        assert (
            store.location.startswith("postgresql://127.0.0.1:"),
            "s3cret" in store.location,
            "@" in store.location,
            "user=clerk_owner" in store.location,
            store.schema_version(),
        ) == (True, False, False, True, 15)
    finally:
        store.close()


def test_a_server_that_is_not_there_is_a_chinese_storage_error():
    from clerk.ports.errors import StorageError
    from clerk.storage.postgres.store import PostgresStore

    with pytest.raises(StorageError, match="无法连接数据库服务器") as caught:
        PostgresStore.open(
            "postgresql://nobody:pw@127.0.0.1:1/none?connect_timeout=2", migrate=False
        )
    assert "pw@" not in str(caught.value)


def test_the_schema_holds_the_records_of_the_sqlite_storage_version():
    from clerk.storage.postgres import schema
    from clerk.storage.sqlite import schema as sqlite_schema

    assert schema.RECORD_VERSION == sqlite_schema.LATEST


def test_a_point_bundle_imports_into_a_county_on_postgresql_and_the_answer_goes_back(tmp_path, url):
    """A township point (SQLite) hands on a case; the county office runs on PostgreSQL: it
    imports the bundle, accepts the case, exports the return bundle; the point imports it; both
    records verify."""
    from support.clock import MONDAY, Clock
    from support.sync import (
        OFFICE,
        PASSWORD,
        POINT,
        collected,
        declare_points,
        exchange_keys,
        export,
        installation,
        user,
    )

    from clerk.domain.catalog import default_catalog
    from clerk.domain.model import CaseState, Role
    from clerk.domain.offices import default_offices
    from clerk.service.window import Window
    from clerk.storage.postgres.store import PostgresStore

    clock = Clock(MONDAY)
    store = PostgresStore.open(url, clock=clock)
    declare_points(store)  # type: ignore[arg-type]
    county = Window(
        store,  # type: ignore[arg-type]
        default_catalog(),
        default_offices(),
        clock=clock,
        documents_root=tmp_path / "county" / "documents",
    )
    county.setup(OFFICE, "admin", "王管理", PASSWORD)
    store.create_user("clerk1", "李经办", Role.CLERK, PASSWORD, OFFICE)
    point = installation(tmp_path / "point", POINT, clock)
    try:
        exchange_keys(county, point)
        uuid = collected(point, 35)
        report = county.import_bundle(export(point, tmp_path / "usb").path)
        assert (report.status, report.imported["cases"]) == ("imported", 1), report.message
        clock.set(2026, 11, 2, 14, 0)
        county.accept(user(county, "clerk1"), uuid)
        returned = point.import_bundle(export(county, tmp_path / "usb", for_point=POINT).path)
        assert (
            returned.status,
            point.store.get_case(uuid).state,
            store.get_case(uuid).state,
            store.verify(full=True).ok,
            point.store.verify(full=True).ok,
            store.sync_store().heads()[f"{OFFICE}:{POINT}"]
            == point.store.sync_store().heads()[f"{OFFICE}:{POINT}"],
        ) == ("imported", CaseState.ACCEPTED, CaseState.ACCEPTED, True, True, True)
    finally:
        point.store.close()
        store.close()
