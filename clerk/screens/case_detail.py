"""办件详情: the case (personal data masked), the deadline countdown, the timeline, the documents,
and the actions that apply now. F9 is always "the next step" of the case's flow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Header, Static

from clerk.domain.clock import TZ
from clerk.domain.common_reasons import common_reasons
from clerk.domain.materials import MaterialCheck
from clerk.domain.model import Action, CaseState, Channel, Rating
from clerk.domain.notice import deemed_accepted_text
from clerk.screens.choice import ChoiceScreen
from clerk.screens.deciding import DecidingScreen
from clerk.screens.payment import PaymentScreen
from clerk.screens.reason import ReasonScreen
from clerk.screens.textual_patches import SteadyFooter
from clerk.screens.widgets.plain import PlainStatic, PlainTable
from clerk.service.views import CaseView

if TYPE_CHECKING:
    from clerk.service.window import Window

REVEAL_FIELDS = (
    ("applicant_name", "申请人姓名"),
    ("id_number", "证件号码"),
    ("phone", "联系电话"),
    ("agent_id_number", "代理人证件号码"),
    ("bank_account", "银行账户"),
)
# action name -> (Action the service must allow, required state or None)
GATES: dict[str, tuple[Action | None, CaseState | None]] = {
    "materials": (None, CaseState.DRAFT),  # and a decision at the window left (MATERIAL_DECISIONS)
    "supplement": (Action.SUPPLEMENT, CaseState.AWAITING_SUPPLEMENT),
    "approve": (Action.APPROVE, None),
    "pay": (Action.PAY, None),
    "reject": (Action.REJECT, None),
    "withdraw": (Action.WITHDRAW, None),
    "abandon": (Action.ABANDON, None),
}
# What the materials screen decides: a draft with none of them left (a case a township handed on
# to the county, 收件转报) has nothing for F9 to open.
MATERIAL_DECISIONS = frozenset({Action.ACCEPT, Action.NOTICE, Action.REFUSE})
# Records (no state change) are not in CaseView.allowed yet; who may record them (clerk.domain.workflow.RECORDS).


RECORD_ACTIONS = {"rate": "rate", "follow_up": "follow_up", "reprint": "print"}


def record_allowed(action: str, view: CaseView) -> bool | None:
    """Whether a record action applies now (the service says so); None when it is not a record."""
    recorded = RECORD_ACTIONS.get(action)
    if recorded is None:
        return None
    return any(a == recorded for a in view.allowed)


def countdown_text(view: CaseView, today: Any) -> str:
    """The deadline line: due date and what is left, or why there is none yet."""
    d = view.deadline
    if d is None:
        if view.deemed_accepted:
            return deemed_accepted_text(view.received_at.astimezone(TZ).date())
        if view.state in (CaseState.DRAFT, CaseState.AWAITING_SUPPLEMENT):
            return "尚未受理，受理后开始计算办理时限。"
        return "无办理时限。"
    if d.kind == "instant":
        return "即时办结。"
    due = f"{d.due:%Y年%m月%d日}" + ("（暂定，节假日未公布）" if d.provisional else "")
    if view.state.is_final:
        return f"办结期限 {due}；本件状态：{view.state_label}。"
    left = view.remaining_working_days
    if left is None:
        return f"办结期限 {due}。"
    if left < 0:
        return f"已逾期 {-left} 个工作日（期限 {due}），请立即处理并报告主管。"
    if left == 0:
        return f"今天到期（{due}），请今日办结。"
    return f"剩余 {left} 个工作日，期限 {due}。"


def summary_text(view: CaseView) -> Text:
    text = Text()
    text.append(f"{view.case_no}　【{view.item.no}】{view.item.name}\n", style="bold")
    text.append(f"状态：{view.state_label}　渠道：{Channel(view.channel).label}\n")
    text.append(
        f"申请人：{view.applicant_name_masked}　证件：{view.applicant_id_masked}　电话：{view.phone_masked or '—'}\n"
    )
    if view.agent:
        text.append(f"委托代理人：{view.agent}\n")
    text.append(f"收件时间：{view.received_at:%Y-%m-%d %H:%M}")
    if view.accepted_at:
        text.append(f"　受理时间：{view.accepted_at:%Y-%m-%d %H:%M}")
    text.append("\n")
    if view.bank_account_masked and view.item.pays:
        text.append(f"收款账户：{view.bank_account_masked}\n")
    if view.amount_fen:
        text.append(f"拨付金额：{view.amount_fen / 100:.2f} 元\n")
    if view.rating is not None:
        text.append(f"评价：{view.rating.label}")
        if view.rating_comment:
            text.append(f"　意见：{view.rating_comment}")
        text.append("\n")
        if view.rating.is_bad:
            if view.follow_up:
                text.append(f"回访：{view.follow_up}\n")
            else:
                text.append(
                    "差评尚未回访：请联系申请人了解情况后按 h 记录回访。\n", style="bold red"
                )
    for label, reason in decision_reasons(view):
        text.append(f"{label}：{reason}\n")
    if view.missing and view.state in (CaseState.DRAFT, CaseState.AWAITING_SUPPLEMENT):
        text.append(
            "缺少/有误材料：" + "、".join(f"{m.name}（{why}）" for m, why in view.missing) + "\n"
        )
    text.append("个人信息已遮蔽；按 v 查看完整信息（会留痕）。", style="dim")
    return text


REASON_LABELS = {
    Action.REFUSE: "不予受理理由",
    Action.REJECT: "审核不通过理由",
    Action.APPROVE: "审核意见",
    Action.WITHDRAW: "撤回原因",
    Action.ABANDON: "终止原因",
}


def decision_reasons(view: CaseView) -> list[tuple[str, str]]:
    """The reasons of the case's decisions, in full (the event table has no room for them)."""
    return [
        (REASON_LABELS[e.action], e.reason)
        for e in view.events
        if e.action in REASON_LABELS and e.reason
    ]


class CaseDetailScreen(DecidingScreen):
    BINDINGS = [
        Binding("f9", "materials", "核验材料/受理", id="case.materials"),
        Binding("f9", "supplement", "补正交回", id="case.supplement"),
        Binding("f9", "approve", "审核通过", id="case.approve"),
        Binding("f9", "pay", "登记拨付", id="case.pay"),
        Binding("f7", "reject", "审核不通过", id="case.reject"),
        Binding("f8", "withdraw", "撤回", id="case.withdraw"),
        Binding("f6", "rate", "好差评", id="case.rate"),
        Binding("h", "follow_up", "差评回访", id="case.follow_up"),
        Binding("z", "abandon", "逾期未补正终止", id="case.abandon"),
        Binding("p", "print_latest", "打印", id="case.print"),
        Binding("g", "stage", "登记审核环节", id="case.stage"),
        Binding("k", "review_material", "评估材料", id="case.review_material"),
        Binding("r", "reprint", "重打文书", id="case.reprint"),
        Binding(
            "v", "reveal", "查看完整信息", id="case.reveal", show=False
        ),  # the panel says "按 v"
        Binding("escape", "close", "返回", id="case.close"),
    ]

    def __init__(self, window: Window, user: Any, case_uuid: str) -> None:
        super().__init__()
        self.window = window
        self.user = user
        self.view = window.case(case_uuid, user)
        self.sub_title = f"办件详情　{self.view.case_no}"

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="detail-body"):
            yield PlainStatic(id="detail-summary", classes="panel")
            yield PlainStatic(id="detail-deadline")
            with Horizontal():
                with Vertical(id="detail-left"):
                    yield PlainStatic("办理过程", classes="hint")
                    yield PlainTable(id="detail-events", cursor_type="row")
                    yield PlainStatic("", id="detail-event-reason", classes="hint")
                with Vertical(id="detail-right"):
                    yield PlainStatic("文书", classes="hint")
                    yield PlainTable(id="detail-documents", cursor_type="row")
        yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#detail-events", DataTable).add_columns("时间", "环节", "经办人", "理由")
        self.query_one("#detail-documents", DataTable).add_columns("文书", "文号", "出具时间")
        self._paint()

    def on_screen_resume(self) -> None:
        if not self.busy:  # a decision in flight repaints the screen when it is stored
            self.reload()

    def reload(self) -> None:
        self.view = self.window.case(self.view.uuid, self.user)
        self._paint()

    def _paint(self) -> None:
        view = self.view
        self.query_one("#detail-summary", Static).update(summary_text(view))
        deadline = self.query_one("#detail-deadline", Static)
        deadline.update(countdown_text(view, self.window.today()))
        deadline.set_class(view.overdue or view.deemed_accepted, "overdue")
        events = self.query_one("#detail-events", DataTable)
        events.clear()
        for e in view.events:
            events.add_row(f"{e.at:%m-%d %H:%M}", e.action_label, e.actor, e.reason)
        self._show_event_reason()
        docs = self.query_one("#detail-documents", DataTable)
        docs.clear()
        for d in view.documents:
            docs.add_row(d.kind_label, d.doc_no, f"{d.issued_at:%m-%d %H:%M}", key=d.uuid)
        self.refresh_bindings()

    @on(DataTable.RowHighlighted, "#detail-events")
    def _show_event_reason(self) -> None:
        """The highlighted step's reason in full, under the table."""
        row = self.query_one("#detail-events", DataTable).cursor_row
        events = self.view.events
        reason = events[row].reason if 0 <= row < len(events) else ""
        self.query_one("#detail-event-reason", Static).update(f"理由：{reason}" if reason else "")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.busy:
            return False  # a decision is being saved: no second one
        if action in ("stage", "review_material"):
            # items 36-37 under review (the service checks the role and the stage itself)
            item = self.view.item
            wanted = (
                item.review_stages
                if action == "stage"
                else [m for m in item.materials if m.stage == "review"]
            )
            return self.view.state == CaseState.ACCEPTED and bool(wanted)
        record = record_allowed(action, self.view)
        if record is not None:
            return record
        gate = GATES.get(action)
        if gate is None:
            return True
        needed, state = gate
        if state is not None and self.view.state != state:
            return False
        if action == "materials":
            return bool(MATERIAL_DECISIONS & set(self.view.allowed))
        return needed is None or needed in self.view.allowed

    # ------------------------------------------------------------------ actions

    def _run(self, call: Any, done: str) -> None:
        """The service call `call()` in the decision worker; its new view shown, `done` said."""

        def decided(view: CaseView) -> None:
            self.view = view
            self.notify(done)
            self._paint()

        self.decide(call, decided)

    def _reason_then(
        self, title: str, prompt: str, then: Any, action: Action | None = None
    ) -> None:
        common = common_reasons(action) if action else ()
        self.app.push_screen(
            ReasonScreen(title, prompt, common=common), lambda r: then(r) if r else None
        )

    def action_materials(self) -> None:
        from clerk.screens.materials import MaterialsScreen

        self.app.push_screen(MaterialsScreen(self.window, self.user, self.view))

    action_supplement = action_materials

    def action_approve(self) -> None:
        """A confirmation with the review opinion: Enter approves, Esc goes back."""

        def confirmed(opinion: str | None) -> None:
            if opinion is not None:
                self._run(
                    lambda: self.window.approve(
                        self.user,
                        self.view.uuid,
                        opinion=opinion,
                        expected_version=self.view.version,
                    ),
                    "审核通过。",
                )

        self.app.push_screen(
            ReasonScreen(
                f"审核通过：{self.view.case_no}",
                "确认材料和系统记录核对无误后按 Enter 审核通过（通过后不能撤销）；Esc 返回。",
                placeholder="审核意见（可不填），如：材料齐全，符合报销条件",
                optional=True,
            ),
            confirmed,
        )

    def action_reject(self) -> None:
        self._reason_then(
            "审核不通过",
            "写明不通过的理由和依据，将写入告知书。",
            lambda r: self._run(
                lambda: self.window.reject(
                    self.user, self.view.uuid, r, expected_version=self.view.version
                ),
                "已作出审核不通过决定，告知书已生成。",
            ),
            Action.REJECT,
        )

    def action_pay(self) -> None:
        def done(result: tuple[int, str] | None) -> None:
            if result:
                fen, ref = result
                self._run(
                    lambda: self.window.pay(
                        self.user, self.view.uuid, fen, ref, expected_version=self.view.version
                    ),
                    "拨付已登记，本件办结。",
                )

        self.app.push_screen(PaymentScreen(), done)

    def action_withdraw(self) -> None:
        self._reason_then(
            "撤回申请",
            "申请人撤回的原因（如：申请人主动撤回）。",
            lambda r: self._run(
                lambda: self.window.withdraw(self.user, self.view.uuid, r), "已撤回。"
            ),
            Action.WITHDRAW,
        )

    def action_abandon(self) -> None:
        self._reason_then(
            "逾期未补正，终止办理",
            "写明告知日期和逾期情况。",
            lambda r: self._run(
                lambda: self.window.abandon(self.user, self.view.uuid, r), "已终止办理。"
            ),
            Action.ABANDON,
        )

    def action_follow_up(self) -> None:
        self._reason_then(
            "差评回访",
            "记录回访情况和整改措施。",
            lambda r: self._run(
                lambda: self.window.follow_up(self.user, self.view.uuid, r), "回访已记录。"
            ),
        )

    def action_rate(self) -> None:
        levels = [Rating(str(n)) for n in range(1, 6)]

        def chosen(value: str | None) -> None:
            if value is None:
                return
            level = Rating(value)
            if level.is_bad:
                self._reason_then(
                    f"差评：{level.label}",
                    "请记录申请人不满意的原因（回访时使用）。",
                    lambda c: self._run(
                        lambda: self.window.rate(self.user, self.view.uuid, level, c),
                        "评价已记录。",
                    ),
                )
            else:
                self._run(
                    lambda: self.window.rate(self.user, self.view.uuid, level), "评价已记录。"
                )

        self.app.push_screen(
            ChoiceScreen(
                "申请人评价（好差评）",
                [(str(r), r.label) for r in levels],
                hint="请申请人按 1-5 选择：5 非常满意，1 非常不满意",
            ),
            chosen,
        )

    def action_reveal(self) -> None:
        def chosen(field: str | None) -> None:
            if field is None:
                return
            try:
                value = self.window.reveal(self.user, self.view.uuid, field)
            except ValueError as exc:
                self.notify(str(exc), severity="error")
                return
            label = dict(REVEAL_FIELDS)[field]
            self.notify(value or "（未填写）", title=f"{label}（已记录查看）", timeout=10)
            self.reload()

        self.app.push_screen(
            ChoiceScreen("查看完整个人信息（查看会记入办理过程）", list(REVEAL_FIELDS)), chosen
        )

    def action_reprint(self) -> None:
        docs = [(d.uuid, f"{d.kind_label}　{d.doc_no}") for d in self.view.documents]

        def reprinted(saved: Any) -> None:
            self.notify(f"已重新生成：{getattr(saved, 'path_pdf', '')}", title="重打文书")
            self.reload()

        def chosen(doc_uuid: str | None) -> None:
            if doc_uuid is None:
                return
            user, uuid = self.user, self.view.uuid
            self.decide(lambda: self.window.reprint(user, uuid, doc_uuid), reprinted)

        self.app.push_screen(ChoiceScreen("重打哪份文书？", docs), chosen)

    def action_stage(self) -> None:
        """G: record a review stage of items 36-37 (考察评估 ... 开通联网结算) as done today."""
        rows = self.window.review_stages(self.view.uuid)
        left = [(r.stage, r.stage) for r in rows if r.done_on is None]
        if not left:
            self.notify("各审核环节均已登记。")
            return
        done = (
            "；".join(f"{r.stage} 第{r.day_no}天" for r in rows if r.done_on is not None) or "尚无"
        )
        hint = f"已登记：{done}（时限{self.view.item.time_limit.describe()}）"

        def chosen(stage: str | None) -> None:
            if stage:
                self._run(
                    lambda: self.window.record_stage(self.user, self.view.uuid, stage),
                    f"已登记审核环节：{stage}。",
                )

        self.app.push_screen(ChoiceScreen("登记完成的审核环节", left, hint=hint), chosen)

    def action_review_material(self) -> None:
        """K: check a material item 36 lets the applicant hand in at the review (审核评估环节)."""
        later = [(m.id, m.name) for m in self.view.item.materials if m.stage == "review"]

        def chosen(material_id: str | None) -> None:
            if material_id:
                checks = {material_id: MaterialCheck(material_id, "ok", None)}
                self._run(
                    lambda: self.window.check_review_materials(self.user, self.view.uuid, checks),
                    "已登记审核评估环节收到的材料。",
                )

        self.app.push_screen(ChoiceScreen("审核评估环节收到的材料", later), chosen)

    def action_print_latest(self) -> None:
        """P: the latest document to the default printer (or the system viewer), recorded."""
        if not self.view.documents:
            self.notify("本件还没有文书可打印。", severity="warning")
            return
        latest = self.view.documents[-1]
        user, uuid = self.user, self.view.uuid

        def reprint_and_print() -> Any:
            from clerk.documents.printing import print_document

            saved = self.window.reprint(user, uuid, latest.uuid)
            return print_document(saved.path_pdf)

        def printed(result: Any) -> None:
            self.notify(
                result.message,
                title="打印",
                severity="error" if result.how == "failed" else "information",
            )
            self.reload()

        self.decide(reprint_and_print, printed)

    def action_close(self) -> None:
        self.dismiss(None)
