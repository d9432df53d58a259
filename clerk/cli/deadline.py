"""`clerk deadline ITEM DATE [--online] [--json]`: the due date of an item accepted on DATE."""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import date

from clerk.domain.catalog import Catalog, Item, default_catalog
from clerk.domain.deadlines import DeadlineRangeError, compute_deadline, missing_years
from clerk.domain.model import Deadline
from clerk.domain.workdays import WorkCalendar, weekday_label

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("deadline", help="计算事项的办结期限（按省清单时限和节假日安排）")
    p.add_argument("item", help="事项序号（1–39）或子项编码")
    p.add_argument(
        "date",
        help="受理日期 YYYY-MM-DD（事项38、39为定点机构申报截止日）",
    )
    p.add_argument(
        "--online", action="store_true", help="线上办理（有单独线上时限的事项按线上时限）"
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    p.set_defaults(func=run)


def find_item(catalog: Catalog, text: str) -> Item | None:
    """An item by its number (1-39) or by a sub-item code that names exactly one item."""
    text = text.strip()
    if text.isdigit() and len(text) <= 2:
        no = int(text)
        return catalog.item(no) if 1 <= no <= len(catalog.items) else None
    items = catalog.by_code(text)
    return items[0] if len(items) == 1 else None


def parse_date(text: str) -> date | None:
    text = text.strip()
    if not _DATE_RE.match(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _day(d: date) -> str:
    return f"{d.isoformat()}（{weekday_label(d)}）"


def run(args: argparse.Namespace) -> int:
    catalog = default_catalog()
    item = find_item(catalog, args.item)
    if item is None:
        print(
            f"没有找到事项“{args.item}”：请输入 1–{len(catalog.items)} 的序号，"
            "或只对应一个事项的12位子项编码（可用 clerk catalog 查看）。",
            file=sys.stderr,
        )
        return 1
    start = parse_date(args.date)
    if start is None:
        print(f"日期“{args.date}”无效：请按 YYYY-MM-DD 输入，例如 2026-09-18。", file=sys.stderr)
        return 1
    calendar = WorkCalendar.default()
    try:
        deadline = compute_deadline(item, start, online=args.online, calendar=calendar)
    except DeadlineRangeError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    missing = missing_years(deadline, calendar)
    if args.json:
        print(
            json.dumps(
                {
                    "item": item.no,
                    "name": item.name,
                    "start": start.isoformat(),
                    "start_kind": item.time_limit.start,
                    "due": deadline.due.isoformat(),
                    "due_weekday": weekday_label(deadline.due),
                    "provisional": deadline.provisional,
                    "missing_years": missing,
                    "kind": deadline.kind,
                    "days": deadline.days,
                    "online": bool(args.online),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    print(deadline_text(item, deadline, online=args.online, missing=missing))
    return 0


def limit_text(kind: str, days: int) -> str:
    """即时办结 / 20个工作日 / 80个自然日 for one channel's figure."""
    if kind == "instant":
        return "即时办结"
    return f"{days}个{'工作日' if kind == 'working_days' else '自然日'}"


def deadline_text(item: Item, deadline: Deadline, *, online: bool, missing: list[int]) -> str:
    """The Chinese answer of `clerk deadline` (without --json)."""
    channel = "线上办理" if online else "现场办理"
    rule = limit_text(deadline.kind, deadline.days)
    lines = [f"【{item.no}】{item.name}"]
    if item.time_limit.start == "after_declaration_deadline":
        lines.append(f"申报截止日：{_day(deadline.start)}")
        rule = f"自申报截止次日起{rule}，至医保基金拨付"
    else:
        lines.append(f"受理日期：{_day(deadline.start)}")
    lines.append(f"办理时限：{rule}（{channel}，按省清单）")
    suffix = "，当场办结" if deadline.kind == "instant" else ""
    lines.append(f"办结期限：{_day(deadline.due)}{suffix}")
    local = item.local.time_limit if item.local is not None else None
    if local is not None:
        local_one = local.for_channel(online)
        if (local_one.kind, local_one.days) != (deadline.kind, deadline.days):
            lines.append(
                f"注：永州办事指南写的是“{limit_text(local_one.kind, local_one.days)}”，"
                "与省清单不一致，按省清单执行。"
            )
    if deadline.provisional:
        years = "、".join(f"{y}年" for y in missing) or "部分年份"
        lines.append(
            f"暂定：{years}的节假日安排尚未安装，期间按周一至周五上班、只跳过法定节假日计算"
            "（不含调休上班日和连休），实际期限可能不同。"
            "国务院办公厅发布该年节假日安排后，请用 clerk holidays install 文件 安装，再重新计算。"
        )
    return "\n".join(lines)
