"""The daily ledger (日结单): it adds up, it describes the day as it stood at its close, and it
carries no personal data; text, CSV and XLSX say the same."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from support.clock import Clock
from support.db import fresh_db
from support.tamper import raw_row, raw_rows, raw_value, tamper_sql

from clerk.db import Store
from clerk.domain.catalog import default_catalog
from clerk.domain.clock import TZ
from clerk.domain.identifiers import resident_id_check_char
from clerk.domain.materials import MaterialCheck
from clerk.domain.model import Action, Applicant, CaseState, Rating, Role
from clerk.domain.offices import default_offices
from clerk.domain.workdays import WorkCalendar
from clerk.ports.records import CaseChanges
from clerk.service.demo import fill
from clerk.service.ledger import (
    ActionCount,
    BadRating,
    ClerkRow,
    DueCase,
    ItemCount,
    LedgerError,
    OutcomeCount,
    RatingCount,
    build_ledger,
    hash_at,
    mask_digits,
)
from clerk.service.ledger_export import (
    display_width,
    grouped_hash,
    render_text,
    sections,
    to_dict,
    write_csv,
    write_xlsx,
)
from clerk.service.window import Window

DAY = date(2026, 11, 20)  # a Friday
POINT = "YZ03"  # 冷水滩区
PASSWORD = "counterpass1"
CATALOG = default_catalog()


def person_id(n: int) -> str:
    body = f"43999919800203{n:03d}"
    return body + resident_id_check_char(body)


# ---------------------------------------------------------------------- a hand-built day


@dataclass
class Day:
    """The hand-built day and the cases in it, by letter (see `build_day`)."""

    window: Window
    clock: Clock
    cases: dict[str, str]  # letter -> uuid

    def no(self, letter: str) -> str:
        return self.window.store.get_case(self.cases[letter]).case_no

    def ledger(self, day: date = DAY, **kwargs):
        kwargs.setdefault("today", date(2026, 11, 23))
        return build_ledger(self.window.store, CATALOG, self.window.calendar, day=day, **kwargs)


def _circumstances(window: Window, item_no: int) -> frozenset[str]:
    """Item 15 needs one of its evidence sets: the first."""
    return frozenset(group[0] for group in window.catalog.item(item_no).one_of)


def _checks(
    window: Window, item_no: int, missing: tuple[str, ...] = ()
) -> dict[str, MaterialCheck]:
    return {
        m.id: MaterialCheck(m.id, "missing")
        if m.id in missing
        else MaterialCheck(m.id, "ok", m.alternatives[0])
        for m in window.required_for(item_no, _circumstances(window, item_no))
    }


def _open(
    window: Window, user, item_no: int, name: str, n: int, *, missing: tuple[str, ...] = ()
) -> str:
    applicant = Applicant("person", name, "resident_id", person_id(n), phone=f"1381234{n:04d}")
    uuid = window.open_case(
        user, item_no, applicant, circumstances=_circumstances(window, item_no)
    ).uuid
    window.check_materials(user, uuid, _checks(window, item_no, missing))
    return uuid


def build_day(tmp_path: Path) -> Day:
    """Cases of 2026-11-20 at 冷水滩区 (YZ03), with something before and after the day:

    - E (item 15, 5 working days) accepted 11-02 -> due 11-09, overdue by 9 working days on 11-20;
    - F (item 15) accepted 11-16 -> due 11-23, the next working day after 11-20;
    - on 11-20: A (31) accepted by clerk1, B (31) noticed by clerk1, C (31) refused by clerk2,
      D (9, instant) accepted and closed by clerk2, then rated 非常不满意 with a phone in the comment;
    - on 11-23: A approved by the reviewer (after the close of 11-20).
    """
    clock = Clock(datetime(2026, 11, 2, 9, 0, tzinfo=TZ))
    window = Window(
        Store.open(fresh_db(tmp_path / "clerk.db")),
        CATALOG,
        default_offices(),
        clock=clock,
        documents_root=tmp_path / "documents",
        calendar=WorkCalendar(tmp_path / "holidays"),
    )
    window.setup(POINT, "admin", "王管理", PASSWORD)
    for login, name, role in (
        ("clerk1", "李经办", Role.CLERK),
        ("clerk2", "周经办", Role.CLERK),
        ("rev1", "赵审核", Role.REVIEWER),
        ("boss", "陈主管", Role.SUPERVISOR),
    ):
        window.store.create_user(login, name, role, PASSWORD, POINT)
    clerk1, clerk2, rev1 = (window.login(u, PASSWORD) for u in ("clerk1", "clerk2", "rev1"))
    cases: dict[str, str] = {}

    clock.set(2026, 11, 2, 9, 0)
    cases["E"] = _open(window, clerk1, 15, "钱七星", 5)
    window.accept(clerk1, cases["E"])
    clock.set(2026, 11, 16, 9, 0)
    cases["F"] = _open(window, clerk1, 15, "孙八达", 6)
    window.accept(clerk1, cases["F"])

    clock.set(2026, 11, 20, 9, 0)
    cases["A"] = _open(window, clerk1, 31, "张三丰", 1)
    window.accept(clerk1, cases["A"])
    clock.set(2026, 11, 20, 9, 30)
    cases["B"] = _open(window, clerk1, 31, "李四海", 2, missing=("discharge_record",))
    window.issue_notice(clerk1, cases["B"])
    clock.set(2026, 11, 20, 10, 0)
    cases["C"] = _open(window, clerk2, 31, "王五福", 3)
    window.refuse(clerk2, cases["C"], "申请人不属于本统筹区参保人员")
    clock.set(2026, 11, 20, 10, 30)
    cases["D"] = _open(window, clerk2, 9, "赵六顺", 4)
    window.accept(clerk2, cases["D"])
    clock.set(2026, 11, 20, 10, 45)
    window.rate(clerk2, cases["D"], Rating.VERY_UNSATISFIED)
    # A comment stored before comments were screened for phone numbers (and before its SHA-256
    # entered the rating's event, so the proof does not cover it): the ledger still masks it.
    tamper_sql(
        window.store,
        "UPDATE evaluations SET comment = ? WHERE case_uuid = ?",
        ["排队太久，请回电13812340004", cases["D"]],
    )

    clock.set(2026, 11, 23, 9, 0)
    window.approve(rev1, cases["A"])
    return Day(window, clock, cases)


# The ledger's figures on SQLite and on PostgreSQL (support.engines); the rest of the module
# (rendering, exports, the demo day) does not depend on the engine and runs on SQLite only.
ON_BOTH_ENGINES = pytest.mark.usefixtures("engine")


@pytest.fixture
def day(tmp_path) -> Day:
    return build_day(tmp_path)


# ---------------------------------------------------------------------- a demo day


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """40 synthetic cases walked through the service on 2026-11-20 (built once for the module)."""
    root = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CLERK_DATA_DIR", str(root / "data"))
        store = Store.open(
            root / "demo.db", hasher=PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
        )
        counts = fill(
            store,
            CATALOG,
            default_offices(),
            cases=40,
            point_code="YZ01",
            end=DAY,
            days=1,
            documents_root=root / "documents",
        )
        calendar = WorkCalendar(root / "holidays")
        ledger = build_ledger(store, CATALOG, calendar, day=DAY, today=DAY)
    yield store, counts, ledger
    store.close()


def received_that_day(counts) -> int:
    """Abandoned demo cases were received a month earlier (their hand-in day had to pass)."""
    return 40 - counts.get("abandoned", 0)


def test_demo_day_received_every_case_but_the_abandoned(demo):
    _, counts, ledger = demo
    assert counts.get("abandoned", 0) > 0
    assert ledger.received == received_that_day(counts)


def test_demo_day_totals_by_item_and_by_outcome_equal_the_cases_received(demo):
    _, counts, ledger = demo
    total = received_that_day(counts)
    assert sum(i.count for i in ledger.by_item) == sum(o.count for o in ledger.by_outcome) == total
    assert ledger.adds_up


def test_demo_day_by_item_matches_an_independent_count(demo):
    store, _, ledger = demo
    raw = raw_rows(
        store,
        "SELECT item_no, COUNT(*) FROM cases WHERE substr(received_at, 1, 10) = ? GROUP BY item_no ORDER BY item_no",
        (DAY.isoformat(),),
    )
    assert [(i.item_no, i.count) for i in ledger.by_item] == [tuple(r) for r in raw]


def test_demo_day_by_outcome_matches_an_independent_count(demo):
    store, _, ledger = demo
    raw = dict(
        raw_rows(
            store,
            "SELECT state, COUNT(*) FROM cases WHERE substr(received_at, 1, 10) = ? GROUP BY state",
            (DAY.isoformat(),),
        )
    )
    assert {str(o.state): o.count for o in ledger.by_outcome} == raw


def test_demo_day_by_outcome_matches_what_the_demo_says_it_made(demo):
    _, counts, ledger = demo
    assert {o.state: o.count for o in ledger.by_outcome} == {
        CaseState(s): n for s, n in counts.items() if s != "abandoned"
    }


def test_demo_day_clerk_received_column_adds_up(demo):
    _, counts, ledger = demo
    assert sum(c.received for c in ledger.by_clerk) == received_that_day(counts)


def test_demo_day_actions_add_up_to_the_events_of_the_day(demo):
    store, _, ledger = demo
    raw = raw_value(
        store, "SELECT COUNT(*) FROM events WHERE substr(at, 1, 10) = ?", (DAY.isoformat(),)
    )
    assert ledger.actions_total == ledger.chain.events_on_day == raw


def test_demo_day_ratings_match_an_independent_count(demo):
    store, _, ledger = demo
    raw = dict(raw_rows(store, "SELECT level, COUNT(*) FROM evaluations GROUP BY level"))
    assert {str(r.level): r.count for r in ledger.ratings if r.count} == raw


def test_demo_day_chain_head_is_the_last_event(demo):
    store, _, ledger = demo
    assert (ledger.chain.seq, ledger.chain.hash) == store.chain_head()
    assert ledger.chain.verified


# ---------------------------------------------------------------------- the hand-built day, exactly


@ON_BOTH_ENGINES
def test_received_by_item(day):
    assert day.ledger().by_item == (
        ItemCount(9, "城乡居民参保登记", 1),
        ItemCount(31, "住院费用报销", 3),
    )


@ON_BOTH_ENGINES
def test_received_by_outcome_at_the_close_of_the_day(day):
    # A was approved on 11-23, but at the close of 11-20 it was still 已受理.
    assert day.ledger().by_outcome == (
        OutcomeCount(CaseState.AWAITING_SUPPLEMENT, "待补正", 1),
        OutcomeCount(CaseState.ACCEPTED, "已受理", 1),
        OutcomeCount(CaseState.CLOSED, "已办结", 1),
        OutcomeCount(CaseState.REFUSED, "不予受理", 1),
    )


def test_received_total(day):
    assert day.ledger().received == 4


@ON_BOTH_ENGINES
def test_by_clerk_counts_cases_opened_and_decisions_made(day):
    assert day.ledger().by_clerk == (
        ClerkRow("clerk1", "李经办", received=2, accepted=1, noticed=1, refused=0),
        ClerkRow("clerk2", "周经办", received=2, accepted=1, noticed=0, refused=1),
    )


@ON_BOTH_ENGINES
def test_actions_of_the_day_with_automatic_steps(day):
    assert day.ledger().actions == (
        ActionCount(Action.RECEIVE, "收件", 4, 0),
        ActionCount(Action.NOTICE, "一次性告知", 1, 0),
        ActionCount(Action.ACCEPT, "受理", 2, 0),
        ActionCount(Action.REFUSE, "不予受理", 1, 0),
        ActionCount(Action.APPROVE, "审核通过", 1, 1),
        ActionCount(Action.CLOSE, "办结", 1, 1),
        ActionCount(Action.RATE, "评价", 1, 0),
        ActionCount(Action.CHECK, "材料核验", 4, 0),  # each check is proven by its event
    )


@ON_BOTH_ENGINES
def test_overdue_lists_the_case_due_before_the_day_with_working_days_overdue(day):
    assert day.ledger().overdue == (
        DueCase(day.no("E"), 15, "法定断档补缴", "钱*星", "已受理", date(2026, 11, 9), False, 9),
    )


@ON_BOTH_ENGINES
def test_due_soon_lists_the_case_due_the_next_working_day(day):
    ledger = day.ledger()
    assert ledger.due_soon_until == date(2026, 11, 23)
    assert ledger.due_soon == (
        DueCase(day.no("F"), 15, "法定断档补缴", "孙*达", "已受理", date(2026, 11, 23), False, 1),
    )


@ON_BOTH_ENGINES
def test_a_case_closed_later_is_still_overdue_in_the_ledger_of_an_earlier_day(day):
    boss = day.window.login("boss", PASSWORD)
    day.clock.set(2026, 11, 24, 9, 0)
    day.window.approve(boss, day.cases["E"])
    assert [c.case_no for c in day.ledger(today=date(2026, 11, 24)).overdue] == [day.no("E")]
    # On 11-24 E was closed in the morning, and F (due 11-23) has become overdue.
    later = day.ledger(day=date(2026, 11, 24), today=date(2026, 11, 24)).overdue
    assert [c.case_no for c in later] == [day.no("F")]


@ON_BOTH_ENGINES
def test_a_later_recomputation_does_not_change_the_due_date_in_an_earlier_ledger(day):
    row = day.window.store.get_case(day.cases["F"])
    boss = day.window.login("boss", PASSWORD)
    day.clock.set(2026, 11, 23, 10, 0)
    event = day.window.desks.moves.record(
        boss,
        row,
        Action.RECOMPUTE,
        data={"due": "2026-11-27", "previous_due": "2026-11-23", "provisional": False},
    )
    with day.window.store.transaction():
        day.window.store.append_event(event, POINT)
        day.window.store.update_case(
            row.uuid, CaseChanges(due_date="2026-11-27"), expected_version=row.version
        )
    assert [c.due for c in day.ledger().due_soon] == [date(2026, 11, 23)]


def test_ratings_count_every_level(day):
    assert day.ledger().ratings == (
        RatingCount(Rating.VERY_SATISFIED, "非常满意", 0),
        RatingCount(Rating.SATISFIED, "满意", 0),
        RatingCount(Rating.BASIC, "基本满意", 0),
        RatingCount(Rating.UNSATISFIED, "不满意", 0),
        RatingCount(Rating.VERY_UNSATISFIED, "非常不满意", 1),
    )


@ON_BOTH_ENGINES
def test_bad_rating_is_listed_with_the_phone_in_its_comment_masked(day):
    assert day.ledger().bad_ratings == (
        BadRating(
            case_no=day.no("D"),
            item_no=9,
            item_name="城乡居民参保登记",
            applicant="赵*顺",
            level=Rating.VERY_UNSATISFIED,
            label="非常不满意",
            comment="排队太久，请回电138****0004",
            at=datetime(2026, 11, 20, 10, 45, tzinfo=TZ),
            recorded_by="clerk2",
            recorded_by_name="周经办",
            followed_up_on=None,
        ),
    )


def test_bad_rating_shows_its_follow_up(day):
    boss = day.window.login("boss", PASSWORD)
    day.clock.set(2026, 11, 23, 15, 0)
    day.window.follow_up(boss, day.cases["D"], "已电话致歉并说明高峰时段")
    ledger = day.ledger()
    assert ledger.bad_ratings[0].followed_up_on == date(2026, 11, 23)
    assert ledger.bad_not_followed_up == 0


@ON_BOTH_ENGINES
def test_chain_head_is_the_last_event_of_the_day_not_the_last_event(day):
    store = day.window.store
    last_of_day = raw_row(
        store, "SELECT seq, hash FROM events WHERE at < '2026-11-21' ORDER BY seq DESC LIMIT 1"
    )
    ledger = day.ledger()
    assert (ledger.chain.seq, ledger.chain.hash) == tuple(last_of_day)
    assert ledger.chain.seq < store.chain_head()[0]
    assert store.events_for(day.cases["D"])[-1]["seq"] == ledger.chain.seq  # D's rating came last


def test_chain_counts_the_events_of_the_day(day):
    assert day.ledger().chain.events_on_day == 15  # 11 moves and 4 material checks


def test_chain_head_hash_can_be_checked_later(day):
    ledger = day.ledger()
    assert hash_at(day.window.store, ledger.chain.seq) == ledger.chain.hash
    assert hash_at(day.window.store, 10_000) is None


def test_chain_head_before_any_event_is_zero(day):
    chain = day.ledger(day=date(2026, 11, 1)).chain
    assert (chain.seq, chain.hash, chain.events_on_day) == (0, "0" * 64, 0)


@ON_BOTH_ENGINES
def test_chain_verified_flag(day):
    assert day.ledger().chain.verified is True
    assert day.ledger().chain.problem is None


def test_a_day_without_cases_is_empty_but_still_lists_open_deadlines(day):
    ledger = day.ledger(day=date(2026, 11, 19))
    assert (
        ledger.received,
        ledger.by_item,
        ledger.by_outcome,
        ledger.by_clerk,
        ledger.actions,
    ) == (0, (), (), (), ())
    assert [c.case_no for c in ledger.overdue] == [day.no("E")]
    assert ledger.adds_up


def test_header_fields(day):
    ledger = day.ledger()
    assert (ledger.day, ledger.weekday, ledger.working_day, ledger.generated_on) == (
        DAY,
        "星期五",
        True,
        date(2026, 11, 23),
    )


def test_weekend_day_is_marked_as_a_rest_day(day):
    assert day.ledger(day=date(2026, 11, 21)).working_day is False


def test_a_future_day_is_refused(day):
    with pytest.raises(LedgerError) as info:
        day.ledger(day=date(2026, 11, 24), today=date(2026, 11, 23))
    assert str(info.value) == "2026-11-24 还没有到，不能生成日结单；请选择今天或以前的日期。"


def test_today_defaults_to_the_store_clock(day):
    day.clock.set(2026, 11, 20, 18, 0)
    day.window.store.clock = day.clock
    ledger = build_ledger(day.window.store, CATALOG, day.window.calendar, day=DAY)
    assert ledger.generated_on == DAY


# ---------------------------------------------------------------------- the point filter


@ON_BOTH_ENGINES
def test_point_filter_keeps_the_points_cases(day):
    assert day.ledger(point_code=POINT).received == 4


def test_point_filter_of_another_point_is_empty(day):
    ledger = day.ledger(point_code="YZ01")
    assert (ledger.received, ledger.actions, ledger.overdue, ledger.bad_ratings) == (0, (), (), ())
    assert sum(r.count for r in ledger.ratings) == 0


def test_point_filter_does_not_change_the_chain_section(day):
    assert day.ledger(point_code="YZ01").chain == day.ledger().chain


# ---------------------------------------------------------------------- masking


def test_mask_digits_masks_a_phone_and_an_id():
    assert (
        mask_digits("电话13812345678，身份证11010519491231002X")
        == "电话138****5678，身份证110***********002X"
    )


def test_mask_digits_leaves_short_numbers():
    assert mask_digits("等了45分钟，3号窗口") == "等了45分钟，3号窗口"


@given(st.text(alphabet="0123456789X，好差评 ", max_size=60))
def test_mask_digits_never_leaves_six_digits_in_a_row(text):
    assert re.search(r"[0-9]{6}", mask_digits(text)) is None


# ---------------------------------------------------------------------- text


def test_text_names_the_day_and_the_totals(day):
    text = render_text(day.ledger(point_code=POINT, point_name="冷水滩区政务服务中心"))
    assert "日期：2026-11-20（星期五，工作日）" in text
    assert "范围：YZ03　冷水滩区政务服务中心" in text
    assert "一、当日收件　共 4 件" in text
    assert "（一）已逾期未办结　共 1 件" in text
    assert "差评 1 条，须逐件回访并答复（未回访 1 条）：" in text


def test_text_carries_the_chain_head(day):
    ledger = day.ledger()
    text = render_text(ledger)
    assert f"日终最后一条记录：第 {ledger.chain.seq} 条" in text
    assert f"其哈希值：\n{grouped_hash(ledger.chain.hash)}" in text
    assert grouped_hash(ledger.chain.hash).replace(" ", "") == ledger.chain.hash
    assert all(
        display_width(line) <= 76
        for line in text.splitlines()
        if "哈希" in line or (line.strip() and set(line.strip()) <= set("0123456789abcdef "))
    )
    assert "本库核验：通过（哈希链完整，办件与事件记录一致，文书齐全）" in text


def test_text_by_outcome_table_is_aligned(day):
    lines = render_text(day.ledger()).splitlines()
    start = lines.index("  （二）按办理结果")
    table = lines[start + 1 : start + 7]
    assert table == [
        "    办理结果（日终）  件数",
        "    待补正               1",
        "    已受理               1",
        "    已办结               1",
        "    不予受理             1",
        "    合计                 4",
    ]


def test_text_lines_fit_a_printed_page(day):
    # 80 columns, except the 64-character hash line.
    assert max(display_width(line) for line in render_text(day.ledger()).splitlines()) <= 80


@pytest.mark.sqlite_only(
    "drops the file's SQLite triggers; the PostgreSQL tampering is in test_verify_postgres"
)
def test_text_says_when_the_log_fails_verification(day, tmp_path):
    store = day.window.store
    tamper_sql(store, "DROP TRIGGER events_no_update")
    tamper_sql(store, "UPDATE events SET actor = 'mallory' WHERE seq = 3")
    ledger = day.ledger()
    assert ledger.chain.verified is False
    assert "本库核验：未通过。" in render_text(ledger)
    assert "来源 YZ03 的第 3 条事件记录的内容与其哈希值不符" in render_text(ledger)


# ---------------------------------------------------------------------- no personal data anywhere


def _personal_values(store: Store) -> list[str]:
    values: list[str] = []
    for row in raw_rows(
        store, "SELECT applicant_kind, applicant_name, id_number, phone, bank_account FROM cases"
    ):
        kind, name, *rest = row
        values += [v for v in rest if v]
        if kind == "person":
            values.append(name)
    return values


def _all_outputs(ledger, tmp_path: Path) -> str:
    write_csv(ledger, tmp_path / "l.csv")
    write_xlsx(ledger, tmp_path / "l.xlsx")
    book = load_workbook(tmp_path / "l.xlsx")
    cells = [
        str(c)
        for sheet in book
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if c is not None
    ]
    return "\n".join(
        [
            render_text(ledger),
            (tmp_path / "l.csv").read_text(encoding="utf-8-sig"),
            *cells,
            json.dumps(to_dict(ledger), ensure_ascii=False),
        ]
    )


def test_no_personal_data_in_any_output_of_the_hand_built_day(day, tmp_path):
    out = _all_outputs(day.ledger(), tmp_path)
    leaked = [v for v in _personal_values(day.window.store) if v in out]
    assert leaked == []
    assert "13812340004" not in out


def test_no_personal_data_in_any_output_of_the_demo_day(demo, tmp_path):
    store, _, ledger = demo
    out = _all_outputs(ledger, tmp_path)
    assert [v for v in _personal_values(store) if v in out] == []


# ---------------------------------------------------------------------- CSV and XLSX round trips


def _csv_sections(path: Path) -> list[list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    blocks: list[list[list[str]]] = [[]]
    for row in rows:
        if row:
            blocks[-1].append(row)
        else:
            blocks.append([])
    return [b for b in blocks if b]


def test_csv_starts_with_a_bom(day, tmp_path):
    write_csv(day.ledger(), tmp_path / "l.csv")
    assert (tmp_path / "l.csv").read_bytes()[:3] == b"\xef\xbb\xbf"


def test_csv_round_trip(day, tmp_path):
    ledger = day.ledger()
    write_csv(ledger, tmp_path / "l.csv")
    expected = [
        [[t.title], list(t.header), *([str(c) for c in row] for row in t.rows)]
        for t in sections(ledger)
    ]
    assert _csv_sections(tmp_path / "l.csv") == expected


def test_csv_has_the_item_table_with_its_total(day, tmp_path):
    write_csv(day.ledger(), tmp_path / "l.csv")
    by_item = _csv_sections(tmp_path / "l.csv")[1]
    assert by_item == [
        ["按事项"],
        ["事项编号", "事项名称", "件数"],
        ["9", "城乡居民参保登记", "1"],
        ["31", "住院费用报销", "3"],
        ["合计", "", "4"],
    ]


def test_xlsx_round_trip(day, tmp_path):
    ledger = day.ledger()
    write_xlsx(ledger, tmp_path / "l.xlsx")
    book = load_workbook(tmp_path / "l.xlsx")
    tables = sections(ledger)
    assert book.sheetnames == [t.title for t in tables]
    for table in tables:
        rows = [list(r) for r in book[table.title].iter_rows(values_only=True)]
        assert rows == [
            list(table.header),
            *([None if c == "" else c for c in row] for row in table.rows),
        ]


def test_xlsx_headers_are_bold_and_columns_wide_enough(day, tmp_path):
    write_xlsx(day.ledger(), tmp_path / "l.xlsx")
    sheet = load_workbook(tmp_path / "l.xlsx")["按事项"]
    assert [c.font.bold for c in sheet[1]] == [True, True, True]
    assert sheet.column_dimensions["B"].width == display_width("城乡居民参保登记") + 2


def test_json_shape(day):
    data = to_dict(day.ledger())
    assert (data["day"], data["received"], data["adds_up"]) == ("2026-11-20", 4, True)
    assert data["by_outcome"][0] == {"state": "awaiting_supplement", "label": "待补正", "count": 1}
    assert data["bad_ratings"][0]["at"] == "2026-11-20T10:45:00+08:00"


def test_text_marks_a_provisional_due_date(day):
    ledger = day.ledger()
    marked = replace(ledger, overdue=(replace(ledger.overdue[0], provisional=True),))
    text = render_text(marked)
    assert "2026-11-09（暂定）" in text
    assert "注：标“暂定”的到期日跨入尚未公布节假日安排的年份，公布后须重算。" in text
    assert "（暂定）" not in render_text(ledger)


def test_text_of_an_empty_day(day):
    text = render_text(day.ledger(day=date(2026, 11, 1)))
    assert "一、当日收件　共 0 件\n    当日没有收件。" in text
    assert "二、当日办理记录　共 0 条（含以前收件的办件）\n    当日没有办理记录。" in text
    assert "    日终时本库还没有本机的事件记录。" in text
