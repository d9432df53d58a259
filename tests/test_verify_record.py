"""`clerk verify` proves the whole record: each tampering an adversarial tester tried is caught.

Every test builds a small real file through the window (item 31 accepted and awaiting review,
item 9 closed at once), tampers with it the way someone with the file and an SQL shell would, and
runs `clerk verify` as the IT person does.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from support.clock import MONDAY, Clock
from support.db import fresh_db
from support.tamper import tamper_sql

from clerk.cli import main
from clerk.db import Store
from clerk.domain import chain
from clerk.domain.catalog import default_catalog
from clerk.domain.identifiers import resident_id_check_char
from clerk.domain.materials import MaterialCheck
from clerk.domain.model import Applicant, Role
from clerk.domain.offices import default_offices
from clerk.service.window import Window

pytestmark = pytest.mark.usefixtures("engine")  # on SQLite and on PostgreSQL (support.engines)
# On PostgreSQL a document's bytes live in the database (the rows record relative names), so a
# test that reads or replaces the document files in the documents folder runs on SQLite only.
DOCUMENT_FILES = "reads or replaces the document files; on PostgreSQL the bytes are in the database"

PASSWORD = "counterpass1"
POINT = "YZ03"
ID_BODY = "43999919800203123"
PERSON_ID = ID_BODY + resident_id_check_char(ID_BODY)


@pytest.fixture
def window(tmp_path: Path) -> Window:
    w = Window(
        Store.open(fresh_db(tmp_path / "clerk.db")),
        default_catalog(),
        default_offices(),
        clock=Clock(MONDAY),
        documents_root=tmp_path / "documents",
    )
    w.setup(POINT, "admin", "王管理", PASSWORD)
    for login, name, role in (
        ("clerk1", "李经办", Role.CLERK),
        ("rev1", "周审核", Role.REVIEWER),
        ("fin1", "赵财务", Role.FINANCE),
    ):
        w.store.create_user(login, name, role, PASSWORD, POINT)
    yield w
    w.store.close()


def _accepted(window: Window, item_no: int) -> str:
    clerk = window.login("clerk1", PASSWORD)
    view = window.open_case(
        clerk, item_no, Applicant("person", "张三丰", "resident_id", PERSON_ID, phone="13812345678")
    )
    checks = {
        m.id: MaterialCheck(m.id, "ok", m.alternatives[0])
        for m in window.required_for(item_no, frozenset())
    }
    window.check_materials(clerk, view.uuid, checks)
    window.accept(clerk, view.uuid)
    return view.uuid


@pytest.fixture
def cases(window: Window) -> dict[str, str]:
    """uuid -> case number: item 31 awaiting review, item 9 closed."""
    found = {}
    for item_no in (31, 9):
        uuid = _accepted(window, item_no)
        found[uuid] = window.store.get_case(uuid).case_no
    return found


def _db(window: Window) -> Path:
    assert window.store.path is not None
    return window.store.path


def _sql(window: Window, *statements: str, params: tuple = ()) -> None:
    """Statements run behind the port's back (the file, or the server database as its
    superuser: `support.tamper`)."""
    for statement in statements:
        tamper_sql(window, statement, params if "?" in statement else ())


def _verify(window: Window, capsys, *extra: str) -> tuple[int, dict]:
    code = main(["verify", "--db", window.store.location, "--json", *extra])
    return code, json.loads(capsys.readouterr().out)


def _messages(report: dict) -> list[str]:
    return [p["message"] for p in report["problems"]]


def _item31(window: Window, cases: dict[str, str]) -> tuple[str, str]:
    uuid = next(u for u in cases if window.store.get_case(u).item_no == 31)
    return uuid, cases[uuid]


# ---------------------------------------------------------------------- the untouched file


def test_a_file_made_by_the_window_verifies(window, cases, capsys):
    code, report = _verify(window, capsys)
    assert (code, report["ok"], report["mode"], report["cases"], report["documents"]) == (
        0,
        True,
        "full",
        2,
        3,
    )


def test_the_second_verify_is_incremental_and_walks_nothing_old(window, cases, capsys):
    _verify(window, capsys)
    code, report = _verify(window, capsys)
    assert (code, report["mode"], report["events"], report["cases"]) == (0, "incremental", 0, 0)


def test_the_incremental_verify_checks_what_happened_since(window, cases, capsys):
    _verify(window, capsys)
    uuid, _ = _item31(window, cases)
    window.approve(window.login("rev1", PASSWORD), uuid)
    code, report = _verify(window, capsys)
    assert (code, report["mode"], report["events"], report["cases"]) == (0, "incremental", 1, 1)


# ---------------------------------------------------------------------- rows changed without an event


def test_state_set_in_sql_then_paid_without_approval_fails(window, cases, capsys):
    _verify(window, capsys)
    uuid, case_no = _item31(window, cases)
    _sql(window, "UPDATE cases SET state = 'awaiting_payment' WHERE uuid = ?", params=(uuid,))
    window.pay(window.login("fin1", PASSWORD), uuid, 120000, "PAY-1")
    code, report = _verify(window, capsys)
    assert code == 1
    assert any(
        m.startswith(
            f"办件 {case_no}：第 4 条事件（拨付）从“待拨付”开始，但此前的事件记录表明办件处于“已受理”"
        )
        for m in _messages(report)
    )


def test_a_state_changed_in_sql_names_the_case_and_the_field(window, cases, capsys):
    _verify(window, capsys)
    uuid, case_no = _item31(window, cases)
    _sql(window, "UPDATE cases SET state = 'awaiting_payment' WHERE uuid = ?", params=(uuid,))
    code, report = _verify(window, capsys)
    assert code == 1
    assert _messages(report) == [
        f"办件 {case_no} 的状态为“待拨付”，但按事件记录应为“已受理”：该字段被改动而没有相应的事件记录。"
    ]
    assert report["problems"][0]["column"] == "state"


def test_a_changed_due_date_is_named(window, cases, capsys):
    uuid, case_no = _item31(window, cases)
    due = window.store.get_case(uuid).due_date.isoformat()
    _sql(window, "UPDATE cases SET due_date = '2027-06-30' WHERE uuid = ?", params=(uuid,))
    code, report = _verify(window, capsys)
    assert code == 1
    assert _messages(report) == [
        f"办件 {case_no} 的办结期限为“2027-06-30”，但按事件记录应为“{due}”：该字段被改动而没有相应的事件记录。"
    ]


def test_a_changed_amount_is_named(window, cases, capsys):
    uuid, case_no = _item31(window, cases)
    window.approve(window.login("rev1", PASSWORD), uuid)
    window.pay(window.login("fin1", PASSWORD), uuid, 120000, "PAY-1")
    _verify(window, capsys)
    _sql(window, "UPDATE cases SET amount_fen = 9900000 WHERE uuid = ?", params=(uuid,))
    code, report = _verify(window, capsys)
    assert code == 1
    assert _messages(report) == [
        f"办件 {case_no} 的拨付金额为“99000.00 元”，但按事件记录应为“1200.00 元”：该字段被改动而没有相应的事件记录。"
    ]


def test_a_case_inserted_without_events_is_named(window, cases, capsys):
    _sql(
        window,
        "INSERT INTO cases (uuid, case_no, point_code, office_code, origin_point, item_no, channel, state,"
        " applicant_kind, applicant_name, received_at, created_at, updated_at) VALUES ('x-1', 'YZ03-FAKE', 'YZ03',"
        " 'YZ03', 'YZ03', 31, 'on_site', 'awaiting_payment', 'person', '某人', '2026-11-02T09:00:00+08:00',"
        " '2026-11-02T09:00:00+08:00', '2026-11-02T09:00:00+08:00')",
    )
    code, report = _verify(window, capsys)
    assert code == 1
    assert "办件 YZ03-FAKE 没有任何事件记录：它不是经本程序办理建立的。" in _messages(report)


# ---------------------------------------------------------------------- documents


def test_a_deleted_document_row_is_named(window, cases, capsys):
    _verify(window, capsys)
    uuid, case_no = _item31(window, cases)
    _sql(window, "DELETE FROM documents WHERE case_uuid = ?", params=(uuid,))
    code, report = _verify(window, capsys)
    assert code == 1
    assert _messages(report) == [
        f"办件 {case_no} 的事件记录表明已出具 1 份受理通知书，但只登记了 0 份：文书登记记录被删除。"
    ]


@pytest.mark.sqlite_only(DOCUMENT_FILES)
def test_a_deleted_document_row_leaves_an_unnamed_file_for_the_full_verify(window, cases, capsys):
    uuid, _ = _item31(window, cases)
    pdf = Path(window.store.documents_for(uuid)[0].path_pdf)
    _sql(window, "DELETE FROM documents WHERE case_uuid = ?", params=(uuid,))
    code, report = _verify(window, capsys, "--full")
    assert code == 1
    assert any(
        m.startswith(f"文书文件 {pdf.name}（")
        and m.endswith("没有任何登记记录：它可能是登记记录被删除后留下的。")
        for m in _messages(report)
    )


@pytest.mark.sqlite_only(DOCUMENT_FILES)
def test_a_deleted_document_file_is_named(window, cases, capsys):
    _verify(window, capsys)
    uuid, case_no = _item31(window, cases)
    document = window.store.documents_for(uuid)[0]
    Path(document.path_pdf).unlink()
    code, report = _verify(window, capsys)
    assert code == 1
    assert _messages(report) == [
        f"办件 {case_no} 的文书 {document.doc_no} 的文件 {Path(document.path_pdf).name} 不见了：请从备份恢复文书目录。"
    ]


@pytest.mark.sqlite_only(DOCUMENT_FILES)
def test_a_replaced_pdf_fails_the_full_verify(window, cases, capsys):
    uuid, case_no = _item31(window, cases)
    document = window.store.documents_for(uuid)[0]
    Path(document.path_pdf).write_bytes(b"%PDF-1.4 forged")
    code, report = _verify(window, capsys, "--full")
    assert code == 1
    assert _messages(report) == [
        f"办件 {case_no} 的文书 {document.doc_no} 的 PDF 与登记的 SHA-256 不符：文件被改动或替换。"
    ]


@pytest.mark.sqlite_only(DOCUMENT_FILES)
def test_set_aside_files_are_counted_not_failed(window, cases, capsys):
    uuid, _ = _item31(window, cases)
    pdf = Path(window.store.documents_for(uuid)[0].path_pdf)
    (pdf.parent / "YZ03-SL-X.unrecorded-1.pdf").write_bytes(b"%PDF")
    code, report = _verify(window, capsys, "--full")
    assert (code, report["set_aside_files"]) == (0, 1)


# ---------------------------------------------------------------------- the chains


def _drop_guards(window: Window) -> list[str]:
    return [f"DROP TRIGGER {name}" for name in ("events_no_update", "events_no_delete")]


@pytest.mark.sqlite_only("drops SQLite triggers; on PostgreSQL: test_verify_postgres")
def test_the_last_three_events_deleted_fail_the_verify(window, cases, capsys):
    _verify(window, capsys)
    _sql(
        window,
        *_drop_guards(window),
        "DELETE FROM events WHERE n > (SELECT MAX(n) - 3 FROM events)",
    )
    code, report = _verify(window, capsys)
    assert code == 1
    assert (
        "保护记录的触发器缺失（events_no_delete、events_no_update）：有人绕过程序改动了数据库。"
        in _messages(report)
    )
    assert any(
        "上次核验通过时的链头（来源 YZ03 第" in m and "已不存在：事件记录被截断或删除。" in m
        for m in _messages(report)
    )


@pytest.mark.sqlite_only("drops SQLite triggers; on PostgreSQL: test_verify_postgres")
def test_events_deleted_and_the_triggers_put_back_still_fail(window, cases, capsys):
    _verify(window, capsys)
    conn = sqlite3.connect(_db(window), isolation_level=None)
    saved = conn.execute(
        "SELECT sql FROM sqlite_master WHERE name IN ('events_no_update', 'events_no_delete')"
    ).fetchall()
    conn.close()
    _sql(
        window,
        *_drop_guards(window),
        "DELETE FROM events WHERE n > (SELECT MAX(n) - 3 FROM events)",
        *(s for (s,) in saved),
    )
    code, report = _verify(window, capsys)
    assert (code, report["mode"], report["escalated"]) == (
        1,
        "full",
        "数据库结构自上次核验后有改动，已做完整核验",
    )
    kinds = {p["kind"] for p in report["problems"]}
    assert {"checkpoint", "case"} <= kinds


def _rechain(window: Window) -> None:
    """Recompute every hash after an edit, as someone who knows the recipe would."""
    conn = sqlite3.connect(_db(window), isolation_level=None)
    conn.row_factory = sqlite3.Row
    rows = [dict(r) for r in conn.execute("SELECT * FROM events ORDER BY origin, seq")]
    conn.execute("DROP TRIGGER IF EXISTS events_no_update")
    prev = chain.ZERO_HASH
    for row in rows:
        row["prev_hash"] = prev
        digest = chain.event_hash({**row, "data": json.loads(row["data"])}, prev, row["format"])
        conn.execute(
            "UPDATE events SET prev_hash = ?, hash = ? WHERE n = ?", (prev, digest, row["n"])
        )
        prev = digest
    conn.close()


@pytest.mark.sqlite_only(
    "drops SQLite triggers to rewrite the log; on PostgreSQL: test_verify_postgres"
)
def test_a_recomputed_chain_is_caught_against_the_last_verified_head(window, cases, capsys):
    _verify(window, capsys)
    _sql(
        window, "DROP TRIGGER events_no_update", "UPDATE events SET actor = 'mallory' WHERE seq = 1"
    )
    _rechain(window)
    code, report = _verify(window, capsys)
    assert code == 1
    assert any(
        m.startswith("上次核验通过时的链头（来源 YZ03 第")
        and m.endswith("的哈希不同：事件记录被改写。")
        for m in _messages(report)
    )


@pytest.mark.sqlite_only(
    "drops SQLite triggers to rewrite the log; on PostgreSQL: test_verify_postgres"
)
def test_a_recomputed_chain_is_caught_against_a_ledger_head(window, cases, capsys):
    seq, digest = window.store.chain_head()
    window.store.add_checkpoint("YZ03", seq, digest, "ledger", "2026-11-02 日结单")
    _sql(
        window, "DROP TRIGGER events_no_update", "UPDATE events SET actor = 'mallory' WHERE seq = 1"
    )
    _rechain(window)
    _sql(window, "DELETE FROM checkpoints WHERE source = 'verified'")
    code, report = _verify(window, capsys)
    assert code == 1
    assert (
        f"日结单上打印的链头（来源 YZ03 第 {seq} 条，{digest[:12]}…，2026-11-02 日结单）与现存第 {seq} 条事件的哈希不同："
        "事件记录被改写。"
    ) in _messages(report)


def test_the_verify_report_is_chinese_text_without_json(window, cases, capsys):
    uuid, case_no = _item31(window, cases)
    _sql(window, "UPDATE cases SET state = 'closed' WHERE uuid = ?", params=(uuid,))
    assert main(["verify", "--db", window.store.location]) == 1
    out = capsys.readouterr().out
    assert "结论：检查未通过，发现 1 处问题：" in out
    assert f"  - 办件 {case_no} 的状态为“已办结”，但按事件记录应为“已受理”" in out


@pytest.mark.sqlite_only(DOCUMENT_FILES)
def test_the_ledgers_verify_leaves_older_files_to_the_next_verify(window, cases, capsys):
    uuid, case_no = _item31(window, cases)
    _verify(window, capsys)  # the case is replayed and its files hashed: no longer marked
    document = window.store.documents_for(uuid)[0]
    Path(document.path_pdf).unlink()
    assert window.store.verify(recent_files=False)["ok"] is True  # what the daily ledger runs
    code, report = _verify(window, capsys)  # the next clerk verify still looks at the week's files
    assert code == 1
    assert _messages(report) == [
        f"办件 {case_no} 的文书 {document.doc_no} 的文件 {Path(document.path_pdf).name} 不见了：请从备份恢复文书目录。"
    ]


def test_pdfs_hashed_in_threads_come_back_in_order(tmp_path):
    from clerk.audit.document_check import file_sha256, hash_files

    paths: list[str | None] = []
    for i in range(40):
        p = tmp_path / f"{i}.pdf"
        p.write_bytes(b"%PDF " + bytes([i]) * (3000 + i))
        paths.append(str(p))
    paths[7] = str(tmp_path / "missing.pdf")
    paths[11] = None
    threaded = hash_files(paths, threads=True)
    assert threaded == [file_sha256(p) if p else None for p in paths]
    assert threaded[7] is None and threaded[11] is None
    assert len({d for d in threaded if d}) == 38
