"""Closing time on PostgreSQL: a ticket called while the expiry pass runs is not also 'expired'.

The expiry pass reads the waiting tickets, then updates them. A call that commits in between must
win cleanly: the ticket stays called and no `ticket.expired` event is written for it. We make the
interleaving certain by holding the ticket's row lock from a second connection, so the pass
stops at its UPDATE while that connection calls the ticket and commits.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import asyncpg
import pytest
from sqlalchemy import func, select

from queue_server.db.engine import Database, async_database_url
from queue_server.db.models import Event, Ticket
from queue_server.services import catalogue, housekeeping, issuing
from tests.support import DEFAULT_NOW, PostgresTemplates, run_coroutine

pytestmark = pytest.mark.postgres
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


async def _yesterdays_tickets(database: Database, count: int) -> list[int]:
    yesterday = DEFAULT_NOW - timedelta(days=1)
    async with database.unit_of_work() as uow:
        # Hours every day (an always-open office never expires its queue): yesterday's close.
        every_day = {day: [["08:00", "19:00"]] for day in WEEKDAYS}
        spec = catalogue.OfficeSpec("Office", "Lipetsk", "Europe/Moscow", every_day)
        office = await catalogue.create_office(uow, spec, yesterday)
        spec = catalogue.TopicSpec("Т", "T", "A")
        topic = await catalogue.create_topic(uow, office.id, spec, yesterday)
    ids = []
    for _ in range(count):
        async with database.unit_of_work() as uow:
            request = issuing.IssueRequest(office.id, topic.id)
            ids.append((await issuing.issue_ticket(uow, request, yesterday)).ticket.id)
    return ids


async def _race(url: str) -> None:
    database = Database(url)
    try:
        first, second = await _yesterdays_tickets(database, 2)
        dsn = async_database_url(url).replace("postgresql+asyncpg", "postgresql")
        operator = await asyncpg.connect(dsn)
        try:
            transaction = operator.transaction()
            await transaction.start()
            await operator.execute("SELECT id FROM tickets WHERE id = $1 FOR UPDATE", first)
            expiry = asyncio.create_task(housekeeping.expire_all(database, DEFAULT_NOW))
            await asyncio.sleep(1.0)  # the pass has read both tickets and waits on the lock
            assert not expiry.done()
            await operator.execute("UPDATE tickets SET status = 'called' WHERE id = $1", first)
            await transaction.commit()
            expired = await asyncio.wait_for(expiry, 30)
        finally:
            await operator.close()
        async with database.reading() as session:
            statuses = dict((await session.execute(select(Ticket.id, Ticket.status))).all())
            events = (
                await session.execute(
                    select(Event.ticket_id, func.count())
                    .where(Event.type == "ticket.expired")
                    .group_by(Event.ticket_id)
                )
            ).all()
        assert statuses == {first: "called", second: "expired"}
        assert dict(events) == {second: 1}, "an event claims a called ticket expired"
        assert expired == 1
    finally:
        await database.dispose()


def test_a_ticket_called_during_the_expiry_pass_is_not_expired(
    postgres_templates: PostgresTemplates,
) -> None:
    run_coroutine(_race(postgres_templates.fresh()))
