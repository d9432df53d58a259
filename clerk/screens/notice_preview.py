"""一次性告知书 preview: the clerk reads the notice before it is issued (F10 issues, Esc goes back).

The text shown is the applicant's part of the document as it will be printed (the service renders
it with the same `compose` as the PDF), so the paper says exactly what the preview said.
"""

from __future__ import annotations

from textual.binding import Binding

from clerk.screens.document_preview import DocumentPreviewScreen


class NoticePreviewScreen(DocumentPreviewScreen):
    TITLE_TEXT = "一次性告知书（预览）　核对无误后按 F10 出具"
    BINDINGS = [
        Binding("f10", "issue", "出具告知书", id="notice.issue"),
        Binding("escape", "back", "返回修改", id="notice.back"),
    ]
