"""Opening a case: online-only items, a flexible worker's item 8, key information at a township,
item 15's one evidence set; open lists accept another document of the same kind."""

from __future__ import annotations

import pytest

from clerk.domain.catalog import default_catalog
from clerk.domain.intake import intake_problem
from clerk.domain.materials import (
    MaterialCheck,
    MaterialCheckError,
    check_problem,
    other_same_kind,
    required_materials,
    validate_check,
)

CATALOG = default_catalog()


def problem(
    no: int, *circumstances: str, point: str = "county_hall", online: bool = False
) -> str | None:
    return intake_problem(
        CATALOG, CATALOG.item(no), point, online=online, circumstances=frozenset(circumstances)
    )


def test_item_15_without_an_evidence_set_is_not_opened() -> None:
    assert problem(15) == (
        "“法定断档补缴”须在“劳动关系存续期补缴”、“经劳动仲裁、劳动监察或法院判决补缴”、“其他情况补缴”"
        "中确定一种情形并提交对应的佐证材料，请选择其中一种。"
    )


def test_item_15_with_two_evidence_sets_is_not_opened() -> None:
    assert problem(15, "arrears_ruling", "arrears_other").endswith("只能选择其中一种。")


@pytest.mark.parametrize("one", ["arrears_labour_relation", "arrears_ruling", "arrears_other"])
def test_item_15_with_one_evidence_set_is_opened(one: str) -> None:
    assert problem(15, one) is None


def test_item_13_key_information_is_refused_at_a_township() -> None:
    assert problem(13, "key_info_change", point="township_hall") == (
        "乡镇（街道）政务服务大厅只办理非关键信息的变更；“变更关键信息”须到县级医保服务大厅办理，请引导申请人前往。"
    )


def test_item_13_other_information_is_taken_at_a_township() -> None:
    assert problem(13, point="village_centre") is None


def test_item_13_key_information_is_taken_at_the_county_hall() -> None:
    assert problem(13, "key_info_change") is None


def test_a_flexible_worker_retires_on_site_only() -> None:
    assert (
        problem(8, "flexible_worker", online=True)
        == "灵活就业人员办理在职转退休须现场办理，请改为“窗口现场办理”。"
    )


def test_a_flexible_worker_brings_original_id_and_an_unsealed_form() -> None:
    item = CATALOG.item(8)
    required = required_materials(CATALOG, item, frozenset({"flexible_worker"}))
    assert [(m.id, m.copy, m.seal, m.form) for m in required] == [
        ("flexible_id", "original", None, None),
        ("flexible_form", None, None, "表4"),
        ("retirement_approval", None, None, None),
    ]


def test_an_employee_retirement_keeps_the_units_sealed_form() -> None:
    ids = [m.id for m in required_materials(CATALOG, CATALOG.item(8), frozenset())]
    assert ids == ["employee_id_copy", "form", "retirement_approval"]


# -- open lists -----------------------------------------------------------------------------------

ACCIDENT = CATALOG.item(31).material("accident_documents")
FORM = CATALOG.item(31).material("bill_list")


def test_an_open_list_accepts_a_described_document_of_the_same_kind() -> None:
    check = MaterialCheck(ACCIDENT.id, "ok", other_same_kind("公安机关出具的伤情鉴定"))
    validate_check(ACCIDENT, check)
    assert check_problem(ACCIDENT, check) is None


def test_a_document_of_the_same_kind_needs_a_description() -> None:
    with pytest.raises(MaterialCheckError, match="简要说明"):
        validate_check(ACCIDENT, MaterialCheck(ACCIDENT.id, "ok", other_same_kind("  ")))


def test_a_closed_list_refuses_another_document() -> None:
    with pytest.raises(MaterialCheckError, match="可接受材料已明确列出"):
        validate_check(FORM, MaterialCheck(FORM.id, "ok", other_same_kind("门诊费用清单")))


def test_item_22_accepts_the_residence_permit_receipt() -> None:
    m = CATALOG.item(22).material("residence_proof")
    validate_check(m, MaterialCheck(m.id, "ok", "居住证申领受理凭证"))


def test_proxy_needs_both_ids_checked_separately() -> None:
    ids = [m.id for m in required_materials(CATALOG, CATALOG.item(22), frozenset({"proxy"}))]
    assert ids[-3:] == ["principal_id", "agent_id", "proxy_authorisation"]


async def test_o_records_another_document_of_the_same_kind_in_the_app(tmp_path) -> None:
    from support.app import SIZE, app_for, ready
    from support.app import person as app_person

    window, admin = ready(tmp_path)
    view = window.open_case(
        admin, 31, app_person(), circumstances=frozenset({"accident_third_party"})
    )
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        app.open_case(view.uuid, materials=True)
        await pilot.pause()
        screen = app.screen
        rows = [r.material.id for r in screen.view.materials]
        screen.query_one("#materials-table").move_cursor(row=rows.index("accident_documents"))
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause()
        await pilot.press(*"公安机关出具的伤情鉴定", "enter")
        await pilot.pause()
    checks = {c.material_id: c for c in window.store.material_checks(view.uuid)}
    assert (checks["accident_documents"].status, checks["accident_documents"].alternative) == (
        "ok",
        "其他同类材料：公安机关出具的伤情鉴定",
    )
