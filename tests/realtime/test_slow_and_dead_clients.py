"""Clients that stop reading or vanish are dropped, and nobody else waits for them."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from queue_server.clock import FrozenClock
from tests import support
from tests.realtime.clients import listening, ws_url
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, Api, login_token, running_server


@contextmanager
def stalled_client(server_url: str, path: str) -> Iterator[ClientConnection]:
    """A display whose program hangs: it never reads, so its socket buffers fill up."""
    host, port = server_url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    with connect(ws_url(server_url, path), sock=sock, max_queue=1, open_timeout=10) as connection:
        yield connection


def drain_until_closed(
    connection: ClientConnection, timeout: float = 20.0
) -> tuple[int, int | None]:
    """(messages still buffered, close code) once the stalled client reads again."""
    count, deadline = 0, time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            connection.recv(timeout=deadline - time.monotonic())
            count += 1
    except ConnectionClosed as closed:
        return count, closed.rcvd.code if closed.rcvd else None
    raise AssertionError("the stalled client was never dropped")


@pytest.mark.slow
def test_a_client_that_stops_reading_is_dropped_and_does_not_delay_the_others(
    sqlite_url: str, clock: FrozenClock
) -> None:
    settings = support.test_settings(sqlite_url, ws_queue_size=16)
    with running_server(settings, clock) as server:
        admin = Api(server.url, login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD))
        office = admin.office()
        topic = admin.topic(office["id"], "A")
        window = admin.window(office["id"], 1)
        admin.issue(office["id"], topic["id"])
        operator = admin.operator(office["id"])
        token = operator.http.headers["authorization"].split()[1]
        staff_path = f"/ws/offices/{office['id']}/staff?token={token}"
        hub = server.app.state.hub
        note = "Ж" * 1000  # long notes make big staff events: the buffers fill sooner
        with (
            listening(server.url, f"/ws/offices/{office['id']}/display") as healthy,
            stalled_client(server.url, staff_path) as stalled,
        ):
            healthy.next()
            deadline = time.monotonic() + 5
            while hub.listeners < 2 and time.monotonic() < deadline:
                time.sleep(0.01)  # the stalled one subscribes just after its handshake
            slowest, cycles, answered, returned = 0.0, 0, 0.0, 0.0
            while hub.listeners == 2 and cycles < 1000:
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
