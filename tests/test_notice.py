"""The one-time notice: its content, the no-new-materials rule, and deemed acceptance."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clerk.domain.catalog import Item, LegalBasis, MainItem, Material, SubItem, TimeLimit
from clerk.domain.model import Role
from clerk.domain.notice import (
    LAW_TEXT,
    PROMISE_TEXT,
    NoticeContent,
    NoticeRuleError,
    build_notice,
    check_later_notice,
    deemed_accepted,
    unnamed_materials,
)

MAIN = MainItem("一", "00203600100Y", "测试主项")
SUB = SubItem(1, "002036001001", "测试子项", MAIN.code)


def make_item(*materials: Material, basis: tuple[LegalBasis, ...] = ()) -> Item:
    return Item(
        no=7,
        name="职工减少登记（终止参保）",
        sub_item=SUB,
        main_item=MAIN,
        applicant_kind="unit",
        materials=materials,
        time_limit=TimeLimit("working_days", 5),
        steps=("申请", "受理", "审核", "办结"),
        notes=(),
        basis=basis,
    )


class WeekendCalendar:
    """Saturdays and Sundays off, nothing else."""

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5

    def add_working_days(self, start: date, n: int) -> tuple[date, bool]:
        d = start
        while n > 0:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d, False


FORM = Material("form", "《参保人员减少登记表》", ("《参保人员减少登记表》",), seal="单位公章")
COPY = Material("employee_id_copy", "职工身份证件复印件", ("职工身份证件复印件",), copy="copy")
ITEM = make_item(
    FORM,
    COPY,
    basis=(
        LegalBasis("《中华人民共和国社会保险法》", "第五十七条"),
        LegalBasis("《社会保险经办条例》"),
    ),
)


def notice(**kw: object) -> NoticeContent:
    args: dict[str, object] = {
        "item": ITEM,
        "case_no": "YZ0001-20260302-0001",
        "missing": [(FORM, "未加盖单位公章"), (COPY, "未提供")],
        "issued_on": date(2026, 3, 2),
        "office_name": "永州市医疗保障事务中心",
        "office_address": "永州市冷水滩区某路1号",
        "supervision_phone": "0746-1234567",
        "hand_in_where": "市本级医保服务大厅",
    }
    args.update(kw)
    return build_notice(**args)  # type: ignore[arg-type]


# ------------------------------------------------------------------ content


def test_notice_lists_every_missing_material_with_its_problem() -> None:
    assert notice().missing == (
        ("《参保人员减少登记表》", "未加盖单位公章"),
        ("职工身份证件复印件", "未提供（要求：提供复印件）"),
    )


def test_notice_names_item_and_case() -> None:
    content = notice()
    assert (content.item_no, content.item_name, content.case_no) == (
        7,
        "职工减少登记（终止参保）",
        "YZ0001-20260302-0001",
    )


def test_notice_basis_lines_join_law_and_articles() -> None:
    assert notice().basis == ("《中华人民共和国社会保险法》第五十七条", "《社会保险经办条例》")


def test_notice_carries_office_and_where_to_hand_in() -> None:
    content = notice()
    assert (
        content.office_name,
        content.office_address,
        content.supervision_phone,
        content.hand_in_where,
        content.issued_on,
    ) == (
        "永州市医疗保障事务中心",
        "永州市冷水滩区某路1号",
        "0746-1234567",
        "市本级医保服务大厅",
        date(2026, 3, 2),
    )


def test_default_supplement_period_is_30_natural_days() -> None:
    content = notice()
    assert (content.supplement_days, content.due_by) == (30, date(2026, 4, 1))


def test_supplement_period_follows_the_office_setting() -> None:
    assert notice(supplement_days=15).due_by == date(2026, 3, 17)


def test_policy_note_gives_the_date_and_says_it_is_not_statutory() -> None:
    assert notice().policy_note == (
        "请于2026年4月1日前（自告知之日起30个自然日内）补齐材料。"
        "此期限为本机关的办理安排，不是法定期限；逾期未补正的，本件终止办理，您可以重新申请。"
    )


def test_notice_carries_the_article_32_text_and_the_promise() -> None:
    content = notice()
    assert content.law_text == LAW_TEXT
    assert "第三十二条" in content.law_text and "一次告知" in content.law_text
    assert content.promise == PROMISE_TEXT


def test_missing_lines_are_numbered() -> None:
    assert notice().missing_lines() == [
        "1. 《参保人员减少登记表》：未加盖单位公章",
        "2. 职工身份证件复印件：未提供（要求：提供复印件）",
    ]


def test_nothing_missing_means_no_notice() -> None:
    with pytest.raises(NoticeRuleError, match="材料已齐全"):
        notice(missing=[])


def test_supplement_days_must_be_positive() -> None:
    with pytest.raises(ValueError):
        notice(supplement_days=0)


# ------------------------------------------------------------------ the one-time rule

NAMES = {"form": "《参保人员减少登记表》", "employee_id_copy": "职工身份证件复印件"}


def test_first_notice_may_name_anything() -> None:
    check_later_notice([], frozenset({"form", "employee_id_copy"}), role=Role.CLERK)


def test_later_notice_may_repeat_materials_already_named() -> None:
    check_later_notice(
        [frozenset({"form", "employee_id_copy"})], frozenset({"form"}), role=Role.CLERK
    )


def test_later_notice_may_repeat_materials_named_in_any_earlier_notice() -> None:
    earlier = [frozenset({"form"}), frozenset({"employee_id_copy"})]
    check_later_notice(earlier, frozenset({"form", "employee_id_copy"}), role=Role.CLERK)


def test_later_notice_adding_a_material_is_refused_naming_it() -> None:
    with pytest.raises(NoticeRuleError) as exc:
        check_later_notice(
            [frozenset({"form"})],
            frozenset({"form", "employee_id_copy"}),
            role=Role.CLERK,
            names=NAMES,
        )
    assert str(exc.value) == (
        "一次性告知须一次列明全部需补正的材料，首次告知未列明“职工身份证件复印件”，不能再要求申请人补正。"
        "如确需补充告知，请主管填写理由后批准。"
    )


def test_refusal_names_unknown_ids_as_they_are() -> None:
    with pytest.raises(NoticeRuleError, match="“bank_account”"):
        check_later_notice(
            [frozenset({"form"})], frozenset({"bank_account"}), role=Role.CLERK, names=NAMES
        )


def test_clerk_cannot_override_even_with_a_reason() -> None:
    with pytest.raises(NoticeRuleError) as exc:
        check_later_notice(
            [frozenset({"form"})],
            frozenset({"employee_id_copy"}),
            override_reason="政策调整",
            role=Role.CLERK,
            names=NAMES,
        )
    assert (
        str(exc.value)
        == "补充告知首次未列明的材料（“职工身份证件复印件”）须由主管或系统管理员批准，请联系主管办理。"
    )


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_supervisor_or_admin_may_override_with_a_reason(role: Role) -> None:
    check_later_notice(
        [frozenset({"form"})],
        frozenset({"employee_id_copy"}),
        override_reason="政策调整",
        role=role,
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_supervisor_override_needs_a_reason(reason: str) -> None:
    with pytest.raises(NoticeRuleError, match="首次告知未列明"):
        check_later_notice(
            [frozenset({"form"})],
            frozenset({"employee_id_copy"}),
            override_reason=reason,
            role=Role.SUPERVISOR,
        )


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.FINANCE])
def test_other_roles_cannot_override(role: Role) -> None:
    with pytest.raises(NoticeRuleError, match="须由主管或系统管理员批准"):
        check_later_notice(
            [frozenset({"form"})], frozenset({"x"}), override_reason="理由", role=role
        )


ID_SETS = st.frozensets(st.sampled_from(["a", "b", "c", "d", "e"]))


@given(st.lists(ID_SETS, min_size=1, max_size=3), ID_SETS)
def test_unnamed_is_exactly_what_no_earlier_notice_named(
    earlier: list[frozenset[str]], new: frozenset[str]
) -> None:
    added = unnamed_materials(earlier, new)
    assert added == {i for i in new if not any(i in e for e in earlier)}
    if added:
        with pytest.raises(NoticeRuleError):
            check_later_notice(earlier, new, role=Role.CLERK)
    else:
        check_later_notice(earlier, new, role=Role.CLERK)


# ------------------------------------------------------------------ deemed acceptance

CAL = WeekendCalendar()


@pytest.mark.parametrize(
    ("received", "last_quiet_day"),
    [
        (date(2026, 3, 2), date(2026, 3, 9)),  # Monday -> next Monday
        (date(2026, 3, 5), date(2026, 3, 12)),  # Thursday -> next Thursday, weekend skipped
        (date(2026, 3, 6), date(2026, 3, 13)),  # Friday -> next Friday
        (date(2026, 3, 7), date(2026, 3, 13)),  # Saturday: counting starts Monday
        (date(2026, 3, 8), date(2026, 3, 13)),  # Sunday too
    ],
)
def test_deemed_accepted_after_the_fifth_working_day(received: date, last_quiet_day: date) -> None:
    assert deemed_accepted(received, last_quiet_day, decided=False, calendar=CAL) is False
    assert (
        deemed_accepted(received, last_quiet_day + timedelta(days=1), decided=False, calendar=CAL)
        is True
    )


def test_not_deemed_accepted_on_the_day_of_receipt() -> None:
    assert deemed_accepted(date(2026, 3, 2), date(2026, 3, 2), decided=False, calendar=CAL) is False


def test_a_decided_case_is_never_deemed_accepted() -> None:
    assert deemed_accepted(date(2026, 3, 2), date(2026, 6, 1), decided=True, calendar=CAL) is False


def test_deemed_accepted_uses_the_calendar_given() -> None:
    class NoWorkUntilApril(WeekendCalendar):
        def is_working_day(self, d: date) -> bool:
            return d >= date(2026, 4, 1) and super().is_working_day(d)

    cal = NoWorkUntilApril()
    assert (
        deemed_accepted(date(2026, 3, 2), date(2026, 3, 31), decided=False, calendar=cal) is False
    )
    assert deemed_accepted(date(2026, 3, 2), date(2026, 4, 8), decided=False, calendar=cal) is True
