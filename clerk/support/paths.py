"""Where clerk keeps its files: the user's data directory unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

from clerk.support import file_modes

APP_NAME = "clerk"
ENV_DATA_DIR = "CLERK_DATA_DIR"
# The documents folder's subfolder where a decision in flight keeps its journal
# (`clerk.documents.journal`); named here so a check for leftovers loads nothing else.
JOURNAL_DIR = ".pending"


def data_dir() -> Path:
    """The data directory (created on first use). `CLERK_DATA_DIR` overrides it."""
    override = os.environ.get(ENV_DATA_DIR)
    if override:
        path = Path(override)
    else:  # platformdirs only when it is asked (3 ms of every command's start otherwise)
        from platformdirs import user_data_path

        path = user_data_path(APP_NAME, appauthor=False)
    file_modes.use_private_umask()  # names and ID numbers live here: the owner's only
    path.mkdir(parents=True, exist_ok=True)
    file_modes.make_private(path)
    return path


def default_db_path() -> Path:
    return data_dir() / "clerk.db"


def documents_dir() -> Path:
    path = data_dir() / "documents"
    path.mkdir(parents=True, exist_ok=True)
    file_modes.make_private(path)
    return path


def crash_journals(documents: Path) -> bool:
    """Whether a decision killed mid-write left its journal in `documents` (under `JOURNAL_DIR`):
    only then is the tidy (`clerk.documents.tidy`) loaded and run, at start-up and by a verify."""
    try:
        with os.scandir(documents / JOURNAL_DIR) as entries:
            return any(True for _ in entries)
    except (FileNotFoundError, NotADirectoryError):
        return False  # no decision ever died here
    except OSError:
        return True  # unreadable: the tidy says what it can


def holidays_dir() -> Path:
    """Holiday files an administrator installs for years `chinesecalendar` does not cover."""
    path = data_dir() / "holidays"
    path.mkdir(parents=True, exist_ok=True)
    return path
