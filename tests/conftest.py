"""Suite-wide fixtures."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from clerk.storage import users


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """Argon2id at production cost takes ~0.3 s a hash; tests use the same algorithm, cheaply."""
    monkeypatch.setattr(users, "default_hasher", lambda: PasswordHasher(time_cost=1, memory_cost=64, parallelism=1))


@pytest.fixture(autouse=True)
def private_data_dir(tmp_path_factory, monkeypatch):
    """No test writes into the real user data directory."""
    monkeypatch.setenv("CLERK_DATA_DIR", str(tmp_path_factory.mktemp("clerk-data")))
