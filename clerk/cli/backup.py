"""`clerk backup --db PATH --out FILE`: a consistent copy of a live database, then verified."""

from __future__ import annotations

import argparse
import json
import sys

from clerk.cli.verify import db_path, report_text
from clerk.storage.errors import StorageError
from clerk.storage.files import BackupError, backup_file


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("backup", help="备份数据库（可在使用中备份）并检查备份文件")
    p.add_argument("--db", dest="target_db", help="要备份的数据库文件（默认为本机数据库）")
    p.add_argument("--out", required=True, help="备份文件路径（不能是已存在的文件）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出备份文件的检查结果")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    source = db_path(args)
    try:
        result = backup_file(source, args.out)
    except BackupError as exc:
        print(f"备份失败：{exc}", file=sys.stderr)
        return 1
    except StorageError as exc:
        print(f"备份失败：读取或写入数据库时出错（{exc}），请检查文件和磁盘空间后重试。", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps({"db": str(source), "out": str(args.out), **result}, ensure_ascii=False, indent=2))
    else:
        print(f"已备份到 {args.out}")
        print(report_text(str(args.out), result))
    return 0 if result["ok"] else 1
