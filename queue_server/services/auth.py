"""Passwords (argon2id), logins with throttling, and login sessions (cookie or bearer token)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.db.engine import UnitOfWork
from queue_server.db.models import AuthSession, LoginFailure, User
from queue_server.db.repositories import users as user_repo
from queue_server.services.access import Principal, Role
from queue_server.settings import Settings

MIN_PASSWORD_LENGTH = 8


class Passwords:
    """argon2id hashing with the configured cost."""

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_cost
        )
        # Verified against when the login does not exist, so timing does not reveal logins.
        self._decoy = self._hasher.hash(secrets.token_hex(16))

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash or self._decoy, password) and bool(
                password_hash
            )
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def password_problem(password: str) -> str | None:
    """Why a new password is unacceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
    return None


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """The result of a login attempt; failures are recorded, so the caller raises after commit."""

    user: User | None
    throttled: bool = False


async def attempt_login(
    uow: UnitOfWork,
    settings: Settings,
    passwords: Passwords,
    login: str,
    password: str,
    client: str,
    now: datetime,
) -> LoginOutcome:
    """Check the password unless the login or client is throttled; record failures."""
    since = now - timedelta(seconds=settings.login_throttle_window_seconds)
    by_login, by_client = await user_repo.recent_failures(uow.session, login, client, since)
    if (
        by_login >= settings.login_max_failures
        or by_client >= settings.login_max_failures_per_client
    ):
        return LoginOutcome(None, throttled=True)
    user = await user_repo.by_login(uow.session, login)
    valid = passwords.verify(user.password_hash if user else None, password)
    if user is None or not valid or not user.active:
        uow.session.add(LoginFailure(login=login[:100], client=client[:100], at=now))
        return LoginOutcome(None)
    await user_repo.clear_failures(uow.session, login, since)
    return LoginOutcome(user)


def _token_hash(settings: Settings, token: str) -> str:
    key = (settings.secret_key or "demo").encode()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


async def open_session(
    uow: UnitOfWork, settings: Settings, user: User, kind: str, now: datetime
) -> tuple[str, str]:
    """Create a login session; returns (token, csrf token). Only the token's hash is stored."""
    token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    await user_repo.delete_expired_sessions(uow.session, now)
    uow.session.add(
        AuthSession(
            token_hash=_token_hash(settings, token),
            user_id=user.id,
            kind=kind,
            csrf_token=csrf,
            created_at=now,
            expires_at=now + timedelta(seconds=settings.session_max_age_seconds),
        )
    )
    return token, csrf


async def resolve_token(
    session: AsyncSession, settings: Settings, token: str, via_cookie: bool, now: datetime
) -> Principal | None:
    """The user behind a token, if the session exists, has not expired and the user is active."""
    stored = await user_repo.session_by_token_hash(session, _token_hash(settings, token))
    if stored is None or stored.expires_at <= now:
        return None
    user = await session.get(User, stored.user_id)
    if user is None or not user.active:
        return None
    return Principal(
        user_id=user.id,
        login=user.login,
        role=Role(user.role),
        office_id=user.office_id,
        via_cookie=via_cookie,
        csrf_token=stored.csrf_token,
    )


async def close_session(uow: UnitOfWork, settings: Settings, token: str) -> None:
    await user_repo.delete_session(uow.session, _token_hash(settings, token))
