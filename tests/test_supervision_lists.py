"""The lists that need action (issue 21 item 4): overdue, due within 3 working days, left in 收件
past 5 working days, bad ratings not followed up within N working days, conflicts — each with
the working days behind it; and `clerk city lists` / `clerk city report --json` print them."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from support.sync import OFFICE, complete, person, user

from clerk.cli import main
from clerk.domain.model import Rating


def three_cases(county):  # type: ignore[no-untyped-def]
    """Monday 2 November 2026: one left in 收件, one accepted (item 19), one rated badly."""
    clerk = user(county, "clerk1")
    waiting = county.open_case(clerk, 19, person(0)).uuid
    accepted = county.open_case(clerk, 19, person(1, "李四")).uuid
    complete(county, accepted, 19)
    county.accept(clerk, accepted)
    rated = county.open_case(clerk, 3, person(2, "王五")).uuid
    complete(county, rated, 3)
    county.accept(clerk, rated)
    county.rate(clerk, rated, Rating.UNSATISFIED)
    return waiting, accepted, county.store.get_case(accepted).due_date


def test_nothing_is_listed_on_the_day_itself(pair):  # type: ignore[no-untyped-def]
    county, _point = pair
    three_cases(county)
    found = county.action_lists(date(2026, 11, 2))
    assert found.counts() == dict.fromkeys(found.counts(), 0)


def test_past_five_working_days_in_intake_and_past_the_follow_up_deadline(pair):  # type: ignore[no-untyped-def]
    county, _point = pair
    waiting, _accepted, _due = three_cases(county)
    found = county.action_lists(date(2026, 11, 10), follow_up_days=5)  # limits: Mon 9 Nov
    number = county.store.get_case(waiting).case_no
    assert [(c.case_no, c.state, c.days) for c in found.stuck_in_intake] == [(number, "收件", 1)]
    assert [(c.office, c.rated_on, c.days) for c in found.bad_ratings] == [
        (OFFICE, date(2026, 11, 2), 1)
    ]
    assert county.action_lists(date(2026, 11, 10), follow_up_days=6).bad_ratings == []


def test_due_within_three_working_days_then_overdue(pair):  # type: ignore[no-untyped-def]
    county, _point = pair
    _waiting, accepted, due = three_cases(county)
    number = county.store.get_case(accepted).case_no
    soon = county.action_lists(due - timedelta(days=1))
    assert [(c.case_no, c.due_date) for c in soon.due_soon] == [(number, due)]
    assert soon.overdue == []
    late = county.action_lists(due + timedelta(days=1))
    assert [(c.case_no, c.state, c.days) for c in late.overdue] == [(number, "已受理", 1)]
    assert late.due_soon == []


def test_city_lists_cli_prints_json(pair, capsys):  # type: ignore[no-untyped-def]
    county, _point = pair
    three_cases(county)
    path = str(county.store.path)
    assert main(["city", "lists", "--db", path, "--day", "2026-11-10", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["counts"]["stuck_in_intake"] == 1
    assert out["offices"][OFFICE]["bad_ratings"] == 1
    assert main(["city", "lists", "--db", path, "--day", "2026-11-10"]) == 0
    assert "收件超过 5 个工作日未作受理决定：1" in capsys.readouterr().out


def test_city_report_json_carries_the_lists(pair, capsys):  # type: ignore[no-untyped-def]
    county, _point = pair
    three_cases(county)
    path = str(county.store.path)
    assert main(["city", "report", "--db", path, "--month", "2026-11", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out["lists"]["counts"]) == {
        "overdue",
        "due_soon",
        "stuck_in_intake",
        "bad_ratings",
        "conflicts",
        "time_anomalies",
        "lost_checkpoints",
    }


def test_a_bad_day_is_refused_in_chinese(pair, capsys):  # type: ignore[no-untyped-def]
    county, _point = pair
    assert main(["city", "lists", "--db", str(county.store.path), "--day", "11/10"]) == 1
    assert "日期“11/10”的格式不对" in capsys.readouterr().err


def test_time_anomalies_stored_by_imports_are_listed(tmp_path):  # type: ignore[no-untyped-def]
    from support.clock import Clock
    from support.sync import POINT, collected, exchange_keys, export, installation

    from clerk.domain.clock import TZ

    monday = datetime(2026, 11, 2, 9, 30, tzinfo=TZ)
    point_clock = Clock(monday)
    county = installation(tmp_path / "county", OFFICE, Clock(monday))
    point = installation(tmp_path / "point", POINT, point_clock)
    exchange_keys(county, point)
    collected(point, 35, 0)
    county.import_bundle(export(point, tmp_path / "one").path)
    point_clock.at = monday - timedelta(days=400)
    collected(point, 34, 1)
    county.import_bundle(export(point, tmp_path / "two").path)
    found = county.action_lists(date(2026, 11, 2))
    assert {(i.office, i.origin) for i in found.time_anomalies} == {(OFFICE, POINT)}
    assert all("对方电脑时钟可能被调过" in i.what for i in found.time_anomalies)
    county.store.close()
    point.store.close()
