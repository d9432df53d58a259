"""The case state machine: the full state x action x role grid, event sequences and guards."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clerk.domain.catalog import (
    Item,
    LegalBasis,
    MainItem,
    Material,
    SubItem,
    TimeLimit,
    default_catalog,
)
from clerk.domain.model import Action, CaseState, Channel, Event, Rating, Role
from clerk.domain.workflow import (
    CaseFacts,
    OfficeSettings,
    WorkflowError,
    allowed_actions,
    allowed_records,
    decide,
    receive,
    record,
)

S = CaseState
A = Action
R = Role
TZ = ZoneInfo("Asia/Shanghai")
AT = datetime(2026, 3, 2, 9, 30, tzinfo=TZ)
SETTINGS = OfficeSettings()
MAIN = MainItem("一", "00203600100Y", "测试主项")
SUB = SubItem(1, "002036001001", "测试子项", MAIN.code)
REVIEWED = ("申请", "受理", "审核", "办结")
PAYING = ("申请", "受理", "审核", "拨付", "办结")
QUERY = ("申请", "受理", "办结")
FORM = Material("form", "登记表", ("登记表",))
COPY = Material("copy", "身份证件复印件", ("身份证件复印件",))


def make_item(
    steps: tuple[str, ...] = REVIEWED,
    limit: TimeLimit | None = None,
    materials: tuple[Material, ...] = (FORM, COPY),
) -> Item:
    return Item(
        no=1,
        name="测试事项",
        sub_item=SUB,
        main_item=MAIN,
        applicant_kind="person",
        materials=materials,
        time_limit=limit or TimeLimit("working_days", 5),
        steps=steps,
        notes=(),
        basis=(LegalBasis("《测试法》"),),
    )


INSTANT = TimeLimit("instant", 0)
WORKING = make_item()  # 5 working days, reviewed, not paying
PAYING_ITEM = make_item(PAYING, TimeLimit("working_days", 25))
INSTANT_ITEM = make_item(REVIEWED, INSTANT)
QUERY_ITEM = make_item(QUERY, INSTANT)
SPLIT = make_item(REVIEWED, TimeLimit("instant", 0, online=TimeLimit("working_days", 2)))


def facts(
    state: CaseState = S.DRAFT,
    item: Item = PAYING_ITEM,
    *,
    channel: Channel = Channel.ON_SITE,
    complete: bool = True,
    accepted_by: str | None = "clerk1",
    **kw: Any,
) -> CaseFacts:
    return CaseFacts("case-1", item, state, channel, complete, accepted_by, **kw)


def ev(
    action: Action,
    src: CaseState | None,
    dst: CaseState,
    reason: str = "",
    data: dict[str, Any] | None = None,
    actor: str = "clerk1",
) -> Event:
    return Event("case-1", action, actor, AT, src, dst, reason, data or {})


def run(
    f: CaseFacts, action: Action, *, actor: str = "clerk1", role: Role = R.CLERK, **kw: Any
) -> list[Event]:
    kw.setdefault("settings", SETTINGS)
    return decide(f, action, actor=actor, role=role, at=AT, **kw)


# ------------------------------------------------------------------ the grid

CLERKS = {R.CLERK, R.SUPERVISOR, R.ADMIN}
EXPECTED: dict[tuple[CaseState, Role], set[Action]] = {
    (S.DRAFT, R.CLERK): {A.ACCEPT, A.REFUSE, A.WITHDRAW},
    (S.DRAFT, R.SUPERVISOR): {A.ACCEPT, A.REFUSE, A.WITHDRAW},
    (S.DRAFT, R.ADMIN): {A.ACCEPT, A.REFUSE, A.WITHDRAW},
    (S.AWAITING_SUPPLEMENT, R.CLERK): {A.SUPPLEMENT, A.WITHDRAW, A.ABANDON},
    (S.AWAITING_SUPPLEMENT, R.SUPERVISOR): {A.SUPPLEMENT, A.WITHDRAW, A.ABANDON},
    (S.AWAITING_SUPPLEMENT, R.ADMIN): {A.SUPPLEMENT, A.WITHDRAW, A.ABANDON},
    (S.ACCEPTED, R.CLERK): {A.WITHDRAW},
    (S.ACCEPTED, R.REVIEWER): {A.APPROVE, A.REJECT},
    (S.ACCEPTED, R.SUPERVISOR): {A.APPROVE, A.REJECT, A.WITHDRAW},
    (S.ACCEPTED, R.ADMIN): {A.APPROVE, A.REJECT, A.WITHDRAW},
    (S.AWAITING_PAYMENT, R.FINANCE): {A.PAY},
    (S.AWAITING_PAYMENT, R.ADMIN): {A.PAY},
}
GOOD_INPUT: dict[Action, dict[str, Any]] = {
    A.NOTICE: {"data": {"missing": ["form"]}},
    A.PAY: {"data": {"amount_fen": 12345, "reference": "PAY-1"}},
    A.REFUSE: {"reason": "不属于受理范围"},
    A.REJECT: {"reason": "材料与事实不符"},
    A.WITHDRAW: {"reason": "申请人申请撤回"},
    A.ABANDON: {"reason": "逾期未补正"},
}
GRID = [(s, r) for s in CaseState for r in Role]


@pytest.mark.parametrize(("state", "role"), GRID)
def test_allowed_set_with_complete_materials(state: CaseState, role: Role) -> None:
    f = facts(state, complete=True)
    assert set(allowed_actions(f, actor="other", role=role, settings=SETTINGS)) == EXPECTED.get(
        (state, role), set()
    )


@pytest.mark.parametrize(("state", "role"), GRID)
def test_allowed_set_with_incomplete_materials(state: CaseState, role: Role) -> None:
    expected = set(EXPECTED.get((state, role), set()))
    if A.ACCEPT in expected:
        expected = expected - {A.ACCEPT} | {A.NOTICE}
    f = facts(state, complete=False)
    assert set(allowed_actions(f, actor="other", role=role, settings=SETTINGS)) == expected


STATE_ACTIONS = [
    a for a in Action if a not in {A.RATE, A.REVEAL, A.PRINT, A.FOLLOW_UP, A.OVERRIDE, A.RECOMPUTE}
]


@pytest.mark.parametrize(("state", "role"), GRID)
@pytest.mark.parametrize("complete", [True, False])
@pytest.mark.parametrize("action", STATE_ACTIONS)
def test_decide_succeeds_exactly_for_the_allowed_actions(
    state: CaseState, role: Role, complete: bool, action: Action
) -> None:
    f = facts(state, complete=complete)
    allowed = allowed_actions(f, actor="other", role=role, settings=SETTINGS)
    if action in allowed:
        events = run(f, action, actor="other", role=role, **GOOD_INPUT.get(action, {}))
        assert events[0].from_state == state
        assert events[-1].action in (action, A.CLOSE)
    else:
        with pytest.raises(WorkflowError):
            run(f, action, actor="other", role=role, **GOOD_INPUT.get(action, {}))


def test_allowed_actions_come_in_action_order() -> None:
    f = facts(S.ACCEPTED)
    assert allowed_actions(f, actor="other", role=R.ADMIN, settings=SETTINGS) == [
        A.APPROVE,
        A.REJECT,
        A.WITHDRAW,
    ]


@pytest.mark.parametrize(
    ("state", "said"),
    [
        (CaseState.CLOSED, "该件已办结，"),
        (CaseState.WITHDRAWN, "该件已撤回，"),
        (CaseState.REFUSED, "该件已不予受理，"),
        (CaseState.REJECTED, "该件已审核不通过，"),
        (CaseState.ABANDONED, "该件已逾期未补正，"),
    ],
)
def test_final_states_refuse_with_a_message_naming_the_state(state: CaseState, said: str) -> None:
    assert state.is_final
    with pytest.raises(WorkflowError) as refused:
        run(facts(state), A.WITHDRAW, role=R.ADMIN, reason="x")
    assert str(refused.value).startswith(said)


def test_every_final_state_is_named_in_the_refusals() -> None:
    assert {s for s in CaseState if s.is_final} == {
        CaseState.CLOSED,
        CaseState.WITHDRAWN,
        CaseState.REFUSED,
        CaseState.REJECTED,
        CaseState.ABANDONED,
    }


def test_wrong_state_message_says_where_it_is_possible() -> None:
    with pytest.raises(WorkflowError) as exc:
        run(facts(S.AWAITING_SUPPLEMENT), A.ACCEPT)
    assert (
        str(exc.value)
        == "该件当前为“待补正”，不能受理。只有收件环节的办件可以受理；待补正的办件请先登记补正材料。"
    )


def test_wrong_role_message_says_who_may() -> None:
    with pytest.raises(WorkflowError) as exc:
        run(facts(S.ACCEPTED), A.APPROVE, role=R.CLERK, actor="other")
    assert str(exc.value) == "窗口经办人员不能审核通过，请由审核人员或主管办理。"


def test_finance_cannot_accept() -> None:
    with pytest.raises(WorkflowError, match="财务（拨付）人员不能受理"):
        run(facts(S.DRAFT), A.ACCEPT, role=R.FINANCE)


def test_supervisor_cannot_pay() -> None:
    with pytest.raises(WorkflowError, match="请由财务（拨付）人员办理"):
        run(
            facts(S.AWAITING_PAYMENT),
            A.PAY,
            role=R.SUPERVISOR,
            data={"amount_fen": 1, "reference": "R"},
        )


# ------------------------------------------------------------------ event sequences


def test_receive_opens_a_draft() -> None:
    event = receive("case-1", PAYING_ITEM, Channel.ONLINE, actor="clerk1", role=R.CLERK, at=AT)
    assert event == ev(A.RECEIVE, None, S.DRAFT, data={"item_no": 1, "channel": "online"})


@pytest.mark.parametrize("role", [R.REVIEWER, R.FINANCE])
def test_only_window_roles_receive(role: Role) -> None:
    with pytest.raises(WorkflowError, match="不能收件"):
        receive("case-1", PAYING_ITEM, Channel.ON_SITE, actor="u", role=role, at=AT)


def test_accept_of_a_time_limited_item_waits_for_review() -> None:
    assert run(facts(S.DRAFT, WORKING), A.ACCEPT) == [ev(A.ACCEPT, S.DRAFT, S.ACCEPTED)]


def test_instant_item_closes_in_one_action() -> None:
    assert run(facts(S.DRAFT, INSTANT_ITEM), A.ACCEPT) == [
        ev(A.ACCEPT, S.DRAFT, S.ACCEPTED),
        ev(A.APPROVE, S.ACCEPTED, S.ACCEPTED, data={"auto": True}),
        ev(A.CLOSE, S.ACCEPTED, S.CLOSED, data={"auto": True}),
    ]


def test_query_skips_review() -> None:
    assert run(facts(S.DRAFT, QUERY_ITEM), A.ACCEPT) == [
        ev(A.ACCEPT, S.DRAFT, S.ACCEPTED),
        ev(A.CLOSE, S.ACCEPTED, S.CLOSED, data={"auto": True}),
    ]


def test_item_instant_on_site_closes_at_the_window() -> None:
    assert run(facts(S.DRAFT, SPLIT, channel=Channel.ON_SITE), A.ACCEPT)[-1].to_state == S.CLOSED


def test_item_with_an_online_limit_waits_for_review_online() -> None:
    assert run(facts(S.DRAFT, SPLIT, channel=Channel.ONLINE), A.ACCEPT) == [
        ev(A.ACCEPT, S.DRAFT, S.ACCEPTED)
    ]


def test_accept_reason_is_kept_on_the_accept_event_only() -> None:
    events = run(facts(S.DRAFT, INSTANT_ITEM), A.ACCEPT, reason=" 当场办结 ")
    assert [e.reason for e in events] == ["当场办结", "", ""]


def test_approval_of_a_non_paying_item_closes_it() -> None:
    events = run(facts(S.ACCEPTED, WORKING), A.APPROVE, actor="rev1", role=R.REVIEWER)
    assert events == [
        ev(A.APPROVE, S.ACCEPTED, S.ACCEPTED, actor="rev1"),
        ev(A.CLOSE, S.ACCEPTED, S.CLOSED, data={"auto": True}, actor="rev1"),
    ]


def test_approval_of_a_paying_item_waits_for_payment() -> None:
    events = run(facts(S.ACCEPTED, PAYING_ITEM), A.APPROVE, actor="rev1", role=R.REVIEWER)
    assert events == [ev(A.APPROVE, S.ACCEPTED, S.AWAITING_PAYMENT, actor="rev1")]


def test_payment_closes_the_case() -> None:
    events = run(
        facts(S.AWAITING_PAYMENT),
        A.PAY,
        actor="fin1",
        role=R.FINANCE,
        data={"amount_fen": 12345, "reference": " BANK-0001 "},
    )
    assert events == [
        ev(
            A.PAY,
            S.AWAITING_PAYMENT,
            S.AWAITING_PAYMENT,
            data={"amount_fen": 12345, "reference": "BANK-0001"},
            actor="fin1",
        ),
        ev(A.CLOSE, S.AWAITING_PAYMENT, S.CLOSED, data={"auto": True}, actor="fin1"),
    ]


def test_instant_paying_item_still_waits_for_finance() -> None:
    item = make_item(PAYING, INSTANT)
    assert run(facts(S.DRAFT, item), A.ACCEPT) == [
        ev(A.ACCEPT, S.DRAFT, S.ACCEPTED),
        ev(A.APPROVE, S.ACCEPTED, S.AWAITING_PAYMENT, data={"auto": True}),
    ]


def test_paying_item_without_review_goes_straight_to_payment() -> None:
    item = make_item(("申请", "受理", "拨付", "办结"))
    assert run(facts(S.DRAFT, item), A.ACCEPT) == [ev(A.ACCEPT, S.DRAFT, S.AWAITING_PAYMENT)]


def test_supplement_returns_to_draft() -> None:
    assert run(facts(S.AWAITING_SUPPLEMENT), A.SUPPLEMENT) == [
        ev(A.SUPPLEMENT, S.AWAITING_SUPPLEMENT, S.DRAFT)
    ]


@pytest.mark.parametrize(
    ("state", "action", "role", "target"),
    [
        (S.DRAFT, A.REFUSE, R.CLERK, S.REFUSED),
        (S.ACCEPTED, A.REJECT, R.REVIEWER, S.REJECTED),
        (S.DRAFT, A.WITHDRAW, R.CLERK, S.WITHDRAWN),
        (S.AWAITING_SUPPLEMENT, A.WITHDRAW, R.CLERK, S.WITHDRAWN),
        (S.ACCEPTED, A.WITHDRAW, R.CLERK, S.WITHDRAWN),
        (S.AWAITING_SUPPLEMENT, A.ABANDON, R.CLERK, S.ABANDONED),
    ],
)
def test_ending_with_a_reason(
    state: CaseState, action: Action, role: Role, target: CaseState
) -> None:
    events = run(facts(state), action, actor="u2", role=role, reason="  申请人书面申请  ")
    assert events == [ev(action, state, target, reason="申请人书面申请", actor="u2")]


@pytest.mark.parametrize(
    ("state", "action", "role", "hint"),
    [
        (S.DRAFT, A.REFUSE, R.CLERK, "请填写不予受理的具体理由"),
        (S.ACCEPTED, A.REJECT, R.REVIEWER, "请填写审核不通过的原因"),
        (S.DRAFT, A.WITHDRAW, R.CLERK, "请填写撤回的原因"),
        (S.AWAITING_SUPPLEMENT, A.ABANDON, R.CLERK, "请填写终止的原因"),
    ],
)
@pytest.mark.parametrize("reason", ["", "  \n"])
def test_reason_is_required(
    state: CaseState, action: Action, role: Role, hint: str, reason: str
) -> None:
    with pytest.raises(WorkflowError, match=hint):
        run(facts(state), action, actor="u2", role=role, reason=reason)


def test_close_is_never_a_separate_action() -> None:
    with pytest.raises(WorkflowError, match="办结无需单独操作"):
        run(facts(S.ACCEPTED), A.CLOSE, role=R.ADMIN)


def test_receive_is_not_a_decision() -> None:
    with pytest.raises(WorkflowError, match="不能再次收件"):
        run(facts(S.DRAFT), A.RECEIVE)


def test_records_are_not_decisions() -> None:
    with pytest.raises(WorkflowError, match="应作为记录登记"):
        run(facts(S.DRAFT), A.RATE, data={"level": "5"})


def test_naive_time_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        decide(
            facts(),
            A.ACCEPT,
            actor="clerk1",
            role=R.CLERK,
            at=datetime(2026, 3, 2),
            settings=SETTINGS,
        )


def test_unexpected_data_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="unexpected data"):
        run(facts(), A.ACCEPT, data={"name": "张三"})


def test_decide_does_not_keep_the_callers_data() -> None:
    data: dict[str, Any] = {"amount_fen": 100, "reference": "R"}
    events = run(facts(S.AWAITING_PAYMENT), A.PAY, role=R.FINANCE, data=data)
    data["amount_fen"] = 1
    assert events[0].data["amount_fen"] == 100


# ------------------------------------------------------------------ guards


def test_accept_needs_complete_materials() -> None:
    with pytest.raises(WorkflowError, match="材料尚未齐全"):
        run(facts(S.DRAFT, complete=False), A.ACCEPT)


def test_reviewer_must_differ_from_the_accepter() -> None:
    f = facts(S.ACCEPTED, WORKING, accepted_by="sup1")
    with pytest.raises(WorkflowError, match="受理与审核分离"):
        run(f, A.APPROVE, actor="sup1", role=R.SUPERVISOR)


def test_reject_also_needs_another_reviewer() -> None:
    f = facts(S.ACCEPTED, WORKING, accepted_by="sup1")
    with pytest.raises(WorkflowError, match="受理与审核分离"):
        run(f, A.REJECT, actor="sup1", role=R.SUPERVISOR, reason="不符")


def test_accepter_is_not_offered_review() -> None:
    f = facts(S.ACCEPTED, WORKING, accepted_by="sup1")
    assert allowed_actions(f, actor="sup1", role=R.SUPERVISOR, settings=SETTINGS) == [A.WITHDRAW]


def test_accepter_may_review_when_the_office_allows_it() -> None:
    f = facts(S.ACCEPTED, WORKING, accepted_by="sup1")
    settings = OfficeSettings(reviewer_must_differ=False)
    assert (
        run(f, A.APPROVE, actor="sup1", role=R.SUPERVISOR, settings=settings)[-1].to_state
        == S.CLOSED
    )


def test_instant_items_are_exempt_from_separate_review() -> None:
    f = facts(S.ACCEPTED, INSTANT_ITEM, accepted_by="sup1")
    assert run(f, A.APPROVE, actor="sup1", role=R.SUPERVISOR)[-1].to_state == S.CLOSED


def test_online_case_of_a_split_item_is_not_exempt() -> None:
    f = facts(S.ACCEPTED, SPLIT, channel=Channel.ONLINE, accepted_by="sup1")
    with pytest.raises(WorkflowError, match="受理与审核分离"):
        run(f, A.APPROVE, actor="sup1", role=R.SUPERVISOR)


def test_item_without_review_cannot_be_approved() -> None:
    with pytest.raises(WorkflowError, match="没有审核环节"):
        run(facts(S.ACCEPTED, QUERY_ITEM), A.APPROVE, actor="rev1", role=R.REVIEWER)


def test_item_without_payment_cannot_be_paid() -> None:
    with pytest.raises(WorkflowError, match="没有拨付环节"):
        run(
            facts(S.AWAITING_PAYMENT, WORKING),
            A.PAY,
            role=R.FINANCE,
            data={"amount_fen": 1, "reference": "R"},
        )


@pytest.mark.parametrize("amount", [0, -1, True, "100", 1.5, None])
def test_payment_amount_must_be_positive_fen(amount: object) -> None:
    with pytest.raises(WorkflowError, match="请填写拨付金额"):
        run(
            facts(S.AWAITING_PAYMENT),
            A.PAY,
            role=R.FINANCE,
            data={"amount_fen": amount, "reference": "R"},
        )


@pytest.mark.parametrize(
    "data",
    [{"amount_fen": 1}, {"amount_fen": 1, "reference": "  "}, {"amount_fen": 1, "reference": 7}],
)
def test_payment_needs_a_reference(data: dict[str, Any]) -> None:
    with pytest.raises(WorkflowError, match="请填写拨付凭证号"):
        run(facts(S.AWAITING_PAYMENT), A.PAY, role=R.FINANCE, data=data)


def test_payment_without_data_asks_for_the_amount() -> None:
    with pytest.raises(WorkflowError, match="请填写拨付金额"):
        run(facts(S.AWAITING_PAYMENT), A.PAY, role=R.FINANCE)


# ------------------------------------------------------------------ notices


def test_first_notice() -> None:
    events = run(
        facts(S.DRAFT, complete=False), A.NOTICE, data={"missing": ["form", "copy", "form"]}
    )
    assert events == [
        ev(A.NOTICE, S.DRAFT, S.AWAITING_SUPPLEMENT, data={"missing": ["copy", "form"]})
    ]


def test_notice_needs_at_least_one_material() -> None:
    with pytest.raises(WorkflowError, match="请列出需要补正的材料"):
        run(facts(S.DRAFT, complete=False), A.NOTICE, data={"missing": []})


def test_notice_when_complete_is_refused() -> None:
    with pytest.raises(WorkflowError, match="材料已齐全"):
        run(facts(S.DRAFT, complete=True), A.NOTICE, data={"missing": ["form"]})


def test_later_notice_repeating_named_materials() -> None:
    f = facts(S.DRAFT, complete=False, noticed_ids=(frozenset({"form", "copy"}),))
    assert run(f, A.NOTICE, data={"missing": ["copy"]}) == [
        ev(A.NOTICE, S.DRAFT, S.AWAITING_SUPPLEMENT, data={"missing": ["copy"]})
    ]


def test_later_notice_adding_a_material_is_refused_by_name() -> None:
    f = facts(S.DRAFT, complete=False, noticed_ids=(frozenset({"form"}),))
    with pytest.raises(WorkflowError, match="首次告知未列明“身份证件复印件”"):
        run(f, A.NOTICE, data={"missing": ["form", "copy"]})


def test_clerk_reason_does_not_override() -> None:
    f = facts(S.DRAFT, complete=False, noticed_ids=(frozenset({"form"}),))
    with pytest.raises(WorkflowError, match="须由主管或系统管理员批准"):
        run(f, A.NOTICE, reason="忘记了", data={"missing": ["copy"]})


def test_supervisor_notice_with_reason_records_the_override_first() -> None:
    f = facts(S.DRAFT, complete=False, noticed_ids=(frozenset({"form"}),))
    events = run(
        f,
        A.NOTICE,
        actor="sup1",
        role=R.SUPERVISOR,
        reason="新政策要求",
        data={"missing": ["form", "copy"]},
    )
    assert events == [
        ev(
            A.OVERRIDE,
            S.DRAFT,
            S.DRAFT,
            reason="新政策要求",
            data={"missing": ["copy"]},
            actor="sup1",
        ),
        ev(
            A.NOTICE,
            S.DRAFT,
            S.AWAITING_SUPPLEMENT,
            reason="新政策要求",
            data={"missing": ["copy", "form"]},
            actor="sup1",
        ),
    ]


def test_supervisor_approval_lets_the_clerk_notice() -> None:
    f = facts(
        S.DRAFT,
        complete=False,
        noticed_ids=(frozenset({"form"}),),
        approved_ids=frozenset({"copy"}),
    )
    assert run(f, A.NOTICE, data={"missing": ["copy"]}) == [
        ev(A.NOTICE, S.DRAFT, S.AWAITING_SUPPLEMENT, data={"missing": ["copy"]})
    ]


# ------------------------------------------------------------------ records


def rec(
    f: CaseFacts, action: Action, *, actor: str = "clerk1", role: Role = R.CLERK, **kw: Any
) -> Event:
    return record(f, action, actor=actor, role=role, at=AT, settings=SETTINGS, **kw)


@pytest.mark.parametrize("state", list(CaseState))
def test_rating_keeps_the_state(state: CaseState) -> None:
    assert rec(facts(state), A.RATE, data={"level": "4"}) == ev(
        A.RATE, state, state, data={"level": "4"}
    )


def test_one_rating_per_case() -> None:
    with pytest.raises(WorkflowError, match="每件只能评价一次"):
        rec(facts(S.CLOSED, rating=Rating.SATISFIED), A.RATE, data={"level": "5"})


@pytest.mark.parametrize("level", ["0", "6", 5, "", None, "非常满意"])
def test_rating_level_must_be_1_to_5(level: object) -> None:
    with pytest.raises(WorkflowError, match="请选择评价等级"):
        rec(facts(S.CLOSED), A.RATE, data={"level": level})


def test_follow_up_after_a_bad_rating() -> None:
    f = facts(S.CLOSED, rating=Rating.VERY_UNSATISFIED)
    assert rec(f, A.FOLLOW_UP, actor="sup1", role=R.SUPERVISOR, reason=" 已电话回访 ") == ev(
        A.FOLLOW_UP, S.CLOSED, S.CLOSED, reason="已电话回访", actor="sup1"
    )


@pytest.mark.parametrize("rating", [None, Rating.BASIC, Rating.VERY_SATISFIED])
def test_no_follow_up_without_a_bad_rating(rating: Rating | None) -> None:
    with pytest.raises(WorkflowError, match="需要回访"):
        rec(facts(S.CLOSED, rating=rating), A.FOLLOW_UP, role=R.SUPERVISOR, reason="回访")


def test_follow_up_needs_a_reason() -> None:
    with pytest.raises(WorkflowError, match="请填写回访情况"):
        rec(facts(S.CLOSED, rating=Rating.UNSATISFIED), A.FOLLOW_UP, role=R.SUPERVISOR)


def test_clerk_does_not_follow_up() -> None:
    with pytest.raises(WorkflowError, match="请由主管办理"):
        rec(facts(S.CLOSED, rating=Rating.UNSATISFIED), A.FOLLOW_UP, reason="回访")


@pytest.mark.parametrize("role", list(Role))
def test_anyone_may_reveal_and_it_is_recorded(role: Role) -> None:
    assert rec(facts(S.ACCEPTED), A.REVEAL, role=role, data={"field": "id_number"}) == ev(
        A.REVEAL, S.ACCEPTED, S.ACCEPTED, data={"field": "id_number"}
    )


def test_reveal_names_the_field() -> None:
    with pytest.raises(WorkflowError, match="请选择要查看"):
        rec(facts(), A.REVEAL, data={})


def test_print_names_the_document() -> None:
    assert rec(facts(S.REFUSED), A.PRINT, data={"document": "doc-1"}) == ev(
        A.PRINT, S.REFUSED, S.REFUSED, data={"document": "doc-1"}
    )


def test_print_without_a_document_is_refused() -> None:
    with pytest.raises(WorkflowError, match="请选择要打印的文书"):
        rec(facts(), A.PRINT)


def test_override_records_only_the_new_materials() -> None:
    f = facts(S.AWAITING_SUPPLEMENT, noticed_ids=(frozenset({"form"}),))
    event = rec(
        f,
        A.OVERRIDE,
        actor="sup1",
        role=R.SUPERVISOR,
        reason="新政策",
        data={"missing": ["form", "copy"]},
    )
    assert event == ev(
        A.OVERRIDE,
        S.AWAITING_SUPPLEMENT,
        S.AWAITING_SUPPLEMENT,
        "新政策",
        {"missing": ["copy"]},
        "sup1",
    )


def test_override_before_any_notice_is_pointless() -> None:
    with pytest.raises(WorkflowError, match="尚未发出一次性告知"):
        rec(facts(S.DRAFT), A.OVERRIDE, role=R.SUPERVISOR, reason="x", data={"missing": ["copy"]})


def test_override_of_already_named_materials_is_pointless() -> None:
    f = facts(S.DRAFT, noticed_ids=(frozenset({"form"}),))
    with pytest.raises(WorkflowError, match="均已列明"):
        rec(f, A.OVERRIDE, role=R.SUPERVISOR, reason="x", data={"missing": ["form"]})


def test_clerk_cannot_override() -> None:
    f = facts(S.DRAFT, noticed_ids=(frozenset({"form"}),))
    with pytest.raises(WorkflowError, match="窗口经办人员不能批准补充告知新材料，请由主管办理"):
        rec(f, A.OVERRIDE, reason="x", data={"missing": ["copy"]})


def test_override_needs_a_reason() -> None:
    f = facts(S.DRAFT, noticed_ids=(frozenset({"form"}),))
    with pytest.raises(WorkflowError, match="请填写批准补充告知的理由"):
        rec(f, A.OVERRIDE, role=R.SUPERVISOR, data={"missing": ["copy"]})


def test_override_not_after_acceptance() -> None:
    f = facts(S.ACCEPTED, noticed_ids=(frozenset({"form"}),))
    with pytest.raises(WorkflowError, match="该件当前为“已受理”"):
        rec(f, A.OVERRIDE, role=R.SUPERVISOR, reason="x", data={"missing": ["copy"]})


def test_recompute_while_the_limit_runs() -> None:
    data = {"due": "2027-01-05", "provisional": False}
    assert rec(facts(S.ACCEPTED), A.RECOMPUTE, role=R.ADMIN, data=data) == ev(
        A.RECOMPUTE, S.ACCEPTED, S.ACCEPTED, data=data
    )


def test_state_actions_are_not_records() -> None:
    with pytest.raises(WorkflowError, match="不能作为记录登记"):
        rec(facts(), A.ACCEPT)


def test_allowed_records_for_a_clerk_on_a_closed_case() -> None:
    assert allowed_records(facts(S.CLOSED), role=R.CLERK) == [A.RATE, A.REVEAL, A.PRINT]


def test_allowed_records_for_a_supervisor_after_a_bad_rating() -> None:
    f = facts(S.CLOSED, rating=Rating.UNSATISFIED)
    assert allowed_records(f, role=R.SUPERVISOR) == [A.REVEAL, A.PRINT, A.FOLLOW_UP]


# ------------------------------------------------------------------ random walks


STEP = st.tuples(
    st.sampled_from(STATE_ACTIONS), st.sampled_from(list(Role)), st.sampled_from(["u1", "u2"])
)
ITEMS = [WORKING, PAYING_ITEM, INSTANT_ITEM, QUERY_ITEM, SPLIT]


@given(
    st.sampled_from(ITEMS),
    st.sampled_from(list(Channel)),
    st.lists(STEP, max_size=12),
    st.booleans(),
)
def test_random_walks_keep_a_continuous_event_chain(
    item: Item, channel: Channel, steps: list[tuple[Action, Role, str]], complete: bool
) -> None:
    f = facts(S.DRAFT, item, channel=channel, complete=complete, accepted_by=None)
    at = AT
    for action, role, actor in steps:
        allowed = allowed_actions(f, actor=actor, role=role, settings=SETTINGS)
        try:
            events = decide(
                f,
                action,
                actor=actor,
                role=role,
                at=at,
                settings=SETTINGS,
                **GOOD_INPUT.get(action, {}),
            )
        except WorkflowError:
            assert action not in allowed
            continue
        assert action in allowed
        assert not f.state.is_final
        assert events[0].from_state == f.state
        for a, b in zip(events, events[1:], strict=False):
            assert a.to_state == b.from_state
        assert all(e.actor == actor and e.at == at for e in events)
        changes: dict[str, Any] = {"state": events[-1].to_state}
        if action is A.ACCEPT:
            changes["accepted_by"] = actor
        if action is A.NOTICE:
            changes["noticed_ids"] = (*f.noticed_ids, frozenset(events[-1].data["missing"]))
        f = dataclasses.replace(f, **changes)
        at += timedelta(minutes=1)


# ------------------------------------------------------------------ the real catalogue


def test_item_9_closes_at_the_window() -> None:
    item = default_catalog().item(9)
    events = run(facts(S.DRAFT, item), A.ACCEPT)
    assert [(e.action, e.to_state) for e in events] == [
        (A.ACCEPT, S.ACCEPTED),
        (A.APPROVE, S.ACCEPTED),
        (A.CLOSE, S.CLOSED),
    ]


def test_item_17_query_closes_without_review() -> None:
    events = run(facts(S.DRAFT, default_catalog().item(17)), A.ACCEPT)
    assert [e.action for e in events] == [A.ACCEPT, A.CLOSE]


def test_item_21_on_site_closes_at_the_window() -> None:
    events = run(facts(S.DRAFT, default_catalog().item(21), channel=Channel.ON_SITE), A.ACCEPT)
    assert events[-1].to_state == S.CLOSED


def test_item_21_online_waits_for_review() -> None:
    events = run(facts(S.DRAFT, default_catalog().item(21), channel=Channel.ONLINE), A.ACCEPT)
    assert events == [ev(A.ACCEPT, S.DRAFT, S.ACCEPTED)]


def test_item_31_passes_payment() -> None:
    item = default_catalog().item(31)
    approve = run(facts(S.ACCEPTED, item), A.APPROVE, actor="rev1", role=R.REVIEWER)
    assert [e.to_state for e in approve] == [S.AWAITING_PAYMENT]
    pay = run(
        facts(S.AWAITING_PAYMENT, item),
        A.PAY,
        role=R.FINANCE,
        data={"amount_fen": 50000, "reference": "P1"},
    )
    assert [(e.action, e.to_state) for e in pay] == [
        (A.PAY, S.AWAITING_PAYMENT),
        (A.CLOSE, S.CLOSED),
    ]


def test_every_catalogue_item_ends_closed_or_waiting_after_acceptance() -> None:
    for item in default_catalog().items:
        for channel in Channel:
            events = run(facts(S.DRAFT, item, channel=channel), A.ACCEPT)
            instant = item.time_limit.for_channel(channel == Channel.ONLINE).is_instant
            expected = S.CLOSED if (instant or not item.reviews) and not item.pays else S.ACCEPTED
            assert events[-1].to_state == expected, (item.no, channel)


# ------------------------------------------------------------------ ending a case nobody came back for


def test_abandon_is_refused_while_the_supplement_period_runs() -> None:
    f = facts(
        S.AWAITING_SUPPLEMENT,
        complete=False,
        supplement_due=date(2026, 12, 2),
        today=date(2026, 12, 2),
    )
    with pytest.raises(WorkflowError) as exc:
        run(f, A.ABANDON, reason="逾期未补正")
    assert str(exc.value) == (
        "补正期限到2026年12月2日，尚未届满，不能以逾期未补正终止。申请人要求不再办理的，请用撤回。"
    )
    assert A.ABANDON not in allowed_actions(f, actor="clerk1", role=R.CLERK, settings=SETTINGS)


def test_abandon_is_allowed_the_day_after_the_supplement_period() -> None:
    f = facts(
        S.AWAITING_SUPPLEMENT,
        complete=False,
        supplement_due=date(2026, 12, 2),
        today=date(2026, 12, 3),
    )
    assert [e.to_state for e in run(f, A.ABANDON, reason="逾期未补正")] == [S.ABANDONED]


def test_withdrawal_does_not_wait_for_the_supplement_period() -> None:
    f = facts(
        S.AWAITING_SUPPLEMENT,
        complete=False,
        supplement_due=date(2026, 12, 2),
        today=date(2026, 11, 3),
    )
    assert [e.to_state for e in run(f, A.WITHDRAW, reason="申请人书面申请撤回")] == [S.WITHDRAWN]
