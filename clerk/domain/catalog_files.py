"""Reading the data files shipped with the package (catalog.json, offices.json, a holiday file):
where they are, their JSON, and `DataFileError` for a file that is wrong.

Kept apart from `clerk.domain.catalog` (which re-exports them) so that reading offices.json or
naming the error loads neither the catalogue's records nor its parser.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class DataFileError(ValueError):
    """A data file (catalog.json, offices.json, a holiday file) is wrong. Message in Chinese."""

    def __init__(self, file: str | Path, entry: str, problem: str) -> None:
        self.file = str(file)
        self.entry = entry
        self.problem = problem
        super().__init__(f"{self.file}：{entry}：{problem}")

    def stop_message(self) -> str:
        """What the command line and the app say when this file stops them."""
        return f"数据文件有误，已停止：{self}"


def packaged_file(name: str) -> Path:
    """A data file shipped with the package, or at the repository root in a source checkout."""
    package = Path(__file__).resolve().parents[1]
    if package.is_dir():  # installed as files: the folder `importlib.resources` would name
        candidate = package / "data" / name
        if candidate.is_file():
            return candidate
    else:  # pragma: no cover - a package read from elsewhere (a zip)
        from importlib import resources

        try:
            found = resources.files("clerk") / "data" / name
            if found.is_file():
                return Path(str(found))
        except (ModuleNotFoundError, FileNotFoundError):
            pass
    return package.parent / name


def read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DataFileError(path, "文件", "找不到文件，请重新安装或恢复该文件") from None
    except OSError as exc:
        raise DataFileError(path, "文件", f"无法读取（{exc.strerror}）") from None
    except UnicodeDecodeError:
        raise DataFileError(path, "文件", "不是 UTF-8 编码的文本") from None
    return parse_json(path, text)


def parse_json(path: Path, text: str) -> Any:
    """The JSON in `text`, read from `path`; `DataFileError` naming the line and column."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFileError(
            path, f"第{exc.lineno}行第{exc.colno}列", f"JSON 格式错误（{exc.msg}）"
        ) from None
