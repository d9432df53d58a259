"""Reading a small JSON data file an administrator supplies (a holiday file): a UTF-8 BOM, as
Windows Notepad writes it, is accepted; an absurd file (hundreds of megabytes, nested thousands
deep) is refused with a Chinese message before it can exhaust memory or the stack.
Free of Textual."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from clerk.domain.catalog_files import DataFileError, parse_json

MAX_BYTES = 1_000_000  # a holiday file is a few hundred bytes
MAX_DEPTH = 8


def read_small_json(path: Path, *, max_bytes: int = MAX_BYTES, max_depth: int = MAX_DEPTH) -> Any:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DataFileError(path, "文件", "找不到文件，请重新安装或恢复该文件") from None
    except OSError as exc:
        raise DataFileError(path, "文件", f"无法读取（{exc.strerror}）") from None
    if size > max_bytes:
        raise DataFileError(
            path,
            "文件",
            f"文件太大（{size:,} 字节，最多 {max_bytes:,} 字节），不像节假日文件，请核对",
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise DataFileError(path, "文件", f"无法读取（{exc.strerror}）") from None
    except UnicodeDecodeError:
        raise DataFileError(path, "文件", "不是 UTF-8 编码的文本") from None
    if _depth(text) > max_depth:
        raise DataFileError(
            path, "文件", f"嵌套层数太多（超过 {max_depth} 层），不像节假日文件，请核对"
        )
    return parse_json(path, text)


def _depth(text: str) -> int:
    """The deepest bracket nesting, strings skipped (cheap, and no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest
