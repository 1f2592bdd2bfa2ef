"""The event log: every state change is recorded with its office seq and published after commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from queue_server.db.engine import UnitOfWork
from queue_server.db.models import Event, Ticket, Window
from queue_server.db.repositories import counters
from queue_server.services import aggregates


def ticket_summary(ticket: Ticket, window: Window | None) -> dict[str, Any]:
    """What displays and consoles need to know about a ticket in an event."""
    return {
        "id": ticket.id,
        "number": ticket.number,
        "status": ticket.status,
        "topic_id": ticket.topic_id,
        "customer_type": ticket.customer_type,
        "priority": ticket.priority,
        "issued_at": ticket.issued_at.isoformat(),
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
        "operator_id": ticket.operator_id,
        "window": None if window is None else window_summary(window),
    }


def window_summary(window: Window) -> dict[str, Any]:
    return {"id": window.id, "number": window.number, "name": window.name}


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
    """Append an event (who, what, when, from and to) and publish it once the transaction commits."""
    seq = await counters.next_event_seq(uow.session, uow.dialect, office_id)
    event = Event(
        office_id=office_id,
        seq=seq,
        type=type,
        at=at,
        ticket_id=ticket.id if ticket else None,
        user_id=user_id,
        window_id=window.id if window else None,
        from_status=from_status,
        to_status=ticket.status if ticket else None,
        data=data or {},
    )
    uow.session.add(event)
    await aggregates.record_event(
        uow, office_id=office_id, type=type, at=at, ticket=ticket, data=data
    )
    message: dict[str, Any] = {
        "type": type,
        "seq": seq,
        "office_id": office_id,
        "at": at.isoformat(),
    }
    if ticket is not None:
        message["ticket"] = ticket_summary(ticket, window)
    elif window is not None:  # a window opened or closed: say which, as the log will
        message["window"] = window_summary(window)
    if user_id is not None:
        message["user_id"] = user_id
    if data:
        message["data"] = data
    publish = uow.database.publish
    if publish is not None:

        async def _publish() -> None:
            await publish(office_id, message)

        uow.after_commit(_publish)
    return event
