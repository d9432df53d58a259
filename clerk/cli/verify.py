"""`clerk verify --db PATH [--full] [--json]`: prove the record (chains, cases, documents, checkpoints)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from clerk.cli._paths import db_path
from clerk.ports.verify_report import RECENT_DAYS, VerifyReport
from clerk.storage.sqlite.files import upgrade_file, verify_file
from clerk.support.progress import StreamProgress
from clerk.support.targets import is_server

__all__ = ["register", "report_text", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "verify", help="核验数据库：事件哈希链、办件与事件是否一致、文书文件、链头检查点"
    )
    p.add_argument("--db", dest="target_db", help="要检查的数据库文件（默认为本机数据库）")
    p.add_argument(
        "--full",
        action="store_true",
        help="完整核验（含文件结构检查和全部办件、文书）；默认只核验上次核验以来的变动",
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    target = getattr(args, "target_db", None)
    if is_server(target):
        return _run_on_server(args, target)
    path = db_path(args)
    upgraded = upgrade_file(path)
    if upgraded is not None and not args.json:
        print(f"已将数据库从版本 {upgraded[0]} 升级到 {upgraded[1]}（原有记录不变）。")
    tidy_crash_leftovers(path)
    report = verify_file(path, full=args.full, progress=StreamProgress(sys.stderr))
    if args.json:
        print(json.dumps({"db": str(path), **report.as_dict()}, ensure_ascii=False, indent=2))
    else:
        print(report_text(str(path), report))
    return 0 if report.ok else 1


def tidy_crash_leftovers(path: Path) -> int:
    """Settle what a killed decision left in this machine's documents folder, as the app does at
    start-up (`clerk.documents.tidy`: only the files a dead attempt's journal names, so bounded by
    the crashes, not by the folder), before verify judges orphan files: a crash is not a deleted
    record. Only against the file whose documents live there. Returns the files set aside."""
    from clerk.support.paths import crash_journals, documents_dir

    root = documents_dir()
    if not crash_journals(root):
        return 0  # no decision died in flight: nothing of the tidy is loaded
    from clerk.documents.tidy import tidy_documents
    from clerk.storage.sqlite.files import document_index

    with document_index(path, root) as document_at:
        if document_at is None:
            return 0
        try:
            return len(tidy_documents(root, document_at).set_aside)
        except OSError:
            return 0  # a folder it may not touch: verify reports what it finds


def _run_on_server(args: argparse.Namespace, url: str) -> int:
    """`clerk verify --db postgresql://...`: open (migrating as the owner), prove, report."""
    from clerk.db import open_store

    store = open_store(url)
    try:
        report = store.verify(full=args.full)
        where = store.location
    finally:
        store.close()
    if args.json:
        print(json.dumps({"db": where, **report.as_dict()}, ensure_ascii=False, indent=2))
    else:
        print(report_text(where, report))
    return 0 if report.ok else 1


def report_text(path: str, result: VerifyReport | Mapping[str, Any]) -> str:
    """The Chinese summary `clerk verify` prints (also used by `clerk backup`)."""
    report = VerifyReport.from_dict(result)
    lines = [f"数据库：{path}"]
    mode = report.mode
    if mode:
        lines.append(
            "核验方式：" + ("完整核验" if mode == "full" else "增量核验（自上次核验以来）")
        )
    if report.escalated:
        lines.append(f"  {report.escalated}")
    integrity = report.integrity
    if integrity == "ok":
        lines.append("文件结构：正常")
    elif integrity == "not checked":
        lines.append("文件结构：本次未检查（完整核验请加 --full）")
    else:
        lines.append("文件结构：异常")
        if isinstance(integrity, list):
            lines.extend(f"  {m}" for m in integrity[:20])
    for c in report.chains:
        if c.ok:
            lines.append(
                f"事件记录（来源 {c.origin}）：共 {c.seq} 条，本次核验 {c.walked} 条，哈希链完整"
                + (f"，链头 {c.hash[:16]}…" if c.hash else "")
            )
        else:
            lines.append(f"事件记录（来源 {c.origin}）：哈希链在第 {c.broken_at} 条断开")
    if not report.chains and report.mode:
        lines.append("事件记录：尚无")
    if report.mode:
        lines.append(
            f"办件核对：{report.cases} 件；文书核对：{report.documents} 份；"
            f"链头检查点：{report.checkpoints} 个"
        )
    if report.recent_files_unchanged:
        lines.append(
            f"近 {RECENT_DAYS} 天文书的文件：上次查看以来没有新文书，所在文件夹也没有改动，本次不必重看"
        )
    elif report.recent_files is not None:
        lines.append(f"近 {RECENT_DAYS} 天文书的文件：查看 {report.recent_files} 个")
    problems = report.problems
    if report.ok:
        lines.append("结论：检查通过。")
    else:
        lines.append(f"结论：检查未通过，发现 {len(problems)} 处问题：")
        lines.extend(f"  - {p.message}" for p in problems[:50])
        if len(problems) > 50:
            lines.append(f"  ……另有 {len(problems) - 50} 处，请用 --json 查看全部。")
    return "\n".join(lines)
