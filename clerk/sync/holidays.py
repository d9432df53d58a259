"""Holiday notices in a county's return bundles (docs/BUNDLE.md, manifest field `holidays`).

A county office installs a year's holiday file (`clerk holidays install`, the State Council's
notice); every return bundle it writes then carries each installed file, byte for byte, in the
signed manifest: `{"year", "source", "sha256", "issued_at", "text"}`, where `issued_at` is when
the notice was first installed (at the county, or wherever it came from) and `sha256` that of
`text` as UTF-8. A point installs the ones it lacks on import (recorded in its administrative
chain with the same SHA-256 and `issued_at`, so the file can be proven against the record), and
never replaces a file of its own that entered later than the bundle's (no downgrade).

Pure functions: the service (`clerk.service.holidays`) writes the files and records them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from clerk.domain.catalog import DataFileError
from clerk.domain.workdays import WorkCalendar, parse_holiday_data

MANIFEST_FIELD = "holidays"
MAX_NOTICES = 20  # years per bundle: a county installs one a year
MAX_TEXT = 64 << 10  # bytes of one holiday file (a year's file is about 2 KB)


@dataclass(frozen=True)
class HolidayNotice:
    year: int
    source: str
    sha256: str
    issued_at: str  # ISO 8601: when the notice first entered a clerk installation
    text: str  # the holiday file's exact text


# (year, sha256, source, issued_at, origin, recorded_at), as `Store.holiday_records` gives them
Record = tuple[int, str, str, str, str, str]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def latest_records(records: Iterable[Record]) -> dict[int, Record]:
    """The last recorded install of each year."""
    last: dict[int, Record] = {}
    for r in records:
        last[r[0]] = r
    return last


def file_time(path: Path) -> str:
    """An unrecorded file's time (installed before installs were recorded): its mtime."""
    return datetime.fromtimestamp(path.stat().st_mtime, UTC).isoformat(timespec="seconds")


def installed_notices(calendar: WorkCalendar, records: Iterable[Record]) -> list[HolidayNotice]:
    """Every holiday file installed here, as a bundle carries it."""
    last = latest_records(records)
    out = []
    for year in calendar.installed_years():
        data = calendar.holiday_file(year)
        if data is None or data.path is None:
            continue
        text = data.path.read_bytes().decode("utf-8")
        sha = digest(text)
        record = last.get(year)
        issued = record[3] if record is not None and record[1] == sha else file_time(data.path)
        out.append(HolidayNotice(year, data.source, sha, issued, text))
    return out


def to_manifest(notices: Sequence[HolidayNotice]) -> list[dict[str, Any]]:
    return [
        {
            "year": n.year,
            "source": n.source,
            "sha256": n.sha256,
            "issued_at": n.issued_at,
            "text": n.text,
        }
        for n in notices
    ]


def from_manifest(manifest: Mapping[str, Any]) -> tuple[list[HolidayNotice], list[str]]:
    """The notices a manifest carries, each checked (its hash, a valid holiday file), and a
    Chinese line for each one left out. A manifest without the field carries none."""
    raw = manifest.get(MANIFEST_FIELD)
    if raw is None:
        return [], []
    if not isinstance(raw, list) or len(raw) > MAX_NOTICES:
        return [], ["回执包中的节假日安排格式不对，未安装；请县级经办机构检查其节假日文件。"]
    notices: list[HolidayNotice] = []
    problems: list[str] = []
    for entry in raw:
        notice = _notice(entry)
        if isinstance(notice, str):
            problems.append(notice)
        else:
            notices.append(notice)
    return notices, problems


def _notice(entry: Any) -> HolidayNotice | str:
    bad = "回执包中有一份节假日安排无法读取，未安装；请县级经办机构检查其节假日文件。"
    if not isinstance(entry, dict):
        return bad
    year, text, sha, issued = (entry.get(k) for k in ("year", "text", "sha256", "issued_at"))
    if not isinstance(year, int) or not isinstance(text, str) or not isinstance(issued, str):
        return bad
    if len(text.encode("utf-8")) > MAX_TEXT or sha != digest(text):
        return f"回执包中的 {year} 年节假日安排与其哈希不符，未安装。"
    try:
        import json

        data = parse_holiday_data(json.loads(text), Path(f"{year}.json"))
    except (ValueError, DataFileError) as exc:
        return f"回执包中的 {year} 年节假日安排有误，未安装：{exc}"
    if data.year != year:
        return f"回执包中的 {year} 年节假日安排写的是 {data.year} 年，未安装。"
    return HolidayNotice(year, data.source, sha, issued, text)


@dataclass(frozen=True)
class Decision:
    notice: HolidayNotice
    install: bool
    why: str  # Chinese, for the import report


def decide(
    notices: Sequence[HolidayNotice], calendar: WorkCalendar, records: Iterable[Record]
) -> list[Decision]:
    """Which notices to install here: a year with no file, or a file older than the notice;
    never one that would replace a file that entered here later (no downgrade)."""
    last = latest_records(records)
    out = []
    for n in notices:
        have = calendar.holiday_file(n.year)
        if have is None or have.path is None:
            out.append(Decision(n, True, f"{n.year}年：已安装（{n.source}）"))
            continue
        text = have.path.read_bytes().decode("utf-8", errors="replace")
        if digest(text) == n.sha256:
            out.append(Decision(n, False, f"{n.year}年：本机已是同一份，无需安装"))
            continue
        record = last.get(n.year)
        mine = (
            record[3] if record is not None and record[1] == digest(text) else file_time(have.path)
        )
        if _instant(mine) > _instant(n.issued_at):
            out.append(
                Decision(
                    n,
                    False,
                    f"{n.year}年：本机的节假日文件比回执包中的新，保留本机的（{have.source}）",
                )
            )
            continue
        out.append(Decision(n, True, f"{n.year}年：已更新为县级经办机构的安排（{n.source}）"))
    return out


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)
