"""What the wait estimator reads: who is at a window, what they hold, recent services and issues.

Every query is bounded by the office's current state (waiting and held tickets, windows) or by
service days through `ix_tickets_office_day`, so none of them reads the office's whole history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import ColumnElement, Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core.lifecycle import ACTIVE_STATES, TicketStatus
from queue_server.core.routing import QueuedTicket
from queue_server.db.models import EventCounter, Skill, Ticket, Topic, User, Window

WAITING = TicketStatus.WAITING.value
ACTIVE = [status.value for status in ACTIVE_STATES]
# user id, priority streak, paused reason, paused at, then a skill's topic and priority (or NULLs)
UsersWithSkills = Select[int, int, str | None, datetime | None, int, int]


@dataclass(frozen=True, slots=True)
class Staff:
    """An operator as the estimator needs them; no skills means every topic."""

    user_id: int
    priority_streak: int
    paused: bool
    paused_at: datetime | None
    skills: dict[int, int] = field(default_factory=dict)


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


async def open_tickets(
    session: AsyncSession, office_id: int
) -> tuple[list[QueuedTicket], dict[int, InHand]]:
    """The office's waiting tickets (oldest first), and operator id -> the ticket they hold."""
    statement = select(
        Ticket.id,
        Ticket.topic_id,
        Ticket.priority,
        Ticket.queued_at,
        Ticket.status,
        Ticket.operator_id,
        Ticket.called_at,
    ).where(Ticket.office_id == office_id, Ticket.status.in_([WAITING, *ACTIVE]))
    waiting: list[QueuedTicket] = []
    held: dict[int, InHand] = {}
    for row in (await session.execute(statement)).all():
        if row.status == WAITING:
            waiting.append(QueuedTicket(row.id, row.topic_id, row.priority, row.queued_at))
        elif row.operator_id is not None:
            held[row.operator_id] = InHand(row.topic_id, row.called_at)
    waiting.sort(key=lambda ticket: (ticket.queued_at, ticket.id))
    return waiting, held


async def _staff(session: AsyncSession, statement: UsersWithSkills) -> list[Staff]:
    """Users with their skills, from a statement selecting users (joined to skills)."""
    found: dict[int, Staff] = {}
    for user_id, streak, reason, paused_at, topic_id, priority in (
        await session.execute(statement)
    ).all():
        member = found.setdefault(user_id, Staff(user_id, streak, reason is not None, paused_at))
        if topic_id is not None:
            member.skills[topic_id] = priority
    return list(found.values())


def _users_with_skills() -> UsersWithSkills:
    return (
        select(
            User.id,
            User.priority_streak,
            User.paused_reason,
            User.paused_at,
            Skill.topic_id,
            Skill.priority,
        )
        .outerjoin(Skill, Skill.user_id == User.id)
        .where(User.active.is_(True))
        .order_by(User.id)
    )


async def operators_at_windows(
    session: AsyncSession, office_id: int, since: datetime
) -> list[Staff]:
    """Active users holding a window of the office that they occupied or used since `since`."""
    statement = _users_with_skills().where(
        User.id.in_(
            select(Window.operator_id).where(
                Window.office_id == office_id, Window.occupied_at >= since
            )
        )
    )
    return await _staff(session, statement)


async def operators_of_office(session: AsyncSession, office_id: int) -> list[Staff]:
    """The office's active operator accounts, whether at a window or not."""
    statement = _users_with_skills().where(User.office_id == office_id, User.role == "operator")
    return await _staff(session, statement)


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


async def active_topic_ids(session: AsyncSession, office_id: int) -> list[int]:
    """The office's active topics: the ones a kiosk may offer a new ticket of."""
    statement = select(Topic.id).where(Topic.office_id == office_id, Topic.active.is_(True))
    return list((await session.scalars(statement)).all())
