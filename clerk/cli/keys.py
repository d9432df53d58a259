"""`clerk keys init|export|add|list|revoke`: this installation's sync keys and its peers' public keys."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("keys", help="同步密钥：生成本机密钥、导出公钥、登记或吊销对方公钥")
    actions = p.add_subparsers(dest="keys_action", metavar="操作")

    init = actions.add_parser(
        "init", help="生成本机的签名密钥和加密密钥（私钥只存本机，权限 0600）"
    )
    _db(init)
    init.add_argument(
        "--passphrase-env", metavar="VAR", help="用环境变量 VAR 中的口令加密私钥（可选）"
    )
    init.set_defaults(func=run_init)

    export = actions.add_parser("export", help="导出本机公钥文件，交给对方登记")
    _db(export)
    export.add_argument(
        "--out", required=True, help="公钥文件写到哪里，如 /media/u盘/LS01.pub.json"
    )
    export.set_defaults(func=run_export)

    add = actions.add_parser("add", help="登记对方的公钥文件（县级登记各服务点，服务点登记县级）")
    add.add_argument("file", help="对方用 clerk keys export 导出的公钥文件")
    _db(add)
    add.add_argument(
        "--escrow", action="store_true", help="登记为离线备份密钥：每个包也加密给它，防止密钥丢失"
    )
    add.add_argument(
        "--replace", action="store_true", help="对方已更换密钥：登记新密钥并吊销旧密钥"
    )
    add.set_defaults(func=run_add)

    lst = actions.add_parser("list", help="列出本机和已登记的公钥及指纹（默认操作）")
    _db(lst)
    lst.set_defaults(func=run_list)

    revoke = actions.add_parser(
        "revoke", help="吊销某服务点（或 ESCROW）的公钥：其后它的包一律拒收"
    )
    revoke.add_argument("point", help="服务点或经办机构编码，离线备份密钥为 ESCROW")
    _db(revoke)
    revoke.set_defaults(func=run_revoke)
    p.set_defaults(func=run_list)


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", dest="target_db", help="数据库文件（默认为本机数据库）")


def passphrase_from(args: argparse.Namespace) -> str | None:
    """The passphrase held in the environment variable named by `--passphrase-env`, if any."""
    var = getattr(args, "passphrase_env", None)
    if not var:
        return None
    value = os.environ.get(var)
    if not value:
        from clerk.sync.keys import KeyProblem

        raise KeyProblem(f"环境变量 {var} 中没有口令，请先设置它。")
    return value


def _window(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from clerk.cli._paths import db_target
    from clerk.service.compose import open_window

    return open_window(db_target(args), create=False)  # keys belong to a file already set up


def _run(body) -> int:  # type: ignore[no-untyped-def]
    from clerk.service.sync_desk import SyncProblem
    from clerk.sync.keys import KeyProblem

    try:
        return int(body())
    except (KeyProblem, SyncProblem) as exc:
        print(f"未完成：{exc}", file=sys.stderr)
        return 1


def run_init(args: argparse.Namespace) -> int:
    def body() -> int:
        passphrase = passphrase_from(args)
        window = _window(args)
        try:
            public = window.init_keys(passphrase)
            where = window.key_dir()
        finally:
            window.store.close()
        print(f"已生成 {public.point_code}（{public.name}）的同步密钥，私钥保存在 {where}。")
        print(f"指纹：{public.fingerprint}")
        if passphrase:
            print("私钥已用口令加密：口令遗失则私钥无法使用，请另行妥善保管。")
        print("下一步：clerk keys export --out 文件，把公钥文件交给对方登记，并电话核对指纹。")
        return 0

    return _run(body)


def run_export(args: argparse.Namespace) -> int:
    from clerk.cli._paths import db_target
    from clerk.sync import keys, peers

    def body() -> int:
        target = db_target(args)
        if isinstance(target, Path):
            public = peers.own_public(target)
        else:  # a server database: its keys are anchored where its window says
            window = _window(args)
            try:
                public = window.own_public_keys()
            finally:
                window.store.close()
        out = Path(args.out)
        keys.write_atomic(out, public.to_json().encode("utf-8"))
        print(f"已导出 {public.point_code} 的公钥到 {out}。")
        print(f"指纹：{public.fingerprint}（对方登记后会显示同样的指纹，请电话核对）")
        return 0

    return _run(body)


def run_add(args: argparse.Namespace) -> int:
    def body() -> int:
        data = Path(args.file).read_bytes()
        window = _window(args)
        try:
            added = window.add_peer_key(data, escrow=args.escrow, replace=args.replace)
        finally:
            window.store.close()
        what = (
            "离线备份密钥"
            if added.role == "escrow"
            else f"{added.point_code}（{added.name}）的公钥"
        )
        print(f"已登记{what}。")
        print(f"指纹：{added.fingerprint}")
        print(
            "请打电话给对方，请对方读出 clerk keys list 显示的本机指纹，逐字核对一致后再交换上报包。"
        )
        return 0

    return _run(body)


def run_list(args: argparse.Namespace) -> int:
    from clerk.cli._paths import db_path
    from clerk.sync import keys

    def body() -> int:
        path = db_path(args)
        directory = keys.key_dir(path)
        if keys.has_keys(directory):
            public = keys.read_public((directory / keys.PUBLIC_FILE).read_bytes())
            print(f"本机 {public.point_code}（{public.name}）  指纹 {public.fingerprint}")
        else:
            print("本机还没有同步密钥（clerk keys init 生成）。")
        if not path.exists():
            return 0
        window = _window(args)
        try:
            registered = window.peer_keys()
        finally:
            window.store.close()
        if not registered:
            print("尚未登记任何对方公钥（clerk keys add 登记）。")
        for key in registered:
            kind = "离线备份" if key.role == "escrow" else "对方"
            status = "在用" if key.revoked_at is None else f"已吊销 {key.revoked_at[:16]}"
            if key.replaced_by is not None:
                status += "，已由新密钥替换"
            print(f"{kind} {key.point_code}（{key.name}）  指纹 {key.fingerprint}  {status}")
        return 0

    return _run(body)


def run_revoke(args: argparse.Namespace) -> int:
    def body() -> int:
        window = _window(args)
        try:
            revoked = window.revoke_peer_key(args.point)
        finally:
            window.store.close()
        print(
            f"已吊销 {revoked.point_code} 的密钥（指纹 {revoked.fingerprint}），此后它签名的包一律拒收。"
        )
        print("对方重新生成密钥后，用 clerk keys add 登记新公钥并电话核对指纹。")
        return 0

    return _run(body)
