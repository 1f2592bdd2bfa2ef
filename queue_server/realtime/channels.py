"""One websocket connection: its send loop, heartbeats, and being dropped when it cannot keep up.

Close codes a client may see: 4001 too slow (reconnect and resync), 4002 no answer to pings,
4401 sign in first, 4403 not allowed, 4404 no such office or ticket; 1012 the server restarts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState

from queue_server.realtime.hub import Subscription

TOO_SLOW, SILENT = 4001, 4002
NOT_AUTHENTICATED, FORBIDDEN, NOT_FOUND = 4401, 4403, 4404
CLOSE_TIMEOUT_SECONDS = 2.0
log = logging.getLogger(__name__)


class ClientSilent(Exception):
    """The client answered pings once and then stopped: it is gone."""


class Connection:
    """A websocket with heartbeats: ping every `ping_interval`; a client that has answered pings
    and then stays silent for `dead_after` is dropped. Clients that never answer (simple API
    consumers) are left to TCP and the server's protocol-level pings."""

    def __init__(self, websocket: WebSocket, ping_interval: float, dead_after: float) -> None:
        self.websocket = websocket
        self.ping_interval = ping_interval
        self.dead_after = dead_after
        self.last_heard = time.monotonic()
        self.answers_pings = False
        self.next_ping_at = time.monotonic() + ping_interval

    async def send(self, text: str) -> None:
        await self.websocket.send_text(text)

    async def send_json(self, message: dict[str, Any]) -> None:
        await self.send(json.dumps(message, ensure_ascii=False, separators=(",", ":")))

    async def listen(self) -> None:
        """Read what the client says (pongs) until it goes away."""
        while True:
            message = await self.websocket.receive()
            if message["type"] == "websocket.disconnect":
                return
            self.last_heard = time.monotonic()
            self.answers_pings = True

    async def keep_alive(self, ping: Callable[[], dict[str, Any]]) -> None:
        """Ping when due, until the client stops answering (then raise ClientSilent).

        A task of its own, so that the send loop only ever waits on its queue: one wake-up per
        event and connection, which is what keeps the fan-out to hundreds of displays cheap.
        """
        while True:
            now = time.monotonic()
            if self.answers_pings and now - self.last_heard > self.dead_after:
                raise ClientSilent
            if now >= self.next_ping_at:
                self.next_ping_at = now + self.ping_interval
                await self.send_json(ping())
            wake_at = self.next_ping_at
            if self.answers_pings:
                wake_at = min(wake_at, self.last_heard + self.dead_after)
            await asyncio.sleep(max(0.01, wake_at - time.monotonic()))

    async def close(self, code: int, reason: str = "") -> None:
        """Close without waiting long for a client that does not read."""
        if self.websocket.application_state == WebSocketState.DISCONNECTED:
            return
        with contextlib.suppress(Exception):
            await asyncio.wait_for(self.websocket.close(code, reason), CLOSE_TIMEOUT_SECONDS)

    async def refuse(self, code: int, error: str, detail: str) -> None:
        """Tell the client why (a message it can show), then close."""
        with contextlib.suppress(Exception):
            await asyncio.wait_for(
                self.send_json({"type": "error", "code": error, "detail": detail}),
                CLOSE_TIMEOUT_SECONDS,
            )
        await self.close(code, error)

    async def serve(
        self,
        pump: Awaitable[None],
        subscription: Subscription,
        ping: Callable[[], dict[str, Any]],
    ) -> None:
        """Run the send loop, the listener and the heartbeat until one ends or the client falls
        behind."""
        tasks = {
            asyncio.ensure_future(pump): "pump",
            asyncio.create_task(self.listen()): "listen",
            asyncio.create_task(subscription.dropped.wait()): "dropped",
            asyncio.create_task(self.keep_alive(ping)): "heartbeat",
        }
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        finished = {tasks[task]: task for task in done}
        if "dropped" in finished:
            await self.close(TOO_SLOW, "too slow: reconnect to resync")
            return
        pump_task = finished.get("pump") or finished.get("heartbeat")
        error = None if pump_task is None or pump_task.cancelled() else pump_task.exception()
        if isinstance(error, ClientSilent):
            await self.close(SILENT, "no answer to pings")
        elif error is not None and not isinstance(error, WebSocketDisconnect | OSError):
            log.error("websocket send loop failed", exc_info=error)
            await self.close(1011, "server error: reconnect")
        elif pump_task is not None:
            await self.close(1000)
