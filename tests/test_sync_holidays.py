"""Holiday files travel in the county's return bundles and install at the point, recorded with
the county's SHA-256 and time, deadlines recomputed; a point never downgrades a newer file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from support.sync import collected, export, user

from clerk.domain.workdays import WorkCalendar
from clerk.screens.case_detail import countdown_text
from clerk.sync import holidays as bundle_holidays

NOTICE_2027 = {
    "year": 2027,
    "source": "国务院办公厅关于2027年部分节假日安排的通知",
    "holidays": ["2027-01-01", "2027-01-04", "2027-01-05"],
    "workdays": [],
}


def holiday_file(folder: Path, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{data['year']}.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def own_calendars(pair, tmp_path):
    """Each installation with a holiday folder of its own (as on two PCs)."""
    county, point = pair
    county.calendar = WorkCalendar(tmp_path / "county-holidays")
    point.calendar = WorkCalendar(tmp_path / "point-holidays")
    return county, point


def county_accepts_after_the_notice(county, point, clock, tmp_path) -> str:
    """14 Dec 2026: a township collects item 35; the county installs the 2027 notice, imports the
    case and accepts it (25 working days reach into 2027)."""
    clock.set(2026, 12, 14, 10, 0)
    uuid = collected(point, 35)
    county.install_holidays(user(county, "admin"), holiday_file(tmp_path / "stick", NOTICE_2027))
    assert county.import_bundle(export(point, tmp_path / "up").path).ok
    view = county.accept(user(county, "clerk1"), uuid)
    assert (view.deadline.due, view.deadline.provisional) == (date(2027, 1, 21), False)
    return uuid


def test_the_return_bundle_installs_the_countys_notice_and_the_point_shows_final_deadlines(
    own_calendars, clock, tmp_path
):
    county, point = own_calendars
    uuid = county_accepts_after_the_notice(county, point, clock, tmp_path)
    before = point.import_bundle(export(county, tmp_path / "down1", for_point="LS01").path)
    assert before.ok
    report = point.import_bundle(export(county, tmp_path / "down2", for_point="LS01").path)
    assert report.ok
    view = point.case(uuid, user(point, "clerk1"))
    assert (view.deadline.due, view.deadline.provisional) == (date(2027, 1, 21), False)
    clock.set(2026, 12, 31, 9, 0)
    view = point.case(uuid, user(point, "clerk1"))
    at_county = county.case(uuid, user(county, "clerk1"))
    # 1 Jan, 4 and 5 Jan 2027 are holidays by the notice: 12 working days left, at both ends
    assert view.remaining_working_days == at_county.remaining_working_days == 12
    assert point.calendar.add_working_days(date(2026, 12, 14), 25) == (date(2027, 1, 21), False)
    assert countdown_text(view, clock.at.date()) == "剩余 12 个工作日，期限 2027年01月21日。"


def test_the_point_records_the_same_notice_the_county_recorded(own_calendars, clock, tmp_path):
    county, point = own_calendars
    county_accepts_after_the_notice(county, point, clock, tmp_path)
    report = point.import_bundle(export(county, tmp_path / "down", for_point="LS01").path)
    assert report.holidays == ["2027年：已安装（国务院办公厅关于2027年部分节假日安排的通知）"]
    assert "县级经办机构的节假日安排：2027年：已安装" in report.text()
    [at_county] = county.store.holiday_records()
    [at_point] = point.store.holiday_records()
    assert at_point[:4] == at_county[:4]  # year, SHA-256, source, when first installed
    assert (at_county[4], at_point[4]) == ("YZ03", "YZ03")
    installed = point.calendar.holiday_file(2027)
    assert installed is not None and installed.path is not None
    assert bundle_holidays.digest(installed.path.read_text(encoding="utf-8")) == at_county[1]
    assert point.desks.holidays.proof() == {2027: "recorded"}
    assert point.store.verify(full=True, remember=False).ok


def test_a_second_bundle_with_the_same_notice_installs_and_records_nothing(
    own_calendars, clock, tmp_path
):
    county, point = own_calendars
    county_accepts_after_the_notice(county, point, clock, tmp_path)
    point.import_bundle(export(county, tmp_path / "down1", for_point="LS01").path)
    clock.advance(hours=1)
    report = point.import_bundle(export(county, tmp_path / "down2", for_point="LS01").path)
    assert report.holidays == ["2027年：本机已是同一份，无需安装"]
    assert len(point.store.holiday_records()) == 1


def test_a_point_never_downgrades_a_newer_file_of_its_own(own_calendars, clock, tmp_path):
    county, point = own_calendars
    county_accepts_after_the_notice(county, point, clock, tmp_path)
    clock.advance(days=1)  # the point's administrator installs a corrected notice later
    corrected = dict(NOTICE_2027, source="国务院办公厅关于2027年部分节假日安排的通知（更正）")
    point.install_holidays(user(point, "admin"), holiday_file(tmp_path / "own", corrected))
    report = point.import_bundle(export(county, tmp_path / "down", for_point="LS01").path)
    assert report.holidays == [
        "2027年：本机的节假日文件比回执包中的新，保留本机的"
        "（国务院办公厅关于2027年部分节假日安排的通知（更正））"
    ]
    installed = point.calendar.holiday_file(2027)
    assert installed is not None and installed.source.endswith("（更正）")


def manifests_written(monkeypatch) -> list[dict]:
    from clerk.sync import bundle as fmt  # what the sync desk writes bundles with

    seen: list[dict] = []
    real = fmt.write_bundle

    def capture(out_dir, contents, *args, **kwargs):
        seen.append(dict(contents.manifest))
        return real(out_dir, contents, *args, **kwargs)

    monkeypatch.setattr(fmt, "write_bundle", capture)
    return seen


def test_a_county_with_no_installed_file_writes_the_manifest_as_before(
    own_calendars, monkeypatch, tmp_path
):
    county, point = own_calendars
    seen = manifests_written(monkeypatch)
    export(county, tmp_path / "down", for_point="LS01")
    assert bundle_holidays.MANIFEST_FIELD not in seen[0]


def test_a_points_report_bundle_carries_no_holidays(own_calendars, clock, monkeypatch, tmp_path):
    county, point = own_calendars
    point.install_holidays(user(point, "admin"), holiday_file(tmp_path / "own", NOTICE_2027))
    seen = manifests_written(monkeypatch)
    collected(point, 35)
    export(point, tmp_path / "up")
    assert bundle_holidays.MANIFEST_FIELD not in seen[0]


def test_the_return_manifest_carries_the_file_byte_for_byte(own_calendars, monkeypatch, tmp_path):
    county, point = own_calendars
    path = holiday_file(tmp_path / "stick", NOTICE_2027)
    county.install_holidays(user(county, "admin"), path)
    seen = manifests_written(monkeypatch)
    export(county, tmp_path / "down", for_point="LS01")
    [entry] = seen[0]["holidays"]
    assert entry["text"] == path.read_text(encoding="utf-8")
    assert (entry["year"], entry["sha256"]) == (2027, bundle_holidays.digest(entry["text"]))


def test_a_notice_whose_text_does_not_match_its_hash_is_not_installed():
    text = json.dumps(NOTICE_2027, ensure_ascii=False)
    entry = {
        "year": 2027,
        "source": "x",
        "sha256": "0" * 64,
        "issued_at": "2026-12-01",
        "text": text,
    }
    notices, problems = bundle_holidays.from_manifest({"holidays": [entry]})
    assert notices == []
    assert problems == ["回执包中的 2027 年节假日安排与其哈希不符，未安装。"]


def test_a_manifest_without_holidays_carries_none():
    assert bundle_holidays.from_manifest({"format": 2}) == ([], [])
