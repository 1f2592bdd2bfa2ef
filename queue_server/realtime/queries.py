"""The reads behind snapshots and resyncs: the database is the source of truth, the hub only a relay."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core.lifecycle import ACTIVE_STATES, TicketStatus
from queue_server.db.models import Event, Office, Ticket, User, Window
from queue_server.db.repositories import counters
from queue_server.db.repositories import offices as office_repo
from queue_server.db.repositories import tickets as ticket_repo
from queue_server.services.eventlog import window_summary
from queue_server.services.queue_views import topic_names

CALL_TYPES = ("ticket.called", "ticket.recalled")
RECENT_CALLS = 8
# Calls are deduplicated per ticket (a recall is not a second visitor), so read a few more.
RECENT_CALL_EVENTS = 4 * RECENT_CALLS
OPEN_STATES = [TicketStatus.WAITING.value, *(state.value for state in ACTIVE_STATES)]


async def office(session: AsyncSession, office_id: int) -> Office | None:
    return await session.get(Office, office_id)


async def current_seq(session: AsyncSession, office_id: int) -> int:
    return await counters.current_event_seq(session, office_id)


async def waiting(session: AsyncSession, office_id: int) -> dict[str, int]:
    """People waiting per topic id (JSON keys are strings)."""
    counts = await ticket_repo.waiting_counts(session, office_id)
    return {str(topic_id): count for topic_id, count in counts.items()}


async def office_state(
    session: AsyncSession, office_id: int, wanted: frozenset[str]
) -> dict[str, Any]:
    """The parts of the office's state named in `wanted` ("waiting", "topics"), read now."""
    state: dict[str, Any] = {}
    if "waiting" in wanted:
        state["waiting"] = await waiting(session, office_id)
    if "topics" in wanted:
        state["topics"] = await topics(session, office_id)
    return state


def service_day_start(office: Office, now: datetime) -> datetime:
    """Midnight of the office's local day, in UTC: calls from yesterday are not shown."""
    zone = ZoneInfo(office.timezone)
    local_midnight = datetime.combine(now.astimezone(zone).date(), time(0), tzinfo=zone)
    return local_midnight.astimezone(UTC)


def ticket_ref(ticket: Ticket, window: Window | None, status: str | None = None) -> dict[str, Any]:
    """A ticket as events carry it; `status` overrides the current one when replaying history."""
    return {
        "id": ticket.id,
        "number": ticket.number,
        "status": status or ticket.status,
        "topic_id": ticket.topic_id,
        "customer_type": ticket.customer_type,
        "priority": ticket.priority,
        "issued_at": ticket.issued_at.isoformat(),
        "called_at": ticket.called_at.isoformat() if ticket.called_at else None,
        "operator_id": ticket.operator_id,
        "window": None if window is None else window_summary(window),
    }


async def recent_calls(
    session: AsyncSession, office: Office, now: datetime
) -> list[dict[str, Any]]:
    """The last eight tickets called today (newest first), each with the window it was called to."""
    statement = (
        select(Event, Ticket, Window)
        .join(Ticket, Ticket.id == Event.ticket_id)
        .outerjoin(Window, Window.id == Event.window_id)
        .where(
            Event.office_id == office.id,
            Event.type.in_(CALL_TYPES),
            Event.at >= service_day_start(office, now),
        )
        .order_by(Event.seq.desc())
        .limit(RECENT_CALL_EVENTS)
    )
    calls: list[dict[str, Any]] = []
    seen: set[int] = set()
    for event, ticket, window in (await session.execute(statement)).all():
        if ticket.id in seen:
            continue
        seen.add(ticket.id)
        reference = ticket_ref(ticket, window)
        reference["called_at"] = event.at.isoformat()
        calls.append(
            {"seq": event.seq, "type": event.type, "at": event.at.isoformat(), "ticket": reference}
        )
        if len(calls) == RECENT_CALLS:
            break
    return calls


async def topics(session: AsyncSession, office_id: int) -> list[dict[str, Any]]:
    """Active topics with both names, so a display can show them in either language."""
    return [
        {
            "id": topic.id,
            "prefix": topic.prefix,
            "name": topic_names(topic),
            "parent_id": topic.parent_id,
        }
        for topic in await office_repo.topics_of_office(session, office_id)
        if topic.active
    ]


async def windows(session: AsyncSession, office_id: int) -> list[dict[str, Any]]:
    return [
        {
            "id": window.id,
            "number": window.number,
            "name": window.name,
            "operator_id": window.operator_id,
        }
        for window in await office_repo.windows_of_office(session, office_id)
    ]


async def open_tickets(session: AsyncSession, office_id: int) -> list[dict[str, Any]]:
    """Waiting, called and serving tickets in queue order, for the staff channel."""
    statement = (
        select(Ticket, Window)
        .outerjoin(Window, Window.id == Ticket.window_id)
        .where(Ticket.office_id == office_id, Ticket.status.in_(OPEN_STATES))
        .order_by(Ticket.queued_at, Ticket.id)
    )
    return [
        ticket_ref(ticket, window) for ticket, window in (await session.execute(statement)).all()
    ]


async def operators(session: AsyncSession, office_id: int) -> list[dict[str, Any]]:
    statement = (
        select(User).where(User.office_id == office_id, User.active.is_(True)).order_by(User.id)
    )
    return [
        {
            "id": user.id,
            "login": user.login,
            "display_name": user.display_name,
            "role": user.role,
            "paused_reason": user.paused_reason,
            "paused_at": user.paused_at.isoformat() if user.paused_at else None,
        }
        for user in (await session.scalars(statement)).all()
    ]


def _events_with_tickets(office_id: int, after_seq: int) -> Select[Event, Ticket, Window]:
    return (
        select(Event, Ticket, Window)
        .outerjoin(Ticket, Ticket.id == Event.ticket_id)
        .outerjoin(Window, Window.id == Event.window_id)
        .where(Event.office_id == office_id, Event.seq > after_seq)
    )


async def events_after(
    session: AsyncSession, office_id: int, after_seq: int, up_to_seq: int | None = None
) -> list[dict[str, Any]]:
    """Events with seq in (after_seq, up_to_seq], rebuilt as the messages that were published."""
    statement = _events_with_tickets(office_id, after_seq).order_by(Event.seq)
    if up_to_seq is not None:
        statement = statement.where(Event.seq <= up_to_seq)
    rows: Sequence[Any] = (await session.execute(statement)).all()
    return [_message_of(event, ticket, window) for event, ticket, window in rows]


async def latest_events(
    session: AsyncSession, office_id: int, after_seq: int, since: datetime, limit: int
) -> list[dict[str, Any]]:
    """The newest `limit` events after `after_seq`, oldest first, leaving out those before `since`.

    Read newest first by (office, seq) and cut after reading: filtering on `since` in SQL would
    walk the whole history back when the office has had no event today."""
    statement = _events_with_tickets(office_id, after_seq).order_by(Event.seq.desc()).limit(limit)
    rows: Sequence[Any] = (await session.execute(statement)).all()
    return [
        _message_of(event, ticket, window)
        for event, ticket, window in reversed(rows)
        if event.at >= since
    ]


def _message_of(event: Event, ticket: Ticket | None, window: Window | None) -> dict[str, Any]:
    message: dict[str, Any] = {
        "type": event.type,
        "seq": event.seq,
        "office_id": event.office_id,
        "at": event.at.isoformat(),
    }
    if ticket is not None:
        reference = ticket_ref(ticket, window, event.to_status)
        if event.type in CALL_TYPES:
            reference["called_at"] = event.at.isoformat()
        message["ticket"] = reference
    elif window is not None:
        message["window"] = window_summary(window)
    if event.user_id is not None:
        message["user_id"] = event.user_id
    if event.data:
        message["data"] = event.data
    return message
