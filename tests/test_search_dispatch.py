"""The search box sends identifier-shaped text to its one index; everything else (and a number
that names nothing) still runs the whole cascade. Case rows and summaries are built cheaply, with
the same values as before."""

# ruff: noqa: F811  (the window and clock fixtures are imported from test_service)
from __future__ import annotations

from dataclasses import fields
from datetime import timedelta

import pytest
from support.tamper import file_connection, raw_rows
from test_service import PERSON_ID, checks_for, person, user, window  # noqa: F401  (fixtures)
from test_storage_support import case_row, open_store

from clerk.domain.case_numbers import check_char
from clerk.domain.identifiers import credit_code_check_char
from clerk.domain.model import CaseState
from clerk.ports.records import CaseRecord, case_decoder
from clerk.service.case_search import exact_shape, search_rows

CREDIT_BODY = "91430100MA4L0000X"
CREDIT_CODE = CREDIT_BODY + credit_code_check_char(CREDIT_BODY)


def _forbid(monkeypatch, store, *names: str) -> None:
    """Make the store's cascade lookups fail the test if the search box calls them."""
    for name in names:

        def called(*args, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            raise AssertionError(f"the search box called store.{_name}")

        monkeypatch.setattr(store, name, called)


# ---------------------------------------------------------------------- shapes


def test_a_case_number_with_a_right_check_character_is_a_case_number() -> None:
    body = "YZ01202611020001"
    assert exact_shape(body + check_char(body)) == "case_no"


def test_a_case_number_with_a_wrong_check_character_has_no_shape() -> None:
    body = "YZ01202611020001"
    wrong = "0" if check_char(body) != "0" else "1"
    assert exact_shape(body + wrong) is None


def test_a_resident_id_with_a_right_check_character_is_an_id_number() -> None:
    assert exact_shape(PERSON_ID) == "id_number"


def test_an_id_shaped_text_with_a_wrong_check_character_has_no_shape() -> None:
    wrong = PERSON_ID[:17] + ("0" if PERSON_ID[17] != "0" else "1")
    assert exact_shape(wrong) is None


def test_a_credit_code_with_a_right_check_character_is_a_credit_code() -> None:
    assert exact_shape(CREDIT_CODE) == "credit_code"


def test_a_name_or_a_tail_has_no_shape() -> None:
    assert exact_shape("张三") is None
    assert exact_shape("0001") is None


# ---------------------------------------------------------------------- dispatch


def test_a_valid_case_number_reads_only_the_case_number_index(window, monkeypatch) -> None:
    view = window.open_case(user(window, "clerk1"), 31, person())
    _forbid(
        monkeypatch, window.store, "search", "search_tails", "find_by_id_number", "search_names"
    )
    assert [s.case_no for s in window.search(view.case_no.lower())] == [view.case_no]


def test_a_valid_id_number_reads_only_the_id_index(window, monkeypatch) -> None:
    clerk = user(window, "clerk1")
    first = window.open_case(clerk, 31, person())
    second = window.open_case(clerk, 9, person())
    _forbid(monkeypatch, window.store, "search", "search_tails", "get_case_by_no", "search_names")
    assert {s.case_no for s in window.search(PERSON_ID)} == {first.case_no, second.case_no}


def test_a_credit_code_reads_only_the_unit_indexes(tmp_path, monkeypatch) -> None:
    store = open_store(tmp_path / "clerk.db")
    unit = {
        "applicant_kind": "unit",
        "id_type": "credit_code",
        "id_number": CREDIT_CODE,
        "credit_code": CREDIT_CODE,
    }
    store.insert_case(
        case_row(1, applicant_name="永州演示商贸有限公司", unit_name="永州演示商贸有限公司", **unit)
    )
    _forbid(monkeypatch, store, "search", "search_tails", "get_case_by_no", "search_names")
    assert [r.case_no for r in search_rows(store, None, CREDIT_CODE.lower())] == [
        "YZ01-20260302-0001"
    ]
    store.close()


def test_a_digits_only_case_number_not_in_the_file_is_still_found_by_its_last_digits(
    tmp_path,
) -> None:
    # 43 + a day + a sequence whose check character is a digit: a valid, all-digit case number
    # that no case has, but the number of a case at point YZ43 ends with it.
    body = next(
        b for b in (f"43202603020{n:03d}" for n in range(1, 999)) if check_char(b).isdigit()
    )
    digits = body + check_char(body)
    assert exact_shape(digits) == "case_no"
    store = open_store(tmp_path / "clerk.db")
    store.insert_case(case_row(1, case_no="YZ" + digits))
    assert [r.case_no for r in search_rows(store, None, digits)] == ["YZ" + digits]
    store.close()


def test_an_id_shaped_text_that_is_not_a_valid_id_falls_back_to_the_name_search(tmp_path) -> None:
    wrong = PERSON_ID[:17] + ("0" if PERSON_ID[17] != "0" else "1")
    store = open_store(tmp_path / "clerk.db")
    name = f"第{wrong}号门店"
    store.insert_case(case_row(1, applicant_kind="unit", applicant_name=name, unit_name=name))
    assert [r.case_no for r in search_rows(store, None, wrong)] == ["YZ01-20260302-0001"]
    store.close()


def test_a_valid_id_that_no_case_has_falls_back_to_the_whole_cascade(tmp_path) -> None:
    store = open_store(tmp_path / "clerk.db")
    name = f"第{PERSON_ID}号门店"
    store.insert_case(case_row(1, applicant_kind="unit", applicant_name=name, unit_name=name))
    assert [r.case_no for r in search_rows(store, None, PERSON_ID)] == ["YZ01-20260302-0001"]
    store.close()


# ---------------------------------------------------------------------- rows and summaries


@pytest.fixture
def stored(tmp_path):
    store = open_store(tmp_path / "clerk.db")
    store.insert_case(
        case_row(
            1,
            state="accepted",
            circumstances=["retired", "agent"],
            accepted_at="2026-03-02T10:00:00+08:00",
            due_date="2026-03-20",
            due_start="2026-03-03",
            due_provisional=True,
            amount_fen=12345,
            phone="13812345678",
        )
    )
    store.insert_case(case_row(2))
    yield store
    store.close()


def test_tuple_decoding_gives_the_record_the_dict_decoding_gives(stored) -> None:
    with file_connection(stored) as conn:
        cursor = conn.execute("SELECT * FROM cases ORDER BY case_no")
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    decode = case_decoder(columns)
    assert len(rows) == 2
    for values in rows:
        assert decode(values) == CaseRecord.from_row(dict(zip(columns, values, strict=True)))


def test_tuple_decoding_tolerates_absent_optional_columns(stored) -> None:
    wanted = [
        f.name
        for f in fields(CaseRecord)
        if f.name not in {"office_code", "due_date", "amount_fen"}
    ]
    rows = raw_rows(stored, f"SELECT {', '.join(wanted)} FROM cases ORDER BY case_no")
    decode = case_decoder(wanted)
    assert len(rows) == 2
    for values in rows:
        assert decode(values) == CaseRecord.from_row(dict(zip(wanted, values, strict=True)))


def test_tuple_decoding_needs_the_required_columns() -> None:
    with pytest.raises(KeyError):
        case_decoder(["uuid", "case_no"])


def test_the_store_lists_each_cases_notices_in_order(window) -> None:
    clerk = user(window, "clerk1")
    noticed = window.open_case(clerk, 31, person())
    window.check_materials(clerk, noticed.uuid, checks_for(window, 31, missing=("invoice",)))
    window.issue_notice(clerk, noticed.uuid)
    plain = window.open_case(clerk, 31, person())
    times = window.store.notice_times([noticed.uuid, plain.uuid])
    assert list(times) == [noticed.uuid]
    assert times[noticed.uuid] == [
        e.at for e in window.store.case_events(noticed.uuid) if e.action == "notice"
    ]


def test_summaries_of_a_list_are_the_summaries_one_by_one(window, clock) -> None:
    clerk = user(window, "clerk1")
    noticed = window.open_case(clerk, 31, person())
    window.check_materials(clerk, noticed.uuid, checks_for(window, 31, missing=("invoice",)))
    window.issue_notice(clerk, noticed.uuid)
    waiting = window.open_case(clerk, 31, person("李四"))
    clock.at += timedelta(days=14)  # the earlier drafts are now past their 5 working days
    fresh = window.open_case(clerk, 31, person("王五"))
    rows = [window.store.get_case(v.uuid) for v in (noticed, waiting, fresh)]
    batch = window.summaries(rows)
    assert batch == [window.summary(r) for r in rows]
    assert [s.state for s in batch] == [
        CaseState.AWAITING_SUPPLEMENT,
        CaseState.DRAFT,
        CaseState.DRAFT,
    ]
    assert [s.deemed_accepted for s in batch] == [False, True, False]
    assert batch[0].hand_in_by is not None and batch[1].hand_in_by is None
    assert [s.applicant_name_masked for s in batch] == ["张*丰", "李*", "王*"]


def test_the_queues_read_the_notices_once_per_queue(window, clock, monkeypatch) -> None:
    clerk = user(window, "clerk1")
    for name in ("张三", "李四", "王五"):
        view = window.open_case(clerk, 31, person(name))
        window.check_materials(clerk, view.uuid, checks_for(window, 31, missing=("invoice",)))
        window.issue_notice(clerk, view.uuid)
    calls: list[int] = []
    notice_times = window.store.notice_times

    def counted(uuids):  # type: ignore[no-untyped-def]
        calls.append(len(uuids))
        return notice_times(uuids)

    monkeypatch.setattr(window.store, "notice_times", counted)
    queues = window.queues(user(window, "rev1"))
    assert len(queues.awaiting_supplement) == 3
    assert all(s.hand_in_by is not None for s in queues.awaiting_supplement)
    assert (
        max(calls) == 3 and len(calls) <= 8
    )  # one call per list that needs notices, not one per case


def test_a_chinese_name_reads_only_the_name_index(tmp_path, monkeypatch) -> None:
    from clerk.storage.sqlite import queries

    store = open_store(tmp_path / "clerk.db")
    store.insert_case(case_row(1, applicant_name="张三丰"))
    for name in ("by_case_no", "by_id_number", "by_credit_code"):

        def called(*args, _name=name, **kwargs):  # type: ignore[no-untyped-def]
            raise AssertionError(f"the name search called queries.{_name}")

        monkeypatch.setattr(queries, name, called)
    assert [r.case_no for r in store.search("张三")] == ["YZ01-20260302-0001"]
    store.close()
