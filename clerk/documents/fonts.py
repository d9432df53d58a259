"""Which font the PDFs embed: a real CJK TrueType font found on the machine, subset into each file.

A PDF that only names a font (reportlab's CID font STSong-Light) shows blank squares, or nothing,
wherever the reader has no Chinese font of its own. So the documents embed the glyphs they use
(reportlab subsets a TrueType font automatically) from the first font found here:

1. the file named by the environment variable `CLERK_PDF_FONT` (a `.ttf`, or a `.ttc` collection
   with `#N` for its N-th face, e.g. `C:\\Windows\\Fonts\\simsun.ttc#0`);
2. on Windows, 宋体 / 仿宋 / 黑体 / 微软雅黑 in the system fonts folder;
3. on Linux, WenQuanYi (Debian/Ubuntu `fonts-wqy-zenhei`, `fonts-wqy-microhei`) or other TrueType
   CJK fonts in the usual folders; on macOS, 宋体/华文 fonts in the system folders.

Noto/Source Han CJK are OpenType with PostScript (CFF) outlines, which reportlab cannot embed; they
are skipped. Only when no usable font exists does the PDF fall back to the CID font STSong-Light,
and the app warns at start-up (`font_warning`).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

ENV_VAR = "CLERK_PDF_FONT"
CID_FALLBACK = "STSong-Light"
EMBEDDED_NAME = "ClerkCJK"

_LINUX_FONTS: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc", 0),  # Fedora
    ("/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc", 0),  # Arch
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
)
_WINDOWS_FONTS: tuple[tuple[str, int], ...] = (
    ("simsun.ttc", 0),  # 宋体
    ("simfang.ttf", 0),  # 仿宋
    ("simhei.ttf", 0),  # 黑体
    ("simkai.ttf", 0),  # 楷体
    ("msyh.ttc", 0),  # 微软雅黑
)
_MAC_FONTS: tuple[tuple[str, int], ...] = (
    ("/System/Library/Fonts/Supplemental/Songti.ttc", 0),
    ("/Library/Fonts/Arial Unicode.ttf", 0),
    ("/System/Library/Fonts/Supplemental/Arial Unicode.ttf", 0),
)


@dataclass(frozen=True)
class PdfFont:
    name: str  # the name registered with reportlab
    path: Path | None  # None for the CID fallback
    subfont_index: int = 0
    warning: str = ""  # Chinese; non-empty when the documents will not embed their font

    @property
    def embedded(self) -> bool:
        return self.path is not None


def parse_spec(spec: str) -> tuple[Path, int]:
    """`path` or `path#N` (N-th face of a .ttc collection)."""
    path, sep, index = spec.rpartition("#")
    if sep and index.isdigit():
        return Path(path), int(index)
    return Path(spec), 0


def candidates(
    env: dict[str, str] | None = None, platform: str | None = None
) -> list[tuple[Path, int]]:
    """Font files to try, in order (they need not exist)."""
    env = dict(os.environ) if env is None else env
    platform = sys.platform if platform is None else platform
    found: list[tuple[Path, int]] = []
    if env.get(ENV_VAR, "").strip():
        found.append(parse_spec(env[ENV_VAR].strip()))
    if platform.startswith("win"):
        folder = Path(env.get("WINDIR", r"C:\Windows")) / "Fonts"
        found += [(folder / name, i) for name, i in _WINDOWS_FONTS]
    elif platform == "darwin":
        found += [(Path(p), i) for p, i in _MAC_FONTS]
    else:
        found += [(Path(p), i) for p, i in _LINUX_FONTS]
    return found


def _usable(path: Path, index: int) -> bool:
    """Whether reportlab can embed this face (TrueType outlines, has the common Chinese glyphs)."""
    from reportlab.pdfbase.ttfonts import TTFont

    try:
        font = TTFont("probe", str(path), subfontIndex=index)
    except Exception:
        return False
    widths = font.face.charWidths
    return all(ord(ch) in widths for ch in "受理告知书医保")


def find_font(env: dict[str, str] | None = None, platform: str | None = None) -> PdfFont:
    """The first usable CJK TrueType font, or the CID fallback with a warning."""
    env_spec = (dict(os.environ) if env is None else env).get(ENV_VAR, "").strip()
    for path, index in candidates(env, platform):
        if path.is_file() and _usable(path, index):
            return PdfFont(EMBEDDED_NAME, path, index)
    where = f"环境变量 {ENV_VAR} 指定的字体 {env_spec} 无法使用；" if env_spec else ""
    return PdfFont(
        CID_FALLBACK,
        None,
        0,
        warning=(
            f"{where}未找到可嵌入的中文字体，打印的文书将使用 {CID_FALLBACK}（不嵌入字体），"
            "在未安装中文字体的电脑上可能显示为空白。请安装中文 TrueType 字体"
            "（Windows 自带宋体；Linux 安装 fonts-wqy-zenhei），"
            f"或用环境变量 {ENV_VAR} 指定字体文件。"
        ),
    )


@cache
def pdf_font() -> PdfFont:
    """The font of this process, registered with reportlab once."""
    from reportlab.pdfbase import pdfmetrics

    font = find_font()
    if font.path is not None:
        from reportlab.pdfbase.ttfonts import TTFont

        ttf = TTFont(font.name, str(font.path), subfontIndex=font.subfont_index)
        _read_tables_once(ttf)
        pdfmetrics.registerFont(ttf)
    else:
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return font


def _read_tables_once(ttf: Any) -> None:
    """Every PDF embeds a subset of the font, and reportlab builds each subset from the font's
    tables, copying each table (`TTFontFile.get_table`: a slice of the whole file's bytes) again
    for every subset: the `glyf` table of a CJK font is megabytes. The tables never change, so
    the face keeps each one it has read (a CJK document needs two subsets; about 3 ms each)."""
    face = ttf.face
    face.get_table = cache(face.get_table)


def font_warning(env: dict[str, str] | None = None, platform: str | None = None) -> str:
    """The start-up warning ("" when a font file to embed is there). Cheap: it only looks for the
    files, without importing reportlab; the first document checks the font itself."""
    if any(path.is_file() for path, _ in candidates(env, platform)):
        return ""
    return find_font(env, platform).warning
