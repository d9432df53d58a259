"""What a bundle carries and how an imported one is checked and applied.

Export (`build_export`): everything the receiver has not acknowledged — per chain, the events
after the sequence number the receiver last confirmed, and every case touched by them or changed
since the receiver confirmed our last bundle (with its material checks, documents and their files,
evaluations). Nothing is dropped locally, ever; a lost USB stick costs nothing, the next bundle
carries the same again. The manifest also carries our acknowledgements: per chain of the
receiver's, the last sequence number and hash we hold.

Import (`check_bundle` then `apply_bundle`): decryption, signature, every part's hash and every
chain link are checked before the database is touched; then one transaction applies it. Records
are matched by UUID and events by (origin, seq): identical is skipped, the same id with other
content is refused and reported, never overwritten. Case rows follow their owner (see
`clerk.sync.ownership`); another installation's event that would change a case goes to the
conflict queue. Events dated in the future or running backwards are flagged; order is by
sequence, never by clock.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

from clerk.masking import mask_name
from clerk.model import CaseState
from clerk.storage.chain import canonical_json, event_hash, hashed_names
from clerk.storage.schema import LATEST, ZERO_HASH
from clerk.storage.sync import (
    BATCH_LOCAL_COLUMNS,
    BATCH_TABLES,
    LOCAL_COLUMNS,
    RECORD_TABLES,
    SyncStore,
)
from clerk.sync import bundle as fmt
from clerk.sync.bundle import BundleError, Contents, Header
from clerk.sync.keys import KeyPair, KeyProblem, PublicKeys
from clerk.sync.ownership import chain_for, installation_of, non_owner_events, owner_after
from clerk.sync.peers import Me

HISTORY = 60  # earlier bundles listed in a manifest, so a receiver can name the one it lacks
FUTURE_SLACK = timedelta(minutes=10)
# Case columns that follow the case through its life; the rest is fixed when it is opened.
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
TELL = {
    CaseState.ACCEPTED: "请告知申请人已受理，等待审核结果",
    CaseState.AWAITING_SUPPLEMENT: "请按一次性告知书通知申请人补齐材料",
    CaseState.AWAITING_PAYMENT: "请告知申请人审核已通过，等待拨付",
    CaseState.CLOSED: "请通知申请人已办结",
    CaseState.REFUSED: "请通知申请人不予受理及其理由",
    CaseState.REJECTED: "请通知申请人审核不通过及其理由",
    CaseState.WITHDRAWN: "无需通知（已撤回）",
    CaseState.ABANDONED: "无需通知（逾期未补正，已终止）",
}


class ExportError(ValueError):
    """The bundle could not be written (Chinese message)."""


# ---------------------------------------------------------------------- export


def receiver_for(who: Me, for_point: str | None) -> str:
    if who.is_office:
        if not for_point:
            raise ExportError(
                "县级经办机构导出时请用 --for 指定服务点编码（写给该服务点的回执包）。"
            )
        return for_point.strip().upper()
    if for_point and for_point.strip().upper() != who.office_code:
        raise ExportError(f"服务点的上报包只能写给所属经办机构 {who.office_code}。")
    return who.office_code


def chains_for(sync: SyncStore, who: Me, receiver: str) -> list[str]:
    """The chains of ours a receiver gets: a point sends its own; an office the one it keeps for the point."""
    if who.is_office:
        return [chain_for(who.code, receiver)]
    return [who.code]


def build_export(
    sync: SyncStore,
    who: Me,
    receiver: str,
    now: str,
    read_file: Callable[[str], bytes | None],
) -> Contents:
    """The contents of the next bundle for `receiver` (not yet written or recorded)."""
    acks = sync.acks(receiver)
    previous = sync.last_bundle("out", receiver)
    seq = int(previous["seq"]) + 1 if previous else 1
    origins: dict[str, dict[str, Any]] = {}
    events: list[dict[str, Any]] = []
    touched: set[str] = set()
    for origin in chains_for(sync, who, receiver):
        acked_seq, acked_hash = acks.get(origin, (0, ZERO_HASH))
        head = sync.head(origin) or (0, ZERO_HASH)
        if acked_seq > head[0] or (
            acked_seq and (sync.event_at(origin, acked_seq) or {}).get("hash") != acked_hash
        ):
            raise ExportError(
                f"{receiver} 确认收到的 {origin} 事件（第 {acked_seq} 条）本机没有：本机数据库可能从旧备份恢复过。"
                "请勿继续办件，联系信息管理员核对。"
            )
        new = sync.events_after(origin, acked_seq)
        events.extend(new)
        touched.update(e["case_uuid"] for e in new)
        origins[origin] = {
            "from_seq": acked_seq + 1,
            "to_seq": head[0],
            "from_prev": acked_hash,
            "head": head[1],
        }
    since = _acked_bundle_time(sync, receiver, acks)
    point_filter = receiver if who.is_office else who.code
    # Rows changed since the receiver confirmed our last bundle, of the cases we own (only the
    # owner's rows are taken at the other end; the rest travel with the events that touch them).
    owners = sync.owners()
    touched.update(
        uuid
        for uuid in sync.cases_changed_since(point_filter, since)
        if owners.get(uuid, point_filter) == who.code
    )
    records = {
        table: [_travelling(r) for r in sync.records_of_cases(table, touched)]
        for table in RECORD_TABLES
    }
    files: dict[str, bytes] = {}
    for doc in records["documents"]:
        for key in ("txt", "pdf"):
            data = read_file(doc.pop(f"_path_{key}", None) or "")
            doc[f"file_{key}"] = fmt.sha256(data) if data is not None else None
            if data is not None:
                files[fmt.sha256(data)] = data
    records["events"] = events
    for table, rows in sync.batch_records_of_cases(touched).items():
        records[table] = [{k: v for k, v in r.items() if k not in BATCH_LOCAL_COLUMNS} for r in rows]
    last_in = sync.last_bundle("in", receiver)
    manifest = {
        "format": fmt.FORMAT,
        "schema": LATEST,
        "suite": fmt.SUITE,
        "kind": "return" if who.is_office else "report",
        "from": who.code,
        "to": receiver,
        "seq": seq,
        "prev": previous["hash"] if previous else ZERO_HASH,
        "created_at": now,
        "origins": origins,
        "acks": _our_acks(sync, who, receiver),
        "acked_bundle": int(last_in["seq"]) if last_in else 0,
        "history": _history(sync, receiver) + [{"seq": seq, "origins": _ranges(origins)}],
    }
    return Contents(manifest=manifest, records=records, files=files)


def _travelling(row: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in row.items() if k not in LOCAL_COLUMNS}
    if "path_pdf" in row:
        out["_path_txt"] = row.get("path_txt")
        out["_path_pdf"] = row.get("path_pdf")
    return out


def _acked_bundle_time(sync: SyncStore, receiver: str, acks: Mapping[str, Any]) -> str | None:
    """When we wrote the last bundle the receiver confirmed (records changed since are sent again)."""
    confirmed = sync.acked_bundle(receiver)
    if not confirmed:
        return None
    row = sync.bundle("out", receiver, confirmed)
    return str(row["at"]) if row else None


def _our_acks(sync: SyncStore, who: Me, peer: str) -> dict[str, dict[str, Any]]:
    """What we hold of the peer's chains (the peer may stop resending them)."""
    heads = sync.heads()
    return {
        origin: {"seq": seq, "hash": digest}
        for origin, (seq, digest) in sorted(heads.items())
        if installation_of(origin) == peer
    }


def _ranges(origins: Mapping[str, Mapping[str, Any]]) -> dict[str, list[int]]:
    return {o: [int(r["from_seq"]), int(r["to_seq"])] for o, r in origins.items()}


def _history(sync: SyncStore, receiver: str) -> list[dict[str, Any]]:
    out = []
    for row in reversed(sync.bundles("out", receiver, limit=HISTORY)):
        manifest = json.loads(row["manifest"])
        out.append({"seq": int(row["seq"]), "origins": _ranges(manifest.get("origins", {}))})
    return out


def record_written(sync: SyncStore, contents: Contents, digest: str, path: Path, now: str) -> None:
    m = contents.manifest
    sync.record_bundle(
        "out", m["to"], int(m["seq"]), digest, m["prev"], _summary(m), path.name, now
    )


def _summary(manifest: Mapping[str, Any]) -> dict[str, Any]:
    keep = (
        "format",
        "schema",
        "kind",
        "from",
        "to",
        "seq",
        "prev",
        "created_at",
        "origins",
        "acks",
        "counts",
    )
    return {k: manifest[k] for k in keep if k in manifest}


# ---------------------------------------------------------------------- import: checking


@dataclass
class Checked:
    """A bundle that passed every check that needs no database write."""

    header: Header
    sender: PublicKeys
    contents: Contents
    digest: str  # SHA-256 of the signed payload: the bundle's identity


def check_bundle(
    data: bytes, sync: SyncStore, who: Me, keys: KeyPair, *, schema_version: int = LATEST
) -> Checked:
    """Header, sender, decryption, signature, parts and chain links; raises `BundleError`."""
    header, ciphertext = fmt.read_header(data)
    if header.receiver != who.code:
        raise BundleError(
            "wrong_receiver",
            f"这个包是 {header.sender} 写给 {header.receiver} 的，不是给本机（{who.code}）的，未导入。请确认拿对了 U 盘上的文件。",
        )
    expected_kind = "report" if who.is_office else "return"
    if header.kind != expected_kind:
        what = "服务点的上报包" if who.is_office else "县级经办机构的回执包"
        raise BundleError(
            "wrong_receiver",
            f"这个包不是{what}，本机不能导入（{header.sender} → {header.receiver}）。",
        )
    registered = sync.active_key(header.sender)
    if registered is None or registered.role != "peer" or not registered.sign_key:
        if any(k.point_code == header.sender for k in sync.peer_keys()):
            raise BundleError(
                "revoked_sender",
                f"{header.sender} 的密钥已被吊销，它的包一律拒收。如对方已换新密钥，请先登记新公钥并电话核对指纹。",
            )
        raise BundleError(
            "unknown_sender",
            f"本机没有登记 {header.sender} 的公钥，不能确认包是谁写的，未导入。请先用 clerk keys add 登记并电话核对指纹。",
        )
    sender = PublicKeys(
        registered.point_code, registered.name, registered.sign_key, registered.age_recipient
    )
    envelope = fmt.decrypt(ciphertext, keys.identity)
    payload = fmt.open_envelope(envelope, sender)
    contents = fmt.open_payload(payload, schema_version=schema_version)
    if contents.header != header:
        raise BundleError("bad_part", "上报包的文件头与签名清单不一致，文件可能被改动，未导入。")
    check_chains(contents)
    return Checked(header=header, sender=sender, contents=contents, digest=fmt.sha256(payload))


def check_chains(contents: Contents) -> None:
    """Every event extends its chain as the manifest says: contiguous, linked, hashes right."""
    canonical: dict[str, str] = {}  # an event's data text -> its canonical JSON (texts repeat)
    sender = contents.manifest["from"]
    origins: Mapping[str, Mapping[str, Any]] = contents.manifest.get("origins") or {}
    by_origin: dict[str, list[dict[str, Any]]] = {}
    for event in contents.records.get("events", []):
        by_origin.setdefault(str(event.get("origin")), []).append(event)
    if set(by_origin) - set(origins):
        raise BundleError("broken_chain", "上报包中有清单未列出的事件链，文件可能被改动，未导入。")
    for origin, info in origins.items():
        if installation_of(origin) != sender:
            raise BundleError(
                "broken_chain", f"上报包中含有 {origin} 的事件链，不是发送方自己的记录，未导入。"
            )
        events = sorted(by_origin.get(origin, []), key=lambda e: int(e["seq"]))
        expected_seq, prev = int(info["from_seq"]), str(info["from_prev"])
        for event in events:
            if int(event["seq"]) != expected_seq:
                raise BundleError(
                    "broken_chain",
                    f"{origin} 的事件序号不连续（缺第 {expected_seq} 条），文件可能被改动，未导入。",
                )
            if event["prev_hash"] != prev or event_link_hash(event, canonical) != event["hash"]:
                raise BundleError(
                    "broken_chain",
                    f"{origin} 第 {expected_seq} 条事件的哈希链接不上，记录可能被改动，未导入。",
                )
            prev = event["hash"]
            expected_seq += 1
        if expected_seq - 1 != int(info["to_seq"]) or (events and prev != info["head"]):
            raise BundleError(
                "broken_chain", f"{origin} 的事件与清单记录的链头不符，文件可能不完整，未导入。"
            )


def event_link_hash(event: Mapping[str, Any], canonical: dict[str, str] | None = None) -> str:
    """The hash an event must carry given its content and predecessor (see `clerk.storage.chain`).

    `canonical` caches data texts already put in canonical form (many events share one).
    """
    quick = _spliced_link_hash(event, {} if canonical is None else canonical)
    if quick is not None:
        return quick
    fields = dict(event)
    data = fields.get("data")
    fields["data"] = json.loads(data) if isinstance(data, str) else data
    return event_hash(fields, str(event["prev_hash"]), int(event.get("format") or 1))


# `event_hash` of a bundle's event without building a dict and encoding it whole: the canonical
# JSON spliced from its fields in sorted order, strings encoded as `json.dumps(...,
# ensure_ascii=False)` encodes them, `data` decoded and re-encoded canonically (as `event_hash`
# hashes it). Any value of another type, or an unknown format, gets None: the exact way then.
_LINK_PLANS = {
    fmt: tuple((f'"{name}":', name) for name in sorted(hashed_names(fmt))) for fmt in (1, 2)
}


def _spliced_link_hash(event: Mapping[str, Any], canonical: dict[str, str]) -> str | None:
    fmt_value = event.get("format") or 1
    plan = _LINK_PLANS.get(fmt_value) if fmt_value.__class__ is int else None
    prev = event.get("prev_hash")
    if plan is None or prev.__class__ is not str:
        return None
    parts = []
    for key, name in plan:
        v = event.get(name, _ABSENT)
        if name == "data":
            if v.__class__ is not str:
                return None
            text = canonical.get(v)
            if text is None:
                try:
                    text = canonical_json(json.loads(v))
                except ValueError:
                    return None
                canonical[v] = text
            parts.append(key + text)
        elif v.__class__ is str:
            parts.append(key + encode_basestring(v))
        elif v is None:
            parts.append(key + "null")
        elif v.__class__ is int:
            parts.append(key + str(v))
        else:
            return None
    return hashlib.sha256(("{" + ",".join(parts) + "}" + prev).encode("utf-8")).hexdigest()


_ABSENT = object()


# ---------------------------------------------------------------------- import: applying


@dataclass
class ImportReport:
    bundle: dict[str, Any] = field(default_factory=dict)
    status: str = "imported"  # imported | duplicate | gap | refused
    message: str = ""
    imported: dict[str, int] = field(default_factory=dict)
    duplicates: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)
    gaps: list[dict[str, Any]] = field(default_factory=list)
    acknowledged: dict[str, dict[str, Any]] = field(default_factory=dict)
    holding: dict[str, dict[str, Any]] = field(default_factory=dict)
    flagged: list[dict[str, Any]] = field(default_factory=list)
    decisions: list[dict[str, Any]] = field(default_factory=list)
    refusal: str | None = None

    @property
    def ok(self) -> bool:
        return self.status in ("imported", "duplicate")

    def text(self) -> str:
        """The Chinese summary the CLI prints and the 导入 screen shows."""
        return report_text(self)

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "status": self.status,
            "message": self.message,
            "bundle": self.bundle,
            "imported": self.imported,
            "duplicates": self.duplicates,
            "conflicts": self.conflicts,
            "rejected": self.rejected,
            "gaps": self.gaps,
            "acknowledged": self.acknowledged,
            "holding": self.holding,
            "flagged": self.flagged,
            "decisions": self.decisions,
            "refusal": self.refusal,
        }


def refused(exc: BundleError | KeyProblem) -> ImportReport:
    code = exc.code if isinstance(exc, BundleError) else "keys"
    return ImportReport(status="refused", message=str(exc), refusal=code)


def apply_bundle(
    checked: Checked,
    sync: SyncStore,
    who: Me,
    now: datetime,
    save_file: Callable[[str, bytes, str], str],
    labels: Callable[[Mapping[str, Any]], str] | None = None,
) -> ImportReport:
    """Apply a checked bundle in one transaction (or nothing, for a duplicate or a gap).

    `save_file(sha256, data, suffix)` stores a document file and returns its local path.
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
    known = sync.bundle("in", header.sender, header.seq)
    if known is not None:
        if known["hash"] != checked.digest:
            report.status, report.refusal = "refused", "conflicting_bundle"
            report.message = (
                f"本机已导入过 {header.sender} 的第 {header.seq} 号包，但内容不同：对方可能从旧备份恢复后重新编号。"
                "未导入，请联系信息管理员核对。"
            )
            return report
        report.status, report.duplicates = "duplicate", 1
        report.message = f"{header.sender} 的第 {header.seq} 号包已经导入过，本次未作任何改动。"
        return report
    latest = sync.last_bundle("in", header.sender)
    if latest is not None and int(latest["seq"]) > header.seq:
        report.status, report.duplicates = "duplicate", 1
        report.message = (
            f"这是 {header.sender} 较早的第 {header.seq} 号包，本机已导入更新的第 {latest['seq']} 号包，其内容已包含在内，"
            "本次未作任何改动。"
        )
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
    with sync.transaction():
        _apply(checked, sync, who, now, save_file, report, labels)
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
            _summary(m),
            "",
            now.isoformat(),
        )
    parts = []
    if report.imported.get("events"):
        parts.append(f"事件 {report.imported['events']} 条")
    if report.imported.get("cases"):
        parts.append(f"办件 {report.imported['cases']} 件")
    summary = "，".join(parts) or "没有新记录"
    report.message = f"已导入 {header.sender} 的第 {header.seq} 号包：{summary}。"
    if report.conflicts:
        report.message += f"有 {len(report.conflicts)} 件冲突待主管处理。"
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
    save_file: Callable[[str, bytes, str], str],
    report: ImportReport,
    labels: Callable[[Mapping[str, Any]], str] | None,
) -> None:
    contents = checked.contents
    sender = checked.header.sender
    bundle_seq = checked.header.seq
    stamp = now.isoformat()
    counts = {"events": 0, "cases": 0, "case_materials": 0, "documents": 0, "evaluations": 0}
    # 1. Events: skip what we hold (identical), refuse a chain that forks from ours.
    new_events: list[dict[str, Any]] = []
    forked: set[str] = set()
    incoming = sorted(
        contents.records.get("events", []), key=lambda e: (str(e["origin"]), int(e["seq"]))
    )
    held = _held_hashes(sync, incoming)
    for event in incoming:
        origin = str(event["origin"])
        if origin in forked:
            continue
        mine = held[origin].get(int(event["seq"]))
        if mine is not None:
            if mine == event["hash"]:
                report.duplicates += 1
                continue
            forked.add(origin)
            report.rejected.append(
                {
                    "kind": "event",
                    "origin": origin,
                    "seq": int(event["seq"]),
                    "why": f"{origin} 第 {event['seq']} 条事件与本机已有的同号事件内容不同，该链其后的事件均未导入。",
                }
            )
            continue
        new_events.append(event)
    # 2. Records: cases first (events refer to them).
    # Only the point's own cases travel between a point and its office (a point opens cases under
    # its own code); anything else is refused and reported.
    point = sender if checked.header.kind == "report" else checked.header.receiver
    incoming_cases: dict[str, dict[str, Any]] = {}
    for r in contents.records.get("cases", []):
        if r.get("point_code") != point:
            report.rejected.append(
                {
                    "kind": "case",
                    "case_no": r.get("case_no"),
                    "why": f"不是 {point} 的办件，未导入。",
                }
            )
            continue
        incoming_cases[r["uuid"]] = r
    look = _Lookups(sync)
    look.fetch_cases(incoming_cases)
    before: dict[str, dict[str, Any] | None] = {u: look.case(u) for u in incoming_cases}
    fresh = [row for uuid, row in incoming_cases.items() if before[uuid] is None]
    counts["cases"] += sync.insert_records("cases", fresh, stamp)
    look.cases.update((row["uuid"], row) for row in fresh)
    look.fetch_cases(
        {e["case_uuid"] for e in new_events}
        | {
            str(r["case_uuid"])
            for t in (*RECORD_TABLES[1:], "batch_cases")
            for r in contents.records.get(t, [])
            if r.get("case_uuid") is not None
        }
    )
    event_cases: set[str] = set()
    storing: list[dict[str, Any]] = []
    for event in new_events:
        if look.case(event["case_uuid"]) is None:
            forked.add(str(event["origin"]))
            report.rejected.append(
                {
                    "kind": "event",
                    "origin": event["origin"],
                    "seq": int(event["seq"]),
                    "why": "事件所属的办件不在包中。",
                }
            )
            continue
        if str(event["origin"]) in forked:
            continue
        storing.append(event)
        event_cases.add(event["case_uuid"])
    counts["events"] += sync.insert_events(storing)
    _flag_clocks(new_events, now, report)
    # 3. Ownership: events by an installation that did not own the case go to the conflict queue.
    new_keys = {(str(e["origin"]), int(e["seq"])) for e in new_events}
    conflicted: set[str] = set()
    look.fetch_histories(event_cases | set(incoming_cases))
    for case_uuid in sorted(event_cases | set(incoming_cases)):
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
    # 4. Case rows: the fixed part must agree; the moving part follows the owner.
    for uuid, row in incoming_cases.items():
        old = before[uuid]
        if old is None:
            continue
        fixed_theirs = {k: v for k, v in row.items() if k not in CASE_MUTABLE}
        fixed_ours = {
            k: v for k, v in old.items() if k not in CASE_MUTABLE and k not in LOCAL_COLUMNS
        }
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
            continue
        if uuid in conflicted or _same(row, old):
            report.duplicates += 0 if uuid in conflicted else 1
            continue
        if not _sender_owned(look, old, sender, new_keys) or int(row["version"]) <= int(
            old["version"]
        ):
            continue  # not theirs to change, or older than ours: our copy stands
        sync.replace_record("cases", row, stamp)
        counts["cases"] += 1
        if row["state"] != old["state"]:
            report.decisions.append(_decision(row, old, labels))
    # 5. Material checks, documents, evaluations.
    for table in ("case_materials", "documents", "evaluations"):
        rows = contents.records.get(table, [])
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
                contents,
                save_file,
                stamp,
                report,
                counts,
                held_rows,
            )
        held_rows.flush()
    # 6. Roster batches (written once): new rows are stored, identical ones skipped, others refused.
    for table, key in BATCH_TABLES.items():
        rows = contents.records.get(table, [])
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
    report.imported = counts


def _held_hashes(sync: SyncStore, events: list[dict[str, Any]]) -> dict[str, dict[int, str]]:
    """The hashes this file holds under the (origin, seq) of the incoming events: one range query
    per origin (a bundle carries each origin's events as one contiguous run)."""
    ranges: dict[str, tuple[int, int]] = {}
    for event in events:
        origin, seq = str(event["origin"]), int(event["seq"])
        lo, hi = ranges.get(origin, (seq, seq))
        ranges[origin] = (min(lo, seq), max(hi, seq))
    return {origin: sync.event_hashes(origin, lo, hi) for origin, (lo, hi) in ranges.items()}


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
        if table == "batch_cases" and look.case(row["case_uuid"]) is None:
            report.rejected.append({"kind": table, "uuid": row["case_uuid"], "why": "记录所属的办件不在本机。"})
            return
        held.insert(str(row[key]), values)
        counts[table] = counts.get(table, 0) + 1
        return
    if all(old.get(k) == v for k, v in values.items()):
        report.duplicates += 1
        return
    report.rejected.append({"kind": table, "uuid": row[key], "why": "同一记录的内容与本机不同，未覆盖，请核对。"})


class _Lookups:
    """Case rows and case histories read once per import (events are all stored before use)."""

    def __init__(self, sync: SyncStore) -> None:
        self.sync = sync
        self.cases: dict[str, dict[str, Any] | None] = {}
        self.histories: dict[str, list[dict[str, Any]]] = {}

    def case(self, uuid: str) -> dict[str, Any] | None:
        if uuid not in self.cases:
            self.cases[uuid] = self.sync.record("cases", uuid)
        return self.cases[uuid]

    def fetch_cases(self, uuids: Iterable[str]) -> None:
        """Read the case rows of many uuids at once (None for those this file lacks)."""
        missing = [u for u in uuids if u not in self.cases]
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
    look: _Lookups, case: Mapping[str, Any], sender: str, new_keys: set[tuple[str, int]]
) -> bool:
    """Whether the sender owned the case before this bundle's events or owns it after them: its
    rows then carry moves it was entitled to make (e.g. an acceptance, then the hand-on)."""
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
    new_keys: set[tuple[str, int]],
    table: str,
    row: dict[str, Any],
    sync: SyncStore,
    sender: str,
    conflicted: set[str],
    contents: Contents,
    save_file: Callable[[str, bytes, str], str],
    stamp: str,
    report: ImportReport,
    counts: dict[str, int],
    held: _Held,
) -> None:
    values = {k: v for k, v in row.items() if not k.startswith("file_")}
    old = held.get(str(row["uuid"]))
    if old is None:
        if look.case(row["case_uuid"]) is None:
            report.rejected.append(
                {"kind": table, "uuid": row["uuid"], "why": "记录所属的办件不在本机。"}
            )
            return
        if table == "documents":  # a new document: its files are stored here, named by the row
            for key in ("txt", "pdf"):
                digest = row.get(f"file_{key}")
                values[f"path_{key}"] = (
                    save_file(digest, contents.files[digest], f".{key}")
                    if digest in contents.files
                    else None
                )
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
        or not _sender_owned(look, case, sender, new_keys)
        or int(row["version"]) < int(old["version"])
    ):
        return
    sync.replace_record(table, values, stamp)
    held.changed(str(row["uuid"]))
    counts[table] += 1


def _flag_clocks(events: list[dict[str, Any]], now: datetime, report: ImportReport) -> None:
    last: dict[str, datetime] = {}
    for event in sorted(events, key=lambda e: (str(e["origin"]), int(e["seq"]))):
        at = datetime.fromisoformat(event["at"])
        origin = str(event["origin"])
        if at > now + FUTURE_SLACK:
            report.flagged.append(
                {
                    "origin": origin,
                    "seq": int(event["seq"]),
                    "at": event["at"],
                    "why": "事件时间晚于本机当前时间，对方电脑时钟可能不准。",
                }
            )
        elif origin in last and at < last[origin]:
            report.flagged.append(
                {
                    "origin": origin,
                    "seq": int(event["seq"]),
                    "at": event["at"],
                    "why": "事件时间早于同一来源的上一条事件，对方电脑时钟可能被调过。",
                }
            )
        last[origin] = max(at, last.get(origin, at))


def _decision(
    row: Mapping[str, Any],
    old: Mapping[str, Any],
    labels: Callable[[Mapping[str, Any]], str] | None,
) -> dict[str, Any]:
    state = CaseState(row["state"])
    return {
        "case_no": row["case_no"],
        "applicant": mask_name(row.get("applicant_name") or ""),
        "item": labels(row) if labels else str(row["item_no"]),
        "from": CaseState(old["state"]).label,
        "to": state.label,
        "tell": TELL.get(state, state.label),
    }


def report_text(report: ImportReport) -> str:
    """The Chinese summary of an import (also shown by the 导入 screen)."""
    if report.status == "refused":
        return f"未导入，本机未作任何改动：{report.message}"
    lines = [report.message]
    for gap in report.gaps:
        bring = f"请带来第 {gap['bring']} 号上报包" if gap.get("bring") else "请让对方重新导出"
        lines.append(
            f"缺少 {gap['origin']} 第 {gap['missing_from']}–{gap['missing_to']} 条记录：{bring}。"
        )
    for c in report.conflicts:
        lines.append(
            f"冲突 {c['case_no']}：{c['origin']} 第 {c['seq']} 条“{c['action']}”不是办件所有方所作，已列入冲突队列。"
        )
    for r in report.rejected:
        lines.append(f"未覆盖：{r.get('case_no') or r.get('origin') or r.get('uuid')}：{r['why']}")
    for f in report.flagged:
        lines.append(f"时间异常：{f['origin']} 第 {f['seq']} 条（{f['at']}）：{f['why']}")
    for origin, ack in report.acknowledged.items():
        lines.append(f"对方已确认收到本机 {origin} 的记录：至第 {ack['seq']} 条。")
    if report.decisions:
        lines.append("需告知申请人：")
    for d in report.decisions:
        lines.append(
            f"  {d['case_no']} {d['applicant']}（{d['item']}）：{d['from']}→{d['to']}，{d['tell']}。"
        )
    return "\n".join(lines)
