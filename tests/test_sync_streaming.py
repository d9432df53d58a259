"""The import reads a bundle file in bounded memory (issue 25, item 2): decrypted and unpacked on
disk, checked in one streaming pass, applied in a second; a bundle larger than the free disk is
refused before anything is written."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import tarfile
from collections import namedtuple
from pathlib import Path

from support.sync import collected, export, snapshot

from clerk.sync import bundle as fmt
from clerk.sync import keys
from clerk.sync.bundle import Header
from clerk.sync.work_folders import LOCK


def _unpacked(county, path: Path) -> tuple[Header, dict[str, bytes]]:
    header, rest = fmt.read_header(path.read_bytes())
    envelope = fmt.decrypt(rest, keys.load(county.key_dir()).identity)
    payload = fmt._untar(envelope, "damaged")["payload.tar.gz"]  # noqa: SLF001
    return header, fmt._untar(gzip.decompress(payload), "damaged")  # noqa: SLF001


def _resigned(county, point, header: Header, members: dict[str, bytes], path: Path) -> Path:
    """The members packed, signed with the point's own key and encrypted to the county: only the
    content checks can catch what was changed."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    payload = gzip.compress(buffer.getvalue())
    envelope = fmt.sign_envelope(payload, keys.load(point.key_dir()))
    recipient = keys.load(county.key_dir()).public.age_recipient
    path.write_bytes(fmt.encrypt(envelope, header, [recipient]))
    return path


def refused(county, path: Path, code: str):
    before = snapshot(county)
    report = county.import_bundle(path)
    assert report.status == "refused", report.message
    assert report.refusal == code, report.message
    assert snapshot(county) == before
    return report


def test_a_part_changed_after_its_hash_was_listed_is_found_by_the_streaming_check(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    header, members = _unpacked(county, path)
    members["cases.jsonl"] = members["cases.jsonl"].replace("张三丰".encode(), "李四丰".encode())
    report = refused(county, _resigned(county, point, header, members, path), "bad_part")
    assert "cases.jsonl" in report.message


def test_an_event_changed_with_its_part_hash_is_a_broken_chain(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    header, members = _unpacked(county, path)
    events = [json.loads(line) for line in members["events.jsonl"].splitlines()]
    events[0]["actor"] = "someone"
    part = b"".join(
        json.dumps(e, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode() + b"\n"
        for e in events
    )
    members["events.jsonl"] = part
    manifest = json.loads(members["manifest.json"])
    manifest["parts"]["events.jsonl"] = fmt.sha256(part)
    members["manifest.json"] = json.dumps(manifest).encode()
    refused(county, _resigned(county, point, header, members, path), "broken_chain")


def test_events_out_of_order_in_the_file_are_still_checked_and_imported(pair, tmp_path):
    county, point = pair
    uuid = collected(point, 35)
    path = export(point, tmp_path / "usb").path
    header, members = _unpacked(county, path)
    lines = members["events.jsonl"].splitlines(keepends=True)
    assert len(lines) > 1
    members["events.jsonl"] = b"".join(reversed(lines))
    manifest = json.loads(members["manifest.json"])
    manifest["parts"]["events.jsonl"] = fmt.sha256(members["events.jsonl"])
    members["manifest.json"] = json.dumps(manifest).encode()
    report = county.import_bundle(_resigned(county, point, header, members, path))
    assert report.status == "imported", report.message
    assert county.store.get_case(uuid) is not None


def test_a_bundle_larger_than_the_free_disk_is_refused_before_anything_is_written(
    pair, tmp_path, monkeypatch
):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(
        shutil, "disk_usage", lambda where: usage(10**12, 10**12 - 1000, path.stat().st_size - 1)
    )
    written: list[str] = []
    real_open = open

    def watching(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        if any(c in mode for c in "wax+"):
            written.append(str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr("builtins.open", watching)
    report = refused(county, path, "no_space")
    assert "磁盘空间不足" in report.message
    # nothing but the work folder's empty lock file (clerk.sync.work_folders), removed with it
    assert [w for w in written if Path(w).name != LOCK + ".new"] == []
    assert not (tmp_path / "county" / "documents" / "received").exists()


def test_the_import_never_reads_the_whole_file_into_memory(pair, tmp_path, monkeypatch):
    county, point = pair
    uuid = collected(point, 35)
    path = export(point, tmp_path / "usb").path

    def whole(*args, **kwargs):
        raise AssertionError("the bundle was read whole")

    for name in ("decrypt", "open_envelope", "open_payload"):  # the in-memory readers
        monkeypatch.setattr(fmt, name, whole)
    report = county.import_bundle(path)
    assert report.status == "imported", report.message
    assert county.store.get_case(uuid) is not None


def test_the_payload_stores_the_document_files_as_they_are_and_stays_format_2(pair, tmp_path):
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    _, rest = fmt.read_header(path.read_bytes())
    envelope = fmt.decrypt(rest, keys.load(county.key_dir()).identity)
    payload = fmt._untar(envelope, "damaged")["payload.tar.gz"]  # noqa: SLF001
    members = fmt._untar(gzip.decompress(payload), "damaged")  # noqa: SLF001 - one tar.gz
    files = [data for name, data in members.items() if name.startswith("files/")]
    pdfs = [data for data in files if data.startswith(b"%PDF")]
    assert pdfs
    for data in pdfs:  # stored (deflate level 0: its bytes as they are, in blocks of up to 64 KB)
        slices = [data[i : i + 512] for i in range(0, len(data) - 512, 512)]
        assert sum(piece in payload for piece in slices) >= 0.9 * len(slices)


def test_the_apply_reads_the_events_and_cases_once_when_nothing_is_held(
    pair, tmp_path, monkeypatch
):
    from clerk.sync import streaming

    county, point = pair
    collected(point, 35)
    collected(point, 35, n=1)
    path = export(point, tmp_path / "usb").path
    reads: list[str] = []
    real = streaming.read_lines

    def counting(where: Path):  # type: ignore[no-untyped-def]
        reads.append(Path(where).name)
        return real(where)

    monkeypatch.setattr(streaming, "read_lines", counting)
    report = county.import_bundle(path)
    assert report.status == "imported", report.message
    assert reads.count("events.jsonl") == 2  # the check, the apply
    assert reads.count("cases.jsonl") == 2
