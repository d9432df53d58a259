"""WorkCalendar: chinesecalendar data, installed holiday files, provisional years."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clerk.domain.catalog import DataFileError
from clerk.domain.workdays import WorkCalendar, load_holiday_file, statutory_holidays, weekday_label

# A made-up 2027 arrangement for tests (the real notice is not published yet).
FAKE_2027 = {
    "year": 2027,
    "source": "测试用：虚构的2027年节假日安排",
    "holidays": ["2027-01-01", "2027-01-02", "2027-01-03"]
    + [f"2027-02-{d:02d}" for d in range(5, 14)]
    + [f"2027-10-{d:02d}" for d in range(1, 8)],
    "workdays": ["2027-02-14", "2027-02-20", "2027-09-26", "2027-10-09"],
}


def write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.fixture
def fake_file(tmp_path: Path) -> Path:
    return write(tmp_path / "upload.json", FAKE_2027)


# -- package data ------------------------------------------------------------------------------


def test_makeup_sunday_is_working(cal: WorkCalendar) -> None:
    assert cal.is_working_day(date(2026, 9, 20)) is True


def test_makeup_saturday_is_working(cal: WorkCalendar) -> None:
    assert cal.is_working_day(date(2026, 10, 10)) is True


def test_national_day_is_not_working(cal: WorkCalendar) -> None:
    assert cal.is_working_day(date(2026, 10, 1)) is False


def test_spring_festival_weekday_is_not_working(cal: WorkCalendar) -> None:
    assert cal.is_working_day(date(2026, 2, 16)) is False


def test_ordinary_saturday_is_not_working(cal: WorkCalendar) -> None:
    assert cal.is_working_day(date(2026, 9, 12)) is False


def test_ordinary_monday_is_working(cal: WorkCalendar) -> None:
    assert cal.is_working_day(date(2026, 9, 14)) is True


def test_package_years_are_covered(cal: WorkCalendar) -> None:
    assert cal.covered_years() == list(range(2004, 2027))


def test_has_data_for_2026(cal: WorkCalendar) -> None:
    assert cal.has_data(2026) is True


def test_no_data_for_2027(cal: WorkCalendar) -> None:
    assert cal.has_data(2027) is False


def test_no_data_for_2003(cal: WorkCalendar) -> None:
    assert cal.has_data(2003) is False


def test_year_without_data_assumes_monday_to_friday(cal: WorkCalendar) -> None:
    assert cal.is_working_day(date(2027, 1, 4)) is True  # a Monday
    assert cal.is_working_day(date(2027, 1, 2)) is False  # a Saturday


def test_year_without_data_does_not_work_on_new_years_day(cal: WorkCalendar) -> None:
    # 2027-01-01 is a Friday; 元旦 is a statutory holiday whatever the notice says.
    assert cal.is_working_day(date(2027, 1, 1)) is False


def test_statutory_holidays_of_2027() -> None:
    # 春节 2027: 正月初一 is 02-06, so 除夕 02-05 to 初三 02-08; 清明 on the solar term 04-05;
    # 端午 (lunar 5/5) 06-09; 中秋 (lunar 8/15) 09-15.
    assert sorted(d.isoformat() for d in statutory_holidays(2027)) == [
        "2027-01-01",
        "2027-02-05",
        "2027-02-06",
        "2027-02-07",
        "2027-02-08",
        "2027-04-05",
        "2027-05-01",
        "2027-05-02",
        "2027-06-09",
        "2027-09-15",
        "2027-10-01",
        "2027-10-02",
        "2027-10-03",
    ]


def test_statutory_holidays_when_mid_autumn_falls_on_national_day() -> None:
    # 2028: lunar 8/15 is 10-03, so the year has 12 distinct statutory days, not 13.
    days = statutory_holidays(2028)
    assert (len(days), date(2028, 10, 3) in days, date(2028, 4, 4) in days) == (12, True, True)


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_holidays_are_holidays_in_the_published_notices(year: int) -> None:
    # The rule must agree with the State Council's notices where the package has them.
    assert all(not chinese_calendar.is_workday(d) for d in statutory_holidays(year))


def test_provisional_year_does_not_guess_make_up_days(cal: WorkCalendar) -> None:
    # Weekends around the Spring Festival stay rest days until the notice names a make-up day.
    assert cal.is_working_day(date(2027, 1, 31)) is False  # a Sunday
    assert (
        cal.is_working_day(date(2027, 2, 9)) is True
    )  # 初四, a Tuesday: only the notice bridges it


def test_weekday_label() -> None:
    assert weekday_label(date(2026, 9, 18)) == "星期五"
    assert weekday_label(date(2026, 9, 20)) == "星期日"


# -- add_working_days --------------------------------------------------------------------------


def test_start_day_is_not_counted(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2026, 9, 14), 1) == (date(2026, 9, 15), False)


def test_zero_days_is_the_start(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2026, 9, 14), 0) == (date(2026, 9, 14), False)


def test_negative_days_are_refused(cal: WorkCalendar) -> None:
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 9, 14), -1)


def test_counts_makeup_days_and_skips_holidays(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2026, 9, 18), 20) == (date(2026, 10, 22), False)


def test_spring_festival(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2026, 2, 10), 5) == (date(2026, 2, 24), False)


def test_into_2027_is_provisional(cal: WorkCalendar) -> None:
    # 12-31 (Thu) is day 1; 2027-01-01 (Fri) is 元旦; 01-04 (Mon) day 2; 01-05 day 3.
    assert cal.add_working_days(date(2026, 12, 30), 3) == (date(2027, 1, 5), True)


def test_inside_2026_near_year_end_is_not_provisional(cal: WorkCalendar) -> None:
    assert cal.add_working_days(date(2026, 12, 28), 3) == (date(2026, 12, 31), False)


def test_far_future_does_not_crash(cal: WorkCalendar) -> None:
    due, provisional = cal.add_working_days(date(2030, 6, 28), 1)
    assert (due, provisional) == (date(2030, 7, 1), True)


# -- working_days_between ----------------------------------------------------------------------


def test_between_excludes_a_and_includes_b(cal: WorkCalendar) -> None:
    assert cal.working_days_between(date(2026, 9, 14), date(2026, 9, 15)) == 1


def test_between_same_day_is_zero(cal: WorkCalendar) -> None:
    assert cal.working_days_between(date(2026, 9, 14), date(2026, 9, 14)) == 0


def test_between_reversed_is_zero(cal: WorkCalendar) -> None:
    assert cal.working_days_between(date(2026, 9, 15), date(2026, 9, 14)) == 0


def test_between_over_national_day(cal: WorkCalendar) -> None:
    # 9-30 is working; 10-1..10-7 holiday; 10-8 Thu, 10-9 Fri, 10-10 Sat make-up.
    assert cal.working_days_between(date(2026, 9, 29), date(2026, 10, 10)) == 4


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 9, 30)),
    length=st.integers(min_value=0, max_value=90),
)
def test_between_equals_brute_force(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    expected = sum(
        1 for i in range(1, length + 1) if chinese_calendar.is_workday(start + timedelta(days=i))
    )
    assert WorkCalendar().working_days_between(start, end) == expected


@settings(max_examples=60, deadline=None)
@given(
    start=st.dates(min_value=date(2004, 1, 1), max_value=date(2026, 9, 30)),
    n=st.integers(min_value=1, max_value=40),
)
def test_add_is_inverse_of_between(start: date, n: int) -> None:
    cal = WorkCalendar()
    due, _ = cal.add_working_days(start, n)
    assert cal.working_days_between(start, due) == n
    assert cal.is_working_day(due)


# -- holiday files -----------------------------------------------------------------------------


def test_load_holiday_file(fake_file: Path) -> None:
    data = load_holiday_file(fake_file)
    assert (data.year, len(data.holidays), len(data.workdays)) == (2027, 19, 4)
    assert data.source == "测试用：虚构的2027年节假日安排"


def test_install_returns_year_and_copies(tmp_path: Path, fake_file: Path) -> None:
    cal = WorkCalendar(tmp_path / "holidays")
    assert cal.install(fake_file) == 2027
    assert json.loads((tmp_path / "holidays" / "2027.json").read_text("utf-8")) == FAKE_2027


def test_install_gives_data_for_the_year(tmp_path: Path, fake_file: Path) -> None:
    cal = WorkCalendar(tmp_path / "holidays")
    cal.install(fake_file)
    assert cal.has_data(2027) is True
    assert cal.covered_years()[-1] == 2027
    assert cal.installed_years() == [2027]


def test_installed_holiday_and_makeup_day(tmp_path: Path, fake_file: Path) -> None:
    cal = WorkCalendar(tmp_path / "holidays")
    cal.install(fake_file)
    assert cal.is_working_day(date(2027, 1, 1)) is False
    assert cal.is_working_day(date(2027, 2, 14)) is True  # a Sunday


def test_install_replaces_cached_answers(tmp_path: Path, fake_file: Path) -> None:
    cal = WorkCalendar(tmp_path / "holidays")
    # Provisional: 02-05..02-08 statutory Spring Festival days, so 02-09, 02-10, 02-11.
    assert cal.add_working_days(date(2027, 2, 4), 3) == (date(2027, 2, 11), True)
    cal.install(fake_file)
    assert cal.add_working_days(date(2027, 2, 4), 3) == (date(2027, 2, 16), False)


def test_installed_file_is_read_by_a_new_calendar(tmp_path: Path, fake_file: Path) -> None:
    WorkCalendar(tmp_path / "holidays").install(fake_file)
    assert WorkCalendar(tmp_path / "holidays").is_working_day(date(2027, 10, 1)) is False


def test_installed_file_overrides_the_package(tmp_path: Path) -> None:
    revised = {
        "year": 2026,
        "source": "测试用：修订后的2026年安排",
        "holidays": ["2026-01-01", "2026-09-18"],
        "workdays": [],
    }
    cal = WorkCalendar(tmp_path / "holidays")
    assert cal.is_working_day(date(2026, 9, 18)) is True
    cal.install(write(tmp_path / "r.json", revised))
    assert cal.is_working_day(date(2026, 9, 18)) is False
    assert cal.is_working_day(date(2026, 10, 1)) is True  # the revision names no National Day


def test_install_without_directory_is_refused(fake_file: Path) -> None:
    with pytest.raises(ValueError):
        WorkCalendar().install(fake_file)


def test_bad_install_copies_nothing(tmp_path: Path) -> None:
    bad = dict(FAKE_2027, workdays=["2027-02-15"])
    with pytest.raises(DataFileError):
        WorkCalendar(tmp_path / "holidays").install(write(tmp_path / "bad.json", bad))
    assert list((tmp_path / "holidays").glob("*")) == []


def test_default_uses_clerk_data_dir(
    tmp_path: Path, fake_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLERK_DATA_DIR", str(tmp_path / "data"))
    assert WorkCalendar.default().install(fake_file) == 2027
    assert (tmp_path / "data" / "holidays" / "2027.json").is_file()


def test_broken_file_in_directory_stops_loading(tmp_path: Path) -> None:
    folder = tmp_path / "holidays"
    folder.mkdir()
    write(folder / "2027.json", dict(FAKE_2027, workdays=["2027-02-15"]))
    with pytest.raises(DataFileError):
        WorkCalendar(folder)


def test_file_name_must_match_year(tmp_path: Path) -> None:
    folder = tmp_path / "holidays"
    folder.mkdir()
    write(folder / "2028.json", FAKE_2027)
    with pytest.raises(DataFileError) as err:
        WorkCalendar(folder)
    assert (err.value.entry, err.value.problem) == (
        "year",
        "文件名是 2028.json，但 year 为 2027，请核对",
    )


# -- holiday file validation: one problem each ---------------------------------------------------


def problem_of(tmp_path: Path, data: object) -> tuple[str, str, str]:
    path = write(tmp_path / "h.json", data)
    with pytest.raises(DataFileError) as err:
        load_holiday_file(path)
    return err.value.file, err.value.entry, err.value.problem


def test_error_names_the_file(tmp_path: Path) -> None:
    file, _, _ = problem_of(tmp_path, [])
    assert file == str(tmp_path / "h.json")


def test_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text('{"year": 2027,', encoding="utf-8")
    with pytest.raises(DataFileError) as err:
        load_holiday_file(path)
    assert err.value.entry == "第1行第15列"
    assert err.value.problem.startswith("JSON 格式错误")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError) as err:
        load_holiday_file(tmp_path / "none.json")
    assert err.value.problem == "找不到文件，请重新安装或恢复该文件"


def test_root_must_be_object(tmp_path: Path) -> None:
    assert problem_of(tmp_path, [])[1:] == (
        "根",
        "应为对象（{...}），含 year、source、holidays、workdays 四个字段",
    )


def test_missing_field(tmp_path: Path) -> None:
    data = {k: v for k, v in FAKE_2027.items() if k != "workdays"}
    assert problem_of(tmp_path, data)[1:] == ("根", "缺少字段 “workdays”")


def test_unknown_field(tmp_path: Path) -> None:
    assert problem_of(tmp_path, dict(FAKE_2027, workday=[]))[1:] == (
        "根",
        "有未知字段 “workday”，只允许 year、source、holidays、workdays",
    )


def test_year_must_be_integer(tmp_path: Path) -> None:
    assert problem_of(tmp_path, dict(FAKE_2027, year="2027"))[1:] == (
        "year",
        "应为整数年份，例如 2027",
    )


def test_year_must_be_plausible(tmp_path: Path) -> None:
    assert problem_of(tmp_path, dict(FAKE_2027, year=27))[1:] == (
        "year",
        "年份 27 不合理，应在 1949–2199 之间",
    )


def test_source_required(tmp_path: Path) -> None:
    assert problem_of(tmp_path, dict(FAKE_2027, source=" "))[1:] == (
        "source",
        "应为非空文本：写明依据的国务院办公厅通知名称",
    )


def test_holidays_must_be_a_list(tmp_path: Path) -> None:
    assert problem_of(tmp_path, dict(FAKE_2027, holidays="2027-01-01"))[1:] == (
        "holidays",
        '应为日期列表，例如 ["2027-01-01"]',
    )


def test_date_in_wrong_year(tmp_path: Path) -> None:
    data = dict(FAKE_2027, holidays=["2027-01-01", "2026-10-01"])
    assert problem_of(tmp_path, data)[1:] == (
        "holidays[1]",
        "2026-10-01 不在 2027 年：一个文件只写一年，请核对年份",
    )


def test_date_in_wrong_format(tmp_path: Path) -> None:
    data = dict(FAKE_2027, holidays=["2027/01/01"])
    assert problem_of(tmp_path, data)[1:] == (
        "holidays[0]",
        "“2027/01/01” 不是 YYYY-MM-DD 格式的日期",
    )


def test_impossible_date(tmp_path: Path) -> None:
    data = dict(FAKE_2027, workdays=["2027-02-30"])
    assert problem_of(tmp_path, data)[1:] == ("workdays[0]", "“2027-02-30” 不是有效日期")


def test_duplicate_date(tmp_path: Path) -> None:
    data = dict(FAKE_2027, holidays=["2027-01-01", "2027-01-01"])
    assert problem_of(tmp_path, data)[1:] == ("holidays[1]", "2027-01-01 重复出现")


def test_weekday_as_makeup_day(tmp_path: Path) -> None:
    data = dict(FAKE_2027, workdays=["2027-02-14", "2027-02-15"])
    assert problem_of(tmp_path, data)[1:] == (
        "workdays[1]",
        "2027-02-15 是星期一，本来就是工作日；workdays 只列周末调休上班的日期",
    )


def test_date_in_both_lists(tmp_path: Path) -> None:
    data = dict(FAKE_2027, workdays=["2027-02-20", "2027-02-06"])
    assert problem_of(tmp_path, data)[1:] == (
        "workdays[1]",
        "2027-02-06 同时出现在 holidays 和 workdays 中，请核对通知",
    )


def test_empty_holidays(tmp_path: Path) -> None:
    data = dict(FAKE_2027, holidays=[])
    assert problem_of(tmp_path, data)[1:] == (
        "holidays",
        "节假日列表为空：每年至少有元旦等法定节假日，请核对文件",
    )


def test_each_day_is_asked_of_the_package_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[date] = []

    class Counting(dict):  # type: ignore[type-arg]
        def __contains__(self, d: object) -> bool:
            calls.append(d)  # type: ignore[arg-type]
            return super().__contains__(d)

    # every day of a year is first looked up among the package's make-up working days
    monkeypatch.setattr(chinese_calendar, "workdays", Counting(chinese_calendar.workdays))
    cal = WorkCalendar()
    for start in (date(2026, 2, 10), date(2026, 9, 18), date(2026, 11, 2)):
        cal.add_working_days(start, 20)
        cal.working_days_between(start, date(2026, 12, 31))
    assert len(calls) == len(set(calls)) == 365


def test_two_files_for_one_year_are_refused(tmp_path: Path) -> None:
    folder = tmp_path / "holidays"
    folder.mkdir()
    write(folder / "2027.json", FAKE_2027)
    write(folder / "copy.json", FAKE_2027)
    with pytest.raises(DataFileError) as err:
        WorkCalendar(folder)
    assert (err.value.file, err.value.problem) == (
        str(folder / "copy.json"),
        f"2027 年已有节假日文件 {folder / '2027.json'}，一年只保留一个文件",
    )


def test_every_day_of_the_package_years_agrees_with_chinese_calendar() -> None:
    # the year tables read chinese_calendar's data directly; its own function is the reference
    cal = WorkCalendar()
    for year in cal.covered_years():
        day = date(year, 1, 1)
        while day.year == year:
            assert cal.is_working_day(day) is chinese_calendar.is_workday(day), day
            day += timedelta(days=1)
