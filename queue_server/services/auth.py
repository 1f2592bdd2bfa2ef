"""Passwords (argon2id), logins with throttling, and login sessions (cookie or bearer token)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.db.engine import Database, UnitOfWork
from queue_server.db.models import AuthSession, LoginFailure, User
from queue_server.db.repositories import counters
from queue_server.db.repositories import users as user_repo
from queue_server.services.access import Principal, Role
from queue_server.services.principal_cache import Login, PrincipalCache, Revoked
from queue_server.settings import Settings

MIN_PASSWORD_LENGTH = 8
# Each argon2 computation takes its memory cost (64 MiB by default) and a core for a few hundred
# milliseconds: at most two at a time, and never every core, so that a burst of logins waits its
# turn without starving the event loop of CPU.
HASHING_THREADS = max(1, min(2, (os.cpu_count() or 1) - 1))


class Passwords:
    """argon2id hashing with the configured cost, in a small thread pool beside the event loop.

    argon2-cffi releases the GIL while it works, so the pool's threads really run in parallel
    with the loop. `hash_now`/`verify_now` block; they are for code with no loop to keep free.
    """

    def __init__(self, settings: Settings) -> None:
        self._hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_cost
        )
        # Verified against when the login does not exist, so timing does not reveal logins.
        self._decoy = self._hasher.hash(secrets.token_hex(16))
        self._pool: ThreadPoolExecutor | None = None

    async def hash(self, password: str) -> str:
        """The argon2id hash of `password`, computed in the pool."""
        return await asyncio.get_running_loop().run_in_executor(
            self._threads(), self.hash_now, password
        )

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether `password` matches (never for a missing hash), checked in the pool."""
        return await asyncio.get_running_loop().run_in_executor(
            self._threads(), self.verify_now, password_hash, password
        )

    def close(self) -> None:
        """Let the pool's threads go once the checks under way have finished."""
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _threads(self) -> ThreadPoolExecutor:
        if self._pool is None:  # made on first use, and again if the app starts once more
            self._pool = ThreadPoolExecutor(HASHING_THREADS, thread_name_prefix="argon2")
        return self._pool

    def hash_now(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify_now(self, password_hash: str | None, password: str) -> bool:
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


async def check_login(
    session: AsyncSession,
    settings: Settings,
    passwords: Passwords,
    login: str,
    password: str,
    client: str,
    now: datetime,
) -> LoginOutcome:
    """Check the password unless the login or client is throttled: reads only, so no writer
    waits behind argon2; `record_login` then writes what it found."""
    since = now - timedelta(seconds=settings.login_throttle_window_seconds)
    by_login, by_client = await user_repo.recent_failures(session, login, client, since)
    if (
        by_login >= settings.login_max_failures
        or by_client >= settings.login_max_failures_per_client
    ):
        return LoginOutcome(None, throttled=True)
    user = await user_repo.by_login(session, login)
    valid = await passwords.verify(user.password_hash if user else None, password)
    if user is None or not valid or not user.active:
        return LoginOutcome(None)
    return LoginOutcome(user)


async def record_login(
    uow: UnitOfWork,
    settings: Settings,
    outcome: LoginOutcome,
    login: str,
    client: str,
    now: datetime,
) -> None:
    """Count a failed attempt, or forget the login's failures after a success."""
    if outcome.throttled:
        return
    if outcome.user is None:
        uow.session.add(LoginFailure(login=login[:100], client=client[:100], at=now))
        return
    since = now - timedelta(seconds=settings.login_throttle_window_seconds)
    await user_repo.clear_failures(uow.session, login, since)


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
    database: Database,
    principals: PrincipalCache,
    settings: Settings,
    token: str,
    via_cookie: bool,
    now: datetime,
) -> Principal | None:
    """The user behind a token, if the session exists, has not expired and the user is active.

    Answered from this process's memory when it can: no query, but for one a second at most that
    sees whether a login was revoked elsewhere (services.principal_cache).
    """
    token_hash = _token_hash(settings, token)
    await principals.check(lambda: _auth_epoch(database))
    login = principals.get(token_hash, now)
    if login is None:
        generation = principals.generation
        async with database.reading() as session:
            login = await _stored_login(session, token_hash, now)
        if login is None:
            return None
        principals.put(token_hash, login, generation)
    return replace(login.principal, via_cookie=via_cookie)


async def _auth_epoch(database: Database) -> int:
    async with database.reading() as session:
        return await counters.auth_epoch(session)


async def _stored_login(session: AsyncSession, token_hash: str, now: datetime) -> Login | None:
    found = await user_repo.session_with_user(session, token_hash)
    if found is None:
        return None
    stored, user = found
    if stored.expires_at <= now or not user.active:
        return None
    principal = Principal(
        user_id=user.id,
        login=user.login,
        role=Role(user.role),
        office_id=user.office_id,
        csrf_token=stored.csrf_token,
    )
    return Login(principal, stored.expires_at)


async def close_session(
    uow: UnitOfWork, settings: Settings, principals: PrincipalCache, token: str
) -> None:
    """End a login session: once this commits, this process refuses its token at once and the
    others do within about a second (at once with Redis)."""
    token_hash = _token_hash(settings, token)
    await user_repo.delete_session(uow.session, token_hash)
    await _revoke(uow, principals, Revoked(token_hash=token_hash))


async def revoke_user(uow: UnitOfWork, principals: PrincipalCache, user_id: int) -> None:
    """Make every process look the user up afresh once this commits: call it in the transaction
    that deactivates a user or changes their role, office or login."""
    await _revoke(uow, principals, Revoked(user_id=user_id))


async def _revoke(uow: UnitOfWork, principals: PrincipalCache, revoked: Revoked) -> None:
    await counters.bump_auth_epoch(uow.session, uow.dialect)

    async def forget_everywhere() -> None:
        principals.revoke(revoked)

    uow.after_commit(forget_everywhere)
