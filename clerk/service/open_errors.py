"""Why a database could not be opened, honestly: a full disk or a folder the program may not
write is not a damaged file, and restoring a backup on that advice would lose a day's work.
Free of Textual."""

from __future__ import annotations

import errno

from clerk.ports.errors import (
    DamagedError,
    DiskError,
    ForeignDatabaseError,
    MissingDatabaseError,
)


def open_problem(exc: BaseException, name: str) -> str:
    """What to tell the person who ran a command on `name` that failed with `exc`: restoring a
    backup is advised only for a file proven damaged (`DamagedError`)."""
    text = str(exc).lower()
    kept = "已停止，文件未作任何改动"
    if isinstance(exc, ForeignDatabaseError):
        return f"{exc}。请检查 --db 指定的是否是本机的 clerk 数据库文件。"
    if isinstance(exc, MissingDatabaseError):
        return (
            f"找不到数据库文件 {name}，未新建任何文件。请用 --db 指定本机数据库的位置"
            "（首次使用请先运行 make run 或 clerk 完成设置）。"
        )
    if isinstance(exc, DiskError):
        return (
            f"读写数据库 {name} 时磁盘出错（可能磁盘空间将满，或 U 盘、网络盘被拔出），{kept}。"
            "请检查磁盘空间和连接后重试；数据库本身未见损坏，不要从备份恢复。"
        )
    if isinstance(exc, DamagedError):
        return (
            f"数据库 {name} 不是 clerk 数据库或已损坏（{exc}），{kept}。"
            "请先确认 --db 指定的文件没错；确认是本机的数据库后，联系信息管理员换用 clerk backup 做的最近一份备份。"
        )
    if "full" in text or getattr(exc, "errno", None) == errno.ENOSPC:
        return f"磁盘空间已满，数据库 {name} 无法打开写入，{kept}。请清理磁盘空间后重试；数据库本身没有损坏，不要从备份恢复。"
    if (
        "unable to open" in text
        or "readonly" in text
        or "read-only" in text
        or isinstance(exc, PermissionError)
    ):
        return (
            f"没有权限读写数据库 {name} 或其所在的文件夹（或文件夹不存在），{kept}。"
            "请检查该文件夹是否存在、是否可写（也可用 --db 指定其他位置）；数据库本身没有损坏，不要从备份恢复。"
        )
    if "locked" in text or "busy" in text:
        return f"数据库 {name} 正被其他程序占用，{kept}。请稍候重试，或关闭其他打开该数据库的程序。"
    return f"数据库 {name} 打不开（{exc}），{kept}。请重试；仍不行请联系信息管理员用 clerk verify 检查。"
