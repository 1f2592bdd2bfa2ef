"""The one rule for passwords and server secrets."""

from __future__ import annotations

import secrets

import pytest

from queue_server.core.credentials import (
    common_passwords,
    password_problem,
    secret_key_problem,
)


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("password", "at least 10 characters"),
        (" " * 8, "at least 10 characters"),
        ("Kassa-77", "at least 10 characters"),
        ("ivanova.anna", "must not be the login"),
        ("IVANOVA.Anna", "must not be the login"),
        (" " * 12, "too few different characters"),
        ("1212121212", "too few different characters"),
        ("qwertyuiop", "most common"),
        ("1234567890", "most common"),
        ("Manchester", "most common"),
        ("Password123", "most common"),
    ],
)
def test_weak_passwords_are_refused_with_what_makes_a_good_one(password: str, reason: str) -> None:
    problem = password_problem(password, "ivanova.anna")
    assert problem is not None and reason in problem
    assert "unrelated words" in problem and "password manager" in problem


@pytest.mark.parametrize(
    "password", ["tea kettle under snow", "password-3f9a1c2e", "Kassa-77-Lipetsk", "демо-пароль"]
)
def test_long_uncommon_passwords_other_than_the_login_are_accepted(password: str) -> None:
    assert password_problem(password, "ivanova.anna") is None


def test_the_shipped_list_holds_the_ten_thousand_most_common_passwords() -> None:
    listed = common_passwords()
    assert len(listed) == 10_000
    assert {"123456", "password", "qwerty", "iloveyou"} <= listed


@pytest.mark.parametrize(
    "secret",
    ["abc", "", "changeme", "x" * 40, "abcd" * 10, "0123456789abcdef" * 2, "ab" * 20 + "c"],
)
def test_short_or_repetitive_secrets_are_refused_saying_how_to_make_one(secret: str) -> None:
    problem = secret_key_problem(secret)
    assert problem is not None and "\n" not in problem
    assert "QUEUE_SECRET_KEY" in problem
    assert "python -c 'import secrets; print(secrets.token_urlsafe(48))'" in problem


def test_a_random_secret_is_accepted() -> None:
    assert secret_key_problem(secrets.token_urlsafe(48)) is None
    assert secret_key_problem(secrets.token_hex(16)) is None
