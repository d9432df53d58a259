"""The sync's work folders (`clerk.sync.work_folders`): a bundle decrypted and unpacked in clear
must not outlive a killed import. A folder whose process is gone is swept before the next one is
made; a folder in use, another user's, or another program's is left alone."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clerk.sync import work_folders
from clerk.sync.work_folders import EXPORT_PREFIX, IMPORT_PREFIX, LOCK, sweep, work_folder

pytestmark = pytest.mark.skipif(work_folders.fcntl is None, reason="POSIX flock")

_KILLED = """
import os, signal, sys
from pathlib import Path
from clerk.sync.work_folders import work_folder
with work_folder(sys.argv[2], Path(sys.argv[1])) as folder:
    (folder / "cases.jsonl").write_text('{"applicant_name": "张三"}')
    print(folder, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
"""


def _killed_in_work(root: Path, prefix: str = IMPORT_PREFIX) -> Path:
    done = subprocess.run(
        [sys.executable, "-c", _KILLED, str(root), prefix],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
        check=False,
    )
    assert done.returncode == -9
    return Path(done.stdout.strip())


def test_a_work_folder_is_removed_after_its_block(tmp_path):
    with work_folder(IMPORT_PREFIX, tmp_path) as folder:
        assert folder.parent == tmp_path and folder.name.startswith(IMPORT_PREFIX)
        assert (folder / LOCK).is_file()
        assert folder.stat().st_mode & 0o777 == 0o700
    assert list(tmp_path.iterdir()) == []


def test_the_folder_of_a_killed_import_is_swept_by_the_next_one(tmp_path):
    left = _killed_in_work(tmp_path)
    assert (left / "cases.jsonl").is_file()  # the killed process could not clean up
    with work_folder(IMPORT_PREFIX, tmp_path) as folder:
        assert not left.exists()
        assert [p.name for p in tmp_path.iterdir()] == [folder.name]


def test_a_killed_export_s_folder_is_swept_too(tmp_path):
    left = _killed_in_work(tmp_path, EXPORT_PREFIX)
    assert sweep(tmp_path) == [left]


def test_a_folder_in_use_is_not_swept(tmp_path):
    with work_folder(IMPORT_PREFIX, tmp_path) as folder:
        assert sweep(tmp_path) == []
        assert folder.is_dir()


def test_a_folder_without_a_lock_is_swept_only_once_it_is_a_day_old(tmp_path):
    old = tmp_path / f"{IMPORT_PREFIX}before"
    old.mkdir()
    (old / "cases.jsonl").write_text("{}")
    assert sweep(tmp_path) == []  # it may be being made this instant
    assert sweep(tmp_path, now=time.time() + work_folders.STALE_SECONDS + 60) == [old]
    assert not old.exists()


def test_other_folders_and_files_are_left_alone(tmp_path):
    other = tmp_path / "clerk-holidays-x"
    other.mkdir()
    plain = tmp_path / f"{IMPORT_PREFIX}a-file"
    plain.write_text("x")
    assert sweep(tmp_path, now=time.time() + 10 * work_folders.STALE_SECONDS) == []
    assert other.is_dir() and plain.is_file()


def test_an_import_sweeps_a_killed_import_s_clear_records_and_leaves_no_folder(
    pair, tmp_path, monkeypatch
):
    from support.sync import collected, export

    temp = tmp_path / "temp"
    temp.mkdir()
    left = _killed_in_work(temp)
    monkeypatch.setattr("tempfile.tempdir", str(temp))
    county, point = pair
    collected(point, 35)
    path = export(point, tmp_path / "usb").path
    assert county.import_bundle(path).status == "imported"
    assert not left.exists()
    assert list(temp.iterdir()) == []  # the export's and the import's own folders are gone too
