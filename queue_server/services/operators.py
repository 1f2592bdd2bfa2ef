"""Operator presence: pause with a reason, resume, leave the window."""

from __future__ import annotations

from datetime import datetime

from queue_server.core.events import EventType
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import User
from queue_server.db.repositories import offices as office_repo
from queue_server.db.repositories import tickets as ticket_repo
from queue_server.db.repositories import users as user_repo
from queue_server.errors import NotAuthenticated, OperatorBusy
from queue_server.services import eventlog
from queue_server.services.access import Principal

PAUSE_REASONS = ("lunch", "paperwork", "phone", "technical", "other")


async def _me(uow: UnitOfWork, principal: Principal) -> User:
    user = await user_repo.lock(uow.session, principal.user_id)
    if user is None:
        raise NotAuthenticated("your account no longer exists; sign in again")
    return user


async def pause(uow: UnitOfWork, principal: Principal, reason: str, now: datetime) -> User:
    """Stop being offered tickets, with a reason managers can see."""
    user = await _me(uow, principal)
    held = await ticket_repo.active_ticket_of_operator(uow.session, user.id)
    if held is not None:
        raise OperatorBusy(f"finish or return ticket {held.number} before pausing")
    if user.paused_reason is None:
        user.paused_reason, user.paused_at = reason, now
        if user.office_id is not None:
            await eventlog.record(
                uow,
                office_id=user.office_id,
                type=EventType.OPERATOR_PAUSED,
                at=now,
                user_id=user.id,
                data={"reason": reason},
            )
    return user


async def resume(uow: UnitOfWork, principal: Principal, now: datetime) -> User:
    """Be offered tickets again."""
    user = await _me(uow, principal)
    if user.paused_reason is not None:
        paused_seconds = (now - user.paused_at).total_seconds() if user.paused_at else 0
        reason = user.paused_reason
        user.paused_reason, user.paused_at = None, None
        if user.office_id is not None:
            await eventlog.record(
                uow,
                office_id=user.office_id,
                type=EventType.OPERATOR_RESUMED,
                at=now,
                user_id=user.id,
                data={"reason": reason, "paused_seconds": round(paused_seconds)},
            )
    return user


async def leave_windows(uow: UnitOfWork, principal: Principal, now: datetime) -> None:
    """Free the windows this operator holds (end of shift, sign-out)."""
    user = await _me(uow, principal)
    held = await ticket_repo.active_ticket_of_operator(uow.session, user.id)
    if held is not None:
        raise OperatorBusy(f"finish or return ticket {held.number} before leaving the window")
    await release_windows(uow, user.id, now)


async def release_windows(uow: UnitOfWork, user_id: int, now: datetime) -> None:
    """Free the windows the user holds, telling each office's screens."""
    for window in await office_repo.windows_held_by(uow.session, user_id):
        window.operator_id, window.occupied_at = None, None
        await eventlog.record(
            uow,
            office_id=window.office_id,
            type=EventType.WINDOW_CLOSED,
            at=now,
            window=window,
            user_id=user_id,
        )
