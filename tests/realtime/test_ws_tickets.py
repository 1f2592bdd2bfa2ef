"""Staff websockets open with the session cookie or a one-use ticket, never a token in the URL."""

from __future__ import annotations

from typing import Any

from queue_server.clock import FrozenClock
from tests.realtime.clients import listening
from tests.support import Api, LiveServer, running_server


def ticket_for(api: Api) -> dict[str, Any]:
    answer: dict[str, Any] = api.ok(api.post("/api/v1/auth/ws-ticket"))
    return answer


def refused_as_stranger(server_url: str, path: str) -> None:
    with listening(server_url, path) as channel:
        assert channel.next()["code"] == "not_authenticated"
        assert channel.close_code() == 4401


def test_a_ticket_opens_the_staff_channel_once_on_any_server_process(
    server: LiveServer, admin: Api, clock: FrozenClock
) -> None:
    office = admin.office()
    operator = admin.operator(office["id"])
    issued = ticket_for(operator)
    assert issued["expires_in"] == 30 and len(issued["ticket"]) >= 32
    path = f"/ws/offices/{office['id']}/staff?ticket={issued['ticket']}"
    # Asked of one process, used at another: tickets live in the shared database.
    with running_server(server.settings, clock) as other:
        with listening(other.url, path) as staff:
            assert staff.next()["type"] == "snapshot"
        refused_as_stranger(other.url, path)
    refused_as_stranger(server.url, path)


def test_a_ticket_expires_after_thirty_seconds(
    server: LiveServer, admin: Api, clock: FrozenClock
) -> None:
    office = admin.office()
    operator = admin.operator(office["id"])
    late, in_time = ticket_for(operator)["ticket"], ticket_for(operator)["ticket"]
    clock.advance(29)
    with listening(server.url, f"/ws/offices/{office['id']}/staff?ticket={in_time}") as staff:
        assert staff.next()["type"] == "snapshot"
    clock.advance(1)
    refused_as_stranger(server.url, f"/ws/offices/{office['id']}/staff?ticket={late}")


def test_a_login_token_in_the_url_is_refused(server: LiveServer, admin: Api) -> None:
    office = admin.office()
    operator = admin.operator(office["id"])
    token = str(operator.http.headers["authorization"]).split()[1]
    refused_as_stranger(server.url, f"/ws/offices/{office['id']}/staff?token={token}")


def test_a_ticket_ends_with_its_session(server: LiveServer, admin: Api) -> None:
    office = admin.office()
    operator = admin.operator(office["id"])
    ticket = ticket_for(operator)["ticket"]
    operator.ok(operator.post("/api/v1/auth/logout"), 204)
    refused_as_stranger(server.url, f"/ws/offices/{office['id']}/staff?ticket={ticket}")
