"""What the F3 search box finds, in the order a clerk expects. Free of Textual.

1. the case number exactly (any letter case, spaces and dashes ignored);
2. ID number or credit code exactly;
3. names (full-text);
4. the last characters of a case number (3 or more, as read off a slip), the last 6 of an ID
   number (digits, or 5 digits and X);
5. the newest cases of the items the text names: item name words or pinyin initials as in the
   item picker (`zybx` finds 住院费用报销), for text that found nothing above.

Text shaped like one identifier goes to that lookup only (one indexed SELECT instead of the
whole cascade and the tail scans): a case number whose check character is right, an 18-character
resident ID number whose check character is right, a credit code whose check character is right.
When that lookup finds nothing, the whole cascade runs as for any other text, so a number that
happens to pass a check but is meant as something else is still found.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from clerk.domain.case_numbers import check_char
from clerk.domain.identifiers import credit_code_check_char, resident_id_check_char
from clerk.domain.item_search import ItemFinder
from clerk.ports.records import CaseRecord

if TYPE_CHECKING:
    from clerk.ports.store import Store

TAIL = re.compile(r"[0-9A-Za-z]{3,}")
ITEM_QUERY = re.compile(r"[A-Za-z\u4e00-\u9fff\s]{2,}")


MAX_QUERY = 60  # longer than any name or number; a pasted page must not become a search


RESIDENT_ID = re.compile(r"[0-9]{17}[0-9X]")
CREDIT_CODE = re.compile(r"[0-9A-HJ-NP-RTUW-Y]{18}")
CASE_NUMBER = re.compile(r"[0-9A-Z]{2,10}[0-9]{12}[0-9A-Z]")


def exact_shape(compact: str) -> str | None:
    """Which identifier `compact` (upper case, no spaces or dashes) is by its shape and check
    character: "case_no", "id_number", "credit_code", or None."""
    if CASE_NUMBER.fullmatch(compact) and check_char(compact[:-1]) == compact[-1]:
        return "case_no"
    if RESIDENT_ID.fullmatch(compact) and resident_id_check_char(compact[:17]) == compact[17]:
        return "id_number"
    if CREDIT_CODE.fullmatch(compact) and credit_code_check_char(compact[:17]) == compact[17]:
        return "credit_code"
    return None


def exact_rows(store: Store, compact: str) -> list[CaseRecord]:
    """The cases an identifier-shaped text names, by its one index ([] for other text)."""
    shape = exact_shape(compact)
    if shape == "case_no":
        row = store.get_case_by_no(compact)
        return [row] if row is not None else []
    if shape == "id_number":
        return list(store.find_by_id_number(compact))
    if shape == "credit_code":
        found: dict[str, CaseRecord] = {
            r.uuid: r for r in store.find_by_id_number(compact)
        }  # a unit's code is its ID
        for row in store.find_by_credit_code(compact):
            found.setdefault(row.uuid, row)
        return list(found.values())
    return []


def search_rows(store: Store, finder: ItemFinder, text: str) -> list[CaseRecord]:
    text = text.strip()[:MAX_QUERY]
    if not text:
        return []
    exact = exact_rows(store, re.sub(r"[\s\-]", "", text).upper())
    if exact:
        return exact
    found: dict[str, CaseRecord] = {}
    for row in store.search(text):
        found.setdefault(row.uuid, row)
    compact = re.sub(r"[\s\-]", "", text)
    if TAIL.fullmatch(compact) and any(ch.isdigit() for ch in compact):
        for row in store.search_tails(compact):
            found.setdefault(row.uuid, row)
    if not found and ITEM_QUERY.fullmatch(text):
        items = [item.no for item in finder.find(text)]
        if items and len(items) < len(
            finder.catalog.items
        ):  # an empty or vague query names every item
            for row in store.cases_of_items(items[:5]):
                found.setdefault(row.uuid, row)
    return list(found.values())
