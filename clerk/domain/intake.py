"""Whether a case may be opened as asked: the channel, the point and the circumstances.

- Items 38-39 are online only in the Yongzhou guide (两定机构医疗保障信息平台，无需线下办理): a hall
  records them as online applications, never as an on-site intake.
- Item 8 for a flexible worker: 灵活就业人员需现场办理 (the guide's process), so not online.
- Item 13 at a township hall or village centre: 仅限于非关键信息 (the guide's 办理渠道); a change of
  key information goes to the county hall.
- Item 15: exactly one of the three evidence sets (劳动关系存续 / 仲裁·监察·判决 / 其他情况).
"""

from __future__ import annotations

from clerk.domain.catalog import Catalog, Item
from clerk.domain.materials import circumstance_problem
from clerk.domain.offices import POINT_KINDS

FLEXIBLE_WORKER = "flexible_worker"


def intake_problem(
    catalog: Catalog, item: Item, point_kind: str, *, online: bool, circumstances: frozenset[str]
) -> str | None:
    """Why the case cannot be opened like this (Chinese, says what to do), or None."""
    if item.online_only and not online:
        channels = "、".join(item.local.online_channels) if item.local else "线上渠道"
        return f"本事项只能通过{channels}线上申报，无需线下办理；请按“网上申请（窗口代录）”登记。"
    if online and FLEXIBLE_WORKER in circumstances and item.no == 8:
        return "灵活就业人员办理在职转退休须现场办理，请改为“窗口现场办理”。"
    if point_kind != "county_hall":
        county_only = [c for c in item.county_hall_only if c in circumstances]
        if county_only:
            label = (
                catalog.conditions[county_only[0]].label
                if county_only[0] in catalog.conditions
                else county_only[0]
            )
            return (
                f"{POINT_KINDS.get(point_kind, point_kind)}只办理非关键信息的变更；“{label}”"
                "须到县级医保服务大厅办理，请引导申请人前往。"
            )
    labels = {code: c.label for code, c in catalog.conditions.items()}
    return circumstance_problem(item, circumstances, labels)
