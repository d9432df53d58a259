"""`clerk roster template|import`: a college's student roster (表6), enrolled in one go.

    clerk roster template --out FILE.xlsx
    clerk roster import FILE [--db PATH] [--json] [--accept-valid] [--seal-checked]
                             [--login L [--password-stdin]]

`import` checks every row first and lists every problem by row and column. It enrols only when
the roster has no row to correct (or `--accept-valid` is given: the valid rows are enrolled and a
notice lists the rows to correct), the clerk confirms the paper roster bears the school's seal
(`--seal-checked`) and signs in (`--login`; the password is asked for, or read from stdin).
Without those it is a check only and stores nothing. Students already enrolled are skipped.

Exit status: 0 enrolled, or nothing left to enrol; 1 nothing enrolled (problems, no seal
confirmation, no login) or the file cannot be read; 2 the database cannot be opened.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "roster", help="大中专院校学生名册（表6）：生成模板、检查并批量参保登记"
    )
    sub = p.add_subparsers(dest="roster_command", metavar="操作", required=True)
    tpl = sub.add_parser("template", help="生成学校填写的名册模板（Excel）")
    tpl.add_argument("--out", required=True, help="模板文件路径，如 表6名册.xlsx")
    tpl.set_defaults(func=run_template)
    imp = sub.add_parser("import", help="检查名册；无误（或加 --accept-valid）时整批登记")
    imp.add_argument("file", help="学校报送的名册（.xlsx 或 .csv）")
    imp.add_argument("--db", dest="target_db", help="数据库文件（默认为本机数据库）")
    imp.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    imp.add_argument(
        "--accept-valid",
        action="store_true",
        help="名册有需更正的行时，先登记无误的学生并出具更正告知书",
    )
    imp.add_argument("--seal-checked", action="store_true", help="已核验纸质汇总表加盖了学校公章")
    imp.add_argument("--login", help="经办人登录名（登记时必填）")
    imp.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（第一行）")
    imp.set_defaults(func=run_import)


def run_template(args: argparse.Namespace) -> int:
    from clerk.roster import write_template

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        print(f"模板是 Excel 工作簿，文件名请以 .xlsx 结尾（现为“{out.name}”）。", file=sys.stderr)
        return 1
    if out.exists():
        print(f"文件 {out} 已存在，未覆盖。请换一个文件名。", file=sys.stderr)
        return 1
    try:
        write_template(out)
    except OSError as exc:
        print(
            f"模板没有写成（{exc.strerror or exc}）：{out}。请检查文件夹是否存在、是否有写入权限。",
            file=sys.stderr,
        )
        return 1
    print(f"已生成名册模板：{out}")
    print("请学校在“参保登记汇总表”工作表中每名学生填一行（填写要求见“填写说明”工作表），")
    print("随电子名册报送加盖学校公章的纸质汇总表。")
    return 0


class _Progress:
    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.last = 0

    def __call__(self, done: int, total: int) -> None:
        if self.tty:
            print(f"\r登记中… {done}/{total}", end="", file=self.stream, flush=True)
            if done == total:
                print(file=self.stream)
        elif done == total or done - self.last >= 1000:
            print(f"登记中… {done}/{total}", file=self.stream, flush=True)
            self.last = done


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return getpass.getpass(f"{args.login} 的密码：")


def run_import(args: argparse.Namespace) -> int:
    from clerk.cli._paths import db_missing, db_target
    from clerk.db import AuthError
    from clerk.roster.report import report_lines
    from clerk.service.compose import open_window
    from clerk.service.window import ServiceError
    from clerk.support.paths import documents_dir

    path = db_target(args)
    if db_missing(path):
        print(f"找不到数据库文件 {path}，请用 --db 指定本机数据库的位置。", file=sys.stderr)
        return 1
    source = Path(args.file)
    if not source.is_file():
        print(f"找不到名册文件 {source}，请核对路径。", file=sys.stderr)
        return 1
    out = sys.stderr if args.json else sys.stdout
    window = open_window(path, documents_root=documents_dir())
    try:
        result: dict[str, Any] = {"file": str(source), "imported": False, "batch": None}
        where = window.roster_point_problem()
        if where:
            return _finish(args, result, where, 1)
        try:
            check = window.check_roster(source)
        except ServiceError as exc:
            return _finish(args, result, str(exc), 1)
        result.update(_check_json(check))
        earlier = window.earlier_batches(check)
        result["earlier_batches"] = [e.__dict__ for e in earlier]
        if not args.json:
            print("\n".join(report_lines(check)), file=out)
            for e in earlier:
                print(
                    f"注意：这个文件已于 {e.received_at[:16].replace('T', ' ')} 导入过（批次 {e.batch_no}，"
                    f"登记 {e.enrolled} 人）。",
                    file=out,
                )
        if check.file_problems:
            return _finish(
                args, result, "未导入：名册文件本身有问题，请学校按模板改正后重新报送。", 1
            )
        if not check.students:
            if check.enrolled:
                rest = (
                    f"另有 {len(check.bad_rows)} 行仍需更正（见上）。" if check.row_problems else ""
                )
                return _finish(
                    args,
                    result,
                    f"没有需要登记的学生：{len(check.enrolled)} 人已参保登记，本次没有重复登记任何人。{rest}",
                    0,
                )
            return _finish(
                args, result, "未导入：名册中没有一行无误，请学校按上列问题改正后重新报送。", 1
            )
        if check.row_problems and not args.accept_valid:
            return _finish(
                args,
                result,
                f"未导入任何学生。请学校改正上列 {len(check.bad_rows)} 行后重新报送；"
                f"或加 --accept-valid 先登记无误的 {len(check.students)} 人，并打印名册信息更正告知书。",
                1,
            )
        if not args.seal_checked:
            return _finish(
                args,
                result,
                f"检查完毕，可登记 {len(check.students)} 人，尚未导入。请核验纸质汇总表（表6）已加盖学校公章，"
                "然后加 --seal-checked 和 --login 经办人 再次运行。",
                1,
            )
        if not args.login:
            return _finish(
                args, result, "请用 --login 指明经办人的登录名（登记时将要求输入密码）。", 1
            )
        try:
            user = window.login(args.login, _password(args))
        except AuthError as exc:
            return _finish(args, result, str(exc), 1)
        try:
            batch = window.enrol_roster(
                user,
                check,
                seal_checked=True,
                accept_valid=args.accept_valid,
                progress=_Progress(sys.stderr),
            )
        except ServiceError as exc:
            return _finish(args, result, f"未导入：{exc}", 1)
    finally:
        window.close()
    result["imported"] = True
    result["batch"] = {
        "batch_no": batch.batch_no,
        "enrolled": batch.enrolled,
        "first_case_no": batch.first_case_no,
        "last_case_no": batch.last_case_no,
        "to_correct": batch.to_correct,
        "skipped": batch.skipped,
        "receipt": str(batch.receipt.path_pdf),
        "notice": str(batch.notice.path_pdf) if batch.notice else None,
    }
    lines = [
        f"已登记 {batch.enrolled} 人（批次 {batch.batch_no}），办件编号 {batch.first_case_no} 至 {batch.last_case_no}。",
        f"受理回执：{batch.receipt.path_pdf}（请打印两联，存档联由学校经办人签字）",
    ]
    if batch.notice:
        lines.append(
            f"名册信息更正告知书（{batch.to_correct} 行）：{batch.notice.path_pdf}（请交学校改正后重新报送）"
        )
    return _finish(args, result, "\n".join(lines), 0)


def _check_json(check: Any) -> dict[str, Any]:
    return {
        "sha256": check.sha256,
        "kind": check.kind,
        "rows": check.data_rows,
        "valid": len(check.students),
        "to_correct": len(check.bad_rows),
        "skipped": len(check.enrolled),
        "problems": [
            {"row": p.row, "column": p.column, "message": p.message, "kind": p.kind}
            for p in check.problems
        ],
    }


def _finish(args: argparse.Namespace, result: dict[str, Any], message: str, status: int) -> int:
    result["message"] = message
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(message, file=sys.stdout if status == 0 else sys.stderr)
    return status
