"""Ticket queries: the queue, locks for call-next, positions, recent service times."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core.lifecycle import ACTIVE_STATES, TicketStatus
from queue_server.core.routing import QueuedTicket
from queue_server.db.models import Ticket

WAITING = TicketStatus.WAITING.value
ACTIVE = [status.value for status in ACTIVE_STATES]


async def by_code(session: AsyncSession, code: str) -> Ticket | None:
    return (await session.scalars(select(Ticket).where(Ticket.code == code))).first()


async def lock(session: AsyncSession, ticket_id: int) -> Ticket | None:
    """The ticket, row-locked for the rest of the transaction (a no-op lock on SQLite)."""
    statement = (
        select(Ticket)
        .where(Ticket.id == ticket_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).first()


async def lock_if_waiting(session: AsyncSession, ticket_id: int) -> Ticket | None:
    """Claim a waiting ticket; None if another transaction holds or already took it."""
    statement = (
        select(Ticket)
        .where(Ticket.id == ticket_id, Ticket.status == WAITING)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).first()


async def waiting_queue(
    session: AsyncSession, office_id: int, topic_ids: Collection[int] | None = None
) -> list[QueuedTicket]:
    """The waiting tickets of the office (optionally of some topics), as routing sees them."""
    statement = select(Ticket.id, Ticket.topic_id, Ticket.priority, Ticket.queued_at).where(
        Ticket.office_id == office_id, Ticket.status == WAITING
    )
    if topic_ids is not None:
        statement = statement.where(Ticket.topic_id.in_(list(topic_ids)))
    rows = (await session.execute(statement)).all()
    return [QueuedTicket(row.id, row.topic_id, row.priority, row.queued_at) for row in rows]


async def waiting_tickets(session: AsyncSession, office_id: int) -> Sequence[Ticket]:
    statement = (
        select(Ticket)
        .where(Ticket.office_id == office_id, Ticket.status == WAITING)
        .order_by(Ticket.queued_at, Ticket.id)
    )
    return (await session.scalars(statement)).all()


async def active_ticket_of_operator(session: AsyncSession, user_id: int) -> Ticket | None:
    statement = select(Ticket).where(Ticket.operator_id == user_id, Ticket.status.in_(ACTIVE))
    return (await session.scalars(statement)).first()


async def active_tickets_of_office(session: AsyncSession, office_id: int) -> Sequence[Ticket]:
    statement = select(Ticket).where(Ticket.office_id == office_id, Ticket.status.in_(ACTIVE))
    return (await session.scalars(statement)).all()


async def people_ahead(session: AsyncSession, ticket: Ticket) -> int:
    """Waiting tickets of the same topic that will be called before this one."""
    earlier = or_(
        Ticket.queued_at < ticket.queued_at,
        and_(Ticket.queued_at == ticket.queued_at, Ticket.id < ticket.id),
    )
    ahead = (
        and_(Ticket.priority.is_(True), earlier)
        if ticket.priority
        else or_(Ticket.priority.is_(True), earlier)
    )
    statement = select(func.count()).where(
        Ticket.office_id == ticket.office_id,
        Ticket.topic_id == ticket.topic_id,
        Ticket.status == WAITING,
        Ticket.id != ticket.id,
        ahead,
    )
    return int((await session.execute(statement)).scalar_one())


async def waiting_counts(session: AsyncSession, office_id: int) -> dict[int, int]:
    statement = (
        select(Ticket.topic_id, func.count())
        .where(Ticket.office_id == office_id, Ticket.status == WAITING)
        .group_by(Ticket.topic_id)
    )
    return {topic_id: count for topic_id, count in (await session.execute(statement)).all()}


async def recent_service_seconds(
    session: AsyncSession, office_id: int, topic_id: int | None, limit: int = 30
) -> list[float]:
    """Durations of the latest finished services (start to finish), newest first."""
    statement = select(Ticket.started_at, Ticket.finished_at).where(
        Ticket.office_id == office_id,
        Ticket.status == TicketStatus.DONE.value,
        Ticket.started_at.is_not(None),
    )
    if topic_id is not None:
        statement = statement.where(Ticket.topic_id == topic_id)
    statement = statement.order_by(Ticket.finished_at.desc()).limit(limit)
    rows = (await session.execute(statement)).all()
    return [(done - started).total_seconds() for started, done in rows if done and started]


async def expire_waiting_before(
    session: AsyncSession, office_id: int, last_day: date, now: datetime
) -> list[int]:
    """Close tickets of `last_day` and earlier that still wait, as expired; their ids.

    One UPDATE ... RETURNING: the ids are those it changed, so a ticket called by a concurrent
    transaction (PostgreSQL re-checks the status after the row lock) is neither expired nor
    reported as such.
    """
    statement = (
        update(Ticket)
        .where(
            Ticket.office_id == office_id,
            Ticket.status == WAITING,
            Ticket.service_day <= last_day,
        )
        .values(status=TicketStatus.EXPIRED.value, finished_at=now)
        .returning(Ticket.id)
        .execution_options(synchronize_session=False)
    )
    return sorted((await session.scalars(statement)).all())


async def tickets_between(
    session: AsyncSession, office_id: int, first_day: date, last_day: date
) -> Sequence[Ticket]:
    statement = (
        select(Ticket)
        .where(
            Ticket.office_id == office_id,
            Ticket.service_day >= first_day,
            Ticket.service_day <= last_day,
        )
        .order_by(Ticket.issued_at, Ticket.id)
    )
    return (await session.scalars(statement)).all()


async def today_tickets(session: AsyncSession, office_id: int, day: date) -> Sequence[Ticket]:
    statement = select(Ticket).where(Ticket.office_id == office_id, Ticket.service_day == day)
    return (await session.scalars(statement)).all()
