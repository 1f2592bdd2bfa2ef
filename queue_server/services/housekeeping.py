"""Closing time: tickets still waiting when the office closes become `expired`, never dropped.
The closing is the day's own: a calendar day (a shortened day, a holiday) replaces its weekday's.

An office open round the clock never closes, so its queue (waiting, called, serving) is kept
across midnight; only the service day changes.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from queue_server.core import schedule
from queue_server.core.events import EventType
from queue_server.db.engine import Database, UnitOfWork
from queue_server.db.models import Office, Ticket
from queue_server.db.repositories import offices as office_repo
from queue_server.db.repositories import tickets as ticket_repo
from queue_server.services import calendar, eventlog, issuing


async def expire_office(uow: UnitOfWork, office: Office, now: datetime) -> int:
    """Expire the waiting tickets of days that have closed; how many."""
    hours, zone = await calendar.hours_near(uow.session, office, now), ZoneInfo(office.timezone)
    day = schedule.last_closed_day(hours, now, zone)
    if day is None:
        return 0  # always open: the queue carries on across midnight
    ids = await ticket_repo.expire_waiting_before(uow.session, office.id, day, now)
    for ticket_id in ids:
        ticket = await uow.session.get(Ticket, ticket_id, populate_existing=True)
        if ticket is not None:
            await eventlog.record(
                uow,
                office_id=office.id,
                type=EventType.TICKET_EXPIRED,
                at=now,
                ticket=ticket,
                from_status="waiting",
            )
    return len(ids)


async def expire_all(database: Database, now: datetime) -> int:
    """One pass over every office, each in its own short transaction."""
    async with database.reading() as session:
        office_ids = [office.id for office in await office_repo.list_offices(session)]
    total = 0
    for office_id in office_ids:
        async with database.unit_of_work() as uow:
            office = await uow.session.get(Office, office_id)
            if office is not None:
                total += await expire_office(uow, office, now)
    return total


async def pass_once(database: Database, now: datetime) -> int:
    """The periodic pass: expire what closing time ended, then drop the issue counts and
    idempotency keys that decide nothing any more; how many tickets expired."""
    expired = await expire_all(database, now)
    async with database.unit_of_work() as uow:
        await issuing.forget_what_decides_nothing(uow, now)
    return expired
