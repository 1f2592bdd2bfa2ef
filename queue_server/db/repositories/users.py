"""Users, skills, login sessions and their one-use websocket tickets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.db.models import AuthSession, Skill, User, WsTicket
from queue_server.db.repositories import locking


async def by_login(session: AsyncSession, login: str) -> User | None:
    return (await session.scalars(select(User).where(User.login == login))).first()


async def lock(session: AsyncSession, user_id: int) -> User | None:
    return await locking.locked(session, User, user_id)


async def lock_to_edit(session: AsyncSession, user_id: int) -> User | None:
    """The user, locked against other changes but not against rows that name them: two admins
    editing each other both write audit entries naming the other as actor (a foreign key)."""
    return await locking.locked(session, User, user_id, key_share=True)


async def skills_of(session: AsyncSession, user_id: int) -> dict[int, int]:
    rows = (
        await session.execute(
            select(Skill.topic_id, Skill.priority).where(Skill.user_id == user_id)
        )
    ).all()
    return {topic_id: priority for topic_id, priority in rows}


async def list_users(session: AsyncSession, office_id: int | None) -> Sequence[User]:
    """Every user, active or not, of one office (or of all: None), by id."""
    statement = select(User).order_by(User.id)
    if office_id is not None:
        statement = statement.where(User.office_id == office_id)
    return (await session.scalars(statement)).all()


async def skills_of_users(
    session: AsyncSession, user_ids: Sequence[int]
) -> dict[int, dict[int, int]]:
    """{user id: {topic id: priority}} of these users (those without skills are absent)."""
    result: dict[int, dict[int, int]] = {}
    if not user_ids:
        return result
    statement = select(Skill.user_id, Skill.topic_id, Skill.priority).where(
        Skill.user_id.in_(user_ids)
    )
    for user_id, topic_id, priority in (await session.execute(statement)).all():
        result.setdefault(user_id, {})[topic_id] = priority
    return result


async def replace_skills(session: AsyncSession, user_id: int, skills: dict[int, int]) -> None:
    await session.execute(delete(Skill).where(Skill.user_id == user_id))
    session.add_all(
        Skill(user_id=user_id, topic_id=topic_id, priority=priority)
        for topic_id, priority in skills.items()
    )
    await session.flush()


async def other_active_admins(session: AsyncSession, user_id: int) -> int:
    statement = select(func.count(User.id)).where(
        User.role == "admin", User.active.is_(True), User.id != user_id
    )
    return int(await session.scalar(statement) or 0)


async def users_of_office(session: AsyncSession, office_id: int) -> Sequence[User]:
    statement = select(User).where(User.office_id == office_id, User.active.is_(True))
    return (await session.scalars(statement.order_by(User.id))).all()


async def skills_of_office(session: AsyncSession, office_id: int) -> dict[int, dict[int, int]]:
    statement = (
        select(Skill.user_id, Skill.topic_id, Skill.priority)
        .join(User, User.id == Skill.user_id)
        .where(User.office_id == office_id)
    )
    result: dict[int, dict[int, int]] = {}
    for user_id, topic_id, priority in (await session.execute(statement)).all():
        result.setdefault(user_id, {})[topic_id] = priority
    return result


async def session_with_user(
    session: AsyncSession, token_hash: str
) -> tuple[AuthSession, User] | None:
    """The login session of this token hash and its user, in one query."""
    statement = (
        select(AuthSession, User)
        .join(User, User.id == AuthSession.user_id)
        .where(AuthSession.token_hash == token_hash)
    )
    row = (await session.execute(statement)).first()
    return None if row is None else (row[0], row[1])


async def delete_session(session: AsyncSession, token_hash: str) -> None:
    await session.execute(delete(AuthSession).where(AuthSession.token_hash == token_hash))


async def delete_sessions_of(
    session: AsyncSession, user_id: int, keep_token_hash: str | None = None
) -> None:
    """End the user's login sessions (their websocket tickets go with them), but the one kept."""
    statement = delete(AuthSession).where(AuthSession.user_id == user_id)
    if keep_token_hash is not None:
        statement = statement.where(AuthSession.token_hash != keep_token_hash)
    await session.execute(statement)


async def delete_expired_sessions(session: AsyncSession, now: datetime) -> None:
    await session.execute(delete(AuthSession).where(AuthSession.expires_at < now))


async def add_ws_ticket(
    session: AsyncSession, ticket_hash: str, session_hash: str, expires_at: datetime
) -> None:
    session.add(WsTicket(ticket_hash=ticket_hash, session_hash=session_hash, expires_at=expires_at))
    await session.flush()


async def redeem_ws_ticket(session: AsyncSession, ticket_hash: str, now: datetime) -> str | None:
    """Use up a websocket ticket: the hash of its login session, if it had not expired.

    One DELETE ... RETURNING, so of two workers redeeming the same ticket only one gets it."""
    statement = (
        delete(WsTicket)
        .where(WsTicket.ticket_hash == ticket_hash)
        .returning(WsTicket.session_hash, WsTicket.expires_at)
    )
    row = (await session.execute(statement)).first()
    return row[0] if row is not None and row[1] > now else None


async def delete_expired_ws_tickets(session: AsyncSession, now: datetime) -> None:
    await session.execute(delete(WsTicket).where(WsTicket.expires_at <= now))
