"""Snapshots (the whole picture at one seq) and resyncs (what a reconnecting client missed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.db.models import Office
from queue_server.realtime import projections
from queue_server.services import live_state

Message = dict[str, Any]
# A client further behind than this gets a snapshot instead of the events it missed.
MAX_REPLAY = 200


async def snapshot(
    session: AsyncSession, office: Office, now: datetime, *, staff: bool, node: str
) -> Message:
    """The office's state for a display (public) or the staff; seq is read first, so an event
    after it may already show in the picture, and clients apply events idempotently."""
    seq = await live_state.current_seq(session, office.id)
    calls = await live_state.recent_calls(session, office, now)
    if not staff:
        calls = [dict(call, ticket=projections.public_ticket(call["ticket"])) for call in calls]
    message: Message = {
        "type": "snapshot",
        "seq": seq,
        "office": {"id": office.id, "name": office.name, "timezone": office.timezone},
        "now": now.isoformat(),
        "node": node,
        "recent_calls": calls,
        "waiting": await live_state.waiting(session, office.id),
        "topics": await live_state.topics(session, office.id),
    }
    if staff:
        message["tickets"] = await live_state.open_tickets(session, office.id)
        message["windows"] = await live_state.windows(session, office.id)
        message["operators"] = await live_state.operators(session, office.id)
    return message


async def missed_events(
    session: AsyncSession, office_id: int, since: int, now: datetime
) -> list[Message] | None:
    """The events after `since`, enriched as they were live, or None when a snapshot is needed
    (too far behind, or `since` is ahead of this database: it was restored or replaced)."""
    current = await live_state.current_seq(session, office_id)
    if since > current or current - since > MAX_REPLAY:
        return None
    events = await live_state.events_after(session, office_id, since, current)
    if len(events) != current - since:
        return None
    state = await live_state.office_state(session, office_id, projections.wanted_state(events))
    replayed = []
    for event in events:
        message = projections.enrich(event, state)
        message["replayed"] = True
        at = datetime.fromisoformat(event["at"])
        message["age_seconds"] = round(max(0.0, (now - at).total_seconds()), 1)
        replayed.append(message)
    return replayed
