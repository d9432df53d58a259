"""The window's service: each decision stored with its events and document, or not at all."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from support.clock import Clock
from support.db import fresh_db
from support.tamper import count_rows, raw_rows

from clerk.db import Store
from clerk.domain.catalog import default_catalog
from clerk.domain.identifiers import resident_id_check_char
from clerk.domain.materials import MaterialCheck
from clerk.domain.model import Action, Applicant, CaseState, Channel, Rating, Role
from clerk.domain.offices import default_offices
from clerk.ports.records import CaseChanges
from clerk.service.window import ServiceError, Window

pytestmark = pytest.mark.usefixtures("engine")  # on SQLite and on PostgreSQL (support.engines)
# On PostgreSQL a document's bytes live in the database (the rows record relative names), so a
# test that reads or replaces the document files in the documents folder runs on SQLite only.
DOCUMENT_FILES = "reads or replaces the document files; on PostgreSQL the bytes are in the database"

PASSWORD = "counterpass1"
POINT = "YZ03"  # 冷水滩区
ID_BODY = "43999919800203123"
PERSON_ID = ID_BODY + resident_id_check_char(ID_BODY)


@pytest.fixture
def window(tmp_path: Path, clock: Clock) -> Window:
    w = Window(
        Store.open(fresh_db(tmp_path / "clerk.db")),
        default_catalog(),
        default_offices(),
        clock=clock,
        documents_root=tmp_path / "documents",
    )
    w.setup(POINT, "admin", "王管理", PASSWORD)
    for login, name, role in (
        ("clerk1", "李经办", Role.CLERK),
        ("rev1", "周审核", Role.REVIEWER),
        ("fin1", "赵财务", Role.FINANCE),
        ("boss", "陈主管", Role.SUPERVISOR),
    ):
        w.store.create_user(login, name, role, PASSWORD, POINT)
    return w


def user(window: Window, login: str):
    return window.login(login, PASSWORD)


def person(name: str = "张三丰", id_number: str = PERSON_ID) -> Applicant:
    return Applicant("person", name, "resident_id", id_number, phone="13812345678")


def checks_for(
    window: Window, item_no: int, *, missing: tuple[str, ...] = (), circumstances=frozenset()
):
    return {
        m.id: MaterialCheck(m.id, "missing")
        if m.id in missing
        else MaterialCheck(m.id, "ok", m.alternatives[0])
        for m in window.required_for(item_no, circumstances)
    }


def document_text(path: str) -> str:
    """The text document with its line wrapping undone, so phrases can be searched."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return "".join(line.strip().strip("\u3000") for line in lines)


def events(window: Window, uuid: str) -> list[tuple[str, str | None, str]]:
    return [(e["action"], e["from_state"], e["to_state"]) for e in window.store.events_for(uuid)]


# ------------------------------------------------------------------ opening


def test_open_case_numbers_it_for_the_point_and_day(window):
    view = window.open_case(user(window, "clerk1"), 31, person())
    assert view.case_no.startswith("YZ0320261102")
    assert view.state == CaseState.DRAFT
    assert events(window, view.uuid) == [("receive", None, "draft")]


def test_two_cases_on_one_day_get_consecutive_numbers(window):
    clerk = user(window, "clerk1")
    first = window.open_case(clerk, 31, person())
    second = window.open_case(clerk, 31, person())
    assert (first.case_no[12:16], second.case_no[12:16]) == ("0001", "0002")


def test_open_case_stores_the_applicant_normalised(window):
    view = window.open_case(user(window, "clerk1"), 31, person(id_number=PERSON_ID.lower()))
    row = window.store.get_case(view.uuid)
    assert (row.applicant_name, row.id_number, row.phone) == ("张三丰", PERSON_ID, "13812345678")


def test_view_masks_personal_data(window):
    view = window.open_case(user(window, "clerk1"), 31, person())
    assert view.applicant_id_masked == PERSON_ID[:3] + "*" * 11 + PERSON_ID[-4:]
    assert view.phone_masked == "138****5678"
    assert "三" not in view.applicant_name_masked


def test_invalid_id_is_refused_and_nothing_is_stored(window):
    bad = PERSON_ID[:-1] + ("0" if PERSON_ID[-1] != "0" else "1")
    with pytest.raises(ServiceError) as info:
        window.open_case(user(window, "clerk1"), 31, person(id_number=bad))
    assert "校验" in str(info.value)
    assert (count_rows(window, "cases"), count_rows(window, "events")) == (0, 0)


def test_township_hall_cannot_open_an_item_it_does_not_accept(tmp_path, clock):
    w = Window(Store.open(tmp_path / "t.db"), default_catalog(), default_offices(), clock=clock)
    w.store.add_point("LS01", "冷水滩区演示街道政务服务大厅", "township_hall", "YZ03")
    admin = w.setup("LS01", "admin", "王管理", PASSWORD)
    with pytest.raises(ServiceError) as info:
        w.open_case(admin, 31, person())
    assert "请引导申请人到县级医保服务大厅办理" in str(info.value)
    assert [c.item.no for c in w.item_choices() if c.allowed] == [
        i.no for i in w.catalog.items if i.accepted_at("township_hall")
    ]


# ------------------------------------------------------------------ the three outcomes at the window


def test_complete_residents_enrolment_closes_in_the_same_visit(window):
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 9, person())
    window.check_materials(clerk, view.uuid, checks_for(window, 9))
    view = window.accept(clerk, view.uuid)
    assert view.state == CaseState.CLOSED
    assert events(window, view.uuid) == [
        ("receive", None, "draft"),
        ("check", "draft", "draft"),
        ("accept", "draft", "accepted"),
        ("approve", "accepted", "accepted"),
        ("close", "accepted", "closed"),
    ]
    assert [d.kind for d in view.documents] == ["acceptance", "completion"]
    assert view.deadline is not None and view.deadline.due == date(2026, 11, 2)


def test_accept_with_materials_missing_is_refused(window):
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 31, person())
    window.check_materials(clerk, view.uuid, checks_for(window, 31, missing=("discharge_record",)))
    with pytest.raises(ServiceError):
        window.accept(clerk, view.uuid)
    assert window.case(view.uuid).state == CaseState.DRAFT
    assert events(window, view.uuid) == [("receive", None, "draft"), ("check", "draft", "draft")]


@pytest.mark.sqlite_only(DOCUMENT_FILES)
def test_notice_names_every_missing_material_at_once(window):
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 31, person())
    window.check_materials(
        clerk, view.uuid, checks_for(window, 31, missing=("invoice", "discharge_record"))
    )
    preview = window.preview_notice(view.uuid)
    assert preview.missing == (
        ("医院收费票据", "未提供"),
        ("出院记录", "未提供（要求：须加盖医院印章）"),
    )
    view = window.issue_notice(clerk, view.uuid)
    assert view.state == CaseState.AWAITING_SUPPLEMENT
    notice = window.store.events_for(view.uuid)[-1]
    data = json.loads(notice["data"])
    assert data.pop("documents")[0]["kind"] == "notice"  # the notice it issued, proven
    assert data == {"missing": ["discharge_record", "invoice"]}
    text = document_text(view.documents[0].path_txt)
    assert "医院收费票据" in text and "出院记录" in text


@pytest.mark.sqlite_only(DOCUMENT_FILES)
def test_notice_tells_an_applicant_with_an_unsealed_bill_list_to_have_it_sealed(window):
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 31, person())
    window.check_materials(clerk, view.uuid, checks_for(window, 31, missing=("bill_list",)))
    view = window.issue_notice(clerk, view.uuid)
    text = document_text(view.documents[0].path_txt)
    assert "住院费用清单：未提供（要求：须加盖医院印章）" in text


@pytest.mark.sqlite_only(DOCUMENT_FILES)
def test_notice_preview_is_the_applicant_part_of_the_printed_notice(window):
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 31, person())
    window.check_materials(clerk, view.uuid, checks_for(window, 31, missing=("bill_list",)))
    preview = window.preview_notice_text(clerk, view.uuid)
    view = window.issue_notice(clerk, view.uuid)
    printed = Path(view.documents[0].path_txt).read_text("utf-8")
    assert printed.endswith(preview)
    assert "法律依据：《中华人民共和国行政许可法》第三十二条" in document_text(
        view.documents[0].path_txt
    )


def test_supplement_then_accept_counts_25_working_days(window, clock):
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 31, person())
    window.check_materials(clerk, view.uuid, checks_for(window, 31, missing=("discharge_record",)))
    window.issue_notice(clerk, view.uuid)
    view = window.supplement(clerk, view.uuid, checks_for(window, 31))
    assert view.state == CaseState.DRAFT
    view = window.accept(clerk, view.uuid)
    assert view.state == CaseState.ACCEPTED
    assert view.deadline.due == date(2026, 12, 7)
    assert view.remaining_working_days == 25


def test_a_later_notice_cannot_name_a_new_material(window):
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 31, person())
    window.check_materials(clerk, view.uuid, checks_for(window, 31, missing=("discharge_record",)))
    window.issue_notice(clerk, view.uuid)
    window.supplement(
        clerk, view.uuid, checks_for(window, 31, missing=("invoice",)), incomplete=True
    )
    with pytest.raises(ServiceError) as info:
        window.issue_notice(clerk, view.uuid)
    assert "医院收费票据" in str(info.value)
    assert window.case(view.uuid).state == CaseState.DRAFT


def test_supervisor_may_override_the_one_notice_rule_with_a_reason(window):
    clerk, boss = user(window, "clerk1"), user(window, "boss")
    view = window.open_case(clerk, 31, person())
    window.check_materials(clerk, view.uuid, checks_for(window, 31, missing=("discharge_record",)))
    window.issue_notice(clerk, view.uuid)
    window.supplement(
        clerk, view.uuid, checks_for(window, 31, missing=("invoice",)), incomplete=True
    )
    view = window.issue_notice(boss, view.uuid, override_reason="原票据经核查为复印件，需补交原件")
    assert view.state == CaseState.AWAITING_SUPPLEMENT
    assert [e[0] for e in events(window, view.uuid)][-2:] == ["override", "notice"]


def test_refusal_needs_a_reason(window):
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 31, person())
    with pytest.raises(ServiceError):
        window.refuse(clerk, view.uuid, "  ")
    assert window.case(view.uuid).state == CaseState.DRAFT


@pytest.mark.sqlite_only(DOCUMENT_FILES)
def test_refusal_is_stored_with_its_document(window):
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 31, person())
    view = window.refuse(
        clerk, view.uuid, "申请事项不属于本机构职权范围", apply_instead="永州市医疗保障事务中心"
    )
    assert view.state == CaseState.REFUSED
    assert [d.kind for d in view.documents] == ["refusal"]
    text = document_text(view.documents[0].path_txt)
    assert "申请事项不属于本机构职权范围" in text
    assert "行政复议" in text and "行政诉讼" in text
    assert PERSON_ID not in text


# ------------------------------------------------------------------ after acceptance


def accepted(window: Window, item_no: int = 31):
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, item_no, person())
    window.check_materials(clerk, view.uuid, checks_for(window, item_no))
    return window.accept(clerk, view.uuid)


@pytest.mark.sqlite_only(DOCUMENT_FILES)
def test_review_pay_close(window):
    view = accepted(window)
    view = window.approve(user(window, "rev1"), view.uuid)
    assert view.state == CaseState.AWAITING_PAYMENT
    view = window.pay(user(window, "fin1"), view.uuid, 123456, "PAY-001")
    assert view.state == CaseState.CLOSED
    assert view.amount_fen == 123456
    assert [d.kind for d in view.documents] == ["acceptance", "completion"]
    assert "1,234.56元" in document_text(view.documents[-1].path_txt)


def test_the_accepting_clerk_cannot_review_the_case(window):
    view = accepted(window)
    boss = user(window, "boss")
    window.store.update_case(
        view.uuid,
        CaseChanges(accepted_by="boss"),
        expected_version=window.store.get_case(view.uuid).version,
    )
    with pytest.raises(ServiceError):
        window.approve(boss, view.uuid)


def test_failed_review_needs_a_reason_and_issues_a_document(window):
    view = accepted(window)
    rev = user(window, "rev1")
    with pytest.raises(ServiceError):
        window.reject(rev, view.uuid, "")
    view = window.reject(rev, view.uuid, "票据金额与费用清单不一致")
    assert view.state == CaseState.REJECTED
    assert [d.kind for d in view.documents] == ["acceptance", "rejection"]


def test_payment_needs_a_positive_amount(window):
    view = accepted(window)
    window.approve(user(window, "rev1"), view.uuid)
    with pytest.raises(ServiceError):
        window.pay(user(window, "fin1"), view.uuid, 0, "PAY-001")
    assert window.case(view.uuid).state == CaseState.AWAITING_PAYMENT


def test_withdrawal_is_recorded_with_its_reason(window):
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 31, person())
    view = window.withdraw(clerk, view.uuid, "申请人主动撤回")
    assert view.state == CaseState.WITHDRAWN
    assert view.events[-1].reason == "申请人主动撤回"


def test_one_rating_per_case(window):
    view = accepted(window, 9)
    clerk = user(window, "clerk1")
    view = window.rate(clerk, view.uuid, Rating.VERY_SATISFIED)
    assert view.rating == Rating.VERY_SATISFIED
    with pytest.raises(ServiceError):
        window.rate(clerk, view.uuid, Rating.SATISFIED)


def test_bad_rating_is_followed_up_by_a_supervisor(window):
    view = accepted(window, 9)
    window.rate(user(window, "clerk1"), view.uuid, Rating.VERY_UNSATISFIED, "等候太久")
    window.follow_up(user(window, "boss"), view.uuid, "已电话回访，说明高峰期原因")
    evaluation = window.store.evaluation_for(view.uuid)
    assert evaluation.follow_up == "已电话回访，说明高峰期原因"


# ------------------------------------------------------------------ integrity of a decision


def test_a_failed_document_write_leaves_the_case_untouched(window, monkeypatch):
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 31, person())

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(window.store, "add_document", broken)
    with pytest.raises(OSError):
        window.refuse(
            clerk, view.uuid, "不属于本机构职权范围", apply_instead="永州市医疗保障事务中心"
        )
    assert window.case(view.uuid).state == CaseState.DRAFT
    assert events(window, view.uuid) == [("receive", None, "draft")]


def test_events_never_carry_personal_data(window):
    view = accepted(window)
    window.reveal(user(window, "clerk1"), view.uuid, "id_number")
    dump = json.dumps(raw_rows(window, "SELECT * FROM events"), ensure_ascii=False)
    assert PERSON_ID not in dump and "张三丰" not in dump and "13812345678" not in dump


def test_reveal_returns_the_full_value_and_is_recorded(window):
    view = accepted(window)
    assert window.reveal(user(window, "clerk1"), view.uuid, "id_number") == PERSON_ID
    last = window.store.events_for(view.uuid)[-1]
    assert (last["action"], last["actor"], json.loads(last["data"])) == (
        "reveal",
        "clerk1",
        {"field": "id_number"},
    )


def test_chain_verifies_after_a_day_of_work(window):
    accepted(window)
    accepted(window, 9)
    assert window.store.verify()["ok"] is True


# ------------------------------------------------------------------ queues and search


def test_queues_follow_the_cases(window, clock):
    clerk = user(window, "clerk1")
    noticed = window.open_case(clerk, 31, person())
    window.check_materials(clerk, noticed.uuid, checks_for(window, 31, missing=("invoice",)))
    window.issue_notice(clerk, noticed.uuid)
    open_case = accepted(window)  # due 2026-12-07
    admin = user(window, "admin")
    queues = window.queues(admin)
    assert [c.case_no for c in queues.awaiting_supplement] == [noticed.case_no]
    assert [c.case_no for c in queues.my_review] == [open_case.case_no]
    assert {c.case_no for c in queues.today} == {noticed.case_no, open_case.case_no}
    clock.set(2026, 12, 4, 9, 0)  # Friday; next working day is the due date
    assert [c.case_no for c in window.queues(admin).due_soon] == [open_case.case_no]
    clock.set(2026, 12, 8, 9, 0)
    assert [c.case_no for c in window.queues(admin).overdue] == [open_case.case_no]


def test_reviewer_does_not_see_own_acceptances_in_review_queue(window):
    view = accepted(window)
    clerk = user(window, "clerk1")
    assert window.queues(clerk).my_review == []
    assert [c.uuid for c in window.queues(user(window, "rev1")).my_review] == [view.uuid]


def test_undecided_case_is_flagged_after_five_working_days(window, clock):
    view = window.open_case(user(window, "clerk1"), 31, person())
    clock.set(2026, 11, 9, 9, 0)  # 5th working day after Monday 2 Nov
    assert window.case(view.uuid).deemed_accepted is False
    clock.set(2026, 11, 10, 9, 0)
    assert window.case(view.uuid).deemed_accepted is True


def test_search_by_exact_id_and_by_name(window):
    view = window.open_case(user(window, "clerk1"), 31, person())
    assert [c.uuid for c in window.search(PERSON_ID)] == [view.uuid]
    assert [c.uuid for c in window.search("张三")] == [view.uuid]
    assert [c.uuid for c in window.search(view.case_no)] == [view.uuid]
    assert window.search("李四") == []


def test_online_filing_waits_for_review(window):
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 21, person(), channel=Channel.ONLINE)
    window.check_materials(clerk, view.uuid, checks_for(window, 21))
    view = window.accept(clerk, view.uuid)
    assert view.state == CaseState.ACCEPTED
    assert view.deadline.due == date(2026, 11, 4)
    assert Action.APPROVE not in view.allowed


# ------------------------------------------------------------------ holiday files


def test_installing_next_years_holidays_recomputes_open_deadlines(window, clock, tmp_path):
    clock.set(2026, 12, 14, 10, 0)
    view = accepted(window)  # 25 working days from 14 Dec 2026 reach into 2027
    assert view.deadline.provisional is True
    assert view.deadline.due == date(2027, 1, 19)  # provisional: Mon-Fri without 元旦
    holidays = tmp_path / "2027.json"
    holidays.write_text(
        json.dumps(
            {
                "year": 2027,
                "source": "测试用节假日安排",
                "holidays": ["2027-01-01", "2027-01-04", "2027-01-05"],
                "workdays": [],
            }
        ),
        encoding="utf-8",
    )
    year, changed = window.install_holidays(user(window, "admin"), holidays)
    assert year == 2027
    assert [(c.case_no, c.previous_due, c.due, c.provisional) for c in changed] == [
        (view.case_no, date(2027, 1, 19), date(2027, 1, 21), False)
    ]
    after = window.case(view.uuid)
    assert (after.deadline.due, after.deadline.provisional) == (date(2027, 1, 21), False)
    assert after.events[-1].action == Action.RECOMPUTE


def test_a_clerk_cannot_install_holiday_files(window, tmp_path):
    with pytest.raises(ServiceError):
        window.install_holidays(user(window, "clerk1"), tmp_path / "2027.json")


def test_personal_data_in_a_reason_is_refused_in_chinese(window):
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 31, person())
    with pytest.raises(ServiceError) as info:
        window.withdraw(clerk, view.uuid, "申请人来电13812345678要求撤回")
    assert "个人信息" in str(info.value)
    assert window.case(view.uuid).state == CaseState.DRAFT


def test_a_case_awaiting_payment_still_runs_against_its_deadline(window, clock):
    view = accepted(window)  # due 2026-12-07
    window.approve(user(window, "rev1"), view.uuid)
    clock.set(2026, 12, 8, 9, 0)
    assert [c.uuid for c in window.queues(user(window, "admin")).overdue] == [view.uuid]


@pytest.mark.sqlite_only(DOCUMENT_FILES)
def test_the_supervision_phone_is_printed_once_per_part(window):
    view = accepted(window)
    text = Path(view.documents[0].path_txt).read_text(encoding="utf-8")
    assert text.count("0746-") == 2  # 存档联 and 申请人联, each once


def test_a_noticed_case_can_be_ended_only_after_the_supplement_period(window, clock):
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 31, person())
    window.check_materials(clerk, view.uuid, checks_for(window, 31, missing=("discharge_record",)))
    window.issue_notice(clerk, view.uuid)  # 2026-11-02: hand in by 2026-12-02
    clock.set(2026, 12, 2, 17, 0)
    assert Action.ABANDON not in window.case(view.uuid, clerk).allowed
    with pytest.raises(ServiceError, match="补正期限到2026年12月2日，尚未届满"):
        window.abandon(clerk, view.uuid, "逾期未补正")
    clock.set(2026, 12, 3, 9, 0)
    assert window.abandon(clerk, view.uuid, "告知后逾期未补正").state == CaseState.ABANDONED
