"""Users after they are created: listing, editing, retiring, passwords (SQLite and PostgreSQL).

What an administrator, a manager and the user themselves see through the API; deactivation is
also followed across two real server processes on one database.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.api.contract import act, call_next, error, hall, sql
from tests.api.test_login_cache import ABOUT_A_SECOND, me, seconds_until_refused
from tests.concurrency import server_process
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, Api, LiveServer, login_token

NEW_PASSWORD = "seven-blue-herons-fly"


def patch(api: Api, user_id: int, **body: Any) -> httpx.Response:
    return api.http.patch(f"/api/v1/users/{user_id}", json=body)


def users(api: Api, **query: Any) -> list[dict[str, Any]]:
    return api.ok(api.get("/api/v1/users", params=query))  # type: ignore[no-any-return]


def sign_in(url: str, login: str, password: str) -> httpx.Response:
    data = {"username": login, "password": password}
    return httpx.post(f"{url}/api/v1/auth/token", data=data, timeout=30)


def change_own(api: Api, current: str, new: str) -> httpx.Response:
    body = {"current_password": current, "new_password": new}
    return api.post("/api/v1/auth/password", json=body)


def audit_of(admin: Api, office_id: int, user_id: int) -> list[dict[str, Any]]:
    entries = admin.ok(admin.get(f"/api/v1/offices/{office_id}/audit"))
    return [e for e in entries if e["object"] == {"type": "user", "id": user_id}]


def test_an_admin_lists_every_user_with_skills_and_retired_ones(admin: Api) -> None:
    office, other = hall(admin, "AB"), admin.office()
    skills = [{"topic_id": office.topic_id("B"), "priority": 2}]
    operator, _login, _password = admin.user("operator", office.id, skills)
    elsewhere, _login, _password = admin.user("manager", other["id"])
    admin.ok(patch(admin, elsewhere["id"], active=False))
    everyone = {u["id"]: u for u in users(admin)}
    assert everyone[operator["id"]] == {
        "id": operator["id"],
        "login": operator["login"],
        "role": "operator",
        "office_id": office.id,
        "display_name": operator["login"],
        "active": True,
        "skills": skills,
    }
    assert everyone[elsewhere["id"]]["active"] is False
    assert any(u["login"] == ADMIN_LOGIN for u in everyone.values())
    assert [u["id"] for u in users(admin, office_id=office.id)] == [operator["id"]]
    error(admin.get("/api/v1/users", params={"office_id": 999_999}), 404, "office_not_found")


def test_a_manager_lists_only_their_own_offices_users(admin: Api) -> None:
    office, other = admin.office(), admin.office()
    operator, _login, _password = admin.user("operator", office["id"])
    admin.user("operator", other["id"])
    manager = admin.operator(office["id"], role="manager")
    listed = users(manager)
    assert {u["office_id"] for u in listed} == {office["id"]}
    assert operator["id"] in {u["id"] for u in listed}
    assert users(manager, office_id=office["id"]) == listed
    error(manager.get("/api/v1/users", params={"office_id": other["id"]}), 403, "forbidden")
    error(manager.get("/api/v1/users", params={"office_id": 999_999}), 404, "office_not_found")
    operator_api = admin.operator(office["id"])
    error(operator_api.get("/api/v1/users"), 403, "forbidden")


def test_an_admin_changes_role_office_display_name_and_skills(admin: Api) -> None:
    first, second = hall(admin, "A"), hall(admin, "B")
    skills = [{"topic_id": first.topic_id("A"), "priority": 1}]
    user, _login, _password = admin.user("operator", first.id, skills)
    renamed = admin.ok(patch(admin, user["id"], display_name="Иванова И. И.", role="manager"))
    assert renamed == {**user, "display_name": "Иванова И. И.", "role": "manager", "active": True}
    # A move drops the old office's skills: with none, they serve every topic of the new one.
    moved = admin.ok(patch(admin, user["id"], office_id=second.id))
    assert (moved["office_id"], moved["skills"]) == (second.id, [])
    new_skills = [{"topic_id": second.topic_id("B"), "priority": 3}]
    assert admin.ok(patch(admin, user["id"], skills=new_skills))["skills"] == new_skills
    assert admin.ok(patch(admin, user["id"], display_name=""))["display_name"] == user["login"]
    [listed] = [u for u in users(admin) if u["id"] == user["id"]]
    assert listed == admin.ok(patch(admin, user["id"]))
    changes = [e["changes"] for e in reversed(audit_of(admin, first.id, user["id"]))]
    assert {"display_name": [user["login"], "Иванова И. И."], "role": ["operator", "manager"]} in (
        changes
    )
    assert {"office_id": [first.id, second.id], "skills": [skills, []]} in changes
    joined = audit_of(admin, second.id, user["id"])
    assert joined[-1]["user"]["login"] == ADMIN_LOGIN
    assert {"skills": [[], new_skills]} in [e["changes"] for e in joined]


def test_a_manager_edits_only_operators_of_their_own_office(admin: Api) -> None:
    office, other = hall(admin, "AB"), admin.office()
    operator, _login, _password = admin.user("operator", office.id)
    foreign, _login, _password = admin.user("operator", other["id"])
    colleague, _login, _password = admin.user("manager", office.id)
    manager = admin.operator(office.id, role="manager")
    skills = [{"topic_id": office.topic_id("B"), "priority": 1}]
    edited = manager.ok(patch(manager, operator["id"], display_name="Петров", skills=skills))
    assert (edited["display_name"], edited["skills"]) == ("Петров", skills)
    assert manager.ok(patch(manager, operator["id"], role="operator"))["role"] == "operator"
    refused = [
        (operator["id"], {"role": "manager"}),
        (operator["id"], {"office_id": other["id"]}),
        (foreign["id"], {"display_name": "Чужой"}),
        (colleague["id"], {"display_name": "Коллега"}),
        (1, {"active": False}),
    ]
    for user_id, body in refused:
        assert "ask" in error(patch(manager, user_id, **body), 403, "forbidden")
    error(patch(manager, 999_999, display_name="Никто"), 404, "user_not_found")
    error(patch(admin.operator(office.id), operator["id"], active=False), 403, "forbidden")
    assert manager.ok(patch(manager, operator["id"], active=False))["active"] is False
    [listed] = [u for u in users(admin) if u["id"] == operator["id"]]
    assert (listed["role"], listed["office_id"], listed["active"]) == ("operator", office.id, False)


def test_skills_must_be_topics_of_the_users_office(admin: Api) -> None:
    office, other = hall(admin, "A"), hall(admin, "A")
    user, _login, _password = admin.user("operator", office.id)
    foreign = [{"topic_id": other.topic_id("A"), "priority": 1}]
    detail = error(patch(admin, user["id"], skills=foreign), 422, "validation_error")
    assert str(other.topic_id("A")) in detail
    unknown = [{"topic_id": 999_999, "priority": 1}]
    error(patch(admin, user["id"], skills=unknown), 422, "validation_error")
    mine = [{"topic_id": office.topic_id("A"), "priority": 1}]
    error(patch(admin, user["id"], office_id=None, skills=mine), 422, "validation_error")
    error(patch(admin, user["id"], office_id=999_999), 404, "office_not_found")
    error(patch(admin, user["id"], role=None), 422, "validation_error")
    error(patch(admin, user["id"], password=NEW_PASSWORD), 422, "validation_error")
    error(patch(admin, 999_999, skills=foreign), 404, "user_not_found")
    assert admin.ok(patch(admin, user["id"])) == {**user, "active": True}


def test_the_last_active_admin_cannot_retire_or_demote_themselves(admin: Api) -> None:
    for body in ({"active": False}, {"role": "manager"}):
        detail = error(patch(admin, 1, **body), 409, "last_admin")
        assert "make another user an administrator first" in detail
    second, login, password = admin.user("admin")
    other_admin = admin.as_user(login, password)
    assert admin.ok(patch(admin, 1, role="manager"))["role"] == "manager"
    error(patch(other_admin, second["id"], active=False), 409, "last_admin")
    assert other_admin.ok(patch(other_admin, 1, role="admin"))["role"] == "admin"
    assert other_admin.ok(patch(other_admin, second["id"], active=False))["active"] is False


def at_once(*requests: Callable[[], httpx.Response]) -> list[int]:
    """Send the requests from threads released together; their status codes, in order."""
    barrier = threading.Barrier(len(requests))

    def send(request: Callable[[], httpx.Response]) -> int:
        barrier.wait()
        return request().status_code

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, requests))


def test_two_last_admins_retiring_each_other_at_once_leave_one(admin: Api) -> None:
    first, first_id = admin, 1
    for _round in range(3):
        created, login, password = first.user("admin")
        second, second_id = first.as_user(login, password), created["id"]
        answers = at_once(
            partial(patch, first, second_id, active=False),
            partial(patch, second, first_id, active=False),
        )
        assert sorted(answers) in ([200, 401], [200, 409]), answers
        if answers[1] == 200:
            first, first_id = second, second_id
        admins = [u for u in users(first) if u["role"] == "admin" and u["active"]]
        assert [u["id"] for u in admins] == [first_id]


def test_an_operator_holding_a_ticket_cannot_be_deactivated_or_moved(admin: Api) -> None:
    office, other = hall(admin, "A"), admin.office()
    user, login, password = admin.user("operator", office.id)
    operator = admin.as_user(login, password)
    office.issue("A")
    ticket = operator.ok(call_next(operator, office.window_id()))
    for body in ({"active": False}, {"office_id": other["id"]}):
        detail = error(patch(admin, user["id"], **body), 409, "operator_busy")
        assert ticket["number"] in detail
    operator.ok(act(operator, ticket["id"], "start"))
    error(patch(admin, user["id"], active=False), 409, "operator_busy")
    operator.ok(act(operator, ticket["id"], "finish"))
    assert admin.ok(patch(admin, user["id"], active=False))["active"] is False


def test_deactivating_ends_sessions_frees_the_window_and_refuses_sign_in(
    server: LiveServer, admin: Api
) -> None:
    office = hall(admin, "A")
    user, login, password = admin.user("operator", office.id)
    operator = admin.as_user(login, password)
    assert call_next(operator, office.window_id()).status_code == 204  # takes the window
    admin.ok(patch(admin, user["id"], active=False))
    error(operator.get("/api/v1/auth/me"), 401, "not_authenticated")
    error(call_next(operator, office.window_id()), 401, "not_authenticated")
    windows = admin.ok(admin.get(f"/api/v1/offices/{office.id}/windows"))
    assert windows[0]["operator_id"] is None
    refused = error(sign_in(server.url, login, password), 401, "invalid_credentials")
    assert refused == error(
        sign_in(server.url, login, "not-the-password"), 401, "invalid_credentials"
    )
    [entry] = [e for e in audit_of(admin, office.id, user["id"]) if e["action"] == "retired"]
    assert entry["changes"] == {"active": [True, False]}


def test_a_reactivated_user_signs_in_afresh_and_old_tokens_stay_ended(
    server: LiveServer, admin: Api
) -> None:
    office = admin.office()
    user, login, password = admin.user("operator", office["id"])
    old = admin.as_user(login, password)
    admin.ok(patch(admin, user["id"], active=False))
    assert admin.ok(patch(admin, user["id"], active=True))["active"] is True
    error(old.get("/api/v1/auth/me"), 401, "not_authenticated")
    fresh = admin.as_user(login, password)
    assert fresh.ok(fresh.get("/api/v1/auth/me"))["login"] == login


def test_new_skills_change_what_the_operator_is_offered(admin: Api) -> None:
    office = hall(admin, "AB")
    skills = [{"topic_id": office.topic_id("A"), "priority": 1}]
    user, login, password = admin.user("operator", office.id, skills)
    operator = admin.as_user(login, password)
    office.issue("A")
    wanted = office.issue("B")
    assert operator.ok(operator.get("/api/v1/operators/me"))["topic_ids"] == [office.topic_id("A")]
    skills = [{"topic_id": office.topic_id("B"), "priority": 1}]
    admin.ok(patch(admin, user["id"], skills=skills))
    assert operator.ok(operator.get("/api/v1/operators/me"))["topic_ids"] == [office.topic_id("B")]
    assert operator.ok(call_next(operator, office.window_id()))["number"] == wanted["number"]


@pytest.mark.slow
def test_deactivation_reaches_another_server_process(database_url: str, tmp_path: Path) -> None:
    """Two `queue-server serve` processes on one database, as two workers are."""
    first = server_process.start(database_url, tmp_path / "first.log", workers=1)
    try:
        second = server_process.start(database_url, tmp_path / "second.log", workers=1)
        try:
            admin = Api(first.url, login_token(first.url, ADMIN_LOGIN, ADMIN_PASSWORD))
            office = admin.office()
            user, login, password = admin.user("operator", office["id"])
            token = login_token(second.url, login, password)
            for _ in range(3):
                assert me(second.url, token).status_code == 200
            admin.ok(patch(admin, user["id"], active=False))
            error(me(first.url, token), 401, "not_authenticated")
            assert seconds_until_refused(second.url, token, ABOUT_A_SECOND) < ABOUT_A_SECOND
            error(sign_in(second.url, login, password), 401, "invalid_credentials")
            admin.close()
        finally:
            second.stop()
    finally:
        first.stop()


def test_an_admin_resets_a_password_ending_every_session(server: LiveServer, admin: Api) -> None:
    office = admin.office()
    user, login, password = admin.user("operator", office["id"])
    sessions = [admin.as_user(login, password) for _ in range(2)]
    path = f"/api/v1/users/{user['id']}/password"
    assert admin.post(path, json={"password": NEW_PASSWORD}).status_code == 204
    for session in sessions:
        error(session.get("/api/v1/auth/me"), 401, "not_authenticated")
    error(sign_in(server.url, login, password), 401, "invalid_credentials")
    fresh = admin.as_user(login, NEW_PASSWORD)
    assert fresh.ok(fresh.get("/api/v1/auth/me"))["login"] == login
    unknown = admin.post("/api/v1/users/999999/password", json={"password": NEW_PASSWORD})
    error(unknown, 404, "user_not_found")
    manager = admin.operator(office["id"], role="manager")
    error(manager.post(path, json={"password": NEW_PASSWORD}), 403, "forbidden")


def test_a_user_changes_their_own_password_and_only_their_other_sessions_end(
    server: LiveServer, admin: Api
) -> None:
    office = admin.office()
    _user, login, password = admin.user("operator", office["id"])
    this, other = admin.as_user(login, password), admin.as_user(login, password)
    assert change_own(this, password, NEW_PASSWORD).status_code == 204
    assert this.ok(this.get("/api/v1/auth/me"))["login"] == login
    error(other.get("/api/v1/auth/me"), 401, "not_authenticated")
    error(sign_in(server.url, login, password), 401, "invalid_credentials")
    assert sign_in(server.url, login, NEW_PASSWORD).status_code == 200
    error(change_own(Api(server.url), NEW_PASSWORD, password + "-2"), 401, "not_authenticated")


def test_a_wrong_current_password_is_refused_and_throttled_like_sign_ins(
    server: LiveServer, admin: Api
) -> None:
    office = admin.office()
    _user, login, password = admin.user("operator", office["id"])
    operator = admin.as_user(login, password)
    for _ in range(server.settings.login_max_failures):
        detail = error(change_own(operator, "not-my-password", NEW_PASSWORD), 403, "wrong_password")
        assert "current password" in detail
    error(change_own(operator, password, NEW_PASSWORD), 429, "too_many_attempts")
    assert operator.ok(operator.get("/api/v1/auth/me"))["login"] == login  # still signed in
    # The counters are the sign-ins': signing in from here waits as well.
    error(sign_in(server.url, login, password), 429, "too_many_attempts")
    server.clock.advance(server.settings.login_throttle_window_seconds)
    error(sign_in(server.url, login, NEW_PASSWORD), 401, "invalid_credentials")
    assert sign_in(server.url, login, password).status_code == 200


def test_weak_passwords_are_refused_and_nothing_changes(server: LiveServer, admin: Api) -> None:
    office = admin.office()
    user, login, password = admin.user("operator", office["id"])
    operator = admin.as_user(login, password)
    path = f"/api/v1/users/{user['id']}/password"
    for weak in ("short", login, "password123", "1212121212"):
        error(admin.post(path, json={"password": weak}), 422, "weak_password")
        error(change_own(operator, password, weak), 422, "weak_password")
    assert operator.ok(operator.get("/api/v1/auth/me"))["login"] == login
    assert sign_in(server.url, login, password).status_code == 200


def test_password_changes_are_audited_without_the_password(server: LiveServer, admin: Api) -> None:
    office = admin.office()
    user, login, password = admin.user("operator", office["id"])
    operator = admin.as_user(login, password)
    path = f"/api/v1/users/{user['id']}/password"
    admin.ok(admin.post(path, json={"password": NEW_PASSWORD}), 204)
    operator = admin.as_user(login, NEW_PASSWORD)
    assert change_own(operator, NEW_PASSWORD, password + "-2").status_code == 204
    entries = audit_of(admin, office["id"], user["id"])
    assert [(e["action"], e["user"]["login"], e["changes"]) for e in entries[:2]] == [
        ("password_changed", login, {"password": ["***", "***"]}),
        ("password_reset", ADMIN_LOGIN, {"password": ["***", "***"]}),
    ]
    [(stored,)] = sql(
        server.settings.database_url, "SELECT password_hash FROM users WHERE id = :i", i=user["id"]
    )
    written = json.dumps(entries)
    assert NEW_PASSWORD not in written and password not in written and stored not in written
