"""Chinese everywhere a clerk looks: Ctrl+C's toast, the command palette's empty result."""

from __future__ import annotations

from pathlib import Path

from support.app import SIZE, app_for, ready
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
        await pilot.pause(1.5)  # the palette waits a moment before saying nothing matched
        options = app.screen.query_one(CommandList)
        texts = [
            str(options.get_option_at_index(i).prompt.renderable)
            for i in range(options.option_count)
        ]
        assert texts == ["没有匹配的命令"]
