"""The event log read back: events with the ticket and window they name, by office seq."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.db.models import Event, Ticket, Window

EventRow = tuple[Event, Ticket | None, Window | None]


def _with_tickets(office_id: int, after_seq: int) -> Select[Event, Ticket, Window]:
    return (
        select(Event, Ticket, Window)
        .outerjoin(Ticket, Ticket.id == Event.ticket_id)
        .outerjoin(Window, Window.id == Event.window_id)
        .where(Event.office_id == office_id, Event.seq > after_seq)
    )


async def after(
    session: AsyncSession, office_id: int, after_seq: int, up_to_seq: int | None = None
) -> list[EventRow]:
    """Events with seq in (after_seq, up_to_seq], oldest first."""
    statement = _with_tickets(office_id, after_seq).order_by(Event.seq)
    if up_to_seq is not None:
        statement = statement.where(Event.seq <= up_to_seq)
    return [
        (event, ticket, window)
        for event, ticket, window in (await session.execute(statement)).all()
    ]


async def newest_after(
    session: AsyncSession, office_id: int, after_seq: int, limit: int
) -> list[EventRow]:
    """The newest `limit` events after `after_seq`, newest first (read by (office, seq))."""
    statement = _with_tickets(office_id, after_seq).order_by(Event.seq.desc()).limit(limit)
    return [
        (event, ticket, window)
        for event, ticket, window in (await session.execute(statement)).all()
    ]


async def newest_of_types_since(
    session: AsyncSession, office_id: int, types: Collection[str], since: datetime, limit: int
) -> list[tuple[Event, Ticket, Window | None]]:
    """The newest `limit` ticket events of these types at or after `since`, newest first."""
    statement = (
        select(Event, Ticket, Window)
        .join(Ticket, Ticket.id == Event.ticket_id)
        .outerjoin(Window, Window.id == Event.window_id)
        .where(Event.office_id == office_id, Event.type.in_(list(types)), Event.at >= since)
        .order_by(Event.seq.desc())
        .limit(limit)
    )
    return [
        (event, ticket, window)
        for event, ticket, window in (await session.execute(statement)).all()
    ]
