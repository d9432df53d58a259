"""The import's set-based reads and multi-row writes decide exactly what the row-by-row import did."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.sync import OFFICE, POINT, collected, export
from support.tamper import count_rows, file_connection, raw_rows, raw_value, tamper_sql

from clerk.domain.chain import event_hash
from clerk.ports.errors import StorageError
from clerk.ports.sync import LOCAL_COLUMNS, RECORD_TABLES
from clerk.storage.sqlite import sync as storage_sync
from clerk.sync import exchange, keys
from clerk.sync.received import CarriedFile


def checked_at(county, path) -> exchange.Checked:
    """A bundle as the county reads it (signature, parts and chains checked), to be changed."""
    pair = keys.load(county.key_dir())
    return exchange.check_bundle(
        path.read_bytes(),
        county.sync_store(),
        county.me(),
        pair,
        schema_version=county.store.schema_version(),
    )


def apply(county, checked: exchange.Checked) -> exchange.ImportReport:
    root = county.documents.root / "received"

    def save(file: CarriedFile, suffix: str) -> str:
        root.mkdir(parents=True, exist_ok=True)
        (root / f"{file.digest}{suffix}").write_bytes(file.read())
        return str(root / f"{file.digest}{suffix}")

    return exchange.apply_bundle(checked, county.sync_store(), county.me(), county.clock(), save)


def as_bundle(checked: exchange.Checked, seq: int) -> exchange.Checked:
    """The same contents under another bundle number (so it is not the bundle already imported)."""
    contents = copy.deepcopy(checked.contents)
    contents.manifest["seq"] = seq
    return dataclasses.replace(
        checked,
        header=dataclasses.replace(checked.header, seq=seq),
        contents=contents,
        digest=f"{seq:064d}",
    )


def counts(window) -> tuple[int, int, int]:
    return tuple(count_rows(window.store, t) for t in ("cases", "events", "case_materials"))


# ------------------------------------------------------------------ events: (origin, seq) looked up per range


def test_an_event_held_under_the_same_number_with_other_content_is_refused_with_the_rest_of_its_chain(
    pair, tmp_path
):
    county, point = pair
    collected(point, 35, 0)
    collected(point, 34, 1)
    checked = checked_at(county, export(point, tmp_path / "one").path)
    assert apply(county, checked).status == "imported"
    before = counts(county)
    again = as_bundle(checked, 2)
    first = min(again.contents.records["events"], key=lambda e: e["seq"])
    first["hash"] = "f" * 64  # same (origin, seq), other content
    report = apply(county, again)
    assert [(r["kind"], r["origin"], r["seq"]) for r in report.rejected] == [("event", POINT, 1)]
    # Every record row is a duplicate; no event is (the chain is refused from its first one).
    rows = sum(len(v) for k, v in again.contents.records.items() if k != "events")
    assert report.duplicates == rows
    assert counts(county) == before


def _held_rows(window, checked: exchange.Checked) -> int:
    """Record rows of a bundle whose uuid the file already holds."""
    with file_connection(window.store) as conn:
        return sum(
            conn.execute(f"SELECT COUNT(*) FROM {table} WHERE uuid = ?", (row["uuid"],)).fetchone()[
                0
            ]
            for table in RECORD_TABLES
            for row in checked.contents.records.get(table, [])
        )


def test_events_the_file_holds_are_duplicates_and_the_next_ones_are_stored(pair, tmp_path):
    county, point = pair
    collected(point, 35, 0)
    county.import_bundle(export(point, tmp_path / "one").path)
    held = county.store.sync_store().head(POINT)
    collected(point, 34, 1)
    # The point never saw an acknowledgement: its next bundle carries every event again.
    checked = checked_at(county, export(point, tmp_path / "two").path)
    assert held is not None
    assert min(e["seq"] for e in checked.contents.records["events"]) == 1
    rows = _held_rows(county, checked)
    report = apply(county, checked)
    assert report.status == "imported"
    assert report.duplicates == held[0] + rows  # each held event, and the first case's rows
    assert report.imported["events"] == point.store.sync_store().head(POINT)[0] - held[0]
    assert county.store.sync_store().head(POINT) == point.store.sync_store().head(POINT)


def test_event_hashes_reads_one_range_of_one_chain(pair):
    county, point = pair
    collected(point, 35, 0)
    sync = point.store.sync_store()
    seq, digest = sync.head(POINT)
    assert sync.event_hashes(POINT, seq, seq + 5) == {seq: digest}
    assert sync.event_hashes(POINT, seq + 1, seq + 5) == {}
    assert sync.event_hashes("LS09", 1, seq) == {}


# ------------------------------------------------------------------ records: one read per table, new rows written in bulk


def test_a_material_check_with_the_same_uuid_and_other_content_is_refused_not_overwritten(
    pair, tmp_path
):
    county, point = pair
    collected(point, 35, 0)
    checked = checked_at(county, export(point, tmp_path / "one").path)
    apply(county, checked)
    again = as_bundle(checked, 2)
    row = again.contents.records["case_materials"][0]
    stored = raw_value(
        county.store, "SELECT status FROM case_materials WHERE uuid = ?", (row["uuid"],)
    )
    row["status"] = "missing" if stored != "missing" else "ok"
    report = apply(county, again)
    assert [(r["kind"], r["uuid"]) for r in report.rejected] == [("case_materials", row["uuid"])]
    assert (
        raw_value(county.store, "SELECT status FROM case_materials WHERE uuid = ?", (row["uuid"],))
        == stored
    )


def test_one_uuid_twice_in_a_bundle_the_second_is_compared_with_the_first(pair, tmp_path):
    county, point = pair
    collected(point, 35, 0)
    checked = checked_at(county, export(point, tmp_path / "one").path)
    rows = checked.contents.records["case_materials"]
    same = dict(rows[0])
    other = dict(rows[1], status="missing" if rows[1]["status"] != "missing" else "ok")
    rows.extend([same, {**other}])
    rows[-1]["uuid"] = rows[1]["uuid"]
    report = apply(county, checked)
    assert report.imported["case_materials"] == len(rows) - 2
    assert [(r["kind"], r["uuid"]) for r in report.rejected] == [
        ("case_materials", rows[1]["uuid"])
    ]
    assert report.duplicates == 1
    stored = raw_value(
        county.store, "SELECT status FROM case_materials WHERE uuid = ?", (rows[1]["uuid"],)
    )
    assert (
        stored
        == checked_at(county, export(point, tmp_path / "two").path).contents.records[
            "case_materials"
        ][1]["status"]
    )


def test_a_record_whose_case_is_missing_is_refused_and_the_others_are_stored(pair, tmp_path):
    county, point = pair
    collected(point, 35, 0)
    checked = checked_at(county, export(point, tmp_path / "one").path)
    rows = checked.contents.records["case_materials"]
    rows[0]["case_uuid"] = "0190f0a0-0000-7000-8000-000000000000"
    report = apply(county, checked)
    assert [(r["kind"], r["why"]) for r in report.rejected] == [
        ("case_materials", "记录所属的办件不在本机。")
    ]
    assert report.imported["case_materials"] == len(rows) - 1


# ------------------------------------------------------------------ storage: multi-row inserts


def test_insert_records_across_statements_keeps_order_marks_and_search(pair, monkeypatch):
    county, _ = pair
    monkeypatch.setattr(storage_sync, "CHUNK", 2)  # five rows: three statements
    sync = county.store.sync_store()
    rows = [_case(n) for n in range(5)]
    del rows[3]["unit_name"]  # another column set: its own statement, the default applies
    assert sync.insert_records("cases", rows, "2026-11-02T09:30:00+08:00") == 5
    with file_connection(county.store) as conn:
        stored = conn.execute(
            "SELECT uuid, unit_name, created_at FROM cases ORDER BY rowid"
        ).fetchall()
        marked = {r[0] for r in conn.execute("SELECT case_uuid FROM verify_dirty")}
        found = conn.execute(
            "SELECT case_uuid FROM cases_fts WHERE cases_fts MATCH ? ORDER BY case_uuid",
            ('"测 试 2"',),
        ).fetchall()
    assert stored == [(r["uuid"], r.get("unit_name"), "2026-11-02T09:30:00+08:00") for r in rows]
    assert {r["uuid"] for r in rows} <= marked
    assert found == [(rows[2]["uuid"],)]


def test_insert_records_refuses_an_unknown_column_and_stores_nothing(pair):
    county, _ = pair
    sync = county.store.sync_store()
    rows = [_case(0), {**_case(1), "colour": "red"}]
    with pytest.raises(ValueError, match="colour"):
        sync.insert_records("cases", rows, "2026-11-02T09:30:00+08:00")
    assert raw_value(county.store, "SELECT COUNT(*) FROM cases") == 0


def test_insert_events_still_runs_the_chain_triggers_for_every_row(pair, monkeypatch):
    county, point = pair
    collected(point, 35, 0)
    monkeypatch.setattr(storage_sync, "CHUNK", 2)
    source = point.store.sync_store()
    events = list(source.events_after(POINT, 0))
    target = county.store.sync_store()
    target.insert_records(
        "cases", [_travelling(point, events[0]["case_uuid"])], "2026-11-02T09:30:00+08:00"
    )
    broken = [dict(e) for e in events]
    broken[-1]["prev_hash"] = "0" * 64  # the last one does not extend the chain head
    with pytest.raises(StorageError):
        target.insert_events(broken)
    assert target.head(POINT) is None  # the statements before it were undone too
    assert target.insert_events(events) == len(events)
    assert target.head(POINT) == source.head(POINT)


def test_replacing_a_case_with_the_same_names_keeps_one_search_row_and_a_new_name_is_found(pair):
    county, _ = pair
    sync = county.store.sync_store()
    row = _case(0)
    sync.insert_records("cases", [row], "2026-11-02T09:30:00+08:00")
    sync.replace_record(
        "cases", {**row, "state": "accepted", "version": 2}, "2026-11-02T10:00:00+08:00"
    )
    fts = "SELECT applicant_name FROM cases_fts WHERE case_uuid = ?"
    assert raw_rows(county.store, fts, (row["uuid"],)) == [("测 试 0",)]
    sync.replace_record(
        "cases", {**row, "applicant_name": "李四", "version": 3}, "2026-11-02T10:30:00+08:00"
    )
    assert raw_rows(county.store, fts, (row["uuid"],)) == [("李 四",)]


def _case(n: int) -> dict:
    return {
        "uuid": f"0190f0a0-0000-7000-8000-{n:012d}",
        "case_no": f"LS0120261102{n:04d}C",
        "point_code": POINT,
        "office_code": OFFICE,
        "origin_point": POINT,
        "item_no": 9,
        "channel": "on_site",
        "state": "draft",
        "applicant_kind": "person",
        "applicant_name": f"测试{n}",
        "unit_name": f"单位{n}",
        "received_at": "2026-11-02T09:30:00+08:00",
        "version": 1,
    }


def _travelling(window, uuid: str) -> dict:
    row = window.store.sync_store().record("cases", uuid)
    assert row is not None
    return {k: v for k, v in row.items() if k not in LOCAL_COLUMNS}


# ------------------------------------------------------------------ bundles: names and hashes


def test_a_name_with_a_line_separator_travels_intact(pair, tmp_path):
    county, point = pair
    uuid = collected(point, 35, 0)
    tamper_sql(
        point.store,
        "UPDATE cases SET applicant_name = ? WHERE uuid = ?",
        ("张\u2028三\x85丰", uuid),
    )
    report = county.import_bundle(export(point, tmp_path / "one").path)
    assert report.status == "imported", report.message
    assert county.store.get_case(uuid).applicant_name == "张\u2028三\x85丰"


TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
VALUE = st.one_of(
    st.none(), st.integers(-(2**40), 2**40), TEXT, st.booleans(), st.floats(allow_nan=False)
)
DATA = st.dictionaries(TEXT, st.one_of(VALUE, st.lists(VALUE, max_size=3)), max_size=4)


@settings(max_examples=300, deadline=None)
@given(
    fields=st.fixed_dictionaries(
        {
            name: st.one_of(TEXT, st.none(), st.integers(0, 10**6))
            for name in (
                "uuid",
                "case_uuid",
                "action",
                "actor",
                "at",
                "from_state",
                "to_state",
                "reason",
                "point_code",
                "origin",
            )
        }
    ),
    seq=st.one_of(st.integers(1, 10**9), st.booleans()),
    data=DATA,
    spacing=st.booleans(),
    format=st.sampled_from([1, 2, None]),
)
def test_the_spliced_link_hash_is_the_hash_of_the_canonical_payload(
    fields, seq, data, spacing, format
):
    # Spaced, unsorted data text is decoded and re-encoded canonically, exactly as before.
    text = json.dumps(
        data,
        ensure_ascii=spacing,
        sort_keys=False,
        separators=(", ", ": ") if spacing else (",", ":"),
    )
    event = {
        **fields,
        "seq": seq,
        "data": text,
        "prev_hash": "a" * 64,
        "hash": "",
        "format": format,
    }
    expected = event_hash({**event, "data": json.loads(text)}, "a" * 64, format or 1)
    assert exchange.event_link_hash(event, {}) == expected
    cache: dict[str, str] = {}
    exchange.event_link_hash(event, cache)
    assert exchange.event_link_hash(event, cache) == expected  # from the cache of canonical texts


def _payload(cases_part: bytes) -> bytes:
    """A payload whose cases part is `cases_part` (hashes and counts right, nothing else in it)."""
    import gzip

    from clerk.sync import bundle as fmt

    parts = {f"{name}.jsonl": b"" for name in fmt.RECORD_PARTS} | {"cases.jsonl": cases_part}
    manifest = {
        "format": fmt.FORMAT,
        "schema": 1,
        "suite": fmt.SUITE,
        "from": POINT,
        "to": OFFICE,
        "seq": 1,
        "kind": "report",
        "parts": {name: fmt.sha256(data) for name, data in parts.items()},
        "counts": {name: 0 for name in fmt.RECORD_PARTS} | {"cases": 1},
    }
    members = {"manifest.json": json.dumps(manifest).encode("utf-8"), **parts}
    return gzip.compress(fmt._tar(members))


def test_a_records_line_is_read_as_utf8_json():
    from clerk.sync import bundle as fmt

    line = json.dumps({"uuid": "c-1", "applicant_name": "张\u2028三"}, ensure_ascii=False).encode(
        "utf-8"
    )
    contents = fmt.open_payload(_payload(line + b"\n"), schema_version=99)
    assert contents.records["cases"] == [{"uuid": "c-1", "applicant_name": "张\u2028三"}]


@pytest.mark.parametrize("line", [b'{"uuid": "\xff"}', b'{"amount_fen": NaN}', b"{", b" "])
def test_a_records_line_that_is_not_json_refuses_the_part(line):
    from clerk.sync import bundle as fmt
    from clerk.sync.bundle import BundleError

    with pytest.raises(BundleError) as refused:
        fmt.open_payload(_payload(line + b"\n"), schema_version=99)
    assert refused.value.code == "bad_part"
