"""Cases, material checks, documents, evaluations, settings and the daily counter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from support.clock import Clock
from support.tamper import raw_rows, raw_value
from test_storage_support import T0, case_row, open_store

from clerk.db import CaseRecord, ConflictError, ConstraintError, NotFoundError, PointRecord
from clerk.domain.model import CaseState, Rating
from clerk.ports.records import (
    CaseChanges,
    MaterialCheckInput,
    NewCase,
    NewDocument,
    NewEvaluation,
    columns_of,
    normalize,
)

UUID = case_row(1).uuid
STAMP = "2026-03-02T09:00:00+08:00"


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def store(tmp_path, clock):
    s = open_store(tmp_path / "clerk.db", clock)
    yield s
    s.close()


@pytest.fixture
def case(store):
    store.insert_case(case_row(1))
    return store.get_case(UUID)


def test_inserted_case_comes_back_with_every_column(case):
    assert case == CaseRecord.from_row(
        {
            **normalize(columns_of(case_row(1))),
            "origin_point": "YZ01",
            "phone": None,
            "unit_name": None,
            "credit_code": None,
            "agent_name": None,
            "agent_id_type": None,
            "agent_id_number": None,
            "bank_account": None,
            "circumstances": "[]",
            "accepted_at": None,
            "accepted_by": None,
            "due_date": None,
            "due_provisional": 0,
            "decided_at": None,
            "closed_at": None,
            "amount_fen": None,
            "version": 1,
            "created_at": STAMP,
            "updated_at": STAMP,
            "created_by": "clerk1",
            "due_start": None,
            "reviewed_by": None,
            "paid_at": None,
        }
    )


def test_a_case_record_decodes_json_dates_and_flags(store):
    store.insert_case(
        case_row(1, circumstances=["proxy"], due_date=date(2026, 3, 20), due_provisional=True)
    )
    row = store.get_case(UUID)
    assert (row.circumstances, row.due_date, row.due_provisional, row.received_at, row.state) == (
        frozenset({"proxy"}),
        date(2026, 3, 20),
        True,
        datetime.fromisoformat(STAMP),
        CaseState.DRAFT,
    )


def test_insert_generates_a_uuid_when_absent(store):
    row = case_row(1, uuid=None)
    uuid = store.insert_case(row)
    assert len(uuid) == 36 and store.get_case(uuid).case_no == row.case_no


def test_circumstances_set_is_stored_as_sorted_json(store):
    store.insert_case(case_row(1, circumstances=frozenset({"proxy", "first_payment"})))
    assert store.get_case(UUID).circumstances == frozenset({"first_payment", "proxy"})
    assert raw_value(store, "SELECT circumstances FROM cases") == '["first_payment","proxy"]'


def test_timestamps_are_normalized_to_beijing_time(store):
    store.insert_case(case_row(1, received_at=datetime(2026, 3, 2, 1, 0, tzinfo=UTC)))
    assert store.get_case(UUID).received_at.isoformat() == "2026-03-02T09:00:00+08:00"


def test_naive_timestamp_is_refused(store):
    with pytest.raises(ValueError, match="offset"):
        store.insert_case(case_row(1, received_at=datetime(2026, 3, 2, 9, 0)))


def test_unknown_column_is_refused(store, case):
    # A new case has no field for it; a change names it and is refused before the engine.
    with pytest.raises(TypeError, match="favourite_colour"):
        NewCase(**columns_of(case_row(1)), favourite_colour="red")
    with pytest.raises(ValueError, match="unknown column.*favourite_colour"):
        store.update_case(UUID, CaseChanges(favourite_colour="red"), expected_version=1)
    with pytest.raises(ValueError, match="unknown column.*favourite_colour"):
        store.update_case(UUID, {"favourite_colour": "red"}, expected_version=1)  # type: ignore[arg-type]
    assert store.get_case(UUID).version == 1


def test_duplicate_case_number_is_refused(store, case):
    with pytest.raises(ConstraintError, match="UNIQUE"):
        store.insert_case(case_row(2, case_no=case.case_no))


def test_get_case_by_no(store, case):
    assert store.get_case_by_no(" YZ01-20260302-0001 ") == case
    assert store.get_case_by_no("YZ01-20260302-9999") is None


def test_update_case_bumps_version_and_updated_at(store, case, clock):
    clock.at = T0 + timedelta(minutes=5)
    assert (
        store.update_case(
            UUID, CaseChanges(state="accepted", due_date=date(2026, 3, 20)), expected_version=1
        )
        == 2
    )
    row = store.get_case(UUID)
    assert (
        row.state,
        row.due_date,
        row.version,
        row.created_at.isoformat(),
        row.updated_at.isoformat(),
    ) == (
        "accepted",
        date(2026, 3, 20),
        2,
        STAMP,
        "2026-03-02T09:05:00+08:00",
    )


def test_update_with_a_stale_version_raises_conflict(store, case):
    store.update_case(UUID, CaseChanges(state="accepted"), expected_version=1)
    with pytest.raises(ConflictError, match="刷新"):
        store.update_case(UUID, CaseChanges(state="refused"), expected_version=1)
    assert store.get_case(UUID).state == "accepted"


def test_update_of_a_missing_case_raises_not_found(store):
    with pytest.raises(NotFoundError):
        store.update_case("nope", CaseChanges(state="accepted"), expected_version=1)


@pytest.mark.parametrize("column", ["uuid", "case_no", "version", "created_at", "updated_at"])
def test_managed_columns_cannot_be_updated(store, case, column):
    with pytest.raises(ValueError, match=column):
        store.update_case(UUID, CaseChanges({column: "x"}), expected_version=1)
    with pytest.raises(ValueError, match=column):  # a plain mapping handed at run time, too
        store.update_case(UUID, {column: "x"}, expected_version=1)  # type: ignore[arg-type]
    assert store.get_case(UUID).version == 1


def test_renaming_updates_the_name_search(store, case):
    store.update_case(UUID, CaseChanges(applicant_name="李四"), expected_version=1)
    assert store.search_names("张三") == []
    assert [r.uuid for r in store.search_names("李四")] == [UUID]


def test_next_sequence_counts_per_point_and_day(store):
    day = date(2026, 3, 2)
    assert [store.next_sequence("YZ01", day) for _ in range(3)] == [1, 2, 3]
    assert store.next_sequence("YZ02", day) == 1
    assert store.next_sequence("YZ01", date(2026, 3, 3)) == 1
    assert raw_rows(store, "SELECT * FROM sequences ORDER BY point_code, day") == [
        ("YZ01", "2026-03-02", 3),
        ("YZ01", "2026-03-03", 1),
        ("YZ02", "2026-03-02", 1),
    ]


def test_next_sequence_is_undone_with_the_callers_transaction(store):
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.next_sequence("YZ01", "2026-03-02")
            raise RuntimeError
    assert store.next_sequence("YZ01", "2026-03-02") == 1


# ---------------------------------------------------------------------- materials


def _materials(store):
    return [
        {
            k: getattr(r, k)
            for k in ("material_id", "status", "alternative", "defect", "version", "point_code")
        }
        for r in store.material_checks(UUID)
    ]


def test_material_checks_are_stored(store, case):
    store.set_material_checks(
        UUID,
        [
            MaterialCheckInput(material_id="M02", status="missing"),
            MaterialCheckInput(material_id="M01", status="ok", alternative="身份证原件"),
        ],
    )
    assert _materials(store) == [
        {
            "material_id": "M01",
            "status": "ok",
            "alternative": "身份证原件",
            "defect": "",
            "version": 1,
            "point_code": "YZ01",
        },
        {
            "material_id": "M02",
            "status": "missing",
            "alternative": None,
            "defect": "",
            "version": 1,
            "point_code": "YZ01",
        },
    ]


def test_material_checks_upsert_by_material(store, case, clock):
    store.set_material_checks(
        UUID,
        [
            MaterialCheckInput(material_id="M01", status="missing"),
            MaterialCheckInput(material_id="M02", status="ok"),
        ],
    )
    clock.at = T0 + timedelta(hours=1)
    store.set_material_checks(
        UUID,
        [
            MaterialCheckInput(material_id="M01", status="ok"),
            MaterialCheckInput(material_id="M02", status="ok"),
        ],
    )
    rows = store.material_checks(UUID)
    assert [(r.material_id, r.status, r.version, r.updated_at.isoformat()) for r in rows] == [
        ("M01", "ok", 2, "2026-03-02T10:00:00+08:00"),
        ("M02", "ok", 1, STAMP),
    ]


def test_material_checks_for_a_missing_case(store):
    with pytest.raises(NotFoundError):
        store.set_material_checks("nope", [MaterialCheckInput(material_id="M01", status="ok")])


def test_material_check_records_carry_uuid_and_timestamps(store, case):
    store.set_material_checks(
        UUID, [MaterialCheckInput(material_id="M01", status="ok")], point_code="YZ0101"
    )
    row = store.material_checks(UUID)[0]
    assert (len(row.uuid), row.point_code, row.created_at.isoformat()) == (36, "YZ0101", STAMP)


# ---------------------------------------------------------------------- documents and evaluations


def _document(**overrides):
    fields = {
        "uuid": "doc-1",
        "case_uuid": UUID,
        "point_code": "YZ01",
        "kind": "notice",
        "doc_no": "YZ01告〔2026〕1号",
        "path_txt": "/d/1.txt",
        "path_pdf": "/d/1.pdf",
        "sha256": "ab" * 32,
        "issued_at": datetime.fromisoformat(STAMP),
        "issued_by": "clerk1",
    }
    fields.update(overrides)
    return NewDocument(**fields)


def test_documents_for_a_case(store, case):
    store.add_document(_document())
    store.add_document(
        _document(
            uuid="doc-2",
            kind="acceptance",
            issued_at=datetime.fromisoformat("2026-03-02T10:00:00+08:00"),
            reprint_of="doc-1",
        )
    )
    assert [(d.uuid, d.kind, d.version, d.reprint_of) for d in store.documents_for(UUID)] == [
        ("doc-1", "notice", 1, None),
        ("doc-2", "acceptance", 1, "doc-1"),
    ]


def test_evaluation_and_follow_up(store, case, clock):
    assert store.evaluation_for(UUID) is None
    store.add_evaluation(
        NewEvaluation(
            uuid="ev-1",
            case_uuid=UUID,
            point_code="YZ01",
            level=Rating("2"),
            comment="等候较久",
            at=datetime.fromisoformat(STAMP),
        )
    )
    clock.at = T0 + timedelta(days=1)
    store.follow_up_evaluation(UUID, "已电话回访，申请人表示理解", T0 + timedelta(days=1))
    row = store.evaluation_for(UUID)
    assert (row.level, row.follow_up, row.followed_up_at.isoformat(), row.version) == (
        "2",
        "已电话回访，申请人表示理解",
        "2026-03-03T09:00:00+08:00",
        2,
    )


def test_follow_up_without_an_evaluation(store, case):
    with pytest.raises(NotFoundError, match="还没有评价"):
        store.follow_up_evaluation(UUID, "回访", STAMP)


# ---------------------------------------------------------------------- settings and points


def test_settings(store):
    assert store.get_setting("point_code") is None
    store.set_setting("point_code", "YZ01")
    store.set_setting("point_code", "YZ02")
    assert store.settings() == {"point_code": "YZ02"}


def test_points_declared_locally(store):
    store.add_point("YZ0101", "某镇政务服务大厅", "township_hall", "YZ01")
    store.add_point("YZ0101", "某镇政务服务中心", "township_hall", "YZ01")
    assert store.points() == [PointRecord("YZ0101", "某镇政务服务中心", "township_hall", "YZ01")]
