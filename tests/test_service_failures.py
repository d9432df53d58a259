# ruff: noqa: F811  (the window and clock fixtures are imported from test_service)
"""A full disk, a busy database, a killed process: the move is refused in Chinese, nothing is
half stored, and the next attempt works."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest
from support.tamper import limit_connection, raw_value
from test_service import checks_for, events, person, user, window  # noqa: F401  (fixtures)

from clerk.domain.model import CaseState
from clerk.service.moves import Attempt
from clerk.service.window import ServiceError, Window


def draft(window: Window, item_no: int = 31):
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, item_no, person())
    window.check_materials(clerk, view.uuid, checks_for(window, item_no))
    return clerk, view


def fill_the_disk(window: Window) -> None:
    """SQLite's own limit on the file size: the next page it needs fails with SQLITE_FULL."""
    pages = raw_value(window.store, "PRAGMA page_count")
    limit_connection(window.store, f"max_page_count = {pages}")


def free_the_disk(window: Window) -> None:
    limit_connection(window.store, "max_page_count = 1073741823")


def pdfs(root: Path) -> list[str]:
    return sorted(p.name for p in root.rglob("*.pdf"))


def test_full_disk_refuses_in_chinese_and_stores_nothing(window, tmp_path):
    clerk, view = draft(window)
    fill_the_disk(window)
    with pytest.raises(ServiceError) as refused:
        for _ in range(500):  # the free pages inside the file fill up first
            window.open_case(clerk, 31, person())
    assert str(refused.value) == (
        "磁盘空间已满，本次操作没有保存，之前的记录完好。请清理磁盘空间后重试；界面上的内容仍在。"
    )
    cases = raw_value(window.store, "SELECT count(*) FROM cases")
    received = raw_value(window.store, "SELECT count(*) FROM events WHERE action = 'receive'")
    assert cases == received  # no case without its event, no event without its case
    assert window.case(view.uuid).state == CaseState.DRAFT


def test_accept_on_a_full_disk_leaves_the_case_and_no_recorded_document(window, tmp_path):
    clerk, view = draft(window)
    fill_the_disk(window)
    with pytest.raises(ServiceError, match="磁盘空间已满"):
        for _ in range(500):
            window.open_case(clerk, 31, person())
    with pytest.raises(ServiceError, match="磁盘空间已满"):
        window.accept(clerk, view.uuid)
    assert window.case(view.uuid).state == CaseState.DRAFT
    assert window.store.documents_for(view.uuid) == []
    assert [n for n in pdfs(tmp_path / "documents") if ".unrecorded-" not in n] == []
    free_the_disk(window)
    assert window.accept(clerk, view.uuid).state == CaseState.ACCEPTED


def test_after_the_disk_is_freed_the_same_document_number_is_issued(window, tmp_path):
    clerk, view = draft(window)

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    original = window.store.add_document
    window.store.add_document = full  # type: ignore[method-assign]
    with pytest.raises(ServiceError, match="磁盘空间已满"):
        window.accept(clerk, view.uuid)
    window.store.add_document = original  # type: ignore[method-assign]
    accepted = window.accept(clerk, view.uuid)
    assert accepted.state == CaseState.ACCEPTED
    name = Path(accepted.documents[0].path_pdf).name
    assert pdfs(tmp_path / "documents") == [name, name.replace(".pdf", ".unrecorded-1.pdf")]


def test_a_document_left_by_a_killed_process_is_set_aside(window, tmp_path):
    clerk, view = draft(window)
    first = window.accept(clerk, view.uuid)  # learn where the acceptance receipt goes
    path = Path(first.documents[0].path_pdf)
    clerk2, other = draft(window)
    # the killed attempt on the second case wrote its receipt under the next case's number
    orphan = path.with_name(path.name.replace(first.case_no, other.case_no))
    orphan.write_bytes(b"%PDF- half a decision")
    orphan.with_suffix(".txt").write_text("half a decision", encoding="utf-8")
    accepted = window.accept(clerk2, other.uuid)
    assert accepted.state == CaseState.ACCEPTED
    assert Path(accepted.documents[0].path_pdf) == orphan
    assert orphan.read_bytes().startswith(b"%PDF-1.")
    assert (
        orphan.with_name(orphan.stem + ".unrecorded-1.pdf").read_bytes() == b"%PDF- half a decision"
    )


def test_no_space_for_the_document_refuses_in_chinese(window, monkeypatch):
    clerk, view = draft(window)

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("clerk.documents.store.render_pdf", no_space)
    with pytest.raises(ServiceError) as refused:
        window.accept(clerk, view.uuid)
    assert str(refused.value) == (
        "文书文件没有写成（磁盘空间已满），本次操作没有保存，界面上的内容仍在。"
        "请清理磁盘空间或检查数据目录的权限后重试；仍不行请联系信息管理员。"
    )
    assert window.case(view.uuid).state == CaseState.DRAFT
    assert events(window, view.uuid) == [("receive", None, "draft"), ("check", "draft", "draft")]


def test_busy_database_refuses_in_chinese(window):
    clerk, view = draft(window)

    def busy(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    window.store.append_event = busy  # type: ignore[method-assign]
    with pytest.raises(ServiceError, match="^数据库正被其他程序占用，本次操作没有保存"):
        window.refuse(
            clerk, view.uuid, "不属于本机构职权范围", apply_instead="永州市医疗保障事务中心"
        )
    assert window.case(view.uuid).state == CaseState.DRAFT
    assert window.store.documents_for(view.uuid) == []


def test_a_recorded_document_is_never_replaced(window):
    from clerk.documents.store import _exists

    clerk, view = draft(window)
    accepted = window.accept(clerk, view.uuid)
    recorded = Path(accepted.documents[0].path_pdf)
    before = recorded.read_bytes()

    def clash(*args):
        raise _exists(recorded)

    with pytest.raises(ServiceError, match="不能覆盖"):
        window.desks.moves.issue(Attempt(), clash)
    assert recorded.read_bytes() == before
    assert not list(recorded.parent.glob("*.unrecorded-*"))
