"""The county fixture's builder: worker processes copy windows of a real demo template, one
process chains and writes them, and the file it makes passes `clerk verify --full`.

Built here at a tiny size (a 40-case template, 600 cases) in a temporary cache, so the test checks
the rows the builder writes, never how fast it writes them.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter

import pytest

from bench import county
from bench.county_rows import load_template
from clerk.domain.case_numbers import parse_case_number


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    cache = tmp_path_factory.mktemp("bench-cache")
    mp = pytest.MonkeyPatch()
    mp.setenv("CLERK_BENCH_CACHE", str(cache))
    try:
        tmpl = county.template(40, log=None)
        out = cache / "county.db"
        result = county.build_county(tmpl.path, out, 600, log=None, workers=2)
        yield tmpl, out, result
    finally:
        mp.undo()


def test_builds_the_cases_asked_for(built):
    _tmpl, out, result = built
    with sqlite3.connect(out) as conn:
        assert conn.execute("SELECT COUNT(*) FROM cases").fetchone()[0] == 600
        assert result["counts"]["cases"] == 600
        assert (
            conn.execute("SELECT COUNT(*) FROM events").fetchone()[0] == result["counts"]["events"]
        )


def test_the_file_passes_a_full_verify(built):
    _tmpl, out, _result = built
    checked = county.verify_process(out, "--full")
    assert checked["result"]["ok"] is True, json.dumps(checked["result"], ensure_ascii=False)[
        -1500:
    ]
    assert checked["result"]["cases"] == 600


def test_one_chain_numbered_without_gaps(built):
    _tmpl, out, _result = built
    with sqlite3.connect(out) as conn:
        rows = conn.execute("SELECT n, seq, origin FROM events ORDER BY n").fetchall()
    assert [r[0] for r in rows] == list(range(1, len(rows) + 1))
    assert [r[1] for r in rows] == [r[0] for r in rows]
    assert {r[2] for r in rows} == {"YZ01"}


def test_case_numbers_are_unique_and_counted_per_day(built):
    _tmpl, out, _result = built
    with sqlite3.connect(out) as conn:
        numbers = [r[0] for r in conn.execute("SELECT case_no FROM cases")]
        sequences = dict(((d, n) for d, n in conn.execute("SELECT day, last FROM sequences")))
    assert len(set(numbers)) == len(numbers)
    per_day = Counter(parse_case_number(n)[1].isoformat() for n in numbers)
    assert {d: n for d, n in per_day.items()} == sequences
    for day, count in per_day.items():
        assert sorted(
            parse_case_number(n)[2] for n in numbers if parse_case_number(n)[1].isoformat() == day
        ) == list(range(1, count + 1))


def test_applicants_are_new_people(built):
    _tmpl, out, _result = built
    with sqlite3.connect(out) as conn:
        ids = [
            r[0]
            for r in conn.execute("SELECT id_number FROM cases WHERE applicant_kind = 'person'")
        ]
    assert len(set(ids)) == len(ids)


def test_indexes_and_triggers_are_put_back(built):
    tmpl, out, _result = built
    query = "SELECT type, name FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL"
    with sqlite3.connect(tmpl.path) as a, sqlite3.connect(out) as b:
        assert set(b.execute(query)) == set(a.execute(query))


def test_workers_make_the_same_rows_as_one(built, tmp_path):
    tmpl, out, _result = built
    again = tmp_path / "one.db"
    county.build_county(tmpl.path, again, 600, log=None, workers=1)
    query = "SELECT case_no, uuid, id_number, state FROM cases ORDER BY case_no"
    with sqlite3.connect(out) as a, sqlite3.connect(again) as b:
        assert a.execute(query).fetchall() == b.execute(query).fetchall()
        head = "SELECT hash FROM events ORDER BY n DESC LIMIT 1"
        assert a.execute(head).fetchone() == b.execute(head).fetchone()


def test_old_windows_hold_only_finished_cases(built):
    tmpl, _out, _result = built
    cases = load_template(tmpl.path)
    windows = county.plan(cases, 600)
    assert sum(len(m) for _d, m in windows) == 600
    for days, members in windows:
        if days:
            assert all(cases[i].case["state"] in county.FINAL_STATES for i in members)


def test_a_points_file_has_its_own_code_chain_and_uuids(built, tmp_path):
    tmpl, out, _result = built
    point_db = tmp_path / "point.db"
    county.build_county(tmpl.path, point_db, 100, log=None, workers=1, point="LX01")
    with sqlite3.connect(point_db) as p, sqlite3.connect(out) as c:
        assert {r[0] for r in p.execute("SELECT DISTINCT point_code FROM cases")} == {"LX01"}
        assert {
            r[0] for r in p.execute("SELECT DISTINCT origin || '/' || point_code FROM events")
        } == {"LX01/LX01"}
        assert p.execute("SELECT value FROM settings WHERE key = 'point_code'").fetchone() == (
            "LX01",
        )
        assert all(n.startswith("LX01") for (n,) in p.execute("SELECT case_no FROM cases"))
        ours = {u for (u,) in p.execute("SELECT uuid FROM events")} | {
            u for (u,) in p.execute("SELECT uuid FROM cases")
        }
        theirs = {u for (u,) in c.execute("SELECT uuid FROM events")} | {
            u for (u,) in c.execute("SELECT uuid FROM cases")
        }
        assert not ours & theirs
