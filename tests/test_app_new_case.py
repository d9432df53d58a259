"""New case: item, applicant checked as typed, circumstances, then the materials and the decision."""

from __future__ import annotations

import json
from pathlib import Path

from support.app import PERSON_ID, SIZE, app_for, footer_ids, ready
from textual.widgets import Input, Static

from clerk.domain.model import CaseState
from clerk.screens.case_detail import CaseDetailScreen
from clerk.screens.item_picker import ItemPickerScreen
from clerk.screens.materials import MaterialsScreen
from clerk.screens.new_case import NewCaseScreen
from clerk.screens.notice_preview import NoticePreviewScreen
from clerk.screens.refusal_preview import RefusalPreviewScreen


async def start(pilot, query: str = "zyfy") -> None:  # type: ignore[no-untyped-def]
    await pilot.press("f2")
    await pilot.pause()
    await pilot.press(*query, "enter")
    await pilot.pause()


async def fill_person(pilot, *, id_number: str = PERSON_ID) -> None:  # type: ignore[no-untyped-def]
    screen = pilot.app.screen
    screen.query_one("#name", Input).value = "张三丰"
    screen.query_one("#id-number", Input).value = id_number
    screen.query_one("#phone", Input).value = "13800138000"
    await pilot.pause()


def stored_cases(window) -> list:  # type: ignore[no-untyped-def]
    return window.search("张三丰")


async def mark_all(pilot) -> None:  # type: ignore[no-untyped-def]
    screen = pilot.app.screen
    for row in screen.view.materials:
        if row.required:
            screen.query_one("#materials-table").move_cursor(row=screen.view.materials.index(row))
            await pilot.press("space")
            await pilot.pause()


async def test_f2_opens_the_item_picker(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        assert isinstance(app.screen, ItemPickerScreen)


async def test_cancelling_the_picker_abandons_the_new_case(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f2")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, NewCaseScreen | ItemPickerScreen)


async def test_chosen_item_heads_the_form(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        assert isinstance(app.screen, NewCaseScreen)
        assert app.screen.item.no == 31


async def test_bad_id_number_is_flagged_as_typed(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        app.screen.query_one("#id-number", Input).focus()
        await pilot.press(*"43999919900101123X")
        message = app.screen.query_one("#id-number-message", Static)
        assert message.has_class("error") is (PERSON_ID[-1] != "X")


async def test_valid_id_number_is_confirmed(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        app.screen.query_one("#id-number", Input).focus()
        await pilot.press(*PERSON_ID.lower())
        assert str(app.screen.query_one("#id-number-message", Static).content) == "✓ 号码有效"


async def test_missing_name_blocks_submit_with_a_message(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await pilot.press("f10")
        assert (
            str(app.screen.query_one("#newcase-message", Static).content)
            == "请填写申请人姓名或单位名称。"
        )
        assert stored_cases(window) == []


async def test_proxy_circumstance_shows_agent_fields_and_more_materials(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        screen = app.screen
        before = len(window.required_for(31, frozenset()))
        assert screen.query_one("#agent-fields").display is False
        screen.select_circumstance("proxy")
        await pilot.pause()
        assert screen.query_one("#agent-fields").display is True
        text = str(screen.query_one("#newcase-materials-text", Static).content)
        assert f"{before + 1}、" in text or "委托" in text


async def test_f10_stores_a_draft_case_and_opens_the_checklist(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await fill_person(pilot)
        await pilot.press("f10")
        await pilot.pause()
        [case] = stored_cases(window)
        assert (case.item_no, case.state) == (31, CaseState.DRAFT)
        assert isinstance(app.screen, MaterialsScreen)
        assert app.screen.view.uuid == case.uuid


async def test_checklist_title_shows_the_name_masked(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await fill_person(pilot)
        await pilot.press("f10")
        await pilot.pause()
        title = str(app.screen.query_one("#materials-title", Static).content)
        assert "张三丰" not in title
        assert app.screen.view.applicant_name_masked in title


async def test_accept_is_not_offered_while_materials_are_missing(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await fill_person(pilot)
        await pilot.press("f10")
        await pilot.pause()
        ids = footer_ids(app)
        assert "materials.accept" not in ids
        assert {"materials.notice", "materials.refuse"} <= ids


async def test_marking_every_material_offers_accept_and_stores_the_checks(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await fill_person(pilot)
        await pilot.press("f10")
        await pilot.pause()
        await mark_all(pilot)
        view = window.case(app.screen.view.uuid, admin)
        assert view.missing == []
        assert "materials.accept" in footer_ids(app)


async def test_accept_stores_the_due_date_and_shows_the_case(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await fill_person(pilot)
        await pilot.press("f10")
        await pilot.pause()
        uuid = app.screen.view.uuid
        await mark_all(pilot)
        await pilot.press("f9")
        await pilot.pause()
        view = window.case(uuid)
        assert view.state == CaseState.ACCEPTED
        assert view.deadline is not None
        assert isinstance(app.screen, CaseDetailScreen)
        assert f"{view.deadline.due:%Y年%m月%d日}" in str(
            app.screen.query_one("#detail-deadline", Static).content
        )


async def test_instant_item_closes_in_the_same_visit(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, "17")
        await fill_person(pilot)
        await pilot.press("f10")
        await pilot.pause()
        uuid = app.screen.view.uuid
        await mark_all(pilot)
        await pilot.press("f9")
        await pilot.pause()
        assert window.case(uuid).state == CaseState.CLOSED
        assert str(app.screen.query_one("#detail-deadline", Static).content) == "即时办结。"


async def test_notice_is_previewed_then_issued(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await fill_person(pilot)
        await pilot.press("f10")
        await pilot.pause()
        uuid = app.screen.view.uuid
        await pilot.press("f8")
        await pilot.pause()
        assert isinstance(app.screen, NoticePreviewScreen)
        assert "1. 医保电子凭证或有效身份证件或社保卡" in app.screen.text
        assert window.case(uuid).state == CaseState.DRAFT  # nothing issued yet
        await pilot.press("f10")
        await pilot.pause()
        view = window.case(uuid)
        assert view.state == CaseState.AWAITING_SUPPLEMENT
        assert [d.kind for d in view.documents] == ["notice"]


async def test_notice_preview_escape_issues_nothing(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot)
        await fill_person(pilot)
        await pilot.press("f10")
        await pilot.pause()
        uuid = app.screen.view.uuid
        await pilot.press("f8")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MaterialsScreen)
        assert window.case(uuid).documents == []


async def open_refusal_dialog(app, pilot, choice: str = "2") -> str:  # type: ignore[no-untyped-def]
    """Receive a case, press F7 on its checklist and answer which kind of refusal (1: lack of
    competence, 2: another reason); returns the case's uuid."""
    await start(pilot)
    await fill_person(pilot)
    await pilot.press("f10")
    await pilot.pause()
    uuid = app.screen.view.uuid
    await pilot.press("f7")
    await pilot.pause()
    assert str(app.screen.query_one(".dialog-title", Static).content) == "不予受理：是哪一种情形？"
    await pilot.press(choice)
    await pilot.pause()
    return uuid


async def test_refusal_requires_a_reason(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await open_refusal_dialog(app, pilot)
        await pilot.press("enter")
        assert (
            str(app.screen.query_one("#reason-message", Static).content)
            == "理由不能为空，请填写后按 Enter 或 F10。"
        )


async def test_lack_of_competence_is_chosen_and_asks_where_to_apply(tmp_path: Path) -> None:
    """Chosen with a key, not guessed from the words: the issue's reason names no keyword."""
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        uuid = await open_refusal_dialog(app, pilot, "1")
        # Lack of competence: the applicant must be told where to apply (Art. 32(1)(2)).
        assert str(app.screen.query_one(".dialog-title", Static).content) == "告知向何处申请"
        await pilot.press(*"零陵区医疗保障事务中心", "enter")
        await pilot.pause()
        assert window.case(uuid).state == CaseState.DRAFT
        await pilot.press(*"申请人参保地在零陵区应向零陵区医保经办机构申请", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RefusalPreviewScreen)
        await pilot.press("f10")
        await pilot.pause()
        view = window.case(uuid)
        assert view.state == CaseState.REFUSED
        assert view.events[-1].reason == "申请人参保地在零陵区应向零陵区医保经办机构申请"
        data = json.loads(window.store.events_for(uuid)[-1]["data"])
        data.pop("documents")  # the refusal it issued (see test_verify_tamperings)
        assert data == {"apply_instead": "零陵区医疗保障事务中心"}


async def test_refusal_for_another_reason_asks_no_place(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        uuid = await open_refusal_dialog(app, pilot)
        await pilot.press(*"申请人不是本统筹区参保人员", "enter")
        await pilot.pause()
        await pilot.press("f10")  # the preview
        await pilot.pause()
        assert window.case(uuid).state == CaseState.REFUSED


async def test_f10_confirms_the_reason_like_enter(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        uuid = await open_refusal_dialog(app, pilot)
        assert "reason.submit" in footer_ids(app)
        await pilot.press("f10")
        await pilot.pause()
        assert window.case(uuid).state == CaseState.DRAFT  # still empty: not dismissed
        await pilot.press(*"申请人不是本统筹区参保人员", "f10")
        await pilot.pause()
        assert isinstance(app.screen, RefusalPreviewScreen)
        await pilot.press("f10")
        await pilot.pause()
        assert window.case(uuid).state == CaseState.REFUSED


async def test_a_refusal_is_previewed_at_80x24_and_esc_goes_back_with_the_reason_kept(
    tmp_path: Path,
) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=(80, 24)) as pilot:
        uuid = await open_refusal_dialog(app, pilot, "1")
        await pilot.press(*"零陵区医疗保障事务中心", "enter")
        await pilot.pause()
        await pilot.press(*"申请人参保地在零陵区", "enter")
        await pilot.pause()
        assert isinstance(app.screen, RefusalPreviewScreen)
        shown = str(app.screen.query_one("#notice-text", Static).content)
        assert "不予受理" in shown
        assert "申请人参保地在零陵区" in shown
        assert "零陵区医疗保障事务中心" in shown
        assert {"refusal.issue", "refusal.back"} <= footer_ids(app)
        assert window.case(uuid).documents == []  # nothing issued by looking
        await pilot.press("escape")
        await pilot.pause()
        field = app.screen.query_one("#reason-input", Input)
        assert field.value == "申请人参保地在零陵区"  # back to the reason, kept for correcting
        await pilot.press(*"应向零陵区医保经办机构申请", "enter")
        await pilot.pause()
        assert "应向零陵区医保经办机构申请" in str(
            app.screen.query_one("#notice-text", Static).content
        )
        await pilot.press("f10")
        await pilot.pause()
        await pilot.pause()
    view = window.case(uuid)
    assert view.state == CaseState.REFUSED
    assert view.events[-1].reason == "申请人参保地在零陵区应向零陵区医保经办机构申请"
    assert [d.kind for d in view.documents] == ["refusal"]
