"""Accounts: argon2id hashes, the password policy, and lockout after five failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.clock import Clock
from support.tamper import raw_value
from test_storage_support import T0, open_store

from clerk.db import AuthError, PasswordPolicyError, User, UserError
from clerk.domain.model import Role


@pytest.fixture
def clock():
    return Clock(T0)


@pytest.fixture
def store(tmp_path, clock):
    s = open_store(tmp_path / "clerk.db", clock)
    yield s
    s.close()


@pytest.fixture
def wang(store):
    return store.create_user("wang", "王芳", "clerk", "correct-horse", "YZ01")


def _fail(store, times):
    for _ in range(times):
        with pytest.raises(AuthError):
            store.authenticate("wang", "wrong-password")


def test_create_user_returns_the_account(wang):
    assert wang == User(
        login="wang",
        name="王芳",
        role=Role.CLERK,
        point_code="YZ01",
        active=True,
        failed_attempts=0,
        locked_until=None,
    )


def test_password_is_stored_as_an_argon2id_hash(store, wang):
    stored = raw_value(store, "SELECT password_hash FROM users")
    assert stored.startswith("$argon2id$")
    assert "correct-horse" not in stored


def test_has_users(store):
    assert store.has_users() is False
    store.create_user("admin", "管理员", Role.ADMIN, "admin-password", "YZ01")
    assert store.has_users() is True


def test_users_are_listed_by_login(store):
    store.create_user("zhao", "赵六", "reviewer", "password-z", "YZ01")
    store.create_user("admin", "管理员", "admin", "password-a", "YZ01")
    assert [(u.login, u.role) for u in store.users()] == [
        ("admin", Role.ADMIN),
        ("zhao", Role.REVIEWER),
    ]


@pytest.mark.parametrize("password", ["", "short", "1234567"])
def test_password_shorter_than_eight_characters_is_refused(store, password):
    with pytest.raises(PasswordPolicyError, match="至少需要 8 个字符"):
        store.create_user("wang", "王芳", "clerk", password, "YZ01")
    assert store.has_users() is False


def test_eight_characters_are_enough(store):
    assert store.create_user("wang", "王芳", "clerk", "12345678", "YZ01").login == "wang"


def test_password_equal_to_login_is_refused(store):
    with pytest.raises(PasswordPolicyError, match="不能与登录名相同"):
        store.create_user("wang12345", "王芳", "clerk", "WANG12345", "YZ01")


def test_duplicate_login_is_refused_regardless_of_case(store, wang):
    with pytest.raises(UserError, match="已被使用"):
        store.create_user("WANG", "王二", "clerk", "another-pass", "YZ01")


@pytest.mark.parametrize("login", ["", "王芳", "has space", "-dash", "x" * 33])
def test_bad_logins_are_refused(store, login):
    with pytest.raises(UserError, match="登录名须为"):
        store.create_user(login, "王芳", "clerk", "correct-horse", "YZ01")


def test_unknown_role_is_refused(store):
    with pytest.raises(UserError, match="角色应为"):
        store.create_user("wang", "王芳", "boss", "correct-horse", "YZ01")


def test_authenticate_with_the_right_password(store, wang):
    assert store.authenticate("wang", "correct-horse") == wang


def test_wrong_password_is_refused_without_echoing_it(store, wang):
    with pytest.raises(AuthError) as info:
        store.authenticate("wang", "wrong-password")
    assert (
        str(info.value) == "登录名或密码不正确，请重新输入。连续输错 5 次，账号将被锁定 15 分钟。"
    )


def test_unknown_login_gets_the_same_answer_as_a_wrong_password(store, wang):
    with pytest.raises(AuthError) as unknown:
        store.authenticate("nobody", "whatever-pass")
    with pytest.raises(AuthError) as wrong:
        store.authenticate("wang", "whatever-pass")
    assert (
        str(unknown.value)
        == str(wrong.value)
        == ("登录名或密码不正确，请重新输入。连续输错 5 次，账号将被锁定 15 分钟。")
    )


def test_failures_are_counted(store, wang):
    _fail(store, 3)
    assert store.user("wang").failed_attempts == 3


def test_success_resets_the_count(store, wang):
    _fail(store, 4)
    store.authenticate("wang", "correct-horse")
    assert store.user("wang").failed_attempts == 0


def test_fifth_failure_locks_for_fifteen_minutes(store, wang):
    _fail(store, 4)
    with pytest.raises(AuthError, match="已锁定 15 分钟，请于 09:15 后再试"):
        store.authenticate("wang", "wrong-password")
    assert store.user("wang").locked_until == T0 + timedelta(minutes=15)


def test_locked_account_refuses_even_the_right_password(store, wang, clock):
    _fail(store, 5)
    clock.at = T0 + timedelta(minutes=14, seconds=59)
    with pytest.raises(AuthError, match="账号已锁定"):
        store.authenticate("wang", "correct-horse")


def test_lock_expires_after_fifteen_minutes(store, wang, clock):
    _fail(store, 5)
    clock.at = T0 + timedelta(minutes=15)
    assert store.authenticate("wang", "correct-horse").locked_until is None


def test_set_password_clears_the_lock(store, wang):
    _fail(store, 5)
    store.set_password("wang", "new-password-1")
    assert store.authenticate("wang", "new-password-1").login == "wang"


def test_set_password_applies_the_policy(store, wang):
    with pytest.raises(PasswordPolicyError):
        store.set_password("wang", "short")
    assert store.authenticate("wang", "correct-horse").login == "wang"


def test_inactive_account_cannot_sign_in(store, wang):
    store.set_active("wang", False)
    with pytest.raises(AuthError, match="已停用"):
        store.authenticate("wang", "correct-horse")


def test_failure_count_survives_reopening(tmp_path, clock):
    s = open_store(tmp_path / "clerk.db", clock)
    s.create_user("wang", "王芳", "clerk", "correct-horse", "YZ01")
    with pytest.raises(AuthError):
        s.authenticate("wang", "nope-nope")
    s.close()
    assert open_store(tmp_path / "clerk.db", clock).user("wang").failed_attempts == 1
