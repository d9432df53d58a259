"""Limits on every free field, control characters and bidi marks stripped, personal data kept
out of reasons and comments; documents render for the longest accepted values."""

# ruff: noqa: F811  (the window and clock fixtures are imported from test_service)
from __future__ import annotations

import pytest
from support.tamper import raw_value
from test_service import PERSON_ID, checks_for, person, user, window  # noqa: F401  (fixtures)

from clerk.domain.field_limits import (
    NAME_MAX,
    REASON_MAX,
    checked,
    checked_amount,
    checked_comment,
    checked_reason,
)
from clerk.domain.model import CaseState, Rating
from clerk.domain.personal_data import find_personal_data
from clerk.domain.text_input import TextInputError, clean_text
from clerk.service.window import ServiceError


def test_ansi_escapes_are_stripped() -> None:
    assert clean_text("张\x1b[31m三\x1b[0m丰") == "张三丰"


def test_control_characters_are_stripped() -> None:
    assert clean_text("张\x00三\x07丰\x7f") == "张三丰"


def test_bidi_marks_are_stripped() -> None:
    assert clean_text("金额\u202e05.4321\u202c元") == "金额05.4321元"


def test_zero_width_characters_are_stripped() -> None:
    assert clean_text("张\u200b三\ufeff丰") == "张三丰"


def test_a_lone_surrogate_gets_a_chinese_message() -> None:
    with pytest.raises(TextInputError, match="无法识别的字符"):
        clean_text("张\ud800三")


def test_a_newline_in_a_single_line_field_becomes_a_space() -> None:
    assert clean_text("张三\n丰") == "张三 丰"


def test_a_name_over_the_limit_is_refused_with_the_limit() -> None:
    with pytest.raises(TextInputError) as refused:
        checked("张" * (NAME_MAX + 1), "姓名", NAME_MAX)
    assert str(refused.value) == f"姓名最多{NAME_MAX}个字，现为{NAME_MAX + 1}个字，请精简后重试。"


def test_a_reason_over_the_limit_is_refused() -> None:
    with pytest.raises(TextInputError, match=f"最多{REASON_MAX}个字"):
        checked_reason("缺" * (REASON_MAX + 1))


def test_amounts_have_an_upper_limit() -> None:
    assert checked_amount(123450) == 123450
    with pytest.raises(TextInputError, match="金额不能超过10,000,000元"):
        checked_amount(10_000_000_01)


@pytest.mark.parametrize(
    "text",
    [
        "申请人电话13800138000",
        "电话 138 0013 8000",
        "电话 138-0013-8000",
        "电话 +86 138 0013 8000",
        "电话 0086-13800138000",
        "电话 １３８００１３８０００",
        f"身份证 {PERSON_ID}",
        "身份证 " + " ".join(PERSON_ID[i : i + 4] for i in range(0, 18, 4)),
        "身份证 " + PERSON_ID.translate(str.maketrans("0123456789", "０１２３４５６７８９")),
        "卡号 4111 1111 1111 1111",
        "卡号6222021234567890128",
    ],
)
def test_personal_data_is_found_in_any_form(text: str) -> None:
    assert find_personal_data(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "材料不全，缺住院发票2张",
        "办件 YZ05-20250312-0001 金额 1234.50 元",
        "2025-03-12 13:30 回访，满意",
    ],
)
def test_ordinary_reasons_pass(text: str) -> None:
    assert find_personal_data(text) is None
    assert checked_reason(text) == text


def test_a_comment_with_a_spaced_phone_is_refused() -> None:
    with pytest.raises(TextInputError, match="手机号"):
        checked_comment("请回电 138 0013 8000")


def test_open_case_refuses_a_2000_character_name_and_stores_nothing(window) -> None:
    clerk = user(window, "clerk1")
    with pytest.raises(ServiceError, match=f"最多{NAME_MAX}个字"):
        window.open_case(clerk, 31, person("张" * 2000))
    assert window.search("张张张") == []


def test_open_case_strips_escapes_from_the_name(window) -> None:
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 31, person("张\x1b[2J三丰"))
    assert window.reveal(clerk, view.uuid, "applicant_name") == "张三丰"


def test_a_refusal_reason_with_a_spaced_phone_never_reaches_the_log(window) -> None:
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 31, person())
    with pytest.raises(ServiceError, match="手机号"):
        window.refuse(clerk, view.uuid, "已电话告知 +86 138 0013 8000")
    assert window.case(view.uuid).state == CaseState.DRAFT
    stored = raw_value(window.store, "SELECT count(*) FROM events WHERE reason LIKE '%0013%'")
    assert stored == 0


@pytest.mark.parametrize("sep", [" ", "  ", "-", ".", " - "])
def test_a_refusal_reason_with_an_id_spelled_digit_by_digit_is_refused(window, sep: str) -> None:
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 31, person())
    with pytest.raises(ServiceError, match="身份证号"):
        window.refuse(clerk, view.uuid, "申请人 " + sep.join(PERSON_ID) + " 不符合条件")
    assert window.case(view.uuid).state == CaseState.DRAFT
    assert [e.reason for e in window.store.case_events(view.uuid) if e.reason] == []


def test_a_rating_comment_with_a_full_width_id_is_refused(window) -> None:
    clerk = user(window, "clerk1")
    view = window.open_case(clerk, 31, person())
    view = window.check_materials(clerk, view.uuid, checks_for(window, 31))
    view = window.accept(clerk, view.uuid)
    full_width = PERSON_ID.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    with pytest.raises(ServiceError, match="身份证号"):
        window.rate(clerk, view.uuid, Rating.VERY_UNSATISFIED, f"本人{full_width}投诉")
    assert window.case(view.uuid).rating is None


def test_the_longest_accepted_name_and_reason_render_as_documents(window) -> None:
    clerk = user(window, "clerk1")
    long_name = "W" * NAME_MAX  # no break opportunity at all
    view = window.open_case(clerk, 31, person(long_name))
    view = window.refuse(clerk, view.uuid, "缺" * REASON_MAX)
    assert view.state == CaseState.REFUSED
    other = window.open_case(clerk, 31, person("测" * NAME_MAX))
    other = window.check_materials(clerk, other.uuid, checks_for(window, 31))
    other = window.accept(clerk, other.uuid)
    assert other.state != CaseState.DRAFT
    assert [d.kind for d in other.documents][:1] == ["acceptance"]


def test_a_user_name_over_its_limit_is_refused(window) -> None:
    from clerk.domain.field_limits import USER_NAME_MAX
    from clerk.domain.model import Role

    admin = [u for u in window.store.users() if u.role == "admin"][0]
    with pytest.raises(ServiceError, match=f"用户姓名最多{USER_NAME_MAX}个字"):
        window.add_user(admin, "li4", "李" * (USER_NAME_MAX + 1), Role.CLERK, "initial-pass1")


def test_a_point_name_over_its_limit_is_refused(window) -> None:
    from clerk.domain.field_limits import POINT_NAME_MAX

    admin = [u for u in window.store.users() if u.role == "admin"][0]
    with pytest.raises(ServiceError, match=f"服务点名称最多{POINT_NAME_MAX}个字"):
        window.declare_point(admin, "DA01", "镇" * (POINT_NAME_MAX + 1), "township_hall", "YZ05")


def test_a_pasted_page_is_cut_before_it_becomes_a_search(window) -> None:
    assert window.search("张" * 1_000_000) == []


def test_any_accepted_name_and_reason_render_as_a_document(tmp_path) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from support.app import ready

    window, admin = ready(tmp_path)

    @settings(
        max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(
        name=st.text(min_size=1, max_size=NAME_MAX), reason=st.text(min_size=1, max_size=REASON_MAX)
    )
    def renders(name: str, reason: str) -> None:
        try:
            view = window.open_case(admin, 31, person(name))
        except ServiceError:
            return  # refused with a Chinese message: fine
        try:
            view = window.refuse(admin, view.uuid, reason)
        except ServiceError:
            return
        assert view.state == CaseState.REFUSED

    renders()
