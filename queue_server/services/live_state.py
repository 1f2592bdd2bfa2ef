"""The reads behind snapshots and resyncs: the database is the source of truth, the hub only a relay."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core.events import CALL_TYPES
from queue_server.db.models import Office
from queue_server.db.repositories import counters
from queue_server.db.repositories import events as event_repo
from queue_server.db.repositories import offices as office_repo
from queue_server.db.repositories import tickets as ticket_repo
from queue_server.db.repositories import users as user_repo
from queue_server.services import eventlog
from queue_server.services.queue_views import topic_names

Message = dict[str, Any]
RECENT_CALLS = 8
# Calls are deduplicated per ticket (a recall is not a second visitor), so read a few more.
RECENT_CALL_EVENTS = 4 * RECENT_CALLS


async def office(session: AsyncSession, office_id: int) -> Office | None:
    """The office, or None when there is no such office."""
    return await session.get(Office, office_id)


async def current_seq(session: AsyncSession, office_id: int) -> int:
    """The seq of the office's last event (0 before its first)."""
    return await counters.current_event_seq(session, office_id)


async def waiting(session: AsyncSession, office_id: int) -> dict[str, int]:
    """People waiting per topic id (JSON keys are strings)."""
    counts = await ticket_repo.waiting_counts(session, office_id)
    return {str(topic_id): count for topic_id, count in counts.items()}


async def office_state(session: AsyncSession, office_id: int, wanted: frozenset[str]) -> Message:
    """The parts of the office's state named in `wanted` ("waiting", "topics"), read now."""
    state: Message = {}
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


async def recent_calls(session: AsyncSession, office: Office, now: datetime) -> list[Message]:
    """The last eight tickets called today (newest first), each with the window it was called to."""
    rows = await event_repo.newest_of_types_since(
        session, office.id, CALL_TYPES, service_day_start(office, now), RECENT_CALL_EVENTS
    )
    calls: list[Message] = []
    seen: set[int] = set()
    for event, ticket, window in rows:
        if ticket.id in seen:
            continue
        seen.add(ticket.id)
        reference = eventlog.ticket_ref(ticket, window, called_at=event.at).as_json()
        calls.append(
            {"seq": event.seq, "type": event.type, "at": event.at.isoformat(), "ticket": reference}
        )
        if len(calls) == RECENT_CALLS:
            break
    return calls


async def topics(session: AsyncSession, office_id: int) -> list[Message]:
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


async def windows(session: AsyncSession, office_id: int) -> list[Message]:
    """The office's windows and who sits at each."""
    return [
        {
            "id": window.id,
            "number": window.number,
            "name": window.name,
            "operator_id": window.operator_id,
        }
        for window in await office_repo.windows_of_office(session, office_id)
    ]


async def open_tickets(session: AsyncSession, office_id: int) -> list[Message]:
    """Waiting, called and serving tickets in queue order, for the staff channel."""
    return [
        eventlog.ticket_ref(ticket, window).as_json()
        for ticket, window in await ticket_repo.open_with_windows(session, office_id)
    ]


async def operators(session: AsyncSession, office_id: int) -> list[Message]:
    """The office's active accounts and their pauses."""
    return [
        {
            "id": user.id,
            "login": user.login,
            "display_name": user.display_name,
            "role": user.role,
            "paused_reason": user.paused_reason,
            "paused_at": user.paused_at.isoformat() if user.paused_at else None,
        }
        for user in await user_repo.users_of_office(session, office_id)
    ]


async def events_after(
    session: AsyncSession, office_id: int, after_seq: int, up_to_seq: int | None = None
) -> list[Message]:
    """Events with seq in (after_seq, up_to_seq], rebuilt as the messages that were published."""
    rows = await event_repo.after(session, office_id, after_seq, up_to_seq)
    return [eventlog.replayed(*row).as_message() for row in rows]


async def latest_events(
    session: AsyncSession, office_id: int, after_seq: int, since: datetime, limit: int
) -> list[Message]:
    """The newest `limit` events after `after_seq`, oldest first, leaving out those before `since`.

    Read newest first by (office, seq) and cut after reading: filtering on `since` in SQL would
    walk the whole history back when the office has had no event today."""
    rows = await event_repo.newest_after(session, office_id, after_seq, limit)
    return [eventlog.replayed(*row).as_message() for row in reversed(rows) if row[0].at >= since]
