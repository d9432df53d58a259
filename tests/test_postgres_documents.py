"""Documents every window of a hall can reach (issue 20, item 3): on PostgreSQL a document's bytes
are kept in the database with its record, any window reprints them, `clerk verify` proves them on
the server, `migrate-store` and the bundles carry them. Skipped without PostgreSQL binaries."""

from __future__ import annotations

import hashlib
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from argon2 import PasswordHasher
from support import postgres
from support.clock import MONDAY, Clock
from support.sync import OFFICE, PASSWORD, POINT, declare_points, opened, user

from clerk.cli import main
from clerk.domain.catalog import default_catalog
from clerk.domain.model import Role
from clerk.domain.offices import default_offices
from clerk.ports.errors import ConstraintError, StorageError
from clerk.service.window import ServiceError, Window
from clerk.storage.postgres.errors import translated
from clerk.storage.postgres.store import PostgresStore

pytestmark = pytest.mark.skipif(
    postgres.skip_reason() is not None, reason=postgres.skip_reason() or ""
)

FAST = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
ITEM = 9  # 城乡居民参保登记: accepted and closed at the window, two documents


@pytest.fixture
def url() -> Iterator[str]:
    found = postgres.fresh_database()
    yield found
    postgres.drop_database(found)


@pytest.fixture
def clock() -> Clock:
    return Clock(MONDAY)


def _window(url: str, root: Path, clock: Clock) -> Window:
    store = PostgresStore.open(url, clock=clock, hasher=FAST)
    return Window(
        store,  # type: ignore[arg-type]
        default_catalog(),
        default_offices(),
        clock=clock,
        documents_root=root,
    )


@pytest.fixture
def hall(url: str, tmp_path: Path, clock: Clock) -> Iterator[tuple[Window, Window]]:
    """Window 3 and window 7 of one county hall: one PostgreSQL database, each PC its own
    documents folder."""
    three = _window(url, tmp_path / "pc3" / "documents", clock)
    declare_points(three.store)
    three.setup(OFFICE, "admin", "王管理", PASSWORD)
    three.store.create_user("clerk1", "李经办", Role.CLERK, PASSWORD, OFFICE)
    three.store.create_user("clerk7", "周经办", Role.CLERK, PASSWORD, OFFICE)
    seven = _window(url, tmp_path / "pc7" / "documents", clock)
    yield three, seven
    three.store.close()
    seven.store.close()


def _accepted(window: Window) -> str:
    uuid = opened(window, ITEM)
    window.accept(user(window, "clerk1"), uuid)
    return uuid


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _owner_sql(url: str, sql: str, params: Any = None) -> None:
    """What someone holding the server's superuser could do behind clerk's back (the triggers
    switched off for the session)."""
    database = url.rsplit("/", 1)[1]
    with psycopg.connect(postgres.cluster().admin_url(database), autocommit=True) as conn:
        conn.execute("SET session_replication_role = replica")
        conn.execute(sql, params)


# ---------------------------------------------------------------------- issuing


def test_a_decision_keeps_its_documents_bytes_on_the_server_under_their_names(hall):
    three, _ = hall
    uuid = _accepted(three)
    docs = three.store.documents_for(uuid)
    root = three.context.documents.root
    kept = [
        (
            d.kind,
            d.path_pdf == f"2026/11/{Path(d.path_pdf).name}",
            _sha(three.store.document_content(d.path_pdf) or b""),
            three.store.document_content(d.path_txt) == (root / d.path_txt).read_bytes(),
        )
        for d in docs
    ]
    assert kept == [
        ("acceptance", True, docs[0].sha256, True),
        ("completion", True, docs[1].sha256, True),
    ]


def test_a_decision_that_fails_leaves_neither_its_record_nor_its_bytes(hall, monkeypatch):
    three, _ = hall
    uuid = opened(three, ITEM)
    store = three.store
    kept: list[str] = []
    real_content, real_add = store.add_document_content, store.add_document

    def spy_content(name: str, content: bytes) -> None:
        kept.append(name)
        real_content(name, content)

    def add_then_fail(document: Any) -> str:
        real_add(document)
        raise StorageError("连接中断")

    monkeypatch.setattr(store, "add_document_content", spy_content)
    monkeypatch.setattr(store, "add_document", add_then_fail)
    with pytest.raises(ServiceError):
        three.accept(user(three, "clerk1"), uuid)
    monkeypatch.undo()
    assert (
        len(kept),
        [store.document_content(n) for n in kept],
        store.documents_for(uuid),
        str(store.get_case(uuid).state),
    ) == (2, [None, None], [], "draft")


def test_the_same_decision_retried_after_a_failure_is_kept(hall, monkeypatch):
    three, _ = hall
    uuid = opened(three, ITEM)
    store = three.store
    monkeypatch.setattr(store, "add_document", lambda d: (_ for _ in ()).throw(StorageError("x")))
    with pytest.raises(ServiceError):
        three.accept(user(three, "clerk1"), uuid)
    monkeypatch.undo()
    three.accept(user(three, "clerk1"), uuid)
    assert [d.kind for d in store.documents_for(uuid)] == ["acceptance", "completion"]
    assert store.verify(full=True).ok


# ---------------------------------------------------------------------- reprinting


def test_any_window_reprints_what_another_window_issued(hall):
    three, seven = hall
    uuid = _accepted(three)
    acceptance = three.store.documents_for(uuid)[0]
    issued = (three.context.documents.root / acceptance.path_pdf).read_bytes()
    saved = seven.reprint(user(seven, "clerk7"), uuid, acceptance.uuid)
    copy = seven.context.documents.root / acceptance.path_pdf
    assert (
        saved.path_pdf,
        saved.path_pdf.read_bytes() == issued,
        saved.path_txt.read_bytes() == three.store.document_content(acceptance.path_txt),
        stat.S_IMODE(saved.path_pdf.stat().st_mode),
        [e.action for e in seven.store.case_events(uuid)][-1],
    ) == (copy, True, True, 0o600, "print")


def test_a_window_reprints_even_when_its_own_copy_is_gone(hall):
    three, _ = hall
    uuid = _accepted(three)
    acceptance = three.store.documents_for(uuid)[0]
    local = three.context.documents.root / acceptance.path_pdf
    local.unlink()
    saved = three.reprint(user(three, "clerk1"), uuid, acceptance.uuid)
    assert (saved.path_pdf, _sha(local.read_bytes())) == (local, acceptance.sha256)


def test_a_different_local_copy_is_set_aside_not_printed(hall):
    three, seven = hall
    uuid = _accepted(three)
    acceptance = three.store.documents_for(uuid)[0]
    copy = seven.context.documents.root / acceptance.path_pdf
    copy.parent.mkdir(parents=True)
    copy.write_bytes(b"not the document")
    saved = seven.reprint(user(seven, "clerk7"), uuid, acceptance.uuid)
    aside = copy.with_name(f"{copy.stem}.unrecorded-1.pdf")
    assert (_sha(saved.path_pdf.read_bytes()), aside.read_bytes()) == (
        acceptance.sha256,
        b"not the document",
    )


def test_a_reprint_refuses_bytes_changed_on_the_server(hall):
    three, seven = hall
    uuid = _accepted(three)
    acceptance = three.store.documents_for(uuid)[0]
    _owner_sql(
        three.store.url,
        "UPDATE document_contents SET content = content || '\\x00'::bytea WHERE name = %s",
        (acceptance.path_pdf,),
    )
    with pytest.raises(ServiceError) as refused:
        seven.reprint(user(seven, "clerk7"), uuid, acceptance.uuid)
    assert "与登记的 SHA-256 不符，没有打印" in str(refused.value)
    assert not (seven.context.documents.root / acceptance.path_pdf).exists()


# ---------------------------------------------------------------------- verify


def test_verify_proves_every_document_on_the_server(hall, tmp_path):
    three, _ = hall
    _accepted(three)
    # the window's own files play no part: the server's bytes are the record
    for path in sorted(three.context.documents.root.rglob("*.pdf")):
        path.unlink()
    report = three.store.verify(full=True)
    assert (report.ok, report.documents) == (True, 2)


@pytest.mark.parametrize(
    ("part", "said"),
    [("path_pdf", " 的PDF与登记的 SHA-256 不符"), ("path_txt", " 的文本与登记的 SHA-256 不符")],
)
def test_verify_catches_a_document_changed_on_the_server(hall, part, said):
    three, _ = hall
    uuid = _accepted(three)
    acceptance = three.store.documents_for(uuid)[0]
    _owner_sql(
        three.store.url,
        "UPDATE document_contents SET content = content || '\\x00'::bytea WHERE name = %s",
        (getattr(acceptance, part),),
    )
    report = three.store.verify(full=True)
    assert [p.message for p in report.problems] == [
        f"办件 {three.store.get_case(uuid).case_no} 的文书 {acceptance.doc_no}{said}"
        "：数据库中的文书内容被改动。"
    ]


def test_verify_catches_a_document_removed_from_the_server(hall):
    three, _ = hall
    uuid = _accepted(three)
    acceptance = three.store.documents_for(uuid)[0]
    _owner_sql(
        three.store.url, "DELETE FROM document_contents WHERE name = %s", (acceptance.path_pdf,)
    )
    report = three.store.verify(full=True)
    assert [p.message for p in report.problems] == [
        f"办件 {three.store.get_case(uuid).case_no} 的文书 {acceptance.doc_no} 的内容"
        f"（{acceptance.path_pdf}）不在数据库中：请从备份恢复数据库。"
    ]


def test_clerk_verify_fails_on_a_changed_document(hall, capsys):
    three, _ = hall
    uuid = _accepted(three)
    acceptance = three.store.documents_for(uuid)[0]
    _owner_sql(
        three.store.url,
        "UPDATE document_contents SET content = '\\x00'::bytea WHERE name = %s",
        (acceptance.path_pdf,),
    )
    assert main(["verify", "--db", three.store.url, "--full"]) == 1
    assert "数据库中的文书内容被改动" in capsys.readouterr().out


def test_an_incremental_verify_checks_the_documents_of_the_cases_it_replays(hall):
    three, _ = hall
    assert three.store.verify(full=True).ok
    uuid = _accepted(three)
    acceptance = three.store.documents_for(uuid)[0]
    _owner_sql(
        three.store.url,
        "UPDATE document_contents SET content = '\\x00'::bytea WHERE name = %s",
        (acceptance.path_pdf,),
    )
    report = three.store.verify()
    assert (report.ok, report.documents) == (False, 2)


# ---------------------------------------------------------------------- the engine's guards


def test_the_application_role_inserts_document_bytes_but_cannot_change_them(url):
    PostgresStore.open(url).close()
    window_url = postgres.cluster().url(url.rsplit("/", 1)[1], postgres.APP)
    with psycopg.connect(window_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO document_contents (name, content, kept_at) VALUES ('a.pdf', 'x', 't')"
        )
    refused = []
    for sql in (
        "UPDATE document_contents SET content = 'y'",
        "DELETE FROM document_contents",
        "TRUNCATE document_contents",
    ):
        with pytest.raises(ConstraintError) as caught:
            with translated(), psycopg.connect(window_url, autocommit=True) as conn:
                conn.execute(sql)
        refused.append("permission denied" in str(caught.value))
    assert refused == [True, True, True]


def test_the_triggers_refuse_changing_document_bytes_even_for_the_owner(url):
    store = PostgresStore.open(url)
    try:
        store.add_document_content("2026/11/a.pdf", b"%PDF")
    finally:
        store.close()
    refused = []
    for sql in ("UPDATE document_contents SET content = 'y'", "DELETE FROM document_contents"):
        with pytest.raises(ConstraintError) as caught:
            with translated(), psycopg.connect(url, autocommit=True) as conn:
                conn.execute(sql)
        refused.append("kept as issued" in str(caught.value))
    assert refused == [True, True]


# ---------------------------------------------------------------------- bundles


def test_a_county_on_postgresql_sends_its_documents_in_the_return_bundle(
    tmp_path, url, clock, monkeypatch
):
    """A point (SQLite) hands on a case; the county (PostgreSQL) keeps the point's receipt on the
    server, accepts the case and returns its acceptance with the bytes read from the server; the
    point's copy hashes to the record and both verify."""
    from support.sync import collected, exchange_keys, export, installation

    county = _window(url, tmp_path / "county" / "documents", clock)
    declare_points(county.store)
    county.setup(OFFICE, "admin", "王管理", PASSWORD)
    county.store.create_user("clerk1", "李经办", Role.CLERK, PASSWORD, OFFICE)
    point = installation(tmp_path / "point", POINT, clock)
    try:
        exchange_keys(county, point)
        uuid = collected(point, 35)
        receipt = point.store.documents_for(uuid)[0]
        assert county.import_bundle(export(point, tmp_path / "usb").path).status == "imported"
        brought = county.store.documents_for(uuid)[0]
        assert (brought.path_pdf, county.store.document_content(brought.path_pdf)) == (
            f"received/{POINT}/{receipt.sha256}.pdf",
            Path(receipt.path_pdf).read_bytes(),
        )
        clock.set(2026, 11, 2, 14, 0)
        county.accept(user(county, "clerk1"), uuid)
        for path in (tmp_path / "county" / "documents").rglob("*"):  # only the server's bytes
            if path.is_file():
                path.unlink()
        from clerk.sync import exchange

        built = []
        real = exchange.build_export
        monkeypatch.setattr(
            exchange, "build_export", lambda *a, **k: built.append(real(*a, **k)) or built[-1]
        )
        returned = point.import_bundle(export(county, tmp_path / "usb", for_point=POINT).path)
        # packed from a spool, one document in memory at a time, not held in the bundle's contents
        assert (built[0].files, len(built[0].file_paths) >= 2) == ({}, True)
        acceptance = next(d for d in point.store.documents_for(uuid) if d.kind == "acceptance")
        assert (
            returned.status,
            _sha(Path(acceptance.path_pdf).read_bytes()) == acceptance.sha256,
            county.store.verify(full=True).ok,
            point.store.verify(full=True).ok,
        ) == ("imported", True, True, True)
    finally:
        point.store.close()
        county.store.close()


# ---------------------------------------------------------------------- migrate-store


def _demo_file(tmp_path: Path) -> Path:
    from datetime import date

    from clerk.db import Store
    from clerk.service.demo import fill

    path = tmp_path / "office.db"
    store = Store.open(path, hasher=FAST)
    try:
        fill(
            store,
            default_catalog(),
            default_offices(),
            cases=6,
            point_code="YZ01",
            end=date(2026, 3, 13),
            days=3,
            documents_root=tmp_path / "documents",
        )
    finally:
        store.close()
    return path


def test_migrate_store_moves_every_document_file_onto_the_server(tmp_path, url, capsys):
    from clerk.storage.sqlite.raw_tables import raw_tables

    source = _demo_file(tmp_path)
    with raw_tables(source) as src:
        rows = list(src.rows("documents", ["uuid", "case_uuid", "path_txt", "path_pdf"]))
    files = {
        (uuid, kind): Path(path).read_bytes()
        for uuid, _, txt, pdf in rows
        for kind, path in (("txt", txt), ("pdf", pdf))
    }
    assert main(["migrate-store", str(source), url]) == 0
    assert "结论：迁移完成" in capsys.readouterr().out
    for path in (tmp_path / "documents").rglob("*"):  # the files are no longer needed
        if path.is_file():
            path.unlink()
    store = PostgresStore.open(url)
    try:
        on_server = {
            (d.uuid, kind): store.document_content(getattr(d, f"path_{kind}"))
            for case_uuid in sorted({r[1] for r in rows})
            for d in store.documents_for(case_uuid)
            for kind in ("txt", "pdf")
        }
        assert (len(files) > 10, on_server == files, store.verify(full=True).ok) == (
            True,
            True,
            True,
        )
    finally:
        store.close()


def test_migrate_store_fails_its_check_when_a_document_file_is_missing(tmp_path, url, capsys):
    source = _demo_file(tmp_path)
    missing = sorted((tmp_path / "documents").rglob("*.pdf"))[0]
    missing.unlink()
    assert main(["migrate-store", str(source), url]) == 1
    printed = capsys.readouterr().out
    assert f"（{missing.relative_to(tmp_path / 'documents').as_posix()}）不在数据库中" in printed
    assert "结论：迁移后的核验未通过" in printed


# ---------------------------------------------------------------------- roster batches


def test_a_roster_batch_keeps_its_receipt_and_notice_on_the_server(url, tmp_path):
    from roster_support import COLLEGE, COLLEGE_NAME, NOW, roster

    from clerk.domain.clock import fixed_clock

    store = PostgresStore.open(url, clock=fixed_clock(NOW), hasher=FAST)
    window = Window(
        store,  # type: ignore[arg-type]
        default_catalog(),
        default_offices(),
        clock=fixed_clock(NOW),
        documents_root=tmp_path / "documents",
    )
    try:
        store.add_point(COLLEGE, COLLEGE_NAME, "college", "YZ01")
        window.setup(COLLEGE, "admin", "王管理", PASSWORD)
        store.create_user("li", "李经办", Role.CLERK, PASSWORD, COLLEGE)
        clerk = window.login("li", PASSWORD)
        check = window.check_roster(roster(tmp_path, 3, bad={1: "check_digit"}))
        result = window.enrol_roster(clerk, check, seal_checked=True, accept_valid=True)
        assert result.notice is not None
        receipt_pdf = store.document_content(f"2026/09/{result.receipt.path_pdf.name}")
        notice_pdf = store.document_content(f"2026/09/{result.notice.path_pdf.name}")
        case = store.get_case_by_no(result.first_case_no)
        names = sorted({d.path_pdf for d in store.documents_for(case.uuid)})
        assert (
            _sha(receipt_pdf or b""),
            notice_pdf == result.notice.path_pdf.read_bytes(),
            names,
            store.verify(full=True).ok,
        ) == (
            result.receipt.sha256,
            True,
            [f"2026/09/{result.receipt.path_pdf.name}"],
            True,
        )
    finally:
        store.close()


def test_verify_catches_a_document_row_changed_with_its_bytes(hall):
    """Someone replaces a document's bytes on the server and its recorded SHA-256 with them: the
    issuing event still names the original."""
    three, _ = hall
    uuid = _accepted(three)
    acceptance = three.store.documents_for(uuid)[0]
    forged = b"%PDF-1.4 forged"
    _owner_sql(
        three.store.url,
        "UPDATE document_contents SET content = %s WHERE name = %s",
        (forged, acceptance.path_pdf),
    )
    _owner_sql(
        three.store.url,
        "UPDATE documents SET sha256 = %s WHERE uuid = %s",
        (_sha(forged), acceptance.uuid),
    )
    report = three.store.verify(full=True)
    assert (report.ok, [p.kind for p in report.problems]) == (False, ["document"])
    assert report.problems[0].message == (
        f"办件 {three.store.get_case(uuid).case_no} 的文书 {acceptance.doc_no} 的登记"
        "（种类或文件的 SHA-256）与事件记录不符：文书登记被改动，文件可能被替换。"
    )


def test_a_window_copy_of_a_kept_document_counts_as_recorded(hall, tmp_path):
    """The start-up tidy asks whether a file left by an attempt is recorded: a window's copy of a
    document the server keeps is (it is kept); a file under another number is not."""
    three, seven = hall
    uuid = _accepted(three)
    acceptance = three.store.documents_for(uuid)[0]
    copy = seven.context.documents.root / acceptance.path_pdf
    assert (
        seven.store.document_at(copy),
        seven.store.document_at(copy.with_name("YZ03-other.pdf")),
    ) == (True, False)


# ---------------------------------------------------------------------- at the window (Pilot)


async def test_window_seven_reprints_from_the_case_detail_what_window_three_issued(hall):
    from support.app import app_for, wait_until

    from clerk.screens.case_detail import CaseDetailScreen

    three, seven = hall
    uuid = _accepted(three)
    acceptance = three.store.documents_for(uuid)[0]
    copy = seven.context.documents.root / acceptance.path_pdf
    app = app_for(seven, user(seven, "clerk7"))
    async with app.run_test(size=(120, 36)) as pilot:
        app.open_case(uuid)
        await pilot.pause()
        assert isinstance(app.screen, CaseDetailScreen)
        await pilot.press("r")
        await pilot.pause()
        await pilot.press("1")
        await wait_until(pilot, lambda: bool(app._notifications), "the reprint's notice")
        shown = [n.message for n in app._notifications][-1]
    assert (shown, _sha(copy.read_bytes()), seven.case(uuid).events[-1].action) == (
        f"已重新生成：{copy}",
        acceptance.sha256,
        "print",
    )


def test_a_full_verify_names_document_bytes_no_record_names(hall):
    """Bytes written into the server beside the record (the windows' role may insert) are not a
    document of the record: a full verify names them, as it names a stray file on SQLite."""
    three, _ = hall
    _accepted(three)
    window_url = postgres.cluster().url(three.store.url.rsplit("/", 1)[1], postgres.APP)
    with psycopg.connect(window_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO document_contents (name, content, kept_at) VALUES (%s, %s, 't')",
            ("2026/11/YZ03-forged.pdf", b"%PDF-1.4 forged"),
        )
    report = three.store.verify(full=True)
    assert [(p.kind, p.message) for p in report.problems] == [
        (
            "orphan",
            "数据库中的文书内容 2026/11/YZ03-forged.pdf 没有任何登记记录：它可能是登记记录被删除后"
            "留下的，或被另行写入。",
        )
    ]
