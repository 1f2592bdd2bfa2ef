"""Malformed input of every kind is a 4xx with {detail, code}, never a 5xx, and changes nothing."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.contract import Hall, call_next, client_error, error, hall
from tests.support import Api, LiveServer

HUGE = 10**30


def state(place: Hall) -> Any:
    """Everything a refused request could have touched, as clients see it."""
    admin = place.admin
    return (
        admin.ok(admin.get("/api/v1/offices")),
        admin.ok(admin.get(f"/api/v1/offices/{place.id}/topics")),
        admin.ok(admin.get(f"/api/v1/offices/{place.id}/windows")),
        admin.ok(admin.get(f"/api/v1/offices/{place.id}/kiosks")),
        [
            row["waiting"]
            for row in admin.ok(admin.get(f"/api/v1/offices/{place.id}/stats/live"))["topics"]
        ],
    )


def test_unknown_routes_and_methods(anonymous: Api) -> None:
    error(anonymous.get("/api/v1/no-such-thing"), 404, "not_found")
    error(anonymous.get("/api/v1/offices/1/nothing-here"), 404, "not_found")
    error(anonymous.post("/api/v1/tickets/whatever/rating-of-the-moon"), 404, "not_found")
    client_error(anonymous.http.delete("/api/v1/offices"))
    assert anonymous.http.delete("/api/v1/offices").status_code == 405


def test_options_and_method_not_allowed_name_every_method_of_the_path(anonymous: Api) -> None:
    allowed = {
        "/api/v1/offices": "GET, OPTIONS, POST",
        "/api/v1/offices/1/topics": "GET, OPTIONS, POST",  # GET and POST in separate routers
        "/api/v1/tickets/1/start": "OPTIONS, POST",
        "/api/v1/offices/1/reports": "GET, OPTIONS",
    }
    for path, methods in allowed.items():
        options = anonymous.http.options(path)
        assert (options.status_code, options.headers.get("allow")) == (204, methods), path
        for method in ("PUT", "DELETE", "PATCH"):
            refused = anonymous.http.request(method, path)
            error(refused, 405, "method_not_allowed")
            assert refused.headers.get("allow") == methods, (method, path)
    error(anonymous.http.options("/api/v1/no-such-thing"), 404, "not_found")


def test_malformed_bodies_are_refused_without_changes(admin: Api, server: LiveServer) -> None:
    place = hall(admin, "A")
    operator = place.operator()
    before = state(place)
    topic = place.topic_id("A")
    tickets = f"/api/v1/offices/{place.id}/tickets"
    raw_bodies = [
        b'{"topic_id": ',
        b"not json at all",
        b"null",
        b"[]",
        b'"text"',
        b'{"topic_id": "\xff\xfe"}',
        b"\xff\xfe\x00\x00",
        b'{"topic_id": 1' + b"0" * 5000 + b"}",
        b'{"topic_id": NaN}',
        b'{"topic_id": Infinity}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"topic_id": %d, "topic_id": "x"}' % topic,
    ]
    for raw in raw_bodies:
        response = admin.post(tickets, content=raw, headers={"Content-Type": "application/json"})
        client_error(response)
    client_error(admin.post(tickets, data={"topic_id": str(topic)}))
    client_error(admin.post(tickets, content=b"topic_id=1", headers={"Content-Type": "text/plain"}))
    wrong = [
        {"topic_id": HUGE},
        {"topic_id": -HUGE},
        {"topic_id": -1},
        {"topic_id": 0},
        {"topic_id": 1.5},
        {"topic_id": "abc"},
        {"topic_id": [topic]},
        {"topic_id": {"id": topic}},
        {"topic_id": topic, "customer_type": "individual\x00"},
        {"topic_id": topic, "kiosk_id": HUGE},
        # Wrong JSON types are refused, not coerced: true is no id, "yes" no switch.
        {"topic_id": True},
        {"topic_id": str(topic)},
        {"topic_id": topic, "priority": "yes"},
        {"topic_id": topic, "priority": 1},
    ]
    for body in wrong:
        error(admin.post(tickets, json=body), 422, "validation_error")
    admin_bodies: list[tuple[str, dict[str, Any]]] = [
        ("/api/v1/offices", {"name": "A\x00B", "timezone": "Europe/Moscow", "hours": None}),
        ("/api/v1/offices", {"name": "X", "timezone": "Europe/Moscow\x00", "hours": None}),
        ("/api/v1/offices", {"name": "X", "hours": {"mon": [["08:00\x00", "19:00"]]}}),
        ("/api/v1/offices", {"name": "X", "max_priority_in_row": HUGE}),
        ("/api/v1/offices", {"name": "X", "timezone": "UTC", "hours": None, "recall_limit": "2"}),
        ("/api/v1/offices", {"name": "X", "timezone": "UTC", "hours": None, "auto_no_show": 1}),
        ("/api/v1/offices", {"name": "X", "recall_timeout_seconds": -5}),
        ("/api/v1/offices", {"name": "x" * 10_000}),
        (f"/api/v1/offices/{place.id}/topics", {"name": {"ru": "Т\x00"}, "prefix": "B"}),
        (
            f"/api/v1/offices/{place.id}/topics",
            {"name": {"ru": "Т"}, "prefix": "B", "parent_id": HUGE},
        ),
        (
            f"/api/v1/offices/{place.id}/topics",
            {"name": {"ru": "Т"}, "prefix": "B", "target_wait_seconds": {"peak": HUGE}},
        ),
        (f"/api/v1/offices/{place.id}/topics", {"name": "Т", "prefix": "B"}),
        (f"/api/v1/offices/{place.id}/windows", {"number": HUGE}),
        (f"/api/v1/offices/{place.id}/windows", {"number": -3}),
        (f"/api/v1/offices/{place.id}/windows", {"number": 2, "name": "\x00"}),
        (f"/api/v1/offices/{place.id}/kiosks", {"name": "K\x00"}),
        (f"/api/v1/offices/{place.id}/kiosks", {"name": "K", "printer": "tcp://h:9100\x00"}),
        ("/api/v1/users", {"login": "a\x00b", "password": "long-enough", "role": "operator"}),
        ("/api/v1/users", {"login": "ab", "password": "long\x00enough", "role": "operator"}),
        (
            "/api/v1/users",
            {"login": "ab", "password": "long-enough", "role": "operator", "office_id": HUGE},
        ),
        (
            "/api/v1/users",
            {
                "login": "ab",
                "password": "long-enough",
                "role": "operator",
                "office_id": place.id,
                "skills": [{"topic_id": topic, "priority": HUGE}],
            },
        ),
    ]
    for path, body in admin_bodies:
        error(admin.post(path, json=body), 422, "validation_error")
    for raw in (b'{"number": ', b'{"number": 1' + b"0" * 5000 + b"}"):
        client_error(
            admin.post(
                f"/api/v1/offices/{place.id}/windows",
                content=raw,
                headers={"Content-Type": "application/json"},
            )
        )
    transfer = f"/api/v1/tickets/{place.issue()['id']}/transfer"
    for body in ({"topic_id": HUGE}, {"topic_id": "x"}, {"topic_id": topic, "note": "\x00"}):
        client_error(operator.post(transfer, json=body))
    after = state(place)
    assert after[1][0]["waiting"] == 1
    assert (after[0], after[2], after[3]) == (before[0], before[2], before[3])
    assert place.issue()["number"] == "A002"  # no number was used up by the refusals


def test_bad_path_and_query_values(admin: Api, server: LiveServer) -> None:
    place = hall(admin, "A")
    operator = place.operator()
    ticket = place.issue()
    before = state(place)
    for bad in (str(HUGE), "-1", "1.5", "%00", "１"):
        for path in (
            f"/api/v1/offices/{bad}/topics",
            f"/api/v1/offices/{bad}/windows",
            f"/api/v1/offices/{bad}/stats/live",
            f"/api/v1/offices/{bad}/reports/tickets.csv?date_from=2026-11-23&date_to=2026-11-23",
        ):
            client_error(admin.get(path))
        for path in (
            f"/api/v1/offices/{bad}/tickets",
            f"/api/v1/offices/{bad}/windows",
            f"/api/v1/windows/{bad}/call-next",
            f"/api/v1/windows/{place.window_id()}/call/{bad}",
            f"/api/v1/windows/{bad}/call/{ticket['id']}",
            f"/api/v1/tickets/{bad}/start",
            f"/api/v1/tickets/{bad}/transfer",
        ):
            client_error(operator.post(path, json={"topic_id": place.topic_id("A"), "number": 5}))
    for query in ("lang=de", "lang=", "lang=ru%00", f"lang={HUGE}"):
        client_error(admin.get(f"/api/v1/offices/{place.id}/topics?{query}"))
    assert state(place) == before
    assert place.status(ticket)["status"] == "waiting"
    assert operator.ok(call_next(operator, place.window_id()))["id"] == ticket["id"]


def test_bad_credentials_input(server: LiveServer, admin: Api) -> None:
    token = f"{server.url}/api/v1/auth/token"
    for data in (
        {"username": "root\x00", "password": "x"},
        {"username": "root-admin", "password": "p\x00"},
        {"username": "x" * 10_000, "password": "p"},
        {"username": "", "password": ""},
        {},
    ):
        client_error(httpx.post(token, data=data, timeout=30))
    client_error(httpx.post(token, json={"username": "root-admin", "password": "x"}, timeout=30))
    for header in ("Bearer " + "x" * 10_000, "Bearer", "Basic cm9vdDpyb290", "Bearer  x", "bearer"):
        response = httpx.get(
            f"{server.url}/api/v1/offices/1/windows", headers={"Authorization": header}, timeout=30
        )
        error(response, 401, "not_authenticated")
    cookie = httpx.get(
        f"{server.url}/api/v1/auth/me",
        headers={"Cookie": "queue_session=" + "y" * 5000},
        timeout=30,
    )
    error(cookie, 401, "not_authenticated")
