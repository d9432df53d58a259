"""The bundle file that carries a day's work between a service point and its county office.

Layers, outside in:

1. a one-line plain header `CLERK-BUNDLE/2 {"from":…,"to":…,"seq":…,"kind":…}` so the receiver can
   say "this is not for us" or "from whom" before decrypting (it is checked again against the
   signed manifest, so changing it gains nothing);
2. age encryption (`pyrage`, X25519 + ChaCha20-Poly1305) to the receiver and to every registered
   escrow recipient: any changed or missing byte fails decryption;
3. an envelope (tar): `payload.tar.gz` and `signature.json`, an Ed25519 signature (`cryptography`)
   by the sender's device key over the exact payload bytes;
4. the payload (tar.gz): `manifest.json`, the records as JSON Lines (`cases.jsonl`,
   `case_materials.jsonl`, `documents.jsonl`, `evaluations.jsonl`, `events.jsonl`, and a college's
   roster batches: `batches.jsonl`, `batch_materials.jsonl`, `batch_cases.jsonl`) and the
   document files under `files/<sha256>`; the manifest holds a SHA-256 of every other part.
   The records' shapes are the bundle format's own (`clerk.sync.wire`), not a database's rows.

docs/BUNDLE.md describes the format for a reader without clerk (decrypt, verify, check chains).

The suite is named in the manifest and the signature so a different one (e.g. 国密 SM2/SM3/SM4)
can be added later and told apart. `read_bundle` checks all of this and returns plain data; it
never touches a database.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import io
import json
import mmap
import os
import tarfile
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import orjson
import pyrage
from pyrage import x25519

from clerk.sync.keys import KeyPair, PublicKeys
from clerk.sync.work_folders import EXPORT_PREFIX, work_folder

FORMAT = 2  # 2: records of the shapes of `clerk.sync.wire`; 1: raw table rows (still read)
MAGIC = b"CLERK-BUNDLE/"
SUITE = "ed25519+age-x25519-chacha20poly1305"
RECORD_PARTS = (
    "cases",
    "case_materials",
    "documents",
    "evaluations",
    "events",
    "batches",
    "batch_materials",
    "batch_cases",
)
MAX_HEADER = 4096
SUFFIX = ".clerkbundle"


class BundleError(ValueError):
    """A bundle that cannot be used; the message is Chinese and says what to do.

    `code` names the refusal for scripts and the JSON report: not_a_bundle, wrong_receiver,
    unknown_sender, revoked_sender, damaged, bad_signature, bad_part, newer_format, newer_schema,
    broken_chain, claimed_point (at the city: a point's chain from a county it does not belong to).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Header:
    sender: str
    receiver: str
    seq: int
    kind: str  # "report" (point -> county) | "return" (county -> point)


@dataclass
class Contents:
    """What a bundle holds, before it is written or after it has been checked."""

    manifest: dict[str, Any]
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # sha256 -> bytes
    file_paths: dict[str, Path] = field(default_factory=dict)  # sha256 -> a file on disk
    # parts read as they are written (an export's: `write_bundle` only), in place of `records`
    streams: dict[str, Iterable[dict[str, Any]]] = field(default_factory=dict)

    @property
    def header(self) -> Header:
        m = self.manifest
        return Header(m["from"], m["to"], int(m["seq"]), m["kind"])


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_name(header: Header) -> str:
    return f"clerk-{header.sender}-{header.receiver}-{header.seq:06d}{SUFFIX}"


# ---------------------------------------------------------------------- writing


def jsonl(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """JSON Lines: each record with sorted keys, no spaces, UTF-8 (the bytes of `json.dumps(r,
    ensure_ascii=False, sort_keys=True, separators=(",", ":"))` for text, integers and null)."""
    dumps, option = orjson.dumps, orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE
    return b"".join([dumps(r, option=option) for r in rows])


def pack_payload(contents: Contents) -> bytes:
    """The payload tar.gz; fills in the manifest's `parts` (SHA-256 of each part) and `counts`."""
    parts: dict[str, bytes] = {
        f"{name}.jsonl": jsonl(contents.records.get(name, [])) for name in RECORD_PARTS
    }
    for digest, data in sorted(contents.files.items()):
        parts[f"files/{digest}"] = data
    manifest = dict(contents.manifest)
    manifest["parts"] = {name: sha256(data) for name, data in parts.items()}
    manifest["counts"] = {name: len(contents.records.get(name, [])) for name in RECORD_PARTS} | {
        "files": len(contents.files)
    }
    contents.manifest = manifest
    members = {
        "manifest.json": json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode(
            "utf-8"
        )
    }
    members.update(parts)
    raw = _tar(members)
    return gzip.compress(raw, compresslevel=6, mtime=0)


def sign_envelope(payload: bytes, keys: KeyPair) -> bytes:
    signature = {
        "suite": SUITE,
        "signer": keys.public.point_code,
        "fingerprint": keys.public.fingerprint,
        "signature": base64.b64encode(keys.sign(payload)).decode("ascii"),
    }
    return _tar(
        {"payload.tar.gz": payload, "signature.json": json.dumps(signature).encode("utf-8")}
    )


def encrypt(
    envelope: bytes, header: Header, recipients: Sequence[str], format: int = FORMAT
) -> bytes:
    line = json.dumps(
        {"from": header.sender, "to": header.receiver, "seq": header.seq, "kind": header.kind},
        sort_keys=True,
        separators=(",", ":"),
    )
    targets = [x25519.Recipient.from_str(r) for r in recipients]
    return MAGIC + f"{format} {line}\n".encode("ascii") + pyrage.encrypt(envelope, targets)


def write_bundle(
    directory: Path,
    contents: Contents,
    keys: KeyPair,
    recipients: Sequence[str],
    progress: Any = None,
) -> tuple[Path, str]:
    """Pack, sign, encrypt and write atomically into `directory`; returns (path, payload hash).

    Streamed through temporary files, never the whole bundle in memory: each record part is
    written to a temporary file while hashed; the payload (`payload.tar.gz`) is a gzip file of
    two members, the manifest and the records compressed (level 6), then the document files
    *stored* (level 0: PDFs are compressed already) — still one gzip file of one tar for any
    reader (gzip concatenates members), so the format is format 2 unchanged. It is signed mapped
    from its file (Ed25519 takes the whole message at once), and the envelope is fed to age
    chunk by chunk. Document files come from `contents.files` (bytes) or `contents.file_paths`
    (read from disk as they are packed).

    `progress(done, total)` is called as the steps complete (for a progress bar).
    """
    step = progress or (lambda done, total: None)
    step(0, 4)
    with work_folder(EXPORT_PREFIX) as folder:
        payload_path = folder / "payload.tar.gz"
        _write_payload(contents, folder, payload_path)
        step(1, 4)
        with open(payload_path, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
                view = memoryview(mapped)
                try:
                    signed = keys.sign(view)
                    digest = hashlib.sha256(view).hexdigest()
                finally:
                    view.release()
        signature = json.dumps(
            {
                "suite": SUITE,
                "signer": keys.public.point_code,
                "fingerprint": keys.public.fingerprint,
                "signature": base64.b64encode(signed).decode("ascii"),
            }
        ).encode("utf-8")
        step(2, 4)
        path = directory / file_name(contents.header)
        format = int(contents.manifest.get("format", FORMAT))
        with open(payload_path, "rb") as payload:
            envelope = _EnvelopeReader(payload, size, signature)
            _write_encrypted(path, contents.header, recipients, format, envelope)
        step(3, 4)
    step(4, 4)
    return path, digest


def _write_payload(contents: Contents, folder: Path, target: Path) -> None:
    """The payload tar.gz into `target`; fills in the manifest's `parts` and `counts`."""
    hashes: dict[str, str] = {f"{name}.jsonl": "" for name in RECORD_PARTS}
    counts: dict[str, int] = dict.fromkeys(RECORD_PARTS, 0)
    # The streamed parts in their own order (an export's later parts depend on its events having
    # been read, `clerk.sync.export.build_export`), then the rest.
    for name in [*contents.streams, *(p for p in RECORD_PARTS if p not in contents.streams)]:
        rows = iter(contents.streams.get(name, contents.records.get(name, [])))
        digest = hashlib.sha256()
        counts[name] = 0
        with open(folder / f"{name}.jsonl", "wb") as out:
            while batch := list(islice(rows, 1000)):
                chunk = jsonl(batch)
                digest.update(chunk)
                out.write(chunk)
                counts[name] += len(batch)
        hashes[f"{name}.jsonl"] = digest.hexdigest()
    files = sorted(set(contents.files) | set(contents.file_paths))
    for digest_name in files:
        hashes[f"files/{digest_name}"] = digest_name
    manifest = dict(contents.manifest)
    manifest["parts"] = hashes
    manifest["counts"] = counts | {"files": len(files)}
    contents.manifest = manifest
    text = json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")
    with open(target, "wb") as raw:
        members = _GzipMembers(raw)
        stream: Any = members
        with tarfile.open(fileobj=stream, mode="w", format=tarfile.PAX_FORMAT) as tar:
            _add(tar, "manifest.json", len(text), io.BytesIO(text))
            for name in RECORD_PARTS:
                part = folder / f"{name}.jsonl"
                with open(part, "rb") as handle:
                    _add(tar, f"{name}.jsonl", part.stat().st_size, handle)
            members.switch(0)  # the document files: stored, not compressed again
            for digest_name in files:
                if digest_name in contents.files:
                    data = contents.files[digest_name]
                    _add(tar, f"files/{digest_name}", len(data), io.BytesIO(data))
                else:
                    with open(contents.file_paths[digest_name], "rb") as handle:
                        size = os.fstat(handle.fileno()).st_size
                        _add(tar, f"files/{digest_name}", size, handle)
        members.close()


def _add(tar: tarfile.TarFile, name: str, size: int, handle: Any) -> None:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = 0
    info.mode = 0o644
    tar.addfile(info, handle)


class _GzipMembers:
    """A gzip file written as consecutive members, each at its own compression level."""

    def __init__(self, raw: Any, level: int = 6) -> None:
        self.raw = raw
        self.written = 0  # uncompressed bytes (tarfile asks where it is)
        self.member = gzip.GzipFile(
            filename="", fileobj=raw, mode="wb", compresslevel=level, mtime=0
        )

    def write(self, data: Any) -> int:
        self.written += len(data)
        return self.member.write(data)

    def tell(self) -> int:
        return self.written

    def switch(self, level: int) -> None:
        self.member.close()  # ends this member; the raw file stays open
        self.member = gzip.GzipFile(
            filename="", fileobj=self.raw, mode="wb", compresslevel=level, mtime=0
        )

    def close(self) -> None:
        self.member.close()


class _EnvelopeReader:
    """The envelope tar (`payload.tar.gz` from its file, then `signature.json`), read in chunks."""

    def __init__(self, payload: Any, size: int, signature: bytes) -> None:
        head = tarfile.TarInfo("payload.tar.gz")
        head.size, head.mtime, head.mode = size, 0, 0o644
        sig = tarfile.TarInfo("signature.json")
        sig.size, sig.mtime, sig.mode = len(signature), 0, 0o644
        tail = _pad(size) + sig.tobuf(tarfile.PAX_FORMAT) + signature + _pad(len(signature))
        written = len(head.tobuf(tarfile.PAX_FORMAT)) + size + len(tail) + 2 * tarfile.BLOCKSIZE
        end = b"\0" * (2 * tarfile.BLOCKSIZE + (-written % tarfile.RECORDSIZE))
        self.pieces: list[Any] = [head.tobuf(tarfile.PAX_FORMAT), payload, tail + end]

    def read(self, n: int = -1) -> bytes:
        out = b""
        while self.pieces and (n < 0 or len(out) < n):
            piece = self.pieces[0]
            want = -1 if n < 0 else n - len(out)
            if isinstance(piece, bytes):
                take = piece if want < 0 else piece[:want]
                rest = piece[len(take) :]
                if rest:
                    self.pieces[0] = rest
                else:
                    self.pieces.pop(0)
            else:
                take = piece.read(want)
                if not take:
                    self.pieces.pop(0)
                    continue
            out += take
        return out


def _pad(size: int) -> bytes:
    return b"\0" * (-size % tarfile.BLOCKSIZE)


def _write_encrypted(
    path: Path, header: Header, recipients: Sequence[str], format: int, envelope: Any
) -> None:
    """The header line and the age ciphertext of `envelope`, atomically at `path`, owner only
    (encrypted, but it carries personal data)."""
    line = json.dumps(
        {"from": header.sender, "to": header.receiver, "seq": header.seq, "kind": header.kind},
        sort_keys=True,
        separators=(",", ":"),
    )
    targets = [x25519.Recipient.from_str(r) for r in recipients]
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + f"{format} {line}\n".encode("ascii"))
            pyrage.encrypt_io(envelope, out, targets)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def _tar(members: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


# ---------------------------------------------------------------------- reading


def read_header(data: bytes) -> tuple[Header, bytes]:
    """The plain header and the encrypted rest; `BundleError` if this is not a bundle file."""
    if not data.startswith(MAGIC):
        raise BundleError("not_a_bundle", "这个文件不是 clerk 上报包，请选择 .clerkbundle 文件。")
    end = data.find(b"\n", 0, MAX_HEADER)
    if end < 0:
        raise BundleError("damaged", "上报包文件头已损坏或不完整，请让对方重新导出。")
    try:
        version_text, line = data[len(MAGIC) : end].decode("ascii").split(" ", 1)
        version = int(version_text)
        raw = json.loads(line)
        header = Header(str(raw["from"]), str(raw["to"]), int(raw["seq"]), str(raw["kind"]))
    except (ValueError, KeyError, UnicodeDecodeError):
        raise BundleError("damaged", "上报包文件头已损坏，请让对方重新导出。") from None
    if version > FORMAT:
        raise BundleError(
            "newer_format",
            f"这个上报包是新版本 clerk 写的（格式 {version}），本机只认识格式 {FORMAT}，请先升级 clerk。",
        )
    return header, data[end + 1 :]


@dataclass(frozen=True)
class BundleFile:
    """A bundle file found in a folder: its plain header (None if unreadable) and its file time."""

    path: Path
    header: Header | None
    modified: float  # the file's modification time, seconds since the epoch


def bundles_in(folder: Path) -> list[BundleFile]:
    """The bundle files in `folder` (only each file's header line is read), newest first.

    Every `*.clerkbundle` is listed, a damaged one with `header=None` so the clerk sees it is
    there; any other file is listed only if it starts like a bundle. `OSError` if the folder
    cannot be read."""
    found: list[BundleFile] = []
    for path in Path(folder).iterdir():
        try:
            if not path.is_file():
                continue
            with path.open("rb") as f:
                head = f.read(MAX_HEADER)
            modified = path.stat().st_mtime
        except OSError:
            continue
        try:
            header: Header | None = read_header(head)[0]
        except BundleError:
            if path.suffix != SUFFIX:
                continue
            header = None
        found.append(BundleFile(path, header, modified))
    found.sort(
        key=lambda b: (b.modified, b.header.seq if b.header else 0, b.path.name), reverse=True
    )
    return found


def decrypt(ciphertext: bytes, identity: x25519.Identity) -> bytes:
    try:
        return bytes(pyrage.decrypt(ciphertext, [identity]))
    except pyrage.DecryptError:
        raise BundleError(
            "damaged",
            "上报包无法解密：文件已损坏、不完整（可能未拷贝完），或不是加密给本机的。请让对方重新导出一份。",
        ) from None


def open_envelope(envelope: bytes, sender: PublicKeys) -> bytes:
    """The payload, once the sender's signature over it is checked."""
    members = _untar(envelope, "damaged")
    try:
        payload = members["payload.tar.gz"]
        signature = json.loads(members["signature.json"])
        sig = base64.b64decode(signature["signature"], validate=True)
    except (KeyError, ValueError):
        raise BundleError("damaged", "上报包内容不完整，请让对方重新导出。") from None
    if signature.get("suite") != SUITE:
        raise BundleError(
            "newer_format",
            f"上报包使用了本机不支持的加密套件 {signature.get('suite')}，请先升级 clerk。",
        )
    if signature.get("signer") != sender.point_code or not sender.verify(sig, payload):
        raise BundleError(
            "bad_signature",
            f"上报包的签名与登记的 {sender.point_code} 公钥不符：文件可能被改动，或对方换了密钥。"
            "请勿导入，打电话与对方核对密钥指纹。",
        )
    return payload


def open_payload(payload: bytes, *, schema_version: int) -> Contents:
    """Manifest, records and files of a signed payload, every part's hash checked."""
    try:
        raw = gzip.decompress(payload)
    except (OSError, EOFError):
        raise BundleError("damaged", "上报包内容已损坏，请让对方重新导出。") from None
    members = _untar(raw, "damaged")
    try:
        manifest = json.loads(members.pop("manifest.json"))
    except (KeyError, ValueError):
        raise BundleError("damaged", "上报包缺少清单（manifest），请让对方重新导出。") from None
    if int(manifest.get("format", 0)) > FORMAT:
        raise BundleError("newer_format", "这个上报包是新版本 clerk 写的，请先升级本机的 clerk。")
    # A format-1 bundle carries its writer's table rows: a newer database's rows are refused.
    # From format 2 the records have the format's own shapes, whatever the writer's database.
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
    if set(expected) != set(members):
        raise BundleError(
            "bad_part", "上报包的组成部分与清单不一致，文件可能被改动，请让对方重新导出。"
        )
    for name, digest in expected.items():
        if sha256(members[name]) != digest:
            raise BundleError(
                "bad_part",
                f"上报包中的 {name} 与清单记录的哈希不符，文件可能被改动，请让对方重新导出。",
            )
    contents = Contents(manifest=manifest)
    for part in RECORD_PARTS:
        try:
            # Split the bytes, not the text: str.splitlines also breaks at U+2028, U+0085 and
            # others that JSON leaves unescaped inside a string (a name may hold one). orjson
            # checks the UTF-8 and is stricter than json (no NaN, no lone surrogates, 64-bit
            # integers): nothing clerk writes is refused, and what it refuses is a bad part.
            lines = members[f"{part}.jsonl"].split(b"\n")
            contents.records[part] = [_loads(line) for line in lines if line]
        except (KeyError, ValueError):
            raise BundleError(
                "bad_part", f"上报包中的 {part} 记录无法读取，请让对方重新导出。"
            ) from None
    for name, data in members.items():
        if name.startswith("files/"):
            digest = name.removeprefix("files/")
            if sha256(data) != digest:
                raise BundleError(
                    "bad_part", "上报包中的文书文件与其名称中的哈希不符，请让对方重新导出。"
                )
            contents.files[digest] = data
    counts = manifest.get("counts") or {}
    for part in RECORD_PARTS:
        if int(counts.get(part, -1)) != len(contents.records[part]):
            raise BundleError("bad_part", f"上报包中的 {part} 条数与清单不符，请让对方重新导出。")
    return contents


def _loads(line: bytes) -> Any:
    """One JSON Lines record (`orjson.JSONDecodeError` is a `ValueError`)."""
    return orjson.loads(line)


def _untar(data: bytes, code: str) -> dict[str, bytes]:
    members: dict[str, bytes] = {}
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as tar:
            for info in tar:
                if not info.isfile() or info.name in members:
                    raise BundleError(code, "上报包结构异常，请让对方重新导出。")
                handle = tar.extractfile(info)
                assert handle is not None
                members[info.name] = handle.read()
    except (tarfile.TarError, EOFError, OSError):
        raise BundleError(code, "上报包内容已损坏或不完整，请让对方重新导出。") from None
    return members
