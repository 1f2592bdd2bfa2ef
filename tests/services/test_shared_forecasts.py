"""Status pushes share one forecast per office state; a page that leaves mid-way strands nobody."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from queue_server.db.engine import Database
from queue_server.db.models import Office, Ticket, Topic
from queue_server.services import estimates, issuing
from tests.support import DEFAULT_NOW, SqliteTemplates, run_coroutine


async def _office_with_queue(database: Database, size: int) -> list[Ticket]:
    async with database.unit_of_work() as uow:
        office = Office(name="Shared", timezone="Europe/Moscow", hours=None, created_at=DEFAULT_NOW)
        uow.session.add(office)
        await uow.session.flush()
        topic = Topic(office_id=office.id, prefix="A", name_ru="А", name_en="A")
        uow.session.add(topic)
        await uow.session.flush()
        office_id, topic_id = office.id, topic.id
    tickets = []
    for _ in range(size):
        async with database.unit_of_work() as uow:
            request = issuing.IssueRequest(office_id, topic_id)
            tickets.append((await issuing.issue_ticket(uow, request, DEFAULT_NOW)).ticket)
    return tickets


async def _position(database: Database, ticket: Ticket, forecasts: Any = None) -> tuple[int, int]:
    async with database.reading() as session:
        if forecasts is None:
            return await estimates.ticket_position(session, ticket, DEFAULT_NOW)
        known = await forecasts.get(session, ticket.office_id, DEFAULT_NOW)
        return int(known.ahead[ticket.id]), int(known.waits[ticket.id])


async def _replayed(database: Database, tickets: list[Ticket]) -> list[tuple[int, int]]:
    """Each ticket's (ahead, wait) from a replay of its own, bypassing every shared forecast."""
    found = []
    for ticket in tickets:
        async with database.reading() as session:
            seq = await estimates.repo.state_seq(session, ticket.office_id)
            known = await estimates._forecast_now(session, ticket.office_id, seq, DEFAULT_NOW)
        found.append((known.ahead[ticket.id], known.waits[ticket.id]))
    return found


async def _scenario(url: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]], Any]:
    database = Database(url)
    try:
        tickets = await _office_with_queue(database, 5)
        exact = await _replayed(database, tickets)
        shared = [await _position(database, ticket) for ticket in tickets]

        # The first page's forecast hangs (its phone is about to leave); a second page waits
        # on it; the first goes away. The second must get its answer all the same.
        calls = 0
        computing = asyncio.Event()

        async def first_hangs(*args: Any) -> Any:
            nonlocal calls
            calls += 1
            computing.set()
            if (
                asyncio.current_task() is leaving
            ):  # which page reads the seq first is up to the threads
                await asyncio.Event().wait()
            return await estimates._forecast_now(*args)

        forecasts = estimates._Forecasts(first_hangs)
        leaving = asyncio.create_task(_position(database, tickets[0], forecasts))
        await asyncio.wait_for(computing.wait(), 10)  # the leaving page's flight is registered
        staying = asyncio.create_task(_position(database, tickets[4], forecasts))
        await asyncio.sleep(0.5)  # it has read the seq and waits on the flight
        assert calls == 1 and not staying.done()
        leaving.cancel()
        stayed = await asyncio.wait_for(staying, 10)
        return exact, shared, stayed
    finally:
        await database.dispose()


def test_a_page_leaving_mid_forecast_does_not_strand_the_others(
    sqlite_templates: SqliteTemplates, tmp_path: Path
) -> None:
    exact, shared, stayed = run_coroutine(_scenario(sqlite_templates.fresh(tmp_path)))
    assert [ahead for ahead, _wait in shared] == [0, 1, 2, 3, 4]
    assert shared == exact  # the shared forecast is the one each request would make itself
    assert stayed == exact[4]


async def _many_pages(url: str) -> tuple[int, list[tuple[int, int]], list[tuple[int, int]]]:
    database = Database(url)
    try:
        tickets = await _office_with_queue(database, 6)
        calls = 0

        async def counted(*args: Any) -> Any:
            nonlocal calls
            calls += 1
            return await estimates._forecast_now(*args)

        forecasts = estimates._Forecasts(counted)
        pages = [_position(database, ticket, forecasts) for ticket in tickets]
        shared = list(await asyncio.gather(*pages))  # one event wakes every page at once
        exact = await _replayed(database, tickets)
        return calls, shared, exact
    finally:
        await database.dispose()


def test_pages_woken_by_one_event_share_one_forecast(
    sqlite_templates: SqliteTemplates, tmp_path: Path
) -> None:
    calls, shared, exact = run_coroutine(_many_pages(sqlite_templates.fresh(tmp_path)))
    assert calls == 1, f"{calls} replays for one office state, not one"
    assert shared == exact
