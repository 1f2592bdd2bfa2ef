"""Ticket queries: the queue, locks for call-next, positions, recent service times."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from sqlalchemy import and_, func, literal, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core.lifecycle import ACTIVE_STATES, TicketStatus
from queue_server.core.routing import QueuedTicket
from queue_server.db.models import Ticket, UtcDateTime, Window
from queue_server.db.repositories import locking

WAITING = TicketStatus.WAITING.value
ACTIVE = [status.value for status in ACTIVE_STATES]


async def by_code(session: AsyncSession, code: str) -> Ticket | None:
    return (await session.scalars(select(Ticket).where(Ticket.code == code))).first()


async def lock(session: AsyncSession, ticket_id: int) -> Ticket | None:
    """The ticket, row-locked for the rest of the transaction (a no-op lock on SQLite)."""
    return await locking.locked(session, Ticket, ticket_id)


async def lock_if_waiting(session: AsyncSession, ticket_id: int) -> Ticket | None:
    """Claim a waiting ticket; None if another transaction holds or already took it."""
    statement = (
        select(Ticket)
        .where(Ticket.id == ticket_id, Ticket.status == WAITING)
        .with_for_update(skip_locked=True)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).first()


async def waiting_heads(
    session: AsyncSession,
    office_id: int,
    topic_ids: Collection[int] | None = None,
    skip: Collection[int] = (),
) -> list[QueuedTicket]:
    """Per topic and kind (priority or not) the oldest waiting ticket, in one query.

    `core.routing.choose_next` only ever picks one of these, so it picks from them exactly what
    it would pick from the whole queue. `skip`: tickets just lost to a concurrent call-next.
    """
    rank = func.row_number().over(
        partition_by=(Ticket.topic_id, Ticket.priority), order_by=(Ticket.queued_at, Ticket.id)
    )
    ranked = select(
        Ticket.id, Ticket.topic_id, Ticket.priority, Ticket.queued_at, rank.label("rank")
    ).where(Ticket.office_id == office_id, Ticket.status == WAITING)
    if topic_ids is not None:
        ranked = ranked.where(Ticket.topic_id.in_(list(topic_ids)))
    if skip:
        ranked = ranked.where(Ticket.id.not_in(list(skip)))
    heads = ranked.subquery()
    statement = select(heads.c.id, heads.c.topic_id, heads.c.priority, heads.c.queued_at).where(
        heads.c.rank == 1
    )
    rows = (await session.execute(statement)).all()
    return [QueuedTicket(row.id, row.topic_id, row.priority, row.queued_at) for row in rows]


async def claim_if_waiting(
    session: AsyncSession,
    ticket_id: int,
    *,
    status: str,
    window_id: int,
    operator_id: int,
    now: datetime,
) -> Ticket | None:
    """Call a waiting ticket to a window in one conditional UPDATE ... RETURNING; None if another
    transaction holds or already took it (on PostgreSQL the row is taken with SKIP LOCKED, so
    colleagues never queue on each other's ticket)."""
    claimable = (
        select(Ticket.id)
        .where(Ticket.id == ticket_id, Ticket.status == WAITING)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    statement = (
        update(Ticket)
        .where(Ticket.id == claimable, Ticket.status == WAITING)
        .values(
            status=status,
            window_id=window_id,
            operator_id=operator_id,
            called_at=now,
            first_called_at=func.coalesce(Ticket.first_called_at, literal(now, UtcDateTime())),
            recall_count=0,
        )
        .returning(Ticket)
        .execution_options(synchronize_session=False, populate_existing=True)
    )
    return (await session.scalars(statement)).first()


async def waiting_tickets(session: AsyncSession, office_id: int) -> Sequence[Ticket]:
    statement = (
        select(Ticket)
        .where(Ticket.office_id == office_id, Ticket.status == WAITING)
        .order_by(Ticket.queued_at, Ticket.id)
    )
    return (await session.scalars(statement)).all()


async def open_with_windows(
    session: AsyncSession, office_id: int
) -> list[tuple[Ticket, Window | None]]:
    """Waiting, called and serving tickets in queue order, each with its window."""
    statement = (
        select(Ticket, Window)
        .outerjoin(Window, Window.id == Ticket.window_id)
        .where(Ticket.office_id == office_id, Ticket.status.in_([WAITING, *ACTIVE]))
        .order_by(Ticket.queued_at, Ticket.id)
    )
    return [(ticket, window) for ticket, window in (await session.execute(statement)).all()]


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


async def record_print(session: AsyncSession, ticket_id: int, status: str, detail: str) -> None:
    """Keep how the ticket's slip came out (printed, failed, none)."""
    statement = (
        update(Ticket)
        .where(Ticket.id == ticket_id)
        .values(print_status=status, print_detail=detail)
        .execution_options(synchronize_session=False)
    )
    await session.execute(statement)
