"""The lists that need action at a city's size (issue 21): each list counted per office by the
engine and read a page at a time or streamed, never held whole; and a past month's 超期 list is
the cases its 超期 figure counts (finished late in the month, or still being worked at its end
past the due date), not the cases open today."""

from __future__ import annotations

import io
import json
from datetime import date

from support.sync import OFFICE, complete, person, user

from clerk.cli import main
from clerk.cli.city import write_json
from clerk.domain.indicators import Period


def in_intake(county, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    """`n` cases left in 收件 on Monday 2 November 2026; their numbers, oldest first."""
    clerk = user(county, "clerk1")
    uuids = [county.open_case(clerk, 19, person(k % 4, f"甲{k}")).uuid for k in range(n)]
    return [county.store.get_case(u).case_no for u in uuids]


def test_a_page_of_a_list_and_its_whole_count(pair):  # type: ignore[no-untyped-def]
    county, _point = pair
    numbers = in_intake(county, 5)
    found = county.action_lists(date(2026, 11, 10), limit=2, offset=1)
    assert [c.case_no for c in found.stuck_in_intake] == numbers[1:3]
    assert found.count("stuck_in_intake") == 5
    assert found.by_office() == {
        OFFICE: {
            "overdue": 0,
            "due_soon": 0,
            "stuck_in_intake": 5,
            "bad_ratings": 0,
            "conflicts": 0,
            "time_anomalies": 0,
            "lost_checkpoints": 0,
        }
    }


def test_pages_follow_each_other_by_key(pair):  # type: ignore[no-untyped-def]
    county, _point = pair
    numbers = in_intake(county, 5)
    found = county.action_lists(date(2026, 11, 10), limit=0)
    assert found.stuck_in_intake == []
    first = list(county.listed_cases(found, "stuck_in_intake", limit=2))
    rest = list(county.listed_cases(found, "stuck_in_intake", after=first[-1].key))
    assert [c.case_no for c in first + rest] == numbers
    assert [c.days for c in first] == [1, 1]  # the limit was Monday 9 November


def test_an_offset_past_the_end_gives_an_empty_page(pair):  # type: ignore[no-untyped-def]
    county, _point = pair
    in_intake(county, 3)
    found = county.action_lists(date(2026, 11, 10), limit=10, offset=3)
    assert found.stuck_in_intake == []
    assert found.counts()["stuck_in_intake"] == 3


def test_cli_pages_with_limit_and_offset(pair, capsys):  # type: ignore[no-untyped-def]
    county, _point = pair
    numbers = in_intake(county, 5)
    path = str(county.store.path)
    args = ["city", "lists", "--db", path, "--day", "2026-11-10"]
    assert main([*args, "--json", "--limit", "2", "--offset", "1"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [e["case_no"] for e in out["stuck_in_intake"]] == numbers[1:3]
    assert (out["counts"]["stuck_in_intake"], out["offset"], out["limit"]) == (5, 1, 2)
    assert main([*args, "--limit", "2", "--offset", "1"]) == 0
    text = capsys.readouterr().out
    assert "收件超过 5 个工作日未作受理决定：5" in text
    assert "……另有 2 件（完整清单用 --json，或 --offset/--limit 翻页）" in text


def test_cli_json_streams_every_entry(pair, capsys):  # type: ignore[no-untyped-def]
    county, _point = pair
    numbers = in_intake(county, 5)
    args = ["city", "lists", "--db", str(county.store.path), "--day", "2026-11-10", "--json"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    assert [e["case_no"] for e in out["stuck_in_intake"]] == numbers
    assert out["counts"]["stuck_in_intake"] == 5


def test_a_negative_page_is_refused_in_chinese(pair, capsys):  # type: ignore[no-untyped-def]
    county, _point = pair
    assert main(["city", "lists", "--db", str(county.store.path), "--offset", "-1"]) == 1
    assert "--limit 和 --offset 不能为负数。" in capsys.readouterr().err


def test_streamed_json_reads_as_json_dumps_writes_it():
    def entries():  # type: ignore[no-untyped-def]
        yield {"a": 1}
        yield {"b": [1, "二"]}

    value = {"x": entries(), "y": [], "z": {}, "w": "文"}
    out = io.StringIO()
    write_json(value, out)
    assert json.loads(out.getvalue()) == {
        "x": [{"a": 1}, {"b": [1, "二"]}],
        "y": [],
        "z": {},
        "w": "文",
    }


# ------------------------------------------------------------------ a past month's 超期 list


def november(county, clock):  # type: ignore[no-untyped-def]
    """Four cases of item 19 (5 working days) accepted Monday 2 November, all due Monday 9
    November: D approved in time on the 5th, A late on the 12th, B late on 3 December (so still
    being worked at November's end), C never. Today is Monday 7 December."""
    clerk, reviewer = user(county, "clerk1"), user(county, "rev1")
    uuids = {}
    for n, name in enumerate("ABCD"):
        uuid = county.open_case(clerk, 19, person(n, f"乙{name}")).uuid
        complete(county, uuid, 19)
        county.accept(clerk, uuid)
        uuids[name] = uuid
    assert {county.store.get_case(u).due_date for u in uuids.values()} == {date(2026, 11, 9)}
    for name, day in (("D", 5), ("A", 12)):
        clock.set(2026, 11, day, 10, 0)
        county.approve(reviewer, uuids[name])
    clock.set(2026, 12, 3, 10, 0)
    county.approve(reviewer, uuids["B"])
    clock.set(2026, 12, 7, 9, 0)
    return {name: county.store.get_case(u).case_no for name, u in uuids.items()}


def test_a_past_months_overdue_list_is_its_figures_cases(pair, clock):  # type: ignore[no-untyped-def]
    county, _point = pair
    no = november(county, clock)
    month = Period.month(2026, 11)
    found = county.action_lists(month.last, overdue_period=month)
    assert [(c.case_no, c.state, c.days) for c in found.overdue] == [
        (no["A"], "已办结", 3),  # Monday 9 → Thursday 12 November
        (no["B"], "已办结", 15),  # past due up to 30 November
        (no["C"], "已受理", 15),
    ]
    figures = county.supervision(month).office(OFFICE).figures
    assert figures.overdue.part == 3
    assert found.by_office()[OFFICE]["overdue"] == figures.overdue.part


def test_today_the_overdue_list_is_what_is_still_open(pair, clock):  # type: ignore[no-untyped-def]
    county, _point = pair
    no = november(county, clock)
    found = county.action_lists()
    assert [(c.case_no, c.days) for c in found.overdue] == [(no["C"], 20)]


def test_the_monthly_report_lists_the_months_overdue_cases(pair, clock, capsys):  # type: ignore[no-untyped-def]
    county, _point = pair
    no = november(county, clock)
    path = str(county.store.path)
    assert main(["city", "report", "--db", path, "--month", "2026-11", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    lists = out["lists"]
    assert [e["case_no"] for e in lists["overdue"]] == [no["A"], no["B"], no["C"]]
    assert lists["overdue_period"] == {"first": "2026-11-01", "last": "2026-11-30"}
    assert lists["offices"][OFFICE]["overdue"] == out["offices"][OFFICE]["overdue"]["part"] == 3
    assert main(["city", "report", "--db", path, "--month", "2026-12", "--json"]) == 0
    december = json.loads(capsys.readouterr().out)["lists"]
    assert [e["case_no"] for e in december["overdue"]] == [no["C"]]  # this month: as of today
    assert december["overdue_period"] is None
