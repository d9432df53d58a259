"""`clerk send` writes a new bundle only when there is something new to carry, and says why;
`--resend-only` writes nothing and resends what the county has not taken."""

from __future__ import annotations

import json

from support.net import FAST, live
from support.sync import OFFICE, POINT, collected, user

from clerk.cli import main
from clerk.net import client as net


def outbox_files(point) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(p.name for p in net.outbox_dir(point.store.path).glob("*.clerkbundle"))


def test_a_second_send_with_nothing_new_writes_no_bundle(pair, tmp_path, clock):
    county, point = pair
    collected(point, 35)
    with live(county, tmp_path / "serve") as server:
        first = net.send(point, server.url, retries=FAST)
        clock.set(2026, 11, 2, 11, 0)
        second = net.send(point, server.url, retries=FAST)
    assert first.why == ["本机有 3 条记录尚未上报"]
    assert (second.written, second.sent, second.nothing_new) == (None, [], True)
    assert len(outbox_files(point)) == 1
    assert net.send_text(second).splitlines()[:2] == [
        "本机没有新的记录，未写新的上报包。",
        "没有需要发送的上报包。",
    ]


def test_a_fresh_point_with_no_records_writes_nothing(pair, tmp_path):
    county, point = pair
    with live(county, tmp_path / "serve") as server:
        result = net.send(point, server.url, retries=FAST)
    assert (result.written, result.sent, result.nothing_new) == (None, [], True)
    assert outbox_files(point) == []


def test_new_records_after_the_last_bundle_write_the_next_and_say_how_many(pair, tmp_path, clock):
    county, point = pair
    collected(point, 35)
    with live(county, tmp_path / "serve") as server:
        net.send(point, server.url, retries=FAST)
        clock.set(2026, 11, 2, 11, 0)
        collected(point, 35, n=1)
        result = net.send(point, server.url, retries=FAST)
    assert result.why == ["第 1 号包之后新增 3 条记录"]
    assert [(s.seq, s.http_status) for s in result.sent] == [(2, 201)]
    assert f"已写出上报包（第 1 号包之后新增 3 条记录）：{result.written}" in net.send_text(result)


def test_a_return_bundle_imported_since_is_a_reason_to_write(pair, tmp_path, clock):
    county, point = pair
    uuid = collected(point, 35)
    with live(county, tmp_path / "serve") as server:
        net.send(point, server.url, retries=FAST)
        clock.set(2026, 11, 2, 14, 0)
        county.accept(user(county, "clerk1"), uuid)
        county.export_bundle(tmp_path / "serve" / "returns", for_point=POINT)
        net.fetch(point, server.url, retries=FAST)
        clock.set(2026, 11, 2, 15, 0)
        result = net.send(point, server.url, retries=FAST)
    assert result.why == ["已导入县级第 1 号回执包，需确认收到"]
    assert [s.seq for s in result.sent] == [2]


def test_resend_only_writes_nothing_and_resends_the_unsent(pair, tmp_path, capsys):
    county, point = pair
    collected(point, 35)
    outbox = net.outbox_dir(point.store.path)
    outbox.mkdir()
    point.export_bundle(outbox)  # written by an earlier send that could not reach the county
    collected(point, 35, n=1)  # new records after the unsent bundle: not written with --resend-only
    with live(county, tmp_path / "serve") as server:
        code = main(
            ["send", "--db", str(point.store.path), "--to", server.url, "--resend-only", "--json"]
        )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (out["written"], out["why"], out["nothing_new"]) == (None, [], False)
    assert [(s["seq"], s["http"]) for s in out["sent"]] == [(1, 201)]
    assert len(outbox_files(point)) == 1
    assert net.pending_bundles(outbox, POINT, OFFICE) == []


def test_the_command_says_why_it_wrote(pair, tmp_path, capsys):
    county, point = pair
    collected(point, 35)
    with live(county, tmp_path / "serve") as server:
        assert main(["send", "--db", str(point.store.path), "--to", server.url]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("已写出上报包（本机有 3 条记录尚未上报）：")
    assert "第 1 号包：县级已收下并导入。" in out


def test_network_down_then_the_stick_then_the_network_again_changes_nothing_twice(
    pair, tmp_path, clock
):
    """README "When the network is down": the evening goes by stick, the bundle left in the
    outbox is sent once the network is back and changes nothing."""
    county, point = pair
    uuid = collected(point, 35)
    dead = net.Retries(attempts=1)
    try:
        net.send(point, "http://127.0.0.1:9", retries=dead)
    except net.NetProblem as exc:
        assert "连不上县级服务" in str(exc) and "网络恢复后再发送，或用 U 盘带去" in str(exc)
    else:
        raise AssertionError("the send should have failed")
    stick = point.export_bundle(_usb(tmp_path))  # 日终上报 F10: bundle 2 on the stick
    assert stick.seq == 2
    assert county.import_bundle(stick.path).status == "imported"
    head = county.sync_store().head(POINT)
    clock.set(2026, 11, 3, 9, 0)  # the next morning, the network is back
    with live(county, tmp_path / "serve") as server:
        result = net.send(point, server.url, retries=FAST)
    assert (result.written, [(s.seq, s.http_status, s.state) for s in result.sent]) == (
        None,
        [(1, 200, "duplicate")],
    )
    assert "第 1 号包：县级已有（未作改动）。" in net.send_text(result)
    assert county.sync_store().head(POINT) == head
    assert county.store.get_case(uuid) is not None
    assert net.pending_bundles(net.outbox_dir(point.store.path), POINT, OFFICE) == []


def _usb(tmp_path):  # type: ignore[no-untyped-def]
    usb = tmp_path / "usb"
    usb.mkdir()
    return usb
