"""Chinese messages for a write the machine refused: a full disk, a busy, read-only or damaged
database, a document folder it may not write. The decision was not stored; the message says
what to do. Free of Textual."""

from __future__ import annotations

import errno

from clerk.domain.chain import PersonalDataError
from clerk.ports import errors as storage


def file_problem(exc: OSError) -> str:
    what = "磁盘空间已满" if exc.errno == errno.ENOSPC else (exc.strerror or str(exc))
    return (
        f"文书文件没有写成（{what}），本次操作没有保存，界面上的内容仍在。"
        "请清理磁盘空间或检查数据目录的权限后重试；仍不行请联系信息管理员。"
    )


def storage_problem(exc: BaseException) -> str | None:
    """The Chinese message for a refused write, or None for errors that are not the store's."""
    if isinstance(exc, PersonalDataError):
        return (
            "理由或备注中不能写身份证号、手机号等个人信息（事件日志只记录办件编号）。请删去后重试。"
        )
    if isinstance(exc, storage.ConflictError):
        return "该办件刚被其他人修改过，请按 F5 刷新后重试。"
    if isinstance(exc, storage.NotFoundError):
        return str(exc)  # the store's own Chinese message
    if not isinstance(exc, storage.StorageError):
        return None
    kept = "本次操作没有保存，之前的记录完好"
    if isinstance(exc, storage.DiskFullError):
        return f"磁盘空间已满，{kept}。请清理磁盘空间后重试；界面上的内容仍在。"
    if isinstance(exc, storage.BusyError):
        return f"数据库正被其他程序占用，{kept}。请稍候重试；如一直这样，请关闭其他打开该数据库的程序。"
    if isinstance(exc, storage.ReadOnlyError):
        return f"数据库文件是只读的，{kept}。请联系信息管理员检查数据目录的权限。"
    if isinstance(exc, storage.ConstraintError):
        return f"数据不符合存储规则（{exc}），{kept}。请按 F5 刷新后重试。"
    if isinstance(exc, storage.DiskError):
        return (
            f"磁盘读写出错（可能磁盘空间将满、U 盘或网络盘被拔出），{kept}。请检查磁盘空间和连接后重试；"
            "数据库本身未见损坏，不要从备份恢复。"
        )
    if isinstance(exc, storage.DamagedError):
        return (
            f"数据库文件已损坏（{exc}），{kept}。请停止使用本机办件，联系信息管理员用 clerk verify 检查，"
            "确认损坏后换用 clerk backup 做的最近一份备份。"
        )
    return f"读写数据库时出错（{exc}），{kept}。请重试；仍不行请联系信息管理员用 clerk verify 检查数据库。"
