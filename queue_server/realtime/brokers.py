"""How events travel between processes: nowhere (one worker), or through Redis pub/sub."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any, Protocol

Message = dict[str, Any]
Receiver = Callable[[int, Message | None], None]
Reconnected = Callable[[], None]
log = logging.getLogger(__name__)
# A stalled Redis (stopped, or its host gone) must fail a publish within a second, as the outbox
# gives up on each message after that long anyway; nor may the listener hang while connecting.
PUBLISH_TIMEOUT_SECONDS = 1.0
CONNECT_TIMEOUT_SECONDS = 2.0


class Broker(Protocol):
    async def start(self, receive: Receiver, reconnected: Reconnected) -> None: ...

    async def publish(self, office_id: int, message: Message) -> None: ...

    async def stop(self) -> None: ...


class LocalBroker:
    """One worker: the hub already delivered the event locally, so there is nobody else to tell."""

    async def start(self, receive: Receiver, reconnected: Reconnected) -> None:
        return None

    async def publish(self, office_id: int, message: Message) -> None:
        return None

    async def stop(self) -> None:
        return None


def channel_for(database_url: str, topic: str = "events") -> str:
    """Processes on the same database share a channel; another database on this Redis does not."""
    digest = hashlib.sha256(database_url.encode()).hexdigest()[:16]
    return f"queue-server:{digest}:{topic}"


async def subscribe_forever(
    client: Any,
    channel: str,
    handle: Callable[[dict[str, Any]], None],
    reconnected: Reconnected,
    connected: asyncio.Event,
) -> None:
    """Hand every message of `channel` to `handle`, subscribing again (with a growing pause) after
    a lost connection, and saying so through `reconnected`: messages in between are lost."""
    backoff = 0.5
    while True:
        pubsub = client.pubsub()
        try:
            await pubsub.subscribe(channel)
            connected.set()
            backoff = 0.5
            reconnected()
            async for item in pubsub.listen():
                handle(item)
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.warning(
                "Redis subscription to %s lost (%s); retrying in %.1f s", channel, error, backoff
            )
        finally:
            connected.clear()
            with contextlib.suppress(Exception):
                await pubsub.aclose()
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, 10.0)


class RedisBroker:
    """Redis pub/sub: every process publishes its events and hears everyone else's.

    Pub/sub loses messages while a subscriber is disconnected; that is fine, because the hub
    fills gaps from the database, and is told to look when the subscription comes back.
    Publishing has a client of its own, replaced whenever a command is cut short, so that a
    connection left waiting for a reply is never used again.
    """

    def __init__(self, url: str, database_url: str) -> None:
        try:
            import redis.asyncio
        except ImportError as error:  # an optional extra: say how to get it
            raise RuntimeError(
                "QUEUE_REDIS_URL is set but the redis package is missing: "
                'pip install "queue-server[redis]"'
            ) from error
        self._redis_module = redis.asyncio
        self.url = url
        self.channel = channel_for(database_url)
        self.origin = uuid.uuid4().hex
        self._client: Any = None
        self._publisher: Any = None
        self._closing: set[asyncio.Task[None]] = set()
        self._listener: asyncio.Task[None] | None = None
        self.connected = asyncio.Event()

    async def start(self, receive: Receiver, reconnected: Reconnected) -> None:
        self._client = self._redis_module.from_url(
            self.url, health_check_interval=10, socket_connect_timeout=CONNECT_TIMEOUT_SECONDS
        )
        self._publisher = self._new_publisher()
        self._listener = asyncio.create_task(
            self._listen(receive, reconnected), name="redis-listener"
        )

    async def publish(self, office_id: int, message: Message) -> None:
        payload = json.dumps({"origin": self.origin, "office_id": office_id, "message": message})
        publisher = self._publisher
        try:
            await publisher.publish(self.channel, payload)
        except BaseException:  # a timeout, a lost link, or the outbox's deadline cancelling us
            self._replace_publisher(publisher)
            raise

    def _new_publisher(self) -> Any:
        return self._redis_module.from_url(
            self.url,
            socket_timeout=PUBLISH_TIMEOUT_SECONDS,
            socket_connect_timeout=PUBLISH_TIMEOUT_SECONDS,
        )

    def _replace_publisher(self, broken: Any) -> None:
        if broken is not self._publisher:
            return  # another send replaced it already
        self._publisher = self._new_publisher()
        closing = asyncio.create_task(self._close_quietly(broken))
        self._closing.add(closing)
        closing.add_done_callback(self._closing.discard)

    async def _close_quietly(self, client: Any) -> None:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(client.aclose(), PUBLISH_TIMEOUT_SECONDS)

    async def stop(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        for client in (self._client, self._publisher):
            if client is not None:
                await self._close_quietly(client)
        for closing in list(self._closing):
            closing.cancel()

    async def _listen(self, receive: Receiver, reconnected: Reconnected) -> None:
        def handle(item: dict[str, Any]) -> None:
            self._handle(item, receive)

        await subscribe_forever(self._client, self.channel, handle, reconnected, self.connected)

    def _handle(self, item: dict[str, Any], receive: Receiver) -> None:
        if item.get("type") != "message":
            return
        try:
            payload = json.loads(item["data"])
        except (TypeError, ValueError):
            log.warning("ignored a malformed message on %s", self.channel)
            return
        if payload.get("origin") == self.origin:
            return  # delivered locally already
        receive(int(payload["office_id"]), payload["message"])


def make_broker(redis_url: str | None, database_url: str) -> Broker:
    """Redis when configured, otherwise in-process only."""
    return RedisBroker(redis_url, database_url) if redis_url else LocalBroker()
