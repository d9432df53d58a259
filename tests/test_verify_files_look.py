"""The incremental verify's look at the week's document files is made again only when something
changed since the last passed look: a document recorded since, or a file added to, removed from
or renamed in a folder holding the week's files (issue 25: an idle county's `clerk verify` read
and listed tens of thousands of paths to find what the last verify had found).

A folder's stamp (mtime, ctime, inode) is trusted only when it is older than `RACY_NS` when taken;
the tests that need a trusted stamp set `RACY_NS` to 0 (a folder made by the test is seconds old).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from support.app import open_case, ready

from clerk.audit import document_check
from clerk.cli import main
from clerk.ports.setting_keys import SETTING_FILES
from clerk.ports.verify_report import FilesLook
from clerk.service.window import Window
from clerk.storage.sqlite.verify import SQLiteRecordReads


@pytest.fixture
def looks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the looks made (each reads the week's paths once)."""
    made: list[int] = []
    reads_paths = SQLiteRecordReads.recent_files

    def counted(self: SQLiteRecordReads, days: int) -> Iterator[tuple[str | None, str | None]]:
        made.append(days)
        return reads_paths(self, days)

    monkeypatch.setattr(SQLiteRecordReads, "recent_files", counted)
    return made


@pytest.fixture
def trusted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(document_check, "RACY_NS", 0)


def accepted(window: Window, admin: Any) -> str:
    view = open_case(window, admin, 31, complete=True)
    window.accept(admin, view.uuid)
    return str(view.uuid)


def verified(tmp_path: Path) -> tuple[Window, Any, str]:
    """A window with one accepted case, verified twice: the first (full) and an incremental one
    that made the look and remembered it."""
    window, admin = ready(tmp_path)
    uuid = accepted(window, admin)
    assert window.store.verify()["mode"] == "full"  # the first verify is a full one
    assert window.store.verify()["ok"] is True
    return window, admin, uuid


def remembered(window: Window) -> FilesLook | None:
    return FilesLook.from_text(window.store.get_setting(SETTING_FILES))


def pdf_of(window: Window, uuid: str) -> Path:
    return Path(str(window.store.documents_for(uuid)[0].path_pdf))


@pytest.mark.usefixtures("trusted")
def test_a_passed_look_is_remembered_with_the_document_extent_and_folder_stamps(
    tmp_path: Path,
) -> None:
    window, _, uuid = verified(tmp_path)
    folder = pdf_of(window, uuid).parent
    st = os.stat(folder)
    assert remembered(window) == FilesLook(
        window.store.record_reads().record_extent().documents,
        ((str(folder), st.st_mtime_ns, st.st_ctime_ns, st.st_ino),),
    )


@pytest.mark.usefixtures("trusted")
def test_nothing_changed_since_the_last_look_makes_no_look(
    tmp_path: Path, looks: list[int]
) -> None:
    window, _, _ = verified(tmp_path)
    looks.clear()
    report = window.store.verify()
    assert (report["ok"], looks) == (True, [])


@pytest.mark.usefixtures("trusted")
def test_a_file_deleted_since_the_last_look_is_found(tmp_path: Path) -> None:
    window, _, uuid = verified(tmp_path)
    pdf = pdf_of(window, uuid)
    pdf.unlink()
    report = window.store.verify()
    case_no = window.store.get_case(uuid).case_no
    doc_no = window.store.documents_for(uuid)[0].doc_no
    assert [p["message"] for p in report["problems"]] == [
        f"办件 {case_no} 的文书 {doc_no} 的文件 {pdf.name} 不见了：请从备份恢复文书目录。"
    ]


@pytest.mark.usefixtures("trusted")
def test_a_file_renamed_since_the_last_look_is_found(tmp_path: Path) -> None:
    window, _, uuid = verified(tmp_path)
    pdf = pdf_of(window, uuid)
    pdf.rename(pdf.with_suffix(".old"))
    assert window.store.verify()["ok"] is False


@pytest.mark.usefixtures("trusted")
def test_a_file_deleted_and_the_folders_time_put_back_is_found_by_its_ctime(
    tmp_path: Path,
) -> None:
    window, _, uuid = verified(tmp_path)
    pdf = pdf_of(window, uuid)
    before = os.stat(pdf.parent)
    pdf.unlink()
    os.utime(pdf.parent, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime as it was
    assert os.stat(pdf.parent).st_mtime_ns == before.st_mtime_ns
    assert window.store.verify()["ok"] is False


@pytest.mark.usefixtures("trusted")
def test_a_document_recorded_since_the_last_look_makes_a_new_look(
    tmp_path: Path, looks: list[int]
) -> None:
    window, admin, _ = verified(tmp_path)
    accepted(window, admin)
    looks.clear()
    assert window.store.verify()["ok"] is True
    assert looks == [8]


@pytest.mark.usefixtures("trusted")
def test_a_new_look_remembers_the_new_extent(tmp_path: Path) -> None:
    window, admin, _ = verified(tmp_path)
    accepted(window, admin)
    window.store.verify()
    look = remembered(window)
    assert look is not None
    assert look.documents == window.store.record_reads().record_extent().documents


def test_a_folder_changed_just_before_the_look_is_not_trusted(
    tmp_path: Path, looks: list[int]
) -> None:
    window, _, _ = verified(tmp_path)  # its folder was written a moment ago
    assert remembered(window) == FilesLook(-1)
    looks.clear()
    window.store.verify()
    assert looks == [8]  # looked again


@pytest.mark.usefixtures("trusted")
def test_the_daily_ledgers_verify_keeps_the_remembered_look(tmp_path: Path) -> None:
    window, _, _ = verified(tmp_path)
    before = remembered(window)
    assert window.store.verify(recent_files=False)["ok"] is True
    assert remembered(window) == before


@pytest.mark.usefixtures("trusted")
def test_a_remembered_look_that_cannot_be_read_makes_a_new_look(
    tmp_path: Path, looks: list[int]
) -> None:
    window, _, _ = verified(tmp_path)
    window.store.set_setting(SETTING_FILES, "{not json")
    looks.clear()
    window.store.verify()
    assert looks == [8]


@pytest.mark.usefixtures("trusted")
def test_a_failed_look_is_not_remembered(tmp_path: Path) -> None:
    window, _, uuid = verified(tmp_path)
    before = remembered(window)
    pdf_of(window, uuid).unlink()
    assert window.store.verify()["ok"] is False
    assert remembered(window) == before  # and its stamps no longer match: the next one looks


def test_the_look_as_text_reads_back() -> None:
    look = FilesLook(12, (("/d/2026/03", 1, 2, 3), ("/d/received", 4, 5, 6)))
    assert FilesLook.from_text(look.to_text()) == look


@pytest.mark.parametrize(
    "text", [None, "", "[]", '{"documents": 1}', '{"documents": "x", "folders": []}']
)
def test_text_a_verify_did_not_write_is_no_look(text: str | None) -> None:
    assert FilesLook.from_text(text) is None


@pytest.mark.usefixtures("trusted")
def test_the_report_counts_the_files_a_look_looked_for(tmp_path: Path) -> None:
    window, admin, uuid = verified(tmp_path)
    second = accepted(window, admin)
    report = window.store.verify()
    files = {
        str(p)
        for u in (uuid, second)
        for d in window.store.documents_for(u)
        for p in (d.path_txt, d.path_pdf)
        if p
    }
    assert (report["recent_files"], report["recent_files_unchanged"]) == (len(files), False)


@pytest.mark.usefixtures("trusted")
def test_the_report_says_no_look_was_needed(tmp_path: Path) -> None:
    window, _, _ = verified(tmp_path)
    report = window.store.verify()
    assert (report["recent_files"], report["recent_files_unchanged"]) == (None, True)


def test_the_daily_ledgers_verify_reports_no_look(tmp_path: Path) -> None:
    window, _, _ = verified(tmp_path)
    report = window.store.verify(recent_files=False)
    assert (report["recent_files"], report["recent_files_unchanged"]) == (None, False)


@pytest.mark.usefixtures("trusted")
def test_clerk_verify_says_in_chinese_whether_it_looked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    window, admin, _ = verified(tmp_path)
    db = window.store.location
    accepted(window, admin)
    window.store.close()
    assert main(["verify", "--db", db]) == 0
    looked = capsys.readouterr().out.splitlines()
    assert main(["verify", "--db", db]) == 0
    skipped = capsys.readouterr().out.splitlines()
    assert "近 8 天文书的文件：查看 4 个" in looked
    assert (
        "近 8 天文书的文件：上次查看以来没有新文书，所在文件夹也没有改动，本次不必重看" in skipped
    )
