"""Issuing a ticket: the kiosk's one use case."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from queue_server.core import schedule
from queue_server.core.events import EventType
from queue_server.core.lifecycle import TicketStatus
from queue_server.core.numbering import format_number
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import Kiosk, KioskIssue, Office, RemoteIssue, Ticket, Topic
from queue_server.db.repositories import counters, offices
from queue_server.db.repositories import issuing as repo
from queue_server.errors import (
    Conflict,
    Forbidden,
    NotAuthenticated,
    OfficeClosed,
    TooManyTickets,
    TopicNotIssuable,
    Unprocessable,
)
from queue_server.services import calendar, estimates, eventlog, lookups
from queue_server.services.access import Principal, require_office

CUSTOMER_TYPES = ("individual", "organization")
KIOSK, STAFF, REMOTE = "kiosk", "staff", "remote"
IDEMPOTENCY_HOURS = 24


@dataclass(frozen=True, slots=True)
class Issuer:
    """Who asks for a ticket, as the request proved it: a kiosk by its key, staff, or a remote
    visitor (known only by address)."""

    channel: str
    kiosk: Kiosk | None = None
    principal: Principal | None = None
    address: str = ""


@dataclass(frozen=True, slots=True)
class IssueRequest:
    office_id: int
    topic_id: int
    customer_type: str = "individual"
    priority: bool = False
    kiosk_id: int | None = None
    # None for the server's own callers (the simulator, tests): they are trusted.
    issuer: Issuer | None = None
    idempotency_key: str | None = None


def new_kiosk_key() -> tuple[str, str]:
    """A kiosk's key and the hash kept of it: the key is shown once, like a password."""
    key = secrets.token_urlsafe(24)
    return key, _key_hash(key)


def _key_hash(key: str) -> str:
    # 192 random bits need no slow hash: nobody can guess one to try against it.
    return hashlib.sha256(key.encode()).hexdigest()


async def identify_issuer(
    uow: UnitOfWork,
    *,
    kiosk_key: str | None,
    remote: bool,
    principal: Principal | None,
    address: str,
) -> Issuer:
    """The issuer the request proves, or 401: a kiosk's key, a remote visitor, or staff."""
    if kiosk_key:
        kiosk = await repo.kiosk_by_key_hash(uow.session, _key_hash(kiosk_key))
        if kiosk is None:
            raise NotAuthenticated(
                "This kiosk's key is not valid. Staff: open the kiosk page with its current link."
            )
        if not kiosk.active:
            raise NotAuthenticated(
                "This kiosk is retired. Staff: restore it in administration (kiosks) or use "
                "another kiosk."
            )
        return Issuer(KIOSK, kiosk=kiosk)
    if remote:
        return Issuer(REMOTE, address=address)
    if principal is None:
        raise NotAuthenticated(
            "Tickets are issued by a kiosk (X-Kiosk-Key), by staff, or with channel remote."
        )
    return Issuer(STAFF, principal=principal)


def _kiosk_of(request: IssueRequest, office: Office) -> int | None:
    """The kiosk whose printer and rate limit apply, after checking the issuer may act here."""
    issuer = request.issuer
    if issuer is None:
        return request.kiosk_id
    if issuer.kiosk is not None:
        if issuer.kiosk.office_id != office.id:
            raise Forbidden("This kiosk belongs to another office and cannot issue here.")
        if request.kiosk_id not in (None, issuer.kiosk.id):
            raise Unprocessable(
                "kiosk_id {kiosk_id} is not the kiosk of this key; leave kiosk_id out.",
                kiosk_id=request.kiosk_id,
            )
        return issuer.kiosk.id
    if issuer.principal is not None:
        require_office(issuer.principal, office.id)
    elif request.kiosk_id is not None:
        raise Unprocessable("A remote ticket is not printed at a kiosk; leave kiosk_id out.")
    return request.kiosk_id


async def _admit_remote(
    uow: UnitOfWork, office: Office, request: IssueRequest, now: datetime
) -> None:
    """A remote visitor's ticket: never priority, only while the office takes them, and only a
    few per client address and hour (shared by all workers)."""
    assert request.issuer is not None
    if request.priority:
        raise Unprocessable(
            "A remote ticket cannot be a priority ticket; priority is given at the kiosk or window."
        )
    if not office.remote_open:
        raise Conflict(
            "This office does not take remote tickets now; please take a ticket at the kiosk.",
            code="remote_closed",
        )
    hour = now.replace(minute=0, second=0, microsecond=0)
    taken = await repo.count_one_more(
        uow.session,
        uow.dialect,
        RemoteIssue,
        office_id=office.id,
        address=request.issuer.address[:64],
        hour=hour,
    )
    if taken > office.remote_tickets_per_hour:
        raise TooManyTickets(
            "Only {limit} remote tickets an hour can be taken from one address; "
            "please try again later or take a ticket at the kiosk.",
            limit=office.remote_tickets_per_hour,
        )


def closed_error(office: Office, now: datetime, hours: schedule.Hours) -> OfficeClosed:
    """The refusal outside hours, saying when the office next really opens (past its calendar's
    days off; translated for visitors)."""
    zone = ZoneInfo(office.timezone)
    opens = schedule.next_opening(hours, now, zone)
    if opens is None:
        return OfficeClosed("The office is closed and has no opening hours set.")
    return OfficeClosed(
        "The office is closed now; it opens at {time} on {date}.",
        time=opens.strftime("%H:%M"),
        date=opens.strftime("%Y-%m-%d"),
    )


def _issuable(found: offices.OfficeTopic, topic_id: int) -> Topic:
    """The topic to issue, or the refusal that says why not."""
    topic, has_children = found.topic, found.has_children
    if topic is None:
        raise lookups.no_topic(found.office.id, topic_id)
    if not found.offered:  # retired, or under a retired menu
        raise TopicNotIssuable("Topic {topic_id} is not offered at the moment.", topic_id=topic_id)
    if has_children:
        raise TopicNotIssuable(
            "Topic {topic_id} is a menu; choose one of its sub-topics.", topic_id=topic_id
        )
    return topic


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
    issued = await repo.count_one_more(
        uow.session, uow.dialect, KioskIssue, kiosk_id=kiosk_id, minute=minute
    )
    if issued > office.kiosk_tickets_per_minute:
        raise TooManyTickets(
            "This kiosk has issued too many tickets in the last minute; please wait a moment."
        )
    kiosk.last_ticket_at = now
    return kiosk


@dataclass(frozen=True, slots=True)
class IssuedTicket:
    """A new ticket and everything its answer and its slip show, computed once in its transaction.

    `repeated`: an earlier attempt with the same idempotency key issued it; nothing new was made."""

    ticket: Ticket
    office: Office
    topic: Topic
    kiosk: Kiosk | None
    people_ahead: int
    wait_seconds: int
    repeated: bool = False


async def issue_ticket(uow: UnitOfWork, request: IssueRequest, now: datetime) -> IssuedTicket:
    """Number and queue a new ticket, or refuse with the reason; a repeated idempotency key
    answers the ticket its first attempt issued, however that attempt ended for the client."""
    found = await offices.office_with_topic(uow.session, request.office_id, request.topic_id)
    if found is None:
        raise lookups.no_office(request.office_id)
    office = found.office
    kiosk_id = _kiosk_of(request, office)
    if request.idempotency_key is not None:
        earlier = await _claim(uow, office, request.idempotency_key, now)
        if earlier is not None:
            return earlier
    topic = _issuable(found, request.topic_id)
    zone = ZoneInfo(office.timezone)
    if not schedule.is_open(await calendar.hours_today(uow.session, office, now), now, zone):
        raise closed_error(office, now, await calendar.hours_near(uow.session, office, now))
    if request.issuer is not None and request.issuer.channel == REMOTE:
        await _admit_remote(uow, office, request, now)
    kiosk = None
    if kiosk_id is not None:
        kiosk = await _count_kiosk_issue(uow, office, kiosk_id, now)
    ticket = await _new_ticket(uow, office, topic, request, kiosk_id, now)
    if request.idempotency_key is not None:
        await repo.fulfil_idempotency_key(uow.session, office.id, request.idempotency_key, ticket)
    event = await eventlog.record(
        uow, office_id=office.id, type=EventType.TICKET_ISSUED, at=now, ticket=ticket
    )
    ahead, wait = await estimates.after_issue(uow, ticket, event.seq, now)
    return IssuedTicket(ticket, office, topic, kiosk, ahead, wait)


async def _claim(uow: UnitOfWork, office: Office, key: str, now: datetime) -> IssuedTicket | None:
    """Claim the idempotency key; the ticket an earlier attempt issued with it, if one did."""
    since = now - timedelta(hours=IDEMPOTENCY_HOURS)
    ticket_id = await repo.claim_idempotency_key(
        uow.session, uow.dialect, office.id, key, now, since
    )
    if ticket_id is None:
        return None
    ticket = await uow.session.get(Ticket, ticket_id)
    topic = await uow.session.get(Topic, ticket.topic_id) if ticket is not None else None
    assert ticket is not None and topic is not None  # a kept key names a committed ticket
    kiosk = await uow.session.get(Kiosk, ticket.kiosk_id) if ticket.kiosk_id else None
    ahead, wait = await estimates.ticket_position(uow.session, ticket, now)
    return IssuedTicket(ticket, office, topic, kiosk, ahead, wait, repeated=True)


async def _new_ticket(
    uow: UnitOfWork,
    office: Office,
    topic: Topic,
    request: IssueRequest,
    kiosk_id: int | None,
    now: datetime,
) -> Ticket:
    """The next number of the topic's prefix today, as a waiting ticket."""
    day = schedule.service_day(now, ZoneInfo(office.timezone))
    sequence = await counters.next_ticket_sequence(
        uow.session, uow.dialect, office.id, day, topic.prefix
    )
    ticket = Ticket(
        office_id=office.id,
        topic_id=topic.id,
        original_topic_id=topic.id,
        kiosk_id=kiosk_id,
        service_day=day,
        prefix=topic.prefix,
        sequence=sequence,
        number=format_number(topic.prefix, sequence),
        code=secrets.token_urlsafe(12),
        customer_type=request.customer_type,
        priority=request.priority,
        channel=KIOSK if request.issuer is None else request.issuer.channel,
        status=TicketStatus.WAITING.value,
        issued_at=now,
        queued_at=now,
        outcomes=[],
        note="",
    )
    uow.session.add(ticket)
    await uow.session.flush()
    return ticket


async def forget_what_decides_nothing(uow: UnitOfWork, now: datetime) -> None:
    """Drop per-minute and per-hour issue counts and idempotency keys past their window; run by
    the housekeeping pass, off the kiosk's tap."""
    await repo.forget_counts_before(uow.session, KioskIssue, "minute", now - timedelta(hours=1))
    await repo.forget_counts_before(uow.session, RemoteIssue, "hour", now - timedelta(hours=2))
    await repo.forget_idempotency_keys_before(uow.session, now - timedelta(hours=IDEMPOTENCY_HOURS))
