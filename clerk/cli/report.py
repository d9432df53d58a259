"""`clerk report --date D [--db PATH] [--point CODE] [--csv FILE] [--xlsx FILE] [--json]`: the daily
ledger (日结单) of one day.

Prints the Chinese text ledger (or JSON with --json); --csv / --xlsx also write files. Exit status:
0 done; 1 the date, point or file is wrong, or the event log fails verification (the ledger is
still printed, marked 未通过).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("report", help="打印某一天的日结单（可另存为 CSV、Excel 文件）")
    p.add_argument("--date", dest="report_date", help="日期，格式 YYYY-MM-DD（默认今天）")
    p.add_argument("--db", dest="target_db", help="数据库文件（默认为本机数据库）")
    p.add_argument(
        "--point", help="只统计该经办机构或服务点的办件（县级机构含其下属服务点）；默认全部"
    )
    p.add_argument("--csv", dest="csv_file", help="同时写出 CSV 文件（Excel 可直接打开）")
    p.add_argument("--xlsx", dest="xlsx_file", help="同时写出 Excel（.xlsx）文件")
    p.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    p.set_defaults(func=run)


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    from clerk.cli._paths import db_missing, db_target
    from clerk.domain.clock import system_clock
    from clerk.service.compose import open_window
    from clerk.service.ledger import LedgerError
    from clerk.service.ledger_export import render_text, to_dict, write_csv, write_xlsx
    from clerk.service.window import ServiceError

    today = system_clock().date()
    day = today
    if args.report_date:
        try:
            day = date.fromisoformat(args.report_date.strip())
        except ValueError:
            return _fail(
                f"日期“{args.report_date}”的格式不对，请按 YYYY-MM-DD 填写，例如 {today.isoformat()}。"
            )
    path = db_target(args)
    if db_missing(path):
        return _fail(f"找不到数据库文件 {path}，请用 --db 指定本机数据库的位置。")

    window = open_window(path)
    try:
        point_code = args.point.strip().upper() if args.point else None
        try:
            ledger = window.ledger(day, point_code, today=today)
        except (LedgerError, ServiceError) as exc:
            return _fail(str(exc))
    finally:
        window.close()

    notes = sys.stderr if args.json else sys.stdout
    if args.json:
        print(json.dumps(to_dict(ledger), ensure_ascii=False, indent=2))
    else:
        print(render_text(ledger))
    for option, writer, kind in (
        (args.csv_file, write_csv, "CSV"),
        (args.xlsx_file, write_xlsx, "Excel"),
    ):
        if not option:
            continue
        try:
            written = writer(ledger, option)
        except OSError as exc:
            return _fail(
                f"{kind} 文件 {option} 没有写成（{exc.strerror or exc}），请检查目录是否存在、是否有写入权限。"
            )
        print(f"已写出 {kind} 文件：{written}", file=notes)
    if not ledger.chain.verified:
        print("注意：事件记录校验未通过，请立即报告系统管理员。", file=sys.stderr)
        return 1
    return 0
