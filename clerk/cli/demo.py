"""`clerk demo --db PATH --cases N [--point CODE]`: synthetic cases for training and benchmarks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("demo", help="生成演示（培训）用的合成办件数据")
    p.add_argument(
        "--db", dest="target_db", required=True, help="目标数据库文件（不存在则连同文件夹新建）"
    )
    p.add_argument("--cases", type=int, default=200, help="办件数量（默认 200）")
    p.add_argument("--point", default="YZ01", help="服务点编码（默认 YZ01）")
    p.add_argument("--days", type=int, default=20, help="分布在最近多少个工作日（默认 20）")
    p.add_argument("--seed", type=int, default=2026, help="随机种子（相同种子生成相同数据）")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from clerk.db import Store
    from clerk.domain.catalog import default_catalog
    from clerk.domain.clock import system_clock
    from clerk.domain.offices import default_offices
    from clerk.service.demo import DEMO_PASSWORD, fill
    from clerk.service.window import ServiceError

    if args.cases < 1:
        print("办件数量应为正整数。", file=sys.stderr)
        return 1
    offices = default_offices()
    path = Path(args.target_db)
    path.parent.mkdir(parents=True, exist_ok=True)  # "created if missing", its folder too
    store = Store.open(path)

    def progress(done: int) -> None:
        if done == args.cases or done % 10 == 0:
            print(f"\r正在生成演示办件：{done}/{args.cases}", end="", file=sys.stderr, flush=True)

    try:
        counts = fill(
            store,
            default_catalog(),
            offices,
            cases=args.cases,
            point_code=args.point,
            end=system_clock().date(),
            days=args.days,
            seed=args.seed,
            documents_root=path.parent / (path.stem + "-documents"),
            progress=progress,
        )
    except (ServiceError, RuntimeError) as exc:
        print(f"\n未生成演示数据：{exc}", file=sys.stderr)
        return 1
    finally:
        store.close()
    print(file=sys.stderr)
    print(f"已在 {path} 生成 {args.cases} 件演示办件：")
    from clerk.domain.model import CaseState

    for state, n in sorted(counts.items()):
        print(f"  {CaseState(state).label}：{n}")
    print(f"演示账号：admin / clerk1 / reviewer1 / finance1，密码 {DEMO_PASSWORD}")
    return 0
