"""What an export and an import read, and how often (issue 25, item 2: the time bars): the events
read once per export, a shared document file hashed once, the ownership fold only for the cases
that need it, the chain heads found without reading every event; and JSON Lines written byte for
byte as before."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st
from support.sync import collected, export, opened

from clerk.service import sync_desk
from clerk.storage.sqlite.sync import SQLiteSyncStore
from clerk.sync import bundle as fmt


def _counting(monkeypatch, cls: type, name: str) -> list[tuple]:
    calls: list[tuple] = []
    real = getattr(cls, name)

    def wrapper(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(args)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(cls, name, wrapper)
    return calls


def test_an_export_reads_each_chain_s_events_once(pair, tmp_path, monkeypatch):
    county, point = pair
    collected(point, 35)
    opened(point, 35, n=1)
    reads = _counting(monkeypatch, SQLiteSyncStore, "events_after")
    result = export(point, tmp_path / "usb")
    assert result.counts["events"] > 0
    assert reads == [("LS01", 0)]  # written as read: its touched cases collected on the way
    report = county.import_bundle(result.path)
    assert report.status == "imported", report.message
    assert report.imported["cases"] == 2


def test_a_document_file_several_documents_name_is_hashed_once_per_export(
    pair, tmp_path, monkeypatch
):
    county, point = pair
    collected(point, 35)
    collected(point, 35, n=1)
    hashed: list[str] = []
    real = sync_desk.file_sha256

    def counting(path: str) -> str | None:
        hashed.append(path)
        return real(path)

    monkeypatch.setattr(sync_desk, "file_sha256", counting)
    store = point.store
    paths = [r[0] for r in store.conn.execute("SELECT path_pdf FROM documents")]
    assert len(paths) >= 2
    with store.conn:  # the second document names the first one's PDF (the fixture's way)
        store.conn.execute("UPDATE documents SET path_pdf = ?", (paths[0],))
    result = export(point, tmp_path / "usb")
    assert hashed.count(paths[0]) == 1
    assert result.counts["files"] == len(set(hashed)) - hashed.count("")
    report = county.import_bundle(result.path)
    assert report.status == "imported", report.message


def test_a_point_s_plain_new_cases_are_not_folded_for_ownership(pair, tmp_path, monkeypatch):
    county, point = pair
    opened(point, 35)
    opened(point, 35, n=1)
    folds = _counting(monkeypatch, SQLiteSyncStore, "case_histories")
    report = county.import_bundle(export(point, tmp_path / "usb").path)
    assert report.status == "imported", report.message
    assert report.imported["cases"] == 2
    assert folds == []  # every event its owner's plain move: nothing to queue or settle


def test_a_new_case_handed_on_is_still_folded_for_ownership(pair, tmp_path, monkeypatch):
    county, point = pair
    handed = collected(point, 35)  # collected: handed on to the county
    opened(point, 35, n=1)
    folds = _counting(monkeypatch, SQLiteSyncStore, "case_histories")
    report = county.import_bundle(export(point, tmp_path / "usb").path)
    assert report.status == "imported", report.message
    assert [set(args[0]) for args in folds] == [{handed}]


def test_the_chain_heads_are_every_origin_s_last_event(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    county.import_bundle(export(point, tmp_path / "usb").path)
    opened(county, 35, n=2)  # the county's own chain besides the point's
    sync = county.sync_store()
    expected = {
        origin: (seq, digest)
        for origin, seq, digest in county.store.conn.execute(
            "SELECT origin, seq, hash FROM events e"
            " WHERE seq = (SELECT MAX(seq) FROM events WHERE origin = e.origin)"
        )
    }
    assert len(expected) == 2
    assert sync.heads() == expected


def test_the_chain_heads_of_an_empty_file_are_none(tmp_path):
    from support.db import fresh_db

    from clerk.db import Store

    store = Store.open(fresh_db(tmp_path / "clerk.db"))
    try:
        assert store.sync_store().heads() == {}
    finally:
        store.close()


_TEXT = st.text(st.characters(exclude_categories=("Cs",)))  # no lone surrogates (not UTF-8)
_VALUE = st.none() | st.integers(min_value=-(2**63), max_value=2**63 - 1) | _TEXT


@settings(max_examples=200, deadline=None)
@given(st.lists(st.dictionaries(_TEXT, _VALUE, max_size=6), max_size=5))
def test_json_lines_are_the_bytes_json_dumps_wrote(rows):
    expected = b"".join(
        json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
        + b"\n"
        for r in rows
    )
    assert fmt.jsonl(rows) == expected


def test_json_lines_keep_line_separators_and_control_characters_as_before():
    rows = [{"name": "a\u2028b\u0085c", "note": '\x00\x1f\x7f\t\n"\\', "n": None, "v": 1}]
    assert fmt.jsonl(rows) == (
        json.dumps(rows[0], ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
        + b"\n"
    )


def test_an_import_s_transaction_has_a_larger_page_cache_and_gives_it_back(
    pair, tmp_path, monkeypatch
):
    from clerk.storage.sqlite import sync as storage_sync

    county, point = pair
    opened(point, 35)
    path = export(point, tmp_path / "usb").path
    conn = county.store.conn
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    seen: list[int] = []
    real = SQLiteSyncStore.insert_events

    def watching(self, rows):  # type: ignore[no-untyped-def]
        seen.append(conn.execute("PRAGMA cache_size").fetchone()[0])
        return real(self, rows)

    monkeypatch.setattr(SQLiteSyncStore, "insert_events", watching)
    assert county.import_bundle(path).status == "imported"
    assert seen == [-storage_sync.TRANSACTION_CACHE_KIB]
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == before
