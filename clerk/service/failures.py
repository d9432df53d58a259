"""One Chinese message for anything the store or the disk refused, whatever screen asked.

Screens (and the app, for any key's action) show this message and keep the screen instead of
crashing. Free of Textual."""

from __future__ import annotations

from clerk.service.case_reader import ServiceError
from clerk.service.write_errors import file_problem, storage_problem


def failure_message(exc: BaseException) -> str | None:
    """The message for a refused read or write; None for a programming error (let it crash)."""
    if isinstance(exc, ServiceError):
        return str(exc)
    message = storage_problem(exc)
    if message is not None:
        return message
    if isinstance(exc, UnicodeError):
        return "输入中含有无法保存的字符（可能是从别处粘贴来的乱码），请删去后重新输入。"
    if isinstance(exc, OSError):
        return file_problem(exc)
    return None
