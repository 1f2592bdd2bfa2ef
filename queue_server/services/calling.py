"""Calling tickets to a window: call-next through the routing policy, or one ticket out of turn."""

from __future__ import annotations

from datetime import datetime, timedelta

from queue_server.core.events import EventType
from queue_server.core.lifecycle import Action, TicketStatus, TransitionRefused, next_status
from queue_server.core.routing import RoutingPolicy, choose_next, next_priority_streak
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import Office, Ticket, User, Window
from queue_server.db.repositories import offices as office_repo
from queue_server.db.repositories import tickets as ticket_repo
from queue_server.db.repositories import users as user_repo
from queue_server.errors import (
    Conflict,
    InvalidTransition,
    NotAuthenticated,
    OperatorBusy,
    WindowBusy,
)
from queue_server.services import eventlog, lookups
from queue_server.services.access import Principal, require_office

# A window left occupied this long without activity no longer blocks a colleague.
STALE_OCCUPATION = timedelta(hours=12)


async def _lock_operator(uow: UnitOfWork, principal: Principal) -> User:
    user = await user_repo.lock(uow.session, principal.user_id)
    if user is None or not user.active:
        raise NotAuthenticated("your account no longer exists or is disabled; sign in again")
    return user


async def occupy_window(
    uow: UnitOfWork, principal: Principal, window_id: int, now: datetime
) -> tuple[User, Window, Office]:
    """Take the window for this operator, refusing one a colleague holds; releases other windows."""
    window = await lookups.window(uow.session, window_id)
    require_office(principal, window.office_id)
    if not window.active:
        raise Conflict(
            f"window {window.number} is retired; choose another window", code="window_inactive"
        )
    office = await lookups.office(uow.session, window.office_id)
    user = await _lock_operator(uow, principal)
    window = await office_repo.lock_window(uow.session, window_id) or window
    holder = window.operator_id
    if holder is not None and holder != user.id:
        fresh = window.occupied_at is not None and now - window.occupied_at < STALE_OCCUPATION
        holder_ticket = await ticket_repo.active_ticket_of_operator(uow.session, holder)
        if fresh or holder_ticket is not None:
            raise WindowBusy(f"window {window.number} is taken by another operator")
    for other in await office_repo.windows_held_by(uow.session, user.id):
        if other.id != window.id:
            other.operator_id, other.occupied_at = None, None
    if holder != user.id:
        window.operator_id = user.id
        await eventlog.record(
            uow,
            office_id=office.id,
            type=EventType.WINDOW_OPENED,
            at=now,
            window=window,
            user_id=user.id,
        )
    window.occupied_at = now
    return user, window, office


async def _ensure_free_hands(uow: UnitOfWork, user: User) -> None:
    held = await ticket_repo.active_ticket_of_operator(uow.session, user.id)
    if held is not None:
        raise OperatorBusy(
            f"you already hold ticket {held.number} ({held.status}); finish, return or "
            "mark it as a no-show first"
        )
    if user.paused_reason is not None:
        raise Conflict("you are on a pause; resume work before calling", code="operator_paused")


async def _claim_next(
    uow: UnitOfWork,
    office: Office,
    user: User,
    window: Window,
    skills: dict[int, int],
    now: datetime,
) -> Ticket | None:
    """Choose by the routing policy and call the choice to the window in one conditional update;
    a ticket lost to a concurrent call-next is left out and the choice made again.

    `choose_next` is handed only the heads of the queue (per topic and kind its oldest ticket):
    it only ever picks one of those, so the choice is the one the whole queue would give.
    """
    topics = list(skills) if skills else None
    policy = RoutingPolicy(max_priority_in_row=office.max_priority_in_row)
    called = next_status(TicketStatus.WAITING, Action.CALL).value
    lost: list[int] = []
    while True:
        heads = await ticket_repo.waiting_heads(uow.session, office.id, topics, skip=lost)
        chosen = choose_next(heads, skills, user.priority_streak, policy)
        if chosen is None:
            return None
        ticket = await ticket_repo.claim_if_waiting(
            uow.session, chosen.id, status=called, window_id=window.id, operator_id=user.id, now=now
        )
        if ticket is not None:
            user.priority_streak = next_priority_streak(user.priority_streak, chosen)
            return ticket
        lost.append(chosen.id)


async def _mark_called(
    uow: UnitOfWork, ticket: Ticket, user: User, window: Window, now: datetime, out_of_turn: bool
) -> Ticket:
    before = ticket.status
    ticket.status = next_status(TicketStatus(ticket.status), Action.CALL).value
    ticket.window_id, ticket.operator_id = window.id, user.id
    ticket.called_at = now
    ticket.first_called_at = ticket.first_called_at or now
    ticket.recall_count = 0
    return await _record_called(uow, ticket, user, window, now, before, out_of_turn)


async def _record_called(
    uow: UnitOfWork,
    ticket: Ticket,
    user: User,
    window: Window,
    now: datetime,
    before: str,
    out_of_turn: bool,
) -> Ticket:
    await eventlog.record(
        uow,
        office_id=ticket.office_id,
        type=EventType.TICKET_CALLED,
        at=now,
        ticket=ticket,
        window=window,
        user_id=user.id,
        from_status=before,
        data={"out_of_turn": True} if out_of_turn else None,
    )
    return ticket


async def call_next(
    uow: UnitOfWork, principal: Principal, window_id: int, now: datetime
) -> Ticket | None:
    """Give the operator at this window the next ticket by the routing policy, or None."""
    user, window, office = await occupy_window(uow, principal, window_id, now)
    await _ensure_free_hands(uow, user)
    skills = await user_repo.skills_of(uow.session, user.id)
    ticket = await _claim_next(uow, office, user, window, skills, now)
    if ticket is None:
        return None
    before = TicketStatus.WAITING.value
    return await _record_called(uow, ticket, user, window, now, before, out_of_turn=False)


async def call_ticket(
    uow: UnitOfWork, principal: Principal, window_id: int, ticket_id: int, now: datetime
) -> Ticket:
    """Call one particular waiting ticket out of turn (a pre-arranged visit); logged as such."""
    user, window, _office = await occupy_window(uow, principal, window_id, now)
    await _ensure_free_hands(uow, user)
    ticket = await lookups.ticket(uow.session, ticket_id)
    if ticket.office_id != window.office_id:
        raise InvalidTransition(f"ticket {ticket.number} belongs to another office")
    claimed = await ticket_repo.lock_if_waiting(uow.session, ticket.id)
    if claimed is None:
        raise InvalidTransition(
            f"ticket {ticket.number} is no longer waiting (it is {ticket.status})"
        )
    try:
        return await _mark_called(uow, claimed, user, window, now, out_of_turn=True)
    except TransitionRefused as refused:
        raise InvalidTransition(str(refused)) from refused
