"""A bundle file read without holding it in memory (issue 25, item 2).

Import, pass 1 (`open_bundle_file`, no database access): the age ciphertext is decrypted into a
temporary file (`pyrage.decrypt_io`, chunk by chunk); the envelope's tar is read from that file;
the Ed25519 signature is checked over the exact bytes of `payload.tar.gz`, mapped from the file
(`mmap`): `cryptography`'s Ed25519 takes the whole message in one call and the format signs the
payload itself (no pre-hash), so the payload is handed over as a memory map of the file, never
copied into the process's own memory; the mapped pages are file cache the kernel can drop. Then
the payload is gunzipped and untarred as a stream, each member copied into the work folder while
its SHA-256 is computed; the manifest's `parts` and `counts` are compared; every record is parsed
and its shape checked, and every chain link checked, in one pass over the JSON Lines keeping only
ids and hashes (`clerk.sync.checking.check_chain_stream`).

Pass 2 (`clerk.sync.applying`) reads the records back from the work folder in batches, inside the
one transaction, and a document's file is read when its record is stored.

The records then come from `DiskParts`; a bundle already in memory (tests, small tools) from
`MemoryParts`. Both give records as storage rows (`clerk.sync.wire`).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import mmap
import os
import shutil
import tarfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol

import orjson
import pyrage
from pyrage import x25519

from clerk.sync import wire
from clerk.sync.bundle import (
    FORMAT,
    MAGIC,
    MAX_HEADER,
    RECORD_PARTS,
    SUITE,
    BundleError,
    Contents,
    Header,
    read_header,
)
from clerk.sync.keys import PublicKeys
from clerk.sync.received import CarriedFile

CHUNK = 1 << 20
BATCH = 1000  # records per batch of the apply's reads and writes
MAX_SIGNATURE = 1 << 16
MAX_MANIFEST = 64 << 20
# Room kept free besides the bundle's own copy (the database's journal, the documents).
DISK_MARGIN = 64 << 20

Step = Callable[[int, int], None]  # (done, total) in bytes


class Parts(Protocol):
    """A checked bundle's manifest, records (storage rows, part by part) and document files."""

    @property
    def manifest(self) -> dict[str, Any]: ...
    def records(self, part: str) -> Iterator[dict[str, Any]]: ...
    def has_file(self, digest: str) -> bool: ...
    def file_bytes(self, digest: str) -> bytes: ...
    def carried(self, digest: str) -> CarriedFile: ...
    def count(self, part: str) -> int: ...


class MemoryParts:
    """A bundle held in memory (`Contents`, its records already storage rows)."""

    def __init__(self, contents: Contents) -> None:
        self.contents = contents

    @property
    def manifest(self) -> dict[str, Any]:
        return self.contents.manifest

    def records(self, part: str) -> Iterator[dict[str, Any]]:
        found = self.contents.records.get(part, [])
        if part == "events":  # in chain order, as a file's are once checked
            found = sorted(found, key=lambda e: (str(e["origin"]), int(e["seq"])))
        return iter(found)

    def has_file(self, digest: str) -> bool:
        return digest in self.contents.files

    def file_bytes(self, digest: str) -> bytes:
        return self.contents.files[digest]

    def carried(self, digest: str) -> CarriedFile:
        return CarriedFile(digest, None, lambda: self.contents.files[digest])

    def count(self, part: str) -> int:
        return len(self.contents.records.get(part, []))


class DiskParts:
    """A checked bundle unpacked in a work folder: `<part>.jsonl` and `files/<sha256>`."""

    def __init__(self, folder: Path, manifest: dict[str, Any], files: set[str]) -> None:
        self.folder = folder
        self._manifest = manifest
        self.files = files
        self.format = int(manifest.get("format") or 1)

    @property
    def manifest(self) -> dict[str, Any]:
        return self._manifest

    def path(self, part: str) -> Path:
        return self.folder / f"{part}.jsonl"

    def records(self, part: str) -> Iterator[dict[str, Any]]:
        for record in read_lines(self.path(part)):
            yield wire.storage_row(self.format, part, record)

    def has_file(self, digest: str) -> bool:
        return digest in self.files

    def file_bytes(self, digest: str) -> bytes:
        return (self.folder / "files" / digest).read_bytes()

    def carried(self, digest: str) -> CarriedFile:
        path = self.folder / "files" / digest
        return CarriedFile(digest, path, path.read_bytes)

    def count(self, part: str) -> int:
        return int((self._manifest.get("counts") or {}).get(part, 0))


def read_lines(path: Path) -> Iterator[Any]:
    """The JSON values of a JSON Lines file, split at the byte `\\n` only (a name may hold U+2028)."""
    if not path.exists():
        return
    with open(path, "rb") as handle:
        for line in handle:  # binary lines end at b"\n" only
            if line.endswith(b"\n"):
                line = line[:-1]
            if line:
                yield orjson.loads(line)


def batches(items: Iterable[Any], size: int = BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# ---------------------------------------------------------------------- pass 1


def read_file_header(path: Path) -> tuple[Header, int]:
    """The plain header of a bundle file and where its ciphertext begins."""
    with open(path, "rb") as handle:
        head = handle.read(MAX_HEADER + len(MAGIC) + 16)
    header, rest = read_header(head)
    return header, len(head) - len(rest)


def check_free_space(bundle: Path, *targets: Path) -> None:
    """Refuse, before anything is written, a bundle larger than the free disk where its copy and
    its contents go (each file system counted once per copy it receives)."""
    size = bundle.stat().st_size
    need: dict[int, tuple[int, Path]] = {}
    for target in targets:
        where = _existing(target)
        device = where.stat().st_dev
        have, _ = need.get(device, (0, where))
        need[device] = (have + size, where)
    for wanted, where in need.values():
        free = shutil.disk_usage(where).free
        if free < wanted + DISK_MARGIN:
            raise BundleError(
                "no_space",
                f"磁盘空间不足：导入这个上报包（{_mb(size)}）需要约 {_mb(wanted + DISK_MARGIN)} 空闲空间，"
                f"{where} 所在磁盘只有 {_mb(free)}。请清理磁盘空间后重试；本机未作任何改动。",
            )


def _existing(path: Path) -> Path:
    path = Path(path).absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _mb(n: int) -> str:
    return f"{n / (1 << 20):,.0f} MB"


def open_bundle_file(
    path: Path,
    offset: int,
    identity: x25519.Identity,
    sender: PublicKeys,
    work: Path,
    *,
    schema_version: int,
    step: Step | None = None,
) -> tuple[DiskParts, str]:
    """Pass 1 over a bundle file: decrypt into `work`, check the signature, unpack the payload
    checking every part's hash and the records' shapes and counts. Returns the unpacked parts
    and the payload's SHA-256 (the bundle's identity). Chains: `clerk.sync.checking`."""
    tell = step or (lambda done, total: None)
    total = max(1, os.path.getsize(path) - offset)
    envelope = work / "envelope.tar"
    with open(path, "rb") as source, open(envelope, "wb") as out:
        source.seek(offset)
        reader = _Counting(source, lambda n: tell(min(n, total), 2 * total))
        try:
            pyrage.decrypt_io(reader, out, [identity])
        except pyrage.DecryptError:
            raise _undecryptable() from None
        except OSError as exc:
            if exc.errno is not None:
                raise  # the work folder's disk: not the bundle's fault
            raise _undecryptable() from None
    tell(total, 2 * total)
    payload_at, payload_size, signature = _envelope(envelope)
    digest = _verify(envelope, payload_at, payload_size, signature, sender)
    with open(envelope, "rb") as handle:
        handle.seek(payload_at)
        region = _Region(handle, payload_size)
        counted = _Counting(region, lambda n: tell(total + n * total // payload_size, 2 * total))
        manifest, hashes = _unpack(counted, work)
    envelope.unlink()
    files = _check_parts(manifest, hashes, schema_version)
    parts = DiskParts(work, manifest, files)
    _check_records(parts)
    tell(2 * total, 2 * total)
    return parts, digest


def _undecryptable() -> BundleError:
    return BundleError(
        "damaged",
        "上报包无法解密：文件已损坏、不完整（可能未拷贝完），或不是加密给本机的。请让对方重新导出一份。",
    )


def _envelope(path: Path) -> tuple[int, int, dict[str, Any]]:
    """Where `payload.tar.gz` lies in the envelope, and the signature record."""
    found: dict[str, tarfile.TarInfo] = {}
    signature: dict[str, Any] | None = None
    try:
        with tarfile.open(path, mode="r:") as tar:
            for info in tar:
                if not info.isfile() or info.name in found:
                    raise BundleError("damaged", "上报包结构异常，请让对方重新导出。")
                found[info.name] = info
                if info.name == "signature.json":
                    if info.size > MAX_SIGNATURE:
                        raise BundleError("damaged", "上报包结构异常，请让对方重新导出。")
                    handle = tar.extractfile(info)
                    assert handle is not None
                    signature = json.loads(handle.read())
    except (tarfile.TarError, EOFError, OSError):
        raise BundleError("damaged", "上报包内容已损坏或不完整，请让对方重新导出。") from None
    except ValueError:
        raise BundleError("damaged", "上报包内容不完整，请让对方重新导出。") from None
    payload = found.get("payload.tar.gz")
    if payload is None or signature is None or not isinstance(signature, dict):
        raise BundleError("damaged", "上报包内容不完整，请让对方重新导出。")
    return payload.offset_data, payload.size, signature


def _verify(
    envelope: Path, at: int, size: int, signature: dict[str, Any], sender: PublicKeys
) -> str:
    """Check the signature over the payload's bytes (mapped, not read); returns their SHA-256."""
    try:
        sig = base64.b64decode(signature["signature"], validate=True)
    except (KeyError, ValueError, TypeError):
        raise BundleError("damaged", "上报包内容不完整，请让对方重新导出。") from None
    if signature.get("suite") != SUITE:
        raise BundleError(
            "newer_format",
            f"上报包使用了本机不支持的加密套件 {signature.get('suite')}，请先升级 clerk。",
        )
    with open(envelope, "rb") as handle:
        if size == 0:
            view_ok = signature.get("signer") == sender.point_code and sender.verify(sig, b"")
            digest = hashlib.sha256(b"").hexdigest()
        else:
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                view = memoryview(mapped)[at : at + size]
                try:
                    view_ok = signature.get("signer") == sender.point_code and sender.verify(
                        sig, view
                    )
                    digest = hashlib.sha256(view).hexdigest()
                finally:
                    view.release()
    if not view_ok:
        raise BundleError(
            "bad_signature",
            f"上报包的签名与登记的 {sender.point_code} 公钥不符：文件可能被改动，或对方换了密钥。"
            "请勿导入，打电话与对方核对密钥指纹。",
        )
    return digest


def _unpack(payload: Any, work: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """Gunzip and untar the payload as a stream into `work`; each member's SHA-256 by name."""
    hashes: dict[str, str] = {}
    manifest: Any = None
    (work / "files").mkdir(exist_ok=True)
    try:
        # gzip.GzipFile reads every member of the gzip file (tarfile's own "r|gz" stops after
        # the first, and a clerk payload has two: the records, then the stored files).
        unzipped = gzip.GzipFile(fileobj=payload, mode="rb")
        with unzipped, tarfile.open(fileobj=unzipped, mode="r|") as tar:
            for info in tar:
                name = info.name
                if not info.isfile() or name in hashes or not _safe_name(name):
                    raise BundleError("damaged", "上报包结构异常，请让对方重新导出。")
                handle = tar.extractfile(info)
                assert handle is not None
                if name == "manifest.json":
                    if info.size > MAX_MANIFEST:
                        raise BundleError("damaged", "上报包结构异常，请让对方重新导出。")
                    raw = handle.read()
                    hashes[name] = hashlib.sha256(raw).hexdigest()
                    try:
                        manifest = json.loads(raw)
                    except ValueError:
                        manifest = None
                    continue
                target = work / name
                digest = hashlib.sha256()
                with open(target, "wb") as out:
                    while chunk := handle.read(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
                hashes[name] = digest.hexdigest()
    except (tarfile.TarError, EOFError, OSError, ValueError, zlib.error) as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise  # the work folder's disk
        raise BundleError("damaged", "上报包内容已损坏，请让对方重新导出。") from None
    if not isinstance(manifest, dict):
        raise BundleError("damaged", "上报包缺少清单（manifest），请让对方重新导出。")
    hashes.pop("manifest.json")
    return manifest, hashes


def _safe_name(name: str) -> bool:
    """A member name the format allows: `<part>.jsonl`, `manifest.json` or `files/<sha256>`."""
    if name == "manifest.json" or name in {f"{p}.jsonl" for p in RECORD_PARTS}:
        return True
    digest = name.removeprefix("files/")
    return (
        name.startswith("files/")
        and len(digest) == 64
        and all(c in "0123456789abcdef" for c in digest)
    )


def _check_parts(manifest: dict[str, Any], hashes: dict[str, str], schema_version: int) -> set[str]:
    """The manifest's format, suite and `parts` against what was unpacked; the files' digests."""
    if int(manifest.get("format", 0)) > FORMAT:
        raise BundleError("newer_format", "这个上报包是新版本 clerk 写的，请先升级本机的 clerk。")
    if int(manifest.get("format", 0)) <= 1 and int(manifest.get("schema", 0)) > schema_version:
        raise BundleError(
            "newer_schema",
            f"这个上报包来自数据库版本 {manifest.get('schema')} 的 clerk，本机为 {schema_version}，请先升级本机的 clerk 再导入。",
        )
    if manifest.get("suite") != SUITE:
        raise BundleError(
            "newer_format",
            f"上报包使用了本机不支持的加密套件 {manifest.get('suite')}，请先升级 clerk。",
        )
    expected: dict[str, str] = manifest.get("parts") or {}
    if set(expected) != set(hashes):
        raise BundleError(
            "bad_part", "上报包的组成部分与清单不一致，文件可能被改动，请让对方重新导出。"
        )
    for name, digest in expected.items():
        if hashes[name] != digest:
            raise BundleError(
                "bad_part",
                f"上报包中的 {name} 与清单记录的哈希不符，文件可能被改动，请让对方重新导出。",
            )
    files = set()
    for name, digest in hashes.items():
        if name.startswith("files/"):
            if name.removeprefix("files/") != digest:
                raise BundleError(
                    "bad_part", "上报包中的文书文件与其名称中的哈希不符，请让对方重新导出。"
                )
            files.add(digest)
    missing = [p for p in RECORD_PARTS if f"{p}.jsonl" not in hashes]
    if missing:
        raise BundleError("bad_part", f"上报包中的 {missing[0]} 记录无法读取，请让对方重新导出。")
    return files


def _check_records(parts: DiskParts) -> None:
    """Every record of every part but the events (`check_chain_stream` reads those) parses and
    has its part's shape; the counts are the manifest's."""
    counts = parts.manifest.get("counts") or {}
    for part in RECORD_PARTS:
        n = sum(1 for _ in checked_records(parts, part)) if part != "events" else None
        if n is not None and int(counts.get(part, -1)) != n:
            raise BundleError("bad_part", f"上报包中的 {part} 条数与清单不符，请让对方重新导出。")


def checked_records(parts: DiskParts, part: str) -> Iterator[dict[str, Any]]:
    """A part's records, each parsed and shape-checked (`BundleError` on the first bad one)."""
    try:
        for record in read_lines(parts.path(part)):
            yield wire.storage_row(parts.format, part, record)
    except ValueError as exc:
        if isinstance(exc, BundleError):
            raise
        raise BundleError(
            "bad_part", f"上报包中的 {part} 记录无法读取，请让对方重新导出。"
        ) from None


class _Counting:
    """A reader that tells how many bytes went through it."""

    def __init__(self, inner: Any, told: Callable[[int], None]) -> None:
        self.inner, self.told, self.done, self._last = inner, told, 0, -1

    def read(self, n: int = -1) -> bytes:
        data: bytes = self.inner.read(n)
        self.done += len(data)
        if self.done - self._last >= CHUNK or not data:
            self._last = self.done
            self.told(self.done)
        return data


class _Region:
    """The bytes `at`..`at + size` of an open file, as a reader."""

    def __init__(self, handle: IO[bytes], size: int) -> None:
        self.handle, self.left = handle, size

    def read(self, n: int = -1) -> bytes:
        if self.left <= 0:
            return b""
        n = self.left if n is None or n < 0 else min(n, self.left)
        data = self.handle.read(n)
        self.left -= len(data)
        return data
