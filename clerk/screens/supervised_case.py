"""The case behind a supervision figure, read-only: the case detail screen with only Esc.

A supervisor (at a city, of another office's case) reads the case — personal data masked as
everywhere, no "v" to reveal it — and decides nothing: every other key of the detail screen is
refused here, so none shows in the footer.
"""

from __future__ import annotations

from textual.widgets import Static

from clerk.screens.case_detail import CaseDetailScreen, summary_text

ALLOWED = frozenset({"close"})
REVEAL_HINT = "个人信息已遮蔽；按 v 查看完整信息（会留痕）。"
READ_ONLY_HINT = "个人信息已遮蔽；监督查看为只读，不能办理或查看完整信息。"


class SupervisedCaseScreen(CaseDetailScreen):
    def on_mount(self) -> None:  # Textual runs the detail screen's own on_mount first
        self.sub_title = f"办件详情（只读）　{self.view.case_no}"

    def _paint(self) -> None:
        super()._paint()
        text = summary_text(self.view)
        if text.plain.endswith(REVEAL_HINT):
            text = text[: len(text) - len(REVEAL_HINT)]
            text.append(READ_ONLY_HINT, style="dim")
        self.query_one("#detail-summary", Static).update(text)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action in ALLOWED
