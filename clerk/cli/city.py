"""`clerk city init --db PATH_OR_URL --login LOGIN --name NAME [--password-stdin]
[--passphrase-env VAR]`: set up the city-level installation (the city in offices.json, code YZ):
its administrator account and its sync keys. Each county then registers the city's public key,
writes its bundle with `clerk export --for YZ`, and the city imports them (`clerk import`).

`clerk city lists --db PATH_OR_URL [--day YYYY-MM-DD] [--follow-up-days N] [--json]
[--limit N] [--offset M]`: the cases that need action across the counties
(`clerk.service.supervision_lists`): each list's count per county, and its entries — every one
with --json (written as they stream), else the first 50; --limit/--offset choose a page. For a
past day the 超期 list is that day's overdue cases (finished late on it, or still being worked
at its end past the due date).

`clerk city report --db PATH_OR_URL --month YYYY-MM [--day YYYY-MM-DD] [--follow-up-days N]
[--json] [--xlsx FILE] [--pdf FILE]`: the supervision figures (`clerk.domain.indicators`) of a month, or of one day of it, per
county office (keyed by office code), point and item, and for the whole city.

Prints Chinese text, or JSON with --json (every figure, the counts behind each rate, the ages per
item); --xlsx also writes a workbook with native charts, --pdf the monthly report (charts, tables,
the 12 months ending with the month), both with the month-by-month trend and the lists that
need action as of the month's end (or today; for a past month the 超期 list is the month's 超期
figure's cases); progress on stderr. Exit status: 0 done; 1 a date or option is wrong.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from datetime import date
from typing import Any, TextIO


def register(subparsers: argparse._SubParsersAction) -> None:
    city = subparsers.add_parser("city", help="市级监督：各县区经办机构的监督统计")
    commands = city.add_subparsers(dest="city_command", metavar="命令")
    city.set_defaults(func=lambda _args: _usage(city))
    p = commands.add_parser("report", help="某月（或某日）的监督统计：按县区、服务点、事项")
    p.add_argument("--db", dest="target_db", help="数据库文件或 postgresql:// 地址")
    p.add_argument("--month", required=True, help="月份，格式 YYYY-MM")
    p.add_argument("--day", help="只统计该月的某一天，格式 YYYY-MM-DD")
    p.add_argument(
        "--follow-up-days",
        type=int,
        help="差评回访期限（工作日，默认取本机设置，未设置为 5）",
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    p.add_argument("--xlsx", dest="xlsx_file", help="同时写出 Excel（.xlsx）文件，含各县区对比图")
    p.add_argument(
        "--pdf", dest="pdf_file", help="同时写出 PDF 月报：各县区对比图、近 12 个月趋势、指标表"
    )
    p.set_defaults(func=run)

    init = commands.add_parser("init", help="设置市级监督安装：管理员账号和同步密钥")
    init.add_argument("--db", dest="target_db", help="数据库文件或 postgresql:// 地址")
    init.add_argument("--login", required=True, help="管理员登录名（英文字母、数字、下划线）")
    init.add_argument("--name", required=True, help="管理员姓名")
    init.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（第一行）")
    init.add_argument(
        "--passphrase-env", metavar="VAR", help="私钥口令所在的环境变量（给私钥加口令时）"
    )
    init.set_defaults(func=run_init)

    lists = commands.add_parser("lists", help="各县区需要处理的办件清单（超期、临期、滞留收件等）")
    lists.add_argument("--db", dest="target_db", help="数据库文件或 postgresql:// 地址")
    lists.add_argument("--day", help="以哪一天为准，格式 YYYY-MM-DD（默认今天）")
    lists.add_argument(
        "--follow-up-days", type=int, help="差评回访期限（工作日，默认取本机设置，未设置为 5）"
    )
    lists.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    lists.add_argument(
        "--limit", type=int, help="每个清单只列出这么多件（默认：--json 全部列出，否则 50 件）"
    )
    lists.add_argument("--offset", type=int, default=0, help="每个清单跳过前面这么多件（翻页）")
    lists.set_defaults(func=run_lists)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 1


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    from clerk.cli._paths import db_target
    from clerk.domain.indicators import Period
    from clerk.service.compose import open_window
    from clerk.service.errors import ServiceError

    matched = re.fullmatch(r"\s*(\d{4})-(\d{2})\s*", args.month or "")
    if not matched or not 1 <= int(matched.group(2)) <= 12:
        return _fail(f"月份“{args.month}”的格式不对，请按 YYYY-MM 填写，例如 2026-11。")
    period = Period.month(int(matched.group(1)), int(matched.group(2)))
    if args.day:
        try:
            day = date.fromisoformat(args.day.strip())
        except ValueError:
            return _fail(f"日期“{args.day}”的格式不对，请按 YYYY-MM-DD 填写。")
        if day not in period:
            return _fail(f"日期 {day.isoformat()} 不在 {args.month} 月内。")
        period = Period.day(day)
    if args.follow_up_days is not None and args.follow_up_days < 1:
        return _fail("差评回访期限至少为 1 个工作日。")

    target = db_target(args)
    from clerk.support.progress import StreamProgress

    progress = StreamProgress(sys.stderr)
    window = open_window(target, create=False)
    try:
        return _report(window, args, period, progress)
    except ServiceError as exc:
        return _fail(str(exc))
    finally:
        window.close()


def _report(window: Any, args: argparse.Namespace, period: Any, progress: Any) -> int:
    """The report's figures, lists and trend, written while the store is open (the lists' entries
    stream from it into the JSON and the workbook)."""
    from clerk.domain.indicators import Period
    from clerk.service.supervision_lists import LIST_ROWS_SHOWN

    report = window.supervision(
        period, args.follow_up_days, lambda n: progress("统计本期办件（件）", n, 0)
    )
    lists = None
    if args.json or args.xlsx_file or args.pdf_file:
        today = window.today()
        past = period.last < today  # a past month (or day): 超期 as its figure counts it
        lists = window.action_lists(
            min(period.last, today),
            args.follow_up_days,
            limit=LIST_ROWS_SHOWN,
            overdue_period=Period(period.first, period.last) if past else None,
        )
    trend = None
    if args.xlsx_file or args.pdf_file:
        trend = window.supervision_trend(
            period.first.year,
            period.first.month,
            follow_up_days=args.follow_up_days,
            progress=lambda n: progress("统计近 12 个月趋势（件）", n, 0),
        )

    def listed(key: str) -> Any:
        assert lists is not None
        return window.listed_cases(lists, key)

    if args.json:
        out = report.as_json()
        if lists is not None:
            out["lists"] = lists.as_json(listed)
        write_json(out, sys.stdout)
    else:
        from clerk.service.supervision import render_text

        print(render_text(report))
    if args.xlsx_file:
        from clerk.service.supervision_export import write_xlsx

        try:
            written = write_xlsx(report, args.xlsx_file, trend, lists, listed)
        except OSError as exc:
            return _fail(
                f"Excel 文件 {args.xlsx_file} 没有写成（{exc.strerror or exc}），"
                "请检查目录是否存在、是否有写入权限。"
            )
        print(f"已写出 Excel 文件：{written}", file=sys.stderr if args.json else sys.stdout)
    if args.pdf_file:
        from clerk.service.supervision_pdf import write_pdf

        assert trend is not None
        try:
            written = write_pdf(report, trend, args.pdf_file, progress, lists)
        except OSError as exc:
            return _fail(
                f"PDF 文件 {args.pdf_file} 没有写成（{exc.strerror or exc}），"
                "请检查目录是否存在、是否有写入权限。"
            )
        print(f"已写出 PDF 文件：{written}", file=sys.stderr if args.json else sys.stdout)
    return 0


def write_json(value: Any, out: TextIO, indent: int = 0) -> None:
    """`value` as indented JSON, writing a generator's items as they come (a list of a million
    entries is never held); other values as `json.dumps` writes them."""
    pad, inner = "  " * indent, "  " * (indent + 1)
    if isinstance(value, dict):
        if not value:
            out.write("{}")
            return
        out.write("{")
        for n, (key, item) in enumerate(value.items()):
            out.write(("," if n else "") + f"\n{inner}{json.dumps(key, ensure_ascii=False)}: ")
            write_json(item, out, indent + 1)
        out.write(f"\n{pad}}}")
    elif isinstance(value, list | Iterator):
        out.write("[")
        n = 0
        for n, item in enumerate(value, 1):
            out.write(("," if n > 1 else "") + f"\n{inner}")
            write_json(item, out, indent + 1)
        out.write(f"\n{pad}]" if n else "]")
    else:
        out.write(json.dumps(value, ensure_ascii=False))
    if indent == 0:
        out.write("\n")


def run_init(args: argparse.Namespace) -> int:
    import getpass

    from clerk.cli._paths import db_target
    from clerk.cli.keys import passphrase_from
    from clerk.service.compose import open_window
    from clerk.service.errors import ServiceError
    from clerk.service.sync_desk import SyncProblem
    from clerk.service.window import SystemActor, UserError
    from clerk.sync.keys import KeyProblem

    try:
        passphrase = passphrase_from(args)
    except KeyProblem as exc:
        return _fail(str(exc))
    window = open_window(db_target(args), create=True)
    try:
        city = window.offices.city
        if city is None:
            return _fail("offices.json 中没有市级（city）条目，无法设置市级监督安装。")
        configured = window.configured_point()
        if configured and configured != city.code:
            return _fail(
                f"这个数据库已设置为 {configured}，不是市级（{city.code}）；请为市级另建一个数据库。"
            )
        if args.password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = getpass.getpass("管理员密码：")
            if getpass.getpass("再次输入密码：") != password:
                return _fail("两次输入的密码不一致，请重新执行命令。")
        actor = SystemActor(login=f"system:{getpass.getuser()}", name="命令行维护")
        try:
            user = window.add_user(
                actor, args.login, args.name, "admin", password, point_code=city.code
            )
        except (UserError, ServiceError) as exc:
            return _fail(f"未能新增管理员：{exc}")
        try:
            public = window.init_keys(passphrase)
        except (KeyProblem, SyncProblem) as exc:
            return _fail(f"管理员已建好，但同步密钥没有生成：{exc}")
        print(
            f"已设置市级监督安装 {city.code}（{city.name}），管理员 {user.login}（{user.name}）。"
        )
        print(f"同步密钥指纹：{public.fingerprint}，私钥保存在 {window.key_dir()}。")
        print(
            "下一步：clerk keys export --out 文件，把市级公钥交给各县区登记（clerk keys add）；"
            "再登记各县区的公钥，电话核对指纹。"
        )
        return 0
    finally:
        window.close()


def run_lists(args: argparse.Namespace) -> int:
    from clerk.cli._paths import db_target
    from clerk.domain.indicators import Period
    from clerk.service.compose import open_window
    from clerk.service.errors import ServiceError
    from clerk.service.supervision_lists import LIST_ROWS_SHOWN, render_lists

    day = None
    if args.day:
        try:
            day = date.fromisoformat(args.day.strip())
        except ValueError:
            return _fail(f"日期“{args.day}”的格式不对，请按 YYYY-MM-DD 填写。")
    if args.follow_up_days is not None and args.follow_up_days < 1:
        return _fail("差评回访期限至少为 1 个工作日。")
    if (args.limit is not None and args.limit < 0) or args.offset < 0:
        return _fail("--limit 和 --offset 不能为负数。")
    window = open_window(db_target(args), create=False)
    try:
        past = day is not None and day < window.today()
        streamed = args.json and args.limit is None
        try:
            found = window.action_lists(
                day,
                args.follow_up_days,
                limit=0 if streamed else (LIST_ROWS_SHOWN if args.limit is None else args.limit),
                offset=args.offset,
                overdue_period=Period.day(day) if past and day is not None else None,
            )
        except ServiceError as exc:
            return _fail(str(exc))
        if args.json:
            write_json(
                found.as_json(
                    (lambda key: window.listed_cases(found, key, offset=args.offset))
                    if streamed
                    else None
                ),
                sys.stdout,
            )
        else:
            print(render_lists(found))
        return 0
    finally:
        window.close()
