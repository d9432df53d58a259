"""Storage of roster batches and the bulk writes a batch uses: same rows and chain as one by one."""

from __future__ import annotations

from datetime import datetime

import pytest
from support.tamper import raw_rows
from test_storage_support import case_row, event, open_store

from clerk.db import ConstraintError, PersonalDataError
from clerk.domain.model import Action, CaseState
from clerk.ports.records import BatchMaterial, NewBatch, NewCase, NewMaterialCheck, columns_of


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "clerk.db")
    yield s
    s.close()


def tables(store) -> set[str]:
    return {r[0] for r in raw_rows(store, "SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_the_migration_adds_the_batch_tables(store):
    assert {"batches", "batch_materials", "batch_cases"} <= tables(store)


def test_insert_cases_stores_the_same_rows_as_insert_case(tmp_path):
    one, many = open_store(tmp_path / "one.db"), open_store(tmp_path / "many.db")
    for n in (1, 2):
        one.insert_case(case_row(n))
    many.insert_cases([case_row(1), case_row(2)])
    uuids = [case_row(n).uuid for n in (1, 2)]
    assert [many.get_case(u) for u in uuids] == [one.get_case(u) for u in uuids]
    assert None not in [one.get_case(u) for u in uuids]
    one.close()
    many.close()


def test_insert_cases_indexes_the_names(store):
    store.insert_cases([case_row(1, applicant_name="欧阳娜娜")])
    assert [r.uuid for r in store.search_names("阳娜")] == [case_row(1).uuid]


def test_insert_cases_refuses_managed_columns(store):
    # The store manages version and the timestamps: a new case has no field for them.
    for managed in ("version", "created_at", "updated_at"):
        with pytest.raises(TypeError, match=managed):
            NewCase(**columns_of(case_row(1)), **{managed: 3})


def test_insert_cases_stores_cases_with_different_columns_set(store):
    # Every `NewCase` has every column, so cases setting different ones go in one statement.
    store.insert_cases([case_row(1), case_row(2, phone="13800138000")])
    assert [store.get_case(case_row(n).uuid).phone for n in (1, 2)] == [None, "13800138000"]


def test_append_events_chains_like_append_event(tmp_path):
    one, many = open_store(tmp_path / "one.db"), open_store(tmp_path / "many.db")
    uuid = case_row(1).uuid
    for s in (one, many):
        s.insert_case(case_row(1))
    events = [
        event(uuid),
        event(uuid, action=Action.ACCEPT, from_state=CaseState.DRAFT, to_state=CaseState.ACCEPTED),
    ]
    for e in events:
        one.append_event(e, "YZ01")
    many.append_events(events, "YZ01")

    def stored(s):
        return [
            (e.seq, e.case_uuid, e.action, e.from_state, e.to_state, e.data, e.point_code)
            for e in s.case_events(uuid)
        ]

    assert stored(many) == stored(one)
    assert len(stored(one)) == 2
    assert many.verify()["chain_ok"] is True
    one.close()
    many.close()


def test_append_events_continues_the_existing_chain(store):
    uuid = case_row(1).uuid
    store.insert_case(case_row(1))
    store.append_event(event(uuid), "YZ01")
    store.append_events(
        [
            event(
                uuid, action=Action.ACCEPT, from_state=CaseState.DRAFT, to_state=CaseState.ACCEPTED
            )
        ],
        "YZ01",
    )
    assert (store.chain_head()[0], store.verify()["chain_ok"]) == (2, True)


def test_append_events_refuses_personal_data_and_stores_none(store):
    uuid = case_row(1).uuid
    store.insert_case(case_row(1))
    with pytest.raises(PersonalDataError):
        store.append_events([event(uuid), event(uuid, reason="电话13812345678")], "YZ01")
    assert store.chain_head()[0] == 0


def test_add_material_checks_stores_version_1_rows(store):
    store.insert_case(case_row(1))
    store.add_material_checks(
        [
            NewMaterialCheck(
                case_uuid=case_row(1).uuid,
                point_code="YZ01",
                material_id="valid_id",
                status="ok",
            )
        ]
    )
    assert [
        (m.material_id, m.status, m.version) for m in store.material_checks(case_row(1).uuid)
    ] == [("valid_id", "ok", 1)]


def batch_row(**overrides):
    fields = {
        "uuid": "b1",
        "batch_no": "XY0120260302P01",
        "point_code": "XY01",
        "office_code": "YZ01",
        "item_no": 9,
        "school_name": "某学院",
        "source_name": "r.xlsx",
        "source_kind": "xlsx",
        "source_sha256": "a" * 64,
        "rows_total": 1,
        "enrolled": 1,
        "first_case_no": "X1",
        "last_case_no": "X1",
        "received_at": datetime.fromisoformat("2026-03-02T09:00:00+08:00"),
        "created_by": "li",
    }
    fields.update(overrides)
    return NewBatch(**fields)


def test_a_batch_and_its_checked_material_are_stored_together(store):
    store.insert_batch(
        batch_row(), [BatchMaterial(material_id="sealed_roster", status="ok", checked_by="li")]
    )
    assert store.batch("b1")["version"] == 1
    assert [m["material_id"] for m in store.batch_materials("b1")] == ["sealed_roster"]


def test_a_batch_needs_a_whole_sha256(store):
    with pytest.raises(ConstraintError):
        store.insert_batch(batch_row(source_sha256="abc"), [])


def test_batches_are_found_by_the_files_sha256(store):
    store.insert_batch(batch_row(), [])
    assert [b.batch_no for b in store.batches_with_sha("a" * 64)] == ["XY0120260302P01"]
    assert store.batches_with_sha("b" * 64) == []


def test_batch_numbers_count_the_points_batches_of_the_day(store):
    from datetime import date

    store.insert_batch(batch_row(), [])
    assert store.next_batch_number("XY01", date(2026, 3, 2)) == 2
    assert store.next_batch_number("XY01", date(2026, 3, 3)) == 1


def test_enrolled_ids_name_the_live_enrolment_case(store):
    store.insert_case(case_row(1, item_no=9, state="closed", id_number="11010519491231002X"))
    store.insert_case(case_row(2, item_no=9, state="withdrawn", id_number="110105194912310021"))
    assert store.enrolled_ids(9, ["11010519491231002X", "110105194912310021"]) == {
        "11010519491231002X": case_row(1).case_no
    }
