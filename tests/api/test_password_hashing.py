"""Password hashing runs beside the event loop: slow logins do not hold up anyone else's request."""

from __future__ import annotations

import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from queue_server.clock import FrozenClock
from tests import support

pytestmark = pytest.mark.slow
# The production cost (64 MiB, three passes) and then some, so each check takes well over 100 ms.
ARGON2_MEMORY_KIB = 65536
ARGON2_TIME_COST = 6
LOGINS = 4


def wrong_login(base_url: str) -> float:
    """Seconds one sign-in with an unknown login takes (checked against the decoy hash)."""
    started = time.monotonic()
    response = httpx.post(
        f"{base_url}/api/v1/auth/token",
        data={"username": f"nobody-{uuid.uuid4().hex[:8]}", "password": "wrong-password"},
        timeout=60,
    )
    assert response.status_code == 401, response.text
    return time.monotonic() - started


def test_a_cheap_request_answers_while_several_slow_logins_are_checked(
    database_url: str, clock: FrozenClock
) -> None:
    settings = support.test_settings(
        database_url,
        argon2_memory_cost=ARGON2_MEMORY_KIB,
        argon2_time_cost=ARGON2_TIME_COST,
        login_max_failures_per_client=1000,
    )
    with (
        support.running_server(settings, clock) as server,
        httpx.Client(base_url=server.url) as http,
    ):
        assert http.get("/api/v1/offices").status_code == 200
        one_login = wrong_login(server.url)
        assert one_login > 0.1, f"argon2 is too cheap for this test: {one_login:.3f} s"
        with ThreadPoolExecutor(LOGINS) as pool:
            logins = [pool.submit(wrong_login, server.url) for _ in range(LOGINS)]
            time.sleep(min(0.05, one_login / 4))  # let the checks begin
            answers: list[float] = []
            # Ask again and again while the logins run: on the loop, every check would hold up
            # the request that arrived during it for up to a whole check.
            while not all(login.done() for login in logins):
                started = time.monotonic()
                assert http.get("/api/v1/offices", timeout=60).status_code == 200
                answers.append(time.monotonic() - started)
            login_times = [login.result() for login in logins]
    assert answers, "the logins finished before the first cheap request was sent"
    # Hashed on the loop, some request waits out a whole check: up to one login's time or more.
    assert max(answers) < one_login / 2, (
        f"GET /offices took up to {max(answers):.3f} s while logins ran "
        f"(one login: {one_login:.3f} s, the logins: {max(login_times):.3f} s)"
    )
