"""The case state machine: which action is allowed when, for whom, and the events it produces.

Pure: nothing here reads or writes storage. `decide` returns the events of a move and the case's
new state is the last event's `to_state`; `record` returns one event that leaves the state as it is.

A move completes one step of the item (受理, 审核, 拨付) and the steps after it that need nobody else
run at once, each with its own event:

- 办结 always follows at once (a `close` event), so approval of a non-paying item and payment close
  the case in the same move;
- 审核 follows at once when the item is instant (即时办结) on the case's channel: the window accepts,
  approves and closes in one visit;
- 拨付 always waits for the finance side (state AWAITING_PAYMENT).

A step's event lands on the state that waits for the next step (审核: ACCEPTED, 拨付:
AWAITING_PAYMENT); when the next step is 办结 it keeps the state and the `close` event moves to
CLOSED. Events made automatically carry `{"auto": True}` in their data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from clerk.domain.catalog import PAYMENT_STEP, REVIEW_STEP, Item
from clerk.domain.limits import (
    ALL_ROLES,
    CLERK_ROLES,
    DEFAULT_SUPPLEMENT_DAYS,
    FINANCE_ROLES,
    REVIEWER_ROLES,
    SUPERVISOR_ROLES,
)
from clerk.domain.model import Action, CaseState, Channel, Event, Rating, Role
from clerk.domain.notice import (
    NoticeRuleError,
    check_late_notice,
    check_later_notice,
    unnamed_materials,
)

CLOSE_STEP = "办结"
ACCEPT_STEP = "受理"


_S = CaseState
_OPEN_STATES = frozenset(s for s in CaseState if not s.is_final)


@dataclass(frozen=True)
class Rule:
    states: frozenset[CaseState]
    roles: frozenset[Role]
    who: str  # Chinese: who may do it instead
    where: str  # Chinese: in which states it is possible


TRANSITIONS: dict[Action, Rule] = {
    Action.NOTICE: Rule(
        frozenset({_S.DRAFT}), CLERK_ROLES, "窗口经办人员或主管", "一次性告知只能在收件环节发出。"
    ),
    Action.SUPPLEMENT: Rule(
        frozenset({_S.AWAITING_SUPPLEMENT}),
        CLERK_ROLES,
        "窗口经办人员或主管",
        "只有待补正的办件可以登记补正材料。",
    ),
    Action.ACCEPT: Rule(
        frozenset({_S.DRAFT}),
        CLERK_ROLES,
        "窗口经办人员或主管",
        "只有收件环节的办件可以受理；待补正的办件请先登记补正材料。",
    ),
    Action.REFUSE: Rule(
        frozenset({_S.DRAFT}), CLERK_ROLES, "窗口经办人员或主管", "只有收件环节的办件可以不予受理。"
    ),
    Action.APPROVE: Rule(
        frozenset({_S.ACCEPTED}),
        REVIEWER_ROLES,
        "审核人员或主管",
        "只有已受理、待审核的办件可以审核。",
    ),
    Action.REJECT: Rule(
        frozenset({_S.ACCEPTED}),
        REVIEWER_ROLES,
        "审核人员或主管",
        "只有已受理、待审核的办件可以审核。",
    ),
    Action.PAY: Rule(
        frozenset({_S.AWAITING_PAYMENT}),
        FINANCE_ROLES,
        "财务（拨付）人员",
        "只有审核通过、待拨付的办件可以拨付。",
    ),
    Action.WITHDRAW: Rule(
        frozenset({_S.DRAFT, _S.AWAITING_SUPPLEMENT, _S.ACCEPTED}),
        CLERK_ROLES,
        "窗口经办人员或主管",
        "只有收件、待补正或已受理（尚未审核）的办件可以撤回。",
    ),
    Action.ABANDON: Rule(
        frozenset({_S.AWAITING_SUPPLEMENT}),
        CLERK_ROLES,
        "窗口经办人员或主管",
        "只有待补正的办件可以因逾期未补正而终止。",
    ),
}

RECORDS: dict[Action, Rule] = {
    Action.RATE: Rule(frozenset(CaseState), CLERK_ROLES, "窗口经办人员或主管", ""),
    Action.REVEAL: Rule(frozenset(CaseState), ALL_ROLES, "", ""),
    Action.PRINT: Rule(frozenset(CaseState), ALL_ROLES, "", ""),
    Action.FOLLOW_UP: Rule(frozenset(CaseState), SUPERVISOR_ROLES, "主管", ""),
    Action.OVERRIDE: Rule(
        frozenset({_S.DRAFT, _S.AWAITING_SUPPLEMENT}),
        SUPERVISOR_ROLES,
        "主管",
        "只有收件或待补正的办件需要批准补充告知。",
    ),
    Action.STAGE: Rule(
        frozenset({_S.ACCEPTED}),
        REVIEWER_ROLES,
        "审核人员或主管",
        "只有已受理、待审核的办件登记审核环节。",
    ),
    # The window's checks (收件, 待补正) and the review stage's (已受理); the desks say more.
    Action.CHECK: Rule(
        frozenset({_S.DRAFT, _S.AWAITING_SUPPLEMENT, _S.ACCEPTED}),
        ALL_ROLES,
        "",
        "该件已作出受理决定，不能再修改材料核验结果。",
    ),
    Action.RECOMPUTE: Rule(
        frozenset({_S.ACCEPTED, _S.AWAITING_PAYMENT}),
        SUPERVISOR_ROLES,
        "主管或系统管理员",
        "只有已受理、尚未办结的办件有期限可以重算。",
    ),
}

REASON_REQUIRED = frozenset(
    {
        Action.REFUSE,
        Action.REJECT,
        Action.WITHDRAW,
        Action.ABANDON,
        Action.FOLLOW_UP,
        Action.OVERRIDE,
    }
)
REASON_HINTS: dict[Action, str] = {
    Action.REFUSE: "请填写不予受理的具体理由（将写入不予受理告知书）。",
    Action.REJECT: "请填写审核不通过的原因（将告知申请人）。",
    Action.WITHDRAW: "请填写撤回的原因（如：申请人书面申请撤回）。",
    Action.ABANDON: "请填写终止的原因（如：告知后逾期未补正）。",
    Action.FOLLOW_UP: "请填写回访情况和处理结果。",
    Action.OVERRIDE: "请填写批准补充告知的理由。",
}


EventMaker = Callable[..., Event]


# How a message names an action when its label alone reads badly after 不能.
VERBS: dict[Action, str] = {
    Action.OVERRIDE: "批准补充告知新材料",
    Action.RATE: "登记评价",
    Action.FOLLOW_UP: "登记差评回访",
    Action.STAGE: "登记审核环节",
}


def _verb(action: Action) -> str:
    return VERBS.get(action, action.label)


class WorkflowError(ValueError):
    """A move the rules forbid. The Chinese message says why and what to do."""


@dataclass(frozen=True)
class OfficeSettings:
    reviewer_must_differ: bool = True
    supplement_days: int = DEFAULT_SUPPLEMENT_DAYS


@dataclass(frozen=True)
class CaseFacts:
    """What the rules need to know about a case."""

    uuid: str
    item: Item
    state: CaseState
    channel: Channel
    complete: bool = False  # every required material ok
    accepted_by: str | None = None
    noticed_ids: tuple[frozenset[str], ...] = ()  # the material ids of each notice issued
    rating: Rating | None = None  # the case's rating, once given
    # material ids a supervisor allowed a later notice to add (OVERRIDE events' "missing")
    approved_ids: frozenset[str] = field(default_factory=frozenset)
    # the last day to hand in what the latest notice named, and today (both None when unknown)
    supplement_due: date | None = None
    today: date | None = None
    # a first notice now would come after Art. 32's 5-working-day window (the case is deemed accepted)
    notice_late: bool = False
    # items 36-37: review-stage materials not yet in order, and review stages already recorded
    review_missing: tuple[str, ...] = ()
    stages_done: tuple[str, ...] = ()

    @property
    def instant(self) -> bool:
        return is_instant(self.item, self.channel)


def is_instant(item: Item, channel: Channel) -> bool:
    return item.time_limit.for_channel(channel == Channel.ONLINE).is_instant


# ------------------------------------------------------------------------------------ guards


def _why_not(
    facts: CaseFacts,
    action: Action,
    rule: Rule,
    *,
    actor: str,
    role: Role,
    settings: OfficeSettings,
) -> str | None:
    """Why this user may not take this action now (Chinese), or None. Input checks come later."""
    state = facts.state
    if state.is_final:
        done = state.label if state.label.startswith("已") else f"已{state.label}"
        return f"该件{done}，不能再{action.label}。如申请人仍需办理，请重新收件。"
    if state not in rule.states:
        return f"该件当前为“{state.label}”，不能{action.label}。{rule.where}"
    if role not in rule.roles:
        return f"{role.label}不能{action.label}，请由{rule.who}办理。"
    if action is Action.ACCEPT and not facts.complete:
        return "材料尚未齐全或有不符合要求的，不能受理；请核验材料，或发出一次性告知。"
    if action is Action.NOTICE and facts.complete:
        return "材料已齐全，无需一次性告知，可直接受理。"
    if action in (Action.APPROVE, Action.REJECT):
        if not facts.item.reviews:
            return f"事项{facts.item.no}没有审核环节，受理时已自动办结。"
        if (
            settings.reviewer_must_differ
            and not facts.instant
            and facts.accepted_by is not None
            and facts.accepted_by == actor
        ):
            return "本件由您受理，须由其他审核人员审核（受理与审核分离）。"
    if action is Action.APPROVE:
        if facts.review_missing:
            return (
                f"审核评估环节须核验申请时可暂缓提交的材料：{'、'.join(facts.review_missing)}。"
                "请按 K 登记收到的材料后再审核通过。"
            )
        left = [s for s in facts.item.review_stages if s not in facts.stages_done]
        if left:
            return f"尚未登记审核环节：{'、'.join(left)}。请按 G 登记各环节完成后再审核通过。"
    if (
        action is Action.ABANDON
        and facts.supplement_due is not None
        and facts.today is not None
        and facts.today <= facts.supplement_due
    ):
        due = facts.supplement_due
        return (
            f"补正期限到{due.year}年{due.month}月{due.day}日，尚未届满，不能以逾期未补正终止。"
            "申请人要求不再办理的，请用撤回。"
        )
    if action is Action.PAY and not facts.item.pays:
        return f"事项{facts.item.no}没有拨付环节。"
    return None


def allowed_actions(
    facts: CaseFacts, *, actor: str, role: Role, settings: OfficeSettings
) -> list[Action]:
    """The state-changing actions this user may take now, in the order of `Action`."""
    return [
        action
        for action, rule in TRANSITIONS.items()
        if _why_not(facts, action, rule, actor=actor, role=role, settings=settings) is None
    ]


def allowed_records(facts: CaseFacts, *, role: Role) -> list[Action]:
    """The non-state events this user may record now (input checks aside)."""
    return [a for a, rule in RECORDS.items() if _record_why_not(facts, a, rule, role) is None]


# ------------------------------------------------------------------------------------ events


def _check_call(actor: str, at: datetime) -> None:
    if not actor:
        raise ValueError("actor must be a user login")
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("at must be timezone-aware")


def _no_data(action: Action, data: Mapping[str, Any] | None, allowed: tuple[str, ...] = ()) -> None:
    unexpected = sorted(set(data or {}) - set(allowed))
    if unexpected:
        raise ValueError(f"unexpected data for {action}: {unexpected}")


def receive(
    uuid: str, item: Item, channel: Channel, *, actor: str, role: Role, at: datetime
) -> Event:
    """The first event of a case: it is opened at the window (or taken in from online)."""
    _check_call(actor, at)
    if role not in CLERK_ROLES:
        raise WorkflowError(f"{role.label}不能收件，请由窗口经办人员或主管办理。")
    return Event(
        case_uuid=uuid,
        action=Action.RECEIVE,
        actor=actor,
        at=at,
        from_state=None,
        to_state=CaseState.DRAFT,
        data={"item_no": item.no, "channel": str(channel)},
    )


# What an ACCEPT event's data carries: the due date, the day the limit started, whether provisional.
ACCEPT_DATA: tuple[str, ...] = ("due", "due_start", "provisional")


def decide(
    facts: CaseFacts,
    action: Action,
    *,
    actor: str,
    role: Role,
    at: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    settings: OfficeSettings,
) -> list[Event]:
    """The events of a state-changing move; raises WorkflowError when it is not allowed."""
    _check_call(actor, at)
    if action is Action.RECEIVE:
        raise WorkflowError("该件已收件建档，不能再次收件。")
    if action is Action.CLOSE:
        raise WorkflowError(
            "办结无需单独操作：审核通过或拨付完成后自动办结，即时办结事项受理时即办结。"
        )
    rule = TRANSITIONS.get(action)
    if rule is None:
        raise WorkflowError(f"“{action.label}”不改变办件状态，应作为记录登记。")
    problem = _why_not(facts, action, rule, actor=actor, role=role, settings=settings)
    if problem is not None:
        raise WorkflowError(problem)
    reason = reason.strip()
    if action in REASON_REQUIRED and not reason:
        raise WorkflowError(REASON_HINTS[action])

    def event(
        act: Action,
        src: CaseState,
        dst: CaseState,
        why: str = "",
        extra: dict[str, Any] | None = None,
    ) -> Event:
        return Event(facts.uuid, act, actor, at, src, dst, why, dict(extra or {}))

    state = facts.state
    if action is Action.NOTICE:
        return _notice(facts, event, role=role, reason=reason, data=data)
    if action is Action.PAY:
        _no_data(action, data, ("amount_fen", "reference"))
        payment = _payment(data or {})
        return _advance(facts, event, Action.PAY, PAYMENT_STEP, reason, payment)
    if action is Action.REFUSE:
        # 行政许可法 Art. 32(1)(2): a refusal for lack of competence records where to apply instead.
        _no_data(action, data, ("apply_instead",))
        return [event(action, state, CaseState.REFUSED, reason, dict(data or {}))]
    if action is Action.ACCEPT:
        # The deadline the acceptance set: {"due", "due_start", "provisional"} (a replay reads it),
        # and why it starts where it does (Art. 32 deemed acceptance, items 38-39).
        _no_data(action, data, (*ACCEPT_DATA, "deemed_from", "declaration_deadline"))
        return _advance(facts, event, Action.ACCEPT, ACCEPT_STEP, reason, dict(data or {}))
    _no_data(action, data)
    if action is Action.APPROVE:
        return _advance(facts, event, Action.APPROVE, REVIEW_STEP, reason, {})
    target = {
        Action.SUPPLEMENT: CaseState.DRAFT,
        Action.REFUSE: CaseState.REFUSED,
        Action.REJECT: CaseState.REJECTED,
        Action.WITHDRAW: CaseState.WITHDRAWN,
        Action.ABANDON: CaseState.ABANDONED,
    }[action]
    return [event(action, state, target, reason)]


def _waiting_state(step: str, current: CaseState) -> CaseState:
    """The state a case waits in until `step` is done."""
    if step == REVIEW_STEP:
        return CaseState.ACCEPTED
    if step == PAYMENT_STEP:
        return CaseState.AWAITING_PAYMENT
    return CaseState.ACCEPTED if current is CaseState.DRAFT else current


def _advance(
    facts: CaseFacts,
    event: EventMaker,
    action: Action,
    done_step: str,
    reason: str,
    data: dict[str, Any],
) -> list[Event]:
    """The event completing `done_step`, then the steps that need nobody else."""
    steps = facts.item.steps
    pending = steps[steps.index(done_step) + 1 :]
    events: list[Event] = []
    state = facts.state
    for step in pending:
        target = _waiting_state(step, state)
        events.append(event(action, state, target, reason, data))
        state = target
        if step == CLOSE_STEP:
            events.append(event(Action.CLOSE, state, CaseState.CLOSED, "", {"auto": True}))
            break
        if step == REVIEW_STEP and facts.instant:
            action, reason, data = Action.APPROVE, "", {"auto": True}
            continue
        break
    return events


def _payment(data: Mapping[str, Any]) -> dict[str, Any]:
    amount = data.get("amount_fen")
    if not isinstance(amount, int) or isinstance(amount, bool) or amount <= 0:
        raise WorkflowError("请填写拨付金额（大于 0，以分为单位的整数）。")
    reference = data.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        raise WorkflowError("请填写拨付凭证号（银行流水号或支付单号）。")
    return {"amount_fen": amount, "reference": reference.strip()}


def _material_ids(data: Mapping[str, Any] | None, action: Action) -> frozenset[str]:
    _no_data(action, data, ("missing",))
    raw = (data or {}).get("missing")
    if not isinstance(raw, (list, tuple, frozenset, set)) or not raw:
        raise WorkflowError("请列出需要补正的材料（至少一项）。")
    if not all(isinstance(i, str) and i for i in raw):
        raise ValueError("material ids must be non-empty strings")
    return frozenset(raw)


def _names(item: Item) -> dict[str, str]:
    return {m.id: m.name for m in item.materials}


def _notice(
    facts: CaseFacts, event: EventMaker, *, role: Role, reason: str, data: Mapping[str, Any] | None
) -> list[Event]:
    new = _material_ids(data, Action.NOTICE)
    earlier = facts.noticed_ids + ((facts.approved_ids,) if facts.approved_ids else ())
    try:
        check_later_notice(
            earlier, new, override_reason=reason, role=role, names=_names(facts.item)
        )
    except NoticeRuleError as exc:
        raise WorkflowError(str(exc)) from exc
    late = facts.notice_late and not facts.noticed_ids
    try:
        check_late_notice(late, reason=reason, role=role)
    except NoticeRuleError as exc:
        raise WorkflowError(str(exc)) from exc
    events: list[Event] = []
    if late:
        events.append(
            event(Action.OVERRIDE, facts.state, facts.state, reason, {"late_notice": True})
        )
    added = unnamed_materials(earlier, new)
    if added:
        events.append(
            event(Action.OVERRIDE, facts.state, facts.state, reason, {"missing": sorted(added)})
        )
    events.append(
        event(
            Action.NOTICE,
            facts.state,
            CaseState.AWAITING_SUPPLEMENT,
            reason,
            {"missing": sorted(new)},
        )
    )
    return events


# ------------------------------------------------------------------------------------ records


def _record_why_not(facts: CaseFacts, action: Action, rule: Rule, role: Role) -> str | None:
    if facts.state not in rule.states:
        return f"该件当前为“{facts.state.label}”，不能{_verb(action)}。{rule.where}"
    if role not in rule.roles:
        return f"{role.label}不能{_verb(action)}，请由{rule.who}办理。"
    if action is Action.RATE and facts.rating is not None:
        return f"本件已评价（{facts.rating.label}），每件只能评价一次。"
    if action is Action.FOLLOW_UP and (facts.rating is None or not facts.rating.is_bad):
        return "只有“不满意”或“非常不满意”的评价需要回访。"
    if action is Action.OVERRIDE and not facts.noticed_ids:
        return "本件尚未发出一次性告知，首次告知可列明任何材料，无需批准。"
    if action is Action.STAGE and not facts.item.review_stages:
        return f"事项{facts.item.no}没有需要登记的审核环节。"
    return None


def record(
    facts: CaseFacts,
    action: Action,
    *,
    actor: str,
    role: Role,
    at: datetime,
    reason: str = "",
    data: dict[str, Any] | None = None,
    settings: OfficeSettings,
) -> Event:
    """An event that leaves the state as it is (rating, reveal, print, follow-up, override, ...)."""
    del settings  # same signature as `decide`; no setting applies to records yet
    _check_call(actor, at)
    rule = RECORDS.get(action)
    if rule is None:
        raise WorkflowError(f"“{action.label}”会改变办件状态，不能作为记录登记。")
    problem = _record_why_not(facts, action, rule, role)
    if problem is not None:
        raise WorkflowError(problem)
    reason = reason.strip()
    if action in REASON_REQUIRED and not reason:
        raise WorkflowError(REASON_HINTS[action])
    payload = _record_data(facts, action, data)
    return Event(facts.uuid, action, actor, at, facts.state, facts.state, reason, payload)


def _text_field(
    data: Mapping[str, Any] | None, key: str, action: Action, message: str
) -> dict[str, Any]:
    _no_data(action, data, (key,))
    value = (data or {}).get(key)
    if not isinstance(value, str) or not value.strip():
        raise WorkflowError(message)
    return {key: value.strip()}


def _record_data(
    facts: CaseFacts, action: Action, data: Mapping[str, Any] | None
) -> dict[str, Any]:
    if action is Action.RATE:
        _no_data(action, data, ("level",))
        level = (data or {}).get("level")
        if level not in {r.value for r in Rating}:
            raise WorkflowError(
                "请选择评价等级：5 非常满意、4 满意、3 基本满意、2 不满意、1 非常不满意。"
            )
        return {"level": str(level)}
    if action is Action.REVEAL:
        return _text_field(data, "field", action, "请选择要查看的个人信息项。")
    if action is Action.PRINT:
        return _text_field(data, "document", action, "请选择要打印的文书。")
    if action is Action.OVERRIDE:
        ids = _material_ids(data, action)
        added = unnamed_materials(facts.noticed_ids, ids)
        if not added:
            raise WorkflowError("所列材料在此前的告知中均已列明，无需批准。")
        return {"missing": sorted(added)}
    if action is Action.STAGE:
        payload = _text_field(data, "stage", action, "请选择要登记的审核环节。")
        if payload["stage"] not in facts.item.review_stages:
            raise WorkflowError(f"事项{facts.item.no}没有“{payload['stage']}”环节。")
        if payload["stage"] in facts.stages_done:
            raise WorkflowError(f"“{payload['stage']}”已登记过。")
        return payload
    if action is Action.RECOMPUTE:
        return dict(data or {})
    if action is Action.CHECK:
        _no_data(action, data, ("materials",))
        return {"materials": list((data or {}).get("materials") or [])}
    _no_data(action, data)
    return {}
