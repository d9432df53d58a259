"""The case behind a supervision figure, read-only: the case detail screen with only Esc.

A supervisor (at a city, of another office's case) reads the case — personal data masked as
everywhere, no "v" to reveal it — and decides nothing: every other key of the detail screen is
refused here, so none shows in the footer.
"""

from __future__ import annotations

from clerk.screens.case_detail import CaseDetailScreen

ALLOWED = frozenset({"close"})


class SupervisedCaseScreen(CaseDetailScreen):
    def on_mount(self) -> None:  # Textual runs the detail screen's own on_mount first
        self.sub_title = f"办件详情（只读）　{self.view.case_no}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return action in ALLOWED
