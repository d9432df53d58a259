"""Where clerk keeps its files: the user's data directory unless told otherwise."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

from clerk.support import file_modes

APP_NAME = "clerk"
ENV_DATA_DIR = "CLERK_DATA_DIR"


def data_dir() -> Path:
    """The data directory (created on first use). `CLERK_DATA_DIR` overrides it."""
    override = os.environ.get(ENV_DATA_DIR)
    path = Path(override) if override else user_data_path(APP_NAME, appauthor=False)
    file_modes.use_private_umask()  # names and ID numbers live here: the owner's only
    path.mkdir(parents=True, exist_ok=True)
    file_modes.make_private(path)
    return path


def default_db_path() -> Path:
    return data_dir() / "clerk.db"


def documents_dir() -> Path:
    path = data_dir() / "documents"
    path.mkdir(parents=True, exist_ok=True)
    return path


def holidays_dir() -> Path:
    """Holiday files an administrator installs for years `chinesecalendar` does not cover."""
    path = data_dir() / "holidays"
    path.mkdir(parents=True, exist_ok=True)
    return path
