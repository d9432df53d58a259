"""Bundles over HTTP against a real `clerk serve` on 127.0.0.1: send, resend, conflicts, gaps,
dropped connections, points at once, fetching the return bundle."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

from support.net import FAST, Dropper, client, live
from support.sync import OFFICE, OTHER_POINT, POINT, collected, export, installation, user

from clerk.domain.model import CaseState
from clerk.net import client as net
from clerk.service.window import Window
from clerk.storage.sqlite.files import verify_file
from clerk.sync import bundle as fmt
from clerk.sync import keys, peers


def header_of(path: Path) -> fmt.Header:
    return fmt.read_header(path.read_bytes())[0]


def events_of(window: Window, origin: str) -> int:
    head = window.sync_store().head(origin)
    return head[0] if head else 0


def test_a_day_and_its_return_travel_over_http_as_by_usb(pair, tmp_path, clock):
    county, point = pair
    uuid = collected(point, 35)
    with live(county, tmp_path / "serve") as server:
        result = net.send(point, server.url, retries=FAST)
        assert [(s.seq, s.http_status, s.state) for s in result.sent] == [(1, 201, "imported")]
        assert result.sent[0].answer["report"]["imported"]["cases"] == 1
        assert county.store.get_case(uuid).state == CaseState.DRAFT
        # the county decides and writes the return bundle as today, where serve finds it
        clock.set(2026, 11, 2, 14, 0)
        county.accept(user(county, "clerk1"), uuid)
        county.export_bundle(tmp_path / "serve" / "returns", for_point=POINT)
        reports = net.fetch(point, server.url, retries=FAST)
        assert [r.status for r in reports] == ["imported"]
        assert point.store.get_case(uuid).state == CaseState.ACCEPTED
        assert net.fetch(point, server.url, retries=FAST) == []  # nothing after the last
        # a send with nothing left to resend writes the next bundle and sends only that
        again = net.send(point, server.url, retries=FAST)
        assert [s.seq for s in again.sent] == [2]
    for w in (county, point):
        assert verify_file(w.store.path)["ok"]
    sent_marks = sorted(p.name for p in net.outbox_dir(point.store.path).glob("*.sent.json"))
    assert len(sent_marks) == 2  # nothing deleted, each marked with the county's answer


def test_an_identical_resend_gets_the_stored_report_and_other_content_gets_409(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    header = header_of(path)
    with live(county, tmp_path / "serve") as server, client(point, server.url) as c:
        first = c.put_bundle(path, header)
        assert first[0] == 201
        before = events_of(county, POINT)
        second = c.put_bundle(path, header)
        assert second == (200, first[1])
        forged = tmp_path / "other.clerkbundle"
        data = bytearray(path.read_bytes())
        data[-10] ^= 0xFF
        forged.write_bytes(bytes(data))
        status, body = c.put_bundle(forged, header)
        assert status == 409 and body["refusal"] == "conflicting_bundle"
        assert "内容不同" in body["message"]
        assert events_of(county, POINT) == before
        assert (c.put_bundle(path, header))[0] == 200  # the original is still the one kept


def test_the_same_bundle_by_usb_and_by_network_changes_nothing_the_second_time(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    assert county.import_bundle(path).status == "imported"
    with live(county, tmp_path / "serve") as server, client(point, server.url) as c:
        status, body = c.put_bundle(path, header_of(path))
    assert status == 200 and body["state"] == "duplicate"


def test_the_same_bundle_sent_twice_at_once_is_imported_once(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    answers: list[int] = []
    with live(county, tmp_path / "serve") as server:

        def put() -> None:
            with client(point, server.url) as c:
                answers.append(c.put_bundle(path, header_of(path))[0])

        threads = [threading.Thread(target=put) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert sorted(answers) == [200, 201]
    assert county.sync_store().last_bundle("in", POINT)["seq"] == 1


def copy_installation(window: Window, root: Path) -> Path:
    """A copy of `window`'s database and keys, as a backup restored at `root` would be."""
    root.mkdir(parents=True)
    target = root / "clerk.db"
    src = sqlite3.connect(window.store.path)
    dst = sqlite3.connect(target)
    src.backup(dst)
    src.close()
    dst.close()
    shutil.copytree(keys.key_dir(window.store.path), keys.key_dir(target))
    return target


def test_a_gap_waits_for_the_missing_bundle_then_both_apply(pair, tmp_path, clock):
    county, point = pair
    first = collected(point, 35, n=0)
    county.import_bundle(export(point, tmp_path / "usb").path)
    # the county is later restored from a backup taken now: it will lack bundle 2
    restored_path = copy_installation(county, tmp_path / "restored")
    second = collected(point, 35, n=1)
    bundle2 = export(point, tmp_path / "usb").path
    county.import_bundle(bundle2)
    point.import_bundle(export(county, tmp_path / "usb", for_point=POINT).path)  # acks 1 and 2
    third = collected(point, 35, n=2)
    bundle3 = export(point, tmp_path / "usb").path
    assert header_of(bundle3).seq == 3
    from clerk.service.compose import open_window

    restored = open_window(restored_path, clock=clock, documents_root=tmp_path / "rdocs")
    try:
        with live(restored, tmp_path / "serve") as server, client(point, server.url) as c:
            status, body = c.put_bundle(bundle3, header_of(bundle3))
            assert status == 202 and body["state"] == "waiting" and body["waiting_for"] == 2
            assert "第 2 号" in body["report"]["message"]
            assert restored.store.get_case(third) is None
            status, body = c.put_bundle(bundle2, header_of(bundle2))
            assert status == 201 and body["state"] == "imported"
            # bundle 3 was imported as soon as 2 filled the gap; a resend says so
            status, body = c.put_bundle(bundle3, header_of(bundle3))
            assert status == 200 and body["state"] == "imported"
        for uuid in (first, second, third):
            assert restored.store.get_case(uuid) is not None
        assert restored.sync_store().last_bundle("in", POINT)["seq"] == 3
        assert events_of(restored, POINT) == events_of(point, POINT)  # the whole chain, once
    finally:
        restored.store.close()


def test_a_later_bundle_carries_an_earlier_one_that_never_arrived(pair, tmp_path):
    county, point = pair
    collected(point, 35, n=0)
    export(point, tmp_path / "lost-stick")  # bundle 1, never delivered
    collected(point, 35, n=1)
    bundle2 = export(point, tmp_path / "usb").path
    with live(county, tmp_path / "serve") as server, client(point, server.url) as c:
        status, body = c.put_bundle(bundle2, header_of(bundle2))
    assert status == 201 and body["report"]["imported"]["cases"] == 2


def test_a_connection_dropped_mid_upload_is_retried_and_the_bundle_imported_once(pair, tmp_path):
    county, point = pair
    for n in range(3):
        collected(point, 35, n=n)
    path = export(point, tmp_path / "usb").path
    size = path.stat().st_size
    with live(county, tmp_path / "serve") as server:
        relay = Dropper(server.port, after=size // 2)
        try:
            with client(point, relay.url) as c:
                status, body = c.put_bundle(path, header_of(path))
        finally:
            relay.close()
        assert relay.connections >= 2
        assert status == 201 and body["report"]["imported"]["cases"] == 3
        assert not list((tmp_path / "serve" / "spool").glob(".*.part"))  # the torn upload is gone
    assert county.sync_store().last_bundle("in", POINT)["seq"] == 1


def test_an_answer_lost_after_the_import_is_retried_and_answered_from_the_spool(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    with live(county, tmp_path / "serve") as server:
        relay = Dropper(server.port, after=None)
        try:
            result = net.send(point, relay.url, retries=FAST)
        finally:
            relay.close()
    assert [(s.http_status, s.state) for s in result.sent] == [(200, "imported")]
    assert events_of(county, POINT) == events_of(point, POINT)


def test_a_send_that_cannot_reach_the_county_keeps_everything_for_the_next(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    dead = "http://127.0.0.1:9"  # discard port: nothing listens
    try:
        net.send(point, dead, retries=net.Retries(attempts=2, wait_initial=0.01, wait_max=0.01))
    except net.NetProblem as exc:
        assert exc.code == "network" and "U 盘" in str(exc)
    else:
        raise AssertionError("the send should have failed")
    outbox = net.outbox_dir(point.store.path)
    assert len(net.pending_bundles(outbox, POINT, OFFICE)) == 1
    with live(county, tmp_path / "serve") as server:
        result = net.send(point, server.url, retries=FAST, write_new=False)
    assert [(s.seq, s.http_status) for s in result.sent] == [(1, 201)]
    assert net.pending_bundles(outbox, POINT, OFFICE) == []


def second_point(county: Window, tmp_path: Path, clock) -> Window:  # type: ignore[no-untyped-def]
    other = installation(tmp_path / "point2", OTHER_POINT, clock)
    mine = peers.init_keys(other.store, other.offices, other.store.path, None)
    peers.add_peer(county.sync_store(), county.offices, county.me(), mine, county.store.now())
    office = peers.own_public(county.store.path)
    peers.add_peer(other.sync_store(), other.offices, other.me(), office, other.store.now())
    return other


def test_two_points_uploading_at_once_are_both_imported(pair, tmp_path, clock):
    county, point = pair
    other = second_point(county, tmp_path, clock)
    try:
        cases = {POINT: collected(point, 35, n=0), OTHER_POINT: collected(other, 35, n=1)}
        results: dict[str, list[tuple[int, int]]] = {}
        with live(county, tmp_path / "serve") as server:

            def go(w: Window) -> None:
                r = net.send(w, server.url, retries=FAST)
                results[w.me().code] = [(s.seq, s.http_status) for s in r.sent]

            threads = [threading.Thread(target=go, args=(w,)) for w in (point, other)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
        assert results == {POINT: [(1, 201)], OTHER_POINT: [(1, 201)]}
        for uuid in cases.values():
            assert county.store.get_case(uuid) is not None
        assert verify_file(county.store.path)["ok"]
    finally:
        other.store.close()
