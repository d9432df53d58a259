"""Which materials an item needs for the applicant's circumstances, and what is still missing.

A material is required when it has no condition or its condition is among the circumstances the
clerk confirmed with the applicant. The general notes (说明) add materials to every item
(委托办理) or to paying items (首次拨付或收款账户变更). A material with alternatives is satisfied by
any one of them; the clerk records which one was presented.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from clerk.domain.catalog import Catalog, Condition, Item, Material

CHECK_STATUSES: tuple[str, ...] = ("ok", "missing", "defective")
STAGES: tuple[str, ...] = ("application", "review")

REASON_NOT_PROVIDED = "未提供"
REASON_DEFECTIVE = "材料不符合要求"
REASON_NO_ALTERNATIVE = "未注明所提供的是哪一种材料，请重新核验"
REASON_BAD_ALTERNATIVE = "所提供的材料不在可接受的范围内"
# An open list ("等", "可包括"): the alternative recorded is this prefix and the clerk's description.
OTHER_SAME_KIND = "其他同类材料："
MAX_DESCRIPTION = 40


def is_other_same_kind(material: Material, alternative: str | None) -> bool:
    """Whether `alternative` is a described document of the same kind, which an open list accepts."""
    return (
        material.open
        and alternative is not None
        and alternative.startswith(OTHER_SAME_KIND)
        and 0 < len(alternative[len(OTHER_SAME_KIND) :].strip()) <= MAX_DESCRIPTION
    )


def other_same_kind(description: str) -> str:
    return OTHER_SAME_KIND + description.strip()


COPY_DEFECTS: dict[str, str] = {
    "original": "须提供原件",
    "copy": "须提供复印件",
    "original_and_copy": "须同时提供原件和复印件",
}
COMMON_DEFECTS: tuple[str, ...] = (
    "信息填写不完整或有误",
    "未签字",
    "材料已过期或失效",
    "字迹或影像不清晰",
)


class MaterialCheckError(ValueError):
    """A check that cannot be stored as given. Message in Chinese."""


@dataclass(frozen=True)
class MaterialCheck:
    """The clerk's finding on one material of one case."""

    material_id: str
    status: str  # "ok" | "missing" | "defective"
    alternative: str | None = None  # which alternative was presented (for "ok")
    defect: str = ""  # what is wrong, in Chinese (for "defective"), e.g. 未加盖单位公章

    def __post_init__(self) -> None:
        if self.status not in CHECK_STATUSES:
            raise MaterialCheckError(
                f"材料核验结果“{self.status}”无效，应为 {' / '.join(CHECK_STATUSES)} 之一。"
            )


def _applies(item: Item, applies_to: str) -> bool:
    """Whether a general material applies to the item. 说明3 (the insured person's bank account for
    a first payment) concerns payments to insured people: a designated institution (items 38-39)
    is paid under its agreement, so it is not asked for one."""
    if applies_to == "paying":
        return item.pays and item.applicant_kind != "institution"
    return applies_to == "all"


def required_materials(
    catalog: Catalog, item: Item, circumstances: frozenset[str], *, stage: str = "application"
) -> list[Material]:
    """The materials the applicant must bring, item materials first, then the general ones.

    With stage "application" the materials the list marks for the review stage are left out (they
    are asked for later, e.g. on the on-site visit of item 36); with stage "review" all are listed.
    """
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    result = [
        m
        for m in item.materials
        if (m.condition is None or m.condition in circumstances)
        and (m.unless is None or m.unless not in circumstances)
        and (stage == "review" or m.stage != "review")
    ]
    for general in catalog.general_materials:
        m = general.material
        if _applies(item, general.applies_to) and (
            m.condition is None or m.condition in circumstances
        ):
            result.append(m)
    return result


def applicable_conditions(catalog: Catalog, item: Item) -> list[Condition]:
    """The circumstances to ask about for this item, in the order their materials appear."""
    codes: list[str] = []
    materials: Iterable[Material] = (
        *item.materials,
        *(g.material for g in catalog.general_materials if _applies(item, g.applies_to)),
    )
    for m in materials:
        for code in (m.condition, m.unless):
            if code is not None and code not in codes:
                codes.append(code)
    return [catalog.conditions[c] for c in codes if c in catalog.conditions]


def circumstance_problem(
    item: Item, circumstances: frozenset[str], labels: Mapping[str, str]
) -> str | None:
    """What is wrong with the circumstances chosen for the item (Chinese), or None.

    Item 15: exactly one of the three evidence sets applies; the materials follow from it."""
    for group in item.one_of:
        chosen = [c for c in group if c in circumstances]
        if len(chosen) != 1:
            names = "、".join(f"“{labels.get(c, c)}”" for c in group)
            how = "只能选择其中一种" if chosen else "请选择其中一种"
            return f"“{item.name}”须在{names}中确定一种情形并提交对应的佐证材料，{how}。"
    return None


def check_problem(material: Material, check: MaterialCheck | None) -> str | None:
    """What is wrong with one material (Chinese), or None when it is in order."""
    if check is None or check.status == "missing":
        return REASON_NOT_PROVIDED
    if check.status == "defective":
        return check.defect.strip() or REASON_DEFECTIVE
    if check.alternative is None:
        return REASON_NO_ALTERNATIVE if material.is_choice else None
    if check.alternative not in material.alternatives and not is_other_same_kind(
        material, check.alternative
    ):
        return REASON_BAD_ALTERNATIVE
    return None


def missing_materials(
    required: Iterable[Material], checks: Mapping[str, MaterialCheck]
) -> list[tuple[Material, str]]:
    """Every required material that is not in order, with what is wrong, in the given order."""
    result: list[tuple[Material, str]] = []
    for m in required:
        problem = check_problem(m, checks.get(m.id))
        if problem is not None:
            result.append((m, problem))
    return result


def is_complete(required: Iterable[Material], checks: Mapping[str, MaterialCheck]) -> bool:
    return not missing_materials(required, checks)


def validate_check(material: Material, check: MaterialCheck) -> None:
    """Refuse a check that does not fit its material, before it is stored."""
    if check.material_id != material.id:
        raise MaterialCheckError(
            f"核验结果对应的材料编号 {check.material_id} 与材料 {material.id} 不一致。"
        )
    if check.status == "ok":
        if check.alternative is None and material.is_choice:
            raise MaterialCheckError(
                f"“{material.name}”可由多种材料之一满足，请选择申请人实际提供的是："
                f"{' / '.join(material.alternatives)}。"
            )
        if check.alternative is not None and check.alternative.startswith(OTHER_SAME_KIND):
            if not material.open:
                raise MaterialCheckError(
                    f"“{material.name}”的可接受材料已明确列出，请从 {' / '.join(material.alternatives)} 中选择。"
                )
            if not is_other_same_kind(material, check.alternative):
                raise MaterialCheckError(
                    f"请用{MAX_DESCRIPTION}字以内简要说明申请人提供的是哪种同类材料（如：公安机关出具的伤情鉴定）。"
                )
        elif check.alternative is not None and check.alternative not in material.alternatives:
            raise MaterialCheckError(
                f"“{check.alternative}”不是“{material.name}”可接受的材料，"
                f"请从 {' / '.join(material.alternatives)} 中选择。"
            )
    if check.status == "defective" and not check.defect.strip():
        raise MaterialCheckError(f"请写明“{material.name}”存在什么问题（如：未加盖单位公章）。")


REQUIREMENT_COPY: dict[str, str] = {
    "original": "须提供原件",
    "copy": "提供复印件",
    "original_and_copy": "须同时提供原件和复印件",
}


def requirements(material: Material) -> list[str]:
    """What the catalogue requires of the material's form: original or copy, seal, form number.

    The one-time notice prints these with every material it names, so an applicant who comes back
    brings it right the first time (an unsealed 费用清单 means they were not told everything)."""
    parts: list[str] = []
    if material.copy in REQUIREMENT_COPY:
        parts.append(REQUIREMENT_COPY[material.copy])
    if material.seal:
        parts.append(f"须加盖{material.seal}")
    if material.form:
        parts.append(f"按{material.form}填写")
    return parts


def with_requirements(material: Material, problem: str) -> str:
    """The problem, then the requirements it does not already state: 未提供（要求：须加盖单位公章；按表4填写）."""
    left = [r for r in requirements(material) if r.removeprefix("须") not in problem]
    return f"{problem}（要求：{'；'.join(left)}）" if left else problem


def defect_choices(material: Material) -> list[str]:
    """Suggested defect descriptions for a material, most specific first."""
    choices: list[str] = []
    if material.seal:
        choices.append(f"未加盖{material.seal}")
    if material.copy in COPY_DEFECTS:
        choices.append(COPY_DEFECTS[material.copy])
    choices.extend(COMMON_DEFECTS)
    return choices


def check_rows(
    known: Mapping[str, Material], checks: Mapping[str, MaterialCheck], unknown: str
) -> list[MaterialCheck]:
    """The checks to store for `checks` ({material id: check}), each validated against its
    material in `known` and named by its key.

    Raises `MaterialCheckError`: `unknown` (formatted with `{material_id}`) for a material not in
    `known`, or the check's own problem.
    """
    rows: list[MaterialCheck] = []
    for material_id, check in checks.items():
        material = known.get(material_id)
        if material is None:
            raise MaterialCheckError(unknown.format(material_id=material_id))
        validate_check(material, check)
        rows.append(
            check if check.material_id == material_id else replace(check, material_id=material_id)
        )
    return rows
