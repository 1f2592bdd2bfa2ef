"""Issuing a ticket: the kiosk's one use case."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from queue_server.core import schedule
from queue_server.core.events import EventType
from queue_server.core.lifecycle import TicketStatus
from queue_server.core.numbering import format_number
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import Kiosk, KioskIssue, Office, Ticket, Topic
from queue_server.db.repositories import counters, offices
from queue_server.errors import (
    OfficeClosed,
    TooManyTickets,
    TopicNotIssuable,
    Unprocessable,
)
from queue_server.services import estimates, eventlog, lookups

CUSTOMER_TYPES = ("individual", "organization")


@dataclass(frozen=True, slots=True)
class IssueRequest:
    office_id: int
    topic_id: int
    customer_type: str = "individual"
    priority: bool = False
    kiosk_id: int | None = None


def closed_error(office: Office, now: datetime) -> OfficeClosed:
    """The refusal outside hours, saying when the office opens (translated for visitors)."""
    zone = ZoneInfo(office.timezone)
    opens = schedule.next_opening(schedule.parse_hours(office.hours), now, zone)
    if opens is None:
        return OfficeClosed("The office is closed and has no opening hours set.")
    return OfficeClosed(
        "The office is closed now; it opens at {time} on {date}.",
        time=opens.strftime("%H:%M"),
        date=opens.strftime("%Y-%m-%d"),
    )


async def _office_and_topic(uow: UnitOfWork, office_id: int, topic_id: int) -> tuple[Office, Topic]:
    """The office and the topic to issue, or the refusal that says why not (one query)."""
    found = await offices.office_with_topic(uow.session, office_id, topic_id)
    if found is None:
        raise lookups.no_office(office_id)
    office, topic, has_children = found
    if topic is None:
        raise lookups.no_topic(office_id, topic_id)
    if not topic.active:
        raise TopicNotIssuable("Topic {topic_id} is not offered at the moment.", topic_id=topic_id)
    if has_children:
        raise TopicNotIssuable(
            "Topic {topic_id} is a menu; choose one of its sub-topics.", topic_id=topic_id
        )
    return office, topic


async def _count_kiosk_issue(
    uow: UnitOfWork, office: Office, kiosk_id: int, now: datetime
) -> Kiosk:
    """Refuse when a kiosk issues more than the office allows per minute (shared by all workers)."""
    kiosk = await lookups.kiosk(uow.session, kiosk_id)
    if kiosk.office_id != office.id:
        raise Unprocessable(
            f"kiosk {kiosk_id} belongs to another office", code="kiosk_in_other_office"
        )
    minute = now.replace(second=0, microsecond=0)
    module = postgresql if uow.dialect == "postgresql" else sqlite
    statement = module.insert(KioskIssue).values(kiosk_id=kiosk_id, minute=minute, count=1)
    statement = statement.on_conflict_do_update(
        index_elements=["kiosk_id", "minute"], set_={"count": KioskIssue.count + 1}
    ).returning(KioskIssue.count)
    issued = int((await uow.session.execute(statement)).scalar_one())
    if issued > office.kiosk_tickets_per_minute:
        raise TooManyTickets(
            "This kiosk has issued too many tickets in the last minute; please wait a moment."
        )
    kiosk.last_ticket_at = now
    if minute.minute == 0:  # an hourly tidy-up keeps the table small
        await uow.session.execute(
            delete(KioskIssue).where(KioskIssue.minute < minute - timedelta(hours=1))
        )
    return kiosk


@dataclass(frozen=True, slots=True)
class IssuedTicket:
    """A new ticket and everything its answer and its slip show, computed once in its transaction."""

    ticket: Ticket
    office: Office
    topic: Topic
    kiosk: Kiosk | None
    people_ahead: int
    wait_seconds: int


async def issue_ticket(uow: UnitOfWork, request: IssueRequest, now: datetime) -> IssuedTicket:
    """Number and queue a new ticket, or refuse with the reason."""
    office, topic = await _office_and_topic(uow, request.office_id, request.topic_id)
    zone = ZoneInfo(office.timezone)
    if not schedule.is_open(schedule.parse_hours(office.hours), now, zone):
        raise closed_error(office, now)
    kiosk = None
    if request.kiosk_id is not None:
        kiosk = await _count_kiosk_issue(uow, office, request.kiosk_id, now)
    day = schedule.service_day(now, zone)
    sequence = await counters.next_ticket_sequence(
        uow.session, uow.dialect, office.id, day, topic.prefix
    )
    ticket = Ticket(
        office_id=office.id,
        topic_id=topic.id,
        original_topic_id=topic.id,
        kiosk_id=request.kiosk_id,
        service_day=day,
        prefix=topic.prefix,
        sequence=sequence,
        number=format_number(topic.prefix, sequence),
        code=secrets.token_urlsafe(12),
        customer_type=request.customer_type,
        priority=request.priority,
        status=TicketStatus.WAITING.value,
        issued_at=now,
        queued_at=now,
        outcomes=[],
        note="",
    )
    uow.session.add(ticket)
    await uow.session.flush()
    event = await eventlog.record(
        uow, office_id=office.id, type=EventType.TICKET_ISSUED, at=now, ticket=ticket
    )
    ahead, wait = await estimates.after_issue(uow, ticket, event.seq, now)
    return IssuedTicket(ticket, office, topic, kiosk, ahead, wait)
