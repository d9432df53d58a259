"""What a clerk types (or a scanner, or a paste) made safe to store, show and print.

Control characters and ANSI escape sequences would move the cursor or recolour the terminal when
shown; bidi marks reverse what a reader sees (a name or an amount read backwards); zero-width
characters make two equal names differ. They are stripped. A lone surrogate (a broken paste from
another program) cannot be stored as UTF-8 at all: it is refused with a Chinese message.
Free of Textual.
"""

from __future__ import annotations

import re
import unicodedata

# CSI (ESC [ ... final byte), OSC (ESC ] ... BEL or ESC \), and other two-byte ESC sequences.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-Z\\-_]|\x9b[0-?]*[ -/]*[@-~]"
)
BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")


class TextInputError(ValueError):
    """Text that cannot be stored; the message is Chinese and says what to do."""


def has_lone_surrogate(text: str) -> bool:
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def clean_text(text: str, *, label: str = "输入内容", multiline: bool = False) -> str:
    """`text` without control characters, ANSI escapes, bidi and zero-width marks, trimmed.

    Tabs become spaces; newlines are kept only when `multiline`. Raises `TextInputError` for a
    lone surrogate."""
    if has_lone_surrogate(text):
        raise TextInputError(f"{label}中有无法识别的字符（可能是粘贴时出错），请删去后重新输入。")
    text = _ANSI.sub("", text)
    kept: list[str] = []
    for ch in text:
        if ch in BIDI or ch in INVISIBLE:
            continue
        if ch == "\t":
            kept.append(" ")
        elif ch in "\r\n":
            kept.append("\n" if multiline else " ")
        elif unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch not in "\n":
            continue
        else:
            kept.append(ch)
    cleaned = "".join(kept)
    if multiline:
        cleaned = re.sub(r"\n{3,}", "\n\n", cleaned.replace("\r\n", "\n"))
    return unicodedata.normalize("NFC", cleaned).strip()
