"""What the F3 search box finds, in the order a clerk expects. Free of Textual.

1. the case number exactly (any letter case, spaces and dashes ignored);
2. ID number or credit code exactly;
3. names (full-text);
4. the last characters of a case number (3 or more, as read off a slip), the last 6 of an ID
   number (digits, or 5 digits and X);
5. the newest cases of the items the text names: item name words or pinyin initials as in the
   item picker (`zybx` finds 住院费用报销), for text that found nothing above.
"""

from __future__ import annotations

import re
from typing import Any

TAIL = re.compile(r"[0-9A-Za-z]{3,}")
ITEM_QUERY = re.compile(r"[A-Za-z\u4e00-\u9fff\s]{2,}")


MAX_QUERY = 60  # longer than any name or number; a pasted page must not become a search


def search_rows(store: Any, finder: Any, text: str) -> list[Any]:
    text = text.strip()[:MAX_QUERY]
    if not text:
        return []
    found: dict[str, Any] = {}
    for row in store.search(text):
        found.setdefault(row.uuid, row)
    compact = re.sub(r"[\s\-]", "", text)
    if TAIL.fullmatch(compact) and any(ch.isdigit() for ch in compact):
        for row in store.search_tails(compact):
            found.setdefault(row.uuid, row)
    if not found and ITEM_QUERY.fullmatch(text):
        items = [item.no for item in finder.find(text)]
        if items and len(items) < len(finder.catalog.items):  # an empty or vague query names every item
            for row in store.cases_of_items(items[:5]):
                found.setdefault(row.uuid, row)
    return list(found.values())
