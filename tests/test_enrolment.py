"""A college enrols its students in one go: valid rows become item-9 cases in one transaction, all
linked to one batch, with one receipt; nobody is enrolled twice."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from roster_support import COLLEGE, COLLEGE_NAME, PASSWORD, college_window, roster
from support.tamper import count_rows

from clerk.domain.clock import TZ
from clerk.domain.materials import MaterialCheck
from clerk.domain.model import Applicant, CaseState, Channel
from clerk.ports.records import NewCase
from clerk.roster.sample import student_row
from clerk.service.window import ActorRevokedError, ServiceError


@pytest.fixture
def college(tmp_path):
    return college_window(tmp_path)


def enrol(window, user, path: Path, **options):
    check = window.check_roster(path)
    return window.enrol_roster(
        user, check, seal_checked=options.pop("seal_checked", True), **options
    )


def count(window, table: str) -> int:
    return count_rows(window.store, table)


def events_of(window, case_uuid: str) -> list[tuple[str, str | None, str, dict]]:
    return [
        (e["action"], e["from_state"], e["to_state"], json.loads(e["data"]))
        for e in window.store.events_for(case_uuid)
    ]


def _moves(window, case_uuid: str) -> list[tuple[str, str | None, str, dict]]:
    """The case's moves, without what the proof adds (checks, materials, issued documents)."""
    return [
        (a, f, t, {k: v for k, v in d.items() if k not in ("materials", "documents")})
        for a, f, t, d in events_of(window, case_uuid)
        if a != "check"
    ]


def batch_cases(window, result):
    return window.store.batch_cases(result.batch_uuid)


# ---------------------------------------------------------------------- a clean roster


def test_every_student_becomes_a_closed_item_9_case(college, tmp_path):
    window, clerk = college
    enrol(window, clerk, roster(tmp_path, 4))
    rows = [
        window.store.get_case(c["case_uuid"])
        for c in window.store.batch_cases(window.store.batches()[0]["uuid"])
    ]
    assert [(r.item_no, r.state, r.applicant_name) for r in rows] == [
        (9, "closed", student_row(i)["姓名"]) for i in range(4)
    ]


def test_case_numbers_are_consecutive_and_the_result_names_the_range(college, tmp_path):
    window, clerk = college
    result = enrol(window, clerk, roster(tmp_path, 3))
    numbers = [c["case_no"] for c in batch_cases(window, result)]
    assert [n[12:16] for n in numbers] == ["0001", "0002", "0003"]
    assert (result.first_case_no, result.last_case_no, result.enrolled) == (
        numbers[0],
        numbers[-1],
        3,
    )


def test_a_batch_case_has_the_same_events_as_a_single_enrolment(college, tmp_path):
    window, clerk = college
    single = window.open_case(
        clerk, 9, Applicant("person", "张三", "resident_id", student_row(50)["证件号码"])
    )
    checks = {
        m.id: MaterialCheck(m.id, "ok", m.alternatives[0])
        for m in window.required_for(9, frozenset())
    }
    window.check_materials(clerk, single.uuid, checks)
    window.accept(clerk, single.uuid)
    result = enrol(window, clerk, roster(tmp_path, 1))
    batch_case = batch_cases(window, result)[0]["case_uuid"]
    assert _moves(window, batch_case) == _moves(window, single.uuid)
    # what each proves besides: the batch's receipt carries its checks, the single case's
    # checks have an event of their own; the single case's moves name the documents they issued
    (receive, *_rest) = events_of(window, batch_case)
    assert [m[0] for m in receive[3]["materials"]] == [
        m.id for m in window.required_for(9, frozenset())
    ]
    assert [e[0] for e in events_of(window, single.uuid)][:2] == ["receive", "check"]
    assert [e[0] for e in events_of(window, batch_case)] == [
        "receive",
        "accept",
        "approve",
        "close",
    ]


def test_the_cases_are_accepted_and_closed_by_the_clerk_today(college, tmp_path):
    window, clerk = college
    result = enrol(window, clerk, roster(tmp_path, 1))
    row = window.store.get_case(batch_cases(window, result)[0]["case_uuid"])
    assert (row.accepted_by, row.accepted_at, row.closed_at, row.due_date) == (
        "li",
        datetime(2026, 9, 1, 9, 30, tzinfo=TZ),
        datetime(2026, 9, 1, 9, 30, tzinfo=TZ),
        date(2026, 9, 1),
    )


def test_each_case_has_its_materials_checked(college, tmp_path):
    window, clerk = college
    result = enrol(window, clerk, roster(tmp_path, 1))
    case_uuid = batch_cases(window, result)[0]["case_uuid"]
    assert [(m.material_id, m.status) for m in window.store.material_checks(case_uuid)] == [
        ("form", "ok"),
        ("valid_id", "ok"),
    ]


def test_the_case_view_shows_a_closed_enrolment_with_masked_data(college, tmp_path):
    window, clerk = college
    result = enrol(window, clerk, roster(tmp_path, 1))
    view = window.case(batch_cases(window, result)[0]["case_uuid"], clerk)
    assert (view.state, view.missing, view.applicant_id_masked[:3]) == (CaseState.CLOSED, [], "439")


def test_the_batch_records_the_file_its_counts_and_the_range(college, tmp_path):
    window, clerk = college
    path = roster(tmp_path, 3)
    check = window.check_roster(path)
    result = window.enrol_roster(clerk, check, seal_checked=True)
    batch = window.store.batch(result.batch_uuid)
    assert {
        k: batch[k]
        for k in (
            "batch_no",
            "school_name",
            "source_name",
            "source_sha256",
            "rows_total",
            "enrolled",
            "to_correct",
            "skipped",
            "created_by",
        )
    } == {
        "batch_no": f"{COLLEGE}20260901P01",
        "school_name": COLLEGE_NAME,
        "source_name": "roster.xlsx",
        "source_sha256": check.sha256,
        "rows_total": 3,
        "enrolled": 3,
        "to_correct": 0,
        "skipped": 0,
        "created_by": "li",
    }


def test_the_schools_seal_is_a_checked_material_of_the_batch(college, tmp_path):
    window, clerk = college
    result = enrol(window, clerk, roster(tmp_path, 1))
    assert [
        (m["material_id"], m["status"], m["checked_by"])
        for m in window.store.batch_materials(result.batch_uuid)
    ] == [("sealed_roster", "ok", "li")]


def test_the_batch_keeps_the_student_number_and_class_of_each_case(college, tmp_path):
    window, clerk = college
    result = enrol(window, clerk, roster(tmp_path, 2))
    assert [
        (c["row_no"], c["student_no"], c["class_name"]) for c in batch_cases(window, result)
    ] == [
        (2, student_row(0)["学号"], student_row(0)["院系/班级"]),
        (3, student_row(1)["学号"], student_row(1)["院系/班级"]),
    ]


def test_a_second_batch_the_same_day_gets_the_next_batch_number(college, tmp_path):
    window, clerk = college
    enrol(window, clerk, roster(tmp_path, 1))
    second = enrol(window, clerk, roster(tmp_path, 2, name="more.xlsx"))  # student 0 is skipped
    assert (second.batch_no, second.enrolled, second.skipped) == (f"{COLLEGE}20260901P02", 1, 1)


def test_one_receipt_is_issued_for_the_batch_with_count_and_range(college, tmp_path):
    window, clerk = college
    result = enrol(window, clerk, roster(tmp_path, 3))
    text = result.receipt.path_txt.read_text(encoding="utf-8")
    assert result.receipt.path_pdf.is_file()
    assert "登记人数：3人" in text
    assert f"办件编号：{result.first_case_no} 至 {result.last_case_no}（共3件，编号连续）" in text
    assert text.count("参保登记受理回执") == 2  # 存档联 and 申请人联
    assert result.notice is None
    assert sorted(p.name for p in (tmp_path / "documents").rglob("*.pdf")) == [
        f"{result.batch_no}-HZ-1.pdf"
    ]


def test_the_receipt_is_recorded_on_the_batch(college, tmp_path):
    window, clerk = college
    result = enrol(window, clerk, roster(tmp_path, 1))
    batch = window.store.batch(result.batch_uuid)
    assert (batch["receipt_doc_no"], batch["receipt_path_pdf"], batch["receipt_sha256"]) == (
        f"{result.batch_no}-HZ-1",
        str(result.receipt.path_pdf),
        result.receipt.sha256,
    )


def test_progress_is_reported_up_to_the_total(college, tmp_path):
    window, clerk = college
    seen: list[tuple[int, int]] = []
    enrol(
        window, clerk, roster(tmp_path, 3), progress=lambda done, total: seen.append((done, total))
    )
    assert seen[-1] == (3, 3)


def test_the_event_chain_verifies_after_a_batch(college, tmp_path):
    window, clerk = college
    enrol(window, clerk, roster(tmp_path, 20))
    result = window.store.verify()
    assert (result["ok"], result["events"]) == (True, 20 * 4)


def test_the_batch_cases_are_found_by_id_number(college, tmp_path):
    window, clerk = college
    enrol(window, clerk, roster(tmp_path, 2))
    assert [s.item_no for s in window.search(student_row(1)["证件号码"])] == [9]


# ---------------------------------------------------------------------- nobody twice


def test_the_same_file_twice_enrols_nobody_twice(college, tmp_path):
    window, clerk = college
    path = roster(tmp_path, 3)
    enrol(window, clerk, path)
    again = window.check_roster(path)
    assert (len(again.students), len(again.enrolled)) == (0, 3)
    with pytest.raises(ServiceError, match="没有需要登记的学生"):
        window.enrol_roster(clerk, again, seal_checked=True)
    assert count(window, "cases") == 3


def test_the_second_check_names_the_case_number_of_the_earlier_enrolment(college, tmp_path):
    window, clerk = college
    path = roster(tmp_path, 1)
    result = enrol(window, clerk, path)
    assert [p.text() for p in window.check_roster(path).enrolled] == [
        f"第2行【证件号码】：该学生已在本机参保登记（办件编号 {result.first_case_no}），不再重复登记。"
    ]


def test_the_second_check_names_the_earlier_batch_of_the_same_file(college, tmp_path):
    window, clerk = college
    path = roster(tmp_path, 1)
    result = enrol(window, clerk, path)
    earlier = window.earlier_batches(window.check_roster(path))
    assert [(e.batch_no, e.enrolled) for e in earlier] == [(result.batch_no, 1)]


def test_a_check_made_before_another_import_does_not_enrol_twice(college, tmp_path):
    window, clerk = college
    path = roster(tmp_path, 2)
    stale = window.check_roster(path)
    enrol(window, clerk, roster(tmp_path, 1, name="first.xlsx"))
    result = window.enrol_roster(clerk, stale, seal_checked=True)
    assert (result.enrolled, result.skipped, count(window, "cases")) == (1, 1, 2)


def test_a_student_enrolled_one_at_a_time_is_skipped(college, tmp_path):
    window, clerk = college
    single = window.open_case(
        clerk, 9, Applicant("person", "张三", "resident_id", student_row(0)["证件号码"])
    )
    checks = {
        m.id: MaterialCheck(m.id, "ok", m.alternatives[0])
        for m in window.required_for(9, frozenset())
    }
    window.check_materials(clerk, single.uuid, checks)
    window.accept(clerk, single.uuid)
    result = enrol(window, clerk, roster(tmp_path, 2))
    assert (result.enrolled, result.skipped) == (1, 1)


def test_a_withdrawn_enrolment_does_not_count_as_enrolled(college, tmp_path):
    window, clerk = college
    single = window.open_case(
        clerk, 9, Applicant("person", "张三", "resident_id", student_row(0)["证件号码"])
    )
    window.withdraw(clerk, single.uuid, "申请人书面申请撤回")
    assert len(window.check_roster(roster(tmp_path, 1)).students) == 1


def test_another_items_case_does_not_count_as_enrolled(college, tmp_path):
    window, clerk = college
    window.store.insert_case(
        NewCase(
            case_no="XY01202609010001Z",
            point_code=COLLEGE,
            item_no=31,
            channel=Channel.ON_SITE,
            state=CaseState.CLOSED,
            applicant_kind="person",
            applicant_name="张三",
            id_type="resident_id",
            id_number=student_row(0)["证件号码"],
            received_at=datetime.fromisoformat("2026-09-01T09:00:00+08:00"),
        )
    )
    assert len(window.check_roster(roster(tmp_path, 1)).students) == 1


# ---------------------------------------------------------------------- bad rows


def test_rows_to_correct_block_the_import_unless_the_valid_rows_are_accepted(college, tmp_path):
    window, clerk = college
    with pytest.raises(ServiceError, match="名册有 1 行需要更正，尚未导入任何学生"):
        enrol(window, clerk, roster(tmp_path, 3, bad={1: "check_digit"}))
    assert (count(window, "cases"), count(window, "events"), count(window, "batches")) == (0, 0, 0)


def test_accepting_the_valid_rows_enrols_them_and_issues_the_notice(college, tmp_path):
    window, clerk = college
    result = enrol(window, clerk, roster(tmp_path, 3, bad={1: "check_digit"}), accept_valid=True)
    assert (
        result.enrolled,
        result.to_correct,
        [c["row_no"] for c in batch_cases(window, result)],
    ) == (2, 1, [2, 4])
    assert result.notice is not None and result.notice.path_pdf.is_file()


def test_the_notice_lists_every_row_to_correct_with_its_reason(college, tmp_path):
    window, clerk = college
    result = enrol(
        window, clerk, roster(tmp_path, 4, bad={1: "empty_name", 3: "bad_phone"}), accept_valid=True
    )
    assert result.notice is not None
    text = "".join(
        line.strip() for line in result.notice.path_txt.read_text(encoding="utf-8").splitlines()
    )
    assert f"1. 第3行（学号 {student_row(1)['学号']}）：【姓名】未填写，请填写姓名。" in text
    assert "2. 第5行（学号" in text and "【联系电话】手机号码应为11位，现为10位，请核对。" in text


def test_the_notice_masks_names_and_never_prints_an_id_number(college, tmp_path):
    window, clerk = college
    result = enrol(window, clerk, roster(tmp_path, 3, bad={1: "bad_phone"}), accept_valid=True)
    assert result.notice is not None
    text = result.notice.path_txt.read_text(encoding="utf-8")
    name = student_row(1)["姓名"]
    assert name not in text and name[0] + "*" in text
    assert student_row(1)["证件号码"] not in text


def test_the_receipt_says_how_many_rows_need_correcting(college, tmp_path):
    window, clerk = college
    result = enrol(window, clerk, roster(tmp_path, 3, bad={1: "bad_phone"}), accept_valid=True)
    text = result.receipt.path_txt.read_text(encoding="utf-8")
    assert "需更正：1行（未登记）" in text and f"{result.batch_no}-GZ-1" in text


def test_a_file_problem_blocks_even_accepting_the_valid_rows(college, tmp_path):
    from openpyxl import load_workbook

    window, clerk = college
    path = roster(tmp_path, 2)
    book = load_workbook(path)
    book.create_sheet("Sheet2").append(["x"])
    book.save(path)
    with pytest.raises(ServiceError, match="名册文件本身有问题"):
        enrol(window, clerk, path, accept_valid=True)
    assert count(window, "cases") == 0


def test_a_roster_where_every_row_is_bad_enrols_nobody(college, tmp_path):
    window, clerk = college
    with pytest.raises(ServiceError, match="没有需要登记的学生"):
        enrol(window, clerk, roster(tmp_path, 1, bad={0: "empty_name"}), accept_valid=True)


# ---------------------------------------------------------------------- who and where


def test_the_seal_must_be_checked_first(college, tmp_path):
    window, clerk = college
    with pytest.raises(ServiceError, match="请先核验纸质汇总表（表6）已加盖学校公章"):
        enrol(window, clerk, roster(tmp_path, 1), seal_checked=False)
    assert count(window, "cases") == 0


def test_only_a_college_point_imports_rosters(tmp_path):
    window, clerk = college_window(tmp_path, kind="township_hall")
    assert window.roster_point_problem() == (
        "本机是乡镇（街道）政务服务大厅，学生名册（表6）由大中专院校服务点导入。"
        "请在学校的服务点导入，或逐人新建“城乡居民参保登记”办件。"
    )
    with pytest.raises(ServiceError, match="由大中专院校服务点导入"):
        enrol(window, clerk, roster(tmp_path, 1))


def test_a_reviewer_cannot_import_a_roster(college, tmp_path):
    window, _ = college
    reviewer = window.login("shen", PASSWORD)
    with pytest.raises(ServiceError, match="审核人员不能受理参保登记"):
        enrol(window, reviewer, roster(tmp_path, 1))


# ---------------------------------------------------------------------- all or nothing


def test_a_failure_midway_stores_nothing_and_sets_the_documents_aside(
    college, tmp_path, monkeypatch
):
    import sqlite3

    window, clerk = college
    check = window.check_roster(roster(tmp_path, 3))
    original = window.store.link_batch_cases

    def full_disk(links):
        original(links)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(window.store, "link_batch_cases", full_disk)
    with pytest.raises(ServiceError):
        window.enrol_roster(clerk, check, seal_checked=True)
    assert [
        count(window, t)
        for t in ("cases", "events", "case_materials", "batches", "batch_cases", "sequences")
    ] == [
        0,
        0,
        0,
        0,
        0,
        0,
    ]
    assert [p.name for p in (tmp_path / "documents").rglob("*.pdf")] == [
        f"{COLLEGE}20260901P01-HZ-1.unrecorded-1.pdf"
    ]


def test_after_a_failure_the_same_roster_imports_under_the_same_numbers(
    college, tmp_path, monkeypatch
):
    import sqlite3

    window, clerk = college
    check = window.check_roster(roster(tmp_path, 2))
    original = window.store.link_batch_cases
    monkeypatch.setattr(
        window.store,
        "link_batch_cases",
        lambda links: (_ for _ in ()).throw(sqlite3.OperationalError("disk I/O error")),
    )
    with pytest.raises(ServiceError):
        window.enrol_roster(clerk, check, seal_checked=True)
    monkeypatch.setattr(window.store, "link_batch_cases", original)
    result = window.enrol_roster(clerk, check, seal_checked=True)
    assert (result.batch_no, result.first_case_no[12:16]) == (f"{COLLEGE}20260901P01", "0001")


def test_each_case_lists_the_batch_receipt_as_its_acceptance_and_completion(college, tmp_path):
    window, clerk = college
    result = enrol(window, clerk, roster(tmp_path, 1))
    view = window.case(batch_cases(window, result)[0]["case_uuid"], clerk)
    assert [(d.kind, d.doc_no, d.path_pdf) for d in view.documents] == [
        ("acceptance", f"{result.batch_no}-HZ-1", str(result.receipt.path_pdf)),
        ("completion", f"{result.batch_no}-HZ-1", str(result.receipt.path_pdf)),
    ]


def test_a_full_verify_passes_after_a_batch_with_a_notice(college, tmp_path):
    window, clerk = college
    enrol(window, clerk, roster(tmp_path, 4, bad={2: "empty_name"}), accept_valid=True)
    assert window.store.verify(full=True)["problems"] == []


def test_a_roster_beyond_the_days_case_numbers_stores_nothing(college, tmp_path, monkeypatch):
    window, clerk = college
    monkeypatch.setattr("clerk.service.enrolment.MAX_SEQ", 2)
    with pytest.raises(ServiceError, match="本服务点今天的办件编号已用到 2，不能再编号"):
        enrol(window, clerk, roster(tmp_path, 3))
    assert (count(window, "cases"), count(window, "sequences")) == (0, 0)


def test_a_deactivated_clerk_cannot_import_through_an_open_session(college, tmp_path):
    window, clerk = college
    window.store.set_active(clerk.login, False)
    with pytest.raises(ActorRevokedError, match="您的账号已被停用"):
        enrol(window, clerk, roster(tmp_path, 2))
    assert count(window, "cases") == 0
