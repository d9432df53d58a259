"""Storage failures inside a screen's handlers: a Chinese toast, and the screen keeps working.

Textual stops a widget's message loop after an exception in one of its handlers; a read-only,
busy or full database must not end the screen (nor the app), so every screen mixes this in.
Keys' actions and result callbacks are guarded by the app itself (`ClerkApp.report_failure`).
"""

from __future__ import annotations

from typing import Any


class GuardedScreen:
    async def _dispatch_message(self, message: Any) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except Exception as exc:
            report = getattr(self.app, "report_failure", None)  # type: ignore[attr-defined]
            if report is None or not report(exc):
                raise
