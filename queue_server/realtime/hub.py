"""The event hub: each office's events, in `seq` order and without gaps, to every listener here.

Events reach a process in two ways: from its own requests (after their commit) and, when several
workers or hosts share the database, through a broker (Redis pub/sub). Either may reorder or lose
a message; the database never does. So each office's feed delivers seq N only after N-1, reads
any missing event back from the events table, and checks the table now and then in case the
broker dropped the last one. Listeners have bounded queues: one that stops reading is dropped and
resyncs later; nobody waits for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from dataclasses import dataclass, field
from typing import Any

from queue_server.db.engine import Database
from queue_server.realtime import projections
from queue_server.realtime.brokers import Broker, LocalBroker
from queue_server.realtime.outbox import Outbox
from queue_server.services import live_state

Message = dict[str, Any]
log = logging.getLogger(__name__)
NODE = f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True, slots=True)
class Delivery:
    """One event as every kind of listener receives it; serialised once per process, not per socket."""

    seq: int
    message: Message
    texts: dict[str, str]


@dataclass(eq=False)
class Subscription:
    """A bounded queue of one listener; a listener that stops reading is dropped, not waited for."""

    office_id: int
    max_pending: int
    queue: asyncio.Queue[Delivery] = field(init=False)
    dropped: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.queue = asyncio.Queue(self.max_pending)

    def offer(self, delivery: Delivery) -> None:
        if self.dropped.is_set():
            return
        try:
            self.queue.put_nowait(delivery)
        except asyncio.QueueFull:
            self.dropped.set()


class OfficeFeed:
    """The events of one office in this process, in seq order, to each of its subscriptions."""

    def __init__(self, office_id: int, database: Database) -> None:
        self.office_id = office_id
        self.database = database
        self.last_seq = 0
        self.subscriptions: set[Subscription] = set()
        # None asks the feed to look in the database for events the broker did not bring.
        self.inbox: asyncio.Queue[Message | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        async with self.database.reading() as session:
            self.last_seq = await live_state.current_seq(session, self.office_id)
        self._task = asyncio.create_task(self._run(), name=f"feed-{self.office_id}")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            batch = [await self.inbox.get()]
            while not self.inbox.empty():
                batch.append(self.inbox.get_nowait())
            try:
                await self._process(batch)
            except Exception:  # the next message or check fills the gap from the database
                log.exception("office %s: events could not be delivered", self.office_id)

    async def _process(self, batch: list[Message | None]) -> None:
        messages = sorted((m for m in batch if m is not None), key=lambda m: int(m["seq"]))
        fresh: list[Message] = []
        last = self.last_seq
        for message in messages:
            seq = int(message["seq"])
            if seq <= last:
                continue
            if seq > last + 1:
                fresh += await self._read(last, seq - 1)
            fresh.append(message)
            last = seq
        if None in batch:
            async with self.database.reading() as session:
                current = await live_state.current_seq(session, self.office_id)
            if current > last:
                fresh += await self._read(last, current)
        if fresh:
            await self._deliver(fresh)

    async def _read(self, after: int, up_to: int) -> list[Message]:
        async with self.database.reading() as session:
            return await live_state.events_after(session, self.office_id, after, up_to)

    async def _deliver(self, messages: list[Message]) -> None:
        state: dict[str, Any] = {}
        wanted = projections.wanted_state(messages)
        if wanted:
            async with self.database.reading() as session:
                state = await live_state.office_state(session, self.office_id, wanted)
        for message in messages:
            delivery = make_delivery(projections.enrich(message, state))
            self.last_seq = max(self.last_seq, delivery.seq)
            for subscription in list(self.subscriptions):
                subscription.offer(delivery)


def make_delivery(message: Message) -> Delivery:
    return Delivery(int(message["seq"]), message, projections.texts(message))


class Hub:
    """Feeds per office for this process, fed by local commits and by the broker.

    Local commits arrive through `outbox`, the database's event sink, which also publishes them
    through its broker; the hub listens to that broker for the other processes' events.
    """

    def __init__(
        self,
        database: Database,
        broker: Broker | None = None,
        check_interval: float = 10.0,
        *,
        outbox: Outbox | None = None,
    ) -> None:
        if outbox is not None and broker is not None and broker is not outbox.broker:
            raise ValueError("the hub listens to the broker its outbox publishes to")
        self.database = database
        self.outbox = outbox or Outbox(broker or LocalBroker())
        self.broker = self.outbox.broker
        self.check_interval = check_interval
        self.feeds: dict[int, OfficeFeed] = {}
        self._lock = asyncio.Lock()
        self._checker: asyncio.Task[None] | None = None

    def receive(self, office_id: int, message: Message | None) -> None:
        feed = self.feeds.get(office_id)
        if feed is not None:
            feed.inbox.put_nowait(message)

    def check_all(self) -> None:
        """Make every feed look for events it missed (after a broker outage, and periodically)."""
        for office_id in list(self.feeds):
            self.receive(office_id, None)

    async def subscribe(self, office_id: int, max_pending: int) -> tuple[Subscription, int]:
        """A new listener of the office and the last seq its feed has delivered."""
        async with self._lock:
            feed = self.feeds.get(office_id)
            if feed is None:
                feed = self.feeds[office_id] = OfficeFeed(office_id, self.database)
                try:
                    await feed.start()
                except BaseException:
                    del self.feeds[office_id]
                    raise
            subscription = Subscription(office_id, max_pending)
            feed.subscriptions.add(subscription)
            return subscription, feed.last_seq

    async def unsubscribe(self, subscription: Subscription) -> None:
        async with self._lock:
            feed = self.feeds.get(subscription.office_id)
            if feed is None:
                return
            feed.subscriptions.discard(subscription)
            if not feed.subscriptions:
                del self.feeds[subscription.office_id]
                await feed.stop()

    async def start(self) -> None:
        await self.broker.start(self.receive, self.check_all)
        await self.outbox.start(self.receive)
        self._checker = asyncio.create_task(self._check_periodically(), name="hub-checker")

    async def stop(self) -> None:
        if self._checker is not None:
            self._checker.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._checker
        for feed in list(self.feeds.values()):
            await feed.stop()
        self.feeds.clear()
        await self.outbox.stop()
        await self.broker.stop()

    async def _check_periodically(self) -> None:
        while True:
            await asyncio.sleep(self.check_interval)
            self.check_all()

    @property
    def listeners(self) -> int:
        return sum(len(feed.subscriptions) for feed in self.feeds.values())
