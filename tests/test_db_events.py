"""The append-only event log: one hash chain per origin."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.tamper import tamper_script, tamper_sql
from test_storage_support import case_row, event, open_store

from clerk.db import PersonalDataError
from clerk.domain.model import Action, CaseState
from clerk.storage.sqlite.verify import verify as verify_conn

ZERO = "0" * 64
UUID = case_row(1).uuid


@pytest.fixture
def store(tmp_path):
    s = open_store(tmp_path / "clerk.db")
    s.insert_case(case_row(1))
    yield s
    s.close()


def _expected_hash(fields: dict, prev: str) -> str:
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + prev
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def test_first_event_hash_follows_the_documented_recipe(store):
    digest = store.append_event(
        event(UUID, reason="申请人当场补签", data={"missing": ["M02"]}), "YZ01"
    )
    row = store.events_for(UUID)[0]
    fields = {
        "origin": "YZ01",
        "seq": 1,
        "uuid": row["uuid"],
        "case_uuid": UUID,
        "action": "receive",
        "actor": "clerk1",
        "at": "2026-03-02T09:00:00+08:00",
        "from_state": None,
        "to_state": "draft",
        "reason": "申请人当场补签",
        "data": {"missing": ["M02"]},
        "point_code": "YZ01",
    }
    assert digest == row["hash"] == _expected_hash(fields, ZERO)
    assert (row["prev_hash"], row["format"], row["origin"]) == (ZERO, 2, "YZ01")


def test_each_event_links_to_the_previous_hash(store):
    first = store.append_event(event(UUID), "YZ01")
    second = store.append_event(
        event(UUID, Action.ACCEPT, from_state=CaseState.DRAFT, to_state=CaseState.ACCEPTED), "YZ01"
    )
    rows = store.events_for(UUID)
    assert [(r["seq"], r["prev_hash"], r["hash"]) for r in rows] == [
        (1, ZERO, first),
        (2, first, second),
    ]


def test_chain_head_of_an_empty_log(store):
    assert store.chain_head() == (0, ZERO)


def test_chain_head_is_the_last_event(store):
    store.append_event(event(UUID), "YZ01")
    last = store.append_event(event(UUID, Action.REVEAL, data={"field": "phone"}), "YZ01")
    assert store.chain_head() == (2, last)


def test_events_for_returns_only_that_case_in_order(store):
    other = case_row(2).uuid
    store.insert_case(case_row(2))
    store.append_event(event(UUID), "YZ01")
    store.append_event(event(other), "YZ01")
    store.append_event(event(UUID, Action.PRINT, data={"document": "d-1"}), "YZ01")
    assert [(r["seq"], r["action"], r["data"]) for r in store.events_for(UUID)] == [
        (1, "receive", "{}"),
        (3, "print", '{"document":"d-1"}'),
    ]


def test_event_time_is_stored_in_beijing_time(store):
    utc = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    store.append_event(event(UUID, at=utc), "YZ01")
    assert store.events_for(UUID)[0]["at"] == "2026-03-02T01:00:00+08:00"


def test_naive_event_time_is_refused(store):
    with pytest.raises(ValueError, match="offset"):
        store.append_event(event(UUID, at=datetime(2026, 3, 2, 9, 0)), "YZ01")


@pytest.mark.parametrize(
    "data", [{"id_number": "x"}, {"nested": {"phone": "x"}}, {"list": [{"applicant_name": "x"}]}]
)
def test_personal_data_keys_are_refused(store, data):
    with pytest.raises(PersonalDataError, match="个人信息"):
        store.append_event(event(UUID, data=data), "YZ01")
    assert store.chain_head()[0] == 0


@pytest.mark.parametrize(
    "reason",
    [
        "申请人身份证11010519491231002X有误",
        "电话13812345678已通知",
        "账号见附件 id 11010519491231002x",
    ],
)
def test_reasons_with_an_id_or_mobile_number_are_refused(store, reason):
    with pytest.raises(PersonalDataError) as info:
        store.append_event(event(UUID, reason=reason), "YZ01")
    assert "1101" not in str(info.value) and "1381" not in str(info.value)


def test_an_18_digit_reference_that_is_not_an_id_is_allowed(store):
    store.append_event(event(UUID, data={"reference": "110105194912310021"}), "YZ01")
    assert store.chain_head()[0] == 1


# ---------------------------------------------------------------------- append-only, raw SQL


@pytest.fixture
def raw(store, tmp_path):
    store.append_event(event(UUID), "YZ01")
    store.append_event(event(UUID, Action.NOTICE, data={"missing": ["M01"]}), "YZ01")
    conn = sqlite3.connect(tmp_path / "clerk.db", isolation_level=None)
    yield conn
    conn.close()


def test_update_is_refused(raw):
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("UPDATE events SET actor = 'mallory' WHERE seq = 1")


def test_delete_is_refused(raw):
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("DELETE FROM events WHERE seq = 2")


def test_insert_or_replace_on_an_existing_seq_is_refused(raw):
    assert raw.execute("PRAGMA recursive_triggers").fetchone()[0] == 0
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute(
            "INSERT OR REPLACE INTO events SELECT n, origin, seq, 'new-uuid', case_uuid, action, 'mallory', at,"
            " from_state, to_state, reason, data, point_code, prev_hash, hash, version, format FROM events WHERE seq = 1"
        )
    assert raw.execute("SELECT actor FROM events WHERE seq = 1").fetchone() == ("clerk1",)


def test_replace_on_an_existing_uuid_is_refused(raw):
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute(
            "REPLACE INTO events SELECT 3, origin, 3, uuid, case_uuid, action, 'mallory', at,"
            " from_state, to_state, reason, data, point_code, hash, ?, version, format FROM events WHERE seq = 2",
            ("f" * 64,),
        )
    assert raw.execute("SELECT COUNT(*) FROM events").fetchone() == (2,)


def test_upsert_is_refused(raw):
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute(
            "INSERT INTO events SELECT * FROM events WHERE seq = 1"
            " ON CONFLICT (n) DO UPDATE SET actor = 'mallory'"
        )


def _raw_insert(raw, seq, prev, digest, origin="YZ01", n=None):
    raw.execute(
        "INSERT INTO events VALUES (?, ?, ?, ?, ?, 'print', 'clerk1', '2026-03-02T09:00:00+08:00',"
        " NULL, 'draft', '', '{}', 'YZ01', ?, ?, 1, 2)",
        (n, origin, seq, f"u-{origin}-{seq}", UUID, prev, digest),
    )


def test_insert_that_does_not_extend_the_head_is_refused(raw):
    with pytest.raises(sqlite3.IntegrityError, match="chain head"):
        _raw_insert(raw, 3, "0" * 64, "a" * 64)


def test_insert_that_skips_a_number_is_refused(raw, store):
    with pytest.raises(sqlite3.IntegrityError, match="chain head"):
        _raw_insert(raw, 4, store.chain_head()[1], "a" * 64)


def test_insert_before_the_last_local_event_is_refused(raw, store):
    with pytest.raises(sqlite3.IntegrityError, match="after every stored one"):
        _raw_insert(raw, 3, store.chain_head()[1], "a" * 64, n=1 + 0 * 2 + 1)


def test_another_origin_starts_its_own_chain(raw, store):
    _raw_insert(raw, 1, ZERO, "b" * 64, origin="YZ01-T01")
    assert store.chain_heads() == {"YZ01": store.chain_head("YZ01"), "YZ01-T01": (1, "b" * 64)}
    assert store.chain_head("YZ01")[0] == 2


def test_insert_with_a_wrong_hash_is_caught_by_verify(raw, store):
    head = store.chain_head()[1]
    _raw_insert(raw, 3, head, "a" * 64)
    result = store.verify(full=True)
    assert (
        result["ok"],
        result["chain_ok"],
        result["first_broken"],
        result["first_broken_origin"],
    ) == (
        False,
        False,
        3,
        "YZ01",
    )
    assert "来源 YZ01 的第 3 条事件记录的内容与其哈希值不符，记录可能被篡改。" in [
        p["message"] for p in result["problems"]
    ]


def _tampered(path, tmp_path, sql):
    copy = tmp_path / "copy.db"
    with sqlite3.connect(path) as src, sqlite3.connect(copy) as dst:
        src.backup(dst)
    conn = sqlite3.connect(copy, isolation_level=None)
    conn.execute("DROP TRIGGER events_no_update")
    conn.execute("DROP TRIGGER events_no_delete")
    conn.execute(sql)
    return conn


def test_an_edited_event_breaks_the_chain_at_that_event(raw, tmp_path):
    conn = _tampered(
        tmp_path / "clerk.db", tmp_path, "UPDATE events SET actor = 'mallory' WHERE seq = 1"
    )
    result = verify_conn(conn, full=True).as_dict()
    assert (result["chain_ok"], result["first_broken"]) == (False, 1)


def test_data_stored_with_other_spacing_but_the_same_content_still_verifies(raw, tmp_path):
    conn = _tampered(
        tmp_path / "clerk.db",
        tmp_path,
        """UPDATE events SET data = '{ "missing": [ "M01" ] }' WHERE seq = 2""",
    )
    result = verify_conn(conn, full=True).as_dict()
    assert (result["chain_ok"], result["events"]) == (True, 2)


def test_a_deleted_event_breaks_the_chain_where_it_was(raw, tmp_path):
    conn = _tampered(tmp_path / "clerk.db", tmp_path, "DELETE FROM events WHERE seq = 1")
    result = verify_conn(conn, full=True).as_dict()
    assert result["first_broken"] == 2
    assert "来源 YZ01 的事件序号不连续：应为第 1 条，实际为第 2 条，之间的记录可能被删除。" in [
        p["message"] for p in result["problems"]
    ]


def test_an_intact_log_walks_whole(raw, store):
    result = store.verify(full=True)
    assert (result["chain_ok"], result["events"], result["first_broken"], result["head"]) == (
        True,
        2,
        None,
        store.chain_head()[1],
    )
    assert result["chains"] == [
        {
            "origin": "YZ01",
            "from_seq": 0,
            "walked": 2,
            "seq": 2,
            "hash": store.chain_head()[1],
            "ok": True,
            "broken_at": None,
        }
    ]


# ---------------------------------------------------------------------- property


FIELDS = (
    "uuid",
    "case_uuid",
    "action",
    "actor",
    "at",
    "from_state",
    "to_state",
    "reason",
    "data",
    "point_code",
    "prev_hash",
)
text = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    reasons=st.lists(text, min_size=1, max_size=6),
    victim=st.data(),
)
def test_changing_any_field_of_any_event_breaks_the_chain_there(tmp_path_factory, reasons, victim):
    path = tmp_path_factory.mktemp("prop") / "p.db"
    s = open_store(path)
    s.insert_case(case_row(1))
    for r in reasons:
        s.append_event(
            event(
                UUID,
                reason="".join(c for c in r if not c.isdigit()),
                data={"note": r.replace("1", "a")},
            ),
            "YZ01",
        )
    assert s.verify(full=True)["chain_ok"] is True
    seq = victim.draw(st.integers(1, len(reasons)))
    column = victim.draw(st.sampled_from(FIELDS))
    new = (
        '{"note":"tampered"}'
        if column == "data"
        else ("f" * 64 if column == "prev_hash" else "tampered")
    )
    if column == "from_state":
        new = "accepted"
    tamper_script(s, "DROP TRIGGER events_no_update")
    tamper_sql(s, f"UPDATE events SET {column} = ? WHERE seq = ?", (new, seq), foreign_keys=False)
    result = s.verify(full=True)
    assert (result["chain_ok"], result["first_broken"]) == (False, seq)
    s.close()
