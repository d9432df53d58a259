"""Our own moves on a case we did not own, found when the owner's bundle arrives.

The service never lets an installation move a case it does not own, but an older program (or
a file edited by hand) can: a point withdraws a case its county already accepted. The county
queues that move as a conflict when the point's bundle arrives (`applying._conflicts_of`). So
that the two files do not split, the point does the same when the county's bundle touches the
case: each of its own moves written while another installation owned the case is queued here
too (once), and the case row's moving columns are set to what the owner's events give — the
replay `clerk verify` checks the row against, which never applies a non-owner's move. While the
conflict waits, both files show the owner's state and both verify.

The owner decides (`resolve`); its resolution comes back in a later bundle and closes the queued
copy here (`close_resolved`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from clerk.domain.replay import Projection, ReplayedEvent, ReplayError, apply
from clerk.ports.sync import SyncStore
from clerk.sync.ownership import RESOLVE, installation_of, non_owner_events, owner_after
from clerk.sync.report import ImportReport

__all__ = ["close_resolved", "settle"]

# Columns only a move sets: empty unless an owner's move set them (a stray withdrawal's
# closing time does not stay on a case the owner still works on).
UNSET_UNLESS_MOVED = (
    "accepted_at",
    "accepted_by",
    "due_date",
    "due_start",
    "decided_at",
    "reviewed_by",
    "closed_at",
    "paid_at",
    "amount_fen",
)


def settle(
    sync: SyncStore,
    me: str,
    case: Mapping[str, Any],
    history: Sequence[Mapping[str, Any]],
    *,
    sender: str,
    bundle_seq: int,
    stamp: str,
    report: ImportReport,
) -> bool:
    """Queue this installation's (`me`) moves on `case` made while another owned it, and set
    the row to the owner's replay. `history`: the case's events in file order (the bundle's
    stored). Returns whether the case had such a move."""
    if not case:
        return False
    strays = [
        e
        for e in non_owner_events(str(case["point_code"]), history)
        if installation_of(str(e.get("origin") or "")) == me
    ]
    if not strays:
        return False
    queued = _queued(sync, str(case["uuid"]))
    for event in strays:
        key = (str(event["origin"]), int(event["seq"]))
        if key in queued:
            continue
        detail = {
            "action": event["action"],
            "from_state": event["from_state"],
            "to_state": event["to_state"],
            "at": event["at"],
            "actor": event["actor"],
            "owner": owner_after(str(case["point_code"]), _before(history, event)),
        }
        sync.add_conflict(
            case_uuid=str(case["uuid"]),
            case_no=str(case["case_no"]),
            kind="not_owner",
            peer=sender,
            origin=key[0],
            seq=key[1],
            detail=detail,
            bundle_seq=bundle_seq,
            at=stamp,
        )
        report.conflicts.append(
            {
                "case_no": case["case_no"],
                "origin": key[0],
                "seq": key[1],
                "decided_by_owner": True,
                **detail,
            }
        )
    _follow_the_owner(sync, case, stamp)
    return True


def close_resolved(
    sync: SyncStore, history: Iterable[Mapping[str, Any]], me: str, stamp: str
) -> None:
    """Close the queued copies the owner resolved: its `resolve` event names the move
    (`data.event` = "ORIGIN#SEQ") and the choice. Only a resolution written by the owner the
    queued conflict names closes it."""
    named: dict[str, tuple[str, str, str]] = {}
    for event in history:
        writer = installation_of(str(event["origin"]))
        if str(event["action"]) != RESOLVE or writer == me:
            continue
        data = _data(event)
        if data.get("event"):
            choice = str(data.get("choice") or "keep")
            named[str(data["event"])] = (choice, str(event["actor"]), writer)
    if not named:
        return
    for conflict in sync.conflicts():
        if conflict.seq is None or conflict.kind != "not_owner":
            continue
        found = named.get(f"{conflict.origin}#{conflict.seq}")
        if found is not None and found[2] == conflict.detail.get("owner"):
            sync.resolve_conflict(conflict.id, found[0], found[1], stamp)


def _queued(sync: SyncStore, case_uuid: str) -> set[tuple[str, int]]:
    return {
        (c.origin, int(c.seq))
        for c in sync.conflicts(open_only=False)
        if c.case_uuid == case_uuid and c.kind == "not_owner" and c.seq is not None
    }


def _follow_the_owner(sync: SyncStore, case: Mapping[str, Any], stamp: str) -> None:
    """Set the row's moving columns to the replay of the case's events (owner's moves only)."""
    projection = Projection(owner=str(case["point_code"]))
    try:
        for e in sync.case_events(str(case["uuid"])):
            apply(
                projection,
                ReplayedEvent(
                    str(e["action"]),
                    str(e["actor"]),
                    e["at"],
                    str(e["to_state"]),
                    _data(e),
                    e.get("format") == 1,
                    e.get("from_state"),
                    str(e.get("origin") or ""),
                    str(e.get("reason") or ""),
                ),
            )
    except (ReplayError, ValueError):
        return  # a history the replay cannot fold: `clerk verify` names it
    row = dict(case)
    expected = {**dict.fromkeys(UNSET_UNLESS_MOVED), **projection.values}
    changed = {k: v for k, v in expected.items() if k in row and row[k] != v}
    if not changed:
        return
    row.update(changed)
    row["version"] = int(case["version"]) + 1
    sync.replace_record("cases", row, stamp)


def _data(event: Mapping[str, Any]) -> dict[str, Any]:
    data = event.get("data")
    if isinstance(data, str):
        try:
            data = json.loads(data or "{}")
        except ValueError:
            return {}
    return dict(data) if isinstance(data, Mapping) else {}


def _before(
    history: Sequence[Mapping[str, Any]], event: Mapping[str, Any]
) -> list[Mapping[str, Any]]:
    out = []
    for e in history:
        if e["origin"] == event["origin"] and e["seq"] == event["seq"]:
            break
        out.append(e)
    return out
