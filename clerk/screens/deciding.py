"""A screen whose keys take decisions (受理, 告知, 不予受理, 审核, 拨付, ...) without holding the window.

`DecidingScreen.decide(call, done)` runs the service call (which writes the case and renders its
PDF: tens of milliseconds) in a thread worker of the group "decision". While it is in flight the
screen is `busy`: its own keys are refused (`check_action`), and so are the app's keys except
help and quit (`ClerkApp.check_action` reads `busy`, as it does for the roster import), so a
second key press never starts a second decision; the sub-title says "正在保存……". The window
keeps drawing and handling keys (scrolling, F1).

The result is applied on the UI thread, from the worker's `StateChanged` message: `done(result)`
on success; a `ValueError` (a `ServiceError`: the workflow's Chinese refusal) becomes an error
toast, the screen and what the clerk typed kept, as when the call ran on the UI thread; any other
error is raised from the message handler, where `GuardedScreen` offers it to the app's
`report_failure` (a busy, read-only or full database is a toast, anything else a crash, as
before). A result that arrives while another screen is on top (F1's help) waits until this
screen is shown again, so `done` may dismiss it.

Quitting (Ctrl+Q) while a decision is in flight, or while its result waits to be shown, would
lose the result the clerk must hand over (the decision itself commits): `quit_refused` says so
and the app stays; the result appears as usual, and Ctrl+Q then quits.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from clerk.screens.textual_patches import GuardedScreen

DECISION_GROUP = "decision"
SAVING = "正在保存……"
NOT_YET = "正在保存办理结果，请看到结果后再按 Ctrl+Q 退出。"

Done = Callable[[Any], None]


class DecidingScreen(GuardedScreen, Screen[None]):
    """A screen that takes decisions in a thread worker; see the module's docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.busy = False
        self._done: Done | None = None
        self._finished: Worker[Any] | None = None  # a result waiting for the screen to show
        self._idle_sub_title = ""

    @property
    def deciding(self) -> bool:
        """A decision is in flight, or its result has not been shown yet."""
        return self._done is not None

    # ------------------------------------------------------------------ starting

    def decide(self, call: Callable[[], Any], done: Done, *, saving: str = SAVING) -> bool:
        """Run `call()` off the UI thread, then `done(result)` on it; False (nothing started) when a
        decision is already in flight."""
        if self.busy:
            return False
        self.busy = True
        self._done = done
        self.show_saving(saving)
        self.refresh_bindings()
        self.app.refresh_bindings()
        self.run_worker(
            call,
            name="decision",
            group=DECISION_GROUP,
            thread=True,
            exclusive=True,
            exit_on_error=False,
        )
        return True

    def show_saving(self, text: str | None) -> None:
        """Say that a decision is being saved (`text`), or that it is over (None): in the
        sub-title by default; a screen with a status line may say it there too."""
        if text is None:
            self.sub_title = self._idle_sub_title
            return
        self._idle_sub_title = self.sub_title or ""
        self.sub_title = f"{self.sub_title}　{text}"

    # ------------------------------------------------------------------ finishing

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != DECISION_GROUP or event.state not in (
            WorkerState.SUCCESS,
            WorkerState.ERROR,
            WorkerState.CANCELLED,
        ):
            return
        if not self.is_active:
            self._finished = worker  # applied when this screen is shown again
            return
        self._finish(worker)

    def on_screen_resume(self) -> None:
        finished, self._finished = self._finished, None
        if finished is not None:
            self._finish(finished)

    def _finish(self, worker: Worker[Any]) -> None:
        done, self._done = self._done, None
        self.busy = False
        self.show_saving(None)
        self.refresh_bindings()
        self.app.refresh_bindings()
        if worker.state == WorkerState.SUCCESS:
            if done is not None:
                done(worker.result)
            return
        error = worker.error
        if isinstance(error, ValueError):
            self.notify(str(error), severity="error")
        elif error is not None:
            raise error  # GuardedScreen: a storage failure is a toast


def quit_refused(app: App[Any]) -> bool:
    """True (and the clerk told why) when a screen of `app` holds a decision whose result has not
    been shown: quitting now would lose it."""
    if not any(isinstance(s, DecidingScreen) and s.deciding for s in app.screen_stack):
        return False
    app.notify(NOT_YET, severity="warning")
    return True
