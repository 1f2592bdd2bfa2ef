"""What a password or a server secret must be: the one rule every way of setting one applies."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

MIN_PASSWORD_LENGTH = 10
# Fewer different characters than this is a pattern, not a password ("1212121212", ten spaces).
MIN_PASSWORD_DISTINCT = 4
MIN_SECRET_LENGTH = 32
MIN_SECRET_DISTINCT = 8
GOOD_PASSWORD = (
    "a good one is a phrase of three or four unrelated words, or a long random password from a "
    "password manager"
)
MAKE_A_SECRET = "python -c 'import secrets; print(secrets.token_urlsafe(48))'"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords (source and licence at the top of the file)."""
    text = resources.files("queue_server.core").joinpath("common_passwords.txt").read_text("utf-8")
    return frozenset(line for line in text.splitlines() if line and not line.startswith("#"))


def password_problem(password: str, login: str) -> str | None:
    """Why `password` is too weak for the user `login`, with advice, or None when it will do."""
    if len(password) < MIN_PASSWORD_LENGTH:
        reason = f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
    elif password.casefold() == login.casefold():
        reason = "the password must not be the login"
    elif len(set(password)) < MIN_PASSWORD_DISTINCT:
        reason = "the password repeats too few different characters"
    elif password.casefold() in common_passwords():
        reason = "the password is among the 10,000 most common ones, which are guessed first"
    else:
        return None
    return f"{reason}; {GOOD_PASSWORD}"


def _periodic(text: str) -> bool:
    """Whether `text` is one shorter piece over and over ("abcabcabc")."""
    return len(text) > 1 and (text + text).find(text, 1) < len(text)


def secret_key_problem(secret: str) -> str | None:
    """Why a server secret is too weak to sign with, or None."""
    key = secret.strip()
    if len(key) < MIN_SECRET_LENGTH or len(set(key)) < MIN_SECRET_DISTINCT or _periodic(key):
        return (
            f"QUEUE_SECRET_KEY must be at least {MIN_SECRET_LENGTH} random characters: make one "
            f"with {MAKE_A_SECRET} (or set QUEUE_ENV=demo for the embedded demo)"
        )
    return None
