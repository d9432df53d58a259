"""The incremental verify's look at the week's document files reads only their paths
(`RecordReads.recent_files`) and looks up the documents of the few files found missing
(`documents_with_files`), on both engines (issue 25: a county's week is tens of thousands of
rows, and their case and number were read for every one)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.app import open_case, ready

pytestmark = pytest.mark.usefixtures("engine")


def issued(tmp_path: Path, how_many: int):  # type: ignore[no-untyped-def]
    """A window with `how_many` cases accepted (one acceptance document each), oldest first."""
    window, admin = ready(tmp_path)
    uuids = []
    for _ in range(how_many):
        view = open_case(window, admin, 31, complete=True)
        window.accept(admin, view.uuid)
        uuids.append(view.uuid)
    documents = [d for uuid in uuids for d in window.store.documents_for(uuid)]
    return window, uuids, documents


def test_recent_files_are_the_paths_of_the_weeks_documents(tmp_path: Path) -> None:
    window, _, documents = issued(tmp_path, 2)
    reads = window.store.record_reads()
    with reads.read_snapshot():  # as the proof reads
        recent = sorted(reads.recent_files(8))
    assert recent == sorted((d.path_txt, d.path_pdf) for d in documents)


def test_no_document_no_recent_files(tmp_path: Path) -> None:
    window, _ = ready(tmp_path)
    reads = window.store.record_reads()
    with reads.read_snapshot():
        assert list(reads.recent_files(8)) == []


def test_the_documents_of_missing_files_are_found_by_either_path(tmp_path: Path) -> None:
    window, uuids, documents = issued(tmp_path, 3)
    first, _, third = documents
    reads = window.store.record_reads()
    with reads.read_snapshot():
        found = list(reads.documents_with_files([str(third.path_pdf), str(first.path_txt)]))
    assert found == [
        (uuids[0], first.doc_no, first.path_txt, first.path_pdf),
        (uuids[2], third.doc_no, third.path_txt, third.path_pdf),
    ]


def test_a_path_no_document_names_finds_nothing(tmp_path: Path) -> None:
    window, _, _ = issued(tmp_path, 1)
    reads = window.store.record_reads()
    with reads.read_snapshot():
        assert list(reads.documents_with_files(["/nowhere/x.pdf"])) == []


def test_no_path_finds_nothing(tmp_path: Path) -> None:
    window, _, _ = issued(tmp_path, 1)
    reads = window.store.record_reads()
    with reads.read_snapshot():
        assert list(reads.documents_with_files([])) == []
