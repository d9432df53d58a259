"""Send a document to the default printer, or open it in the system viewer when there is none.

The window prints on whatever the PC has: CUPS (`lp`, Linux and macOS) sends the PDF to the default
destination; on Windows the shell's "print" verb (`os.startfile(path, "print")`) hands it to the
default printer through the registered PDF program. When no printer can be reached (no `lp`, no
default destination, the verb fails), the file is opened in the system viewer (`xdg-open`, `open`,
`os.startfile`) so the clerk can print from there. Every outcome is a `PrintResult` with a Chinese
message; nothing here raises for a missing printer.

No Textual here: the screens bind a key to `print_document` and show the message.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Runner = Callable[..., Any]  # subprocess.run's signature


@dataclass(frozen=True)
class PrintResult:
    how: str  # "printer" | "viewer" | "failed"
    message: str  # Chinese, for the screen


@dataclass
class System:
    """What the machine offers; replaced in tests."""

    platform: str = sys.platform
    which: Callable[[str], str | None] = shutil.which
    run: Runner = subprocess.run
    startfile: Callable[..., None] | None = getattr(os, "startfile", None)


def _has_default_cups_printer(system: System) -> bool:
    lpstat = system.which("lpstat")
    if lpstat is None:
        return True  # lp alone: let lp decide, it fails when there is no destination
    try:
        out = system.run([lpstat, "-d"], capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return False
    return (
        out.returncode == 0
        and "no system default" not in (out.stdout or "").lower()
        and bool((out.stdout or "").strip())
    )


def _to_printer(path: Path, system: System) -> str | None:
    """The printer's name when the job was sent, else None."""
    if system.platform.startswith("win"):
        if system.startfile is None:
            return None
        try:
            system.startfile(str(path), "print")
        except OSError:
            return None
        return "默认打印机"
    lp = system.which("lp")
    if lp is None or not _has_default_cups_printer(system):
        return None
    try:
        out = system.run([lp, "--", str(path)], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return "默认打印机" if out.returncode == 0 else None


def _to_viewer(path: Path, system: System) -> bool:
    if system.platform.startswith("win"):
        if system.startfile is None:
            return False
        try:
            system.startfile(str(path))
        except OSError:
            return False
        return True
    opener = system.which("open" if system.platform == "darwin" else "xdg-open")
    if opener is None:
        return False
    try:
        system.run([opener, str(path)], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return True


def print_document(path: Path, *, system: System | None = None) -> PrintResult:
    """Print `path` on the default printer, or open it in the viewer. Never raises for a printer."""
    system = system or System()
    path = Path(path)
    if not path.is_file():
        return PrintResult("failed", f"文件 {path.name} 不存在，无法打印，请联系管理员从备份恢复。")
    if _to_printer(path, system) is not None:
        return PrintResult("printer", f"已发送到默认打印机：{path.name}")
    if _to_viewer(path, system):
        return PrintResult(
            "viewer", f"未找到可用的打印机，已用系统程序打开 {path.name}，请从中打印。"
        )
    return PrintResult(
        "failed",
        f"未找到可用的打印机，也无法打开文件。文件位置：{path}，请复制到能打印的电脑上打印。",
    )
