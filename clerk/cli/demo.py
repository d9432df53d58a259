"""`clerk demo --db PATH --cases N [--point CODE]`: synthetic cases for training and benchmarks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("demo", help="生成演示（培训）用的合成办件数据")
    p.add_argument("--db", dest="demo_db", required=True, help="目标数据库文件（不存在则新建）")
    p.add_argument("--cases", type=int, default=200, help="办件数量（默认 200）")
    p.add_argument("--point", default="YZ01", help="服务点编码（默认 YZ01）")
    p.add_argument("--days", type=int, default=20, help="分布在最近多少个工作日（默认 20）")
    p.add_argument("--seed", type=int, default=2026, help="随机种子（相同种子生成相同数据）")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from clerk.catalog import default_catalog
    from clerk.clock import system_clock
    from clerk.db import Store
    from clerk.demo import DEMO_PASSWORD, fill
    from clerk.offices import default_offices

    if args.cases < 1:
        print("办件数量应为正整数。", file=sys.stderr)
        return 1
    path = Path(args.demo_db)
    store = Store.open(path)
    try:
        counts = fill(
            store,
            default_catalog(),
            default_offices(),
            cases=args.cases,
            point_code=args.point,
            end=system_clock().date(),
            days=args.days,
            seed=args.seed,
            documents_root=path.parent / (path.stem + "-documents"),
        )
    finally:
        store.close()
    print(f"已在 {path} 生成 {args.cases} 件演示办件：")
    from clerk.model import CaseState

    for state, n in sorted(counts.items()):
        print(f"  {CaseState(state).label}：{n}")
    print(f"演示账号：admin / clerk1 / reviewer1 / finance1，密码 {DEMO_PASSWORD}")
    return 0
