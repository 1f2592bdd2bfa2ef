"""The hub delivers each office's events in seq order without gaps, whatever the broker does."""

from __future__ import annotations

import asyncio

from queue_server.db.engine import Database
from queue_server.realtime.hub import Hub
from tests.support import Api, LiveServer, run_coroutine


def test_events_lost_or_reordered_by_the_broker_are_read_back_from_the_database(
    sqlite_server: LiveServer, sqlite_admin: Api
) -> None:
    office = sqlite_admin.office()
    topic = sqlite_admin.topic(office["id"], "A")

    async def scenario() -> list[tuple[int, str]]:
        database = Database(sqlite_server.settings.database_url)
        hub = Hub(database, check_interval=3600)
        await hub.start()
        try:
            subscription, start = await hub.subscribe(office["id"], 64)
            tickets = [sqlite_admin.issue(office["id"], topic["id"]) for _ in range(4)]
            # Another worker's broker brings the third event first, then the first; the second
            # and the fourth never arrive at all.
            for seq in (start + 3, start + 1):
                hub.receive(
                    office["id"],
                    {"type": "ticket.issued", "seq": seq, "office_id": office["id"], "at": ""},
                )
            hub.check_all()  # the periodic look at the event log finds the fourth
            got = []
            for _ in range(4):
                delivery = await asyncio.wait_for(subscription.queue.get(), 5)
                got.append(
                    (delivery.seq - start, delivery.message.get("ticket", {}).get("number", ""))
                )
            assert subscription.queue.empty()
            # The missing ones come from the event log with their tickets.
            assert (got[1][1], got[3][1]) == (tickets[1]["number"], tickets[3]["number"])
            return got
        finally:
            await hub.stop()
            await database.dispose()

    got = run_coroutine(scenario())
    assert [seq for seq, _number in got] == [1, 2, 3, 4]
