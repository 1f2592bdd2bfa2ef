"""Each process remembers who is signed in, and forgets a revoked login everywhere.

A warm request runs no query for its caller's identity; a logout is refused at once on the process
that took it, on another process at once with Redis and within about a second without; a session
that expires is refused although it is remembered.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from queue_server.clock import FrozenClock
from queue_server.realtime.revocations import RedisRevocations
from queue_server.services.principal_cache import PrincipalCache
from tests.api.contract import error
from tests.concurrency import server_process
from tests.realtime.clients import listening
from tests.support import (
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    IN_CI,
    Api,
    LiveServer,
    login_token,
    port_open,
    running_server,
)
from tests.support import test_settings as settings_for

REDIS_URL = "redis://127.0.0.1:6379/0"
# The auth epoch is re-read at most once a second; a request or two of slack on a busy host.
ABOUT_A_SECOND = 1.5


@pytest.fixture
def redis_url() -> str:
    if not port_open("127.0.0.1", 6379):
        if IN_CI:
            pytest.fail("CI=true but Redis is not reachable on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379 (CI=true makes this a failure)")
    return REDIS_URL


def me(url: str, token: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.get(f"{url}/api/v1/auth/me", headers=headers, timeout=30)


def logout(url: str, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    response = httpx.post(f"{url}/api/v1/auth/logout", headers=headers, timeout=30)
    assert response.status_code == 204, response.text


def seconds_until_refused(url: str, token: str, limit: float) -> float:
    """Ask as a client would until the token is refused; how long that took."""
    start = time.monotonic()
    while True:
        response = me(url, token)
        elapsed = time.monotonic() - start
        if response.status_code == 401:
            return elapsed
        assert response.status_code == 200, response.text
        assert elapsed < limit, f"the token still worked {elapsed:.2f} s after the logout"
        time.sleep(0.02)


@contextmanager
def statements_of(server: LiveServer) -> Iterator[list[str]]:
    """The SQL statements the server runs meanwhile."""
    database = server.app.state.database
    engines = {database.write_engine.sync_engine, database.read_engine.sync_engine}
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    for engine in engines:
        event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", record)


def operator_token(admin: Api, base_url: str) -> tuple[int, str]:
    office = admin.office()
    _user, login, password = admin.user("operator", office["id"])
    return office["id"], login_token(base_url, login, password)


def test_a_remembered_login_costs_no_query_and_a_logout_is_refused_at_once(
    server: LiveServer, admin: Api
) -> None:
    office_id, token = operator_token(admin, server.url)
    assert me(server.url, token).status_code == 200
    with statements_of(server) as statements:
        for _ in range(5):
            assert me(server.url, token).json()["role"] == "operator"
    # At most the once-a-second look at the auth epoch (a read transaction of one statement).
    assert [s for s in statements if "auth_epoch" not in s and s != "BEGIN"] == [], statements
    staff, bearer = f"/ws/offices/{office_id}/staff", {"Authorization": f"Bearer {token}"}
    with listening(server.url, staff, additional_headers=bearer) as channel:
        assert channel.next()["type"] == "snapshot"
    logout(server.url, token)
    error(me(server.url, token), 401, "not_authenticated")
    with listening(server.url, staff, additional_headers=bearer) as channel:
        assert channel.next()["code"] == "not_authenticated"
        assert channel.close_code() == 4401
    assert me(server.url, login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD)).status_code == 200


def test_a_remembered_login_whose_session_expired_is_refused(
    server: LiveServer, admin: Api, clock: FrozenClock
) -> None:
    _office_id, token = operator_token(admin, server.url)
    assert me(server.url, token).status_code == 200
    clock.advance(server.settings.session_max_age_seconds - 1)
    assert me(server.url, token).status_code == 200  # still remembered, still valid
    clock.advance(1)
    error(me(server.url, token), 401, "not_authenticated")


def test_a_logout_reaches_another_process_within_a_second(
    server: LiveServer, admin: Api, clock: FrozenClock
) -> None:
    with running_server(server.settings, clock) as second:
        _office_id, token = operator_token(admin, server.url)
        for _ in range(3):
            assert me(second.url, token).status_code == 200
        logout(server.url, token)
        error(me(server.url, token), 401, "not_authenticated")
        assert seconds_until_refused(second.url, token, ABOUT_A_SECOND) < ABOUT_A_SECOND


def _slow_epoch(server: LiveServer) -> PrincipalCache:
    """Make the server look at the auth epoch once an hour: only Redis can tell it in time."""
    principals: PrincipalCache = server.app.state.principals
    principals.check_interval = 3600.0
    return principals


def _wait_until_subscribed(principals: PrincipalCache) -> None:
    revocations = principals.revocations
    assert isinstance(revocations, RedisRevocations)
    deadline = time.monotonic() + 10
    while not revocations.connected.is_set():
        assert time.monotonic() < deadline, "the server did not subscribe to Redis"
        time.sleep(0.02)


def test_with_redis_another_process_forgets_a_logout_at_once(
    redis_url: str, database_url: str, clock: FrozenClock
) -> None:
    settings = settings_for(database_url, redis_url=redis_url)
    with running_server(settings, clock) as first, running_server(settings, clock) as second:
        admin = Api(first.url, login_token(first.url, ADMIN_LOGIN, ADMIN_PASSWORD))
        _office_id, token = operator_token(admin, first.url)
        _wait_until_subscribed(_slow_epoch(second))
        assert me(second.url, token).status_code == 200
        logout(first.url, token)
        assert seconds_until_refused(second.url, token, 0.5) < 0.5
        admin.close()


def test_without_redis_only_the_epoch_tells_another_process(
    server: LiveServer, admin: Api, clock: FrozenClock
) -> None:
    """The control of the test above: with the epoch read once an hour and no Redis, the other
    process goes on accepting the token it remembers (so the one above did test Redis)."""
    with running_server(server.settings, clock) as second:
        _office_id, token = operator_token(admin, server.url)
        _slow_epoch(second)
        assert me(second.url, token).status_code == 200
        logout(server.url, token)
        time.sleep(0.5)
        assert me(second.url, token).status_code == 200


@pytest.mark.slow
@pytest.mark.parametrize("with_redis", [False, pytest.param(True, marks=pytest.mark.redis)])
def test_a_logout_reaches_another_server_process(
    request: pytest.FixtureRequest, with_redis: bool, sqlite_url: str, tmp_path: Path
) -> None:
    """Two `queue-server serve` processes on one database, as two workers are."""
    env = {"QUEUE_REDIS_URL": request.getfixturevalue("redis_url")} if with_redis else {}
    first = server_process.start(sqlite_url, tmp_path / "first.log", workers=1, env=env)
    try:
        second = server_process.start(sqlite_url, tmp_path / "second.log", workers=1, env=env)
        try:
            admin = Api(first.url, login_token(first.url, ADMIN_LOGIN, ADMIN_PASSWORD))
            _office_id, token = operator_token(admin, first.url)
            for _ in range(3):
                assert me(second.url, token).status_code == 200
            logout(first.url, token)
            error(me(first.url, token), 401, "not_authenticated")
            assert seconds_until_refused(second.url, token, ABOUT_A_SECOND) < ABOUT_A_SECOND
            admin.close()
        finally:
            second.stop()
    finally:
        first.stop()
