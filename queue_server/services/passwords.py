"""New passwords: an administrator's reset, and a signed-in user's change of their own.

Both hash (and check) in the argon2 pool before they begin writing, so the writer's turn is
never held for the few hundred milliseconds a hash takes: `uow` arrives not yet begun."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from queue_server.core.credentials import password_problem
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import User
from queue_server.db.repositories import users as user_repo
from queue_server.errors import NotAuthenticated, UserNotFound, WeakPassword, WrongPassword
from queue_server.services import audit, auth, lookups, throttling
from queue_server.services.access import Principal
from queue_server.services.principal_cache import PrincipalCache
from queue_server.settings import Settings

PASSWORD_RESET, PASSWORD_CHANGED = "password_reset", "password_changed"


def _check_strength(password: str, login: str) -> None:
    problem = password_problem(password, login)
    if problem:
        raise WeakPassword(problem)


async def reset_password(
    uow: UnitOfWork,
    passwords: auth.Passwords,
    principals: PrincipalCache,
    actor: Principal | None,
    user_id: int,
    password: str,
    now: datetime,
) -> None:
    """Give the user a new password and end all their sessions (`actor` None: the command
    line). 404 for an unknown user, 422 weak_password."""
    async with uow.database.reading() as session:
        login = (await lookups.user(session, user_id)).login
    _check_strength(password, login)
    password_hash = await passwords.hash(password)
    await uow.begin()
    user = await _locked(uow, user_id)
    user.password_hash = password_hash
    await auth.end_sessions(uow, principals, user.id)
    await _record(uow, actor, user, PASSWORD_RESET, now)


@dataclass(frozen=True, slots=True)
class OwnChange:
    """A signed-in user's request to change their password, from the session `token`."""

    actor: Principal
    current_password: str
    new_password: str
    token: str
    client: str


async def change_own_password(
    uow: UnitOfWork,
    settings: Settings,
    passwords: auth.Passwords,
    principals: PrincipalCache,
    change: OwnChange,
    now: datetime,
) -> None:
    """Replace the user's password after checking the current one, ending their other sessions;
    throttled as sign-ins are (a stolen session must not become a way to guess the password).
    422 weak_password, 429 too_many_attempts, 403 wrong_password."""
    actor = change.actor
    _check_strength(change.new_password, actor.login)
    keys = throttling.AttemptKeys.of(actor.login, change.client)
    await throttling.claim_attempt(uow.database, settings, keys, now)
    async with uow.database.reading() as session:
        checked = (await lookups.user(session, actor.user_id)).password_hash
    if not await passwords.verify(checked, change.current_password):
        raise WrongPassword("the current password is wrong; type it again")
    password_hash = await passwords.hash(change.new_password)
    await uow.begin()
    user = await _locked(uow, actor.user_id)
    if user.password_hash != checked or not user.active:
        raise NotAuthenticated("your account changed a moment ago; sign in again")
    user.password_hash = password_hash
    await throttling.succeeded(uow, keys, now)
    await auth.end_sessions(uow, principals, user.id, keep=(settings, change.token))
    await _record(uow, actor, user, PASSWORD_CHANGED, now)


async def _locked(uow: UnitOfWork, user_id: int) -> User:
    user = await user_repo.lock_to_edit(uow.session, user_id)
    if user is None:
        raise UserNotFound(f"there is no user with id {user_id}")
    return user


async def _record(
    uow: UnitOfWork, actor: Principal | None, user: User, action: str, now: datetime
) -> None:
    await audit.record(
        uow,
        actor=actor,
        office_id=user.office_id,
        object_type="user",
        object_id=user.id,
        now=now,
        action=action,
        # Neither the password nor its hash ever enters the audit trail: only that it changed.
        changes={"password": ["***", "***"]},
    )
