"""Finding a catalogue item the way a clerk types at the counter.

One query box accepts:

- an item number (``31``),
- a code or part of one (``002036006002``, ``00203600400Y``, ``004001``),
- Chinese words (``住院``; several words separated by spaces must all match),
- pinyin initials (``zyfy`` for 住院费用, ``ydjy`` for 异地就医) or full pinyin (``zhuyuan``).

Words are looked up in the item's name, its sub-item and main-item names and its keywords, so
``ydjy`` finds items 21-25 through their main item 基本医疗保险参保人员异地就医备案.
Results keep catalogue order inside each rank: number, code, Chinese words, pinyin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clerk.domain.catalog import Catalog, Item

_DIGITS = re.compile(r"^\d+$")
_CODE = re.compile(r"^\d{3,11}[0-9Y]$", re.IGNORECASE)
_LATIN = re.compile(r"^[a-z]+$")
_HAN = re.compile(r"[\u4e00-\u9fff]")

# Ranks: lower comes first.
RANK_NUMBER, RANK_CODE, RANK_WORDS, RANK_PINYIN = 0, 1, 2, 3


@dataclass(frozen=True)
class _Spelling:
    """One text spelt for matching: per character, the possible initials and full syllables."""

    initials: tuple[frozenset[str], ...]
    syllables: tuple[frozenset[str], ...]

    def has_initials(self, query: str) -> bool:
        n = len(query)
        for start in range(len(self.initials) - n + 1):
            if all(query[k] in self.initials[start + k] for k in range(n)):
                return True
        return False

    def has_full(self, query: str) -> bool:
        """True when `query` spells consecutive syllables from a character's start (``zhuyuan``)."""
        return any(self._full_from(i, query) for i in range(len(self.syllables)))

    def _full_from(self, i: int, rest: str) -> bool:
        if not rest:
            return True
        if i >= len(self.syllables):
            return False
        for syllable in self.syllables[i]:
            if rest.startswith(syllable) and self._full_from(i + 1, rest[len(syllable) :]):
                return True
            if syllable.startswith(rest):  # the query ends inside this syllable: "zhuyu"
                return True
        return False


def _spell(text: str) -> _Spelling:
    # pypinyin loads its phrase dictionaries on import (a third of a second): only when the
    # first item search needs a spelling, not when the app starts.
    from pypinyin import Style, pinyin

    initials: list[frozenset[str]] = []
    syllables: list[frozenset[str]] = []
    for ch in text:
        if _HAN.match(ch):
            firsts = pinyin(ch, style=Style.FIRST_LETTER, heteronym=True)[0]
            fulls = pinyin(ch, style=Style.NORMAL, heteronym=True)[0]
            initials.append(frozenset(f.lower() for f in firsts))
            syllables.append(frozenset(f.lower() for f in fulls))
        elif ch.isascii() and ch.isalnum():
            initials.append(frozenset({ch.lower()}))
            syllables.append(frozenset({ch.lower()}))
        # punctuation and brackets are skipped, so 职工减少登记（暂停参保） reads zgjsdjztcb
    return _Spelling(tuple(initials), tuple(syllables))


def _texts(item: Item) -> tuple[str, ...]:
    return (item.name, item.sub_item.name, item.main_item.name, *item.keywords)


class ItemFinder:
    """Matches queries against a catalogue; the pinyin of every name is computed once."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._spellings: dict[int, tuple[_Spelling, ...]] = {
            item.no: tuple(_spell(t) for t in _texts(item)) for item in catalog.items
        }

    def find(self, query: str) -> list[Item]:
        """Items matching `query`, best rank first; every item for an empty query."""
        ranked = self.ranked(query)
        return [item for _, item in ranked]

    def ranked(self, query: str) -> list[tuple[int, Item]]:
        words = query.strip().split()
        if not words:
            return [(RANK_WORDS, item) for item in self.catalog.items]
        found: list[tuple[int, Item]] = []
        for item in self.catalog.items:
            ranks = [self._rank(item, word) for word in words]
            if all(r is not None for r in ranks):
                found.append((max(r for r in ranks if r is not None), item))
        found.sort(key=lambda pair: (pair[0], pair[1].no))
        return found

    def _rank(self, item: Item, word: str) -> int | None:
        lower = word.lower()
        if _DIGITS.match(word) and len(word) <= 2:
            return RANK_NUMBER if int(word) == item.no else None
        if _CODE.match(word):
            codes = (item.sub_item.code.lower(), item.main_item.code.lower())
            return RANK_CODE if any(lower in c for c in codes) else None
        if any(lower in t.lower() for t in _texts(item)):
            return RANK_WORDS
        if _LATIN.match(lower):
            spellings = self._spellings[item.no]
            if any(s.has_initials(lower) for s in spellings):
                return RANK_PINYIN
            if len(lower) >= 2 and any(s.has_full(lower) for s in spellings):
                return RANK_PINYIN
        return None


def find_items(catalog: Catalog, query: str) -> list[Item]:
    """One-off convenience: build a finder and search once (screens keep an `ItemFinder`)."""
    return ItemFinder(catalog).find(query)
