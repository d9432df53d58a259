"""Holiday files as administrators really supply them: with a BOM (Windows Notepad) accepted;
absurd ones (huge, deeply nested, a holiday every day) refused in Chinese."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from test_workdays import FAKE_2027

from clerk.domain.catalog import DataFileError
from clerk.domain.workdays import load_holiday_file


def test_a_file_with_a_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "2027.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(FAKE_2027, ensure_ascii=False).encode("utf-8"))
    assert load_holiday_file(path).year == 2027


def test_a_huge_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as f:
        f.truncate(300 * 1024 * 1024)  # sparse: 300 MB on paper, nothing on disk
    with pytest.raises(DataFileError, match="文件太大"):
        load_holiday_file(path)


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(DataFileError, match="嵌套层数太多"):
        load_holiday_file(path)


def test_336_holidays_are_refused(tmp_path: Path) -> None:
    days = [date(2027, 1, 1) + timedelta(days=n) for n in range(336)]
    data = {**FAKE_2027, "holidays": [d.isoformat() for d in days], "workdays": []}
    path = tmp_path / "every-day.json"
    path.write_text(json.dumps(data))
    with pytest.raises(DataFileError, match="列了 336 个节假日"):
        load_holiday_file(path)


@pytest.mark.parametrize(
    "source",
    [
        "国务院办公厅通知\x1b[2J\x07",
        "国务院办公厅\n关于2027年部分节假日安排的通知",
        "国务院\u202e办公厅",
        "通" * 201,
        "国务院\ud800办公厅",
    ],
)
def test_a_source_that_would_be_echoed_raw_is_refused(tmp_path: Path, source: str) -> None:
    """The source is printed by `clerk holidays list` and stored: no escapes reach a terminal."""
    path = tmp_path / "2027.json"
    path.write_text(json.dumps({**FAKE_2027, "source": source}), encoding="utf-8")
    with pytest.raises(DataFileError, match="source.*应为一行通知名称"):
        load_holiday_file(path)
