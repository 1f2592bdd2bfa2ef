"""The staff channel (signed in, same origin, own office) and a visitor's ticket channel."""

from __future__ import annotations

import httpx
import pytest
from websockets.exceptions import InvalidStatus

from tests.realtime.clients import listening
from tests.support import Api, LiveServer


def ticket_of(api: Api) -> str:
    """A one-use ticket for the staff channel, as an API client with a bearer token gets one."""
    return str(api.ok(api.post("/api/v1/auth/ws-ticket"))["ticket"])


def test_staff_channel_carries_the_full_picture_and_every_event(
    server: LiveServer, admin: Api
) -> None:
    office = admin.office()
    topic = admin.topic(office["id"], "A")
    window = admin.window(office["id"], 4)
    ticket = admin.issue(office["id"], topic["id"], priority=True)
    operator = admin.operator(office["id"])
    path = f"/ws/offices/{office['id']}/staff?ticket={ticket_of(operator)}"
    with listening(server.url, path) as staff:
        snapshot = staff.next()
        assert snapshot["type"] == "snapshot"
        assert [t["number"] for t in snapshot["tickets"]] == ["A001"]
        assert snapshot["tickets"][0]["priority"] is True
        assert [w["number"] for w in snapshot["windows"]] == [4]
        operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
        opened, called = staff.events(2)
        assert opened["type"] == "window.opened" and "user_id" in opened
        assert opened["window"] == {"id": window["id"], "number": 4, "name": window["name"]}
        assert called["type"] == "ticket.called"
        assert called["ticket"]["id"] == ticket["id"]
        assert called["ticket"]["operator_id"] == called["user_id"]
        assert called["seq"] == snapshot["seq"] + 2


def test_staff_channel_refuses_strangers(server: LiveServer, admin: Api) -> None:
    office, other = admin.office(), admin.office()
    operator = admin.operator(other["id"])
    with listening(server.url, f"/ws/offices/{office['id']}/staff") as anonymous:
        assert anonymous.next()["code"] == "not_authenticated"
        assert anonymous.close_code() == 4401
    path = f"/ws/offices/{office['id']}/staff?ticket={ticket_of(operator)}"
    with listening(server.url, path) as stranger:
        assert stranger.next()["code"] == "forbidden"
        assert stranger.close_code() == 4403
    # A page from another site may not ride on a signed-in browser: the handshake is refused.
    with (
        pytest.raises(InvalidStatus) as refused,
        listening(server.url, path, origin="http://evil.example"),
    ):
        pass
    assert refused.value.response.status_code == 403


def test_staff_channel_accepts_the_browser_session_cookie_from_the_same_origin(
    server: LiveServer, admin: Api
) -> None:
    office = admin.office()
    _user, login, password = admin.user("manager", office["id"])
    signed_in = httpx.post(
        f"{server.url}/api/v1/auth/session", data={"username": login, "password": password}
    )
    assert signed_in.status_code == 200, signed_in.text
    cookie = f"queue_session={signed_in.cookies['queue_session']}"
    host = server.url.removeprefix("http://")
    headers = {"Cookie": cookie}
    path = f"/ws/offices/{office['id']}/staff"
    with listening(server.url, path, origin=f"http://{host}", additional_headers=headers) as staff:
        assert staff.next()["type"] == "snapshot"


def test_the_ticket_channel_follows_position_call_and_rating(
    server: LiveServer, admin: Api
) -> None:
    office = admin.office()
    topic = admin.topic(office["id"], "A")
    window = admin.window(office["id"], 2)
    first = admin.issue(office["id"], topic["id"])
    mine = admin.issue(office["id"], topic["id"])
    operator = admin.operator(office["id"])
    with listening(server.url, f"/ws/tickets/{mine['code']}") as phone:
        status = phone.next()
        assert status["type"] == "status"
        assert (status["number"], status["status"], status["position"]) == ("A002", "waiting", 1)
        operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
        assert phone.next()["position"] == 0
        for action in ("start", "finish"):
            operator.ok(operator.post(f"/api/v1/tickets/{first['id']}/{action}"))
        operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
        called = phone.until(lambda message: message["status"] == "called")
        assert called["window"]["number"] == 2
        for action in ("start", "finish"):
            operator.ok(operator.post(f"/api/v1/tickets/{mine['id']}/{action}"))
        assert phone.until(lambda message: message["status"] == "done")["rating"] is None
        rated = admin.post(f"/api/v1/tickets/{mine['code']}/feedback", json={"rating": 5})
        assert rated.status_code == 200
        assert phone.next()["rating"] == 5


def test_an_unknown_ticket_code_is_refused(server: LiveServer) -> None:
    with listening(server.url, "/ws/tickets/nothing-here") as phone:
        assert phone.next()["code"] == "ticket_not_found"
        assert phone.close_code() == 4404
