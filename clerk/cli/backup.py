"""`clerk backup --db PATH --out FILE`: a consistent copy of a live database, then verified.

With `--db postgresql://...` it is PostgreSQL's own backup: `pg_dump -Fc` into FILE (0600), then
the copy restored into a scratch database and verified there (`clerk.storage.postgres.tools`);
`--check FILE` checks an existing dump the same way."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from clerk.cli._paths import db_path
from clerk.cli.verify import report_text
from clerk.ports.errors import StorageError
from clerk.ports.verify_report import VerifyProblem, VerifyReport
from clerk.storage.sqlite.files import BackupError, backup_file
from clerk.support.progress import StreamProgress
from clerk.support.targets import is_server


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("backup", help="备份数据库（可在使用中备份）并检查备份文件")
    p.add_argument("--db", dest="target_db", help="要备份的数据库文件（默认为本机数据库）")
    p.add_argument(
        "--out",
        help="备份文件路径（不能是已存在的文件）；给一个文件夹则在其中按日期时间命名",
    )
    p.add_argument(
        "--check",
        metavar="FILE",
        help="不备份，只检查一份已有的 PostgreSQL 备份（pg_dump 文件）：恢复到临时数据库并核验",
    )
    p.add_argument(
        "--with-documents",
        action="store_true",
        help="同时备份文书文件夹（放在备份文件旁的 NAME-documents 文件夹）",
    )
    p.add_argument("--documents", help="文书文件夹（默认为本机数据目录下的 documents）")
    p.add_argument("--json", action="store_true", help="以 JSON 输出备份文件的检查结果")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from datetime import datetime

    from clerk.domain.clock import TZ
    from clerk.service.backups import BackupTargetError, backup_target, documents_target

    target = getattr(args, "target_db", None) or getattr(args, "db", None)
    if is_server(target):
        return _run_on_server(args, target)
    if args.check or not args.out:
        print(
            "备份失败：请用 --out 指定备份文件（--check 只用于 PostgreSQL 的备份文件）。",
            file=sys.stderr,
        )
        return 2
    source = db_path(args)
    args.out = str(backup_target(args.out, datetime.now(TZ)))
    if args.with_documents and documents_target(Path(args.out)).exists():
        print(
            f"备份失败：{documents_target(Path(args.out))} 已存在，请换一个备份文件名。",
            file=sys.stderr,
        )
        return 1
    extra: dict[str, Any] = {}
    try:
        result = backup_file(source, args.out, progress=StreamProgress(sys.stderr))
        if args.with_documents:
            result, extra = _with_documents(args, Path(args.out), result)
    except (BackupError, BackupTargetError) as exc:
        print(f"备份失败：{exc}", file=sys.stderr)
        return 1
    except StorageError as exc:
        print(
            f"备份失败：读取或写入数据库时出错（{exc}），请检查文件和磁盘空间后重试。",
            file=sys.stderr,
        )
        return 1
    if args.json:
        print(
            json.dumps(
                {"db": str(source), "out": str(args.out), **result.as_dict(), **extra},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(f"已备份到 {args.out}")
        if args.with_documents:
            print(
                f"文书已备份到 {extra['documents_folder']}（{extra['document_files']} 个文件，"
                f"取自 {extra['documents_root']}）"
            )
        print(report_text(str(args.out), result))
    return 0 if result["ok"] else 1


def _with_documents(
    args: argparse.Namespace, copy: Path, report: VerifyReport
) -> tuple[VerifyReport, dict[str, Any]]:
    """Copy the documents folder the backed-up record names (or `--documents`) beside the copy,
    then check the copy holds every document file the record names: a backup missing one does
    not pass."""
    from clerk.service.backups import copy_documents, missing_from_copy, recorded_root
    from clerk.storage.sqlite.files import recorded_document_files
    from clerk.support.paths import documents_dir

    if args.documents:
        root = Path(args.documents)
    else:
        root = recorded_root(recorded_document_files(copy), documents_dir())
    folder, count = copy_documents(root, copy)
    missing, shown = missing_from_copy(recorded_document_files(copy), root, folder)
    extra = {
        "documents_root": str(root),
        "documents_folder": str(folder),
        "document_files": count,
        "documents_missing": missing,
    }
    if not missing:
        return report, extra
    message = (
        f"备份的文书不全：数据库登记的 {missing} 个文书文件不在 {root} 中，未能复制"
        f"（如 {'、'.join(shown)}）。文书放在别处时，请用 --documents 指定该文件夹后重新备份；"
        "文件确已不见时，请用 clerk verify --full 检查本机数据库。"
    )
    problem = VerifyProblem("document", message)
    return (
        replace(
            report,
            ok=False,
            problems=(*report.problems, problem),
            problem=report.problem or message,
        ),
        extra,
    )


def _run_on_server(args: argparse.Namespace, url: str) -> int:
    """`pg_dump -Fc` into --out (or only the check of --check), each step reported in Chinese."""
    from datetime import datetime

    from clerk.domain.clock import TZ
    from clerk.service.backups import BackupTargetError, copy_documents, documents_target
    from clerk.storage.postgres.store import safe_location
    from clerk.storage.postgres.tools import DumpError, backup_database, check_dump

    where = safe_location(url)
    if not args.out and not args.check:
        print("备份失败：请用 --out 指定备份文件，或用 --check 检查已有备份。", file=sys.stderr)
        return 2
    progress = StreamProgress(sys.stderr)
    folder: Path | None = None
    count = 0
    try:
        if args.check:
            shown = args.check
            report = check_dump(url, args.check, progress=progress)
        else:
            out = Path(args.out)
            if out.is_dir():
                out = out / f"clerk-backup-{datetime.now(TZ):%Y%m%d-%H%M%S}.dump"
            shown = str(out)
            if args.with_documents and documents_target(out).exists():
                raise BackupTargetError(f"{documents_target(out)} 已存在，请换一个备份文件名。")
            report = backup_database(url, out, progress=progress)
            if args.with_documents:
                from clerk.support.paths import documents_dir

                root = Path(args.documents) if args.documents else documents_dir()
                folder, count = copy_documents(root, out)
    except (DumpError, BackupTargetError) as exc:
        print(f"{'检查' if args.check else '备份'}失败：{exc}", file=sys.stderr)
        return 1
    except StorageError as exc:
        print(f"备份失败：连接或读取数据库 {where} 时出错（{exc}）。", file=sys.stderr)
        return 1
    if args.json:
        print(
            json.dumps(
                {"db": where, "out": shown, "restored_and_verified": True, **report.as_dict()},
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        if not args.check:
            print(f"已备份到 {shown}（pg_dump 自定义格式，仅本用户可读）")
            if args.with_documents:
                print(f"文书已备份到 {folder}（{count} 个文件）")
        print(f"备份文件已恢复到临时数据库并核验（临时数据库已删除）：{shown}")
        print(report_text(f"{shown}（恢复出的副本）", report))
    return 0 if report.ok else 1
