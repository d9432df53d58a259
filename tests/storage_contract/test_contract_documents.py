"""Contract: where a document's bytes live (`Store.keeps_document_bytes`). A server engine keeps
them itself, committed with the row that names them and read back by every other store; an
embedded engine keeps files on the machine and refuses bytes."""

from __future__ import annotations

from datetime import datetime

import pytest

from clerk.domain.clock import TZ
from clerk.ports.errors import ConstraintError
from clerk.ports.records import NewDocument
from storage_contract.contract_helpers import ORIGIN, new_case

PDF = b"%PDF-1.4 issued"
NAME = "2026/03/YZ01-20260302-0001-SL-1.pdf"


class Boom(Exception):
    pass


def _document(case_uuid: str, uuid: str = "doc-1") -> NewDocument:
    return NewDocument(
        uuid=uuid,
        case_uuid=case_uuid,
        point_code=ORIGIN,
        kind="acceptance",
        doc_no="YZ01-20260302-0001-SL-1",
        path_pdf=NAME,
        sha256="ab" * 32,
        issued_at=datetime(2026, 3, 2, 9, 30, tzinfo=TZ),
        issued_by="clerk1",
    )


def _keeps(store) -> None:
    if not store.keeps_document_bytes:
        pytest.skip("this engine keeps documents as files")


def test_the_store_says_where_document_bytes_live(store, adapter):
    assert store.keeps_document_bytes is adapter.keeps_document_bytes


def test_a_store_that_keeps_files_refuses_bytes_and_has_none(store):
    if store.keeps_document_bytes:
        pytest.skip("this engine keeps the bytes")
    with pytest.raises(ValueError):
        store.add_document_content(NAME, PDF)
    assert store.document_content(NAME) is None


def test_a_document_and_its_bytes_commit_together_and_every_store_reads_them(store, adapter, clock):
    _keeps(store)
    uuid = new_case(store)
    with store.transaction():
        store.add_document_content(NAME, PDF)
        store.add_document(_document(uuid))
    other = adapter.reopen(store, clock)
    try:
        assert ([d.path_pdf for d in other.documents_for(uuid)], other.document_content(NAME)) == (
            [NAME],
            PDF,
        )
    finally:
        other.close()


def test_a_rolled_back_block_leaves_neither_the_document_nor_its_bytes(store):
    _keeps(store)
    uuid = new_case(store)
    with pytest.raises(Boom):
        with store.transaction():
            store.add_document_content(NAME, PDF)
            store.add_document(_document(uuid))
            raise Boom
    assert (store.documents_for(uuid), store.document_content(NAME)) == ([], None)


def test_bytes_are_invisible_to_another_store_until_committed(store, adapter, clock):
    _keeps(store)
    other = adapter.reopen(store, clock)
    try:
        with store.transaction():
            store.add_document_content(NAME, PDF)
            seen_inside = other.document_content(NAME)
        assert (seen_inside, other.document_content(NAME)) == (None, PDF)
    finally:
        other.close()


def test_the_same_bytes_again_are_kept_once_and_other_bytes_are_refused(store):
    _keeps(store)
    store.add_document_content(NAME, PDF)
    store.add_document_content(NAME, PDF)  # a bundle bringing the same document again
    with pytest.raises(ConstraintError):
        store.add_document_content(NAME, b"%PDF-1.4 forged")
    assert store.document_content(NAME) == PDF


def test_a_document_with_no_bytes_kept_reads_as_none(store):
    assert store.document_content("2026/03/none.pdf") is None
