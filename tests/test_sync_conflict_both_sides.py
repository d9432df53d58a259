"""Issue 23, item 6: a move by a point on a case the county owns (an old program, an edited
file) is a conflict on both sides: the county queues it, and after the return bundle the point
queues it too, shows the owner's state, and both files verify while it waits; the owner's
resolution closes the point's copy."""

from __future__ import annotations

import pytest
from support.sync import OFFICE, POINT, collected, export, user

from clerk.domain.model import Action, CaseState, Event
from clerk.ports.records import CaseChanges
from clerk.storage.sqlite.files import verify_file
from clerk.sync.exchange import report_text

WHAT = f"{POINT} 在不拥有该件时作了“撤回”（→已撤回），该件归 {OFFICE}"


def withdrawn_by_the_point_anyway(point, uuid, clock) -> None:
    """The point withdraws a case it no longer owns (its own chain says so)."""
    row = point.store.get_case(uuid)
    event = Event(
        uuid,
        Action.WITHDRAW,
        "clerk1",
        clock(),
        CaseState(row.state),
        CaseState.WITHDRAWN,
        reason="申请人主动撤回申请",
    )
    with point.store.transaction():
        point.store.append_event(event, POINT)
        point.store.update_case(uuid, CaseChanges(state="withdrawn"), expected_version=row.version)


@pytest.fixture
def split(pair, tmp_path, clock):
    """The county accepted the point's case; the point withdrew it anyway; both bundles crossed."""
    county, point = pair
    uuid = collected(point, 35)
    county.import_bundle(export(point, tmp_path / "one").path)
    county.accept(user(county, "clerk1"), uuid)
    withdrawn_by_the_point_anyway(point, uuid, clock)
    county.import_bundle(export(point, tmp_path / "two").path)
    back = point.import_bundle(export(county, tmp_path / "back", for_point=POINT).path)
    return county, point, uuid, back


def problems(window) -> list[str]:
    return [p.message for p in verify_file(window.store.path, full=True, remember=False).problems]


def test_the_point_queues_the_conflict_the_county_queued(split):
    county, point, uuid, back = split
    assert [(c.kind, c.what, c.peer) for c in county.conflicts()] == [("not_owner", WHAT, POINT)]
    assert [(c.kind, c.what, c.peer) for c in point.conflicts()] == [("not_owner", WHAT, OFFICE)]
    assert (
        f"冲突 {county.store.get_case(uuid).case_no}：{POINT} 第 4 条“撤回”不是办件所有方所作"
        in (report_text(back))
    )


def test_the_points_report_says_the_owner_decides(split):
    _county, _point, _uuid, back = split
    assert back.message.endswith(
        f"有 1 件冲突由办件所属机构{OFFICE}的主管处理，处理结果会随其回执包传回本机。"
    )
    assert "待主管处理" not in back.message


def test_the_point_shows_the_owners_state_while_the_conflict_waits(split):
    county, point, uuid, _ = split
    mine, theirs = point.store.get_case(uuid), county.store.get_case(uuid)
    assert (mine.state, theirs.state) == (CaseState.ACCEPTED, CaseState.ACCEPTED)
    assert (mine.accepted_by, mine.due_date, mine.closed_at) == (
        theirs.accepted_by,
        theirs.due_date,
        None,
    )


def test_both_files_verify_while_the_conflict_waits(split):
    county, point, _, _ = split
    assert problems(county) == []
    assert problems(point) == []


def test_a_second_return_bundle_does_not_queue_it_twice(split, tmp_path):
    county, point, _, _ = split
    point.import_bundle(export(county, tmp_path / "again", for_point=POINT).path)
    assert len(point.store.sync_store().conflicts(open_only=False)) == 1


def test_only_the_owner_resolves_it(split):
    _, point, _, _ = split
    (row,) = point.conflicts()
    with pytest.raises(ValueError, match=f"该件归 {OFFICE}，此冲突由 {OFFICE} 的主管处理"):
        point.resolve_conflict(user(point, "boss"), row.id, "keep")


@pytest.mark.parametrize(
    ("choice", "state"), [("keep", CaseState.ACCEPTED), ("take", CaseState.WITHDRAWN)]
)
def test_the_owners_resolution_closes_the_points_copy(split, tmp_path, choice, state):
    county, point, uuid, _ = split
    (row,) = county.conflicts()
    county.resolve_conflict(user(county, "boss"), row.id, choice)
    point.import_bundle(export(county, tmp_path / "resolved", for_point=POINT).path)
    assert point.conflicts() == []
    [closed] = point.store.sync_store().conflicts(open_only=False)
    assert (closed.resolution, closed.resolved_by) == (choice, "boss")
    assert point.store.get_case(uuid).state == county.store.get_case(uuid).state == state
    assert problems(point) == [] and problems(county) == []


def test_a_resolution_written_by_the_side_that_made_the_move_closes_nothing(split, tmp_path, clock):
    """An older program at the point resolves its own stray move: the county's queue stays."""
    county, point, uuid, _ = split
    (mine,) = point.conflicts()
    row = point.store.get_case(uuid)
    resolve = Event(
        uuid,
        Action.RESOLVE,
        "boss",
        clock(),
        CaseState(row.state),
        CaseState(row.state),
        reason="保留本机记录",
        data={"conflict": mine.id, "choice": "keep", "kind": "not_owner", "event": f"{POINT}#4"},
    )
    with point.store.transaction():
        point.store.append_event(resolve, POINT)
    county.import_bundle(export(point, tmp_path / "three").path)
    assert [c.what for c in county.conflicts()] == [WHAT]
