"""一次性告知书 preview: the clerk reads the notice before it is issued (F10 issues, Esc goes back)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from clerk.notice import NoticeContent
from clerk.widgets.guard import GuardedScreen


def notice_text(content: NoticeContent) -> str:
    """The notice as the clerk reads it before issuing (the printed layout is the document's job)."""
    lines = [
        f"{content.office_name}　一次性告知书",
        f"办件号：{content.case_no}　事项：【{content.item_no}】{content.item_name}",
        f"告知日期：{content.issued_on:%Y年%m月%d日}",
        "",
        "经核验，您的申请材料不齐全或不符合法定形式，请补正以下全部材料：",
        *content.missing_lines(),
        "",
        content.policy_note,
        f"补正材料交至：{content.hand_in_where}",
        "",
        content.promise,
        content.law_text,
    ]
    if content.basis:
        lines += ["", "设定依据：", *content.basis]
    lines += ["", f"地址：{content.office_address}　监督电话：{content.supervision_phone}"]
    return "\n".join(lines)


class NoticePreviewScreen(GuardedScreen, ModalScreen[bool]):
    BINDINGS = [
        Binding("f10", "issue", "出具告知书", id="notice.issue"),
        Binding("escape", "back", "返回修改", id="notice.back"),
    ]

    def __init__(self, content: NoticeContent) -> None:
        super().__init__()
        self.content = content
        self.text = notice_text(content)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("一次性告知书（预览）　核对无误后按 F10 出具", classes="dialog-title")
            with VerticalScroll(id="notice-scroll"):
                yield Static(Text(self.text), id="notice-text")
            yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one("#notice-scroll").focus()

    def action_issue(self) -> None:
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)
