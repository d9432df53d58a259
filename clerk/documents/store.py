"""Saving an issued document: the text and the PDF side by side, atomically, never overwritten.

Files go under `root/YYYY/MM/` (the month the document was issued), named after the document
number. A document once written is never replaced: a reprint is a new document number, chosen by
the caller. Each file is written to a temporary file in the same directory, flushed to disk, then
linked into place, so a crash leaves either the whole file or nothing under the final name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from clerk.documents import journal
from clerk.documents.model import DocKind, DocumentData, DocumentError, validate
from clerk.documents.text import render_text


def render_pdf(data: DocumentData, path: Path) -> Path:
    """Render the PDF. reportlab is imported on first use: it costs ~140 ms at start-up."""
    from clerk.documents.pdf import render_pdf as render

    return render(data, path)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


class DocumentExistsError(DocumentError):
    """A document with this number is already saved; it is never overwritten."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class SavedDocument:
    kind: DocKind
    doc_no: str
    path_txt: Path
    path_pdf: Path
    sha256: str  # of the PDF, the document handed over (its bytes are reproducible)


def file_stem(doc_no: str) -> str:
    """A file name for a document number: characters outside A-Z a-z 0-9 . _ - become "_"."""
    stem = _UNSAFE.sub("_", doc_no.strip()).lstrip(".")
    if not stem:
        raise DocumentError("缺少：文书编号", ("doc_no",))
    return stem


def document_paths(data: DocumentData, root: Path) -> tuple[Path, Path]:
    """Where the text and the PDF of `data` are saved under `root`."""
    folder = root / f"{data.issued_on.year:04d}" / f"{data.issued_on.month:02d}"
    stem = file_stem(data.doc_no)
    return folder / f"{stem}.txt", folder / f"{stem}.pdf"


def save_document(data: DocumentData, *, root: Path | None = None) -> SavedDocument:
    """Render `data` and write both files. Raises `DocumentError`, or `DocumentExistsError`."""
    validate(data)
    path_txt, path_pdf, sha = save_files(
        data.doc_no, data.issued_on, render_text(data), lambda p: render_pdf(data, p), root=root
    )
    return SavedDocument(
        kind=data.kind, doc_no=data.doc_no, path_txt=path_txt, path_pdf=path_pdf, sha256=sha
    )


def save_files(
    doc_no: str,
    issued_on: date,
    text: str,
    write_pdf: Callable[[Path], object],
    *,
    root: Path | None = None,
) -> tuple[Path, Path, str]:
    """Write a document's text and PDF (drawn by `write_pdf(path)`) under `root/YYYY/MM/`, never
    over an existing file; returns both paths and the PDF's SHA-256."""
    if root is None:
        from clerk.support.paths import documents_dir

        root = documents_dir()
    folder = root / f"{issued_on.year:04d}" / f"{issued_on.month:02d}"
    stem = file_stem(doc_no)
    path_txt, path_pdf = folder / f"{stem}.txt", folder / f"{stem}.pdf"
    for path in (path_txt, path_pdf):
        if path.exists():
            raise _exists(path)
    folder.mkdir(parents=True, exist_ok=True)
    # Journalled before the first byte is written: a killed attempt's files are found at the next
    # start without walking the folder (clerk.documents.journal, clerk.documents.tidy).
    prefix = journal.note(root, (path_txt, path_pdf))
    encoded = text.encode("utf-8")
    pdf_tmp = _temp_file(folder, write_pdf, prefix)
    try:
        pdf_bytes = pdf_tmp.read_bytes()
        txt_tmp = _temp_file(folder, lambda p: p.write_bytes(encoded), prefix)
        try:
            _publish(txt_tmp, path_txt)
        finally:
            txt_tmp.unlink(missing_ok=True)
        try:
            _publish(pdf_tmp, path_pdf)
        except BaseException:
            path_txt.unlink(missing_ok=True)  # never leave half a document behind
            raise
    finally:
        pdf_tmp.unlink(missing_ok=True)
    _fsync_dir(folder)
    return path_txt, path_pdf, hashlib.sha256(pdf_bytes).hexdigest()


def _exists(path: Path) -> DocumentExistsError:
    return DocumentExistsError(
        f"文书已存在：{path.name}，不能覆盖。重新打印请使用新的文书编号。", path
    )


def set_aside(path: Path) -> list[Path]:
    """Rename the text and PDF that share `path`'s name to `NAME.unrecorded-N.EXT`; returns the
    new names.

    For files an attempt wrote but never recorded (the process was killed, or the database
    refused the write): they were never handed over, yet nothing that looks like a legal document
    is deleted.
    """
    moved: list[Path] = []
    for sibling in (path.with_suffix(".txt"), path.with_suffix(".pdf")):
        if not sibling.exists():
            continue
        n = 1
        while (
            target := sibling.with_name(f"{sibling.stem}.unrecorded-{n}{sibling.suffix}")
        ).exists():
            n += 1
        os.replace(sibling, target)
        moved.append(target)
    return moved


def write_copy(path: Path, content: bytes) -> Path:
    """Put a copy of a document kept elsewhere (a server's bytes) at `path`, for printing: owner
    only (0600), written whole or not at all. A file already there with the same bytes is used as
    it is; one with other bytes is set aside (`set_aside`), never overwritten."""
    try:
        if path.read_bytes() == content:
            return path
        set_aside(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_file(path.parent, lambda p: p.write_bytes(content))
    try:
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def _temp_file(folder: Path, write: Callable[[Path], object], prefix: str = ".tmp-") -> Path:
    """A fully written, fsynced temporary file in `folder` (same file system as the target)."""
    fd, name = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".part")
    os.close(fd)
    path = Path(name)
    try:
        write(path)
        with path.open("rb+") as handle:
            os.fsync(handle.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def _publish(tmp: Path, final: Path) -> None:
    """Give `tmp` its final name without ever replacing an existing file.

    A hard link fails atomically when the name exists. Where the file system has no hard links,
    fall back to a check and `os.replace` (atomic, but with a check-then-act window).
    """
    try:
        os.link(tmp, final)
    except FileExistsError:
        raise _exists(final) from None
    except OSError:
        if final.exists():
            raise _exists(final) from None
        os.replace(tmp, final)


def _fsync_dir(folder: Path) -> None:
    """Make the new directory entries durable (POSIX; a no-op where directories cannot be opened)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
