"""Esc on a form that has something typed in asks before throwing it away.

A mixin of the form screens, beside them rather than in `widgets`: it opens a `ChoiceScreen`,
and widgets never open screens.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.widgets import Input

from clerk.screens.choice import ChoiceScreen

KEEP, DISCARD = "keep", "discard"


class LeaveChoice(ChoiceScreen):
    """The question `ClerkApp.leave` asks (a class of its own, so a second Ctrl+Q does not stack it).
    Here, not in `clerk.screens.app`, so the app's start loads no choice screen."""


def has_unsaved_input(screen: object) -> bool:
    """Whether closing `screen` would lose what was typed or marked there and not yet saved."""
    typed = getattr(screen, "typed_anything", None)
    return bool(typed()) if callable(typed) else False


class ConfirmDiscard:
    """Mixed into form screens: `discard_or_ask(close)` closes at once when nothing was typed."""

    def typed_anything(self) -> bool:
        return any(field.value.strip() for field in self.query(Input))  # type: ignore[attr-defined]

    def discard_or_ask(self, close: Callable[[], Any]) -> None:
        if not self.typed_anything():
            close()
            return

        def answered(choice: str | None) -> None:
            if choice == DISCARD:
                close()

        self.app.push_screen(  # type: ignore[attr-defined]
            ChoiceScreen(
                "已填写的内容还没有保存，要放弃吗？",
                [(KEEP, "继续填写"), (DISCARD, "放弃已填写的内容")],
                hint="Enter 或 1 继续填写；2 放弃；Esc 继续填写",
            ),
            answered,
        )
