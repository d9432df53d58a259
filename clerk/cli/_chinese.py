"""argparse's own words in Chinese ("usage:", "options", "show this help message and exit", its
error messages), so `clerk --help` and a mistyped command read as the rest of the program does.

argparse looks its texts up through `argparse._` (gettext) each time it needs one; `install()`
points that at this table. Texts without a translation stay as they are.
"""

from __future__ import annotations

import argparse

CHINESE = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必填参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "最多一个值",
    "invalid %(type)s value: %(value)r": "无效的 %(type)s 值：%(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是：%(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 中必须给出一个",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知命令 %(parser_name)r（可选：%(choices)s）",
}


def translate(text: str) -> str:
    # Not gettext's catalogues for the rest: clerk ships none, and looking them up loads `locale`
    # and stats the locale folders for every text argparse builds (2 ms of every command).
    return CHINESE.get(text, text)


def install() -> None:
    argparse._ = translate  # type: ignore[attr-defined]
