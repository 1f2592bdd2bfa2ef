"""Passwords (argon2id), signing in (throttled: services.throttling), login sessions (cookie or
bearer token) and the one-use tickets that open a staff websocket."""

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
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.db.engine import Database, UnitOfWork
from queue_server.db.models import AuthSession, User
from queue_server.db.repositories import counters
from queue_server.db.repositories import users as user_repo
from queue_server.errors import InvalidCredentials, NotAuthenticated
from queue_server.services import throttling
from queue_server.services.access import Principal, Role
from queue_server.services.principal_cache import Login, PrincipalCache, Revoked
from queue_server.settings import Settings

# Each argon2 computation takes its memory cost (64 MiB by default) and a core for a few hundred
# milliseconds: at most two at a time, and never every core, so that a burst of logins waits its
# turn without starving the event loop of CPU.
HASHING_THREADS = max(1, min(2, (os.cpu_count() or 1) - 1))
# Long enough for a page to open its websocket after asking, short enough to be useless later.
WS_TICKET_SECONDS = 30


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


@dataclass(frozen=True, slots=True)
class Credentials:
    """What a sign-in form sent, and from which client address."""

    login: str
    password: str
    client: str


@dataclass(frozen=True, slots=True)
class SignedIn:
    user: User
    token: str
    csrf_token: str


async def sign_in(
    database: Database,
    settings: Settings,
    passwords: Passwords,
    credentials: Credentials,
    kind: str,
    now: datetime,
) -> SignedIn:
    """Check a login and password and open a session of `kind` (cookie or bearer).

    Three short transactions rather than the request's one: the attempt's claim commits before
    the password is checked (so attempts under way count on every worker), the check holds no
    writer's turn, and only a success writes again. 429 when throttled, 401 when wrong."""
    keys = throttling.AttemptKeys.of(credentials.login, credentials.client)
    await throttling.claim_attempt(database, settings, keys, now)
    async with database.reading() as session:
        user = await user_repo.by_login(session, credentials.login)
    valid = await passwords.verify(user.password_hash if user else None, credentials.password)
    if user is None or not valid or not user.active:
        raise InvalidCredentials("wrong login or password")
    async with database.unit_of_work() as uow:
        await throttling.succeeded(uow, keys, now)
        token, csrf = await open_session(uow, settings, user, kind, now)
    return SignedIn(user, token, csrf)


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
    return await _resolve_hash(database, principals, _token_hash(settings, token), via_cookie, now)


async def _resolve_hash(
    database: Database,
    principals: PrincipalCache,
    token_hash: str,
    via_cookie: bool,
    now: datetime,
) -> Principal | None:
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


async def issue_ws_ticket(uow: UnitOfWork, settings: Settings, token: str, now: datetime) -> str:
    """A one-use ticket for opening a staff websocket as the login of `token` within
    WS_TICKET_SECONDS: the URL carries it instead of the token. Only its hash is stored."""
    ticket = secrets.token_urlsafe(32)
    await user_repo.delete_expired_ws_tickets(uow.session, now)
    expires_at = now + timedelta(seconds=WS_TICKET_SECONDS)
    try:
        await user_repo.add_ws_ticket(
            uow.session, _token_hash(settings, ticket), _token_hash(settings, token), expires_at
        )
    except IntegrityError as error:  # the session ended a moment ago, on another worker
        raise NotAuthenticated("your session has ended; sign in again") from error
    return ticket


async def redeem_ws_ticket(
    database: Database,
    principals: PrincipalCache,
    settings: Settings,
    ticket: str,
    now: datetime,
) -> Principal | None:
    """The user a websocket ticket was issued to, using it up; None if it is unknown, used or
    expired, or its session has ended since. Any worker redeems it: tickets are in the database."""
    async with database.unit_of_work() as uow:
        session_hash = await user_repo.redeem_ws_ticket(
            uow.session, _token_hash(settings, ticket), now
        )
    if session_hash is None:
        return None
    return await _resolve_hash(database, principals, session_hash, False, now)


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


async def end_sessions(
    uow: UnitOfWork,
    principals: PrincipalCache,
    user_id: int,
    keep: tuple[Settings, str] | None = None,
) -> None:
    """End every login session of the user on every worker once this commits, but the one of
    `keep` (settings, token): the request that changes its own password stays signed in."""
    kept = None if keep is None else _token_hash(*keep)
    # Deleted, not only forgotten: a user reactivated later must sign in afresh.
    await user_repo.delete_sessions_of(uow.session, user_id, keep_token_hash=kept)
    await revoke_user(uow, principals, user_id)


async def _revoke(uow: UnitOfWork, principals: PrincipalCache, revoked: Revoked) -> None:
    await counters.bump_auth_epoch(uow.session, uow.dialect)

    async def forget_everywhere() -> None:
        principals.revoke(revoked)

    uow.after_commit(forget_everywhere)
