"""What an operator does with the ticket in hand: recall, start, finish, no-show, return, transfer."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from queue_server.core.events import EventType
from queue_server.core.lifecycle import (
    Action,
    TicketStatus,
    TransitionRefused,
    may_recall,
    next_status,
)
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import Ticket, Topic, Window
from queue_server.db.repositories import offices as office_repo
from queue_server.db.repositories import tickets as ticket_repo
from queue_server.errors import (
    Conflict,
    Forbidden,
    InvalidTransition,
    TicketNotFound,
    TopicNotIssuable,
)
from queue_server.services import eventlog, lookups
from queue_server.services.access import Principal, Role, require_office

EVENT_TYPES = {
    Action.RECALL: EventType.TICKET_RECALLED,
    Action.START: EventType.TICKET_STARTED,
    Action.FINISH: EventType.TICKET_FINISHED,
    Action.NO_SHOW: EventType.TICKET_NO_SHOW,
    Action.RETURN: EventType.TICKET_RETURNED,
    Action.TRANSFER: EventType.TICKET_TRANSFERRED,
}


@dataclass(frozen=True, slots=True)
class Details:
    """Optional details of an action: the target topic of a transfer, a note, finish outcomes."""

    topic_id: int | None = None
    note: str = ""
    outcomes: list[str] = field(default_factory=list)


async def _office_ticket(uow: UnitOfWork, principal: Principal, ticket_id: int) -> Ticket:
    ticket = await ticket_repo.lock(uow.session, ticket_id)
    if ticket is None:
        raise TicketNotFound(f"there is no ticket with id {ticket_id}")
    require_office(principal, ticket.office_id)
    return ticket


def _require_holder(principal: Principal, ticket: Ticket) -> None:
    holder = ticket.operator_id
    active = ticket.status in (TicketStatus.CALLED.value, TicketStatus.SERVING.value)
    if active and holder != principal.user_id and not principal.at_least(Role.MANAGER):
        raise Forbidden(f"ticket {ticket.number} is held by another operator")


async def _apply(
    uow: UnitOfWork,
    ticket: Ticket,
    action: Action,
    details: Details,
    now: datetime,
    target_topic: Topic | None,
) -> dict[str, Any]:
    """Move the ticket and set the timestamps and fields the action implies; event data back."""
    data: dict[str, Any] = {}
    if action is Action.RECALL:
        await _refuse_recall_past_limit(uow, ticket)
        ticket.recall_count += 1
        ticket.called_at = now
        data["recall_count"] = ticket.recall_count
    elif action is Action.START:
        ticket.started_at = now
    elif action is Action.FINISH:
        ticket.finished_at = now
        ticket.served_by_id = ticket.operator_id
        ticket.outcomes = list(details.outcomes)
        data["outcomes"] = ticket.outcomes
    elif action is Action.NO_SHOW:
        ticket.finished_at = now
    elif action in (Action.RETURN, Action.TRANSFER):
        data["from_window_id"] = ticket.window_id
        if target_topic is not None:  # a transfer: its topic was found before the state check
            data["from_topic_id"] = ticket.topic_id
            ticket.topic_id = await _issuable(uow, target_topic)
            ticket.transfer_count += 1
            data["to_topic_id"] = ticket.topic_id
        ticket.started_at = None
        ticket.window_id, ticket.operator_id = None, None
    if details.note:
        ticket.note = details.note
        data["note"] = details.note
    return data


async def _refuse_recall_past_limit(uow: UnitOfWork, ticket: Ticket) -> None:
    """The office's recall limit holds for every client, not only for the console."""
    office = await lookups.office(uow.session, ticket.office_id)
    if not may_recall(ticket.recall_count, office.recall_limit):
        raise Conflict(
            f"ticket {ticket.number} has been recalled {ticket.recall_count} times, the office's "
            "limit; start serving the visitor or mark the ticket as a no-show",
            code="recall_limit_reached",
        )


async def _transfer_topic(
    uow: UnitOfWork, ticket: Ticket, action: Action, topic_id: int | None
) -> Topic | None:
    """The topic a transfer goes to, looked up before the ticket's state is judged: an unknown
    topic is a 404 whatever state the ticket is in (ids before states)."""
    if action is not Action.TRANSFER:
        return None
    if topic_id is None:
        raise InvalidTransition("a transfer needs the topic to transfer to")
    return await lookups.topic_in_office(uow.session, ticket.office_id, topic_id)


async def _issuable(uow: UnitOfWork, topic: Topic) -> int:
    offered = await office_repo.topic_offered(uow.session, topic.id)
    if not offered or await office_repo.has_children(uow.session, topic.id):
        raise TopicNotIssuable(f"topic {topic.id} is a menu or inactive; choose a leaf topic")
    return topic.id


async def act(
    uow: UnitOfWork,
    principal: Principal,
    ticket_id: int,
    action: Action,
    now: datetime,
    details: Details | None = None,
) -> Ticket:
    """Apply one lifecycle action to a ticket the operator holds; 409 if its state forbids it."""
    details = details or Details()
    ticket = await _office_ticket(uow, principal, ticket_id)
    target_topic = await _transfer_topic(uow, ticket, action, details.topic_id)
    _require_holder(principal, ticket)
    before = TicketStatus(ticket.status)
    try:
        target = next_status(before, action)
    except TransitionRefused as refused:
        raise InvalidTransition(f"ticket {ticket.number}: {refused}") from refused
    window: Window | None = (
        await uow.session.get(Window, ticket.window_id) if ticket.window_id else None
    )
    data = await _apply(uow, ticket, action, details, now, target_topic)
    ticket.status = target.value
    await eventlog.record(
        uow,
        office_id=ticket.office_id,
        type=EVENT_TYPES[action],
        at=now,
        ticket=ticket,
        window=window,
        user_id=principal.user_id,
        from_status=before.value,
        data=data,
    )
    return ticket
