"""Every fault an import can meet: refused (nothing changed) or reported, never silently applied."""

from __future__ import annotations

import json
import shutil
from datetime import datetime

import pytest
from support.clock import Clock
from support.sync import (
    OFFICE,
    OTHER_POINT,
    POINT,
    collected,
    exchange_keys,
    export,
    installation,
    snapshot,
    user,
)
from support.tamper import tamper_sql

from clerk.cli import main
from clerk.domain.clock import TZ
from clerk.domain.model import Action, CaseState, Event
from clerk.ports.records import CaseChanges
from clerk.storage.sqlite.files import verify_file
from clerk.sync import keys, peers
from clerk.sync.exchange import report_text


def refused_unchanged(window, path, code: str):
    before = snapshot(window)
    report = window.import_bundle(path)
    assert report.status == "refused", report.message
    assert report.refusal == code, report.message
    assert snapshot(window) == before
    return report


# ------------------------------------------------------------------ duplicates and order


def test_the_same_bundle_twice_changes_nothing_the_second_time(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    assert county.import_bundle(path).status == "imported"
    before = snapshot(county)
    again = county.import_bundle(path)
    assert again.status == "duplicate" and again.duplicates == 1
    assert "已经导入过" in again.message
    assert snapshot(county) == before


def test_a_late_old_bundle_after_a_newer_one_changes_nothing(pair, tmp_path):
    county, point = pair
    a = collected(point, 35, 0)
    first = export(point, tmp_path / "one").path
    b = collected(point, 34, 1)
    second = export(point, tmp_path / "two").path
    assert county.import_bundle(second).status == "imported"
    assert county.store.get_case(a) is not None and county.store.get_case(b) is not None
    before = snapshot(county)
    late = county.import_bundle(first)
    assert late.status == "duplicate"
    assert "较早的第 1 号包" in late.message
    assert snapshot(county) == before


def test_bundles_in_order_after_one_out_of_order_still_import(pair, tmp_path):
    county, point = pair
    collected(point, 35, 0)
    first = export(point, tmp_path / "one").path
    collected(point, 34, 1)
    second = export(point, tmp_path / "two").path
    collected(point, 35, 2)
    third = export(point, tmp_path / "three").path
    assert county.import_bundle(second).status == "imported"
    assert county.import_bundle(first).status == "duplicate"
    report = county.import_bundle(third)
    assert report.status == "imported"
    assert report.imported["cases"] == 1


def test_a_gap_names_the_bundle_to_bring_and_applies_nothing(pair, tmp_path):
    county, point = pair
    collected(point, 35, 0)
    # The county office's file is restored from a backup taken before bundle 1 was imported.
    county.store.backup(tmp_path / "old.db")
    shutil.copytree(keys.key_dir(county.store.path), keys.key_dir(tmp_path / "old.db"))
    county.import_bundle(export(point, tmp_path / "one").path)
    point.import_bundle(
        export(county, tmp_path / "ret", for_point=POINT).path
    )  # acknowledges bundle 1
    collected(point, 34, 1)
    second = export(point, tmp_path / "two").path
    from clerk.db import Store
    from clerk.domain.catalog import default_catalog
    from clerk.domain.offices import default_offices
    from clerk.service.window import Window

    old = Window(
        Store.open(tmp_path / "old.db", clock=county.clock),
        default_catalog(),
        default_offices(),
        clock=county.clock,
        documents_root=tmp_path / "olddocs",
    )
    before = snapshot(old)
    report = old.import_bundle(second)
    assert report.status == "gap"
    assert report.gaps[0]["bring"] == 1 and report.gaps[0]["missing_from"] == 1
    assert "请带来第 1 号上报包" in report.message
    assert snapshot(old) == before
    old.store.close()


def test_a_bundle_number_reused_with_other_content_is_refused(pair, tmp_path):
    county, point = pair
    point.store.backup(tmp_path / "pointcopy.db")
    collected(point, 35, 0)
    county.import_bundle(export(point, tmp_path / "one").path)
    # Another bundle 1 from the same point with different content (its file restored from a backup).
    from clerk.db import Store
    from clerk.domain.catalog import default_catalog
    from clerk.domain.offices import default_offices
    from clerk.service.window import Window

    shutil.copytree(keys.key_dir(point.store.path), keys.key_dir(tmp_path / "pointcopy.db"))
    copy = Window(
        Store.open(tmp_path / "pointcopy.db", clock=point.clock),
        default_catalog(),
        default_offices(),
        clock=point.clock,
        documents_root=tmp_path / "copydocs",
    )
    collected(copy, 34, 1)
    other = export(copy, tmp_path / "other").path
    copy.store.close()
    before = snapshot(county)
    report = county.import_bundle(other)
    assert report.refusal == "conflicting_bundle"
    assert snapshot(county) == before


# ------------------------------------------------------------------ damaged files


@pytest.mark.parametrize("where", [0.1, 0.5, 0.99])
def test_one_byte_changed_anywhere_is_refused_and_nothing_changes(pair, tmp_path, where):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    data = bytearray(path.read_bytes())
    start = data.index(b"\n") + 1
    data[start + int((len(data) - start - 1) * where)] ^= 0x20
    path.write_bytes(bytes(data))
    report = refused_unchanged(county, path, "damaged")
    assert report_text(report).startswith("未导入，本机未作任何改动：上报包无法解密")


def test_a_changed_header_is_refused(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    data = path.read_bytes().replace(b'"seq":1', b'"seq":7', 1)
    path.write_bytes(data)
    refused_unchanged(county, path, "bad_part")


def test_a_truncated_file_is_refused(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    data = path.read_bytes()
    path.write_bytes(data[: len(data) - 200])
    report = refused_unchanged(county, path, "damaged")
    assert "不完整" in report.message


def test_a_payload_re_signed_by_a_stranger_is_refused(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    from clerk.sync import bundle as fmt

    stranger_dir = tmp_path / "stranger"
    keys.generate(stranger_dir, POINT, "冒充者")
    stranger = keys.load(stranger_dir)
    path = export(point, tmp_path / "usb").path
    pair_keys = keys.load(keys.key_dir(county.store.path))
    header, rest = fmt.read_header(path.read_bytes())
    envelope = fmt.decrypt(rest, pair_keys.identity)
    payload = fmt._untar(envelope, "damaged")["payload.tar.gz"]  # noqa: SLF001
    forged = fmt.encrypt(
        fmt.sign_envelope(payload, stranger), header, [pair_keys.public.age_recipient]
    )
    path.write_bytes(forged)
    refused_unchanged(county, path, "bad_signature")


# ------------------------------------------------------------------ senders and receivers


def test_a_bundle_for_another_office_or_point_is_refused(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    report = refused_unchanged(point, path, "wrong_receiver")
    assert "不是给本机（LS01）的" in report.message


def test_an_unknown_sender_is_refused(pair, tmp_path, clock):
    county, point = pair
    stranger = installation(tmp_path / "other", OTHER_POINT, clock)
    public = peers.init_keys(stranger.store, stranger.offices, stranger.store.path, None)
    county_public = peers.own_public(county.store.path)
    peers.add_peer(
        stranger.store.sync_store(),
        stranger.offices,
        stranger.me(),
        county_public,
        stranger.store.now(),
    )
    collected(stranger, 35)
    path = export(stranger, tmp_path / "usb").path
    report = refused_unchanged(county, path, "unknown_sender")
    assert "没有登记 LS02 的公钥" in report.message
    assert public.point_code == OTHER_POINT
    stranger.store.close()


def test_a_revoked_sender_is_refused(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    peers.revoke_peer(county.store.sync_store(), POINT, county.store.now())
    report = refused_unchanged(county, path, "revoked_sender")
    assert "已被吊销" in report.message


def test_a_newer_schema_is_refused(pair, tmp_path, monkeypatch):
    """Format 1 (raw rows): a bundle from a newer database is refused with what to do."""
    from functools import partial

    from clerk.sync import exchange
    from clerk.sync import export as exporting

    monkeypatch.setattr(exchange, "build_export", partial(exporting.build_export, format=1))
    county, point = pair
    collected(point, 35)
    newer = point.store.sync_store().schema_version() + 1  # the manifest's schema number
    monkeypatch.setattr(point.store.sync_store(), "schema_version", lambda: newer)
    path = export(point, tmp_path / "usb").path
    report = refused_unchanged(county, path, "newer_schema")
    assert "请先升级本机的 clerk" in report.message


# ------------------------------------------------------------------ conflicts


def test_two_versions_of_one_case_the_other_is_reported_never_overwritten(pair, tmp_path):
    county, point = pair
    uuid = collected(point, 35)
    county.import_bundle(export(point, tmp_path / "one").path)
    # The point's copy is changed behind the service's back: same uuid, other content.
    tamper_sql(
        point.store,
        "UPDATE cases SET applicant_name = '李四', version = version + 1 WHERE uuid = ?",
        (uuid,),
    )
    report = county.import_bundle(export(point, tmp_path / "two").path)
    assert [r["kind"] for r in report.rejected] == ["case"]
    assert report.rejected[0]["fields"] == ["applicant_name"]
    assert county.store.get_case(uuid).applicant_name == "张三丰"
    assert [c.kind for c in county.store.sync_store().conflicts()] == ["content"]


def test_a_move_by_a_point_that_no_longer_owns_the_case_goes_to_the_conflict_queue(
    pair, tmp_path, clock
):
    county, point = pair
    uuid = collected(point, 35)
    county.import_bundle(export(point, tmp_path / "one").path)
    county.accept(user(county, "clerk1"), uuid)
    # The point refuses it anyway (an old program, or a clerk editing the file): its own chain says so.
    row = point.store.get_case(uuid)
    event = Event(
        uuid,
        Action.REFUSE,
        "clerk1",
        clock(),
        CaseState.DRAFT,
        CaseState.REFUSED,
        reason="材料不实",
    )
    with point.store.transaction():
        point.store.append_event(event, POINT)
        point.store.update_case(uuid, CaseChanges(state="refused"), expected_version=row.version)
    report = county.import_bundle(export(point, tmp_path / "two").path)
    assert [(c["action"], c["owner"]) for c in report.conflicts] == [("refuse", OFFICE)]
    assert county.store.get_case(uuid).state == CaseState.ACCEPTED
    (row,) = county.conflicts()
    assert "不拥有该件" in row.what
    county.resolve_conflict(user(county, "boss"), row.id, "keep")
    assert county.conflicts() == []
    assert county.store.events_for(uuid)[-1]["action"] == "resolve"
    assert county.store.get_case(uuid).state == CaseState.ACCEPTED
    assert verify_file(county.store.path)["ok"]


def test_only_a_supervisor_resolves_conflicts(pair, tmp_path, clock):
    county, point = pair
    uuid = collected(point, 35)
    county.import_bundle(export(point, tmp_path / "one").path)
    county.accept(user(county, "clerk1"), uuid)
    row = point.store.get_case(uuid)
    with point.store.transaction():
        point.store.append_event(
            Event(uuid, Action.REFUSE, "clerk1", clock(), CaseState.DRAFT, CaseState.REFUSED, "x"),
            POINT,
        )
        point.store.update_case(uuid, CaseChanges(state="refused"), expected_version=row.version)
    county.import_bundle(export(point, tmp_path / "two").path)
    (conflict,) = county.conflicts()
    with pytest.raises(ValueError, match="只有主管"):
        county.resolve_conflict(user(county, "clerk1"), conflict.id, "take")


def test_events_dated_in_the_future_are_flagged_not_reordered(tmp_path):
    county_clock = Clock(datetime(2026, 11, 2, 9, 30, tzinfo=TZ))
    point_clock = Clock(datetime(2026, 11, 3, 9, 30, tzinfo=TZ))  # a day ahead
    county = installation(tmp_path / "county", OFFICE, county_clock)
    point = installation(tmp_path / "point", POINT, point_clock)
    exchange_keys(county, point)
    collected(point, 35)
    report = county.import_bundle(export(point, tmp_path / "usb").path)
    assert report.status == "imported"
    assert {f["why"][:8] for f in report.flagged} == {"事件时间晚于本机"}
    county.store.close()
    point.store.close()


# ------------------------------------------------------------------ the command line


def test_cli_import_reports_json_keys_and_exit_status(pair, tmp_path, capsys):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    county.store.close()
    assert main(["import", str(path), "--db", str(tmp_path / "county" / "clerk.db"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"imported", "duplicates", "conflicts", "rejected", "gaps", "acknowledged"} <= set(out)
    assert out["imported"]["cases"] == 1
    assert main(["import", str(path), "--db", str(tmp_path / "county" / "clerk.db"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "duplicate"


def test_cli_refusal_is_chinese_and_non_zero(pair, tmp_path, capsys):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    path.write_bytes(path.read_bytes()[:-50])
    county.store.close()
    assert main(["import", str(path), "--db", str(tmp_path / "county" / "clerk.db")]) == 1
    assert "未导入，本机未作任何改动" in capsys.readouterr().err


def test_cli_export_writes_into_the_directory(pair, tmp_path, capsys):
    county, point = pair
    collected(point, 35)
    point.store.close()
    (tmp_path / "usb").mkdir()
    assert (
        main(
            [
                "export",
                "--db",
                str(tmp_path / "point" / "clerk.db"),
                "--out",
                str(tmp_path / "usb"),
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["seq"] == 1 and out["to"] == OFFICE
    assert (tmp_path / "usb" / "clerk-LS01-YZ03-000001.clerkbundle").is_file()


def test_cli_export_at_the_county_needs_for(pair, tmp_path, capsys):
    county, point = pair
    county.store.close()
    (tmp_path / "usb").mkdir()
    assert (
        main(
            [
                "export",
                "--db",
                str(tmp_path / "county" / "clerk.db"),
                "--out",
                str(tmp_path / "usb"),
            ]
        )
        == 1
    )
    assert "--for" in capsys.readouterr().err


def test_a_report_bundle_cannot_be_passed_off_as_a_return(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    data = path.read_bytes().replace(b'"kind":"report"', b'"kind":"return"', 1)
    path.write_bytes(data)
    refused_unchanged(county, path, "wrong_receiver")


def test_a_storage_failure_during_apply_changes_nothing_and_leaves_no_files(
    pair, tmp_path, monkeypatch
):
    import sqlite3

    from clerk.storage.sqlite import sync as storage_sync

    county, point = pair
    uuid = collected(point, 35)
    path = export(point, tmp_path / "usb").path
    monkeypatch.setattr(
        storage_sync.SQLiteSyncStore,
        "record_bundle",
        lambda *a, **k: (_ for _ in ()).throw(sqlite3.OperationalError("database or disk is full")),
    )
    before = snapshot(county)
    report = county.import_bundle(path)
    assert report.status == "refused" and "磁盘空间已满" in report.message
    assert snapshot(county) == before
    assert county.store.get_case(uuid) is None
    received = tmp_path / "county" / "documents" / "received"
    assert not received.exists() or list(received.rglob("*.pdf")) == []


def test_events_running_backwards_are_flagged(pair, tmp_path, clock):
    county, point = pair
    collected(point, 35, 0)
    clock.set(2026, 11, 2, 8, 0)  # the point's clock was put back an hour and a half
    collected(point, 34, 1)
    clock.set(2026, 11, 2, 9, 30)
    report = county.import_bundle(export(point, tmp_path / "usb").path)
    assert report.status == "imported"
    assert report.flagged and {f["why"][:9] for f in report.flagged} == {"事件时间早于同一来"}
    assert report.imported["cases"] == 2  # flagged, still applied in sequence order


def test_a_case_of_another_point_in_a_bundle_is_refused_and_reported(pair, tmp_path):
    county, point = pair
    uuid = collected(point, 35)
    tamper_sql(point.store, "UPDATE cases SET point_code = 'LS02' WHERE uuid = ?", (uuid,))
    report = county.import_bundle(export(point, tmp_path / "usb").path)
    assert [(r["kind"], r["why"]) for r in report.rejected][:1] == [
        ("case", "不是 LS01 的办件，未导入。")
    ]
    assert county.store.get_case(uuid) is None


def test_a_conflict_line_names_the_action_in_chinese() -> None:
    from clerk.sync.report import ImportReport

    report = ImportReport(message="已导入。")
    report.conflicts.append(
        {"case_no": "YZ0320261109001U", "origin": "LS01", "seq": 7, "action": "withdraw"}
    )
    assert report_text(report).splitlines()[1] == (
        "冲突 YZ0320261109001U：LS01 第 7 条“撤回”不是办件所有方所作，已列入冲突队列。"
    )


def test_an_action_a_newer_program_wrote_is_shown_as_it_is() -> None:
    from clerk.domain.model import action_label

    assert (action_label("withdraw"), action_label("transmogrify"), action_label(None)) == (
        "撤回",
        "transmogrify",
        "",
    )
