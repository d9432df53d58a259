"""Art. 32 deemed acceptance applied: no notice within 5 working days means accepted from receipt."""

from __future__ import annotations

import json
from datetime import date

import pytest
from test_service import checks_for, document_text, person, user, window  # noqa: F401

from clerk.domain.model import CaseState
from clerk.domain.notice import deemed_acceptance_day, notice_window_end
from clerk.domain.workdays import WorkCalendar
from clerk.service.window import ServiceError

CAL = WorkCalendar()


def test_the_notice_window_ends_on_the_fifth_working_day_after_receipt() -> None:
    assert notice_window_end(date(2026, 11, 20), CAL) == date(2026, 11, 27)


def test_an_answer_within_the_window_is_not_deemed() -> None:
    assert deemed_acceptance_day(date(2026, 11, 20), date(2026, 11, 27), CAL) is None


def test_an_answer_after_the_window_counts_from_receipt() -> None:
    assert deemed_acceptance_day(date(2026, 11, 20), date(2026, 11, 30), CAL) == date(2026, 11, 20)


def received_on_20_november(window, clock):  # noqa: F811
    clock.set(2026, 11, 20, 9, 0)  # a Friday
    clerk = user(window, "clerk1")
    return clerk, window.open_case(clerk, 31, person())


def test_a_late_acceptance_counts_its_time_limit_from_receipt(window, clock) -> None:  # noqa: F811
    clerk, view = received_on_20_november(window, clock)
    window.check_materials(clerk, view.uuid, checks_for(window, 31))
    clock.set(2026, 11, 30, 10, 0)
    view = window.accept(clerk, view.uuid)
    # 25 working days from 11-20, not from 11-30 (which would give 2027-01-05, provisional).
    assert (view.deadline.due, view.deadline.start, view.deadline.provisional) == (
        date(2026, 12, 25),
        date(2026, 11, 20),
        False,
    )
    accept = window.store.events_for(view.uuid)[-1]
    data = json.loads(accept["data"])
    data.pop("documents")  # the acceptance it issued (see test_verify_tamperings)
    assert (accept["action"], data) == (
        "accept",
        {
            "due": "2026-12-25",
            "due_start": "2026-11-20",
            "provisional": False,
            "deemed_from": "2026-11-20",
        },
    )


def test_the_acceptance_document_says_it_counts_from_receipt(window, clock) -> None:  # noqa: F811
    clerk, view = received_on_20_november(window, clock)
    window.check_materials(clerk, view.uuid, checks_for(window, 31))
    clock.set(2026, 11, 30, 10, 0)
    view = window.accept(clerk, view.uuid)
    text = document_text(view.documents[0].path_txt)
    assert "本申请自收到申请材料之日即2026年11月20日起视为受理，办理时限自该日起计算。" in text
    assert "受理日期：2026年11月20日" in text


def test_an_acceptance_within_the_window_counts_from_acceptance(window, clock) -> None:  # noqa: F811
    clerk, view = received_on_20_november(window, clock)
    window.check_materials(clerk, view.uuid, checks_for(window, 31))
    clock.set(2026, 11, 27, 10, 0)
    view = window.accept(clerk, view.uuid)
    assert view.deadline.start == date(2026, 11, 27)
    assert "deemed_from" not in json.loads(window.store.events_for(view.uuid)[-1]["data"])


def test_a_late_notice_is_refused_to_a_clerk(window, clock) -> None:  # noqa: F811
    clerk, view = received_on_20_november(window, clock)
    window.check_materials(clerk, view.uuid, checks_for(window, 31, missing=("invoice",)))
    clock.set(2026, 11, 30, 10, 0)
    with pytest.raises(ServiceError, match="^收件已超过5个工作日未作一次性告知"):
        window.issue_notice(clerk, view.uuid)
    with pytest.raises(ServiceError, match="须由主管或系统管理员批准"):
        window.issue_notice(clerk, view.uuid, override_reason="申请人当日离开，无法当场告知")
    assert window.case(view.uuid).state == CaseState.DRAFT


def test_a_late_notice_is_recorded_as_a_supervisor_override(window, clock) -> None:  # noqa: F811
    clerk, view = received_on_20_november(window, clock)
    window.check_materials(clerk, view.uuid, checks_for(window, 31, missing=("invoice",)))
    clock.set(2026, 11, 30, 10, 0)
    view = window.issue_notice(
        user(window, "boss"), view.uuid, override_reason="申请人当日离开，无法当场告知"
    )
    actions = [
        (
            e["action"],
            e["reason"],
            {k: v for k, v in json.loads(e["data"] or "{}").items() if k != "documents"},
        )
        for e in window.store.events_for(view.uuid)
    ]
    assert actions[-2:] == [
        ("override", "申请人当日离开，无法当场告知", {"late_notice": True}),
        ("notice", "申请人当日离开，无法当场告知", {"missing": ["invoice"]}),
    ]


def test_after_a_late_notice_the_acceptance_still_counts_from_receipt(window, clock) -> None:  # noqa: F811
    clerk, view = received_on_20_november(window, clock)
    window.check_materials(clerk, view.uuid, checks_for(window, 31, missing=("invoice",)))
    clock.set(2026, 11, 30, 10, 0)
    window.issue_notice(
        user(window, "boss"), view.uuid, override_reason="申请人当日离开，无法当场告知"
    )
    clock.set(2026, 12, 2, 10, 0)
    window.supplement(clerk, view.uuid, checks_for(window, 31))
    view = window.accept(clerk, view.uuid)
    assert view.deadline.due == date(2026, 12, 25)


def test_after_a_notice_in_time_the_acceptance_counts_from_acceptance(window, clock) -> None:  # noqa: F811
    clerk, view = received_on_20_november(window, clock)
    window.check_materials(clerk, view.uuid, checks_for(window, 31, missing=("invoice",)))
    window.issue_notice(clerk, view.uuid)
    clock.set(2026, 12, 2, 10, 0)
    window.supplement(clerk, view.uuid, checks_for(window, 31))
    view = window.accept(clerk, view.uuid)
    assert view.deadline.start == date(2026, 12, 2)


async def test_a_supervisor_issues_a_late_notice_with_a_reason_in_the_app(tmp_path) -> None:
    from datetime import datetime

    from support.app import SIZE, app_for, ready
    from support.app import person as app_person

    from clerk.domain.clock import TZ, fixed_clock
    from clerk.domain.materials import MaterialCheck
    from clerk.screens.notice_preview import NoticePreviewScreen

    win, admin = ready(tmp_path, at=datetime(2026, 11, 20, 9, 0, tzinfo=TZ))
    view = win.open_case(admin, 31, app_person())
    checks = {
        m.id: MaterialCheck(m.id, "ok", m.alternatives[0])
        for m in win.required_for(31, frozenset())
    }
    checks["invoice"] = MaterialCheck("invoice", "missing")
    win.check_materials(admin, view.uuid, checks)
    win.clock = fixed_clock(datetime(2026, 11, 30, 10, 0, tzinfo=TZ))
    app = app_for(win, admin)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(view.uuid)
        await pilot.pause()
        await pilot.press("f9")  # the checklist
        await pilot.pause()
        await pilot.press("f8")  # 一次性告知: preview
        await pilot.pause()
        assert isinstance(app.screen, NoticePreviewScreen)
        await pilot.press("f10")
        await pilot.pause()
        assert win.case(view.uuid).state == CaseState.DRAFT  # the reason is asked first
        await pilot.press(*"申请人当日离开", "enter")
        await pilot.pause()
        assert win.case(view.uuid).state == CaseState.AWAITING_SUPPLEMENT
        assert [e["action"] for e in win.store.events_for(view.uuid)][-2:] == ["override", "notice"]
