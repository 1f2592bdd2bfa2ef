"""The event hub: in-process delivery; Redis pub/sub when several workers or hosts share an office."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from typing import Any

Message = dict[str, Any]


class Subscription:
    """A bounded queue of one listener; a listener that stops reading is dropped, not waited for."""

    def __init__(self, office_id: int, max_pending: int) -> None:
        self.office_id = office_id
        self.queue: asyncio.Queue[Message] = asyncio.Queue(max_pending)
        self.overflowed = False

    def offer(self, message: Message) -> None:
        try:
            self.queue.put_nowait(message)
        except asyncio.QueueFull:
            self.overflowed = True


class LocalHub:
    """Delivers events to the listeners of this process."""

    def __init__(self, max_pending: int = 256) -> None:
        self._subscriptions: dict[int, set[Subscription]] = defaultdict(set)
        self._max_pending = max_pending

    def subscribe(self, office_id: int) -> Subscription:
        subscription = Subscription(office_id, self._max_pending)
        self._subscriptions[office_id].add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions[subscription.office_id].discard(subscription)

    def deliver(self, office_id: int, message: Message) -> None:
        for subscription in list(self._subscriptions.get(office_id, ())):
            subscription.offer(message)

    async def publish(self, office_id: int, message: Message) -> None:
        """Called after a commit; delivers locally."""
        self.deliver(office_id, message)

    async def start(self) -> None:
        return None

    async def stop(self) -> None:
        return None
