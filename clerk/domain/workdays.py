"""Working days in mainland China: `chinesecalendar` plus holiday files an administrator installs.

The State Council publishes each year's holiday arrangement (国务院办公厅关于部分节假日安排的通知)
late in the previous year: which days are holidays, and which weekend days become make-up working
days (调休). `chinesecalendar` carries those notices for the years it knows (2004-2026 in 1.11) and
raises `NotImplementedError` for any other year. For a later year an administrator installs a holiday
file (JSON, one year) with `clerk holidays install FILE`:

    {"year": 2027,
     "source": "国务院办公厅关于2027年部分节假日安排的通知",
     "holidays": ["2027-01-01", ...],
     "workdays": ["2027-02-07", ...]}

`workdays` lists only the make-up working days on weekends. An installed file overrides the
package for its year (the State Council sometimes revises a notice).

A year with neither is assumed to work Monday to Friday except the statutory holidays that
《全国年节及纪念日放假办法》 (2024 revision, in force 2025-01-01, Art. 2) fixes for everyone:
元旦 1 January; 春节 four days, 除夕 to 正月初三; 清明节 the day of the 清明 solar term; 劳动节 1-2 May;
端午节 the fifth of the fifth lunar month; 中秋节 the fifteenth of the eighth; 国庆节 1-3 October. The
lunar dates and the solar term come from `lunar-python`, not a hand-made table. What only the
yearly notice decides is not guessed: the make-up working days (调休), the bridging days around a
festival and the day given back when a holiday falls on a weekend (补假). Every answer that depends
on such a year is marked provisional, so a deadline reaching into it never crashes the window but is
shown as 暂定 until the year's file is installed, and recomputed then.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import chinese_calendar

from clerk.domain.catalog import DataFileError
from clerk.domain.json_files import read_small_json
from clerk.domain.text_input import TextInputError, clean_text

WEEKDAY_LABELS: tuple[str, ...] = (
    "星期一",
    "星期二",
    "星期三",
    "星期四",
    "星期五",
    "星期六",
    "星期日",
)
MAX_HOLIDAYS = 60  # the State Council's notice lists about 30 days off a year
MAX_MAKEUP_WORKDAYS = 20
SOURCE_MAX = 200  # characters of a notice's title
HOLIDAY_FILE_KEYS: frozenset[str] = frozenset({"year", "source", "holidays", "workdays"})
MIN_YEAR = 1949
MAX_YEAR = 2199
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FILE_NAME = re.compile(r"^(\d{4})\.json$")


def weekday_label(d: date) -> str:
    """星期一 ... 星期日."""
    return WEEKDAY_LABELS[d.weekday()]


@dataclass(frozen=True)
class HolidayYear:
    """One year's holiday arrangement, as read from a validated holiday file."""

    year: int
    source: str
    holidays: frozenset[date]
    workdays: frozenset[date]  # make-up working days on weekends (调休)
    path: Path | None = None

    def is_working_day(self, d: date) -> bool:
        if d in self.workdays:
            return True
        return d.weekday() < 5 and d not in self.holidays


@cache
def package_years() -> tuple[int, ...]:
    """The years `chinesecalendar` has data for: like the package itself, the span of its
    holiday table (2004..2026 in 1.11); any other year raises NotImplementedError there."""
    known = [d.year for d in chinese_calendar.holidays]
    return tuple(range(min(known), max(known) + 1))


def package_version() -> str:
    try:
        from importlib.metadata import version

        return version("chinesecalendar")
    except Exception:  # pragma: no cover - metadata missing in odd installs
        return ""


@cache
def statutory_holidays(year: int) -> frozenset[date]:
    """The days 《全国年节及纪念日放假办法》 (2024 revision, Art. 2) gives everyone off in `year`,
    without the yearly notice's bridging, make-up or compensatory days."""
    from lunar_python import Lunar, Solar  # loaded for a year no holiday file covers, not at start

    def solar(lunar_month: int, lunar_day: int) -> date:
        s = Lunar.fromYmd(year, lunar_month, lunar_day).getSolar()
        return date(s.getYear(), s.getMonth(), s.getDay())

    new_year = solar(1, 1)  # 正月初一
    spring = {new_year + timedelta(days=i) for i in range(-1, 3)}  # 除夕 .. 初三
    qingming = Solar.fromYmd(year, 4, 1).getLunar().getJieQiTable()["清明"]
    days = {
        date(year, 1, 1),
        *spring,
        date(qingming.getYear(), qingming.getMonth(), qingming.getDay()),
        date(year, 5, 1),
        date(year, 5, 2),
        solar(5, 5),
        solar(8, 15),
        date(year, 10, 1),
        date(year, 10, 2),
        date(year, 10, 3),
    }
    return frozenset(d for d in days if d.year == year)


# ------------------------------------------------------------------------------------------------
# Holiday files


def load_holiday_file(path: str | Path) -> HolidayYear:
    """Read and strictly validate a holiday file. Raises `DataFileError` (Chinese) on any problem."""
    path = Path(path)
    raw = read_small_json(path)  # a BOM accepted; absurd sizes and nesting refused
    return parse_holiday_data(raw, path)


def parse_holiday_data(raw: Any, path: Path) -> HolidayYear:
    def fail(entry: str, problem: str) -> DataFileError:
        return DataFileError(path, entry, problem)

    if not isinstance(raw, dict):
        raise fail("根", "应为对象（{...}），含 year、source、holidays、workdays 四个字段")
    unknown = sorted(set(raw) - HOLIDAY_FILE_KEYS)
    if unknown:
        raise fail("根", f"有未知字段 “{unknown[0]}”，只允许 year、source、holidays、workdays")
    for key in ("year", "source", "holidays", "workdays"):
        if key not in raw:
            raise fail("根", f"缺少字段 “{key}”")
    year = raw["year"]
    if not isinstance(year, int) or isinstance(year, bool):
        raise fail("year", "应为整数年份，例如 2027")
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise fail("year", f"年份 {year} 不合理，应在 {MIN_YEAR}–{MAX_YEAR} 之间")
    source = raw["source"]
    if not isinstance(source, str) or not source.strip():
        raise fail("source", "应为非空文本：写明依据的国务院办公厅通知名称")
    try:
        printable = clean_text(source) == source.strip()
    except TextInputError:  # a lone surrogate
        printable = False
    if len(source) > SOURCE_MAX or not printable:
        raise fail(
            "source",
            f"应为一行通知名称（不超过 {SOURCE_MAX} 个字），不能含换行、控制字符或终端转义序列，请核对文件",
        )
    holidays = _dates(raw["holidays"], "holidays", year, fail)
    workdays = _dates(raw["workdays"], "workdays", year, fail)
    if not holidays:
        raise fail("holidays", "节假日列表为空：每年至少有元旦等法定节假日，请核对文件")
    if len(holidays) > MAX_HOLIDAYS or len(workdays) > MAX_MAKEUP_WORKDAYS:
        raise fail(
            "holidays" if len(holidays) > MAX_HOLIDAYS else "workdays",
            f"列了 {len(holidays)} 个节假日、{len(workdays)} 个调休上班日，远多于一年的实际安排"
            f"（节假日最多 {MAX_HOLIDAYS} 个，调休上班日最多 {MAX_MAKEUP_WORKDAYS} 个），请核对文件",
        )
    for i, d in enumerate(raw["workdays"]):
        day = date.fromisoformat(d)
        if day.weekday() < 5:
            raise fail(
                f"workdays[{i}]",
                f"{d} 是{weekday_label(day)}，本来就是工作日；workdays 只列周末调休上班的日期",
            )
    both = sorted(holidays & workdays)
    if both:
        i = raw["workdays"].index(both[0].isoformat())
        raise fail(
            f"workdays[{i}]",
            f"{both[0].isoformat()} 同时出现在 holidays 和 workdays 中，请核对通知",
        )
    return HolidayYear(
        year=year,
        source=source.strip(),
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        path=path,
    )


def _dates(value: Any, key: str, year: int, fail: Any) -> set[date]:
    if not isinstance(value, list):
        raise fail(key, '应为日期列表，例如 ["2027-01-01"]')
    seen: set[date] = set()
    for i, text in enumerate(value):
        entry = f"{key}[{i}]"
        if not isinstance(text, str) or not _ISO_DATE.match(text):
            raise fail(entry, f"“{text}” 不是 YYYY-MM-DD 格式的日期")
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise fail(entry, f"“{text}” 不是有效日期") from None
        if day.year != year:
            raise fail(entry, f"{text} 不在 {year} 年：一个文件只写一年，请核对年份")
        if day in seen:
            raise fail(entry, f"{text} 重复出现")
        seen.add(day)
    return seen


def install_holiday_file(path: Path, holiday_dir: Path) -> HolidayYear:
    """Validate `path` and copy it to `holiday_dir`/YEAR.json (atomically). Works even when a file
    already in the directory is broken, so a bad install can be corrected by installing a good one."""
    data = load_holiday_file(path)
    holiday_dir.mkdir(parents=True, exist_ok=True)
    target = holiday_dir / f"{data.year}.json"
    tmp = holiday_dir / f".{data.year}.json.tmp"
    shutil.copyfile(path, tmp)
    tmp.replace(target)
    return HolidayYear(data.year, data.source, data.holidays, data.workdays, target)


# ------------------------------------------------------------------------------------------------
# The calendar


class WorkCalendar:
    """Answers "is this a working day" for any date; counts and adds working days.

    Per-year answers are computed once and cached as a table of 365/366 booleans.
    """

    def __init__(self, holiday_dir: Path | None = None) -> None:
        self.holiday_dir = Path(holiday_dir) if holiday_dir is not None else None
        self._files: dict[int, HolidayYear] = {}
        self._tables: dict[int, tuple[bytes, bool]] = {}
        if self.holiday_dir is not None and self.holiday_dir.is_dir():
            for path in sorted(self.holiday_dir.glob("*.json")):
                data = load_holiday_file(path)
                earlier = self._files.get(data.year)
                if earlier is not None:
                    raise DataFileError(
                        path,
                        "year",
                        f"{data.year} 年已有节假日文件 {earlier.path}，一年只保留一个文件",
                    )
                self._add_file(path, data)

    @classmethod
    def default(cls) -> WorkCalendar:
        from clerk.support.paths import holidays_dir

        return cls(holidays_dir())

    def _add_file(self, path: Path, data: HolidayYear) -> HolidayYear:
        match = _FILE_NAME.match(path.name)
        if match and int(match.group(1)) != data.year:
            raise DataFileError(
                path, "year", f"文件名是 {path.name}，但 year 为 {data.year}，请核对"
            )
        self._files[data.year] = data
        self._tables.pop(data.year, None)
        return data

    # -- data coverage ---------------------------------------------------------------------------

    def has_data(self, year: int) -> bool:
        return year in self._files or year in package_years()

    def covered_years(self) -> list[int]:
        return sorted(set(package_years()) | set(self._files))

    def installed_years(self) -> list[int]:
        return sorted(self._files)

    def holiday_file(self, year: int) -> HolidayYear | None:
        """The installed file for `year`, if any (it overrides the package)."""
        return self._files.get(year)

    def install(self, path: Path) -> int:
        """Validate a holiday file and copy it into the holiday dir as YEAR.json; return the year.

        Raises `DataFileError` when the file is wrong (nothing is copied then), `ValueError` when
        this calendar has no holiday directory.
        """
        if self.holiday_dir is None:
            raise ValueError("未设置节假日文件目录，无法安装节假日文件")
        data = install_holiday_file(Path(path), self.holiday_dir)
        self._files[data.year] = data
        self._tables.pop(data.year, None)
        return data.year

    # -- per-day answers -------------------------------------------------------------------------

    def _table(self, year: int) -> tuple[bytes, bool]:
        """(one byte per day of the year, 1 = working; whether the year has data)."""
        cached = self._tables.get(year)
        if cached is not None:
            return cached
        first = date(year, 1, 1)
        days = [first + timedelta(i) for i in range((date(year + 1, 1, 1) - first).days)]
        installed = self._files.get(year)
        if installed is not None:
            flags = [installed.is_working_day(d) for d in days]
            known = True
        elif year in package_years():
            # chinese_calendar's own rule (`is_workday`) over its tables, without its per-call
            # checks: a year's table costs 0.1 ms instead of 5 (every start that counts a deadline)
            extra, off = chinese_calendar.workdays, chinese_calendar.holidays
            flags = [d in extra or (d.weekday() < 5 and d not in off) for d in days]
            known = True
        else:
            statutory = statutory_holidays(year)
            flags = [d.weekday() < 5 and d not in statutory for d in days]
            known = False
        table = (bytes(flags), known)
        self._tables[year] = table
        return table

    def is_working_day(self, d: date) -> bool:
        """Whether `d` is a working day (in a year without data: Mon-Fri except the statutory
        holidays)."""
        flags, _known = self._table(d.year)
        return bool(flags[d.timetuple().tm_yday - 1])

    def add_working_days(self, start: date, n: int) -> tuple[date, bool]:
        """The Nth working day after `start` (start itself is never counted) and whether it is
        provisional, i.e. any day examined lies in a year without data. n = 0 returns start."""
        if n < 0:
            raise ValueError("工作日天数不能为负数")
        day = start
        provisional = False
        left = n
        while left > 0:
            day += timedelta(days=1)
            flags, known = self._table(day.year)
            provisional = provisional or not known
            if flags[day.timetuple().tm_yday - 1]:
                left -= 1
        return day, provisional

    def working_days_between(self, a: date, b: date) -> int:
        """The number of working days in (a, b]: after a, up to and including b. 0 when b <= a."""
        count = 0
        day = a
        while day < b:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count

    def is_provisional_between(self, a: date, b: date) -> bool:
        """Whether any day in (a, b] falls in a year without data."""
        if b <= a:
            return False
        return any(not self.has_data(y) for y in range((a + timedelta(days=1)).year, b.year + 1))


def holiday_file_json(data: HolidayYear) -> str:
    """A holiday file's text for `data` (used by tests and to write a corrected file)."""
    return json.dumps(
        {
            "year": data.year,
            "source": data.source,
            "holidays": sorted(d.isoformat() for d in data.holidays),
            "workdays": sorted(d.isoformat() for d in data.workdays),
        },
        ensure_ascii=False,
        indent=2,
    )
