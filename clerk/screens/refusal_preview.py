"""不予受理告知书 preview: the clerk reads the refusal (reason, where to apply instead, the remedies)
before it is issued; F10 issues it, Esc goes back to the reason, which is kept for correcting.

The text is the applicant's part exactly as it will be printed (`Window.preview_refusal_text`).
"""

from __future__ import annotations

from textual.binding import Binding

from clerk.screens.document_preview import DocumentPreviewScreen


class RefusalPreviewScreen(DocumentPreviewScreen):
    TITLE_TEXT = "不予受理告知书（预览）　核对无误后按 F10 出具"
    BINDINGS = [
        Binding("f10", "issue", "出具不予受理告知书", id="refusal.issue"),
        Binding("escape", "back", "返回修改理由", id="refusal.back"),
    ]
