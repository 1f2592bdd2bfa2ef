"""The event log: every state change is recorded with its office seq and published after commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from queue_server.core import events
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import Event, Ticket, Window
from queue_server.db.repositories import counters


def window_ref(window: Window) -> events.WindowRef:
    """A window as events name it."""
    return events.WindowRef(id=window.id, number=window.number, name=window.name)


def ticket_ref(
    ticket: Ticket,
    window: Window | None,
    *,
    status: str | None = None,
    called_at: datetime | None = None,
    topic_id: int | None = None,
) -> events.TicketRef:
    """A ticket as events carry it; `status`, `called_at` and `topic_id` override the current ones
    when the log is read back (the row holds the ticket as it is now, the event what it was then)."""
    return events.TicketRef(
        id=ticket.id,
        number=ticket.number,
        status=status or ticket.status,
        topic_id=topic_id or ticket.topic_id,
        customer_type=ticket.customer_type,
        priority=ticket.priority,
        issued_at=ticket.issued_at,
        called_at=called_at or ticket.called_at,
        operator_id=ticket.operator_id,
        window=None if window is None else window_ref(window),
    )


def ticket_summary(ticket: Ticket, window: Window | None) -> dict[str, Any]:
    """What displays and consoles need to know about a ticket in an event."""
    return ticket_ref(ticket, window).as_json()


def window_summary(window: Window) -> dict[str, Any]:
    return window_ref(window).as_json()


def replayed(event: Event, ticket: Ticket | None, window: Window | None) -> events.OfficeEvent:
    """A logged event as it was published: the ticket's status then, and for a call its time."""
    reference = None
    if ticket is not None:
        called_at = event.at if event.type in events.CALL_TYPES else None
        reference = ticket_ref(
            ticket, window, status=event.to_status, called_at=called_at, topic_id=event.topic_id
        )
    return events.OfficeEvent(
        type=event.type,
        seq=event.seq,
        office_id=event.office_id,
        at=event.at,
        ticket=reference,
        window=None if window is None else window_ref(window),
        user_id=event.user_id,
        data=event.data or {},
    )


async def record(
    uow: UnitOfWork,
    *,
    office_id: int,
    type: str,
    at: datetime,
    ticket: Ticket | None = None,
    window: Window | None = None,
    user_id: int | None = None,
    from_status: str | None = None,
    data: dict[str, Any] | None = None,
) -> Event:
    """Append an event (who, what, when, from and to) and publish it once the transaction commits;
    the figures count it later (services.aggregates), off the request path."""
    seq = await counters.next_event_seq(uow.session, uow.dialect, office_id)
    event = Event(
        office_id=office_id,
        seq=seq,
        type=str(type),
        at=at,
        ticket_id=ticket.id if ticket else None,
        user_id=user_id,
        window_id=window.id if window else None,
        from_status=from_status,
        to_status=ticket.status if ticket else None,
        topic_id=ticket.topic_id if ticket else None,
        data=data or {},
    )
    uow.session.add(event)
    message = events.OfficeEvent(
        type=type,
        seq=seq,
        office_id=office_id,
        at=at,
        ticket=None if ticket is None else ticket_ref(ticket, window),
        window=None if window is None else window_ref(window),
        user_id=user_id,
        data=data or {},
    ).as_message()
    sink = uow.events

    async def _publish() -> None:
        sink.publish(office_id, message)

    uow.after_commit(_publish)
    return event
