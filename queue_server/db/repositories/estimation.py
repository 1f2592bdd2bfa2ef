"""What the wait estimator reads: who is at a window, what they hold, recent services and issues.

Every query is bounded by the office's current state (waiting and held tickets, windows) or by
service days through `ix_tickets_office_day`, so none of them reads the office's whole history.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core.lifecycle import ACTIVE_STATES, TicketStatus
from queue_server.db.models import EventCounter, Skill, Ticket, User, Window

ACTIVE = [status.value for status in ACTIVE_STATES]


@dataclass(frozen=True, slots=True)
class Staff:
    """An operator as the estimator needs them."""

    user_id: int
    priority_streak: int
    paused: bool
    paused_at: datetime | None


@dataclass(frozen=True, slots=True)
class InHand:
    """The ticket an operator holds (called or being served)."""

    topic_id: int
    called_at: datetime | None


@dataclass(frozen=True, slots=True)
class FinishedService:
    topic_id: int
    seconds: float


@dataclass(frozen=True, slots=True)
class IssueLine:
    issued_at: datetime
    topic_id: int
    priority: bool


async def state_seq(session: AsyncSession, office_id: int) -> int:
    """The office's last event seq: every change of queue, windows or pauses moves it."""
    statement = select(EventCounter.last_seq).where(EventCounter.office_id == office_id)
    return int((await session.execute(statement)).scalar_one_or_none() or 0)


async def operators_at_windows(
    session: AsyncSession, office_id: int, since: datetime
) -> list[Staff]:
    """Active users holding a window of the office that they occupied or used since `since`."""
    statement = (
        select(User.id, User.priority_streak, User.paused_reason, User.paused_at)
        .join(Window, Window.operator_id == User.id)
        .where(Window.office_id == office_id, Window.occupied_at >= since, User.active.is_(True))
        .distinct()
        .order_by(User.id)
    )
    rows = (await session.execute(statement)).all()
    return [Staff(user, streak, reason is not None, at) for user, streak, reason, at in rows]


async def operators_of_office(session: AsyncSession, office_id: int) -> list[Staff]:
    """The office's active operator accounts, whether at a window or not."""
    statement = (
        select(User.id, User.priority_streak, User.paused_reason, User.paused_at)
        .where(User.office_id == office_id, User.active.is_(True), User.role == "operator")
        .order_by(User.id)
    )
    rows = (await session.execute(statement)).all()
    return [Staff(user, streak, reason is not None, at) for user, streak, reason, at in rows]


async def skills_of_users(
    session: AsyncSession, user_ids: Collection[int]
) -> dict[int, dict[int, int]]:
    """Topic -> priority per user; a user without rows serves every topic."""
    if not user_ids:
        return {}
    statement = select(Skill.user_id, Skill.topic_id, Skill.priority).where(
        Skill.user_id.in_(list(user_ids))
    )
    result: dict[int, dict[int, int]] = {}
    for user_id, topic_id, priority in (await session.execute(statement)).all():
        result.setdefault(user_id, {})[topic_id] = priority
    return result


async def tickets_in_hand(session: AsyncSession, office_id: int) -> dict[int, InHand]:
    """Operator id -> the ticket they hold now."""
    statement = select(Ticket.operator_id, Ticket.topic_id, Ticket.called_at).where(
        Ticket.office_id == office_id, Ticket.status.in_(ACTIVE), Ticket.operator_id.is_not(None)
    )
    rows = (await session.execute(statement)).all()
    return {row.operator_id: InHand(row.topic_id, row.called_at) for row in rows}


async def services_of_day(
    session: AsyncSession, office_id: int, day: date, limit: int
) -> list[FinishedService]:
    """The day's latest finished services (start to finish), oldest first, at most `limit`."""
    # started_at and finished_at both set means done: no-shows and expiries never started, and a
    # return clears started_at. Not filtering on status keeps the planner on the office-day index.
    statement = (
        select(Ticket.topic_id, Ticket.started_at, Ticket.finished_at)
        .where(
            Ticket.office_id == office_id,
            Ticket.service_day == day,
            Ticket.started_at.is_not(None),
            Ticket.finished_at.is_not(None),
        )
        .order_by(Ticket.finished_at.desc())
        .limit(limit)
    )
    rows = (await session.execute(statement)).all()
    return [
        FinishedService(row.topic_id, (row.finished_at - row.started_at).total_seconds())
        for row in reversed(rows)
    ]


async def outcomes_of_day(session: AsyncSession, office_id: int, day: date) -> tuple[int, int]:
    """How many tickets of the day were served, and how many were no-shows."""

    def counted(status: TicketStatus) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((Ticket.status == status.value, 1), else_=0)), 0)

    # No condition on status and no GROUP BY: either lets the planner pick the (office, status)
    # index and read every ticket the office ever had instead of the day's rows.
    statement = select(counted(TicketStatus.DONE), counted(TicketStatus.NO_SHOW)).where(
        Ticket.office_id == office_id, Ticket.service_day == day
    )
    served, no_shows = (await session.execute(statement)).one()
    return int(served), int(no_shows)


async def issued_since(
    session: AsyncSession, office_id: int, day: date, since: datetime
) -> list[IssueLine]:
    """Tickets of the day issued since `since`, oldest first, by the topic they were issued for."""
    statement = (
        select(Ticket.issued_at, Ticket.original_topic_id, Ticket.priority)
        .where(
            Ticket.office_id == office_id,
            Ticket.service_day == day,
            Ticket.issued_at >= since,
        )
        .order_by(Ticket.issued_at, Ticket.id)
    )
    rows = (await session.execute(statement)).all()
    return [IssueLine(row.issued_at, row.original_topic_id, row.priority) for row in rows]
