"""Authentication and authorisation: tokens, throttling, roles, offices, cookie sessions with CSRF."""

from __future__ import annotations

from typing import Any

import httpx

from queue_server.clock import FrozenClock
from tests.api.contract import act, call_next, error, hall, sql
from tests.support import Api, LiveServer, running_server


def token(base_url: str, login: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{base_url}/api/v1/auth/token", data={"username": login, "password": password}, timeout=30
    )


def test_tokens_roles_bad_credentials_and_stored_hashes(server: LiveServer, admin: Api) -> None:
    office = admin.office()
    for role in ("operator", "manager", "admin"):
        _user, login, password = admin.user(role, office["id"])
        response = token(server.url, login, password)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["token_type"] == "bearer"
        assert body["role"] == role
        assert len(body["access_token"]) >= 32
        me = httpx.get(
            f"{server.url}/api/v1/auth/me",
            headers={"Authorization": f"Bearer {body['access_token']}"},
            timeout=30,
        )
        assert me.json()["role"] == role
    error(token(server.url, login, "wrong-password"), 401, "invalid_credentials")
    error(token(server.url, "nobody-by-this-name", "whatever-1"), 401, "invalid_credentials")
    missing = httpx.post(f"{server.url}/api/v1/auth/token", data={"username": login}, timeout=30)
    error(missing, 422, "validation_error")
    # Passwords are stored as argon2id hashes, tokens only as keyed hashes.
    access_token = body["access_token"]
    [(stored,)] = sql(
        server.settings.database_url, "SELECT password_hash FROM users WHERE login = :l", l=login
    )
    assert stored.startswith("$argon2id$")
    assert password not in stored
    hashes = [
        row[0] for row in sql(server.settings.database_url, "SELECT token_hash FROM auth_sessions")
    ]
    assert access_token not in hashes


def test_login_throttling_holds_across_two_server_processes(
    server: LiveServer, admin: Api, clock: FrozenClock
) -> None:
    office = admin.office()
    _victim, login, password = admin.user("operator", office["id"])
    _other, other_login, other_password = admin.user("operator", office["id"])
    assert server.settings.login_max_failures == 5
    with running_server(server.settings, clock) as second:
        for base in (server.url, second.url, server.url, second.url, server.url):
            error(token(base, login, "not-the-password"), 401, "invalid_credentials")
        # The sixth attempt is refused on either server, even with the right password.
        for base in (second.url, server.url):
            detail = error(token(base, login, password), 429, "too_many_attempts")
            assert "15" in detail  # says how long to wait (in Russian by default)
        # Throttling is per login: a colleague still signs in from the same address.
        assert token(second.url, other_login, other_password).status_code == 200
    clock.advance(16 * 60)
    assert token(server.url, login, password).status_code == 200
    # One client trying many logins is throttled too (20 failures by default).
    for attempt in range(server.settings.login_max_failures_per_client):
        error(token(server.url, f"guess{attempt}", "password1"), 401, "invalid_credentials")
    error(token(server.url, other_login, other_password), 429, "too_many_attempts")


def _routes(ids: dict[str, Any]) -> dict[str, list[tuple[str, str, Any]]]:
    """The contract's routes that need a login, by the least role that may use them."""
    office, topic, window, ticket = ids["office"], ids["topic"], ids["window"], ids["ticket"]
    return {
        "admin": [
            ("POST", "/api/v1/offices", {"name": "X", "timezone": "Europe/Moscow", "hours": None}),
            ("POST", f"/api/v1/offices/{office}/topics", {"name": {"ru": "Т"}, "prefix": "Z"}),
            ("POST", f"/api/v1/offices/{office}/windows", {"number": 77}),
            ("POST", "/api/v1/users", {"login": "x1", "password": "long-enough", "role": "admin"}),
            ("POST", f"/api/v1/offices/{office}/kiosks", {"name": "K", "printer": None}),
        ],
        "manager": [
            ("GET", f"/api/v1/offices/{office}/stats/live", None),
            (
                "GET",
                f"/api/v1/offices/{office}/reports/tickets.csv"
                "?date_from=2026-11-01&date_to=2026-11-30",
                None,
            ),
        ],
        "operator": [
            ("GET", f"/api/v1/offices/{office}/windows", None),
            ("POST", f"/api/v1/windows/{window}/call-next", None),
            ("POST", f"/api/v1/windows/{window}/call/{ticket}", None),
            *[
                ("POST", f"/api/v1/tickets/{ticket}/{action}", None)
                for action in ("recall", "start", "finish", "no-show", "return")
            ],
            ("POST", f"/api/v1/tickets/{ticket}/transfer", {"topic_id": topic}),
            ("POST", "/api/v1/operators/me/pause", {"reason": "lunch"}),
            ("POST", "/api/v1/operators/me/resume", None),
        ],
    }


def _send(client: Api | httpx.Client, method: str, path: str, body: Any) -> httpx.Response:
    return (
        client.http.request(method, path, json=body)
        if isinstance(client, Api)
        else (client.request(method, path, json=body))
    )


def test_missing_auth_is_401_and_insufficient_role_is_403_everywhere(
    server: LiveServer, admin: Api
) -> None:
    place = hall(admin, "A")
    ticket = place.issue()
    ids = {
        "office": place.id,
        "topic": place.topic_id("A"),
        "window": place.window_id(),
        "ticket": ticket["id"],
    }
    routes = _routes(ids)
    operator, manager = place.operator(), admin.operator(place.id, role="manager")
    anonymous = httpx.Client(base_url=server.url, timeout=30)
    forged = httpx.Client(
        base_url=server.url, headers={"Authorization": "Bearer forged-token"}, timeout=30
    )
    for method, path, body in [route for group in routes.values() for route in group]:
        for client in (anonymous, forged):
            error(_send(client, method, path, body), 401, "not_authenticated")
    for method, path, body in routes["admin"] + routes["manager"]:
        error(_send(operator, method, path, body), 403, "forbidden")
    for method, path, body in routes["admin"]:
        error(_send(manager, method, path, body), 403, "forbidden")
    anonymous.close()
    forged.close()
    # Nothing the refused requests asked for exists.
    assert len(admin.ok(admin.get("/api/v1/offices"))) == 1
    assert [w["number"] for w in admin.ok(admin.get(f"/api/v1/offices/{place.id}/windows"))] == [1]
    assert place.status(ticket)["status"] == "waiting"


def test_an_operator_cannot_act_in_another_office(server: LiveServer, admin: Api) -> None:
    here, there = hall(admin, "A"), hall(admin, "A")
    local = here.operator()
    colleague_there, manager_here = there.operator(), admin.operator(here.id, role="manager")
    held, waiting = there.issue(), there.issue()
    admin.ok(call_next(colleague_there, there.window_id()))
    error(local.get(f"/api/v1/offices/{there.id}/windows"), 403, "forbidden")
    error(call_next(local, there.window_id()), 403, "forbidden")
    error(local.post(f"/api/v1/windows/{there.window_id()}/call/{waiting['id']}"), 403, "forbidden")
    for ticket in (held, waiting):
        for action in ("recall", "start", "finish", "no-show", "return"):
            error(act(local, ticket["id"], action), 403, "forbidden")
        error(act(local, ticket["id"], "transfer", topic_id=there.topic_id("A")), 403, "forbidden")
    error(manager_here.get(f"/api/v1/offices/{there.id}/stats/live"), 403, "forbidden")
    report = (
        f"/api/v1/offices/{there.id}/reports/tickets.csv?date_from=2026-11-23&date_to=2026-11-23"
    )
    error(manager_here.get(report), 403, "forbidden")
    # A colleague in the same office cannot take over a ticket someone else holds.
    error(act(there.operator(), held["id"], "start"), 403, "forbidden")
    assert there.status(held)["status"] == "called"
    assert there.status(held)["window"]["number"] == 1
    assert there.status(waiting)["status"] == "waiting"
    assert here.admin.ok(local.get(f"/api/v1/offices/{here.id}/windows"))[0]["number"] == 1


def test_an_operator_without_an_office_serves_nowhere_and_a_regional_manager_sees_all(
    server: LiveServer, admin: Api
) -> None:
    place = hall(admin, "A")
    waiting = place.issue()
    _user, login, password = admin.user("operator")
    homeless = admin.as_user(login, password)
    refused = error(call_next(homeless, place.window_id()), 403, "forbidden")
    assert "not assigned to an office" in refused
    error(homeless.get(f"/api/v1/offices/{place.id}/windows"), 403, "forbidden")
    error(act(homeless, waiting["id"], "recall"), 403, "forbidden")
    assert place.status(waiting)["status"] == "waiting"
    _user, login, password = admin.user("manager")
    regional = admin.as_user(login, password)
    assert regional.ok(regional.get(f"/api/v1/offices/{place.id}/stats/live"))["topics"]
    homeless.close()
    regional.close()


def _session(server: LiveServer, login: str, password: str) -> tuple[str, str, str]:
    response = httpx.post(
        f"{server.url}/api/v1/auth/session",
        data={"username": login, "password": password},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return (
        response.headers["set-cookie"],
        response.cookies["queue_session"],
        response.json()["csrf_token"],
    )


def test_cookie_session_needs_the_csrf_header_for_changes(server: LiveServer, admin: Api) -> None:
    place = hall(admin, "A")
    ticket = place.issue()
    _user, login, password = admin.user("operator", place.id)
    set_cookie, cookie, csrf = _session(server, login, password)
    attributes = [part.strip().lower() for part in set_cookie.split(";")]
    assert "httponly" in attributes
    assert any(part.startswith("samesite=") and part != "samesite=none" for part in attributes)
    browser = httpx.Client(
        base_url=server.url, headers={"Cookie": f"queue_session={cookie}"}, timeout=30
    )
    assert browser.get("/api/v1/auth/me").json()["login"] == login  # reads need no CSRF token
    path = f"/api/v1/windows/{place.window_id()}/call-next"
    error(browser.post(path), 403, "csrf_failed")
    error(browser.post(path, headers={"X-CSRF-Token": "guessed"}), 403, "csrf_failed")
    error(browser.post("/api/v1/operators/me/pause", json={"reason": "lunch"}), 403, "csrf_failed")
    assert place.status(ticket)["status"] == "waiting"
    windows = admin.ok(admin.get(f"/api/v1/offices/{place.id}/windows"))
    assert windows[0]["operator_id"] is None
    called = browser.post(path, headers={"X-CSRF-Token": csrf})
    assert called.status_code == 200, called.text
    assert called.json()["id"] == ticket["id"]
    browser.close()
