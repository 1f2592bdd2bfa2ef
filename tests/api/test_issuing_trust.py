"""Who may issue a ticket (a kiosk by its key, staff, a capped remote visitor), and retries that
never double a ticket (Idempotency-Key)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from queue_server.clock import FrozenClock
from queue_server.services import housekeeping
from tests.api.contract import error, hall, sql
from tests.support import Api, LiveServer, on_database


def _waiting(api: Api, office_id: int) -> int:
    tree = api.ok(api.get(f"/api/v1/offices/{office_id}/topics"))
    return sum(node["waiting"] for node in tree)


def test_nobody_without_a_key_or_a_login_issues(admin: Api, anonymous: Api) -> None:
    place = hall(admin, "A")
    path = f"/api/v1/offices/{place.id}/tickets"
    for body in (
        {"topic_id": place.topic_id("A")},
        {"topic_id": place.topic_id("A"), "priority": True},
    ):
        error(anonymous.post(path, json=body), 401, "not_authenticated")
    wrong_key = {"X-Kiosk-Key": "not-the-key"}
    error(anonymous.post(path, json=body, headers=wrong_key), 401, "not_authenticated")
    assert _waiting(anonymous, place.id) == 0


def test_a_kiosk_issues_with_its_key_in_its_own_office(admin: Api) -> None:
    place, other = hall(admin, "A"), hall(admin, "A")
    made = admin.kiosk(place.id)
    assert made["key"] and made["setup_url"].endswith(f"/kiosk/{made['id']}?key={made['key']}")
    listed = admin.ok(admin.get(f"/api/v1/offices/{place.id}/kiosks"))
    assert all(kiosk["key"] is None for kiosk in listed), "a key is shown only once"
    kiosk = Api(admin.base_url, kiosk_key=made["key"])
    ticket = kiosk.ok(
        kiosk.post(f"/api/v1/offices/{place.id}/tickets", json={"topic_id": place.topic_id("A")}),
        201,
    )
    assert (ticket["number"], ticket["channel"]) == ("A001", "kiosk")
    elsewhere = f"/api/v1/offices/{other.id}/tickets"
    error(kiosk.post(elsewhere, json={"topic_id": other.topic_id("A")}), 403, "forbidden")
    renewed = admin.ok(admin.post(f"/api/v1/kiosks/{made['id']}/key"))
    trail = admin.ok(admin.get(f"/api/v1/offices/{place.id}/audit"))
    assert trail[0]["action"] == "key_renewed" and made["key"] not in str(trail)
    path = f"/api/v1/offices/{place.id}/tickets"
    error(kiosk.post(path, json={"topic_id": place.topic_id("A")}), 401, "not_authenticated")
    again = Api(admin.base_url, kiosk_key=renewed["key"])
    assert (
        again.ok(again.post(path, json={"topic_id": place.topic_id("A")}), 201)["number"] == "A002"
    )
    assert _waiting(admin, other.id) == 0


def test_staff_issue_in_their_own_office(admin: Api) -> None:
    place, other = hall(admin, "A"), hall(admin, "A")
    operator = place.operator()
    ticket = operator.issue(place.id, place.topic_id("A"))
    assert ticket["channel"] == "staff"
    path = f"/api/v1/offices/{other.id}/tickets"
    error(operator.post(path, json={"topic_id": other.topic_id("A")}), 403, "forbidden")


def test_remote_visitors_are_capped_never_priority_and_can_be_turned_away(
    admin: Api, anonymous: Api
) -> None:
    place = hall(admin, "A", remote_tickets_per_hour=2)
    path = f"/api/v1/offices/{place.id}/tickets"
    remote = {"topic_id": place.topic_id("A"), "channel": "remote"}
    error(anonymous.post(path, json={**remote, "priority": True}), 422, "validation_error")
    first = anonymous.ok(anonymous.post(path, json=remote), 201)
    assert (first["number"], first["channel"], first["priority"]) == ("A001", "remote", False)
    anonymous.ok(anonymous.post(path, json=remote), 201)
    detail = error(anonymous.post(path, json=remote), 429, "too_many_tickets")
    assert "2" in detail
    assert _waiting(admin, place.id) == 2

    closed = hall(admin, "A", remote_open=False)
    path = f"/api/v1/offices/{closed.id}/tickets"
    body = {"topic_id": closed.topic_id("A"), "channel": "remote"}
    error(anonymous.post(path, json=body), 409, "remote_closed")


def test_a_repeated_key_answers_the_ticket_first_issued(
    admin: Api, anonymous: Api, clock: FrozenClock
) -> None:
    place, other = hall(admin, "AB"), hall(admin, "A")
    kiosk = admin.kiosk_client(place.id)
    path = f"/api/v1/offices/{place.id}/tickets"
    tap = {"Idempotency-Key": "tap-0001"}
    first = kiosk.ok(kiosk.post(path, json={"topic_id": place.topic_id("A")}, headers=tap), 201)
    # the same tap again, even with another topic: the ticket the first attempt issued
    repeat = kiosk.ok(kiosk.post(path, json={"topic_id": place.topic_id("B")}, headers=tap), 200)
    assert (repeat["id"], repeat["number"], repeat["code"]) == (first["id"], "A001", first["code"])
    assert repeat["print"]["status"] == "none"
    assert _waiting(admin, place.id) == 1
    # the key is the office's: another office's kiosk with the same key issues its own
    elsewhere = admin.post(
        f"/api/v1/offices/{other.id}/tickets", json={"topic_id": other.topic_id("A")}, headers=tap
    )
    assert elsewhere.status_code == 201
    # a refused attempt keeps nothing: its key issues once the refusal is fixed
    menu = admin.topic(place.id, "M")
    admin.topic(place.id, "N", parent_id=menu["id"])
    retry = {"Idempotency-Key": "tap-0002"}
    error(kiosk.post(path, json={"topic_id": menu["id"]}, headers=retry), 409, "topic_not_issuable")
    fixed = kiosk.ok(kiosk.post(path, json={"topic_id": place.topic_id("B")}, headers=retry), 201)
    assert fixed["number"] == "B001"
    # after 24 hours a key is forgotten
    clock.advance(24 * 3600 + 60)
    later = kiosk.ok(kiosk.post(path, json={"topic_id": place.topic_id("A")}, headers=tap), 201)
    assert later["id"] != first["id"]
    for bad in ("", "x" * 101, "tap with spaces"):
        response = kiosk.post(
            path, json={"topic_id": place.topic_id("A")}, headers={"Idempotency-Key": bad}
        )
        error(response, 422, "validation_error")


class SwallowingProxy:
    """A TCP hop that passes one request on to the server, reads the whole answer, and drops the
    connection instead of passing it back: the client loses an answer the server did send."""

    def __init__(self, upstream: str) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.answer = b""
        self.thread = threading.Thread(target=self._serve_one, daemon=True)
        self.thread.start()

    def _serve_one(self) -> None:
        client, _ = self.listener.accept()
        with client, socket.create_connection(self.upstream) as server:
            server.sendall(_read_message(client))
            self.answer = _read_message(server)  # the server answered; the client never hears it
            client.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        self.listener.close()
        self.thread.join(5)


def _read_message(sock: socket.socket) -> bytes:
    """One HTTP/1.1 message with a Content-Length body."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        (
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ),
        0,
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


@contextmanager
def swallowing(server: LiveServer) -> Iterator[SwallowingProxy]:
    proxy = SwallowingProxy(server.url)
    try:
        yield proxy
    finally:
        proxy.close()


def test_a_retry_after_a_lost_answer_gets_the_ticket_the_server_issued(
    admin: Api, server: LiveServer
) -> None:
    place = hall(admin, "A")
    key = admin.kiosk(place.id)["key"]
    path = f"/api/v1/offices/{place.id}/tickets"
    headers = {"X-Kiosk-Key": key, "Idempotency-Key": "tap-lost-answer"}
    body: dict[str, Any] = {"topic_id": place.topic_id("A")}
    with swallowing(server) as proxy, pytest.raises(httpx.TransportError):
        httpx.post(proxy.url + path, json=body, headers=headers, timeout=10)
    assert b" 201 " in proxy.answer.split(b"\r\n")[0], proxy.answer[:300]
    retried = httpx.post(server.url + path, json=body, headers=headers, timeout=10)
    assert retried.status_code == 200, retried.text
    assert retried.json()["number"] == "A001"
    rows = sql(
        server.settings.database_url, "SELECT number FROM tickets WHERE office_id = :o", o=place.id
    )
    assert [row[0] for row in rows] == ["A001"], "the visitor got two tickets"


def test_the_housekeeping_pass_drops_spent_counts_and_keys_and_keeps_live_ones(
    admin: Api, server: LiveServer, clock: FrozenClock
) -> None:
    place = hall(admin, "A")
    kiosk = admin.kiosk_client(place.id)
    path = f"/api/v1/offices/{place.id}/tickets"
    body = {"topic_id": place.topic_id("A")}
    kiosk.ok(kiosk.post(path, json=body, headers={"Idempotency-Key": "old-tap"}), 201)
    clock.advance(24 * 3600 + 60)
    kiosk.ok(kiosk.post(path, json=body, headers={"Idempotency-Key": "new-tap"}), 201)
    url = server.settings.database_url
    on_database(url, lambda database: housekeeping.pass_once(database, clock.now()))
    keys = sql(url, "SELECT key FROM idempotency_keys WHERE office_id = :o", o=place.id)
    assert [row[0] for row in keys] == ["new-tap"]
    assert len(sql(url, "SELECT count FROM kiosk_issues")) == 1  # only this minute's count
    again = kiosk.post(path, json=body, headers={"Idempotency-Key": "new-tap"})
    assert again.status_code == 200  # a live key still answers its ticket
