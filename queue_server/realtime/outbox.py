"""The database's event sink: events reach this process at once and the broker in the background.

A commit must never wait for Redis. `publish` hands each event to the local listeners straight
away and puts it in a bounded queue; one task sends the queue to the broker, giving each message
a deadline. A message that misses its deadline, or finds the queue full, is dropped: the other
workers read it from the database at their next check (`Hub.check_all`), as after any outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from queue_server.realtime.brokers import Broker, Receiver

Message = dict[str, Any]
log = logging.getLogger(__name__)
MAX_PENDING = 1000
DEADLINE_SECONDS = 1.0


class Outbox:
    """Deliver locally now, publish through the broker later; `publish` never waits."""

    def __init__(
        self,
        broker: Broker,
        *,
        max_pending: int = MAX_PENDING,
        deadline_seconds: float = DEADLINE_SECONDS,
    ) -> None:
        self.broker = broker
        self.max_pending = max_pending
        self.deadline_seconds = deadline_seconds
        self.dropped = 0
        self._deliver: Receiver | None = None
        self._queue: asyncio.Queue[tuple[int, Message]] | None = None
        self._task: asyncio.Task[None] | None = None
        self._failing = False
        self._cut_short: set[asyncio.Task[None]] = set()

    def publish(self, office_id: int, message: Message) -> None:
        """Called after a commit: deliver here at once and queue the event for the broker."""
        if self._deliver is not None:
            self._deliver(office_id, message)
        if self._queue is None:
            return
        try:
            self._queue.put_nowait((office_id, message))
        except asyncio.QueueFull:
            self._drop(office_id, message, f"{self.max_pending} events are waiting for it")

    async def start(self, deliver: Receiver) -> None:
        """Begin sending; `deliver` hands an event to this process's own listeners."""
        self._deliver = deliver
        queue: asyncio.Queue[tuple[int, Message]] = asyncio.Queue(self.max_pending)
        self._queue = queue
        self._task = asyncio.create_task(self._drain(queue), name="event-outbox")

    async def stop(self) -> None:
        self._deliver, self._queue = None, None
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for task in list(self._cut_short):
            task.cancel()

    @property
    def pending(self) -> int:
        return 0 if self._queue is None else self._queue.qsize()

    async def _drain(self, queue: asyncio.Queue[tuple[int, Message]]) -> None:
        while True:
            office_id, message = await queue.get()
            await self._send(office_id, message)

    async def _send(self, office_id: int, message: Message) -> None:
        # Not asyncio.wait_for: it waits for the cancelled send to wind up, and a send stuck on a
        # stalled connection may take its time about that. This task moves on at the deadline.
        task = asyncio.create_task(self.broker.publish(office_id, message))
        try:
            done, _pending = await asyncio.wait({task}, timeout=self.deadline_seconds)
        except asyncio.CancelledError:  # stopping
            task.cancel()
            raise
        if not done:
            task.cancel()
            self._cut_short.add(task)
            task.add_done_callback(self._forget)
            self._drop(office_id, message, f"no answer within {self.deadline_seconds:g} s")
            return
        error = task.exception()
        if error is not None:
            self._drop(office_id, message, repr(error))
            return
        if self._failing:
            log.warning("the broker takes events again; %s were not sent", self.dropped)
            self._failing, self.dropped = False, 0

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._cut_short.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved, so asyncio does not report it again

    def _drop(self, office_id: int, message: Message, reason: str) -> None:
        self.dropped += 1
        if not self._failing:  # one line per outage, not one per event
            self._failing = True
            log.warning(
                "the broker did not take event %s of office %s (%s); dropping events until it "
                "does, the other workers read them from the database",
                message.get("seq"),
                office_id,
                reason,
            )
