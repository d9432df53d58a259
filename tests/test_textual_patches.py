"""The Textual patches (clerk/screens/textual_patches.py) against the Textual that is installed.

For each patch: the private names it relies on are still there with the shape it expects, and in
a Pilot run the patched behaviour is what the app sees. A Textual upgrade that moves any of them
fails here, naming the patch to revisit.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version
from typing import Any

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.command import CommandList, CommandPalette
from textual.message import Message
from textual.message_pump import MessagePump
from textual.screen import Screen
from textual.widgets import Footer, Input, Static
from textual.widgets._footer import FooterKey
from textual.widgets.option_list import OptionDoesNotExist

from clerk.screens.textual_patches import (
    NO_MATCHES,
    WRITTEN_AGAINST,
    ChinesePalette,
    CrashWithoutLocals,
    FailuresAsToasts,
    GuardedScreen,
    KeysOneByOne,
    SteadyFooter,
)

SIZE = (80, 24)


def parameters(function: Any) -> list[str]:
    return list(inspect.signature(function).parameters)


async def until(pilot: Any, condition: Any, *, seconds: float = 5.0) -> None:
    """Pause the pilot until `condition()` holds (or the time is up; the caller asserts)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)


class StoreRefused(Exception):
    """Stands in for a refused read or write of the store (what `report_failure` recognises)."""


class Reporting:
    """`report_failure` as the window app has it: recognise a store failure, show a toast."""

    def report_failure(self, exc: BaseException) -> bool:
        if not isinstance(exc, StoreRefused):
            return False
        self.notify(f"未能完成：{exc}", severity="error")  # type: ignore[attr-defined]
        return True


def toasts(app: App[Any]) -> list[str]:
    return [str(n.message) for n in app._notifications]


def test_the_installed_textual_is_the_one_the_patches_were_written_against() -> None:
    """Upgrading Textual: read every patch's docstring, run this file, then bump WRITTEN_AGAINST."""
    assert ".".join(version("textual").split(".")[:2]) == WRITTEN_AGAINST


# ---------------------------------------------------------------------- ChinesePalette


def test_palette_private_api_is_there() -> None:
    method = CommandPalette._start_no_matches_countdown
    assert parameters(method) == ["self", "search_value"]
    assert callable(CommandPalette._stop_no_matches_countdown)
    assert isinstance(CommandPalette._NO_MATCHES, str)
    assert isinstance(CommandPalette._NO_MATCHES_COUNTDOWN, float)
    assert "_list_visible" in CommandPalette._reactives
    # Textual still calls the countdown when a search finds nothing.
    assert "_start_no_matches_countdown" in inspect.getsource(CommandPalette._gather_commands)
    assert "_no_matches_timer" in inspect.getsource(CommandPalette.__init__)


async def test_palette_says_no_matches_in_chinese() -> None:
    app: App[None] = App()
    async with app.run_test(size=SIZE) as pilot:
        palette = ChinesePalette()
        app.push_screen(palette)
        await pilot.pause()
        await pilot.press(*"qzxqzx")
        commands = palette.query_one(CommandList)

        def index() -> int | None:
            try:
                return commands.get_option_index(CommandPalette._NO_MATCHES)
            except OptionDoesNotExist:
                return None

        await until(pilot, lambda: index() is not None)
        assert commands.option_count == 1
        option = commands.get_option_at_index(0)
        assert option.id == CommandPalette._NO_MATCHES
        assert option.disabled
        assert NO_MATCHES in str(option.prompt.renderable)  # type: ignore[union-attr]
        assert palette._list_visible is True
        assert palette._no_matches_timer is not None


# ---------------------------------------------------------------------- KeysOneByOne


class TwoFields(KeysOneByOne, App[None]):
    """Enter in the first field moves to the second, as the clerk's forms do."""

    def compose(self) -> ComposeResult:
        yield Input(id="first")
        yield Input(id="second")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#second").focus()


def test_key_release_private_api_is_there() -> None:
    key = events.Key("a", "a")
    key._clerk_released = True  # type: ignore[attr-defined]  # the marker fits on a Key
    assert isinstance(type(key).is_forwarded, property)
    assert inspect.iscoroutinefunction(App.on_event)
    assert parameters(App.on_event) == ["self", "event"]
    pump = MessagePump()
    assert pump._message_queue.empty() is True
    assert pump._pending_message is None
    assert pump._next_callbacks == []


async def test_keys_in_one_burst_land_where_slow_keys_do() -> None:
    app = TwoFields()
    async with app.run_test(size=SIZE) as pilot:
        app.query_one("#first").focus()
        await pilot.pause()
        for key, char in [("a", "a"), ("enter", "\r"), ("b", "b")]:
            event = events.Key(key, char)
            event.set_sender(app)
            app._driver.send_message(event)  # type: ignore[union-attr]  # all before the first
        await until(
            pilot, lambda: not app._keys and app._key_pump is not None and app._key_pump.done()
        )
        await pilot.pause()
        assert app.query_one("#first", Input).value == "a"
        assert app.query_one("#second", Input).value == "b"


# ---------------------------------------------------------------------- CrashWithoutLocals


class Crashing(CrashWithoutLocals, App[None]):
    BINDINGS = [Binding("x", "crash", "崩溃")]

    def action_crash(self) -> None:
        secret_holder("".join(["hunter2", "-secret"]))


def secret_holder(password: str) -> None:
    raise RuntimeError("boom")


def test_fatal_error_private_api_is_there() -> None:
    assert parameters(App._fatal_error) == ["self"]
    assert "_fatal_error()" in inspect.getsource(App._handle_exception)
    assert "show_locals=True" in inspect.getsource(App._fatal_error)  # what the patch turns off
    app: App[None] = App()
    assert app._exit_renderables == []
    assert parameters(app._close_messages_no_wait) == []


async def test_a_crash_prints_no_locals(capsys: pytest.CaptureFixture[str]) -> None:
    app = Crashing()
    with pytest.raises(RuntimeError, match="boom"):
        async with app.run_test(size=SIZE) as pilot:
            await pilot.press("x")
            await pilot.pause()
    printed = capsys.readouterr().err
    assert "secret_holder" in printed
    assert "hunter2-secret" not in printed


# ---------------------------------------------------------------------- FailuresAsToasts


class Failing(Reporting, FailuresAsToasts, App[None]):
    BINDINGS = [Binding("x", "refused", "写入")]

    def action_refused(self) -> None:
        raise StoreRefused("数据库只读")


def test_action_and_exception_private_api_is_there() -> None:
    assert inspect.iscoroutinefunction(App._dispatch_action)
    assert parameters(App._dispatch_action) == ["self", "namespace", "action_name", "params"]
    assert parameters(App._handle_exception) == ["self", "error"]
    # A callback's exception still goes to the app's _handle_exception.
    assert "_handle_exception" in inspect.getsource(MessagePump._flush_next_callbacks)


async def test_a_refused_write_in_an_action_is_a_toast() -> None:
    app = Failing()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("x")
        await pilot.pause()
        assert toasts(app) == ["未能完成：数据库只读"]
        assert app.is_running


async def test_a_refused_write_in_a_callback_is_a_toast() -> None:
    app = Failing()
    async with app.run_test(size=SIZE) as pilot:

        def callback() -> None:
            raise StoreRefused("磁盘已满")

        app.call_next(callback)
        await pilot.pause()
        assert toasts(app) == ["未能完成：磁盘已满"]
        assert app.is_running


# ---------------------------------------------------------------------- GuardedScreen


class Poke(Message):
    def __init__(self, refuse: bool) -> None:
        super().__init__()
        self.refuse = refuse


class Guarded(GuardedScreen, Screen[None]):
    def __init__(self) -> None:
        super().__init__()
        self.handled = 0

    def compose(self) -> ComposeResult:
        yield Static("办件")

    def on_poke(self, message: Poke) -> None:
        if message.refuse:
            raise StoreRefused("数据库忙")
        self.handled += 1


class Host(Reporting, App[None]):
    pass


def test_dispatch_message_private_api_is_there() -> None:
    assert inspect.iscoroutinefunction(MessagePump._dispatch_message)
    assert parameters(MessagePump._dispatch_message) == ["self", "message"]


async def test_a_refused_write_in_a_screen_handler_is_a_toast_and_the_screen_lives_on() -> None:
    app = Host()
    async with app.run_test(size=SIZE) as pilot:
        screen = Guarded()
        app.push_screen(screen)
        await pilot.pause()
        screen.post_message(Poke(refuse=True))
        await pilot.pause()
        screen.post_message(Poke(refuse=False))
        await pilot.pause()
        assert toasts(app) == ["未能完成：数据库忙"]
        assert screen.handled == 1
        assert app.screen is screen


# ---------------------------------------------------------------------- SteadyFooter


class KeysScreen(Screen[None]):
    """Two inputs under the same keys, and a key (F6) shown only while `armed`."""

    BINDINGS = [Binding("f6", "fire", "办结"), Binding("f7", "arm", "准备")]

    def __init__(self) -> None:
        super().__init__()
        self.armed = False

    def compose(self) -> ComposeResult:
        yield Input(id="first")
        yield Input(id="second")
        yield SteadyFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.armed if action == "fire" else True

    def action_arm(self) -> None:
        self.armed = True
        self.refresh_bindings()

    def action_fire(self) -> None:
        pass


class CountingFooter(SteadyFooter):
    composed = 0

    def compose(self) -> ComposeResult:
        CountingFooter.composed += 1
        yield from super().compose()


class CountingFields(KeysScreen):
    def compose(self) -> ComposeResult:
        yield Input(id="first")
        yield Input(id="second")
        yield CountingFooter()


def footer_labels(screen: Screen[Any]) -> list[str]:
    return [key.description for key in screen.query_one(Footer).query(FooterKey)]


def test_footer_private_api_is_there() -> None:
    assert parameters(Footer.bindings_changed) == ["self", "screen"]
    assert "_bindings_ready" in Footer._reactives
    assert "self.recompose" in inspect.getsource(Footer.bindings_changed)


async def test_the_footer_is_not_rebuilt_when_the_focus_moves_under_the_same_keys() -> None:
    app: App[None] = App()
    async with app.run_test(size=SIZE) as pilot:
        CountingFooter.composed = 0
        app.push_screen(CountingFields())
        await pilot.pause()
        settled = CountingFooter.composed
        for _ in range(4):
            await pilot.press("tab")
            await pilot.pause()
        assert settled > 0
        assert CountingFooter.composed == settled


async def test_the_footer_shows_a_key_that_becomes_available() -> None:
    app: App[None] = App()
    async with app.run_test(size=SIZE) as pilot:
        screen = KeysScreen()
        app.push_screen(screen)
        await pilot.pause()
        assert "办结" not in footer_labels(screen)
        await pilot.press("f7")
        await pilot.pause()
        await pilot.pause()
        assert footer_labels(screen)[:2] == ["办结", "准备"]
