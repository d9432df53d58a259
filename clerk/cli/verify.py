"""`clerk verify --db PATH [--json]`: check the file's integrity and the event hash chain."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from clerk.storage.files import verify_file


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("verify", help="检查数据库完整性和事件记录哈希链")
    p.add_argument("--db", dest="target_db", help="要检查的数据库文件（默认为本机数据库）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    path = db_path(args)
    result = verify_file(path)
    if args.json:
        print(json.dumps({"db": str(path), **result}, ensure_ascii=False, indent=2))
    else:
        print(report_text(str(path), result))
    return 0 if result["ok"] else 1


def report_text(path: str, result: dict) -> str:
    """The Chinese summary `clerk verify` prints (also used by `clerk backup`)."""
    lines = [f"数据库：{path}"]
    integrity = result["integrity"]
    lines.append("文件结构：正常" if integrity == "ok" else "文件结构：异常")
    if isinstance(integrity, list):
        lines.extend(f"  {m}" for m in integrity[:20])
    if result["chain_ok"]:
        lines.append(f"事件记录：{result['events']} 条，哈希链完整")
    elif result["first_broken"] is not None:
        lines.append(f"事件记录：{result['events']} 条，哈希链在第 {result['first_broken']} 条断开")
    else:
        lines.append("事件记录：未能检查")
    if result["ok"]:
        lines.append("结论：检查通过。")
    else:
        lines.append(f"结论：检查未通过。{result['problem']}")
    return "\n".join(lines)


def db_path(args: argparse.Namespace) -> Path:
    """The file a maintenance command works on: its own --db, the global --db, or the default."""
    chosen = getattr(args, "target_db", None) or getattr(args, "db", None)
    if chosen:
        return Path(chosen)
    from clerk.paths import default_db_path

    return default_db_path()
