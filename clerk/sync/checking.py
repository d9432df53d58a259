"""Checking an imported bundle before the database is touched: header, sender, decryption,
signature, every part's hash and every chain link (see `clerk.sync.exchange`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

from clerk.domain.chain import STORED_COLUMNS, canonical_json, event_hash, spliced_hash
from clerk.ports.sync import SyncStore
from clerk.sync import bundle as fmt
from clerk.sync import streaming, wire
from clerk.sync.bundle import BundleError, Contents, Header
from clerk.sync.keys import KeyPair, PublicKeys
from clerk.sync.ownership import installation_of
from clerk.sync.peers import Me


@dataclass
class Checked:
    """A bundle that passed every check that needs no database write."""

    header: Header
    sender: PublicKeys
    contents: Contents  # the manifest (and, read in memory, the records and files)
    digest: str  # SHA-256 of the signed payload: the bundle's identity
    parts: streaming.Parts | None = None  # the records unpacked on disk (None: in `contents`)

    def records(self) -> streaming.Parts:
        """Where the apply reads the records and files from."""
        return self.parts if self.parts is not None else streaming.MemoryParts(self.contents)


def check_bundle(
    data: bytes, sync: SyncStore, who: Me, keys: KeyPair, *, schema_version: int | None = None
) -> Checked:
    """Header, sender, decryption, signature, parts and chain links of a bundle held in memory;
    raises `BundleError`. (`clerk import` reads the file in bounded memory: `check_bundle_file`.)

    `schema_version`: the newest storage version whose records this file can take (default:
    the database's own)."""
    if schema_version is None:
        schema_version = sync.schema_version()
    header, ciphertext = fmt.read_header(data)
    sender = check_sender(header, sync, who)
    envelope = fmt.decrypt(ciphertext, keys.identity)
    payload = fmt.open_envelope(envelope, sender)
    contents = fmt.open_payload(payload, schema_version=schema_version)
    if contents.header != header:
        raise BundleError("bad_part", "上报包的文件头与签名清单不一致，文件可能被改动，未导入。")
    contents.records = wire.rows_from(int(contents.manifest.get("format") or 1), contents.records)
    if who.is_city:
        check_relayed(contents.manifest, who)
        check_claimed_points(contents.manifest, who, sync)
    check_chains(contents)
    return Checked(header=header, sender=sender, contents=contents, digest=fmt.sha256(payload))


def check_bundle_file(
    path: Path,
    sync: SyncStore,
    who: Me,
    keys: KeyPair,
    work: Path,
    *,
    schema_version: int | None = None,
    step: Callable[[int, int], None] | None = None,
    space_for: Iterable[Path] = (),
) -> Checked:
    """`check_bundle` of a bundle file in bounded memory: decrypted and unpacked into the work
    folder `work` (which the caller removes), the signature checked over the mapped payload,
    then one streaming pass over the records (`clerk.sync.streaming`). A bundle larger than the
    free disk is refused before anything is written."""
    if schema_version is None:
        schema_version = sync.schema_version()
    header, offset = streaming.read_file_header(path)
    sender = check_sender(header, sync, who)
    streaming.check_free_space(path, work, *space_for)  # the copy, and where its contents go
    parts, digest = streaming.open_bundle_file(
        path, offset, keys.identity, sender, work, schema_version=schema_version, step=step
    )
    contents = Contents(manifest=parts.manifest)
    if contents.header != header:
        raise BundleError("bad_part", "上报包的文件头与签名清单不一致，文件可能被改动，未导入。")
    if who.is_city:
        check_relayed(parts.manifest, who)
        check_claimed_points(parts.manifest, who, sync)
    try:
        events = check_chain_stream(
            parts.manifest, streaming.checked_records(parts, "events"), in_order=False
        )
    except _Unordered:  # not written by clerk: sort that part once, then check it in order
        _sort_events(parts)
        events = check_chain_stream(
            parts.manifest, streaming.checked_records(parts, "events"), in_order=True
        )
    if int((parts.manifest.get("counts") or {}).get("events", -1)) != events:
        raise BundleError("bad_part", "上报包中的 events 条数与清单不符，请让对方重新导出。")
    return Checked(header=header, sender=sender, contents=contents, digest=digest, parts=parts)


def check_sender(header: Header, sync: SyncStore, who: Me) -> PublicKeys:
    """The registered keys of the header's sender, once the bundle is known to be for us."""
    if header.receiver != who.code:
        raise BundleError(
            "wrong_receiver",
            f"这个包是 {header.sender} 写给 {header.receiver} 的，不是给本机（{who.code}）的，未导入。请确认拿对了 U 盘上的文件。",
        )
    if who.is_city:
        expected_kind, what = "city", "县区经办机构写给市级的包"
    elif who.is_office and who.city_code and header.sender == who.city_code:
        expected_kind, what = "return", "市级的回执包"
    elif who.is_office:
        expected_kind, what = "report", "服务点的上报包"
    else:
        expected_kind, what = "return", "县级经办机构的回执包"
    if header.kind != expected_kind:
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
    return PublicKeys(
        registered.point_code, registered.name, registered.sign_key, registered.age_recipient
    )


def _sort_events(parts: streaming.DiskParts) -> None:
    """Rewrite the events part sorted by (origin, seq): only for a bundle whose events are not
    in chain order (clerk writes them in order; this holds the part in memory once)."""
    events = sorted(
        streaming.checked_records(parts, "events"), key=lambda e: (str(e["origin"]), int(e["seq"]))
    )
    path = parts.path("events")
    with open(path, "wb") as out:
        for event in events:
            out.write(orjson.dumps(event) + b"\n")


class _Unordered(Exception):
    """An origin's events are not in ascending seq order in the file."""


def relayed(manifest: Mapping[str, Any]) -> frozenset[str]:
    """The points a county's bundle for the city speaks for (none in any other bundle)."""
    if manifest.get("kind") != "city":
        return frozenset()
    points = manifest.get("points") or []
    if not isinstance(points, list) or not all(isinstance(p, str) for p in points):
        raise BundleError("bad_part", "上报包清单中的服务点列表格式不对，文件可能被改动，未导入。")
    return frozenset(points)


def check_relayed(manifest: Mapping[str, Any], who: Me) -> None:
    """At the city: a county speaks only for its own points, never for another county or the city."""
    others = (who.offices | {who.code}) - {str(manifest["from"])}
    claimed = sorted(relayed(manifest) & others)
    if claimed:
        raise BundleError(
            "broken_chain",
            f"{manifest['from']} 的包中含有 {'、'.join(claimed)} 的记录，不是该县区及其服务点的记录，未导入。",
        )


def check_claimed_points(manifest: Mapping[str, Any], who: Me, sync: SyncStore) -> None:
    """At the city: a point belongs to one county. A county's bundle carrying a point's own chain
    is refused when the point is declared under another county (`who.point_offices`, from
    offices.json), or, for a point the city does not know, when another county already relayed it
    (the `points` of that county's last bundle the city took)."""
    sender = str(manifest["from"])
    origins: Mapping[str, Any] = manifest.get("origins") or {}
    carried = sorted({installation_of(o) for o in origins} - {sender})
    if not carried:
        return
    declared = dict(who.point_offices)
    relayed_by: dict[str, str] = {}
    for county in sorted(who.offices - {sender}):
        latest = sync.last_bundle("in", county)
        if latest is not None:
            for point in json.loads(latest["manifest"]).get("points") or []:
                relayed_by.setdefault(str(point), county)
    for point in carried:
        owner = declared.get(point) or relayed_by.get(point)
        if owner and owner != sender:
            why = "按机构清单" if point in declared else f"{owner} 已上报过它的记录"
            raise BundleError(
                "claimed_point",
                f"{sender} 的包中含有服务点 {point} 的事件链，但 {point} 属于 {owner}"
                f"（{why}），一个服务点只能属于一个县区，整个包未导入。"
                f"请联系 {sender} 和 {owner} 的信息管理员核对 {point} 的所属经办机构。",
            )


def check_chains(contents: Contents) -> None:
    """Every event extends its chain as the manifest says: contiguous, linked, hashes right."""
    events = sorted(
        contents.records.get("events", []), key=lambda e: (str(e.get("origin")), int(e["seq"]))
    )
    check_chain_stream(contents.manifest, events, in_order=True)


CANONICAL_CACHE = 4096  # data texts kept in canonical form at a time (many events share one)


def check_chain_stream(
    manifest: Mapping[str, Any], events: Iterable[Mapping[str, Any]], *, in_order: bool
) -> int:
    """Every event extends its chain as the manifest says, in one pass keeping per chain only the
    next seq and the previous hash; returns how many events there were.

    `in_order`: the events are sorted by seq within each origin (a seq out of place is then a
    gap); otherwise a seq out of place raises `_Unordered` and the caller sorts."""
    canonical: dict[str, str] = {}
    sender = manifest["from"]
    origins: Mapping[str, Mapping[str, Any]] = manifest.get("origins") or {}
    writers = {sender, *relayed(manifest)}
    for origin in origins:
        if installation_of(origin) not in writers:
            raise BundleError(
                "broken_chain", f"上报包中含有 {origin} 的事件链，不是发送方自己的记录，未导入。"
            )
    state = {o: (int(i["from_seq"]), str(i["from_prev"])) for o, i in origins.items()}
    count = 0
    for event in events:
        count += 1
        origin = str(event.get("origin"))
        if origin not in state:
            raise BundleError(
                "broken_chain", "上报包中有清单未列出的事件链，文件可能被改动，未导入。"
            )
        expected_seq, prev = state[origin]
        if int(event["seq"]) != expected_seq:
            if not in_order:
                raise _Unordered
            raise BundleError(
                "broken_chain",
                f"{origin} 的事件序号不连续（缺第 {expected_seq} 条），文件可能被改动，未导入。",
            )
        if len(canonical) > CANONICAL_CACHE:
            canonical.clear()
        if event["prev_hash"] != prev or event_link_hash(event, canonical) != event["hash"]:
            raise BundleError(
                "broken_chain",
                f"{origin} 第 {expected_seq} 条事件的哈希链接不上，记录可能被改动，未导入。",
            )
        state[origin] = (expected_seq + 1, str(event["hash"]))
    for origin, info in origins.items():
        next_seq, prev = state[origin]
        carried = next_seq != int(info["from_seq"])
        if next_seq - 1 != int(info["to_seq"]) or (carried and prev != info["head"]):
            raise BundleError(
                "broken_chain", f"{origin} 的事件与清单记录的链头不符，文件可能不完整，未导入。"
            )
    return count


def event_link_hash(event: Mapping[str, Any], canonical: dict[str, str] | None = None) -> str:
    """The hash an event must carry given its content and predecessor (see `clerk.domain.chain`).

    `canonical` caches data texts already put in canonical form (many events share one).
    """
    quick = _spliced_link_hash(event, {} if canonical is None else canonical)
    if quick is not None:
        return quick
    fields = dict(event)
    data = fields.get("data")
    fields["data"] = json.loads(data) if isinstance(data, str) else data
    return event_hash(fields, str(event["prev_hash"]), int(event.get("format") or 1))


# `event_hash` of a bundle's event without building a dict and encoding it whole: the event laid
# out as a stored row, `data` decoded and re-encoded canonically (as `event_hash` hashes it), then
# spliced as `clerk.domain.chain` splices a stored row. A field missing or of another type, or an
# unknown format, gets None: the exact way then.
_ABSENT = object()
_STORED = itemgetter(*STORED_COLUMNS)
_FORMAT_AT, _DATA_AT = STORED_COLUMNS.index("format"), STORED_COLUMNS.index("data")


def _spliced_link_hash(event: Mapping[str, Any], canonical: dict[str, str]) -> str | None:
    fmt = event.get("format") or 1
    data = event.get("data")
    if (
        fmt.__class__ is not int
        or event.get("prev_hash").__class__ is not str
        or data.__class__ is not str
    ):
        return None
    text = canonical.get(data)
    if text is None:
        try:
            text = canonical_json(json.loads(data))
        except ValueError:
            return None
        canonical[data] = text
    try:
        values = list(_STORED(event))
    except KeyError:  # a field missing: spliced as absent, which sends the event the exact way
        values = [event.get(name, _ABSENT) for name in STORED_COLUMNS]
    values[_FORMAT_AT], values[_DATA_AT] = fmt, text
    return spliced_hash(tuple(values))
