"""Point -> county -> point with two databases: cases travel, decisions come back, both files verify."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.sync import OFFICE, POINT, collected, export, installation, opened, user

from clerk.domain.model import CaseState
from clerk.ports.records import CaseChanges

pytestmark = pytest.mark.usefixtures("engine")  # on SQLite and on PostgreSQL (support.engines)
# On PostgreSQL a document's bytes live in the database (the rows record relative names), so a
# test that reads or replaces the document files in the documents folder runs on SQLite only.
DOCUMENT_FILES = "reads or replaces the document files; on PostgreSQL the bytes are in the database"


def test_a_collected_case_travels_is_accepted_at_the_county_and_the_outcome_comes_back(
    pair, tmp_path, clock
):
    county, point = pair
    uuid = collected(point, 35)
    report_file = export(point, tmp_path / "usb").path
    report = county.import_bundle(report_file)
    assert report.status == "imported", report.message
    assert report.imported["cases"] == 1
    assert county.store.get_case(uuid).state == CaseState.DRAFT
    assert [r.uuid for r in county.handed_to_me()] == [uuid]
    clock.set(2026, 11, 2, 14, 0)
    county.accept(user(county, "clerk1"), uuid)
    back = export(county, tmp_path / "usb", for_point=POINT).path
    returned = point.import_bundle(back)
    assert returned.status == "imported", returned.message
    assert point.store.get_case(uuid).state == CaseState.ACCEPTED
    assert [d["to"] for d in returned.decisions] == ["已受理"]
    assert returned.decisions[0]["applicant"] == "张*丰"


def test_both_files_verify_and_hold_each_others_chain_heads(pair, tmp_path, clock):
    county, point = pair
    uuid = collected(point, 35)
    county.import_bundle(export(point, tmp_path / "usb").path)
    county.accept(user(county, "clerk1"), uuid)
    point.import_bundle(export(county, tmp_path / "usb", for_point=POINT).path)
    county.import_bundle(
        export(point, tmp_path / "usb").path
    )  # carries the point's acknowledgement
    county_heads = county.store.sync_store().heads()
    point_heads = point.store.sync_store().heads()
    assert point_heads[f"{OFFICE}:{POINT}"] == county_heads[f"{OFFICE}:{POINT}"]
    assert county_heads[POINT] == point_heads[POINT]
    assert (
        county.store.sync_store().acks(POINT)[f"{OFFICE}:{POINT}"]
        == county_heads[f"{OFFICE}:{POINT}"]
    )
    assert point.store.sync_store().acks(OFFICE)[POINT] == point_heads[POINT]
    for w in (county, point):
        report = w.store.verify(full=True)  # the port's proof: the same on either engine
        assert report.ok, report.problems
    checkpoints = {r.origin: r.hash for r in county.store.checkpoints()}
    assert checkpoints[f"{OFFICE}:{POINT}"] == county_heads[f"{OFFICE}:{POINT}"][1]
    point_checkpoints = {r.origin: r.hash for r in point.store.checkpoints()}
    assert point_checkpoints[POINT] == point_heads[POINT][1]


def test_a_case_accepted_at_the_point_that_needs_review_lands_in_the_county_review_queue(
    pair, tmp_path
):
    county, point = pair
    uuid = opened(point, 19)
    point.accept(user(point, "clerk1"), uuid)
    assert point.queues(user(point, "rev1")).my_review == []
    county.import_bundle(export(point, tmp_path / "usb").path)
    review = county.queues(user(county, "rev1")).my_review
    assert [s.uuid for s in review] == [uuid]


def test_the_point_may_not_decide_a_case_it_handed_on(pair):
    county, point = pair
    uuid = collected(point, 35)
    with pytest.raises(ValueError, match="已转报 YZ03"):
        point.refuse(user(point, "clerk1"), uuid, "材料不实")


def test_the_county_may_not_decide_a_point_case_that_was_not_handed_on(pair, tmp_path):
    county, point = pair
    uuid = opened(point, 9)
    county.import_bundle(export(point, tmp_path / "usb").path)
    with pytest.raises(ValueError, match="由服务点 LS01 办理，尚未转报本机"):
        county.accept(user(county, "clerk1"), uuid)


def test_a_township_collects_34_and_35_instead_of_accepting(pair):
    county, point = pair
    uuid = opened(point, 34)
    with pytest.raises(ValueError, match="收件转报"):
        point.accept(user(point, "clerk1"), uuid)
    view = point.collect(user(point, "clerk1"), uuid)
    assert [d.kind for d in view.documents] == ["collection"]
    assert view.state == CaseState.DRAFT


def test_export_carries_everything_not_yet_acknowledged(pair, tmp_path):
    county, point = pair
    first = collected(point, 35, 0)
    export(point, tmp_path / "lost")  # this stick is lost
    second = collected(point, 34, 1)
    result = export(point, tmp_path / "usb")
    assert result.seq == 2
    county.import_bundle(result.path)
    assert county.store.get_case(first) is not None and county.store.get_case(second) is not None


def test_a_case_accepted_at_the_point_is_approved_at_the_county_and_closed_back_at_the_point(
    pair, tmp_path, clock
):
    county, point = pair
    uuid = opened(point, 19)
    point.accept(user(point, "clerk1"), uuid)
    county.import_bundle(export(point, tmp_path / "usb").path)
    clock.set(2026, 11, 3, 10, 0)
    county.approve(user(county, "rev1"), uuid)
    assert county.store.get_case(uuid).state == CaseState.CLOSED
    returned = point.import_bundle(export(county, tmp_path / "usb", for_point=POINT).path)
    assert [(d["from"], d["to"]) for d in returned.decisions] == [("已受理", "已办结")]
    row = point.store.get_case(uuid)
    assert (row.state, row.reviewed_by) == (CaseState.CLOSED, "rev1")
    assert {d.kind for d in point.store.documents_for(uuid)} == {"acceptance", "completion"}
    for w in (county, point):
        result = w.store.verify(full=True)
        assert result["ok"], result["problem"]


def test_taking_the_other_sides_move_is_recorded_and_the_file_still_verifies(pair, tmp_path, clock):
    from clerk.domain.model import Action, Event

    county, point = pair
    uuid = collected(point, 35)
    county.import_bundle(export(point, tmp_path / "one").path)
    row = point.store.get_case(uuid)
    with point.store.transaction():  # the point refuses after handing on (an edited file)
        point.store.append_event(
            Event(uuid, Action.REFUSE, "clerk1", clock(), CaseState.DRAFT, CaseState.REFUSED, "x"),
            POINT,
        )
        point.store.update_case(uuid, CaseChanges(state="refused"), expected_version=row.version)
    county.import_bundle(export(point, tmp_path / "two").path)
    (conflict,) = county.conflicts()
    county.resolve_conflict(user(county, "boss"), conflict.id, "take")
    assert county.store.get_case(uuid).state == CaseState.REFUSED
    assert county.owner_of(county.store.get_case(uuid)) == POINT
    result = county.store.verify(full=True)
    assert result["ok"], result["problem"]


@pytest.mark.sqlite_only("the commands are given the files' paths")
def test_the_whole_exchange_from_the_command_line_and_verify_on_both(tmp_path, clock, capsys):
    from clerk.cli import main

    county = installation(tmp_path / "county", OFFICE, clock)
    point = installation(tmp_path / "point", POINT, clock)
    uuid = collected(point, 35)
    county.store.close()
    point.store.close()
    cdb, pdb, usb = (
        str(tmp_path / "county" / "clerk.db"),
        str(tmp_path / "point" / "clerk.db"),
        tmp_path / "usb",
    )
    usb.mkdir()
    for db, out in ((cdb, "county.json"), (pdb, "point.json")):
        assert main(["keys", "init", "--db", db]) == 0
        assert main(["keys", "export", "--db", db, "--out", str(tmp_path / out)]) == 0
    assert main(["keys", "add", str(tmp_path / "point.json"), "--db", cdb]) == 0
    assert main(["keys", "add", str(tmp_path / "county.json"), "--db", pdb]) == 0
    assert main(["export", "--db", pdb, "--out", str(usb)]) == 0
    assert main(["import", str(usb / "clerk-LS01-YZ03-000001.clerkbundle"), "--db", cdb]) == 0
    county = reopened(tmp_path / "county", clock)
    county.accept(user(county, "clerk1"), uuid)  # the county office accepts the collected case
    county.store.close()
    assert main(["export", "--db", cdb, "--out", str(usb), "--for", POINT]) == 0
    assert main(["import", str(usb / "clerk-YZ03-LS01-000001.clerkbundle"), "--db", pdb]) == 0
    assert main(["export", "--db", pdb, "--out", str(usb)]) == 0
    assert main(["import", str(usb / "clerk-LS01-YZ03-000002.clerkbundle"), "--db", cdb]) == 0
    capsys.readouterr()
    for db in (cdb, pdb):
        assert main(["verify", "--db", db, "--full"]) == 0, capsys.readouterr().out
    from clerk.db import Store

    with Store.open(cdb) as c, Store.open(pdb) as p:
        assert p.get_case(uuid).state == CaseState.ACCEPTED
        assert {r.source for r in c.checkpoints()} >= {"ack"}
        assert {r.source for r in p.checkpoints()} >= {"ack"}


def reopened(root, clock):
    from clerk.db import Store
    from clerk.domain.catalog import default_catalog
    from clerk.domain.offices import default_offices
    from clerk.service.window import Window

    store = Store.open(root / "clerk.db", clock=clock)
    return Window(
        store, default_catalog(), default_offices(), clock=clock, documents_root=root / "documents"
    )


def test_an_acceptance_and_hand_on_after_an_earlier_draft_bundle_reach_the_county(
    pair, tmp_path, clock
):
    county, point = pair
    uuid = opened(point, 19)
    county.import_bundle(export(point, tmp_path / "one").path)  # the case arrives as a draft
    assert county.store.get_case(uuid).state == CaseState.DRAFT
    point.accept(user(point, "clerk1"), uuid)  # accepted and handed on for review
    report = county.import_bundle(export(point, tmp_path / "two").path)
    assert report.status == "imported"
    assert county.store.get_case(uuid).state == CaseState.ACCEPTED
    assert [s.uuid for s in county.queues(user(county, "rev1")).my_review] == [uuid]
    result = county.store.verify(full=True)
    assert result["ok"], result["problem"]


@pytest.mark.sqlite_only(DOCUMENT_FILES)
def test_a_collected_case_refused_at_the_county_comes_back_with_its_document(pair, tmp_path):
    county, point = pair
    uuid = collected(point, 34)
    county.import_bundle(export(point, tmp_path / "usb").path)
    county.refuse(user(county, "clerk1"), uuid, "申请人不属于医疗救助对象")
    returned = point.import_bundle(export(county, tmp_path / "usb", for_point=POINT).path)
    assert [d["tell"] for d in returned.decisions] == ["请通知申请人不予受理及其理由"]
    docs = point.store.documents_for(uuid)
    assert sorted(d.kind for d in docs) == ["collection", "refusal"]
    refusal = next(d for d in docs if d.kind == "refusal")
    assert "received" in str(refusal.path_pdf) and Path(refusal.path_pdf).is_file()
    result = point.store.verify(full=True)
    assert result["ok"], result["problem"]


def test_once_acknowledged_the_next_bundle_carries_only_what_is_new(pair, tmp_path, clock):
    county, point = pair
    collected(point, 35, 0)
    opened(point, 9, 1)
    clock.set(2026, 11, 2, 17, 0)  # closing time
    first = export(point, tmp_path / "one")
    clock.set(2026, 11, 2, 17, 30)
    county.import_bundle(first.path)
    point.import_bundle(export(county, tmp_path / "ret", for_point=POINT).path)
    clock.set(2026, 11, 3, 9, 0)
    nothing_new = export(point, tmp_path / "two")
    assert (nothing_new.counts["events"], nothing_new.counts["cases"]) == (0, 0)
    opened(point, 9, 2)
    one_new = export(point, tmp_path / "three")
    assert (one_new.counts["events"], one_new.counts["cases"]) == (2, 1)  # received, checked
    assert (first.counts["events"], first.counts["cases"]) == (5, 2)  # with two checks


def test_a_notice_at_the_county_sends_the_case_back_to_the_point_for_the_supplement(
    pair, tmp_path, clock
):
    from clerk.domain.materials import MaterialCheck

    county, point = pair
    uuid = collected(point, 35)
    county.import_bundle(export(point, tmp_path / "one").path)
    required = county.required_for(35, frozenset())
    lacking = required[-1].id
    checks = {m.id: MaterialCheck(m.id, "ok", m.alternatives[0]) for m in required}
    checks[lacking] = MaterialCheck(lacking, "missing")
    county.check_materials(user(county, "clerk1"), uuid, checks)
    notice = county.preview_notice(uuid)
    assert notice.hand_in_where == "梧桐镇政务服务中心"  # the applicant goes back to the township
    county.issue_notice(user(county, "clerk1"), uuid)
    back = point.import_bundle(export(county, tmp_path / "ret", for_point=POINT).path)
    assert [d["to"] for d in back.decisions] == ["待补正"]
    assert point.owns(point.store.get_case(uuid))
    clock.set(2026, 11, 4, 10, 0)
    checks[lacking] = MaterialCheck(lacking, "ok", required[-1].alternatives[0])
    point.supplement(user(point, "clerk1"), uuid, checks)
    point.collect(user(point, "clerk1"), uuid)
    county.import_bundle(export(point, tmp_path / "two").path)
    assert [r.uuid for r in county.handed_to_me()] == [uuid]
    assert county.store.get_case(uuid).state == CaseState.DRAFT
    for w in (county, point):
        result = w.store.verify(full=True)
        assert result["ok"], result["problem"]


def test_an_import_tells_its_stages_as_they_start(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    told: list[tuple[str, int, int]] = []
    report = county.import_bundle(
        export(point, tmp_path / "usb").path, progress=lambda *a: told.append(a)
    )
    assert report.status == "imported", report.message
    stages = [stage for stage, _, _ in told]
    assert [s for n, s in enumerate(stages) if n == 0 or stages[n - 1] != s] == [
        "检查上报包（解密、签名、每条事件的哈希链）",
        "导入记录（一个事务）",
    ]


def test_the_return_tells_the_point_the_amount_paid(pair, tmp_path, clock):
    county, point = pair
    uuid = collected(point, 35)
    county.import_bundle(export(point, tmp_path / "usb").path)
    county.accept(user(county, "clerk1"), uuid)
    clock.set(2026, 11, 3, 10, 0)
    county.approve(user(county, "rev1"), uuid)
    county.pay(user(county, "fin1"), uuid, 123456, "PAY-001")
    returned = point.import_bundle(export(county, tmp_path / "usb", for_point=POINT).path)
    case_no = point.store.get_case(uuid).case_no
    assert (
        f"  {case_no} 张*丰（35 住院医疗救助申报）：收件→已办结，已拨付 1,234.56 元，请通知申请人已办结。"
        in returned.text()
    )


def test_acknowledged_chains_are_said_in_plain_chinese(pair, tmp_path, clock):
    from clerk.domain.chain_names import cases_of

    assert cases_of("YZ03:LS01", "YZ03") == "本机为服务点 LS01 的办件所作的记录"
    assert cases_of("YZ03", "YZ03") == "本机自己办件的记录"
    assert cases_of("YZ03:LS01", "LS01") == "YZ03 为服务点 LS01 的办件所作的记录"
    county, point = pair
    uuid = collected(point, 35)
    county.import_bundle(export(point, tmp_path / "one").path)
    county.accept(user(county, "clerk1"), uuid)
    back = point.import_bundle(export(county, tmp_path / "two", for_point=POINT).path).text()
    assert "对方已确认收到本机自己办件的记录：至第" in back
    collected(point, 35, n=1)
    again = county.import_bundle(export(point, tmp_path / "three").path).text()
    assert "对方已确认收到本机为服务点 LS01 的办件所作的记录：至第 1 条。" in again
    assert "LS01:" not in again and "YZ03:LS01" not in again
    from clerk.service.ledger_export import render_text

    ledger = render_text(county.daily_ledger(county.today()))
    assert "本机为服务点 LS01 的办件所作的记录：至第 1 条，哈希值：" in ledger
    assert "YZ03:LS01" not in ledger


def test_import_progress_is_a_percent_increasing_to_100(pair, tmp_path):
    county, point = pair
    for n in range(3):
        collected(point, 35, n)
    told: list[tuple[str, int, int]] = []
    report = county.import_bundle(
        export(point, tmp_path / "usb").path, progress=lambda *a: told.append(a)
    )
    assert report.status == "imported", report.message
    percents = [done for _, done, _ in told]
    assert {total for _, _, total in told} == {100}
    assert percents[0] == 0 and percents[-1] == 100
    assert percents == sorted(set(percents))  # strictly increasing
    assert len(percents) > 4  # the check and the apply each report on the way
    assert any(0 < p < 50 for p in percents) and any(50 < p < 100 for p in percents)
