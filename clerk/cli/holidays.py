"""`clerk holidays list` / `clerk holidays install FILE`: the holiday data deadlines are computed on."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from clerk.domain.catalog import DataFileError
from clerk.domain.workdays import (
    WorkCalendar,
    install_holiday_file,
    package_version,
    package_years,
)
from clerk.support.paths import holidays_dir


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("holidays", help="查看或安装节假日安排（用于计算工作日）")
    actions = p.add_subparsers(dest="holidays_action", metavar="操作")
    lst = actions.add_parser("list", help="列出已有节假日数据的年份（默认操作）")
    lst.add_argument("--json", action="store_true", help="以 JSON 输出（供脚本使用）")
    lst.set_defaults(func=run_list)
    inst = actions.add_parser(
        "install", help="安装某一年的节假日文件（JSON，按国务院办公厅通知编写）"
    )
    inst.add_argument("file", help="节假日文件路径")
    inst.add_argument("--db", dest="target_db", help="安装后重算期限的数据库（默认为本机数据库）")
    inst.set_defaults(func=run_install)
    p.set_defaults(func=run_list, json=False)


def _years_text(years: tuple[int, ...]) -> str:
    if not years:
        return "无"
    return f"{years[0]}–{years[-1]}年" if len(years) > 1 else f"{years[0]}年"


PROOF_NOTES = {
    "recorded": "　与本机管理记录一致",
    "differs": "　与本机管理记录不符，请重新安装",
    "unrecorded": "　本机管理记录中没有这份文件的安装记录",
}


def _proof(args: argparse.Namespace, calendar: WorkCalendar) -> dict[int, str]:
    """Each installed year's file against the database's record of its install ({} without a
    database here)."""
    from clerk.cli._paths import db_missing, db_target
    from clerk.service.compose import open_window

    path = db_target(args)
    if db_missing(path):
        return {}
    try:
        window = open_window(path, calendar=calendar)
    except Exception:  # an unusable database: the list still shows the files
        return {}
    try:
        return window.holiday_proof()
    finally:
        window.close()


def run_list(args: argparse.Namespace) -> int:
    directory = holidays_dir()
    calendar = WorkCalendar(directory)
    builtin = package_years()
    installed = [calendar.holiday_file(y) for y in calendar.installed_years()]
    proof = _proof(args, calendar)
    if args.json:
        print(
            json.dumps(
                {
                    "package": {"version": package_version(), "years": list(builtin)},
                    "installed": [
                        {
                            "year": h.year,
                            "source": h.source,
                            "path": str(h.path),
                            "record": proof.get(h.year),
                        }
                        for h in installed
                        if h
                    ],
                    "covered_years": calendar.covered_years(),
                    "holiday_dir": str(directory),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return 0
    lines = ["节假日数据（计算工作日和办结期限的依据）："]
    lines.append(
        f"  {_years_text(builtin)}：chinesecalendar {package_version()} 内置（国务院办公厅历年通知）"
    )
    for h in installed:
        if h is None:
            continue
        note = "已安装，替代内置数据" if h.year in builtin else "已安装"
        mark = PROOF_NOTES.get(proof.get(h.year, ""), "")
        lines.append(f"  {h.year}年：{note}：{h.source}（{h.path}）{mark}")
    lines.append(f"节假日文件目录：{directory}")
    lines.append(
        "其他年份没有国务院通知：涉及这些年份的期限"
        "按周一至周五上班、跳过《全国年节及纪念日放假办法》规定的法定节假日（元旦、春节、清明、"
        "劳动节、端午、中秋、国庆）暂定计算，不含调休上班日和连休，并标为“暂定”。"
        "国务院办公厅发布新一年节假日安排后，请用 clerk holidays install 文件 安装"
        "（县级经办机构的每台电脑都要安装；服务点导入县级经办机构的回执包时自动安装，"
        "不导入回执包的服务点电脑也要安装）。"
    )
    print("\n".join(lines))
    return 0


def run_install(args: argparse.Namespace) -> int:
    path = Path(args.file)
    directory = holidays_dir()
    try:
        data = install_holiday_file(path, directory)
    except DataFileError as exc:
        print(f"节假日文件有误，未安装：{exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"无法写入节假日文件目录 {directory}（{exc.strerror}），未安装。", file=sys.stderr)
        return 1
    replaced = "（替代 chinesecalendar 内置的该年数据）" if data.year in package_years() else ""
    print(
        f"已安装 {data.year} 年节假日安排{replaced}：{data.source}；"
        f"节假日 {len(data.holidays)} 天，调休上班 {len(data.workdays)} 天。"
    )
    # Loading the whole directory again shows at once whether another installed file is broken.
    try:
        calendar = WorkCalendar(directory)
    except DataFileError as exc:
        print(f"注意：目录中另有节假日文件有误，请改正后重新安装：{exc}", file=sys.stderr)
        return 1
    return recompute_open_cases(args, calendar, installed=data.year)


def recompute_open_cases(
    args: argparse.Namespace, calendar: WorkCalendar, *, installed: int | None = None
) -> int:
    """Recompute the deadlines of the open cases in the local database, if there is one; the
    file just `installed` (a year) is recorded in its administrative chain first."""
    import getpass

    from clerk.cli._paths import db_missing, db_target
    from clerk.service.compose import open_window
    from clerk.service.window import SystemActor

    path = db_target(args)
    if db_missing(path):
        print(f"未找到数据库 {path}，没有需要重算的办件。")
        return 0
    window = open_window(path, calendar=calendar)
    try:
        actor = SystemActor(login=f"system:{getpass.getuser()}")
        if installed is not None:
            window.record_holiday_install(actor, installed)
        changed = window.recompute_deadlines(actor)
    finally:
        window.close()
    if not changed:
        print("在办案件的办结期限无需调整。")
        return 0
    print(f"已重算 {len(changed)} 件在办案件的办结期限：")
    for c in changed:
        note = "（仍为暂定）" if c.provisional else ""
        print(f"  {c.case_no}：{c.previous_due.isoformat()} → {c.due.isoformat()}{note}")
    return 0
