"""Clients that stop reading or vanish are dropped, and nobody else waits for them."""

from __future__ import annotations

import base64
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from queue_server.clock import FrozenClock
from tests import support
from tests.realtime.clients import listening
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, Api, login_token, running_server


@contextmanager
def stalled_client(server_url: str, path: str) -> Iterator[socket.socket]:
    """A display whose program hangs: after the handshake it never reads, so buffers fill up.

    A raw socket rather than a websocket library, which would go on reading in the background.
    """
    host, port = server_url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    key = base64.b64encode(os.urandom(16)).decode()
    sock.sendall(
        f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\n"
        f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(1)  # byte by byte: not one byte of the frames after it
    assert head.startswith(b"HTTP/1.1 101"), head
    try:
        yield sock
    finally:
        sock.close()


def drain_until_closed(sock: socket.socket, timeout: float = 20.0) -> tuple[int, int | None]:
    """(text frames still buffered, close code) once the stalled client reads again."""
    sock.settimeout(timeout)
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    texts, code, at = 0, None, 0
    while at + 2 <= len(data):
        opcode, length, at = data[at] & 0x0F, data[at + 1] & 0x7F, at + 2
        if length >= 126:
            size = 2 if length == 126 else 8
            length, at = int.from_bytes(data[at : at + size], "big"), at + size
        payload, at = data[at : at + length], at + length
        if opcode == 0x1:
            texts += 1
        elif opcode == 0x8 and len(payload) >= 2:
            code = int.from_bytes(payload[:2], "big")
    return texts, code


@pytest.mark.slow
def test_a_client_that_stops_reading_is_dropped_and_does_not_delay_the_others(
    sqlite_url: str, clock: FrozenClock
) -> None:
    settings = support.test_settings(sqlite_url, ws_queue_size=16)
    # Small kernel buffers on the server's side, so that they fill in a few dozen events rather
    # than megabytes' worth (uvicorn's own keepalive would drop the client first, after 40 s).
    with running_server(settings, clock, send_buffer=16384) as server:
        admin = Api(server.url, login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD))
        office = admin.office()
        topic = admin.topic(office["id"], "A")
        window = admin.window(office["id"], 1)
        admin.issue(office["id"], topic["id"])
        operator = admin.operator(office["id"])
        ticket = operator.ok(operator.post("/api/v1/auth/ws-ticket"))["ticket"]
        staff_path = f"/ws/offices/{office['id']}/staff?ticket={ticket}"
        hub = server.app.state.hub
        # The longest note there is (1,000 four-byte characters) makes big staff events, so the
        # socket buffers of the stalled client fill in fewer cycles.
        note = "\U0001f4dd" * 1000
        with (
            listening(server.url, f"/ws/offices/{office['id']}/display") as healthy,
            stalled_client(server.url, staff_path) as stalled,
        ):
            healthy.next()
            deadline = time.monotonic() + 5
            while hub.listeners < 2 and time.monotonic() < deadline:
                time.sleep(0.01)  # the stalled one subscribes just after its handshake
            slowest, cycles, answered, returned = 0.0, 0, 0.0, 0.0
            while hub.listeners == 2 and cycles < 300:
                called = operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
                returned = time.monotonic()
                operator.ok(
                    operator.post(f"/api/v1/tickets/{called['id']}/return", json={"note": note})
                )
                answered = time.monotonic()
                event = healthy.until(lambda event: event["type"] == "ticket.returned")
                slowest = max(slowest, time.monotonic() - answered)
                cycles += 1
            assert hub.listeners == 1, "the stalled client was not dropped"
            # Events reach the healthy display as soon as the request is answered.
            assert slowest < 0.5, f"a healthy display waited {slowest:.2f} s after a request"
            assert answered - returned < 1.0
            buffered, code = drain_until_closed(stalled)
            assert code in (4001, None)  # None: the close frame could not even get through
            assert buffered < 2 * cycles + 2  # it missed events, and must resync
            operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
            assert healthy.next()["seq"] == event["seq"] + 1
            print(f"dropped after {cycles} cycles")
        admin.close()


def test_a_display_that_falls_silent_is_dropped_by_the_heartbeat(
    sqlite_url: str, clock: FrozenClock
) -> None:
    settings = support.test_settings(
        sqlite_url, ws_ping_interval_seconds=0.2, ws_dead_after_seconds=1.0
    )
    with running_server(settings, clock) as server:
        admin = Api(server.url, login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD))
        office = admin.office()
        path = f"/ws/offices/{office['id']}/display"
        with listening(server.url, path) as display:
            snapshot = json.loads(display.connection.recv(timeout=5))
            ping = json.loads(display.connection.recv(timeout=5))
            assert ping == {"type": "ping", "seq": snapshot["seq"]}
            display.connection.send(json.dumps({"type": "pong"}))
            started = time.monotonic()
            code = display.close_code(timeout=10)  # reads pings but never answers again
            assert code == 4002
            assert time.monotonic() - started < 2.5
        with listening(server.url, path) as answering:
            answering.next()
            until = time.monotonic() + 2.5  # well past dead_after, answering every ping
            while time.monotonic() < until:
                message = json.loads(answering.connection.recv(timeout=2))
                assert message["type"] == "ping"
                answering.connection.send(json.dumps({"type": "pong"}))
        admin.close()
