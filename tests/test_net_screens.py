"""The county supervisor's view of its points' reports (Ctrl+S at an office) and a point's county
service address (Ctrl+S at a point), with Pilot at 80×24; the figures behind the view."""

from __future__ import annotations

import hashlib

from support.net import FAST, live
from support.sync import POINT, collected, export, user
from textual.widgets import DataTable, Input, Static

from clerk.net import client as net
from clerk.net import status as net_status
from clerk.net.mailbox import Mailbox
from clerk.screens.app import make_app
from clerk.screens.dashboard import DashboardScreen
from clerk.screens.net_settings import NetSettingsScreen
from clerk.screens.net_status import NetStatusScreen, SilentDaysScreen

SMALL = (80, 24)


def text_of(app, selector: str) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one(selector, Static).content)


def rows_of(app) -> list[list[str]]:  # type: ignore[no-untyped-def]
    table = app.screen.query_one("#net-status-table", DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


# ---------------------------------------------------------------------- the figures


def test_a_bundle_imported_from_the_stick_counts_and_silence_is_in_working_days(
    pair, tmp_path, clock
):
    county, point = pair
    collected(point, 35)
    assert county.import_bundle(export(point, tmp_path / "usb").path).ok
    status = net_status.status(county)
    assert [(r.code, r.seq, r.road, r.outcome, r.working_days, r.silent) for r in status.rows] == [
        (POINT, 1, "U盘", "已导入", 0, False)
    ]
    clock.set(2026, 11, 4, 9, 30)  # Monday's import, now Wednesday: two working days
    row = net_status.status(county).rows[0]
    assert (row.working_days, row.silent) == (2, True)
    net_status.set_silent_days(county, "3")
    assert net_status.status(county).silent == []


def test_a_point_with_a_key_that_never_sent_is_silent(pair):
    county, point = pair
    status = net_status.status(county)
    assert [(r.code, r.seq, r.outcome, r.working_days, r.silent) for r in status.rows] == [
        (POINT, None, "尚未上报", None, True)
    ]


def test_a_bundle_sent_over_the_network_says_so_and_a_waiting_one_shows(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    with live(county, tmp_path / "serve") as server:
        net.send(point, server.url, retries=FAST)
    spool = tmp_path / "serve" / "spool"
    assert county.store.get_setting(net_status.SETTING_SPOOL) == str(spool.resolve())
    row = net_status.status(county).rows[0]
    assert (row.seq, row.road, row.outcome) == (1, "网络", "已导入")
    # what the service keeps of a bundle received and waiting for an earlier one
    box = Mailbox(lambda: county, spool)
    box._save_meta(
        POINT,
        3,
        {"sender": POINT, "seq": 3, "sha256": hashlib.sha256(b"x").hexdigest(),
         "state": "waiting", "waiting_for": 2, "received_at": "2026-11-02T10:00:00+08:00"},
    )  # fmt: skip
    row = net_status.status(county).rows[0]
    assert (row.seq, row.road, row.outcome, row.working_days) == (3, "网络", "等待第 2 号包", 0)


def test_the_number_of_days_is_checked(pair):
    county, _ = pair
    for bad in ("0", "61", "两", "", "-1"):
        assert (
            net_status.silent_days_problem(bad) == "请输入 1 到 60 之间的整数（工作日数），如 2。"
        )
    assert net_status.silent_days(county) == 2


# ---------------------------------------------------------------------- the county's screen


async def test_the_county_supervisor_sees_each_point_at_80_columns_and_changes_the_days(
    pair, tmp_path, clock
):
    county, point = pair
    collected(point, 35)
    with live(county, tmp_path / "serve") as server:
        net.send(point, server.url, retries=FAST)
    clock.set(2026, 11, 4, 9, 30)
    app = make_app(county, user=user(county, "boss"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, NetStatusScreen)
        assert rows_of(app) == [
            [POINT, "梧桐镇政务…", "第1号", "11-02 09:30", "网络", "已导入", "2日"]
        ]
        table = app.screen.query_one("#net-status-table", DataTable)
        assert table.virtual_size.width <= 80  # every column on screen
        line = text_of(app, "#net-status-silent")
        assert line == f"连续 2 个工作日以上未上报：{POINT}（共 1 个，标红）。请电话询问。"
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, SilentDaysScreen)
        field = app.screen.query_one(Input)
        field.value = ""
        await pilot.press("0", "enter")
        await pilot.pause()
        assert text_of(app, "#silent-days-message").startswith("请输入 1 到 60 之间的整数")
        await pilot.press("backspace", "3", "enter")
        await pilot.pause()
        assert isinstance(app.screen, NetStatusScreen)
        assert text_of(app, "#net-status-silent") == "各服务点均在 3 个工作日内上报过。"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
    assert county.store.get_setting(net_status.SETTING_SILENT_DAYS) == "3"


async def test_a_counter_clerk_has_no_network_key(pair):
    county, _ = pair
    app = make_app(county, user=user(county, "clerk1"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


# ---------------------------------------------------------------------- the point's address


async def test_a_point_keeps_a_checked_address_where_clerk_send_reads_it(pair):
    _, point = pair
    app = make_app(point, user=user(point, "boss"))
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, NetSettingsScreen)
        assert text_of(app, "#county-url-now") == "现在没有设置地址：只用 U 盘上报和导入。"
        await pilot.press(*"ftp://yb.example", "enter")
        await pilot.pause()
        assert text_of(app, "#county-url-message") == (
            "地址应以 https:// 或 http:// 开头，如 https://yb.county.gov.cn:8443。"
        )
        assert net.county_url(point) is None
        app.screen.query_one(Input).value = ""
        await pilot.press(*"https://yb.example:8443/", "enter")
        await pilot.pause()
        assert text_of(app, "#county-url-message") == ""
        assert text_of(app, "#county-url-now") == "现在的地址：https://yb.example:8443"
        assert net.county_url(point) == "https://yb.example:8443"
        await pilot.press("f8")
        await pilot.pause()
        assert net.county_url(point) is None
        assert app.screen.query_one(Input).value == ""


def test_addresses_are_checked_with_a_message_that_says_what_to_write():
    good = ("https://yb.county.gov.cn:8443", "http://127.0.0.1:8443", "https://h/clerk")
    assert [net.url_problem(u) for u in good] == [None, None, None]
    bad = {
        "": "请填写县级服务地址",
        "yb.county.gov.cn": "地址应以 https:// 或 http:// 开头",
        "http://": "地址缺少主机名或含有空格",
        "http://a b": "地址缺少主机名或含有空格",
        "https://h:99999": "端口应在 1 到 65535 之间",
        "https://u:p@h": "地址中不要带用户名、口令",
        "https://h/?a=1": "地址中不要带用户名、口令",
    }
    assert {u: (net.url_problem(u) or "")[: len(m)] for u, m in bad.items()} == bad


def test_clerk_send_refuses_a_malformed_address(pair, capsys):
    from clerk.cli import main

    _, point = pair
    assert main(["send", "--db", str(point.store.path), "--to", "yb.county.gov.cn"]) == 1
    assert "地址应以 https:// 或 http:// 开头" in capsys.readouterr().err
    assert net.county_url(point) is None
