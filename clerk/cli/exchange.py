"""`clerk export` and `clerk import`: the end-of-day bundle between a service point and its county office.

    clerk export --db PATH --out DIR [--for POINT] [--json] [--passphrase-env VAR]
    clerk import FILE --db PATH [--json] [--passphrase-env VAR]

Exit status: 0 written / imported (a duplicate counts: nothing changed); 1 refused, or a gap
(nothing changed; the message says which bundle to bring), or records were reported as
conflicting (the rest was imported).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from clerk.cli.keys import passphrase_from
from clerk.support.progress import StreamProgress


def register(subparsers: argparse._SubParsersAction) -> None:
    ex = subparsers.add_parser(
        "export",
        help="写出上报包（服务点→县级；县级→市级用 --for 市级编码）或回执包（用 --for）",
    )
    ex.add_argument(
        "--db", dest="target_db", help="数据库文件或 postgresql:// 地址（默认为本机数据库）"
    )
    ex.add_argument("--out", required=True, help="写到哪个目录，如 U 盘 /media/usb")
    ex.add_argument(
        "--for",
        dest="for_point",
        help="县级经办机构：写给哪个服务点（或市级，如 YZ）；市级：写给哪个县区的回执包",
    )
    ex.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    ex.add_argument(
        "--passphrase-env", metavar="VAR", help="私钥口令所在的环境变量（私钥有口令时）"
    )
    ex.set_defaults(func=run_export)

    im = subparsers.add_parser(
        "import", help="导入对方的上报包或回执包（先全部核验，再一次性写入）"
    )
    im.add_argument("file", nargs="+", help="上报包文件（.clerkbundle）；市级可一次给多个县区的包")
    im.add_argument(
        "--db", dest="target_db", help="数据库文件或 postgresql:// 地址（默认为本机数据库）"
    )
    im.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    im.add_argument(
        "--passphrase-env", metavar="VAR", help="私钥口令所在的环境变量（私钥有口令时）"
    )
    im.set_defaults(func=run_import)


def _window(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from clerk.cli._paths import db_target
    from clerk.service.compose import open_window
    from clerk.support.paths import documents_dir

    path = db_target(args)
    if isinstance(path, Path) and not path.is_file():
        raise FileNotFoundError(path)
    return open_window(path, documents_root=documents_dir(), create=False)


def run_export(args: argparse.Namespace) -> int:
    from clerk.service.sync_desk import SyncProblem
    from clerk.sync.keys import KeyProblem

    try:
        passphrase = passphrase_from(args)
        window = _window(args)
    except KeyProblem as exc:
        return _fail(args, "keys", str(exc))
    except FileNotFoundError as exc:
        return _fail(args, "no_db", f"找不到数据库文件 {exc}，请用 --db 指定。")
    try:
        shown = StreamProgress(sys.stderr)
        result = window.export_bundle(
            Path(args.out),
            for_point=args.for_point,
            passphrase=passphrase,
            progress=lambda done, total: shown("写出上报包", done, total),
        )
    except SyncProblem as exc:
        return _fail(args, "export", str(exc))
    finally:
        window.store.close()
    if args.json:
        print(
            json.dumps(
                {
                    "ok": True,
                    "file": str(result.path),
                    "to": result.receiver,
                    "seq": result.seq,
                    "hash": result.digest,
                    "counts": result.counts,
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        c = result.counts
        print(f"已写出第 {result.seq} 号包（给 {result.receiver}）：{result.path}")
        print(
            f"办件 {c.get('cases', 0)} 件，事件 {c.get('events', 0)} 条，文书 {c.get('documents', 0)} 份。"
        )
        print("包内含对方尚未确认收到的全部记录；本机记录不会删除。")
    return 0


def run_import(args: argparse.Namespace) -> int:
    from clerk.sync.keys import KeyProblem

    files = [Path(f) for f in args.file]
    try:
        passphrase = passphrase_from(args)
        _window(args).store.close()  # the database is there before any thread starts
    except KeyProblem as exc:
        return _fail(args, "keys", str(exc))
    except FileNotFoundError as exc:
        return _fail(args, "no_db", f"找不到数据库文件 {exc}，请用 --db 指定。")
    if len(files) == 1:
        reports = [(files[0], _import_one(args, files[0], passphrase, StreamProgress(sys.stderr)))]
    else:
        from clerk.sync.fan_in import import_all

        reports = import_all(files, lambda path: _import_one(args, path, passphrase, None))
    from clerk.sync.exchange import report_text

    if args.json:
        shown = [r.to_json() for _, r in reports]
        print(json.dumps(shown[0] if len(shown) == 1 else shown, ensure_ascii=False, indent=2))
    else:
        for path, report in reports:
            prefix = f"{path.name}：" if len(reports) > 1 else ""
            print(prefix + report_text(report), file=sys.stdout if report.ok else sys.stderr)
    return 1 if any(not r.ok or r.rejected for _, r in reports) else 0


def _import_one(args: argparse.Namespace, path: Path, passphrase: str | None, progress):  # type: ignore[no-untyped-def]
    """One bundle through its own window (its own connection and transaction)."""
    window = _window(args)
    try:
        return window.import_bundle(path, passphrase=passphrase, progress=progress)
    finally:
        window.store.close()


def _fail(args: argparse.Namespace, code: str, message: str) -> int:
    if getattr(args, "json", False):
        print(
            json.dumps(
                {"ok": False, "status": "refused", "refusal": code, "message": message},
                ensure_ascii=False,
            )
        )
    else:
        print(f"未完成：{message}", file=sys.stderr)
    return 1
