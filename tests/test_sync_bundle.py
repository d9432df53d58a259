"""The bundle file: signed, encrypted, every part hashed; any change is refused before use."""

from __future__ import annotations

import gzip
import io
import json
import stat
import tarfile

import pytest
from pyrage import x25519

from clerk.sync import bundle as fmt
from clerk.sync import keys
from clerk.sync.bundle import BundleError, Contents


@pytest.fixture
def sender(tmp_path):
    keys.generate(tmp_path / "s", "LS01", "梧桐镇")
    return keys.load(tmp_path / "s")


@pytest.fixture
def receiver(tmp_path):
    keys.generate(tmp_path / "r", "YZ03", "冷水滩区")
    return keys.load(tmp_path / "r")


def contents() -> Contents:
    manifest = {
        "format": fmt.FORMAT,
        "schema": 6,
        "suite": fmt.SUITE,
        "kind": "report",
        "from": "LS01",
        "to": "YZ03",
        "seq": 3,
        "origins": {},
    }
    records = {
        "cases": [{"uuid": "c-1", "case_no": "LS01-20261102-0001"}],
        "case_materials": [{"uuid": "m-1", "case_uuid": "c-1"}],
        "documents": [{"uuid": "d-1", "case_uuid": "c-1", "file_pdf": fmt.sha256(b"%PDF-1")}],
        "evaluations": [{"uuid": "e-1", "case_uuid": "c-1"}],
        "events": [],
    }
    return Contents(manifest=manifest, records=records, files={fmt.sha256(b"%PDF-1"): b"%PDF-1"})


def written(tmp_path, sender, receiver) -> bytes:
    path, _ = fmt.write_bundle(tmp_path, contents(), sender, [receiver.public.age_recipient])
    return path.read_bytes()


def read(data: bytes, sender, receiver, schema: int = 6) -> Contents:
    header, rest = fmt.read_header(data)
    payload = fmt.open_envelope(fmt.decrypt(rest, receiver.identity), sender.public)
    return fmt.open_payload(payload, schema_version=schema)


def test_round_trip_keeps_records_files_and_names_the_suite(tmp_path, sender, receiver):
    back = read(written(tmp_path, sender, receiver), sender, receiver)
    assert back.records["cases"] == [{"uuid": "c-1", "case_no": "LS01-20261102-0001"}]
    assert back.files == {fmt.sha256(b"%PDF-1"): b"%PDF-1"}
    assert back.manifest["suite"] == "ed25519+age-x25519-chacha20poly1305"
    assert back.manifest["counts"] == {
        "cases": 1,
        "case_materials": 1,
        "documents": 1,
        "evaluations": 1,
        "events": 0,
        "batches": 0,
        "batch_materials": 0,
        "batch_cases": 0,
        "files": 1,
    }
    assert set(back.manifest["parts"]) == {
        "cases.jsonl",
        "case_materials.jsonl",
        "documents.jsonl",
        "evaluations.jsonl",
        "events.jsonl",
        "batches.jsonl",
        "batch_materials.jsonl",
        "batch_cases.jsonl",
        f"files/{fmt.sha256(b'%PDF-1')}",
    }


def test_the_file_is_named_after_sender_receiver_and_number(tmp_path, sender, receiver):
    path, _ = fmt.write_bundle(tmp_path, contents(), sender, [receiver.public.age_recipient])
    assert path.name == "clerk-LS01-YZ03-000003.clerkbundle"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_the_bundle_file_is_readable_by_its_owner_only(tmp_path, sender, receiver):
    path, _ = fmt.write_bundle(tmp_path, contents(), sender, [receiver.public.age_recipient])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_header_is_readable_without_keys(tmp_path, sender, receiver):
    header, _ = fmt.read_header(written(tmp_path, sender, receiver))
    assert header == fmt.Header("LS01", "YZ03", 3, "report")


def test_escrow_recipient_can_decrypt_too(tmp_path, sender, receiver):
    escrow = x25519.Identity.generate()
    path, _ = fmt.write_bundle(
        tmp_path, contents(), sender, [receiver.public.age_recipient, str(escrow.to_public())]
    )
    _, rest = fmt.read_header(path.read_bytes())
    assert fmt.decrypt(rest, escrow)


@pytest.mark.parametrize("where", [0.3, 0.5, 0.9, -1])
def test_one_byte_changed_in_the_encrypted_file_is_damage(tmp_path, sender, receiver, where):
    data = bytearray(written(tmp_path, sender, receiver))
    start = data.index(b"\n") + 1
    at = len(data) - 1 if where == -1 else start + int((len(data) - start) * where)
    data[at] ^= 0x01
    with pytest.raises(BundleError) as caught:
        read(bytes(data), sender, receiver)
    assert caught.value.code == "damaged"


def test_a_truncated_file_is_damage(tmp_path, sender, receiver):
    data = written(tmp_path, sender, receiver)
    with pytest.raises(BundleError) as caught:
        read(data[: len(data) // 2], sender, receiver)
    assert caught.value.code == "damaged"
    assert "不完整" in str(caught.value)


def test_not_encrypted_to_us_cannot_be_read(tmp_path, sender, receiver):
    data = written(tmp_path, sender, receiver)
    with pytest.raises(BundleError) as caught:
        read(data, sender, sender)
    assert caught.value.code == "damaged"


def _members(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}


def _repack(members: dict[str, bytes]) -> bytes:
    return fmt._tar(members)  # noqa: SLF001 - the test builds a tampered payload


def test_a_payload_changed_after_signing_fails_the_signature(sender, receiver):
    payload = fmt.pack_payload(contents())
    members = _members(gzip.decompress(payload))
    members["cases.jsonl"] = members["cases.jsonl"].replace(b"0001", b"0002")
    forged = gzip.compress(_repack(members), mtime=0)
    envelope = fmt.sign_envelope(payload, sender)
    env = _members(envelope)
    env["payload.tar.gz"] = forged
    with pytest.raises(BundleError) as caught:
        fmt.open_envelope(_repack(env), sender.public)
    assert caught.value.code == "bad_signature"


def test_signed_by_another_key_fails_the_signature(sender, receiver):
    envelope = fmt.sign_envelope(fmt.pack_payload(contents()), receiver)
    with pytest.raises(BundleError) as caught:
        fmt.open_envelope(envelope, sender.public)
    assert caught.value.code == "bad_signature"


@pytest.mark.parametrize(
    "part",
    [
        "cases.jsonl",
        "case_materials.jsonl",
        "documents.jsonl",
        "evaluations.jsonl",
        "events.jsonl",
        "files",
    ],
)
def test_one_byte_changed_in_each_part_is_refused_by_its_hash(part):
    payload = fmt.pack_payload(contents())
    members = _members(gzip.decompress(payload))
    name = next(n for n in members if n.startswith(part))
    members[name] = bytes([members[name][0] ^ 0x01]) + members[name][1:] if members[name] else b"x"
    with pytest.raises(BundleError) as caught:
        fmt.open_payload(gzip.compress(_repack(members), mtime=0), schema_version=6)
    assert caught.value.code == "bad_part"


def test_a_part_missing_from_the_payload_is_refused():
    payload = fmt.pack_payload(contents())
    members = _members(gzip.decompress(payload))
    del members["evaluations.jsonl"]
    with pytest.raises(BundleError) as caught:
        fmt.open_payload(gzip.compress(_repack(members), mtime=0), schema_version=6)
    assert caught.value.code == "bad_part"


def test_a_format_2_bundle_from_a_newer_database_is_read():
    """Format 2 records have the format's own shapes: the writer's storage version does not matter."""
    c = contents()
    c.manifest["schema"] = 99
    assert fmt.open_payload(fmt.pack_payload(c), schema_version=6).manifest["schema"] == 99


def test_a_newer_schema_is_refused_with_what_to_do():
    """A format-1 bundle carries its writer's table rows: those of a newer database are refused."""
    c = contents()
    c.manifest["format"] = 1
    c.manifest["schema"] = 99
    with pytest.raises(BundleError) as caught:
        fmt.open_payload(fmt.pack_payload(c), schema_version=6)
    assert caught.value.code == "newer_schema"
    assert "请先升级本机的 clerk" in str(caught.value)


def test_a_newer_file_format_is_refused_from_the_header():
    data = (
        b"CLERK-BUNDLE/3 "
        + json.dumps({"from": "LS01", "to": "YZ03", "seq": 1, "kind": "report"}).encode()
        + b"\n"
    )
    with pytest.raises(BundleError) as caught:
        fmt.read_header(data + b"rest")
    assert caught.value.code == "newer_format"


def test_something_else_is_not_a_bundle():
    with pytest.raises(BundleError) as caught:
        fmt.read_header(b"%PDF-1.4 ...")
    assert caught.value.code == "not_a_bundle"
