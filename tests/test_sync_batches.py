"""A college's roster batch travels to the county office with its cases (issue 14 + sync)."""

from __future__ import annotations

from datetime import datetime

from roster_support import COLLEGE, COLLEGE_NAME, college_window, roster
from support.clock import Clock
from support.sync import exchange_keys, export, installation
from support.tamper import raw_row, raw_rows

from clerk.domain.clock import TZ
from clerk.storage.sqlite.files import verify_file


def _rows(window, table: str) -> list[tuple]:
    return raw_rows(window.store, f"SELECT * FROM {table} ORDER BY rowid")


def test_a_roster_batch_reaches_the_county_with_its_cases_and_only_once(tmp_path):
    county = installation(
        tmp_path / "county", "YZ01", Clock(datetime(2026, 9, 1, 9, 30, tzinfo=TZ))
    )
    county.store.add_point(COLLEGE, COLLEGE_NAME, "college", "YZ01")
    (tmp_path / "college").mkdir()
    college, clerk = college_window(tmp_path / "college")
    exchange_keys(county, college)
    result = college.enrol_roster(
        clerk, college.check_roster(roster(tmp_path, 3)), seal_checked=True
    )

    bundle = export(college, tmp_path / "usb").path
    report = county.import_bundle(bundle)
    assert report.status == "imported", report.message
    assert (
        report.imported["cases"],
        report.imported["batches"],
        report.imported["batch_cases"],
    ) == (3, 1, 3)
    batch = raw_row(
        county.store, "SELECT batch_no, source_sha256, enrolled, receipt_path_pdf FROM batches"
    )
    source = raw_row(college.store, "SELECT batch_no, source_sha256, enrolled FROM batches")
    assert batch == (*source, None)  # where the college keeps its files stays local
    assert [r[3] for r in _rows(county, "batch_materials")] == [
        r[3] for r in _rows(college, "batch_materials")
    ]
    assert result.enrolled == 3

    again = county.import_bundle(bundle)
    assert again.status == "duplicate"
    assert len(_rows(county, "batches")) == 1
    for window in (county, college):
        assert verify_file(window.store.path, full=True)["ok"] is True
    county.store.close()
    college.store.close()
