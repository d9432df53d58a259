"""`clerk user add|list|passwd`: accounts from the command line (the first administrator, too).

    clerk user add --db PATH --login L --name N --role R [--point CODE] [--password-stdin]
    clerk user list --db PATH [--json]
    clerk user passwd --db PATH --login L [--password-stdin]

Without `--password-stdin` the password is asked for twice at a prompt that does not echo.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from typing import TYPE_CHECKING, Any

from clerk.cli._paths import db_target
from clerk.domain.limits import MIN_PASSWORD_LENGTH
from clerk.domain.model import ROLE_LABELS, Role

if TYPE_CHECKING:
    from clerk.service.window import SystemActor, Window


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("user", help="管理用户账号（新增、列出、重设密码）")
    sub = p.add_subparsers(dest="user_command", metavar="操作", required=True)

    add = sub.add_parser("add", help="新增用户（首次使用时用它创建系统管理员）")
    _db(add)
    add.add_argument("--login", required=True, help="登录名（英文字母、数字、下划线）")
    add.add_argument("--name", required=True, help="姓名")
    roles = "、".join(f"{r}（{ROLE_LABELS[r]}）" for r in Role)
    add.add_argument(
        "--role",
        required=True,
        choices=[str(r) for r in Role],
        metavar="ROLE",
        help=f"角色：{roles}",
    )
    add.add_argument("--point", help="所属经办机构或服务点编码（默认为本机设置的编码）")
    add.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（第一行）")
    add.set_defaults(func=run_add)

    lst = sub.add_parser("list", help="列出用户")
    _db(lst)
    lst.add_argument("--json", action="store_true", help="以 JSON 输出")
    lst.set_defaults(func=run_list)

    pw = sub.add_parser("passwd", help="重设用户密码（同时解除锁定）")
    _db(pw)
    pw.add_argument("--login", required=True, help="登录名")
    pw.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（第一行）")
    pw.set_defaults(func=run_passwd)


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", dest="target_db", help="数据库文件（默认为本机数据库）")


def _window(args: argparse.Namespace, *, create: bool = False) -> Window:
    """The window on --db; only `user add` (an administrator for a new file) may create one."""
    from clerk.service.compose import open_window

    return open_window(db_target(args), create=create)


def _actor() -> SystemActor:
    """Whoever runs the command holds the database file: they act as its administrator."""
    import getpass

    from clerk.service.window import SystemActor

    return SystemActor(login=f"system:{getpass.getuser()}", name="命令行维护")


def _read_password(args: argparse.Namespace) -> str | None:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass(f"密码（至少{MIN_PASSWORD_LENGTH}个字符）：")
    second = getpass.getpass("再次输入密码：")
    if first != second:
        print("两次输入的密码不一致，请重新执行命令。", file=sys.stderr)
        return None
    return first


def run_add(args: argparse.Namespace) -> int:
    from clerk.service.window import ServiceError, UserError

    window = _window(args, create=True)
    try:
        configured = window.configured_point()
        point = args.point or configured
        if not point:
            print(
                "本机尚未设置所属经办机构或服务点，请用 --point 指定编码（例如 --point YZ01）。",
                file=sys.stderr,
            )
            return 1
        password = _read_password(args)
        if password is None:
            return 1
        try:
            user = window.add_user(
                _actor(), args.login, args.name, args.role, password, point_code=point
            )
        except (UserError, ServiceError) as exc:
            print(f"未能新增用户：{exc}", file=sys.stderr)
            return 1
        print(
            f"已新增用户 {user.login}（{user.name}，{ROLE_LABELS[user.role]}，{user.point_code}）。首次登录时须修改密码。"
        )
        if not configured:
            print(f"本机所属经办机构或服务点已设为 {point}。")
        return 0
    finally:
        window.close()


def run_list(args: argparse.Namespace) -> int:
    window = _window(args)
    try:
        now = window.clock()
        rows: list[dict[str, Any]] = [
            {
                "login": u.login,
                "name": u.name,
                "role": str(u.role),
                "point_code": u.point_code,
                "active": u.active,
                "locked": u.locked(now),
            }
            for u in window.users(_actor())
        ]
    finally:
        window.close()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    if not rows:
        print("还没有用户。请先用 clerk user add --role admin 创建系统管理员。")
        return 0
    for r in rows:
        status = "已停用" if not r["active"] else ("已锁定" if r["locked"] else "正常")
        print(
            f"{r['login']}\t{r['name']}\t{ROLE_LABELS[Role(r['role'])]}\t{r['point_code']}\t{status}"
        )
    return 0


def run_passwd(args: argparse.Namespace) -> int:
    from clerk.service.window import ServiceError, UserError

    window = _window(args)
    try:
        password = _read_password(args)
        if password is None:
            return 1
        try:
            window.reset_password(_actor(), args.login, password)
        except (UserError, ServiceError) as exc:
            print(f"未能重设密码：{exc}", file=sys.stderr)
            return 1
        print(f"已重设用户 {args.login} 的密码，账号锁定（如有）已解除。下次登录时须修改密码。")
        return 0
    finally:
        window.close()
