"""The reasons a window writes most often, offered in the reason dialog so a clerk picks one and
adds the specifics instead of typing it again each time. Free of Textual."""

from __future__ import annotations

from clerk.domain.model import Action

COMMON_REASONS: dict[Action, tuple[str, ...]] = {
    Action.REFUSE: (
        "申请事项不属于本机构职权范围",  # the dialog then asks where to apply instead (Art. 32)
        "申请人不具备该事项的申请资格",
        "申请已超过规定的申请期限",
        "同一事项已在办理中，不能重复申请",
    ),
    Action.REJECT: (
        "申请材料内容与系统记录不一致",
        "不符合待遇享受条件",
        "所报费用不属于医保基金支付范围",
        "材料存在涂改，需申请人重新提供原件核实",
    ),
    Action.WITHDRAW: ("申请人主动撤回申请",),
    Action.ABANDON: ("申请人逾期未补正材料，依规终止办理",),
}


def common_reasons(action: Action) -> tuple[str, ...]:
    return COMMON_REASONS.get(action, ())
