"""Bundle format 2: the records' own shapes, format 1 still read, and docs/BUNDLE.md's recipe.

`test_the_documented_recipe_reads_a_fresh_bundle` follows docs/BUNDLE.md step by step with only
`pyrage`, `cryptography` and the standard library (no clerk code): decrypt, verify the signature,
check every part's hash and every event's hash link.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import tarfile
from datetime import datetime
from functools import partial

import pyrage
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from support.clock import Clock
from support.sync import OFFICE, POINT, collected, exchange_keys, export, installation
from support.tamper import raw_rows

from clerk.domain.clock import TZ
from clerk.ports.sync import BATCH_LOCAL_COLUMNS, LOCAL_COLUMNS
from clerk.sync import bundle as fmt
from clerk.sync import exchange, wire
from clerk.sync import export as exporting
from clerk.sync.bundle import BundleError


@pytest.fixture
def pair(tmp_path):
    clock = Clock(datetime(2026, 11, 2, 9, 30, tzinfo=TZ))
    county = installation(tmp_path / "county", OFFICE, clock)
    point = installation(tmp_path / "point", POINT, clock)
    exchange_keys(county, point)
    yield county, point
    county.store.close()
    point.store.close()


def test_every_travelling_column_has_a_field_in_format_2(pair):
    """A column added to storage must be named by the wire (or declared local), never dropped silently."""
    county, _ = pair
    for part, shape in wire.SHAPES.items():
        columns = {str(r[1]) for r in raw_rows(county.store, f"PRAGMA table_info({part})")} - {"n"}
        local = LOCAL_COLUMNS | BATCH_LOCAL_COLUMNS
        files = {"file_txt", "file_pdf"} if part == "documents" else set()
        assert columns - local == set(shape) - files, part


def test_a_format_2_bundle_round_trips_and_carries_the_shapes(pair, tmp_path):
    county, point = pair
    uuid = collected(point, 35)
    path = export(point, tmp_path / "usb").path
    assert path.read_bytes().startswith(b"CLERK-BUNDLE/2 ")
    report = county.import_bundle(path)
    assert report.status == "imported"
    assert county.store.get_case(uuid) is not None
    assert county.store.sync_store().heads() == point.store.sync_store().heads()


def test_a_format_1_bundle_from_an_older_installation_is_still_imported(
    pair, tmp_path, monkeypatch
):
    county, point = pair
    first = collected(point, 35, 0)
    with monkeypatch.context() as patch:  # the old code path: raw rows, format 1
        patch.setattr(exchange, "build_export", partial(exporting.build_export, format=1))
        old = export(point, tmp_path / "usb1").path
    assert old.read_bytes().startswith(b"CLERK-BUNDLE/1 ")
    report = county.import_bundle(old)
    assert report.status == "imported" and county.store.get_case(first) is not None
    second = collected(point, 34, 1)  # the next bundle is format 2 and continues the chain
    report = county.import_bundle(export(point, tmp_path / "usb2").path)
    assert report.status == "imported" and county.store.get_case(second) is not None
    assert county.store.sync_store().heads() == point.store.sync_store().heads()


def test_a_format_2_record_of_another_shape_is_refused():
    event = dict.fromkeys(wire.EVENT)
    assert wire.rows_from(2, {"events": [event]}) == {"events": [event]}
    with pytest.raises(BundleError) as caught:
        wire.rows_from(2, {"events": [{**event, "extra": 1}]})
    assert caught.value.code == "bad_part"
    with pytest.raises(BundleError):
        wire.rows_from(2, {"events": [{k: v for k, v in event.items() if k != "hash"}]})
    with pytest.raises(BundleError) as caught:
        wire.rows_from(3, {})
    assert caught.value.code == "newer_format"
    assert wire.FORMAT == fmt.FORMAT == 2


# ---------------------------------------------------------------------- docs/BUNDLE.md's recipe


def _members(tar_bytes: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(tar_bytes), mode="r:") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}  # type: ignore[union-attr]


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


HASHED = (
    "seq",
    "uuid",
    "case_uuid",
    "action",
    "actor",
    "at",
    "from_state",
    "to_state",
    "reason",
    "data",
    "point_code",
)


def test_the_documented_recipe_reads_a_fresh_bundle(pair, tmp_path):
    county, point = pair
    collected(point, 35, 0)
    collected(point, 34, 1)
    data = export(point, tmp_path / "usb").path.read_bytes()
    identity_text = (tmp_path / "county" / "clerk.db.keys" / "identity.age").read_text().strip()
    sender = json.loads((tmp_path / "point" / "clerk.db.keys" / "public.json").read_text())

    # 1. the plain header line, then age ciphertext
    line, ciphertext = data.split(b"\n", 1)
    assert line.startswith(b"CLERK-BUNDLE/2 ")
    header = json.loads(line.split(b" ", 1)[1])
    assert header == {"from": POINT, "kind": "report", "seq": 1, "to": OFFICE}
    # 2. decrypt with the receiver's (or the escrow's) age identity
    identity = pyrage.x25519.Identity.from_str(identity_text)
    envelope = _members(pyrage.decrypt(ciphertext, [identity]))
    assert set(envelope) == {"payload.tar.gz", "signature.json"}
    # 3. Ed25519 over the exact bytes of payload.tar.gz, by the sender's registered sign_key
    signature = json.loads(envelope["signature.json"])
    assert signature["suite"] == "ed25519+age-x25519-chacha20poly1305"
    assert signature["signer"] == POINT and signature["fingerprint"] == sender["fingerprint"]
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(sender["sign"]))
    key.verify(base64.b64decode(signature["signature"]), envelope["payload.tar.gz"])
    # 4. every part's SHA-256 as the signed manifest lists it
    payload = _members(gzip.decompress(envelope["payload.tar.gz"]))
    manifest = json.loads(payload.pop("manifest.json"))
    assert manifest["format"] == 2 and manifest["from"] == POINT
    assert {n: hashlib.sha256(b).hexdigest() for n, b in payload.items()} == manifest["parts"]
    # 5. every event links to its predecessor and hashes to its `hash`
    events = [json.loads(x) for x in payload["events.jsonl"].splitlines() if x]
    assert len(events) == manifest["counts"]["events"] > 0
    for origin, info in manifest["origins"].items():
        prev, seq = info["from_prev"], info["from_seq"]
        for event in sorted((e for e in events if e["origin"] == origin), key=lambda e: e["seq"]):
            assert event["seq"] == seq and event["prev_hash"] == prev
            names = HASHED + (("origin",) if event["format"] == 2 else ())
            fields = {n: event[n] for n in names}
            fields["data"] = json.loads(event["data"])
            text = _canonical(fields) + event["prev_hash"]
            assert hashlib.sha256(text.encode("utf-8")).hexdigest() == event["hash"]
            prev, seq = event["hash"], seq + 1
        assert prev == info["head"] and seq - 1 == info["to_seq"]
    # and clerk agrees with the reader
    assert county.import_bundle(export(point, tmp_path / "usb2").path).status == "imported"
