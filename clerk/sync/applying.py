"""Applying a checked bundle in one transaction: duplicates, gaps, ownership conflicts, clock
flags (see `clerk.sync.exchange`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from clerk.domain.chain import ZERO_HASH
from clerk.ports.sync import (
    BATCH_LOCAL_COLUMNS,
    BATCH_TABLES,
    LOCAL_COLUMNS,
    SyncStore,
)
from clerk.sync import own_strays
from clerk.sync.bundle import RECORD_PARTS, BundleError
from clerk.sync.checking import Checked, check_claimed_points
from clerk.sync.checking import relayed as relayed_points
from clerk.sync.clocks import Clocks
from clerk.sync.export import manifest_summary
from clerk.sync.ownership import HAND_ON, RESOLVE, installation_of, non_owner_events, owner_after
from clerk.sync.peers import Me
from clerk.sync.received import CarriedFile
from clerk.sync.report import ImportReport, decision
from clerk.sync.streaming import Parts, batches

OWNER_MOVES = frozenset({HAND_ON, RESOLVE})  # moves that change or choose a case's owner
FILES_REMEMBERED = 1 << 15  # document files stored by this import, remembered at a time
CASE_MUTABLE = frozenset(
    {
        "state",
        "accepted_at",
        "accepted_by",
        "due_date",
        "due_provisional",
        "due_start",
        "decided_at",
        "closed_at",
        "amount_fen",
        "reviewed_by",
        "paid_at",
        "version",
    }
)


def apply_bundle(
    checked: Checked,
    sync: SyncStore,
    who: Me,
    now: datetime,
    save_file: Callable[[CarriedFile, str], str],
    labels: Callable[[Mapping[str, Any]], str] | None = None,
    step: Callable[[int, int], None] | None = None,
    before_commit: Callable[[], None] | None = None,
) -> ImportReport:
    """Apply a checked bundle in one transaction (or nothing, for a duplicate or a gap).

    Two imports of one bundle at once (two windows, the server and a stick) are serialised by
    the write lock: the duplicate check is repeated inside the transaction, and the second
    gets the duplicate's report with nothing written (never the engine's UNIQUE failure)."""
    try:
        return _apply_bundle(checked, sync, who, now, save_file, labels, step, before_commit)
    except _ImportedMeanwhile as meanwhile:
        return meanwhile.report


class _ImportedMeanwhile(Exception):
    """Another import of the same bundle committed while this one was checking it."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("imported meanwhile")
        self.report = report


def _imported_before(sync: SyncStore, header: Any, digest: str, report: ImportReport) -> bool:
    """Whether the bundle (or a later one of its sender) is already imported; fills `report`
    with the duplicate's message (or the refusal of other content under the same number)."""
    known = sync.bundle("in", header.sender, header.seq)
    if known is not None:
        if known["hash"] != digest:
            report.status, report.refusal = "refused", "conflicting_bundle"
            report.message = (
                f"本机已导入过 {header.sender} 的第 {header.seq} 号包，但内容不同：对方可能从旧备份恢复后重新编号。"
                "未导入，请联系信息管理员核对。"
            )
            return True
        report.status, report.duplicates = "duplicate", 1
        report.message = f"{header.sender} 的第 {header.seq} 号包已经导入过，本次未作任何改动。"
        return True
    latest = sync.last_bundle("in", header.sender)
    if latest is not None and int(latest["seq"]) > header.seq:
        report.status, report.duplicates = "duplicate", 1
        report.message = (
            f"这是 {header.sender} 较早的第 {header.seq} 号包，本机已导入更新的第 {latest['seq']} 号包，其内容已包含在内，"
            "本次未作任何改动。"
        )
        return True
    return False


def _apply_bundle(
    checked: Checked,
    sync: SyncStore,
    who: Me,
    now: datetime,
    save_file: Callable[[CarriedFile, str], str],
    labels: Callable[[Mapping[str, Any]], str] | None = None,
    step: Callable[[int, int], None] | None = None,
    before_commit: Callable[[], None] | None = None,
) -> ImportReport:
    """See `apply_bundle`.

    `step(done, total)`: records applied so far, of all the bundle's records (a progress bar).

    `save_file(file, suffix)` stores a document file the bundle carries and returns its local
    path; `before_commit()` runs last inside the transaction (the stored files made durable).
    """
    m = checked.contents.manifest
    header = checked.header
    report = ImportReport(
        bundle={
            "from": header.sender,
            "to": header.receiver,
            "seq": header.seq,
            "kind": header.kind,
        }
    )
    if _imported_before(sync, header, checked.digest, report):
        return report
    origins: Mapping[str, Mapping[str, Any]] = m.get("origins") or {}
    heads = sync.heads()
    for origin, info in origins.items():
        have = heads.get(origin, (0, ZERO_HASH))[0]
        if int(info["from_seq"]) > have + 1:
            report.gaps.append(
                {
                    "origin": origin,
                    "have": have,
                    "missing_from": have + 1,
                    "missing_to": int(info["from_seq"]) - 1,
                    "bring": _bundle_holding(m, origin, have + 1),
                }
            )
    if report.gaps:
        report.status = "gap"
        bring = sorted({g["bring"] for g in report.gaps if g["bring"]})
        which = "、".join(f"第 {n} 号" for n in bring) if bring else "更早的"
        report.message = (
            f"本机缺少 {header.sender} 的第 {report.gaps[0]['missing_from']}–{report.gaps[0]['missing_to']} 条记录，"
            f"这个包未导入。请带来{which}上报包（或请对方重新导出一份完整的包）。"
        )
        return report
    if header.kind == "city":
        # The city keeps every county's record as it stands: a chain that forks from what it
        # holds refuses the whole bundle (a county restored from an old backup and worked on).
        forked = _forks(sync, checked.records(), lambda n: None)
        if forked:
            origin, seq = sorted(forked.items())[0]
            report.status, report.refusal = "refused", "forked_chain"
            report.message = (
                f"{header.sender} 的包中 {origin} 第 {seq} 条事件与本机已有的同号事件内容不同"
                "（对方可能从旧备份恢复后继续办件），整个包未导入。请联系该县区信息管理员核对。"
            )
            return report
    with sync.transaction():
        if header.kind == "city":  # two counties relaying one point's first bundle at once:
            sync.lock_chains(installation_of(o) for o in origins)  # the second waits here,
            try:  # then meets the first's bundle as the check before the transaction would
                check_claimed_points(m, who, sync)
            except BundleError as exc:
                report.status, report.refusal, report.message = "refused", exc.code, str(exc)
                raise _ImportedMeanwhile(report) from None  # rolls back: nothing written
        if _imported_before(sync, header, checked.digest, report):
            raise _ImportedMeanwhile(report)  # again under the write lock (see apply_bundle)
        source = checked.records()
        total = sum(source.count(p) for p in RECORD_PARTS if p != "events") + 2 * source.count(
            "events"
        )
        tell = step or (lambda done, total: None)
        _apply(checked, sync, who, now, save_file, report, labels, lambda n: tell(n, total))
        for origin, ack in (m.get("acks") or {}).items():
            sync.set_ack(header.sender, origin, int(ack["seq"]), str(ack["hash"]), now.isoformat())
            sync.add_checkpoint(
                origin, int(ack["seq"]), str(ack["hash"]), f"{header.sender} 确认收到"
            )
            report.acknowledged[origin] = {"seq": int(ack["seq"]), "hash": str(ack["hash"])}
        sync.set_acked_bundle(header.sender, int(m.get("acked_bundle") or 0))
        for origin in origins:
            head = sync.head(origin)
            if head is not None:
                report.holding[origin] = {"seq": head[0], "hash": head[1]}
        sync.record_bundle(
            "in",
            header.sender,
            header.seq,
            checked.digest,
            str(m.get("prev") or ZERO_HASH),
            manifest_summary(m),
            "",
            now.isoformat(),
        )
        if before_commit is not None:
            before_commit()
    parts = []
    if report.imported.get("events"):
        parts.append(f"事件 {report.imported['events']} 条")
    if report.imported.get("cases"):
        parts.append(f"办件 {report.imported['cases']} 件")
    summary = "，".join(parts) or "没有新记录"
    report.message = f"已导入 {header.sender} 的第 {header.seq} 号包：{summary}。"
    ours = [c for c in report.conflicts if not c.get("decided_by_owner")]
    if ours:
        report.message += f"有 {len(ours)} 件冲突待主管处理。"
    if theirs := [c for c in report.conflicts if c.get("decided_by_owner")]:
        owners = "、".join(sorted({str(c.get("owner") or "") for c in theirs} - {""}))
        report.message += f"有 {len(theirs)} 件冲突由办件所属机构{owners}的主管处理，处理结果会随其回执包传回本机。"
    if report.rejected:
        report.message += f"有 {len(report.rejected)} 条记录与本机内容不同，未覆盖，请核对。"
    return report


def _bundle_holding(manifest: Mapping[str, Any], origin: str, seq: int) -> int | None:
    for entry in manifest.get("history") or []:
        lo, hi = (entry.get("origins") or {}).get(origin, [0, -1])
        if lo <= seq <= hi:
            return int(entry["seq"])
    return None


def _apply(
    checked: Checked,
    sync: SyncStore,
    who: Me,
    now: datetime,
    save_file: Callable[[CarriedFile, str], str],
    report: ImportReport,
    labels: Callable[[Mapping[str, Any]], str] | None,
    step: Callable[[int], None],
) -> None:
    """The records, part by part and batch by batch (`streaming.BATCH`): what stays in memory
    between batches is ids (case uuids, chain ranges), never records."""
    parts = checked.records()
    sender = checked.header.sender
    bundle_seq = checked.header.seq
    stamp = now.isoformat()
    counts = {"events": 0, "cases": 0, "case_materials": 0, "documents": 0, "evaluations": 0}
    done = 0

    def advanced(n: int) -> None:
        nonlocal done
        done += n
        step(done)

    step(0)

    # 1. Events we hold under the same (origin, seq) with other content: that chain is refused
    # whole (a pass over ids and hashes only).
    fork_at = _forks(sync, parts, advanced)
    for origin, seq in fork_at.items():
        report.rejected.append(
            {
                "kind": "event",
                "origin": origin,
                "seq": seq,
                "why": f"{origin} 第 {seq} 条事件与本机已有的同号事件内容不同，该链其后的事件均未导入。",
            }
        )
    # 2. Cases first (events refer to them). Only the point's own cases travel between a point and
    # its office (a point opens cases under its own code); anything else is refused and reported.
    point = sender if checked.header.kind == "report" else checked.header.receiver
    # A county's bundle for the city speaks for the county and its points: their cases, and
    # their rows as the county holds them (the county is the authority the city reads).
    relayed = relayed_points(checked.contents.manifest)
    speaks_for = frozenset({sender, *relayed}) if checked.header.kind == "city" else frozenset()
    points = speaks_for or frozenset({point})
    incoming: set[str] = set()
    fresh: set[str] = set()
    for batch in batches(parts.records("cases")):
        rows = []
        for r in batch:
            if r.get("point_code") not in points:
                report.rejected.append(
                    {
                        "kind": "case",
                        "case_no": r.get("case_no"),
                        "why": f"不是 {point} 的办件，未导入。",
                    }
                )
                continue
            if r["uuid"] in incoming:
                continue  # the same case twice in one bundle: the first is taken
            incoming.add(r["uuid"])
            rows.append(r)
        held = sync.records_by_uuid("cases", [r["uuid"] for r in rows])
        new = [r for r in rows if r["uuid"] not in held]
        counts["cases"] += sync.insert_records("cases", new, stamp)
        fresh.update(r["uuid"] for r in new)
        advanced(len(batch))
    # 3. Events: skip what we hold (identical), store the rest in chain order; an event whose case
    # is nowhere refuses the rest of its chain.
    new_keys = _Seqs()
    # Cases step 4 must fold: every case this file held before, and a new one only when one of
    # its events is not a plain move by the one point whose cases this bundle carries (a move by
    # another installation, a hand-on, a resolution). A new case's history is then its owner's
    # moves alone: no conflict to queue, nothing of ours to settle.
    event_cases: set[str] = set()
    owner = next(iter(points)) if len(points) == 1 else None
    cut: set[str] = set()
    clocks = Clocks(sync, now, report, peer=sender, bundle_seq=bundle_seq, stamp=stamp)
    for batch in batches(parts.records("events")):
        held_hashes = _held_hashes(sync, batch)
        new_events = []
        for event in batch:
            origin, seq = str(event["origin"]), int(event["seq"])
            if origin in fork_at and seq >= fork_at[origin]:
                continue
            mine = held_hashes[origin].get(seq)
            if mine is not None:  # identical (a different one is a fork, found above)
                report.duplicates += 1
                continue
            new_events.append(event)
            new_keys.add(origin, seq)
        unknown = {e["case_uuid"] for e in new_events} - fresh
        cases_known = set(sync.records_by_uuid("cases", unknown)) if unknown else set()
        storing = []
        for event in new_events:
            origin = str(event["origin"])
            case_uuid = event["case_uuid"]
            if case_uuid not in fresh and case_uuid not in cases_known:
                cut.add(origin)
                report.rejected.append(
                    {
                        "kind": "event",
                        "origin": event["origin"],
                        "seq": int(event["seq"]),
                        "why": "事件所属的办件不在包中。",
                    }
                )
                continue
            if origin in cut or origin in fork_at:
                continue
            storing.append(event)
            clocks.see(event)
            if (
                case_uuid not in fresh
                or owner is None
                or str(event["action"]) in OWNER_MOVES
                or installation_of(origin) != owner
            ):
                event_cases.add(case_uuid)
        counts["events"] += sync.insert_events(storing)
        advanced(len(batch))
    # 4. Ownership: events by an installation that did not own the case go to the conflict queue;
    # so do our own such events (an old program's), once the owner's bundle touches the case.
    conflicted: set[str] = set()
    for uuids in batches(sorted(event_cases | (incoming - fresh))):
        look = _Lookups(sync)
        look.fetch_cases(uuids)
        look.fetch_histories(uuids)
        for case_uuid in uuids:
            _conflicts_of(
                look, case_uuid, new_keys, sync, sender, bundle_seq, stamp, report, conflicted
            )
            own_strays.close_resolved(sync, look.history(case_uuid), who.code, stamp)
            own_strays.settle(
                sync,
                who.code,
                look.case(case_uuid) or {},
                look.history(case_uuid),
                sender=sender,
                bundle_seq=bundle_seq,
                stamp=stamp,
                report=report,
            )
    del event_cases
    # 5. Case rows: the fixed part must agree; the moving part follows the owner.
    seen: set[str] = set()
    held_before = incoming - fresh  # cases this file already had: read the part again for them
    for batch in batches(parts.records("cases") if held_before else ()):
        rows = [
            r
            for r in batch
            if r.get("point_code") in points and r["uuid"] not in fresh and r["uuid"] not in seen
        ]
        seen.update(r["uuid"] for r in rows)
        look = _Lookups(sync)
        look.fetch_cases(r["uuid"] for r in rows)
        for row in rows:
            old = look.case(row["uuid"])
            assert old is not None
            _apply_case(
                look,
                row,
                old,
                new_keys,
                sync,
                sender,
                bundle_seq,
                stamp,
                report,
                counts,
                conflicted,
                labels,
                speaks_for,
            )
    del seen, incoming, held_before
    # 6. Material checks, documents, evaluations. A document file several documents share is
    # read and stored once.
    stored_files: dict[tuple[str, str], str] = {}

    def save_once(digest: str, suffix: str) -> str:
        path = stored_files.get((digest, suffix))
        if path is None:
            if len(stored_files) >= FILES_REMEMBERED:
                stored_files.clear()
            path = stored_files[(digest, suffix)] = save_file(parts.carried(digest), suffix)
        return path

    for table in ("case_materials", "documents", "evaluations"):
        for rows in batches(parts.records(table)):
            look = _Lookups(sync, fresh)
            look.fetch_cases({str(r["case_uuid"]) for r in rows if r.get("case_uuid") is not None})
            held_rows = _Held(
                rows,
                "uuid",
                partial(sync.records_by_uuid, table),
                partial(sync.record, table),
                partial(sync.insert_records, table, now=stamp),
            )
            for row in rows:
                _apply_record(
                    look,
                    new_keys,
                    table,
                    row,
                    sync,
                    sender,
                    conflicted,
                    parts,
                    save_once,
                    stamp,
                    report,
                    counts,
                    held_rows,
                    speaks_for,
                )
            held_rows.flush()
            advanced(len(rows))
    # 7. Roster batches (written once): new rows are stored, identical ones skipped, others refused.
    for table, key in BATCH_TABLES.items():
        for rows in batches(parts.records(table)):
            look = _Lookups(sync, fresh)
            if table == "batch_cases":
                look.fetch_cases({str(r["case_uuid"]) for r in rows})
            held_rows = _Held(
                rows,
                key,
                partial(sync.batch_records_by_key, table),
                partial(sync.batch_record, table),
                partial(sync.insert_batch_records, table, now=stamp),
            )
            for row in rows:
                _apply_batch_record(table, key, row, look, report, counts, held_rows)
            held_rows.flush()
            advanced(len(rows))
    report.imported = counts


def _forks(sync: SyncStore, parts: Parts, advanced: Callable[[int], None]) -> dict[str, int]:
    """Per chain, the first seq we hold with another hash (the chain is refused from there).

    A bundle whose every chain starts after what we hold (the usual case) holds no fork: its
    events are not read for this."""
    fork_at: dict[str, int] = {}
    heads = sync.heads()
    origins: Mapping[str, Mapping[str, Any]] = parts.manifest.get("origins") or {}
    if all(int(i["from_seq"]) > heads.get(o, (0, ZERO_HASH))[0] for o, i in origins.items()):
        advanced(parts.count("events"))
        return fork_at
    for batch in batches(
        {"origin": e["origin"], "seq": e["seq"], "hash": e["hash"]} for e in parts.records("events")
    ):
        held = _held_hashes(sync, batch)
        for event in batch:
            origin, seq = str(event["origin"]), int(event["seq"])
            if origin in fork_at:
                continue
            mine = held[origin].get(seq)
            if mine is not None and mine != event["hash"]:
                fork_at[origin] = seq
        advanced(len(batch))
    return fork_at


def _conflicts_of(
    look: _Lookups,
    case_uuid: str,
    new_keys: _Seqs,
    sync: SyncStore,
    sender: str,
    bundle_seq: int,
    stamp: str,
    report: ImportReport,
    conflicted: set[str],
) -> None:
    case = look.case(case_uuid)
    assert case is not None
    history = look.history(case_uuid)
    for stray in non_owner_events(case["point_code"], history):
        event = dict(stray)
        if (str(event["origin"]), int(event["seq"])) not in new_keys:
            continue
        conflicted.add(case_uuid)
        detail = {
            "action": event["action"],
            "from_state": event["from_state"],
            "to_state": event["to_state"],
            "at": event["at"],
            "actor": event["actor"],
            "owner": owner_after(case["point_code"], _before(history, event)),
        }
        sync.add_conflict(
            case_uuid=case_uuid,
            case_no=case["case_no"],
            kind="not_owner",
            peer=sender,
            origin=str(event["origin"]),
            seq=int(event["seq"]),
            detail=detail,
            bundle_seq=bundle_seq,
            at=stamp,
        )
        report.conflicts.append(
            {
                "case_no": case["case_no"],
                "origin": event["origin"],
                "seq": int(event["seq"]),
                **detail,
            }
        )


def _apply_case(
    look: _Lookups,
    row: dict[str, Any],
    old: dict[str, Any],
    new_keys: _Seqs,
    sync: SyncStore,
    sender: str,
    bundle_seq: int,
    stamp: str,
    report: ImportReport,
    counts: dict[str, int],
    conflicted: set[str],
    labels: Callable[[Mapping[str, Any]], str] | None,
    speaks_for: frozenset[str] = frozenset(),
) -> None:
    uuid = row["uuid"]
    fixed_theirs = {k: v for k, v in row.items() if k not in CASE_MUTABLE}
    fixed_ours = {k: v for k, v in old.items() if k not in CASE_MUTABLE and k not in LOCAL_COLUMNS}
    if fixed_theirs != fixed_ours:
        differing = sorted(
            k
            for k in set(fixed_theirs) | set(fixed_ours)
            if fixed_theirs.get(k) != fixed_ours.get(k)
        )
        report.rejected.append(
            {
                "kind": "case",
                "case_no": old["case_no"],
                "fields": differing,
                "why": "同一办件的基本信息与本机不同，未覆盖。",
            }
        )
        sync.add_conflict(
            case_uuid=uuid,
            case_no=old["case_no"],
            kind="content",
            peer=sender,
            origin="",
            seq=None,
            detail={"fields": differing},
            bundle_seq=bundle_seq,
            at=stamp,
        )
        conflicted.add(uuid)
        return
    if uuid in conflicted or _same(row, old):
        report.duplicates += 0 if uuid in conflicted else 1
        return
    if not _sender_owned(look, old, sender, new_keys, speaks_for) or int(row["version"]) <= int(
        old["version"]
    ):
        return  # not theirs to change, or older than ours: our copy stands
    sync.replace_record("cases", row, stamp)
    counts["cases"] += 1
    if row["state"] != old["state"]:
        report.decisions.append(decision(row, old, labels))


class _Seqs:
    """The (origin, seq) of a bundle's new events, kept as runs of consecutive seqs per origin."""

    def __init__(self) -> None:
        self.runs: dict[str, list[list[int]]] = {}

    def add(self, origin: str, seq: int) -> None:
        runs = self.runs.setdefault(origin, [])
        if runs and runs[-1][1] + 1 == seq:
            runs[-1][1] = seq
        else:
            runs.append([seq, seq])

    def __contains__(self, key: tuple[str, int]) -> bool:
        origin, seq = key
        return any(lo <= seq <= hi for lo, hi in self.runs.get(origin, ()))


def _held_hashes(sync: SyncStore, events: list[dict[str, Any]]) -> defaultdict[str, dict[int, str]]:
    """The hashes this file holds under the (origin, seq) of the incoming events: one range query
    per origin (a bundle carries each origin's events as one contiguous run)."""
    ranges: dict[str, tuple[int, int]] = {}
    for event in events:
        origin, seq = str(event["origin"]), int(event["seq"])
        lo, hi = ranges.get(origin, (seq, seq))
        ranges[origin] = (min(lo, seq), max(hi, seq))
    return defaultdict(
        dict, {origin: sync.event_hashes(origin, lo, hi) for origin, (lo, hi) in ranges.items()}
    )


class _Held:
    """The stored rows an import compares one table's incoming rows with, read in one set-based
    query, and the new rows written in bulk at the end.

    A key met a second time in the same bundle is compared with what the database holds by
    then (pending rows are written first), exactly as if every row had been applied one by one.
    """

    def __init__(
        self,
        rows: list[dict[str, Any]],
        key: str,
        fetch: Callable[[list[str]], dict[str, dict[str, Any]]],
        read: Callable[[str], dict[str, Any] | None],
        write: Callable[[list[dict[str, Any]]], int],
    ) -> None:
        self.known = fetch([str(r[key]) for r in rows]) if rows else {}
        self.read, self.write = read, write
        self.pending: list[dict[str, Any]] = []
        self.touched: set[str] = set()

    def get(self, key: str) -> dict[str, Any] | None:
        if key in self.touched:
            self.flush()
            return self.read(key)
        return self.known.get(key)

    def insert(self, key: str, values: dict[str, Any]) -> None:
        self.pending.append(values)
        self.touched.add(key)

    def changed(self, key: str) -> None:
        """The row under `key` was rewritten in place."""
        self.touched.add(key)

    def flush(self) -> None:
        if self.pending:
            self.write(self.pending)
            self.pending = []


def _apply_batch_record(
    table: str,
    key: str,
    row: dict[str, Any],
    look: _Lookups,
    report: ImportReport,
    counts: dict[str, int],
    held: _Held,
) -> None:
    values = {k: v for k, v in row.items() if k not in BATCH_LOCAL_COLUMNS}
    old = held.get(str(row[key]))
    if old is None:
        if table == "batch_cases" and not look.exists(row["case_uuid"]):
            report.rejected.append(
                {"kind": table, "uuid": row["case_uuid"], "why": "记录所属的办件不在本机。"}
            )
            return
        held.insert(str(row[key]), values)
        counts[table] = counts.get(table, 0) + 1
        return
    if all(old.get(k) == v for k, v in values.items()):
        report.duplicates += 1
        return
    report.rejected.append(
        {"kind": table, "uuid": row[key], "why": "同一记录的内容与本机不同，未覆盖，请核对。"}
    )


class _Lookups:
    """Case rows and case histories read once per import (events are all stored before use).

    `stored`: uuids of cases this import stored (known to exist: not read for that)."""

    def __init__(self, sync: SyncStore, stored: set[str] | frozenset[str] = frozenset()) -> None:
        self.sync = sync
        self.stored = stored
        self.cases: dict[str, dict[str, Any] | None] = {}
        self.histories: dict[str, list[dict[str, Any]]] = {}

    def exists(self, uuid: str) -> bool:
        return uuid in self.stored or self.case(uuid) is not None

    def case(self, uuid: str) -> dict[str, Any] | None:
        if uuid not in self.cases:
            self.cases[uuid] = self.sync.record("cases", uuid)
        return self.cases[uuid]

    def fetch_cases(self, uuids: Iterable[str]) -> None:
        """Read the case rows of many uuids at once (None for those this file lacks); the cases
        this import stored are read only when asked for (`case`)."""
        missing = [u for u in uuids if u not in self.cases and u not in self.stored]
        found = self.sync.records_by_uuid("cases", missing)
        for uuid in missing:
            self.cases[uuid] = found.get(uuid)

    def history(self, uuid: str) -> list[dict[str, Any]]:
        if uuid not in self.histories:
            self.histories[uuid] = self.sync.case_events(uuid)
        return self.histories[uuid]

    def fetch_histories(self, uuids: Iterable[str]) -> None:
        """Read the histories of many cases at once (after the bundle's events are stored)."""
        missing = [u for u in uuids if u not in self.histories]
        found = self.sync.case_histories(missing)
        for uuid in missing:
            self.histories[uuid] = found.get(uuid, [])


def _sender_owned(
    look: _Lookups,
    case: Mapping[str, Any],
    sender: str,
    new_keys: _Seqs,
    speaks_for: frozenset[str] = frozenset(),
) -> bool:
    """Whether the sender owned the case before this bundle's events or owns it after them: its
    rows then carry moves it was entitled to make (e.g. an acceptance, then the hand-on). A
    county's bundle for the city speaks for its points too (`speaks_for`)."""
    if speaks_for:
        return True
    history = look.history(case["uuid"])
    earlier = [e for e in history if (str(e["origin"]), int(e["seq"])) not in new_keys]
    return sender in (
        owner_after(case["point_code"], earlier),
        owner_after(case["point_code"], history),
    )


def _before(history: list[dict[str, Any]], event: Mapping[str, Any]) -> list[dict[str, Any]]:
    out = []
    for e in history:
        if e["origin"] == event["origin"] and e["seq"] == event["seq"]:
            break
        out.append(e)
    return out


def _same(theirs: Mapping[str, Any], ours: Mapping[str, Any]) -> bool:
    return all(
        ours.get(k) == v
        for k, v in theirs.items()
        if k not in LOCAL_COLUMNS and not k.startswith("file_")
    )


def _apply_record(
    look: _Lookups,
    new_keys: _Seqs,
    table: str,
    row: dict[str, Any],
    sync: SyncStore,
    sender: str,
    conflicted: set[str],
    parts: Parts,
    save_file: Callable[[str, str], str],
    stamp: str,
    report: ImportReport,
    counts: dict[str, int],
    held: _Held,
    speaks_for: frozenset[str] = frozenset(),
) -> None:
    values = {k: v for k, v in row.items() if not k.startswith("file_")}
    old = held.get(str(row["uuid"]))
    if old is None:
        if not look.exists(row["case_uuid"]):
            report.rejected.append(
                {"kind": table, "uuid": row["uuid"], "why": "记录所属的办件不在本机。"}
            )
            return
        if table == "documents":  # a new document: its files are stored here, named by the row
            for key in ("txt", "pdf"):
                digest = row.get(f"file_{key}")
                values[f"path_{key}"] = (
                    save_file(digest, f".{key}")
                    if digest is not None and parts.has_file(digest)
                    else None
                )
            # its text's SHA-256 (the bundle names its files by it, checked on import)
            values["sha256_txt"] = row.get("file_txt") if values.get("path_txt") else None
        held.insert(str(row["uuid"]), values)
        counts[table] += 1
        return
    if _same(values, old):
        report.duplicates += 1
        return
    if table == "documents" or int(row["version"]) == int(old["version"]):
        report.rejected.append(
            {
                "kind": table,
                "uuid": row["uuid"],
                "why": "同一记录的内容与本机不同，未覆盖，请核对。",
            }
        )
        return
    case = look.case(row["case_uuid"])
    assert case is not None
    if (
        row["case_uuid"] in conflicted
        or not _sender_owned(look, case, sender, new_keys, speaks_for)
        or int(row["version"]) < int(old["version"])
    ):
        return
    sync.replace_record(table, values, stamp)
    held.changed(str(row["uuid"]))
    counts[table] += 1
