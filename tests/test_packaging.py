"""The installed package carries catalog.json and offices.json and loads them from itself."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
        ],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("clerk-*.whl")
    return path


def test_wheel_contains_the_data_files(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"clerk/data/catalog.json", "clerk/data/offices.json", "clerk/screens/app.tcss"} <= names


def test_installed_copy_loads_its_own_data(wheel, tmp_path):
    target = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(target)
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from clerk.domain.catalog import packaged_file, load_catalog\n"
        "from clerk.domain.offices import load_offices\n"
        "assert str(packaged_file('catalog.json')).startswith(sys.argv[1]), packaged_file('catalog.json')\n"
        "print(len(load_catalog().items), len(load_offices().offices))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(target)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    )
    assert out.stdout.split() == ["39", "14"]
