"""Every place the window app changes Textual through its private API, in one module.

Textual keeps these internals free to change between releases. Each patch below says what it
changes, why the window needs it, and the Textual release it was written against
(`WRITTEN_AGAINST`); tests/test_textual_patches.py fails when a private name a patch relies on
disappears or changes shape, so an upgrade shows here and not at a service window.

The patches:

- `ChinesePalette`: the command palette's "No matches found" in Chinese.
- `KeysOneByOne`: keys arriving in one burst are handled one by one.
- `CrashWithoutLocals`: a crash prints its traceback without the frames' local variables.
- `FailuresAsToasts`: a storage failure in a key's action or a callback is a toast, not a crash.
- `GuardedScreen`: a storage failure in a screen's message handler is a toast, not a crash.
- `SteadyFooter`: the key footer is rebuilt only when the keys it shows change.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

import rich
from rich.align import Align
from rich.segment import Segments
from rich.text import Text
from textual import events
from textual.command import CommandList, CommandPalette
from textual.widgets import Footer
from textual.widgets.option_list import Option

WRITTEN_AGAINST = "8.2"
"""The Textual minor version every patch here was written against (first on 8.2.8) and is tested
with; pyproject.toml pins Textual to it (`textual>=8.2.8,<8.3`)."""

NO_MATCHES = "没有匹配的命令"

# How many scheduler turns one key may take to settle before the next is let through anyway
# (an animation that never stops must not freeze the keyboard).
MAX_SETTLE_TURNS = 500


class ChinesePalette(CommandPalette):
    """Textual's command palette, with its "No matches found" in Chinese.

    Changes: `CommandPalette._start_no_matches_countdown` (private), which after
    `_NO_MATCHES_COUNTDOWN` seconds adds a disabled option with the id `_NO_MATCHES` to the
    `CommandList` and sets the private reactive `_list_visible`; the timer is kept in
    `_no_matches_timer` so that `_stop_no_matches_countdown` can cancel it. Textual hard-codes the
    English text in that method, so the whole method is rewritten with the Chinese text.
    Why: the clerks read Chinese only. Written against Textual 8.2.8.
    """

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                self.query_one(CommandList).add_option(
                    Option(
                        Align.center(Text(NO_MATCHES, style="not bold")),
                        disabled=True,
                        id=self._NO_MATCHES,
                    )
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


class KeysOneByOne:
    """Mixed into the App: keys arriving in one burst (a scanner, a card reader, a fast typist)
    are handled one by one.

    Changes: `App.on_event` for `events.Key`. Textual forwards every key to the focused widget at
    once, while a Tab or an Enter moves the focus only after the key has travelled up the widget
    tree (and `Widget.focus` is deferred as well), so the keys behind it used to land in the old
    field. Here a key from the driver is queued (`_keys`) and a task (`_key_pump`) posts each one
    back to the app, marked with the attribute `_clerk_released` (set on the event; Textual's
    `Message` declares `__slots__` but `events.Key` does not, so the marker fits), only once every
    message the previous key caused has been handled. "Handled" is read from the private state of
    each `MessagePump`: `_message_queue` (a queue with `empty()`), `_pending_message` and
    `_next_callbacks`. Forwarded keys (`Message.is_forwarded`) pass straight through.
    Why: a burst typed into the setup or new-case form put passwords and ID numbers into the
    wrong fields. Written against Textual 8.2.8.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._keys: deque[events.Key] = deque()
        self._key_pump: asyncio.Task[None] | None = None

    async def on_event(self, event: events.Event) -> None:
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and not getattr(event, "_clerk_released", False)
        ):
            self._keys.append(event)
            if self._key_pump is None or self._key_pump.done():
                self._key_pump = asyncio.create_task(self._pump_keys())
            return
        await super().on_event(event)  # type: ignore[misc]

    async def _pump_keys(self) -> None:
        while self._keys:
            key = self._keys.popleft()
            key._clerk_released = True  # type: ignore[attr-defined]
            self.post_message(key)  # type: ignore[attr-defined]
            await self._settled()

    async def _settled(self) -> None:
        """Wait until every message pump of the app and its screens has nothing left to do."""
        quiet = 0
        for _ in range(MAX_SETTLE_TURNS):
            await asyncio.sleep(0)
            quiet = quiet + 1 if self._all_idle() else 0
            if quiet >= 3:
                return

    def _all_idle(self) -> bool:
        pumps: list[Any] = [self]
        for screen in self.screen_stack:  # type: ignore[attr-defined]
            pumps.extend(screen.walk_children(with_self=True))
        return not any(
            not pump._message_queue.empty()
            or pump._pending_message is not None
            or pump._next_callbacks
            for pump in pumps
        )


class CrashWithoutLocals:
    """Mixed into the App: a crash prints its traceback without the frames' local variables.

    Changes: `App._fatal_error` (private), which Textual calls after an unhandled exception; it
    renders a `rich.traceback.Traceback` with `show_locals=True` into `App._exit_renderables`
    and stops the app with `_close_messages_no_wait`. The override does the same with
    `show_locals=False`.
    Why: the locals of a frame may hold a password or a resident ID number, and what a crash
    prints ends up in screenshots and bug reports. Written against Textual 8.2.8.
    """

    def _fatal_error(self) -> None:
        from rich.traceback import Traceback  # pygments and its lexers: only when crashing

        app: Any = self
        app.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        app._exit_renderables.append(Segments(app.console.render(traceback, app.console.options)))
        app._close_messages_no_wait()


class FailuresAsToasts:
    """Mixed into the App: a storage failure in a key's action or in a callback is a toast.

    Changes: `App._dispatch_action(namespace, action_name, params) -> bool` (private), which
    runs the action of every key binding, and `App._handle_exception(error)` (private), which
    Textual calls for an exception in a result callback, a timer or a handler outside a screen
    and which always ends the app. Both first offer the exception to `report_failure(exc) ->
    bool` (defined by the app): when it recognises a refused read or write of the store it shows
    a Chinese toast and the app carries on; anything else goes on to Textual unchanged.
    Why: a read-only, busy or full database must not end the clerk's session.
    Written against Textual 8.2.8.
    """

    def report_failure(self, exc: BaseException) -> bool:
        raise NotImplementedError

    async def _dispatch_action(self, namespace: Any, action_name: str, params: Any) -> bool:
        try:
            return await super()._dispatch_action(namespace, action_name, params)  # type: ignore[misc,no-any-return]
        except Exception as exc:
            if not self.report_failure(exc):
                raise
            return True

    def _handle_exception(self, error: Exception) -> None:
        if self.report_failure(error):
            return
        super()._handle_exception(error)  # type: ignore[misc]


class GuardedScreen:
    """Mixed into every screen: a storage failure in one of its message handlers is a toast.

    Changes: `MessagePump._dispatch_message(message)` (private), which runs the handlers of one
    message; Textual stops a widget's message loop after an exception in one of its handlers (and
    with it the screen, or the app). The override offers the exception to the app's
    `report_failure` (see `FailuresAsToasts`) and re-raises only what that does not recognise.
    Why: a read-only, busy or full database must not end the screen the clerk is working in.
    Written against Textual 8.2.8.
    """

    async def _dispatch_message(self, message: Any) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except Exception as exc:
            report = getattr(self.app, "report_failure", None)  # type: ignore[attr-defined]
            if report is None or not report(exc):
                raise


class SteadyFooter(Footer):
    """Every screen's key footer (compact): rebuilt only when what it shows has changed.

    Changes: `Footer.bindings_changed(screen)`, which Textual calls on every bindings update of the
    screen (each focus move, each `refresh_bindings`) and which then recomposes the footer, new
    `FooterKey` widgets and their styles, whether or not a key changed; and the private reactive
    `_bindings_ready`, which its `compose` reads. The override compares the keys the footer would
    show (key, action, label, group, enabled, tooltip, the key's display) with those it last asked
    for, and passes the call on only when they differ (`_bindings_ready` is set as Textual would).
    Why: the recomposes were a third of the login screen's own start-up work and repeat on every
    key that moves the focus, all day. Written against Textual 8.2.8.
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 (Textual's name)
        super().__init__(compact=True, id=id)
        self._asked_for: tuple[Any, ...] | None = None

    def bindings_changed(self, screen: Any) -> None:
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            get_key_display = self.app.get_key_display
            shown = tuple(
                (b.key, b.action, b.description, b.group, enabled, tooltip, get_key_display(b))
                for (_, b, enabled, tooltip) in screen.active_bindings.values()
                if b.show
            )
            if shown == self._asked_for:
                self._bindings_ready = True
                return
            self._asked_for = shown
        super().bindings_changed(screen)
