"""The county -> city road over the network (issue 22 with issue 21): two counties, each with a
township point, and the city, each county and the city running a real `clerk serve` on
127.0.0.1. The point sends to its county, the county to the city; the city's figures equal the
counties' ledgers; the city's acknowledgement fetched back becomes a checkpoint at the county."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from support import postgres
from support.city import (
    CITY,
    OFFICE2,
    POINT_OF,
    World,
    city_world,
    county_installation,
    own_keys,
    register,
    work_a_day,
)
from support.net import FAST, LiveServer, client, county_config, live
from support.sync import OFFICE, export, snapshot

from clerk.cli import main
from clerk.domain.indicators import Period
from clerk.net import client as net
from clerk.net.server import make_app
from clerk.service.compose import open_window
from clerk.service.window import Window
from clerk.storage.sqlite.files import verify_file
from clerk.sync import bundle as fmt
from clerk.sync import peers

ENGINES = [
    "sqlite",
    pytest.param(
        "postgres",
        marks=pytest.mark.skipif(
            postgres.skip_reason() is not None, reason=postgres.skip_reason() or ""
        ),
    ),
]


@pytest.fixture
def world(tmp_path: Path, clock) -> Iterator[World]:  # type: ignore[no-untyped-def]
    built = city_world(tmp_path / "world", clock)
    yield built
    built.close()


@pytest.fixture(params=ENGINES)
def any_world(request, tmp_path: Path, clock) -> Iterator[World]:  # type: ignore[no-untyped-def]
    """The city on SQLite, or on PostgreSQL (`clerk serve --db postgresql://…`)."""
    url = postgres.fresh_database() if request.param == "postgres" else None
    built = city_world(tmp_path / "world", clock, url)
    yield built
    built.close()
    if url is not None:
        postgres.drop_database(url)


@contextmanager
def serving(window: Window, root: Path) -> Iterator[LiveServer]:
    """`clerk serve` on `window`'s database: its file, or its PostgreSQL URL."""
    if window.store.path is not None:
        with live(window, root) as server:
            yield server
        return
    config = county_config(root)
    config.returns.mkdir(parents=True, exist_ok=True)
    target, clock = window.store.location, window.clock
    documents = window.context.documents.root
    app = make_app(lambda: open_window(target, clock=clock, documents_root=documents), config)
    server = LiveServer(app).start()
    try:
        yield server
    finally:
        server.stop()


def up_the_road(world: World, tmp_path: Path, stack: ExitStack, codes=(OFFICE, OFFICE2)):  # type: ignore[no-untyped-def]
    """Each point sends its day to its county's server, each county its bundle to the city's;
    returns the city's server."""
    city_server = stack.enter_context(serving(world.city, tmp_path / "city"))
    for code in codes:
        county, point = world.counties[code], world.points[POINT_OF[code]]
        county_server = stack.enter_context(live(county, tmp_path / code))
        up = net.send(point, county_server.url, retries=FAST)
        assert [(s.seq, s.http_status, s.state) for s in up.sent] == [(1, 201, "imported")]
        assert up.to == code
        result = net.send(county, city_server.url, retries=FAST)
        assert result.to == CITY
        assert result.written is not None and result.why
        assert [(s.seq, s.http_status, s.state) for s in result.sent] == [(1, 201, "imported")]
    return city_server


def test_points_send_to_counties_and_counties_to_the_city_and_the_figures_add_up(
    any_world, tmp_path
):  # type: ignore[no-untyped-def]
    world = any_world
    for i, (code, county) in enumerate(world.counties.items()):
        work_a_day(county, world.points[POINT_OF[code]], 2 * i)
    with ExitStack() as stack:
        up_the_road(world, tmp_path, stack)
    day = world.city.today()
    at_city = world.city.supervision(Period.day(day))
    for code, county in world.counties.items():
        assert county.ledger(day).received == 3
        figures = at_city.office(code).figures
        assert figures.received == 3
        assert county.supervision(Period.day(day)).office(code).figures == figures
    assert (at_city.total.received, at_city.total.accepted, at_city.total.bad) == (6, 4, 2)
    expected = {}
    for county in world.counties.values():
        expected.update(county.store.sync_store().heads())
    assert world.city.store.sync_store().heads() == expected
    assert set(expected) == {"YZ03", "LS01", "YZ05", "DA01"}
    assert world.city.store.verify(full=True).ok
    for w in [*world.counties.values(), *world.points.values()]:
        assert verify_file(w.store.path)["ok"]


def test_the_citys_acknowledgement_fetched_back_becomes_a_checkpoint(world, tmp_path, clock):  # type: ignore[no-untyped-def]
    county = world.counties[OFFICE]
    work_a_day(county, world.points[POINT_OF[OFFICE]], 0)
    with ExitStack() as stack:
        city_server = up_the_road(world, tmp_path, stack, (OFFICE,))
        assert net.fetch(county, city_server.url, retries=FAST) == []  # nothing written yet
        export(world.city, tmp_path / "city" / "returns", OFFICE)  # as `clerk export --for`
        reports = net.fetch(county, city_server.url, retries=FAST)
        assert [r.status for r in reports] == ["imported"]
        heads = county.store.sync_store().heads()
        assert set(reports[0].acknowledged) == set(heads) == {"YZ03", "LS01"}
        assert county.store.sync_store().acks(CITY) == heads
        assert net.fetch(county, city_server.url, retries=FAST) == []
        # the county confirms the return; that bundle carries no event the city confirmed
        clock.set(2026, 11, 2, 16, 0)
        again = net.send(county, city_server.url, retries=FAST)
        assert [(s.seq, s.http_status, s.state) for s in again.sent] == [(2, 201, "imported")]
        assert "已导入市级第 1 号回执包，需确认收到" in again.why
        assert fmt.read_header(again.sent[0].file.read_bytes())[0].kind == "city"
        quiet = net.send(county, city_server.url, retries=FAST)
        assert (quiet.nothing_new, quiet.written, quiet.sent) == (True, None, [])
    assert verify_file(county.store.path)["ok"]
    assert verify_file(world.city.store.path)["ok"]


def test_an_identical_resend_to_the_city_gets_200_and_changes_nothing(world, tmp_path):  # type: ignore[no-untyped-def]
    county = world.counties[OFFICE2]
    work_a_day(county, world.points[POINT_OF[OFFICE2]], 0)
    with ExitStack() as stack:
        city_server = up_the_road(world, tmp_path, stack, (OFFICE2,))
        first = json.loads(
            next(net.outbox_dir(county.store.path).glob("*.sent.json")).read_text("utf-8")
        )
        before = snapshot(world.city)
        path = next(net.outbox_dir(county.store.path).glob(f"clerk-{OFFICE2}-{CITY}-*{fmt.SUFFIX}"))
        with client(county, city_server.url) as c:
            status, body = c.put_bundle(path, fmt.read_header(path.read_bytes())[0])
        assert (status, body) == (200, first["answer"])
        assert snapshot(world.city) == before
        resend = net.send(county, city_server.url, write_new=False, retries=FAST)
        assert resend.sent == []  # the county holds the city's answer: nothing left to send
        assert snapshot(world.city) == before


def test_a_county_the_city_does_not_know_gets_401_and_changes_nothing(world, tmp_path, clock):  # type: ignore[no-untyped-def]
    stranger = county_installation(tmp_path / "YZ07", "YZ07", clock)
    try:
        own_keys(stranger)
        register(stranger, own_keys_of_city(world))
        work_a_day(stranger, stranger, 0)
        with live(world.city, tmp_path / "city") as city_server:
            before = snapshot(world.city)  # the server has noted its spool
            with pytest.raises(net.NetProblem) as refused:
                net.send(stranger, city_server.url, retries=FAST)
            with client(stranger, city_server.url) as c:
                path = next(net.outbox_dir(stranger.store.path).glob(f"*{fmt.SUFFIX}"))
                status, body = c.put_bundle(path, fmt.read_header(path.read_bytes())[0])
        assert refused.value.code == "unauthorized"
        assert "市级服务不认本机的签名" in str(refused.value)
        assert status == 401 and body["refusal"] == "unknown_key"
        assert snapshot(world.city) == before
        assert not (tmp_path / "city" / "spool" / "YZ07").exists()
        assert not list(net.outbox_dir(stranger.store.path).glob("*.sent.json"))
    finally:
        stranger.store.close()


def test_a_county_whose_key_the_city_revoked_gets_401_and_changes_nothing(world, tmp_path):  # type: ignore[no-untyped-def]
    county = world.counties[OFFICE2]
    work_a_day(county, world.points[POINT_OF[OFFICE2]], 0)
    peers.revoke_peer(world.city.store.sync_store(), OFFICE2, world.city.store.now())
    with live(world.city, tmp_path / "city") as city_server:
        before = snapshot(world.city)
        with pytest.raises(net.NetProblem) as refused:
            net.send(county, city_server.url, retries=FAST)
    assert refused.value.code == "unauthorized"
    assert snapshot(world.city) == before
    assert len(net.pending_bundles(net.outbox_dir(county.store.path), OFFICE2, CITY)) == 1


def own_keys_of_city(world: World):  # type: ignore[no-untyped-def]
    return world.publics[CITY]


def test_the_same_bundle_by_usb_and_by_network_changes_nothing_the_second_time(world, tmp_path):  # type: ignore[no-untyped-def]
    for i, (code, county) in enumerate(world.counties.items()):
        work_a_day(county, world.points[POINT_OF[code]], 2 * i)
        point = world.points[POINT_OF[code]]
        assert county.import_bundle(export(point, tmp_path / "up" / code).path).status == "imported"
    with live(world.city, tmp_path / "city") as city_server:
        # YZ03: by USB first, then the very same file over the network
        usb = export(world.counties[OFFICE], tmp_path / "usb", CITY).path
        assert world.city.import_bundle(usb).status == "imported"
        outbox = net.outbox_dir(world.counties[OFFICE].store.path)
        outbox.mkdir(parents=True, exist_ok=True)
        shutil.copy2(usb, outbox / usb.name)
        before = snapshot(world.city)
        by_net = net.send(world.counties[OFFICE], city_server.url, write_new=False, retries=FAST)
        assert [(s.seq, s.http_status, s.state) for s in by_net.sent] == [(1, 200, "duplicate")]
        assert snapshot(world.city) == before
        # YZ05: over the network first, then the same file by USB
        sent = net.send(world.counties[OFFICE2], city_server.url, retries=FAST)
        assert [(s.seq, s.http_status, s.state) for s in sent.sent] == [(1, 201, "imported")]
        before = snapshot(world.city)
        assert sent.written is not None
        assert world.city.import_bundle(sent.written).status == "duplicate"
        assert snapshot(world.city) == before
    assert world.city.supervision(Period.day(world.city.today())).total.received == 6
    assert verify_file(world.city.store.path)["ok"]


def test_a_county_sends_only_to_the_city_and_the_city_sends_nothing_upward(world):  # type: ignore[no-untyped-def]
    county = world.counties[OFFICE]
    with pytest.raises(net.NetProblem, match="只发给市级") as wrong:
        net.send(county, "http://127.0.0.1:9", for_code="LS01")
    assert wrong.value.code == "not_city"
    with pytest.raises(net.NetProblem, match="市级不发送上报包"):
        net.send(world.city, "http://127.0.0.1:9")
    assert net.upstream(county.me(), "yz") == CITY
    assert net.upstream(world.points[POINT_OF[OFFICE]].me()) == OFFICE


def test_clerk_send_and_fetch_at_a_county_from_the_command_line(world, tmp_path, capsys):  # type: ignore[no-untyped-def]
    county = world.counties[OFFICE]
    work_a_day(county, world.points[POINT_OF[OFFICE]], 0)
    db = str(county.store.path)
    with live(world.city, tmp_path / "city") as city_server:
        url = city_server.url
        assert main(["send", "--db", db, "--to", url, "--for", CITY, "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert out["to"] == CITY
        assert [(s["seq"], s["http"], s["answer"]["state"]) for s in out["sent"]] == [
            (1, 201, "imported")
        ]
        assert county.store.get_setting(net.SETTING_CITY_URL) == url
        assert not county.store.get_setting(net.SETTING_URL)  # a point's county address: none
        assert main(["send", "--db", db]) == 0  # the remembered address, the city by default
        assert "本机没有新的记录" in capsys.readouterr().out
        assert main(["fetch", "--db", db]) == 0
        assert "市级没有新的回执包。" in capsys.readouterr().out
        export(world.city, tmp_path / "city" / "returns", OFFICE)
        assert main(["fetch", "--db", db, "--from", url, "--json"]) == 0
        fetched = json.loads(capsys.readouterr().out)
        assert [r["status"] for r in fetched["imported"]] == ["imported"]
        assert main(["send", "--db", db, "--for", "LS01"]) == 1
        assert "只发给市级（YZ）" in capsys.readouterr().err
    assert county.store.sync_store().acks(CITY) == county.store.sync_store().heads()


def test_clerk_serve_on_a_postgresql_url_needs_its_two_folders(capsys):  # type: ignore[no-untyped-def]
    assert main(["serve", "--db", "postgresql://clerk@db.city/clerk"]) == 1
    assert "请用 --spool 和 --returns 指定" in capsys.readouterr().err


@pytest.mark.skipif(postgres.skip_reason() is not None, reason=postgres.skip_reason() or "")
def test_clerk_serve_at_a_city_on_postgresql_takes_a_countys_send(tmp_path, clock, capsys):  # type: ignore[no-untyped-def]
    url = postgres.fresh_database()
    world = city_world(tmp_path / "world", clock, url)
    server = None
    try:
        county = world.counties[OFFICE]
        work_a_day(county, world.points[POINT_OF[OFFICE]], 0)
        assert county.import_bundle(export(world.points["LS01"], tmp_path / "up").path).ok
        port = free_port()
        root = Path(__file__).resolve().parents[1]
        server = subprocess.Popen(
            [sys.executable, "-m", "clerk", "serve", "--db", url, "--listen", f"127.0.0.1:{port}",
             "--spool", str(tmp_path / "received"), "--returns", str(tmp_path / "returns")],
            env={**os.environ, "PYTHONPATH": str(root)},
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/v1/health", timeout=2).json().get("office") == CITY:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, "serve did not start"
            time.sleep(0.1)
        assert main(["send", "--db", str(county.store.path), "--to", base, "--json"]) == 0
        out = json.loads(capsys.readouterr().out)
        assert [(s["seq"], s["http"], s["answer"]["state"]) for s in out["sent"]] == [
            (1, 201, "imported")
        ]
        assert world.city.store.sync_store().heads() == county.store.sync_store().heads()
        assert world.city.store.verify(full=True).ok
    finally:
        if server is not None:
            server.terminate()
            server.communicate(timeout=30)
        world.close()
        postgres.drop_database(url)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
