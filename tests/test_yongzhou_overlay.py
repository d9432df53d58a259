"""The Yongzhou guide's overlay (`local` in catalog.json): local facts for the 39 provincial items.

Every entry must validate as an `Item.local` against the provincial limit, and `superseded` must be
true exactly for the items whose guide limit computes differently (DOMAIN.md's list).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from clerk.domain.catalog import VENUES, DataFileError, LocalGuide, TimeLimit, _Parser, load_catalog

ROOT = Path(__file__).resolve().parent.parent
OVERLAY = ROOT / "catalog.json"


def working(days: int, **kw: Any) -> TimeLimit:
    return TimeLimit("working_days", days, **kw)


INSTANT = TimeLimit("instant", 0)
ON_SITE_INSTANT_ONLINE_2 = TimeLimit("instant", 0, online=working(2))
CHRONIC = working(20, online=working(7))
SETTLEMENT = working(20, start="after_declaration_deadline")

# The provincial list's limits (000_...txt; the differences as in DOMAIN.md's table).
PROVINCIAL: dict[int, TimeLimit] = {
    1: working(5), 2: working(5), 3: INSTANT, 4: INSTANT, 5: INSTANT, 6: INSTANT, 7: working(5),
    8: working(5), 9: INSTANT, 10: INSTANT, 11: INSTANT, 12: INSTANT, 13: INSTANT, 14: INSTANT,
    15: working(5), 16: INSTANT, 17: INSTANT, 18: working(10), 19: working(5), 20: working(10),
    21: ON_SITE_INSTANT_ONLINE_2, 22: ON_SITE_INSTANT_ONLINE_2, 23: ON_SITE_INSTANT_ONLINE_2,
    24: ON_SITE_INSTANT_ONLINE_2, 25: ON_SITE_INSTANT_ONLINE_2,
    26: CHRONIC, 27: CHRONIC, 28: CHRONIC, 29: CHRONIC,
    30: working(25), 31: working(25), 32: working(15), 33: working(10), 34: working(25), 35: working(25),
    36: TimeLimit("natural_days", 80), 37: TimeLimit("natural_days", 80),
    38: SETTLEMENT, 39: SETTLEMENT,
}  # fmt: skip

SUPERSEDED = {5, 6, 18, 26, 27, 28, 29, 30, 31, 32, 34, 35, 36, 37, 38, 39}

# The guide's own figures for the superseded items (DOMAIN.md, right-hand column).
GUIDE_FIGURES: dict[int, tuple[str, int, tuple[str, int] | None]] = {
    5: ("working_days", 5, None), 6: ("working_days", 5, None), 18: ("working_days", 15, None),
    26: ("working_days", 20, None), 27: ("working_days", 20, None),
    28: ("working_days", 20, None), 29: ("working_days", 20, None),
    30: ("working_days", 30, None), 31: ("working_days", 30, None), 32: ("working_days", 20, None),
    34: ("working_days", 30, None), 35: ("working_days", 30, None),
    36: ("natural_days", 90, None), 37: ("natural_days", 90, None),
    38: ("working_days", 30, None), 39: ("working_days", 30, None),
}  # fmt: skip

NOS = range(1, 40)


@pytest.fixture(scope="module")
def overlay() -> dict[str, Any]:
    items = json.loads(OVERLAY.read_text(encoding="utf-8"))["items"]
    return {str(item["no"]): item["local"] for item in items}


def parse(raw: dict[str, Any], no: int, provincial: TimeLimit | None = None) -> LocalGuide:
    value = raw[str(no)]
    return _Parser(OVERLAY).local(value, f"{no}", provincial or PROVINCIAL[no])


@pytest.fixture(scope="module")
def guides(overlay) -> dict[int, LocalGuide]:
    return {no: parse(overlay, no) for no in NOS}


def test_overlay_has_exactly_the_39_items(overlay):
    assert list(overlay) == [str(n) for n in NOS]


@pytest.mark.parametrize("no", NOS)
def test_entry_validates_against_the_provincial_limit(overlay, no):
    assert isinstance(parse(overlay, no), LocalGuide)


def test_superseded_flags_are_exactly_the_domain_list(guides):
    assert {no for no, g in guides.items() if g.superseded} == SUPERSEDED


@pytest.mark.parametrize("no", NOS)
def test_flipping_superseded_is_refused(overlay, no):
    raw = copy.deepcopy(overlay)
    raw[str(no)]["superseded"] = not raw[str(no)]["superseded"]
    with pytest.raises(DataFileError) as info:
        parse(raw, no)
    assert info.value.entry == f"{no}.superseded"


@pytest.mark.parametrize("no", sorted(GUIDE_FIGURES))
def test_superseded_items_carry_the_guides_figure(guides, no):
    limit = guides[no].time_limit
    assert limit is not None
    online = (limit.online.kind, limit.online.days) if limit.online else None
    assert (limit.kind, limit.days, online) == GUIDE_FIGURES[no]


@pytest.mark.parametrize("no", sorted(set(NOS) - SUPERSEDED))
def test_other_items_compute_like_the_provincial_list(guides, no):
    assert PROVINCIAL[no].same_rule(guides[no].time_limit)


def test_settlement_limits_count_from_acceptance_in_the_guide(guides):
    assert {guides[38].time_limit.start, guides[39].time_limit.start} == {"acceptance"}


def test_filing_items_keep_the_guides_online_figure(guides):
    for no in range(21, 26):
        limit = guides[no].time_limit
        assert (limit.kind, limit.online.kind, limit.online.days) == ("instant", "working_days", 2)


def test_every_guide_section_gives_a_limit(guides):
    assert [no for no, g in guides.items() if g.time_limit is None] == []


# --- where items are accepted -------------------------------------------------------------------


def accepted_at(guides: dict[int, LocalGuide], venue: str) -> set[int]:
    return {no for no, g in guides.items() if venue in g.venues}


def test_venues_are_known_kinds(guides):
    assert {v for g in guides.values() for v in g.venues} <= set(VENUES)


def test_township_halls_accept_the_guides_subset(guides):
    assert accepted_at(guides, "township_hall") == {3, 4, 9, 10, 11, 13, 14, 17, 19, 20, 34, 35}


def test_village_centres_accept_the_same_subset(guides):
    assert accepted_at(guides, "village_centre") == accepted_at(guides, "township_hall")


def test_colleges_accept_only_residents_enrolment(guides):
    assert accepted_at(guides, "college") == {9}


def test_hospitals_accept_referrals_and_treatment_recognition(guides):
    assert accepted_at(guides, "hospital") == {24, 26, 27, 28, 29}


def test_settlement_is_online_only(guides):
    assert guides[38].venues == guides[39].venues == ("online",)


def test_residents_enrolment_is_not_listed_at_county_halls(guides):
    assert [no for no in NOS if "county_hall" not in guides[no].venues] == [9, 10, 11, 38, 39]


def test_every_item_can_be_applied_for_online(guides):
    assert accepted_at(guides, "online") == set(NOS)


def test_every_online_item_names_a_channel(guides):
    assert [no for no, g in guides.items() if not g.online_channels] == []


def test_cross_province_filing_names_the_national_app(guides):
    for no in range(21, 26):
        assert "国家医保服务平台APP（跨省备案）" in guides[no].online_channels


def test_accepting_units_of_residents_items(guides):
    assert guides[9].accepting_units == ("乡镇人民政府（街道办事处）", "村（社区）", "大中专院校")
    assert guides[14].accepting_units == ("乡镇人民政府（街道）", "村（社区）")


# --- process and query ----------------------------------------------------------------------------


@pytest.mark.parametrize("no", NOS)
def test_process_starts_with_application_and_ends_done(guides, no):
    steps = guides[no].process
    assert steps[0].startswith("申请")
    assert steps[-1].startswith("办结")


def test_paying_items_have_a_payment_step(guides):
    paying = {no for no, g in guides.items() if any(s.startswith("拨付") for s in g.process)}
    assert paying == {18, 30, 31, 32, 33, 34, 35, 38, 39}


def test_queries_have_no_review_step(guides):
    for no in (16, 17):
        assert [s.split("：")[0] for s in guides[no].process] == ["申请", "受理", "办结"]


@pytest.mark.parametrize("no", NOS)
def test_every_item_says_how_to_query(guides, no):
    assert guides[no].query and "查询" in guides[no].query


# --- against the shared catalogue ----------------------------------------------------------------


def test_provincial_table_matches_catalog_json():
    catalog = load_catalog(ROOT / "catalog.json")
    if len(catalog.items) < 39:
        pytest.skip("catalog.json is still being transcribed")
    assert {i.no: i.time_limit.same_rule(PROVINCIAL[i.no]) for i in catalog.items} == {
        n: True for n in NOS
    }


def test_overlay_validates_against_catalog_json(overlay):
    catalog = load_catalog(ROOT / "catalog.json")
    if len(catalog.items) < 39:
        pytest.skip("catalog.json is still being transcribed")
    flags = {i.no: parse(overlay, i.no, i.time_limit).superseded for i in catalog.items}
    assert {no for no, s in flags.items() if s} == SUPERSEDED
