"""The proof's check of the documents: every document row has its files (or, on a server, its
kept bytes) with the recorded SHA-256s; (full) every file under the documents folders is named by
a row."""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from clerk.audit.findings import Problem, Proof
from clerk.ports.verify_report import RECENT_DAYS, FilesLook, FolderStamp

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

    from clerk.ports.store import RecordReads

T = TypeVar("T")
_SET_ASIDE = re.compile(r"\.unrecorded-\d+$")


def _check_documents(
    reads: RecordReads,
    proof: Proof,
    cases: set[str] | None,
    named: set[str] | None = None,
    total: int = 0,
) -> None:
    """Each document row's files exist and its PDF has the recorded SHA-256 (`cases`: only
    theirs; None: all). `named` collects every path the rows name, for `_check_orphans`."""
    rows = reads.documents_to_check(None if cases is None else sorted(cases))
    isfile = os.path.isfile  # plain strings and one system call a file: a county has millions
    for chunk in _chunks(rows, 512):
        # Hashing the PDFs is most of a full verify's time; hashlib and file reads release the
        # GIL, so a few threads hash a chunk while the engine's own check runs in another.
        digests = hash_files([r[2] for r in chunk], threads=cases is None)
        texts = hash_files(
            [r[1] if r[5] else None for r in chunk], threads=cases is None
        )  # the texts whose SHA-256 was recorded (documents issued since SQLite migration 14)
        if total:
            proof.progress(
                "核对文书文件",
                proof.documents + len(chunk),
                max(total, proof.documents + len(chunk)),
            )
        for (doc_no, path_txt, path_pdf, sha256, case_no, sha256_txt), digest, text in zip(
            chunk, digests, texts, strict=True
        ):
            proof.documents += 1
            if named is not None:
                named.update(p for p in (path_txt, path_pdf) if p)
            if path_txt and not (text is not None if sha256_txt else isfile(path_txt)):
                proof.problems.append(_missing_file(case_no, doc_no, path_txt))
            elif sha256_txt and text != sha256_txt:
                proof.problems.append(
                    Problem(
                        "document",
                        f"办件 {case_no} 的文书 {doc_no} 的文本文件与登记的 SHA-256 不符：文件被改动或替换。",
                        case_no=case_no,
                    )
                )
            if not path_pdf:
                continue
            if digest is None:
                proof.problems.append(_missing_file(case_no, doc_no, path_pdf))
            elif sha256 and digest != sha256:
                proof.problems.append(
                    Problem(
                        "document",
                        f"办件 {case_no} 的文书 {doc_no} 的 PDF 与登记的 SHA-256 不符：文件被改动或替换。",
                        case_no=case_no,
                    )
                )


def _check_kept_documents(
    reads: RecordReads, proof: Proof, cases: set[str] | None, total: int = 0
) -> None:
    """Each document row's bytes are kept by the store under the names it records, and hash to
    the SHA-256 it records (its text's too, where recorded): `cases` only theirs; None: all."""
    rows = reads.kept_documents(None if cases is None else sorted(cases))
    for doc_no, name_txt, name_pdf, sha256, case_no, sha256_txt, got_txt, got_pdf in rows:
        proof.documents += 1
        if total and proof.documents % 512 == 0:
            proof.progress("核对文书", proof.documents, max(total, proof.documents))
        if name_txt and got_txt is None:
            proof.problems.append(_missing_kept(case_no, doc_no, name_txt))
        elif name_txt and sha256_txt and got_txt != sha256_txt:
            proof.problems.append(_changed_kept(case_no, doc_no, "文本"))
        if name_pdf and got_pdf is None:
            proof.problems.append(_missing_kept(case_no, doc_no, name_pdf))
        elif name_pdf and sha256 and got_pdf != sha256:
            proof.problems.append(_changed_kept(case_no, doc_no, "PDF"))


def _missing_kept(case_no: str | None, doc_no: str, name: str) -> Problem:
    return Problem(
        "document",
        f"办件 {case_no} 的文书 {doc_no} 的内容（{name}）不在数据库中：请从备份恢复数据库。",
        case_no=case_no,
    )


def _changed_kept(case_no: str | None, doc_no: str, part: str) -> Problem:
    return Problem(
        "document",
        f"办件 {case_no} 的文书 {doc_no} 的{part}与登记的 SHA-256 不符：数据库中的文书内容被改动。",
        case_no=case_no,
    )


HASH_THREADS = max(1, min(4, os.cpu_count() or 1))
_pool: ThreadPoolExecutor | None = None


def hash_files(paths: list[str | None], *, threads: bool) -> list[str | None]:
    """`file_sha256` of each path (None for an empty one), in order."""
    global _pool
    if not threads or HASH_THREADS == 1 or len(paths) < 16:
        return [file_sha256(p) if p else None for p in paths]
    if _pool is None:
        from concurrent.futures import ThreadPoolExecutor  # a full verify's, not every proof's

        _pool = ThreadPoolExecutor(HASH_THREADS, thread_name_prefix="verify-hash")
    n = HASH_THREADS
    parts = list(_pool.map(_hash_all, [paths[i::n] for i in range(n)]))  # a slice a thread
    out: list[str | None] = [None] * len(paths)
    for i, part in enumerate(parts):
        out[i::n] = part
    return out


def _hash_all(paths: list[str | None]) -> list[str | None]:
    return [file_sha256(p) if p else None for p in paths]


def _chunks(rows: Iterable[T], size: int) -> Iterator[list[T]]:
    chunk: list[T] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _check_recent_files(
    reads: RecordReads, proof: Proof, checked: set[str], documents: int
) -> None:
    """Incremental: the files of every document issued in the last days are still there (their
    hashes are checked by `--full`, and for the cases this verify replayed). Judged as sets of
    paths: each folder listed once (`look_at_files`), not a stat per file; a county's week is
    tens of thousands of files, so only their paths are read, and the documents of the files
    found missing are looked up after (`documents_with_files`).

    Made only when something changed since the last passed look (`proof.last_look`): a document
    recorded since (the record's document extent `documents` moved), or a file added to, removed
    from or renamed in a folder that holds the week's files (the folder's stamp moved). While
    neither moved, this look would list the same files and find them all."""
    last = proof.last_look
    if last is not None and last.documents == documents and folders_unchanged(last.folders):
        proof.recent_unchanged = True  # nothing to see the last look did not; it stays remembered
        return
    named = {path for pair in reads.recent_files(RECENT_DAYS) for path in pair if path}
    proof.recent_looked = len(named)
    present, stamps = look_at_files(named)
    proof.files_look = FilesLook(documents, stamps) if stamps is not None else FilesLook(-1)
    gone = named - present
    if not gone:
        return
    missing = [
        (case_uuid, doc_no, path)
        for case_uuid, doc_no, *paths in reads.documents_with_files(sorted(gone))
        if case_uuid not in checked  # a replayed case's documents were checked with it
        for path in paths
        if path in gone
    ]
    if not missing:
        return
    case_nos = {  # the case numbers of the few documents whose files are gone
        doc_no: case_no
        for doc_no, _, _, _, case_no, _ in reads.documents_to_check(
            sorted({case_uuid for case_uuid, _, _ in missing})
        )
    }
    for _, doc_no, path in missing:
        proof.problems.append(_missing_file(case_nos.get(doc_no), doc_no, path))


# A folder whose stamp is this recent (nanoseconds before it was taken) is not trusted to show
# the next change: a file system that keeps times to the second or two (FAT keeps 2 s) may take
# a change made just after the look without its stamp moving. The next look lists it again.
RACY_NS = 2_000_000_000


def look_at_files(paths: Iterable[str]) -> tuple[set[str], tuple[FolderStamp, ...] | None]:
    """Which of `paths` name a file, from one listing of each of their folders; and the folders'
    stamps, each taken before its listing (None when one of them cannot be trusted to show a
    later change: gone, not listable, or changed within `RACY_NS`). A folder that is gone holds
    none of the files; one that cannot be listed (permissions) is judged a stat per file, as
    `os.path.isfile` would."""
    by_folder: dict[str, list[tuple[str, str]]] = {}
    for path in set(paths):
        # split on the separator (Windows also takes "/"); `rpartition` costs a tenth of
        # `os.path.split`, and a county's week is tens of thousands of paths
        folder, _, name = (path.replace(os.altsep, os.sep) if os.altsep else path).rpartition(
            os.sep
        )
        by_folder.setdefault(folder, []).append((path, name))
    present: set[str] = set()
    stamps: list[FolderStamp] | None = []
    now = time.time_ns()
    for folder, named in by_folder.items():
        where = folder or os.curdir
        try:
            stamp = _stamp(where)
            with os.scandir(where) as entries:
                names = {entry.name for entry in entries if entry.is_file()}
        except FileNotFoundError:
            stamps = None
            continue  # the folder is gone: so is every file in it
        except OSError:
            stamps = None
            present.update(path for path, _ in named if os.path.isfile(path))
            continue
        if stamps is not None:
            if now - max(stamp[1], stamp[2]) < RACY_NS:
                stamps = None
            else:
                stamps.append(stamp)
        present.update(path for path, name in named if name in names)
    return present, None if stamps is None else tuple(sorted(stamps))


def _stamp(folder: str) -> FolderStamp:
    st = os.stat(folder)
    return (folder, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def folders_unchanged(stamps: Iterable[FolderStamp]) -> bool:
    """Whether every folder still has the stamp it had (gone or unreadable: changed)."""
    try:
        return all(_stamp(stamp[0]) == stamp for stamp in stamps)
    except OSError:
        return False


def _missing_file(case_no: str | None, doc_no: str, path: str) -> Problem:
    return Problem(
        "document",
        f"办件 {case_no} 的文书 {doc_no} 的文件 {Path(path).name} 不见了：请从备份恢复文书目录。",
        case_no=case_no,
    )


def file_sha256(path: str) -> str | None:
    """The SHA-256 of the file at `path`; None when it is not a readable file."""
    try:
        with open(path, "rb") as handle:
            if os.fstat(handle.fileno()).st_size > 1 << 24:
                return hashlib.file_digest(handle, "sha256").hexdigest()
            return hashlib.sha256(handle.read()).hexdigest()  # a document: one read
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError):
        return None


_YEAR = re.compile(r"^\d{4}$")
_MONTH = re.compile(r"^\d{2}$")
RECEIVED = "received"  # where an import writes the documents a bundle brought


def documents_roots(paths: Iterable[str]) -> set[str]:
    """The documents folders the recorded files live under: `ROOT/YYYY/MM/file` (issued here)
    and `ROOT/received/SENDER/...` (brought by a bundle)."""
    roots: set[str] = set()
    for path in paths:
        parts = Path(path).parts
        if RECEIVED in parts[:-1]:
            roots.add(str(Path(*parts[: len(parts) - 1 - parts[:-1][::-1].index(RECEIVED)])))
        elif len(parts) >= 4 and _YEAR.match(parts[-3]) and _MONTH.match(parts[-2]):
            roots.add(str(Path(*parts[:-3])))
    return roots


def _check_orphans(reads: RecordReads, proof: Proof, named: set[str]) -> None:
    """Every document file under the documents folders is named by a row (`named`: the paths
    the document rows name, collected by `_check_documents`): the whole tree is walked, every
    month folder (a forged file in a month that holds no recorded document too) and the
    imports' folder (a file an interrupted import left behind)."""
    # A roster batch's correction notice concerns rows that became no case: the batch names it.
    named.update(reads.batch_notice_paths())
    known = {os.path.normpath(p) for p in named}
    for root in sorted(documents_roots(known)):
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            relative = Path(folder).relative_to(root).parts
            received = relative[:1] == (RECEIVED,)
            if not received and relative and not _YEAR.match(relative[0]):
                continue  # not a folder documents are issued into
            for name in sorted(files):
                if name.startswith(".") or not name.endswith((".pdf", ".txt")):
                    continue
                if _SET_ASIDE.search(os.path.splitext(name)[0]):
                    proof.set_aside += 1
                    continue
                if os.path.join(folder, name) in known:
                    continue
                if received:
                    message = (
                        f"导入的文书文件 {name}（{folder}）没有任何登记记录：它是一次中断的导入"
                        "留下的（或登记记录被删除），请核对后删除。"
                    )
                else:
                    message = (
                        f"文书文件 {name}（{folder}）没有任何登记记录："
                        "它可能是登记记录被删除后留下的。"
                    )
                proof.problems.append(Problem("orphan", message))
