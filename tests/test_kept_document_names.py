"""The names a server keeps documents' bytes under (`clerk.ports.document_names`), and where a
window's copy of one goes."""

from __future__ import annotations

from pathlib import Path

import pytest

from clerk.ports.document_names import document_name, local_path


def test_an_issued_document_is_named_by_its_month_folder_and_file():
    assert document_name("/srv/clerk/documents/2026/11/YZ03-SL-1.pdf") == "2026/11/YZ03-SL-1.pdf"


def test_a_received_document_is_named_from_received_on():
    path = "/home/w/documents/received/LS01/" + "ab" * 32 + ".txt"
    assert document_name(path) == "received/LS01/" + "ab" * 32 + ".txt"


def test_a_path_outside_the_layout_keeps_its_whole_path():
    assert document_name("/elsewhere/notice.pdf") == "/elsewhere/notice.pdf"


def test_a_windows_copy_goes_under_its_own_documents_folder(tmp_path: Path):
    assert (
        local_path(tmp_path, "2026/11/YZ03-SL-1.pdf") == tmp_path / "2026" / "11" / "YZ03-SL-1.pdf"
    )


@pytest.mark.parametrize("name", ["../../etc/passwd", "/etc/passwd", ""])
def test_a_name_that_would_leave_the_folder_is_refused(tmp_path: Path, name: str):
    with pytest.raises(ValueError):
        local_path(tmp_path, name)
