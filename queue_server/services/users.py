"""Users after they are created: listing, editing, retiring (creating is in services.catalogue)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core import accounts
from queue_server.core.audit import action_of, changes_between
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import Topic, User
from queue_server.db.repositories import tickets as ticket_repo
from queue_server.db.repositories import users as user_repo
from queue_server.errors import Forbidden, LastAdmin, OperatorBusy, Unprocessable, UserNotFound
from queue_server.services import audit, auth, lookups, operators
from queue_server.services.access import Principal, Role, require_office
from queue_server.services.principal_cache import PrincipalCache


def user_json(user: User, skills: Mapping[int, int]) -> dict[str, Any]:
    """A user as the API shows it; skills by topic id."""
    return {
        "id": user.id,
        "login": user.login,
        "role": user.role,
        "office_id": user.office_id,
        "display_name": user.display_name,
        "active": user.active,
        "skills": [{"topic_id": t, "priority": p} for t, p in sorted(skills.items())],
    }


async def user_view(session: AsyncSession, user: User) -> dict[str, Any]:
    """The user with their skills, as the API shows it."""
    return user_json(user, await user_repo.skills_of(session, user.id))


async def list_users(
    session: AsyncSession, actor: Principal | None, office_id: int | None
) -> list[dict[str, Any]]:
    """The users of one office, or of every office the actor may see (a manager: their own;
    `actor` None: the server itself, the command line)."""
    if office_id is not None:
        await lookups.office(session, office_id)
        if actor is not None:
            require_office(actor, office_id)
    elif actor is not None and actor.role is not Role.ADMIN:
        office_id = actor.office_id
    users = await user_repo.list_users(session, office_id)
    skills = await user_repo.skills_of_users(session, [u.id for u in users])
    return [user_json(u, skills.get(u.id, {})) for u in users]


async def edit_user(
    uow: UnitOfWork,
    principals: PrincipalCache,
    actor: Principal | None,
    user_id: int,
    changes: Mapping[str, Any],
    now: datetime,
) -> User:
    """Change a user's role, office, display name, skills or active state.

    `changes` holds only what was sent (skills as {topic_id: priority}); `actor` None is the
    server itself (the command line). Unknown ids first (404), then who may (403), then the
    values (422) and the state (409)."""
    user = await _locked(uow, user_id)
    if changes.get("office_id") is not None:
        await lookups.office(uow.session, changes["office_id"])
    before = await _account(uow.session, user)
    after = _changed(before, changes, user.login)
    moved = changes_between(before, after)
    if actor is not None and actor.role is not Role.ADMIN:
        problem = accounts.manager_refusal(actor.office_id, before, moved)
        if problem:
            raise Forbidden(problem)
    await _check_skills(uow.session, after)
    await _check_not_serving(uow.session, user, before, after)
    await _apply(uow, principals, user, after, moved, now)
    await _check_an_admin_remains(uow.session, user, before, after)
    await _record(uow, actor, user.id, (before, after), moved, now)
    return user


async def id_of(session: AsyncSession, login: str) -> int:
    """The id of the user `login` (for the command line, which names users by login)."""
    user = await user_repo.by_login(session, login)
    if user is None:
        raise UserNotFound(f"there is no user '{login}'; queue-server users list shows them all")
    return user.id


async def _locked(uow: UnitOfWork, user_id: int) -> User:
    user = await user_repo.lock_to_edit(uow.session, user_id)
    if user is None:
        raise UserNotFound(f"there is no user with id {user_id}")
    return user


async def _account(session: AsyncSession, user: User) -> dict[str, Any]:
    """The editable fields of a user, in the form `changes` and the audit trail use."""
    return {
        "role": user.role,
        "office_id": user.office_id,
        "display_name": user.display_name,
        "skills": await user_repo.skills_of(session, user.id),
        "active": user.active,
    }


def _changed(before: Mapping[str, Any], changes: Mapping[str, Any], login: str) -> dict[str, Any]:
    after = {**before, **changes}
    if "display_name" in changes and not changes["display_name"].strip():
        after["display_name"] = login  # as when the user was created without one
    if after["office_id"] != before["office_id"] and "skills" not in changes:
        after["skills"] = {}  # the old office's topics; with none, they serve every new topic
    return after


async def _check_skills(session: AsyncSession, after: Mapping[str, Any]) -> None:
    office_id, skills = after["office_id"], after["skills"]
    if skills and office_id is None:
        raise Unprocessable("skills need the user's office_id: set one, or send skills []")
    for topic_id in skills:
        topic = await session.get(Topic, topic_id)
        if topic is None or topic.office_id != office_id:
            raise Unprocessable(
                f"skill topic_id {topic_id} is not a topic of office {office_id}; "
                f"GET /api/v1/offices/{office_id}/topics/all lists them"
            )


async def _check_not_serving(
    session: AsyncSession, user: User, before: Mapping[str, Any], after: Mapping[str, Any]
) -> None:
    if accounts.leaves_office(before, after):
        held = await ticket_repo.active_ticket_of_operator(session, user.id)
        if held is not None:
            raise OperatorBusy(
                f"{user.login} holds ticket {held.number}; they finish or return it first, "
                "then try again"
            )


async def _check_an_admin_remains(
    session: AsyncSession, user: User, before: Mapping[str, Any], after: Mapping[str, Any]
) -> None:
    """Counted after the change is applied: removing an admin changes the role or the active
    state, which bumps the auth epoch, a row lock a concurrent removal waits for before it counts
    afresh. So two admins cannot retire each other at once; raising rolls the change back."""
    removed = accounts.removes_an_admin(before, after)
    if removed and await user_repo.other_active_admins(session, user.id) == 0:
        raise LastAdmin(accounts.LAST_ADMIN.format(login=user.login))


async def _apply(
    uow: UnitOfWork,
    principals: PrincipalCache,
    user: User,
    after: Mapping[str, Any],
    moved: Mapping[str, Any],
    now: datetime,
) -> None:
    user.role, user.office_id = after["role"], after["office_id"]
    user.display_name, user.active = after["display_name"], after["active"]
    if "skills" in moved:
        await user_repo.replace_skills(uow.session, user.id, after["skills"])
    if "active" in moved or "office_id" in moved:
        await operators.release_windows(uow, user.id, now)
    if not after["active"] and "active" in moved:
        await auth.end_sessions(uow, principals, user.id)
    elif accounts.SESSION_FIELDS & moved.keys():
        await auth.revoke_user(uow, principals, user.id)


async def _record(
    uow: UnitOfWork,
    actor: Principal | None,
    user_id: int,
    accounts_before_after: tuple[Mapping[str, Any], Mapping[str, Any]],
    moved: Mapping[str, list[Any]],
    now: datetime,
) -> None:
    """An audit entry in each office the user left or joined (its screens count operators)."""
    if not moved:
        return
    before, after = accounts_before_after
    changes = {**moved}
    if "skills" in changes:
        changes["skills"] = [_skills_json(before["skills"]), _skills_json(after["skills"])]
    offices = dict.fromkeys((before["office_id"], after["office_id"]))
    for office_id in [o for o in offices if o is not None] or [None]:
        await audit.record(
            uow,
            actor=actor,
            office_id=office_id,
            object_type="user",
            object_id=user_id,
            now=now,
            action=action_of(changes),
            changes=changes,
        )


def _skills_json(skills: Mapping[int, int]) -> list[dict[str, int]]:
    return [{"topic_id": t, "priority": p} for t, p in sorted(skills.items())]
