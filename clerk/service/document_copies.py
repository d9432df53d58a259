"""A window's copy of a document the store keeps (`Store.keeps_document_bytes`), for printing.

On a server the bytes of every document the hall issued are in the database; the window that
prints one (the one that issued it, or any other) writes a copy into its own documents folder,
at the place the document's name gives (`clerk.ports.document_names.local_path`), owner only.
The copy is checked against the SHA-256 the record holds before it is handed to the printer.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from clerk.documents.model import DocKind
from clerk.documents.store import SavedDocument, write_copy
from clerk.ports.document_names import local_path
from clerk.ports.records import DocumentRecord
from clerk.service.errors import ServiceError
from clerk.service.write_errors import file_problem

if TYPE_CHECKING:
    from clerk.ports.store import Store


def documents_root(root: Path | None) -> Path:
    """This window's documents folder (`root`, else the data directory's)."""
    if root is not None:
        return Path(root)
    from clerk.support.paths import documents_dir

    return documents_dir()


def printable(store: Store, document: DocumentRecord, root: Path | None) -> SavedDocument:
    """The files to print `document` from: its recorded files (a store that keeps none), or
    this window's copy of the bytes the store keeps, written now if need be."""
    saved = SavedDocument(
        kind=DocKind(document.kind),
        doc_no=document.doc_no,
        path_txt=Path(document.path_txt),
        path_pdf=Path(document.path_pdf),
        sha256=document.sha256,
    )
    if not store.keeps_document_bytes:
        if not saved.path_pdf.is_file():
            raise ServiceError(f"文书文件 {saved.path_pdf.name} 不在了，请联系管理员从备份恢复。")
        return saved
    folder = documents_root(root)
    copies: list[Path] = []
    parts = ((document.path_pdf, document.sha256), (document.path_txt, None))
    for name, digest in parts:
        if not name and copies:  # no text recorded (a document from before texts were kept)
            copies.append(copies[0].with_suffix(".txt"))
            continue
        content = store.document_content(name) if name else None
        if content is None:
            raise ServiceError(
                f"文书 {document.doc_no} 的内容不在服务器数据库中，请联系管理员从备份恢复数据库。"
            )
        if digest and hashlib.sha256(content).hexdigest() != digest:
            raise ServiceError(
                f"服务器上文书 {document.doc_no} 的内容与登记的 SHA-256 不符，没有打印。"
                "请联系管理员运行 clerk verify --full 核查。"
            )
        try:
            copies.append(write_copy(local_path(folder, name), content))
        except ValueError:
            raise ServiceError(f"文书 {document.doc_no} 的名称不正确：{name}") from None
        except OSError as err:
            raise ServiceError(file_problem(err)) from None
    return SavedDocument(
        kind=saved.kind,
        doc_no=saved.doc_no,
        path_txt=copies[1],
        path_pdf=copies[0],
        sha256=saved.sha256,
    )
