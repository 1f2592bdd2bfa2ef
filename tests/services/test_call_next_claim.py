"""Call-next reads only the heads of the queue and claims with one conditional UPDATE ... RETURNING.

Against a real database (SQLite and PostgreSQL): for random queues, skills, streaks and lost
tickets, the heads query hands `choose_next` the ticket the whole queue would give it.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import text, update

from queue_server.core.routing import QueuedTicket, RoutingPolicy, choose_next
from queue_server.db.engine import Database, UnitOfWork
from queue_server.db.models import Ticket
from queue_server.db.repositories import tickets as ticket_repo
from tests.api.contract import hall
from tests.core.test_routing_heads import heads
from tests.support import DEFAULT_NOW, Api, LiveServer, on_database

T = TypeVar("T")
STATUSES = ["waiting"] * 4 + ["called", "done", "no_show", "expired"]


def in_unit_of_work(server: LiveServer, work: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    """Run `work` in a write transaction on the server's own database, in this process."""

    async def write(database: Database) -> T:
        async with database.unit_of_work() as uow:
            return await work(uow)

    return on_database(server.settings.database_url, write)


def test_the_heads_query_gives_the_choice_of_the_whole_queue(
    server: LiveServer, admin: Api
) -> None:
    rng = random.Random(20261201)
    place = hall(admin, "ABCD")
    topic_ids = [place.topic_id(prefix) for prefix in "ABCD"]
    other = hall(admin, "A")  # another office's queue must never come up
    for _ in range(5):
        other.issue(priority=True)
    issued = [
        admin.issue(place.id, rng.choice(topic_ids), priority=rng.random() < 0.3)["id"]
        for _ in range(60)
    ]

    async def scramble(uow: UnitOfWork) -> None:
        for ticket_id in issued:  # few distinct minutes: ties broken by id are common
            queued_at = DEFAULT_NOW - timedelta(minutes=rng.randrange(8))
            values: dict[str, Any] = {"queued_at": queued_at, "status": rng.choice(STATUSES)}
            await uow.session.execute(update(Ticket).where(Ticket.id == ticket_id).values(values))

    in_unit_of_work(server, scramble)

    async def compare(uow: UnitOfWork) -> int:
        waiting = await ticket_repo.waiting_tickets(uow.session, place.id)
        queue = [QueuedTicket(t.id, t.topic_id, t.priority, t.queued_at) for t in waiting]
        compared = 0
        for _ in range(300):
            skills = rng.choice(
                [None, {}, {t: rng.randint(1, 3) for t in rng.sample(topic_ids, rng.randint(1, 4))}]
            )
            streak, policy = rng.randint(0, 3), RoutingPolicy(rng.randint(0, 3))
            lost = {t.id for t in rng.sample(queue, rng.randint(0, 3))}
            topics = list(skills) if skills else None
            loaded = await ticket_repo.waiting_heads(uow.session, place.id, topics, skip=lost)
            rest = [t for t in queue if t.id not in lost]
            served = [t for t in rest if topics is None or t.topic_id in topics]
            assert sorted(t.id for t in loaded) == sorted(t.id for t in heads(served))
            expected = choose_next(rest, skills, streak, policy)
            assert choose_next(loaded, skills, streak, policy) == expected
            compared += expected is not None
        return compared

    assert in_unit_of_work(server, compare) > 200  # most draws had somebody to call


def test_the_claim_calls_a_waiting_ticket_once_and_keeps_its_first_call(
    server: LiveServer, admin: Api
) -> None:
    place = hall(admin, "A")
    fresh, returned = place.issue(), place.issue()
    operator = admin.operator(place.id)
    user_id = int(operator.ok(operator.get("/api/v1/auth/me"))["user_id"])
    earlier, now = DEFAULT_NOW - timedelta(minutes=20), DEFAULT_NOW + timedelta(minutes=1)

    async def claim(uow: UnitOfWork) -> list[Ticket | None]:
        # A ticket called before and returned to the queue: its first call stays.
        await uow.session.execute(
            update(Ticket).where(Ticket.id == returned["id"]).values(first_called_at=earlier)
        )
        claims = []
        for ticket_id in (fresh["id"], returned["id"], fresh["id"]):
            claims.append(
                await ticket_repo.claim_if_waiting(
                    uow.session,
                    ticket_id,
                    status="called",
                    window_id=place.window_id(),
                    operator_id=user_id,
                    now=now,
                )
            )
        return claims

    first, second, again = in_unit_of_work(server, claim)
    assert again is None  # no longer waiting
    assert first is not None and second is not None
    for ticket in (first, second):
        assert ticket.status == "called" and ticket.called_at == now and ticket.recall_count == 0
        assert (ticket.window_id, ticket.operator_id) == (place.window_id(), user_id)
    assert first.first_called_at == now and second.first_called_at == earlier

    async def stored(uow: UnitOfWork) -> list[Any]:
        statement = text("SELECT called_at, first_called_at FROM tickets WHERE id = :id")
        return list((await uow.session.execute(statement, {"id": fresh["id"]})).one())

    called_at, first_called_at = in_unit_of_work(server, stored)
    assert called_at == first_called_at  # the same stored form, whichever way it was written
    assert place.status(fresh)["status"] == "called"
