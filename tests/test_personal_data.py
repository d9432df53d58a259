"""Free text is screened for ID numbers, phones and bank cards however a clerk spells them:
generated numbers (valid check characters) in generated spellings (hypothesis)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from clerk.domain.personal_data import find_personal_data

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")
SEPARATORS = [" ", "  ", "\u3000", "-", "－", ".", "·", "_", "/", "、", "，", ", ", " - ", "\t"]


@st.composite
def resident_ids(draw: st.DrawFn) -> str:
    area = draw(st.integers(110000, 829999))
    year = draw(st.integers(1900, 2025))
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, 28))
    seq = draw(st.integers(0, 999))
    body = f"{area:06d}{year:04d}{month:02d}{day:02d}{seq:03d}"
    total = sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True))
    return body + "10X98765432"[total % 11]


@st.composite
def phones(draw: st.DrawFn) -> str:
    return (
        "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))
    )


@st.composite
def bank_cards(draw: st.DrawFn) -> str:
    body = draw(st.sampled_from("3456")) + draw(st.text("0123456789", min_size=14, max_size=17))
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:  # the check digit will stand to the right: double every other from here
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


@st.composite
def spelled(draw: st.DrawFn, number: str) -> str:
    """`number` as a clerk might type it: separators of any kind and count between any digits,
    some characters full-width, a phone with +86 in front, Chinese text around it."""
    out = []
    for i, ch in enumerate(number):
        if i and draw(st.booleans()):
            out.append(draw(st.sampled_from(SEPARATORS)))
        out.append(ch.translate(FULL_WIDTH) if draw(st.booleans()) else ch)
    text = "".join(out)
    if len(number) == 11 and draw(st.booleans()):
        text = draw(st.sampled_from(["+86 ", "+86-", "0086", "＋８６ "])) + text
    before = draw(st.sampled_from(["", "申请人号码", "请联系 ", "证件："]))
    after = draw(st.sampled_from(["", "。", " 已核对", "，谢谢"]))
    return before + text + after


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_an_id_number_is_found_however_it_is_spelled(data: st.DataObject) -> None:
    number = data.draw(resident_ids())
    assert find_personal_data(data.draw(spelled(number))) == "id"


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_phone_is_found_however_it_is_spelled(data: st.DataObject) -> None:
    number = data.draw(phones())
    assert find_personal_data(data.draw(spelled(number))) is not None


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_a_bank_card_is_found_however_it_is_spelled(data: st.DataObject) -> None:
    number = data.draw(bank_cards())
    assert find_personal_data(data.draw(spelled(number))) is not None


def test_the_reported_spellings_are_found() -> None:
    """The forms an adversarial pass stored as a refusal reason before this screen was widened."""
    for text in [
        "4 3 9 9 9 9 1 9 8 0 0 2 0 3 1 2 3 7",
        "4  3  9  9  9  9  1  9  8  0  0  2  0  3  1  2  3  7",
        "4-3-9-9-9-9-1-9-8-0-0-2-0-3-1-2-3-7",
        "4.3.9.9.9.9.1.9.8.0.0.2.0.3.1.2.3.7",
        "439999 19800203 1 2 3 7",
    ]:
        assert find_personal_data(text) == "id", text


def test_ordinary_numbers_are_not_personal_data() -> None:
    for text in [
        "第1、2、3项材料缺失",
        "住院 2025-03-01 至 2025-03-12，共 12 天",
        "金额 1,234.50 元，发票 3 张",
        "办件 YZ05-20250312-0001",
    ]:
        assert find_personal_data(text) is None, text
