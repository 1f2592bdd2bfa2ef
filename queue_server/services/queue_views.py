"""What visitors see: the office list, the topic tree with waits, a ticket's public status."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from queue_server import i18n
from queue_server.core import lifecycle, schedule, topic_rules
from queue_server.db.models import Office, Ticket, Topic, Window
from queue_server.db.repositories import offices as office_repo
from queue_server.db.repositories import tickets as ticket_repo
from queue_server.errors import TicketNotFound
from queue_server.services import calendar, estimates


def topic_name(topic: Topic, lang: str) -> str:
    return topic.name_en if lang == "en" and topic.name_en else topic.name_ru


def topic_names(topic: Topic) -> dict[str, str]:
    """Both names, for a page that shows either language (English falls back to Russian)."""
    return {lang: topic_name(topic, lang) for lang in i18n.LANGUAGES}


def offered_topics(topics: Sequence[Topic]) -> list[Topic]:
    """The topics the kiosk offers, in their order: active, and every menu above them too."""
    shown = topic_rules.offered(
        topic_rules.Node(t.id, t.parent_id, t.prefix, t.active) for t in topics
    )
    return [topic for topic in topics if topic.id in shown]


def office_is_open(
    office: Office, now: datetime, opening: schedule.OpeningHours | None = None
) -> bool:
    """Open now by `opening` (the office's calendar days with its hours), or by its weekly hours
    alone when not given (an office that has no calendar days yet, say just created)."""
    hours = schedule.parse_hours(office.hours) if opening is None else opening
    return schedule.is_open(hours, now, ZoneInfo(office.timezone))


async def office_views(
    session: AsyncSession, offices: Sequence[Office], now: datetime
) -> list[dict[str, Any]]:
    """The offices as visitors see them, `open_now` by their calendar days too (one query)."""
    opening = await calendar.hours_of_offices(session, offices, now)
    return [office_view(office, now, opening[office.id]) for office in offices]


def office_view(
    office: Office, now: datetime, opening: schedule.OpeningHours | None = None
) -> dict[str, Any]:
    return {
        "id": office.id,
        "name": office.name,
        "address": office.address,
        "timezone": office.timezone,
        "hours": office.hours,
        "peak": office.peak,
        "open_now": office_is_open(office, now, opening),
        "remote_open": office.remote_open,
    }


async def topic_tree(
    session: AsyncSession, office_id: int, lang: str, now: datetime | None = None
) -> list[dict[str, Any]]:
    """Offered topics (active, under active menus) as a tree with waiting counts and the wait a
    new ticket can expect."""
    topics = offered_topics(await office_repo.topics_of_office(session, office_id))
    waiting = await ticket_repo.waiting_counts(session, office_id)
    waits = await estimates.new_ticket_waits(session, office_id, [t.id for t in topics], now)
    nodes: dict[int, dict[str, Any]] = {}
    for topic in topics:
        count = waiting.get(topic.id, 0)
        nodes[topic.id] = {
            "id": topic.id,
            "prefix": topic.prefix,
            "name": topic_name(topic, lang),
            "children": [],
            "waiting": count,
            "estimated_wait_seconds": waits[topic.id],
            "target_wait_seconds": {
                "peak": topic.target_peak_seconds,
                "offpeak": topic.target_offpeak_seconds,
            },
        }
    roots: list[dict[str, Any]] = []
    for topic in topics:
        parent = nodes.get(topic.parent_id) if topic.parent_id else None
        (parent["children"] if parent else roots).append(nodes[topic.id])
    for node in reversed(list(nodes.values())):  # children before parents: totals roll upwards
        if node["children"]:
            node["waiting"] = sum(child["waiting"] for child in node["children"])
            node["estimated_wait_seconds"] = min(
                child["estimated_wait_seconds"] for child in node["children"]
            )
    return roots


@dataclass(frozen=True, slots=True)
class TicketStatusView:
    ticket: Ticket
    position: int
    estimated_wait_seconds: int
    window: Window | None
    # The office's, where staff answers need it to say whether a recall is left.
    recall_limit: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "number": self.ticket.number,
            "status": self.ticket.status,
            "position": self.position,
            "estimated_wait_seconds": self.estimated_wait_seconds,
            "window": None
            if self.window is None
            else {"number": self.window.number, "name": self.window.name},
            "called_at": self.ticket.called_at.isoformat() if self.ticket.called_at else None,
            "issued_at": self.ticket.issued_at.isoformat(),
            "topic_id": self.ticket.topic_id,
            "office_id": self.ticket.office_id,
            "rating": self.ticket.rating,
        }


async def ticket_status(
    session: AsyncSession, code: str, now: datetime | None = None
) -> TicketStatusView:
    """The public status of a ticket, by its unguessable code."""
    ticket = await ticket_repo.by_code(session, code)
    if ticket is None:
        raise TicketNotFound("No ticket has this code; check the link on your ticket.")
    return await status_of(session, ticket, now)


async def where_of(session: AsyncSession, ticket: Ticket) -> dict[str, Any]:
    """The office's name and the ticket's topic, for the status page's heading (read once per page
    and after a transfer, not on every push)."""
    office = await session.get(Office, ticket.office_id)
    topic = await session.get(Topic, ticket.topic_id)
    return {
        "office_name": office.name if office else None,
        "topic": None if topic is None else {"prefix": topic.prefix, "name": topic_names(topic)},
    }


async def status_of(
    session: AsyncSession, ticket: Ticket, now: datetime | None = None
) -> TicketStatusView:
    """A ticket with its place in the queue, its wait and its window, as answers show it."""
    position, wait = await estimates.ticket_position(session, ticket, now)
    window = await session.get(Window, ticket.window_id) if ticket.window_id else None
    return TicketStatusView(ticket, position, wait, window)


async def staff_status_of(
    session: AsyncSession, ticket: Ticket, now: datetime | None = None
) -> TicketStatusView:
    """`status_of` with the office's recall limit, for the answers of staff actions."""
    view = await status_of(session, ticket, now)
    office = await session.get(Office, ticket.office_id)
    return replace(view, recall_limit=office.recall_limit if office else None)


def staff_actions(ticket: Ticket, recall_limit: int | None) -> list[str]:
    """The lifecycle actions staff may take on the ticket now: the buttons a console enables."""
    status = lifecycle.TicketStatus(ticket.status)
    return [a.value for a in lifecycle.ticket_actions(status, ticket.recall_count, recall_limit)]


async def waiting_views(
    session: AsyncSession, office_id: int, now: datetime
) -> list[TicketStatusView]:
    """Every waiting ticket of the office, oldest first, with positions from one forecast."""
    tickets = await ticket_repo.waiting_tickets(session, office_id)
    ahead, waits = await estimates.positions(session, office_id, now)
    return [
        TicketStatusView(ticket, ahead.get(ticket.id, 0), waits.get(ticket.id, 0), None)
        for ticket in tickets
    ]
