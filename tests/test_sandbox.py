"""The suite never writes into the real home directory."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import REAL_HOME, SANDBOX
from platformdirs import user_data_path

from clerk.support.paths import holidays_dir


def test_the_default_data_directory_is_inside_the_sandbox() -> None:
    path = user_data_path("clerk", appauthor=False).resolve()
    assert path.is_relative_to(SANDBOX)
    assert not path.is_relative_to(REAL_HOME)


def test_home_points_into_the_sandbox() -> None:
    assert Path(os.environ["HOME"]).resolve().is_relative_to(SANDBOX)


def test_the_holiday_directory_is_inside_the_sandbox() -> None:
    assert not holidays_dir().resolve().is_relative_to(REAL_HOME)
