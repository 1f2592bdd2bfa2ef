"""Revoked logins told to the other processes at once, over a Redis pub/sub channel of their own.

Publishing never holds up the request that revoked: it is a background task with a short timeout.
A message lost on the way (Redis down, a subscriber reconnecting) only delays the revocation to the
next check of the auth epoch, within about a second (`services.principal_cache`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any

from queue_server.realtime.brokers import channel_for, subscribe_forever
from queue_server.services.principal_cache import Revocations, Revoked

PUBLISH_TIMEOUT_SECONDS = 0.5
log = logging.getLogger(__name__)


class RedisRevocations:
    """Publishes this process's revocations and hands everyone else's to `receive`."""

    def __init__(self, url: str, database_url: str) -> None:
        import redis.asyncio  # an optional extra: make_broker says how to get it

        self._redis_module = redis.asyncio
        self.url = url
        self.channel = channel_for(database_url, "auth")
        self.origin = uuid.uuid4().hex
        self._client: Any = None
        self._listener: asyncio.Task[None] | None = None
        self._sending: set[asyncio.Task[None]] = set()
        self.connected = asyncio.Event()

    async def start(
        self, receive: Callable[[Revoked], None], reconnected: Callable[[], None]
    ) -> None:
        self._client = self._redis_module.from_url(
            self.url, health_check_interval=10, socket_connect_timeout=PUBLISH_TIMEOUT_SECONDS
        )
        self._listener = asyncio.create_task(
            self._listen(receive, reconnected), name="redis-revocations"
        )

    def announce(self, revoked: Revoked) -> None:
        if self._client is None:
            return
        message = {"token_hash": revoked.token_hash, "user_id": revoked.user_id}
        payload = json.dumps({"origin": self.origin, **message})
        task = asyncio.create_task(self._publish(payload), name="revocation-publish")
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _publish(self, payload: str) -> None:
        try:
            async with asyncio.timeout(PUBLISH_TIMEOUT_SECONDS):
                await self._client.publish(self.channel, payload)
        except Exception as error:
            log.warning("a revocation did not reach Redis (%r); the auth epoch catches up", error)

    async def stop(self) -> None:
        for task in [*self._sending, *([self._listener] if self._listener else [])]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._client is not None:
            await self._client.aclose()

    async def _listen(
        self, receive: Callable[[Revoked], None], reconnected: Callable[[], None]
    ) -> None:
        def handle(item: dict[str, Any]) -> None:
            self._handle(item, receive)

        await subscribe_forever(self._client, self.channel, handle, reconnected, self.connected)

    def _handle(self, item: dict[str, Any], receive: Callable[[Revoked], None]) -> None:
        if item.get("type") != "message":
            return
        try:
            payload = json.loads(item["data"])
            token_hash, user_id = payload.get("token_hash"), payload.get("user_id")
            revoked = Revoked(
                token_hash if isinstance(token_hash, str) else None,
                user_id if isinstance(user_id, int) else None,
            )
        except (TypeError, ValueError, AttributeError):
            log.warning("ignored a malformed message on %s", self.channel)
            return
        if payload.get("origin") != self.origin:
            receive(revoked)


def make_revocations(redis_url: str | None, database_url: str) -> Revocations | None:
    """Redis when configured; otherwise the auth epoch alone tells the other processes."""
    return RedisRevocations(redis_url, database_url) if redis_url else None
