"""The shell: help and key map, catalogue key, the Chinese command palette without screenshot."""

from __future__ import annotations

from pathlib import Path

from support.app import SIZE, app_for, option_texts, ready, wait_until
from textual.command import CommandList

from clerk.screens.catalogue import CatalogueScreen
from clerk.screens.help import HelpScreen, keymap_markdown, sections
from clerk.screens.item_picker import ItemPickerScreen
from clerk.screens.new_case import NewCaseScreen

DOCS = Path(__file__).resolve().parent.parent / "docs" / "KEYMAP.md"


def test_every_binding_has_a_unique_id() -> None:
    ids = [b.id for _, bindings in sections() for b in bindings]
    assert None not in ids
    assert len(ids) == len(set(ids))


def test_every_binding_has_a_chinese_description() -> None:
    for _, bindings in sections():
        for b in bindings:
            assert any("\u4e00" <= ch <= "\u9fff" for ch in b.description), b.id


def test_keymap_document_is_current() -> None:
    assert DOCS.read_text(encoding="utf-8") == keymap_markdown() + "\n"


async def test_f1_opens_help_and_escape_closes(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_f4_opens_the_catalogue_guide(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("f4")
        await pilot.pause()
        assert isinstance(app.screen, CatalogueScreen)


async def test_palette_commands_are_chinese_and_have_no_screenshot(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE):
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert titles == [
            "新建办件",
            "查询办件",
            "工作台",
            "修改密码",
            "事项指南",
            "监督统计",  # an administrator on the dashboard (tests/test_app_supervision.py)
            "帮助",
            "切换主题",
            "退出",
        ]


async def test_screenshot_action_is_refused(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE):
        assert app.check_action("screenshot", ()) is False


async def test_palette_opens_with_ctrl_p_and_runs_a_command(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"指南")
        options = app.screen.query_one(CommandList)
        await wait_until(
            pilot, lambda: "指南" in "".join(option_texts(options)[:1]), "the palette's search"
        )
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CatalogueScreen)


async def test_keymap_can_remap_a_binding_by_id(tmp_path: Path) -> None:
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    async with app.run_test(size=SIZE) as pilot:
        app.set_keymap({"app.new_case": "f12"})
        await pilot.press("f12")
        await pilot.pause()
        assert isinstance(app.screen, ItemPickerScreen)
        assert isinstance(app.screen_stack[-2], NewCaseScreen)


async def test_start_up_warns_when_documents_cannot_embed_a_chinese_font(
    tmp_path: Path, monkeypatch
) -> None:
    import clerk.documents.fonts as fonts

    monkeypatch.setattr(fonts, "font_warning", lambda: "未找到可嵌入的中文字体（测试）")
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    said: list[tuple[str, str, str]] = []
    monkeypatch.setattr(
        app,
        "notify",
        lambda message, **kw: said.append((kw.get("title"), message, kw.get("severity"))),
    )
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert said == [("文书字体", "未找到可嵌入的中文字体（测试）", "warning")]


async def test_start_up_is_quiet_when_a_chinese_font_is_there(tmp_path: Path, monkeypatch) -> None:
    import clerk.documents.fonts as fonts

    monkeypatch.setattr(fonts, "font_warning", lambda: "")
    window, admin = ready(tmp_path)
    app = app_for(window, admin)
    said: list[str] = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: said.append(message))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert said == []
