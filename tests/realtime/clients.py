"""A websocket client as a display or phone would be: it answers pings and reads JSON messages."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

Message = dict[str, Any]


def ws_url(server_url: str, path: str) -> str:
    return "ws" + server_url.removeprefix("http") + path


class Listener:
    """One websocket; `next()` skips (and answers) pings and returns the next message."""

    def __init__(self, connection: ClientConnection) -> None:
        self.connection = connection
        self.received: list[Message] = []

    def next(self, timeout: float = 5.0) -> Message:
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no message in time")
            message: Message = json.loads(self.connection.recv(timeout=remaining))
            if message.get("type") == "ping":
                self.connection.send(json.dumps({"type": "pong"}))
                continue
            self.received.append(message)
            return message

    def until(self, predicate: Callable[[Message], bool], timeout: float = 5.0) -> Message:
        deadline = time.monotonic() + timeout
        while True:
            message = self.next(max(0.01, deadline - time.monotonic()))
            if predicate(message):
                return message

    def events(self, count: int, timeout: float = 5.0) -> list[Message]:
        return [self.next(timeout) for _ in range(count)]

    def close_code(self, timeout: float = 5.0) -> int | None:
        """Read until the server closes the connection; its close code."""
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                self.connection.recv(timeout=max(0.01, deadline - time.monotonic()))
        except ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
        raise TimeoutError("the server did not close the connection")


@contextmanager
def listening(server_url: str, path: str, **options: Any) -> Iterator[Listener]:
    with connect(ws_url(server_url, path), open_timeout=10, **options) as connection:
        yield Listener(connection)


def displays_on_both_workers(url: str, path: str, stack: ExitStack) -> list[Listener]:
    """Displays held by both worker processes: the kernel spreads connections between them,
    and on a loaded machine uvicorn may take a while to have its second worker up."""
    by_node: dict[str, list[Listener]] = {}
    deadline = time.monotonic() + 90
    while len(by_node) < 2 or min(len(held) for held in by_node.values()) < 2:
        assert time.monotonic() < deadline, f"one worker only: {list(by_node)}"
        connection = stack.enter_context(connect(ws_url(url, path), open_timeout=10))
        display = Listener(connection)
        held = by_node.setdefault(display.next()["node"], [])
        if len(held) >= 3:
            connection.close()  # enough here already; keep trying for the other worker
            time.sleep(0.05)
            continue
        held.append(display)
    return [display for held in by_node.values() for display in held]
