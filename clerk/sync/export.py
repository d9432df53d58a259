"""What a bundle for a peer carries: everything it has not acknowledged (see `clerk.sync.exchange`).

Three directions: a point's report to its county ("report"), a county's return to a point or the
city's return to a county ("return": acknowledgements, and the county's decisions), and a county's
bundle for the city ("city"): every chain the county holds — its own, the ones it keeps per point
and the chains its points brought in — each unchanged, so the city checks each against its origin.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from clerk.domain.chain import ZERO_HASH
from clerk.ports.sync import (
    BATCH_LOCAL_COLUMNS,
    BATCH_TABLES,
    LOCAL_COLUMNS,
    RECORD_TABLES,
    SyncStore,
)
from clerk.sync import bundle as fmt
from clerk.sync import wire
from clerk.sync.bundle import Contents
from clerk.sync.ownership import SEPARATOR, chain_for, installation_of
from clerk.sync.peers import Me

HISTORY = 60  # earlier bundles listed in a manifest, so a receiver can name the one it lacks
FILES_REMEMBERED = 1 << 15  # document files hashed by this export, remembered at a time


class ExportError(ValueError):
    """The bundle could not be written (Chinese message)."""


# ---------------------------------------------------------------------- export


KIND_REPORT, KIND_RETURN, KIND_CITY = "report", "return", "city"


def receiver_for(who: Me, for_point: str | None) -> str:
    if who.is_city:
        code = (for_point or "").strip().upper()
        if not code:
            raise ExportError("市级导出时请用 --for 指定县区经办机构编码（写给该县区的回执包）。")
        if code not in who.offices:
            raise ExportError(f"{code} 不是县区经办机构，市级只给县区经办机构写回执包。")
        return code
    if who.is_office:
        if not for_point:
            raise ExportError(
                "县级经办机构导出时请用 --for 指定服务点编码（写给该服务点的回执包）。"
            )
        return for_point.strip().upper()
    if for_point and for_point.strip().upper() != who.office_code:
        raise ExportError(f"服务点的上报包只能写给所属经办机构 {who.office_code}。")
    return who.office_code


def kind_for(who: Me, receiver: str) -> str:
    """The bundle's kind: a point reports, a county sends the city its record, the rest return."""
    if who.is_office and who.city_code and receiver == who.city_code:
        return KIND_CITY
    return KIND_RETURN if who.is_office or who.is_city else KIND_REPORT


def chains_for(sync: SyncStore, who: Me, receiver: str) -> list[str]:
    """The chains of ours a receiver gets: a point sends its own; an office the one it keeps for
    the point; to the city, every chain the office holds; the city writes none."""
    if who.is_city:
        return []
    if kind_for(who, receiver) == KIND_CITY:  # and those the city confirmed, held or not
        return sorted(set(sync.heads()) | set(sync.acks(receiver)))
    if who.is_office:
        return [chain_for(who.code, receiver)]
    return [who.code]


def relayed_points(who: Me, chains: list[str]) -> list[str]:
    """The installations besides the office itself whose cases its bundle for the city carries."""
    found: set[str] = set()
    for origin in chains:
        installation, _, point = origin.partition(SEPARATOR)
        found.update(code for code in (installation, point) if code)
    found.discard(who.code)
    return sorted(found)


def build_export(
    sync: SyncStore,
    who: Me,
    receiver: str,
    now: str,
    read_file: Callable[[str], bytes | None],
    *,
    format: int = wire.FORMAT,
    hash_file: Callable[[str], str | None] | None = None,
    file_at: Callable[[str], Path] = Path,
) -> Contents:
    """The contents of the next bundle for `receiver` (not yet written or recorded).

    `hash_file(path)`: the SHA-256 of a document file read as a stream (None: unreadable); when
    given, the files are not read into memory but packed from disk by `write_bundle`, from
    `file_at(path)` (the path itself; a store that keeps the bytes gives a copy it spooled).

    `format` 1 (raw rows, for an installation not yet upgraded, and the tests) or 2."""
    acks = sync.acks(receiver)
    previous = sync.last_bundle("out", receiver)
    seq = int(previous["seq"]) + 1 if previous else 1
    kind = kind_for(who, receiver)
    if kind == KIND_CITY:  # a county restored from a backup numbers on from what the city holds
        seq = max(seq, int(sync.acked_bundle(receiver) or 0) + 1)
    origins: dict[str, dict[str, Any]] = {}
    lost: dict[str, dict[str, Any]] = {}
    touched: set[str] = set()
    chains = chains_for(sync, who, receiver)
    for origin in chains:
        acked_seq, acked_hash = acks.get(origin, (0, ZERO_HASH))
        head = sync.head(origin) or (0, ZERO_HASH)
        if acked_seq > head[0] or (
            acked_seq and (sync.event_at(origin, acked_seq) or {}).get("hash") != acked_hash
        ):
            if kind == KIND_CITY:  # the city must learn of it: the chain is named, not sent
                lost[origin] = {"acked_seq": acked_seq, "acked_hash": acked_hash, "held": head[0]}
                continue
            raise ExportError(
                f"{receiver} 确认收到的 {origin} 事件（第 {acked_seq} 条）本机没有：本机数据库可能从旧备份恢复过。"
                "请勿继续办件，联系信息管理员核对。"
            )
        origins[origin] = {
            "from_seq": acked_seq + 1,
            "to_seq": head[0],
            "from_prev": acked_hash,
            "head": head[1],
        }
    since = _acked_bundle_time(sync, receiver, acks)
    if kind == KIND_CITY:  # the county speaks for its points: every case changed since
        touched.update(sync.cases_changed_since(None, since))
    elif not who.is_city:
        point_filter = receiver if who.is_office else who.code
        # Rows changed since the receiver confirmed our last bundle, of the cases we own (only
        # the owner's rows are taken at the other end; the rest travel with the events).
        owners = sync.owners()
        touched.update(
            uuid
            for uuid in sync.cases_changed_since(point_filter, since)
            if owners.get(uuid, point_filter) == who.code
        )
        del owners
    files: dict[str, bytes] = {}
    file_paths: dict[str, Path] = {}
    hashed: dict[str, str | None] = {}  # a file several documents name is hashed once

    def digest_of(where: str) -> str | None:
        assert hash_file is not None
        if where not in hashed:
            if len(hashed) >= FILES_REMEMBERED:
                hashed.clear()
            hashed[where] = hash_file(where)
        return hashed[where]

    def events() -> Iterator[dict[str, Any]]:
        # Read first (see below): the cases its events touch are collected as they pass.
        for origin, span in origins.items():
            for event in _events(sync, origin, span):
                touched.add(event["case_uuid"])
                yield event

    def documents() -> Iterator[dict[str, Any]]:
        for doc in _rows_of(sync, "documents", touched, format):
            for key in ("txt", "pdf"):
                where = doc.pop(f"_path_{key}", None) or ""
                if hash_file is not None:  # the file stays on disk; packed from there
                    digest = digest_of(where)
                    doc[f"file_{key}"] = digest
                    if digest is not None and digest not in file_paths:
                        file_paths[digest] = file_at(where)
                    continue
                data = read_file(where)
                doc[f"file_{key}"] = fmt.sha256(data) if data is not None else None
                if data is not None:
                    files[fmt.sha256(data)] = data
            yield doc

    batch_rows: dict[str, list[dict[str, Any]]] = {}

    def batch_part(table: str) -> Iterator[dict[str, Any]]:
        if not batch_rows:
            batch_rows.update(sync.batch_records_of_cases(touched))
        for r in batch_rows.pop(table):
            yield {k: v for k, v in r.items() if k not in BATCH_LOCAL_COLUMNS}

    # The parts are read in this order, each as it is written (`hash_file`: into the payload, a
    # page at a time) or now (in memory, for `pack_payload`): the events first, since the
    # other parts carry the cases they touch. Every part but the events is a generator that
    # reads nothing before it is started.
    parts: dict[str, Iterable[dict[str, Any]]] = {"events": events()}
    for table in RECORD_TABLES:
        parts[table] = (
            documents() if table == "documents" else _rows_of(sync, table, touched, format)
        )
    for table in BATCH_TABLES:
        parts[table] = batch_part(table)
    if format == wire.FORMAT:
        parts = {part: _to_wire(part, rows) for part, rows in parts.items()}
    elif format != 1:
        raise ValueError(f"cannot write bundle format {format}")
    records: dict[str, list[dict[str, Any]]] = {}
    streams: dict[str, Iterable[dict[str, Any]]] = {}
    if hash_file is None:
        records = {part: list(rows) for part, rows in parts.items()}
    else:
        streams = parts
    last_in = sync.last_bundle("in", receiver)
    manifest: dict[str, Any] = {
        "format": format,
        "suite": fmt.SUITE,
        "kind": kind,
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
    if kind == KIND_CITY:
        manifest["points"] = relayed_points(who, chains)
        manifest["lost"] = lost
    if format == 1:  # the writer's rows: the receiver refuses rows of a newer database
        manifest["schema"] = sync.schema_version()
    return Contents(
        manifest=manifest, records=records, files=files, file_paths=file_paths, streams=streams
    )


def _events(sync: SyncStore, origin: str, span: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The events of one chain a bundle carries (`span`: its entry in the manifest's `origins`)."""
    last = int(span["to_seq"])
    for event in sync.events_after(origin, int(span["from_seq"]) - 1):
        if int(event["seq"]) > last:
            return
        yield event


def _rows_of(sync: SyncStore, table: str, cases: set[str], format: int) -> Iterator[dict[str, Any]]:
    """The rows of `table` of `cases`, read once started (`cases` may still grow before)."""
    for row in sync.records_of_cases(table, cases):
        yield _travelling(row, format)


def _to_wire(part: str, rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    to_wire = wire.to_wire
    for row in rows:
        yield to_wire(part, row)


def _travelling(row: dict[str, Any], format: int) -> dict[str, Any]:
    """A stored row as it leaves: without the local columns (format 2 picks its fields from the
    row itself, `wire.to_wire`), a document with where its files lie (`_path_txt`, `_path_pdf`)."""
    out = row if format != 1 else {k: v for k, v in row.items() if k not in LOCAL_COLUMNS}
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
    """What we hold of the peer's chains (the peer may stop resending them); at the city, also
    of the chains of the points the county relayed."""
    heads = sync.heads()
    theirs = {peer}
    if who.is_city:
        latest = sync.last_bundle("in", peer)
        if latest is not None:
            theirs.update(json.loads(latest["manifest"]).get("points") or [])
    return {
        origin: {"seq": seq, "hash": digest}
        for origin, (seq, digest) in sorted(heads.items())
        if installation_of(origin) in theirs
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
        "out", m["to"], int(m["seq"]), digest, m["prev"], manifest_summary(m), path.name, now
    )


def manifest_summary(manifest: Mapping[str, Any]) -> dict[str, Any]:
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
        "points",
        "lost",
    )
    return {k: manifest[k] for k in keep if k in manifest}
