"""Saving documents: both files under YYYY/MM, atomically, with the PDF's hash, never overwritten."""

from __future__ import annotations

import hashlib
import os
from dataclasses import replace
from pathlib import Path

import pytest
from test_documents_samples import sample

from clerk.documents import store
from clerk.documents.model import DocKind, DocumentError
from clerk.documents.store import DocumentExistsError, file_stem, save_document
from clerk.documents.text import render_text


def test_save_writes_text_and_pdf_under_year_and_month(tmp_path: Path) -> None:
    saved = save_document(sample(DocKind.REJECTION), root=tmp_path)
    folder = tmp_path / "2026" / "10"
    assert saved.path_txt == folder / "YZ03-20260918-0007-BTG-1.txt"
    assert saved.path_pdf == folder / "YZ03-20260918-0007-BTG-1.pdf"


def test_saved_text_is_the_rendered_text(tmp_path: Path) -> None:
    data = sample(DocKind.NOTICE)
    saved = save_document(data, root=tmp_path)
    assert saved.path_txt.read_text(encoding="utf-8") == render_text(data)


def test_saved_pdf_is_a_pdf_and_the_hash_is_its_sha256(tmp_path: Path) -> None:
    saved = save_document(sample(DocKind.ACCEPTANCE), root=tmp_path)
    content = saved.path_pdf.read_bytes()
    assert content.startswith(b"%PDF-")
    assert saved.sha256 == hashlib.sha256(content).hexdigest()


def test_saved_document_reports_kind_and_number(tmp_path: Path) -> None:
    saved = save_document(sample(DocKind.COMPLETION), root=tmp_path)
    assert (saved.kind, saved.doc_no) == (DocKind.COMPLETION, "YZ03-20260918-0007-BJ-1")


def test_no_temporary_file_is_left_behind(tmp_path: Path) -> None:
    saved = save_document(sample(DocKind.REFUSAL), root=tmp_path)
    assert sorted(p.name for p in saved.path_txt.parent.iterdir()) == [
        "YZ03-20260918-0007-BSL-1.pdf",
        "YZ03-20260918-0007-BSL-1.txt",
    ]


def test_saving_the_same_number_twice_is_refused_and_keeps_the_first(tmp_path: Path) -> None:
    first = save_document(sample(DocKind.REFUSAL), root=tmp_path)
    before = (first.path_txt.read_bytes(), first.path_pdf.read_bytes())
    changed = replace(sample(DocKind.REFUSAL), reason="另一个理由")
    with pytest.raises(
        DocumentExistsError, match="文书已存在：YZ03-20260918-0007-BSL-1.txt，不能覆盖"
    ):
        save_document(changed, root=tmp_path)
    assert (first.path_txt.read_bytes(), first.path_pdf.read_bytes()) == before


def test_an_existing_pdf_alone_also_blocks_the_save(tmp_path: Path) -> None:
    data = sample(DocKind.NOTICE)
    folder = tmp_path / "2026" / "09"
    folder.mkdir(parents=True)
    (folder / "YZ03-20260918-0007-GZ-1.pdf").write_bytes(b"old")
    with pytest.raises(DocumentExistsError):
        save_document(data, root=tmp_path)
    assert not (folder / "YZ03-20260918-0007-GZ-1.txt").exists()
    assert (folder / "YZ03-20260918-0007-GZ-1.pdf").read_bytes() == b"old"


def test_a_reprint_with_a_new_number_is_saved_beside_the_first(tmp_path: Path) -> None:
    save_document(sample(DocKind.ACCEPTANCE), root=tmp_path)
    reprint = replace(sample(DocKind.ACCEPTANCE), doc_no="YZ03-20260918-0007-SL-2")
    assert save_document(reprint, root=tmp_path).path_pdf.exists()


def test_an_incomplete_document_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="缺少：不予受理理由"):
        save_document(replace(sample(DocKind.REFUSAL), reason=""), root=tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_failing_render_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(data: object, path: Path) -> Path:
        path.write_bytes(b"%PDF-half")
        raise OSError("disk full")

    monkeypatch.setattr(store, "render_pdf", broken)
    with pytest.raises(OSError, match="disk full"):
        save_document(sample(DocKind.ACCEPTANCE), root=tmp_path)
    assert list((tmp_path / "2026" / "09").iterdir()) == []


def test_a_race_lost_on_the_pdf_removes_the_text_it_just_wrote(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_link = os.link

    def link_after_a_rival(src: Path, dst: Path) -> None:
        if str(dst).endswith(".pdf"):
            Path(dst).write_bytes(b"rival")  # another process published the same number meanwhile
        real_link(src, dst)

    monkeypatch.setattr(store.os, "link", link_after_a_rival)
    with pytest.raises(DocumentExistsError):
        save_document(sample(DocKind.ACCEPTANCE), root=tmp_path)
    folder = tmp_path / "2026" / "09"
    assert sorted(p.name for p in folder.iterdir()) == ["YZ03-20260918-0007-SL-1.pdf"]
    assert (folder / "YZ03-20260918-0007-SL-1.pdf").read_bytes() == b"rival"


def test_without_hard_links_the_save_falls_back_to_replace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_links(src: Path, dst: Path) -> None:
        raise PermissionError("hard links not supported")

    monkeypatch.setattr(store.os, "link", no_links)
    saved = save_document(sample(DocKind.NOTICE), root=tmp_path)
    assert saved.path_txt.exists() and saved.path_pdf.exists()
    with pytest.raises(DocumentExistsError):
        save_document(sample(DocKind.NOTICE), root=tmp_path)


def test_default_root_is_the_documents_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLERK_DATA_DIR", str(tmp_path))
    saved = save_document(sample(DocKind.ACCEPTANCE))
    assert saved.path_pdf == tmp_path / "documents" / "2026" / "09" / "YZ03-20260918-0007-SL-1.pdf"


@pytest.mark.parametrize(
    ("doc_no", "stem"),
    [
        ("YZ03-20260918-0007-SL-1", "YZ03-20260918-0007-SL-1"),
        ("../x/受理 1", "_x____1"),
        ("..a", "a"),
    ],
)
def test_file_stem_keeps_only_safe_characters(doc_no: str, stem: str) -> None:
    assert file_stem(doc_no) == stem
