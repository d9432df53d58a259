"""At the counter at 80×24: every field of the longest forms can be seen while it is typed into,
with what was typed and the check under it (收款账户's "尾号…请与申请人核对"); the circumstances'
questions in full; the case tables' 申请人 and 事项; the F4 guide wide enough to read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.app import PERSON_ID, app_for, open_case, person, ready, resident_id, wait_until
from test_app_burst_input import burst
from textual.widgets import Input, Select
from textual.widgets._toast import Toast

from clerk.screens.new_case import NewCaseScreen
from clerk.screens.widgets.question_box import QuestionBox

NARROW = (80, 24)
FOOTER_ROW = NARROW[1] - 1
AGENT_ID = resident_id("43112419850505123")
BANK = "6222020200112233445"
VALUES = {
    "name": "欧阳三丰",
    "id-number": PERSON_ID,
    "phone": "13800138000",
    "bank-account": BANK,
    "agent-name": "李代理",
    "agent-id": AGENT_ID,
}


def screen_lines(app: Any) -> list[str]:
    """The plain text of every row the terminal shows now."""
    return [strip.text for strip in app.screen._compositor.render_strips()]  # noqa: SLF001


def shown_in(app: Any, region: Any) -> str:
    """The text the terminal shows inside `region`, its rows joined (a wrapped line whole)."""
    strips = app.screen._compositor.render_strips()  # noqa: SLF001
    rows = strips[region.y : region.bottom]
    return "".join(strip.crop(region.x, region.right).text.strip() for strip in rows)


def assert_in_view(widget: Any) -> None:
    region = widget.region
    assert region.height > 0, f"{widget.id} has no height"
    assert region.y >= 1 and region.bottom <= FOOTER_ROW, f"{widget.id} off screen: {region}"
    assert region.right <= NARROW[0], f"{widget.id} cut at the right: {region}"


async def fill_every_field(pilot: Any, item: str) -> NewCaseScreen:
    app = pilot.app
    await burst(pilot, "f2", *item, "enter")
    screen = app.screen
    assert isinstance(screen, NewCaseScreen)
    for box in screen.query(QuestionBox):  # every question ticked: every field shows
        box.value = True
    await pilot.pause()
    screen.query_one("#kind", Select).focus()
    await pilot.pause()
    seen: set[str] = set()
    for _ in range(40):
        focused = screen.focused
        assert focused is not None
        assert_in_view(focused)
        if isinstance(focused, QuestionBox):
            assert focused.question in shown_in(app, focused.region)
        if isinstance(focused, Input) and focused.id in VALUES and focused.id not in seen:
            seen.add(focused.id)
            typed = focused
            value = VALUES[typed.id]
            await burst(pilot, *value)
            assert_in_view(typed)
            if screen.focused is not typed:  # a complete ID number moves on to the phone
                assert screen.focused is not None
                assert_in_view(screen.focused)
            text = "\n".join(screen_lines(app))
            shown = "•" * len(value) if typed.password else value
            assert shown in text, f"{typed.id}: {value!r} not rendered"
            message = {
                "bank-account": "尾号 3445，共 19 位，请与申请人核对",
                "id-number": "✓ 号码有效",
                "agent-id": "✓ 号码有效",
            }.get(typed.id)
            if message:
                assert message in text, f"{typed.id}: check {message!r} not shown"
            continue
        await burst(pilot, "tab")
        if screen.focused is None or screen.focused.id == "kind":
            break
    return screen


@pytest.mark.parametrize(
    ("item", "fields"), [("35", set(VALUES)), ("9", set(VALUES) - {"bank-account"})]
)
async def test_every_field_of_the_longest_forms_is_seen_while_typed(
    tmp_path: Path, item: str, fields: set[str]
) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=NARROW) as pilot:
        screen = await fill_every_field(pilot, item)
        for field in fields:
            assert screen.query_one(f"#{field}", Input).value.replace(" ", "") == VALUES[field]


async def test_the_id_field_shows_all_18_characters(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=NARROW) as pilot:
        await burst(pilot, "f2", *"35", "enter", *"张三丰", "tab", *PERSON_ID)
        assert PERSON_ID in "\n".join(screen_lines(app))


async def test_the_dashboard_shows_applicant_and_item_at_80_columns(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    view = open_case(window, admin, 9)
    window.open_case(admin, 31, person("演示农业专业合作社联合社"))
    app = app_for(window, admin)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        text = "\n".join(screen_lines(app))
        assert view.case_no in text
        assert "申请人" in text and "事项" in text
        assert "9 城乡居民参保登记" in text and "31 住院费用报销" in text
        assert "张**" in text or "张*丰" in text


async def test_the_f4_guide_gets_most_of_the_width(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=NARROW) as pilot:
        await burst(pilot, "f4")
        assert app.screen.query_one("#catalogue-guide-scroll").region.width >= 48


async def test_a_toast_keeps_brackets_and_backslashes(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=NARROW) as pilot:
        app.screen.notify("仍缺：[委托办理] 授权委托书，见 D:\\bundles\\[i]")
        await wait_until(pilot, lambda: len(app._notifications) > 0, "the toast")  # noqa: SLF001
        (notification,) = list(app._notifications)  # noqa: SLF001
        text = Toast(notification).render().plain
        assert "[委托办理]" in text and "D:\\bundles\\[i]" in text


async def test_the_points_list_shows_which_row_is_this_machine_at_80_columns(
    tmp_path: Path,
) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("ctrl+o")
        await wait_until(pilot, lambda: bool(app.screen.query("#points-table")), "the points list")
        await pilot.pause()
        here = window.point().code
        row = next(line for line in screen_lines(app) if f" {here} " in f" {line} ")
        assert "本机" in row
