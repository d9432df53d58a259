"""Required materials per circumstances, what is missing, and the checks a clerk records."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clerk.domain.catalog import (
    Catalog,
    Condition,
    GeneralMaterial,
    Item,
    LegalBasis,
    MainItem,
    Material,
    SubItem,
    TimeLimit,
    default_catalog,
)
from clerk.domain.materials import (
    MaterialCheck,
    MaterialCheckError,
    applicable_conditions,
    check_problem,
    defect_choices,
    is_complete,
    missing_materials,
    required_materials,
    validate_check,
)

MAIN = MainItem("一", "00203600100Y", "测试主项")
SUB = SubItem(1, "002036001001", "测试子项", MAIN.code)
STEPS = ("申请", "受理", "审核", "办结")
PAYING_STEPS = ("申请", "受理", "审核", "拨付", "办结")


def mat(mid: str, *alternatives: str, condition: str | None = None, **kw: str) -> Material:
    alts = alternatives or (f"材料{mid}",)
    return Material(id=mid, name="或".join(alts), alternatives=alts, condition=condition, **kw)


def make_item(*materials: Material, no: int = 1, steps: tuple[str, ...] = STEPS) -> Item:
    return Item(
        no=no,
        name=f"测试事项{no}",
        sub_item=SUB,
        main_item=MAIN,
        applicant_kind="person",
        materials=materials,
        time_limit=TimeLimit("working_days", 5),
        steps=steps,
        notes=(),
        basis=(LegalBasis("《测试法》", "第一条"),),
    )


PROXY_IDS = mat("proxy_ids", condition="proxy")
PROXY_AUTH = mat("proxy_authorisation", condition="proxy")
BANK = mat("bank_account", condition="first_payment")
CONDITIONS = {
    code: Condition(code, f"标签{code}", f"问题{code}？")
    for code in ("proxy", "first_payment", "death", "accident", "hmt")
}


def make_catalog(*items: Item) -> Catalog:
    return Catalog(
        title="测试清单",
        main_items=(MAIN,),
        sub_items=(SUB,),
        items=items,
        general_notes=(),
        general_materials=(
            GeneralMaterial(PROXY_IDS, "all", 2),
            GeneralMaterial(PROXY_AUTH, "all", 2),
            GeneralMaterial(BANK, "paying", 3),
        ),
        id_documents=("身份证",),
        conditions=CONDITIONS,
    )


ID = mat("id_doc", "医保电子凭证", "有效身份证件", "社保卡")
FORM = mat("form", seal="单位公章")
DEATH = mat("death_certificate", condition="death")
REVIEW_ONLY = Material("rules", "管理制度", ("管理制度",), stage="review")
PLAIN = make_item(ID, FORM, DEATH, REVIEW_ONLY)
PAYING = make_item(ID, mat("invoice"), no=2, steps=PAYING_STEPS)
CAT = make_catalog(PLAIN, PAYING)


def ids(materials: list[Material]) -> list[str]:
    return [m.id for m in materials]


# ------------------------------------------------------------------ required_materials


def test_unconditional_materials_only_without_circumstances() -> None:
    assert ids(required_materials(CAT, PLAIN, frozenset())) == ["id_doc", "form"]


def test_condition_in_circumstances_adds_the_material_in_source_order() -> None:
    assert ids(required_materials(CAT, PLAIN, frozenset({"death"}))) == [
        "id_doc",
        "form",
        "death_certificate",
    ]


def test_review_stage_materials_are_listed_for_the_review_stage() -> None:
    assert ids(required_materials(CAT, PLAIN, frozenset(), stage="review")) == [
        "id_doc",
        "form",
        "rules",
    ]


def test_unknown_stage_is_refused() -> None:
    with pytest.raises(ValueError):
        required_materials(CAT, PLAIN, frozenset(), stage="payment")


def test_proxy_adds_both_general_materials_after_item_materials() -> None:
    assert ids(required_materials(CAT, PLAIN, frozenset({"proxy"}))) == [
        "id_doc",
        "form",
        "proxy_ids",
        "proxy_authorisation",
    ]


def test_first_payment_adds_bank_account_to_a_paying_item() -> None:
    assert ids(required_materials(CAT, PAYING, frozenset({"first_payment"}))) == [
        "id_doc",
        "invoice",
        "bank_account",
    ]


def test_first_payment_adds_nothing_to_a_non_paying_item() -> None:
    assert ids(required_materials(CAT, PLAIN, frozenset({"first_payment"}))) == ["id_doc", "form"]


def test_unknown_circumstance_is_ignored() -> None:
    assert ids(required_materials(CAT, PLAIN, frozenset({"nonsense"}))) == ["id_doc", "form"]


@given(st.sets(st.sampled_from(sorted(CONDITIONS))), st.sets(st.sampled_from(sorted(CONDITIONS))))
def test_more_circumstances_never_remove_a_material(a: set[str], b: set[str]) -> None:
    for item in (PLAIN, PAYING):
        small = ids(required_materials(CAT, item, frozenset(a)))
        large = ids(required_materials(CAT, item, frozenset(a | b)))
        assert [i for i in large if i in small] == small


# ------------------------------------------------------------------ applicable_conditions


def test_conditions_of_a_non_paying_item_are_its_own_then_proxy() -> None:
    assert [c.code for c in applicable_conditions(CAT, PLAIN)] == ["death", "proxy"]


def test_conditions_of_a_paying_item_include_first_payment() -> None:
    assert [c.code for c in applicable_conditions(CAT, PAYING)] == ["proxy", "first_payment"]


def test_a_condition_shared_by_two_materials_is_asked_once() -> None:
    item = make_item(mat("a", condition="hmt"), mat("b", condition="hmt"))
    assert [c.code for c in applicable_conditions(CAT, item)] == ["hmt", "proxy"]


def test_conditions_are_the_catalogue_objects() -> None:
    assert applicable_conditions(CAT, PLAIN)[0] == CONDITIONS["death"]


# ------------------------------------------------------------------ missing_materials


def test_no_check_means_not_provided() -> None:
    assert missing_materials([FORM], {}) == [(FORM, "未提供")]


def test_missing_status_means_not_provided() -> None:
    assert missing_materials([FORM], {"form": MaterialCheck("form", "missing")}) == [
        (FORM, "未提供")
    ]


def test_defective_reports_its_defect() -> None:
    checks = {"form": MaterialCheck("form", "defective", defect="未加盖单位公章")}
    assert missing_materials([FORM], checks) == [(FORM, "未加盖单位公章")]


def test_defective_without_description_gets_a_generic_reason() -> None:
    checks = {"form": MaterialCheck("form", "defective", defect="  ")}
    assert missing_materials([FORM], checks) == [(FORM, "材料不符合要求")]


def test_any_one_alternative_satisfies_a_choice() -> None:
    for alt in ID.alternatives:
        assert missing_materials([ID], {"id_doc": MaterialCheck("id_doc", "ok", alt)}) == []


def test_ok_choice_without_the_alternative_is_not_accepted() -> None:
    assert missing_materials([ID], {"id_doc": MaterialCheck("id_doc", "ok")}) == [
        (ID, "未注明所提供的是哪一种材料，请重新核验")
    ]


def test_ok_with_an_alternative_not_listed_is_not_accepted() -> None:
    checks = {"id_doc": MaterialCheck("id_doc", "ok", "驾驶证")}
    assert missing_materials([ID], checks) == [(ID, "所提供的材料不在可接受的范围内")]


def test_single_material_ok_needs_no_alternative() -> None:
    assert missing_materials([FORM], {"form": MaterialCheck("form", "ok")}) == []


def test_checks_of_materials_not_required_are_ignored() -> None:
    checks = {
        "form": MaterialCheck("form", "ok"),
        "death_certificate": MaterialCheck("death_certificate", "missing"),
    }
    assert missing_materials([FORM], checks) == []


def test_missing_keeps_the_required_order() -> None:
    result = missing_materials([ID, FORM, DEATH], {"form": MaterialCheck("form", "ok")})
    assert [(m.id, why) for m, why in result] == [
        ("id_doc", "未提供"),
        ("death_certificate", "未提供"),
    ]


def test_is_complete_when_everything_is_ok() -> None:
    checks = {
        "id_doc": MaterialCheck("id_doc", "ok", "社保卡"),
        "form": MaterialCheck("form", "ok"),
    }
    assert is_complete([ID, FORM], checks) is True


def test_is_not_complete_with_one_defect() -> None:
    checks = {
        "id_doc": MaterialCheck("id_doc", "ok", "社保卡"),
        "form": MaterialCheck("form", "defective", defect="未加盖单位公章"),
    }
    assert is_complete([ID, FORM], checks) is False


def test_nothing_required_is_complete() -> None:
    assert is_complete([], {}) is True


@given(st.lists(st.sampled_from(["ok", "missing", "defective", None]), min_size=3, max_size=3))
def test_complete_iff_every_required_material_is_ok(statuses: list[str | None]) -> None:
    required = [FORM, DEATH, REVIEW_ONLY]
    checks = {
        m.id: MaterialCheck(m.id, s, defect="坏")
        for m, s in zip(required, statuses, strict=True)
        if s
    }
    assert is_complete(required, checks) == all(s == "ok" for s in statuses)
    assert [m.id for m, _ in missing_materials(required, checks)] == [
        m.id for m, s in zip(required, statuses, strict=True) if s != "ok"
    ]


# ------------------------------------------------------------------ checks


def test_unknown_status_is_refused() -> None:
    with pytest.raises(MaterialCheckError, match="无效"):
        MaterialCheck("form", "fine")


def test_check_problem_none_when_ok() -> None:
    assert check_problem(FORM, MaterialCheck("form", "ok")) is None


def test_validate_accepts_a_listed_alternative() -> None:
    validate_check(ID, MaterialCheck("id_doc", "ok", "有效身份证件"))


def test_validate_requires_the_alternative_of_a_choice() -> None:
    with pytest.raises(MaterialCheckError, match="医保电子凭证 / 有效身份证件 / 社保卡"):
        validate_check(ID, MaterialCheck("id_doc", "ok"))


def test_validate_refuses_an_unlisted_alternative() -> None:
    with pytest.raises(MaterialCheckError, match="“驾驶证”不是"):
        validate_check(ID, MaterialCheck("id_doc", "ok", "驾驶证"))


def test_validate_requires_a_defect_description() -> None:
    with pytest.raises(MaterialCheckError, match="存在什么问题"):
        validate_check(FORM, MaterialCheck("form", "defective"))


def test_validate_refuses_a_check_for_another_material() -> None:
    with pytest.raises(MaterialCheckError, match="不一致"):
        validate_check(FORM, MaterialCheck("id_doc", "missing"))


def test_defect_choices_name_the_seal_first() -> None:
    assert defect_choices(FORM)[0] == "未加盖单位公章"


def test_defect_choices_name_the_copy_rule() -> None:
    m = mat("x", copy="original")
    assert defect_choices(m)[0] == "须提供原件"


def test_defect_choices_of_a_plain_material_are_the_common_ones() -> None:
    assert defect_choices(mat("x")) == [
        "信息填写不完整或有误",
        "未签字",
        "材料已过期或失效",
        "字迹或影像不清晰",
    ]


# ------------------------------------------------------------------ the real catalogue


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return default_catalog()


def test_item_31_plain(catalog: Catalog) -> None:
    item = catalog.item(31)
    assert ids(required_materials(catalog, item, frozenset())) == [
        "id_doc",
        "invoice",
        "bill_list",
        "discharge_record",
    ]


def test_item_31_by_proxy_with_first_payment(catalog: Catalog) -> None:
    item = catalog.item(31)
    assert ids(required_materials(catalog, item, frozenset({"proxy", "first_payment"}))) == [
        "id_doc",
        "invoice",
        "bill_list",
        "discharge_record",
        "principal_id",
        "agent_id",
        "proxy_authorisation",
        "bank_account",
    ]


def test_item_31_conditions(catalog: Catalog) -> None:
    assert [c.code for c in applicable_conditions(catalog, catalog.item(31))] == [
        "accident_third_party",
        "accident_no_third_party",
        "proxy",
        "first_payment",
    ]


def test_item_9_needs_id_and_form_and_never_a_bank_account(catalog: Catalog) -> None:
    item = catalog.item(9)
    assert ids(required_materials(catalog, item, frozenset({"first_payment"}))) == [
        "valid_id",
        "form",
    ]
    assert [c.code for c in applicable_conditions(catalog, item)] == ["proxy"]


def test_item_36_review_stage_materials_wait_for_review(catalog: Catalog) -> None:
    item = catalog.item(36)
    assert ids(required_materials(catalog, item, frozenset())) == ["form", "licence_copy"]
    assert len(required_materials(catalog, item, frozenset(), stage="review")) == 5


# -- what the notice says each material must be ---------------------------------------------------


def test_requirements_name_copy_seal_and_form() -> None:
    from clerk.domain.catalog import Material
    from clerk.domain.materials import requirements

    m = Material(
        "form",
        "《湖南省职工基本医疗保险参保登记表》",
        ("x",),
        copy="original",
        seal="单位公章",
        form="表4",
    )
    assert requirements(m) == ["须提供原件", "须加盖单位公章", "按表4填写"]


def test_a_requirement_the_problem_already_states_is_not_repeated() -> None:
    from clerk.domain.catalog import Material
    from clerk.domain.materials import with_requirements

    m = Material("list", "住院费用清单", ("住院费用清单",), seal="医院印章", form="表13")
    assert with_requirements(m, "未加盖医院印章") == "未加盖医院印章（要求：按表13填写）"
    assert with_requirements(m, "未提供") == "未提供（要求：须加盖医院印章；按表13填写）"


def test_a_material_without_requirements_keeps_its_problem() -> None:
    from clerk.domain.catalog import Material
    from clerk.domain.materials import with_requirements

    assert with_requirements(Material("x", "出院小结", ("出院小结",)), "未提供") == "未提供"
