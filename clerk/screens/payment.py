"""拨付登记: amount in yuan (stored as fen) and the payment reference."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from clerk.domain.field_limits import REFERENCE_MAX, checked_amount
from clerk.screens.discard import ConfirmDiscard
from clerk.screens.textual_patches import GuardedScreen, SteadyFooter
from clerk.screens.widgets.plain import PlainStatic


def parse_yuan(text: str) -> int | None:
    """'1234.5' -> 123450 fen; None when it is not a positive amount with at most 2 decimals."""
    try:
        value = Decimal(text.strip().replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None
    if value <= 0 or value.as_tuple().exponent < -2:  # type: ignore[operator]
        return None
    return int(value * 100)


class PaymentScreen(ConfirmDiscard, GuardedScreen, ModalScreen[tuple[int, str] | None]):
    BINDINGS = [
        Binding("escape", "cancel", "取消", id="payment.cancel"),
        Binding("f10", "submit", "确认拨付", id="payment.submit"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield PlainStatic("登记拨付", classes="dialog-title")
            yield Input(placeholder="金额（元），如 1234.50", id="payment-amount")
            yield Input(
                placeholder="拨付凭证号 / 银行流水号",
                max_length=REFERENCE_MAX,
                id="payment-reference",
            )
            yield PlainStatic("", id="payment-message", classes="error")
            yield SteadyFooter()

    def on_mount(self) -> None:
        self.query_one("#payment-amount", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "payment-amount":
            self.query_one("#payment-reference", Input).focus()
        else:
            self.action_submit()

    def action_submit(self) -> None:
        message = self.query_one("#payment-message", Static)
        fen = parse_yuan(self.query_one("#payment-amount", Input).value)
        if fen is None:
            message.update("金额应为大于0的数字，最多两位小数，如 1234.50。")
            self.query_one("#payment-amount", Input).focus()
            return
        try:
            checked_amount(fen)
        except ValueError as exc:
            message.update(str(exc))
            self.query_one("#payment-amount", Input).focus()
            return
        reference = self.query_one("#payment-reference", Input).value.strip()
        if not reference:
            message.update("请填写拨付凭证号或银行流水号。")
            self.query_one("#payment-reference", Input).focus()
            return
        self.dismiss((fen, reference))

    def action_cancel(self) -> None:
        self.discard_or_ask(lambda: self.dismiss(None))
