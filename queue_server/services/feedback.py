"""A visitor's rating of a finished service: stored per ticket (and so per operator and topic)."""

from __future__ import annotations

from datetime import datetime

from queue_server.core.events import EventType
from queue_server.core.lifecycle import TicketStatus
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import Ticket
from queue_server.db.repositories import tickets as ticket_repo
from queue_server.errors import Conflict, TicketNotFound
from queue_server.services import eventlog


async def rate_ticket(
    uow: UnitOfWork, *, code: str, rating: int, comment: str | None, now: datetime
) -> Ticket:
    """Record a 1-5 rating and an optional comment, once, after the service is finished."""
    found = await ticket_repo.by_code(uow.session, code)
    ticket = await ticket_repo.lock(uow.session, found.id) if found else None
    if ticket is None:
        raise TicketNotFound("No ticket has this code; check the link on your ticket.")
    if ticket.status != TicketStatus.DONE.value:
        raise Conflict(
            f"ticket {ticket.number} is {ticket.status}; it can be rated once the service is over",
            code="ticket_not_finished",
        )
    if ticket.rating is not None:
        raise Conflict(f"ticket {ticket.number} has already been rated", code="already_rated")
    ticket.rating = rating
    ticket.comment = (comment or "").strip() or None
    await eventlog.record(
        uow,
        office_id=ticket.office_id,
        type=EventType.TICKET_RATED,
        at=now,
        ticket=ticket,
        data={"rating": rating, "served_by_id": ticket.served_by_id},
    )
    return ticket
