"""新建办件: the item, the applicant (checked as typed), the circumstances, on-site or online.

Pressing F10 opens the case (收件) and returns its UUID; the app then shows the materials checklist.

Keys a clerk saves on every visit: the ID type follows the applicant kind the item sets, so Tab
from the name goes straight to the ID number (Shift+Tab or the mouse still reach the ID type); a
complete, valid fixed-length number (居民身份证, 统一社会信用代码: 18 characters) moves on to the
phone by itself; an invalid one stays put with its message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Select, Static

from clerk.domain.catalog import Item
from clerk.domain.catalog_view import material_line
from clerk.domain.field_limits import AGENT_NAME_MAX, ID_NUMBER_MAX, NAME_MAX, PHONE_MAX
from clerk.domain.identifiers import ID_TYPE_LABELS, validate_id, validate_phone
from clerk.domain.model import APPLICANT_KIND_LABELS, CHANNEL_CHOICES, Applicant, Channel
from clerk.screens.choice import ChoiceScreen
from clerk.screens.discard import ConfirmDiscard
from clerk.screens.item_picker import ItemPickerScreen
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.plain import PlainStatic
from clerk.screens.widgets.question_box import QuestionBox

if TYPE_CHECKING:
    from clerk.service.views import PriorCase
    from clerk.service.window import Window

KIND_LABELS = APPLICANT_KIND_LABELS
CHANNEL_LABELS = CHANNEL_CHOICES
PROXY = "proxy"
GO_ON = "go_on"


# ID types whose number has one fixed length: once it is complete and valid, focus moves on.
FIXED_LENGTH_IDS = {"resident_id": 18, "credit_code": 18}


def _row(label: str, widget: Any) -> Horizontal:
    return Horizontal(Label(label, classes="field-label"), widget, classes="field-row")


class NewCaseScreen(ConfirmDiscard, GuardedScreen, Screen[str | None]):
    BINDINGS = [
        Binding("f6", "pick_item", "更换事项", id="new_case.item"),
        Binding("f10", "submit", "收件并核验材料", id="new_case.submit"),
        Binding("escape", "cancel", "放弃", id="new_case.cancel"),
    ]

    def __init__(self, window: Window, user: Any, *, item_no: int | None = None) -> None:
        super().__init__()
        self.window = window
        self.user = user
        self.item: Item | None = window.catalog.item(item_no) if item_no else None
        self.sub_title = "新建办件"
        # (item, ID type, number, name) whose earlier cases the clerk has seen and gone on past
        self.prior_seen: tuple[object, ...] | None = None

    def compose(self) -> ComposeResult:
        id_types = [(label, code) for code, label in ID_TYPE_LABELS.items()]
        yield Header()
        with Horizontal(id="newcase-body"):
            with VerticalScroll(id="newcase-form"):
                yield PlainStatic("", id="newcase-item", classes="dialog-title")
                yield _row(
                    "申请人类型",
                    Select([(v, k) for k, v in KIND_LABELS.items()], allow_blank=False, id="kind"),
                )
                yield _row(
                    "姓名/单位名称",
                    Input(placeholder="申请人姓名或单位全称", max_length=NAME_MAX, id="name"),
                )
                yield _row("证件类型", Select(id_types, allow_blank=False, id="id-type"))
                yield _row(
                    "证件号码",
                    Input(placeholder="边输边校验", max_length=ID_NUMBER_MAX, id="id-number"),
                )
                yield PlainStatic("", id="id-number-message", classes="field-message")
                yield _row(
                    "联系电话",
                    Input(placeholder="手机或固定电话", max_length=PHONE_MAX, id="phone"),
                )
                yield PlainStatic("", id="phone-message", classes="field-message")
                with Vertical(id="bank-fields"):
                    yield _row(
                        "收款账户",
                        Input(
                            placeholder="待遇拨付到的银行卡号（输入时隐藏）",
                            password=True,
                            id="bank-account",
                        ),
                    )
                    yield PlainStatic("", id="bank-account-message", classes="field-message")
                yield _row(
                    "办理渠道",
                    Select(
                        [(v, str(k)) for k, v in CHANNEL_LABELS.items()],
                        allow_blank=False,
                        id="channel",
                    ),
                )
                yield PlainStatic("申请情形（空格勾选；勾选后右侧材料随之增减）", classes="hint")
                # One box per question, each wrapped to its full text (QuestionBox says why).
                yield Vertical(id="circumstances")
                with Vertical(id="agent-fields"):
                    yield _row(
                        "代理人姓名",
                        Input(
                            placeholder="受委托人姓名", max_length=AGENT_NAME_MAX, id="agent-name"
                        ),
                    )
                    yield _row("代理人证件号", Input(placeholder="居民身份证号码", id="agent-id"))
                    yield PlainStatic("", id="agent-id-message", classes="field-message")
                yield PlainStatic("", id="newcase-message", classes="error")
            with VerticalScroll(id="newcase-materials", classes="panel"):
                yield PlainStatic(id="newcase-materials-text")
        yield SteadyFooter()

    def on_mount(self) -> None:
        if self.item is None:
            self.action_pick_item()
        else:
            self._item_chosen(self.item.no)

    # ------------------------------------------------------------------ item

    def action_pick_item(self) -> None:
        self.app.push_screen(
            ItemPickerScreen(self.window.catalog, self.window.item_choices(), self.window.finder),
            self._item_chosen,
        )

    def _item_chosen(self, item_no: int | None) -> None:
        if item_no is None:
            if self.item is None:
                self.dismiss(None)
            return
        self.item = self.window.catalog.item(item_no)
        item = self.item
        self.query_one("#newcase-item", Static).update(
            Text(f"【{item.no}】{item.name}　办理时限：{item.time_limit.describe()}")
        )
        kind = "person" if item.applicant_kind == "person" else item.applicant_kind
        self.query_one("#kind", Select).value = kind
        self._set_id_type_for(kind)
        circumstances = self.query_one("#circumstances", Vertical)
        circumstances.remove_children()
        circumstances.mount_all(
            QuestionBox(condition.question, condition.code, classes="circumstance")
            for condition in self.window.conditions_for(item.no)
        )
        channel = self.query_one("#channel", Select)
        if item.online_only:  # items 38-39: 两定机构医疗保障信息平台 only, never an on-site intake
            channel.value = str(Channel.ONLINE)
        channel.disabled = item.online_only
        self._update_agent_fields()
        self.query_one("#bank-fields").display = item.pays
        self._show_materials()
        self.query_one("#name", Input).focus()

    def _set_id_type_for(self, kind: str) -> None:
        id_type = "credit_code" if kind != "person" else "resident_id"
        if id_type in ID_TYPE_LABELS:
            self.query_one("#id-type", Select).value = id_type

    # ------------------------------------------------------------------ focus

    def focus_next(self, selector: Any = "*") -> Any:
        """Tab skips the ID type (preset from the item's applicant kind); Shift+Tab reaches it."""
        widget = super().focus_next(selector)
        if widget is not None and widget.id == "id-type":
            widget = super().focus_next(selector)
        return widget

    # ------------------------------------------------------------------ what the clerk sees

    # An input and the line under it that checks what was typed (尾号…请与申请人核对, ✓ 号码有效):
    # focusing the input scrolls the form just far enough to show both, at 80×24 too.
    MESSAGES = {
        "id-number": "id-number-message",
        "phone": "phone-message",
        "bank-account": "bank-account-message",
        "agent-id": "agent-id-message",
    }

    def on_descendant_focus(self, event: Any) -> None:
        self._reveal_message(getattr(event.widget, "id", None))

    def _reveal_message(self, input_id: str | None) -> None:
        message_id = self.MESSAGES.get(input_id or "")
        if message_id is not None:
            message = self.query_one(f"#{message_id}", Static)
            self.call_after_refresh(message.scroll_visible, animate=False)

    # ------------------------------------------------------------------ live checks

    @on(Select.Changed, "#kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        self._set_id_type_for(str(event.value))

    @on(Input.Changed, "#id-number")
    @on(Select.Changed, "#id-type")
    def _check_id(self) -> None:
        id_type = str(self.query_one("#id-type", Select).value)
        self._show_check("#id-number", "#id-number-message", id_type)
        number = self.query_one("#id-number", Input)
        if (
            self.focused is number
            and len(number.value.strip()) == FIXED_LENGTH_IDS.get(id_type)
            and validate_id(id_type, number.value).ok
        ):
            self.query_one("#phone", Input).focus()

    @on(Input.Changed, "#agent-id")
    def _check_agent_id(self) -> None:
        self._show_check("#agent-id", "#agent-id-message", "resident_id")

    def _show_check(self, input_id: str, message_id: str, id_type: str) -> None:
        value = self.query_one(input_id, Input).value
        message = self.query_one(message_id, Static)
        if not value.strip():
            message.update("")
            return
        result = validate_id(id_type, value)
        message.set_class(not result.ok, "error")
        message.set_class(result.ok, "ok")
        message.update("✓ 号码有效" if result.ok else result.message)
        self._reveal_message(input_id.lstrip("#"))

    @on(Input.Changed, "#phone")
    def _check_phone(self, event: Input.Changed) -> None:
        message = self.query_one("#phone-message", Static)
        if not event.value.strip():
            message.update("")
            return
        result = validate_phone(event.value)
        message.set_class(not result.ok, "error")
        message.set_class(result.ok, "ok")
        message.update("✓" if result.ok else result.message)
        self._reveal_message("phone")

    @on(Input.Changed, "#bank-account")
    def _check_bank_account(self, event: Input.Changed) -> None:
        """The number stays hidden; its last 4 digits let the clerk check it with the applicant."""
        from clerk.domain.field_limits import checked_bank_account
        from clerk.domain.text_input import TextInputError

        message = self.query_one("#bank-account-message", Static)
        try:
            digits = checked_bank_account(event.value)
        except TextInputError as exc:
            message.set_class(True, "error")
            message.update(str(exc) if len(event.value.strip()) >= 8 else "")
            return
        message.set_class(False, "error")
        message.update(f"尾号 {digits[-4:]}，共 {len(digits)} 位，请与申请人核对" if digits else "")
        self._reveal_message("bank-account")

    @on(QuestionBox.Changed, ".circumstance")
    def _circumstances_changed(self) -> None:
        self._update_agent_fields()
        self._show_materials()

    def _update_agent_fields(self) -> None:
        self.query_one("#agent-fields").display = PROXY in self.circumstances

    @property
    def circumstances(self) -> frozenset[str]:
        return frozenset(
            box.code for box in self.query(".circumstance").results(QuestionBox) if box.value
        )

    def select_circumstance(self, code: str, selected: bool = True) -> None:
        """Tick (or untick) the question of this condition code."""
        for box in self.query(".circumstance").results(QuestionBox):
            if box.code == code:
                box.value = selected

    def _show_materials(self) -> None:
        if self.item is None:
            return
        required = self.window.required_for(self.item.no, self.circumstances)
        text = Text("应收材料（按所选情形）\n", style="bold")
        for n, m in enumerate(required, 1):
            text.append(f"{n}、{material_line(m, self.window.catalog)}\n")
        self.query_one("#newcase-materials-text", Static).update(text)

    # ------------------------------------------------------------------ submit

    def applicant(self) -> Applicant:
        def value(widget_id: str) -> str:
            return self.query_one(f"#{widget_id}", Input).value.strip()

        proxy = PROXY in self.circumstances
        return Applicant(
            kind=str(self.query_one("#kind", Select).value),
            name=value("name"),
            id_type=str(self.query_one("#id-type", Select).value),
            id_number=value("id-number"),
            phone=value("phone"),
            agent_name=value("agent-name") if proxy else "",
            agent_id_type="resident_id" if proxy and value("agent-id") else "",
            agent_id_number=value("agent-id") if proxy else "",
            bank_account=value("bank-account") if self.item is not None and self.item.pays else "",
        )

    def problem(self, applicant: Applicant) -> tuple[str, str]:
        """(message, widget id to focus) for the first thing to fix; empty when the form is complete."""
        if not applicant.name:
            return "请填写申请人姓名或单位名称。", "name"
        result = validate_id(applicant.id_type, applicant.id_number)
        if not result.ok:
            return result.message, "id-number"
        if not applicant.phone:
            return "请填写联系电话，补正和办结时要通知申请人。", "phone"
        if not validate_phone(applicant.phone).ok:
            return validate_phone(applicant.phone).message, "phone"
        if PROXY in self.circumstances and not (applicant.agent_name and applicant.agent_id_number):
            return "已勾选委托办理，请填写代理人姓名和证件号码。", "agent-name"
        return "", ""

    def action_submit(self) -> None:
        if self.item is None:
            self.action_pick_item()
            return
        applicant = self.applicant()
        message, focus = self.problem(applicant)
        if message:
            self.query_one("#newcase-message", Static).update(message)
            self.query_one(f"#{focus}").focus()
            return
        key = (self.item.no, applicant.id_type, applicant.id_number.upper(), applicant.name)
        if key != self.prior_seen:
            priors = self.window.prior_cases(self.item.no, applicant)
            if priors:
                self._show_priors(priors, key)
                return
        channel = Channel(str(self.query_one("#channel", Select).value))
        try:
            view = self.window.open_case(
                self.user,
                self.item.no,
                applicant,
                channel=channel,
                circumstances=self.circumstances,
            )
        except ValueError as exc:
            self.query_one("#newcase-message", Static).update(str(exc))
            return
        self.notify(f"已收件，办件号 {view.case_no}。请逐项核验材料。")
        self.dismiss(view.uuid)

    def _show_priors(self, priors: list[PriorCase], key: tuple[object, ...]) -> None:
        """The same ID's recent cases of this item, and cases under another name: the clerk reads
        them and goes on (2) or goes back to check (1, Enter, Esc)."""
        lines = ["该证件号已有以下办件，请先与申请人核对："]
        for prior in priors:
            case = prior.summary
            lines.append(
                f"· {case.case_no}　【{case.item_no}】{case.item_name}　{case.applicant_name_masked}"
                f"　{case.state_label}　{case.received_at:%Y-%m-%d}\n　　{prior.why}"
            )

        def answered(choice: str | None) -> None:
            if choice == GO_ON:
                self.prior_seen = key
                self.action_submit()

        self.app.push_screen(
            ChoiceScreen(
                "\n".join(lines),
                [("back", "返回核对"), (GO_ON, "已核对，仍新建办件")],
                hint="Enter 或 1 返回核对；2 已核对，仍新建办件；Esc 返回",
            ),
            answered,
        )

    def action_cancel(self) -> None:
        self.discard_or_ask(lambda: self.dismiss(None))
