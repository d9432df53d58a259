"""`clerk point add|remove|list`: declare the township halls, village centres and colleges under an office."""

from __future__ import annotations

import argparse
import sys

from clerk.domain.offices import POINT_KINDS
from clerk.service.administration import DECLARABLE_KINDS


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("point", help="登记或查看乡镇、村（社区）、院校等服务点")
    actions = p.add_subparsers(dest="point_action", metavar="操作")
    add = actions.add_parser("add", help="登记一个服务点")
    add.add_argument("--db", dest="target_db", help="数据库文件（默认为本机数据库）")
    add.add_argument(
        "--code", required=True, help="服务点编码：2–10 位大写字母或数字，全市唯一，如 LS01"
    )
    add.add_argument("--name", required=True, help="服务点名称")
    kinds = list(DECLARABLE_KINDS)
    add.add_argument(
        "--kind",
        required=True,
        choices=kinds,
        help="类型：" + "、".join(f"{k}={POINT_KINDS[k]}" for k in kinds),
    )
    add.add_argument(
        "--office", required=True, help="所属县级经办机构编码，如 YZ03（见 clerk point list）"
    )
    add.set_defaults(func=run_add)
    rm = actions.add_parser(
        "remove", help="撤销一个登记错了的服务点（仅限尚无办件、账号、同步记录的自行登记服务点）"
    )
    rm.add_argument("--db", dest="target_db", help="数据库文件（默认为本机数据库）")
    rm.add_argument("--code", required=True, help="要撤销的服务点编码，如 LS09")
    rm.set_defaults(func=run_remove)
    lst = actions.add_parser("list", help="列出经办机构和已登记的服务点（默认操作）")
    lst.add_argument("--db", dest="target_db", help="数据库文件（默认为本机数据库）")
    lst.set_defaults(func=run_list)
    p.set_defaults(func=run_list)


def run_add(args: argparse.Namespace) -> int:
    from clerk.cli.user import _actor, _window
    from clerk.service.window import ServiceError

    window = _window(args, create=True)
    try:
        new = window.declare_point(_actor(), args.code, args.name, args.kind, args.office)
    except ServiceError as exc:
        print(f"未登记：{exc}", file=sys.stderr)
        return 1
    finally:
        window.close()
    print(f"已登记服务点 {new.code}　{new.name}（{POINT_KINDS[new.kind]}，所属 {new.office}）。")
    print("该服务点的电脑首次启动 clerk 时，在初始设置中选择它。")
    return 0


def run_remove(args: argparse.Namespace) -> int:
    from clerk.cli.user import _actor, _window
    from clerk.service.window import ServiceError

    window = _window(args)
    try:
        gone = window.remove_point(_actor(), args.code)
    except ServiceError as exc:
        print(f"未撤销：{exc}", file=sys.stderr)
        return 1
    finally:
        window.close()
    print(f"已撤销服务点 {gone.code}　{gone.name}（记入管理记录）。")
    print("如需重新登记（如名称或所属有误），用 clerk point add。")
    return 0


def run_list(args: argparse.Namespace) -> int:
    from clerk.cli._paths import db_missing, db_target
    from clerk.cli.user import _window
    from clerk.domain.offices import ServicePoint, default_offices

    offices = default_offices()
    points: list[ServicePoint] = []
    if not db_missing(db_target(args)):
        window = _window(args)
        try:
            points = window.declared_points()
        finally:
            window.close()
    for office in offices.offices:
        print(f"{office.code}　{office.area}　{office.name}　监督电话 {office.phone}")
        for p in [*offices.points_of(office.code)]:
            print(f"    {p.code}　{p.name}（{POINT_KINDS[p.kind]}）")
        for point in points:
            if point.office == office.code:
                print(f"    {point.code}　{point.name}（{POINT_KINDS[point.kind]}）")
    return 0
