"""Host headers: production answers only QUEUE_PUBLIC_URL's host and loopback; no Host header
ever changes a link (status URL, the QR code on the slip) once QUEUE_PUBLIC_URL is set."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from queue_server.clock import FrozenClock
from tests import support
from tests.printing.fake_printer import loopback_printer
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, Api, LiveServer, login_token, running_server

PUBLIC_URL = "https://queue.example.ru"
FOREIGN = "evil.example"


def admin_of(server: LiveServer) -> Api:
    return Api(server.url, login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD))


@pytest.fixture
def production(sqlite_url: str, clock: FrozenClock) -> Iterator[LiveServer]:
    settings = support.test_settings(
        sqlite_url, env="production", public_url=PUBLIC_URL, allowed_hosts="10.0.0.5"
    )
    with running_server(settings, clock) as live:
        yield live


def websocket_handshake(server: LiveServer, path: str, host: str) -> bytes:
    """The first line of the server's answer to a websocket upgrade sent with `host`."""
    parts = urlsplit(server.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=5) as connection:
        connection.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            "Sec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        return connection.recv(4096).split(b"\r\n", 1)[0]


def test_production_answers_only_the_public_urls_host_and_loopback(
    production: LiveServer,
) -> None:
    admin = admin_of(production)  # signed in through 127.0.0.1: loopback is answered
    office = admin.office()
    topic = admin.topic(office["id"])
    tickets = f"/api/v1/offices/{office['id']}/tickets"

    refused = admin.post(tickets, json={"topic_id": topic["id"]}, headers={"Host": FOREIGN})
    assert refused.status_code == 400, refused.text
    assert refused.json()["code"] == "host_not_allowed"
    assert PUBLIC_URL in refused.json()["detail"]
    assert admin.ok(admin.get(f"/api/v1/offices/{office['id']}/queue")) == []
    assert admin.get("/", headers={"Host": f"{FOREIGN}:443"}).status_code == 400
    display = f"/ws/offices/{office['id']}/display"
    assert b" 403 " in websocket_handshake(production, display, FOREIGN)
    assert b" 101 " in websocket_handshake(production, display, "queue.example.ru")

    hosts = ("queue.example.ru", "Queue.Example.RU:443", "localhost:8000", "[::1]", "10.0.0.5:8000")
    for host in hosts:  # the last: the hall's LAN address, named in QUEUE_ALLOWED_HOSTS
        assert admin.get("/api/v1/offices", headers={"Host": host}).status_code == 200, host
    ticket = admin.ok(
        admin.post(tickets, json={"topic_id": topic["id"]}, headers={"Host": "queue.example.ru"}),
        201,
    )
    assert ticket["status_url"] == f"{PUBLIC_URL}/t/{ticket['code']}"
    admin.close()


def test_with_a_public_url_a_host_header_changes_no_link_in_the_demo(
    sqlite_url: str, clock: FrozenClock
) -> None:
    settings = support.test_settings(sqlite_url, public_url=PUBLIC_URL)  # the demo answers any host
    with running_server(settings, clock) as server, loopback_printer() as printer:
        admin = admin_of(server)
        office = admin.office()
        topic = admin.topic(office["id"])
        kiosk = admin.ok(
            admin.post(
                f"/api/v1/offices/{office['id']}/kiosks",
                json={"name": "Entrance", "printer": printer.url},
            ),
            201,
        )
        response = admin.post(
            f"/api/v1/offices/{office['id']}/tickets",
            json={"topic_id": topic["id"], "kiosk_id": kiosk["id"]},
            headers={"Host": FOREIGN},
        )
        ticket = admin.ok(response, 201)
        slip = printer.wait_for_job()
        admin.close()
    assert ticket["print"]["status"] == "printed"
    assert ticket["status_url"] == f"{PUBLIC_URL}/t/{ticket['code']}"
    assert ticket["status_url"].encode() in slip  # the QR code's data
    assert FOREIGN.encode() not in slip
    assert kiosk["page_url"].startswith(f"{PUBLIC_URL}/kiosk/")
