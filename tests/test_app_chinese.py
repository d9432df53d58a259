"""Chinese everywhere a clerk looks: Ctrl+C's toast, the command palette's empty result."""

from __future__ import annotations

from pathlib import Path

from support.app import SIZE, app_for, option_texts, ready, wait_until
from test_app_burst_input import burst
from textual.command import CommandList


async def test_ctrl_c_says_in_chinese_how_to_quit(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+c")
        await pilot.pause()
        messages = [(n.title, str(n.message)) for n in app._notifications]
        assert messages[-1] == ("要退出吗？", "按 Ctrl+Q 退出程序")


async def test_the_palette_says_no_match_in_chinese(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await burst(pilot, "ctrl+p", *"qqqzzz")
        options = app.screen.query_one(CommandList)
        # The palette waits a moment of its own before saying nothing matched (and may first show
        # what matched a shorter query): wait for the answer, failing after the guard.
        no_match = ["没有匹配的命令"]
        await wait_until(pilot, lambda: option_texts(options) == no_match, "no match, in Chinese")
        assert option_texts(options) == no_match
