"""`clerk verify` on a PostgreSQL database catches what it catches on a SQLite file (issue 20):
a case field changed without an event, events deleted by someone who could switch the guards off
(the database superuser), a document's record changed. Each is done the way an insider with a
SQL shell on the server would, and each message is the one the SQLite tests pin
(tests/test_verify_record.py, tests/test_verify_tamperings.py). Skipped without PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support import postgres
from support.clock import MONDAY, Clock

from clerk.cli import main
from clerk.domain.catalog import default_catalog
from clerk.domain.identifiers import resident_id_check_char
from clerk.domain.materials import MaterialCheck
from clerk.domain.model import Applicant, Role
from clerk.domain.offices import default_offices
from clerk.service.window import Window

pytestmark = pytest.mark.skipif(
    postgres.skip_reason() is not None, reason=postgres.skip_reason() or ""
)

PASSWORD = "counterpass1"
POINT = "YZ03"
ID_BODY = "43999919800203123"
PERSON_ID = ID_BODY + resident_id_check_char(ID_BODY)


@pytest.fixture
def url() -> Iterator[str]:
    found = postgres.fresh_database()
    yield found
    postgres.drop_database(found)


@pytest.fixture
def window(tmp_path: Path, url: str) -> Iterator[Window]:
    from clerk.storage.postgres.store import PostgresStore

    w = Window(
        PostgresStore.open(url, clock=Clock(MONDAY)),  # type: ignore[arg-type]
        default_catalog(),
        default_offices(),
        clock=Clock(MONDAY),
        documents_root=tmp_path / "documents",
    )
    w.setup(POINT, "admin", "王管理", PASSWORD)
    w.store.create_user("clerk1", "李经办", Role.CLERK, PASSWORD, POINT)
    yield w
    w.store.close()


@pytest.fixture
def case(window: Window) -> str:
    """Item 31, materials checked and accepted: awaiting review."""
    clerk = window.login("clerk1", PASSWORD)
    view = window.open_case(
        clerk, 31, Applicant("person", "张三丰", "resident_id", PERSON_ID, phone="13812345678")
    )
    checks = {
        m.id: MaterialCheck(m.id, "ok", m.alternatives[0])
        for m in window.required_for(31, frozenset())
    }
    window.check_materials(clerk, view.uuid, checks)
    window.accept(clerk, view.uuid)
    return view.uuid


def _as_superuser(url: str, *statements: str, params: tuple[Any, ...] = ()) -> None:
    """Statements run by the server's superuser on the test's database (autocommit)."""
    import psycopg

    database = url.rsplit("/", 1)[1]
    with psycopg.connect(postgres.cluster().admin_url(database), autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement, params if "%s" in statement else None)  # type: ignore[arg-type]


def _verify(url: str, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[str]]:
    code = main(["verify", "--db", url, "--json", *extra])
    report = json.loads(capsys.readouterr().out)
    return code, [p["message"] for p in report["problems"]]


def _case_no(window: Window, uuid: str) -> str:
    found = window.store.get_case(uuid)
    assert found is not None
    return found.case_no


def test_the_untouched_database_verifies(window, case, url, capsys):
    assert _verify(url, capsys, "--full") == (0, [])


def test_a_state_changed_in_sql_names_the_case_and_the_field(window, case, url, capsys):
    _verify(url, capsys)
    _as_superuser(
        url, "UPDATE cases SET state = 'awaiting_payment' WHERE uuid = %s", params=(case,)
    )
    assert _verify(url, capsys) == (
        1,
        [
            f"办件 {_case_no(window, case)} 的状态为“待拨付”，但按事件记录应为“已受理”："
            "该字段被改动而没有相应的事件记录。"
        ],
    )


def test_a_changed_due_date_is_named(window, case, url, capsys):
    found = window.store.get_case(case)
    assert found is not None and found.due_date is not None
    _as_superuser(url, "UPDATE cases SET due_date = '2027-06-30' WHERE uuid = %s", params=(case,))
    assert _verify(url, capsys) == (
        1,
        [
            f"办件 {found.case_no} 的办结期限为“2027-06-30”，但按事件记录应为“{found.due_date.isoformat()}”："
            "该字段被改动而没有相应的事件记录。"
        ],
    )


def test_events_deleted_by_the_superuser_with_the_guards_off_fail_the_verify(
    window, case, url, capsys
):
    """The superuser can do anything: switch the log's triggers off, delete the newest events,
    switch them on again. The verify still sees the chain shorter than it last proved."""
    assert _verify(url, capsys)[0] == 0  # remembers the chain head it proved
    _as_superuser(
        url,
        "ALTER TABLE events DISABLE TRIGGER USER",
        "DELETE FROM events WHERE n > (SELECT MAX(n) - 2 FROM events)",
        "ALTER TABLE events ENABLE TRIGGER USER",
    )
    code, messages = _verify(url, capsys)
    assert code == 1
    assert any(
        "上次核验通过时的链头（来源 YZ03 第" in m and "已不存在：事件记录被截断或删除。" in m
        for m in messages
    ), messages


def test_a_changed_document_number_is_named(window, case, url, capsys):
    document = window.store.documents_for(case)[0]
    assert _verify(url, capsys, "--full") == (0, [])
    _as_superuser(
        url,
        "UPDATE documents SET doc_no = 'YZ03-SL-FORGED' WHERE uuid = %s",
        params=(document.uuid,),
    )
    assert _verify(url, capsys) == (
        1,
        [
            f"办件 {_case_no(window, case)} 的事件记录表明已出具受理通知书 {document.doc_no}，"
            "但没有这个编号的文书登记：文书编号被改动。"
        ],
    )


def test_a_document_recorded_hash_changed_is_named(window, case, url, capsys):
    document = window.store.documents_for(case)[0]
    _as_superuser(
        url, "UPDATE documents SET sha256 = %s WHERE uuid = %s", params=("0" * 64, document.uuid)
    )
    code, messages = _verify(url, capsys, "--full")
    named = f"办件 {_case_no(window, case)} 的文书 {document.doc_no} 的"
    assert (code, messages[0], len(messages), messages[1].startswith(named)) == (
        1,
        named + "登记（种类或文件的 SHA-256）与事件记录不符：文书登记被改动，文件可能被替换。",
        2,  # and the bytes no longer match the changed record
        True,
    )
    assert "与登记的 SHA-256 不符" in messages[1]


def test_a_deleted_document_row_is_named(window, case, url, capsys):
    _verify(url, capsys)
    _as_superuser(url, "DELETE FROM documents WHERE case_uuid = %s", params=(case,))
    assert _verify(url, capsys) == (
        1,
        [
            f"办件 {_case_no(window, case)} 的事件记录表明已出具 1 份受理通知书，但只登记了 0 份："
            "文书登记记录被删除。"
        ],
    )
