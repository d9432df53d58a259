"""The catalogue rendered for people (a Chinese guide) and for scripts (a stable JSON shape)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from clerk.domain.catalog import Catalog, Item, Material, TimeLimit

COPY_LABELS = {
    "original": "原件",
    "copy": "复印件",
    "original_and_copy": "原件及复印件",
    "original_or_copy": "原件或复印件",
}
VENUE_LABELS = {
    "county_hall": "县级医保服务大厅",
    "township_hall": "乡镇（街道）政务服务大厅",
    "village_centre": "村（社区）便民服务中心",
    "college": "大中专院校",
    "hospital": "定点医疗机构",
    "online": "网上办理",
}


def time_limit_json(limit: TimeLimit | None) -> dict[str, Any] | None:
    if limit is None:
        return None
    return {
        "kind": limit.kind,
        "days": limit.days,
        "start": limit.start,
        "text": limit.text,
        "online": time_limit_json(limit.online),
    }


def material_json(m: Material) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.name,
        "alternatives": list(m.alternatives),
        "condition": m.condition,
        "copy": m.copy,
        "seal": m.seal,
        "form": m.form,
        "note": m.note,
        "stage": m.stage,
    }


def item_json(item: Item) -> dict[str, Any]:
    local = None
    if item.local is not None:
        local = {
            "accepting_units": list(item.local.accepting_units),
            "venues": list(item.local.venues),
            "applicants": item.local.applicants,
            "online_channels": list(item.local.online_channels),
            "time_limit": time_limit_json(item.local.time_limit),
            "superseded": item.local.superseded,
            "process": list(item.local.process),
            "query": item.local.query,
        }
    return {
        "no": item.no,
        "name": item.name,
        "applicant_kind": item.applicant_kind,
        "sub_item": {"code": item.sub_item.code, "name": item.sub_item.name},
        "main_item": {
            "numeral": item.main_item.numeral,
            "code": item.main_item.code,
            "name": item.main_item.name,
        },
        "time_limit": time_limit_json(item.time_limit),
        "steps": list(item.steps),
        "materials": [material_json(m) for m in item.materials],
        "notes": list(item.notes),
        "basis": [{"law": b.law, "articles": b.articles} for b in item.basis],
        "local": local,
    }


def catalog_as_json(catalog: Catalog) -> dict[str, Any]:
    return {
        "title": catalog.title,
        "main_items": [asdict(m) for m in catalog.main_items],
        "sub_items": [asdict(s) for s in catalog.sub_items],
        "items": [item_json(i) for i in catalog.items],
        "general_notes": list(catalog.general_notes),
        "general_materials": [
            {
                "material": material_json(g.material),
                "applies_to": g.applies_to,
                "note_no": g.note_no,
            }
            for g in catalog.general_materials
        ],
        "id_documents": list(catalog.id_documents),
        "conditions": {
            code: {"label": c.label, "question": c.question}
            for code, c in catalog.conditions.items()
        },
        "closing_note": catalog.closing_note,
    }


def material_line(m: Material, catalog: Catalog | None = None) -> str:
    """One material as a clerk reads it: name, choice, original/copy, seal, form, condition."""
    text = m.name
    extras = []
    if m.is_choice:
        extras.append("任选其一：" + " / ".join(m.alternatives))
    if m.copy:
        extras.append(COPY_LABELS.get(m.copy, m.copy))
    if m.seal:
        extras.append(f"须加盖{m.seal}")
    if m.form:
        extras.append(m.form)
    if m.stage == "review":
        extras.append("可在审核环节提供")
    if extras:
        text += "（" + "；".join(extras) + "）"
    if m.condition:
        label = catalog.conditions[m.condition].label if catalog else m.condition
        text = f"[{label}] {text}"
    return text


def item_list_text(catalog: Catalog) -> str:
    lines = [catalog.title, ""]
    current = None
    for item in catalog.items:
        if item.main_item.code != current:
            current = item.main_item.code
            lines.append(
                f"{item.main_item.numeral}、{item.main_item.name}（{item.main_item.code}）"
            )
        lines.append(f"  {item.no:>2}  {item.name}　{item.time_limit.describe()}")
    return "\n".join(lines)


def item_guide_text(catalog: Catalog, item: Item) -> str:
    lines = [
        f"【{item.no}】{item.name}",
        f"主项：{item.main_item.numeral}、{item.main_item.name}（{item.main_item.code}）",
        f"子项：{item.sub_item.name}（{item.sub_item.code}）",
        f"办理时限：{item.time_limit.describe()}",
    ]
    if item.local is not None and item.local.superseded and item.local.time_limit is not None:
        lines.append(
            f"　（永州办事指南写作 {item.local.time_limit.describe()}，按省清单执行，仅供参考）"
        )
    lines.append("办理环节：" + "—".join(item.steps))
    lines.append("办理材料：")
    for n, m in enumerate(item.materials, 1):
        lines.append(f"  {n}、{material_line(m, catalog)}")
    general = [g for g in catalog.general_materials if g.applies_to == "all" or item.pays]
    if general:
        lines.append("通用材料（按说明）：")
        for g in general:
            lines.append(f"  - {material_line(g.material, catalog)}")
    if item.notes:
        lines.append("备注：")
        lines.extend(f"  {n}、{note}" for n, note in enumerate(item.notes, 1))
    if item.basis:
        lines.append("设定依据：")
        lines.extend(f"  {n}、{b.law}{b.articles or ''}" for n, b in enumerate(item.basis, 1))
    if item.local is not None:
        lines.append("办理地点：" + "、".join(VENUE_LABELS[v] for v in item.local.venues))
        lines.append("受理单位：" + "、".join(item.local.accepting_units))
        lines.append("申请对象：" + item.local.applicants)
        if item.local.online_channels:
            lines.append("网上办理：" + "、".join(item.local.online_channels))
        if item.local.query:
            lines.append("查询方式：" + item.local.query)
    return "\n".join(lines)
