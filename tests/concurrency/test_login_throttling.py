"""Sign-in throttling against real `queue-server serve` processes sharing one database.

Each attempt claims its count before its password is checked, so a burst spread over several
processes gets no more checks than the limit; the limit is per login and client address, so a
guesser elsewhere cannot lock the real operator out; X-Forwarded-For counts only from a proxy
named in QUEUE_TRUSTED_PROXIES.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest

from tests.api.contract import error
from tests.concurrency import server_process
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, Api, login_token

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("heavy")]
PARALLEL = 40
LIMIT = 5  # QUEUE_LOGIN_MAX_FAILURES by default
PRODUCTION_ARGON2 = {"QUEUE_ARGON2_TIME_COST": "3", "QUEUE_ARGON2_MEMORY_COST": "65536"}


@contextmanager
def servers(
    database_url: str, log_dir: Path, count: int, **env: str
) -> Iterator[list[server_process.ServerProcess]]:
    with ExitStack() as stack:
        started = []
        for index in range(count):
            server = server_process.start(
                database_url, log_dir / f"serve-{index}.log", workers=1, env=env
            )
            stack.callback(server.stop)
            started.append(server)
        yield started


def operator(base_url: str) -> tuple[str, str]:
    admin = Api(base_url, login_token(base_url, ADMIN_LOGIN, ADMIN_PASSWORD))
    try:
        _user, login, password = admin.user("operator", admin.office()["id"])
    finally:
        admin.close()
    return login, password


def sign_in(
    base_url: str,
    login: str,
    password: str,
    *,
    source: str = "127.0.0.1",
    start: threading.Barrier | None = None,
    **headers: str,
) -> httpx.Response:
    """POST /auth/token from the local address `source` (any 127.x.y.z is this machine), once
    every client waiting at `start` is ready."""
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport, timeout=120) as client:
        form = {"username": login, "password": password}
        if start is not None:
            start.wait(timeout=60)
        return client.post(f"{base_url}/api/v1/auth/token", data=form, headers=headers)


def test_parallel_wrong_passwords_on_two_processes_get_only_the_limit_checked(
    database_url: str, tmp_path: Path
) -> None:
    # The production cost of a password check: the longer a check takes, the more attempts
    # arrive while earlier ones are being checked.
    with servers(database_url, tmp_path, 2, **PRODUCTION_ARGON2) as (first, second):
        login, password = operator(first.url)
        urls, start = [first.url, second.url] * (PARALLEL // 2), threading.Barrier(PARALLEL)
        with ThreadPoolExecutor(PARALLEL) as pool:
            answers = list(
                pool.map(lambda url: sign_in(url, login, "not-the-password", start=start), urls)
            )
        statuses = sorted(answer.status_code for answer in answers)
        assert statuses == [401] * LIMIT + [429] * (PARALLEL - LIMIT)
        refused = next(answer for answer in answers if answer.status_code == 429)
        assert "15" in error(refused, 429, "too_many_attempts")  # says when: in 15 minutes
        assert 1 <= int(refused.headers["retry-after"]) <= 900
        # The guesser's address is stopped, even with the right password...
        error(sign_in(second.url, login, password), 429, "too_many_attempts")
        # ...but the real operator at another address still signs in, on either process.
        for server in (first, second):
            assert sign_in(server.url, login, password, source="127.0.0.2").status_code == 200


def test_x_forwarded_for_from_a_trusted_proxy_names_the_client(
    sqlite_url: str, tmp_path: Path
) -> None:
    with servers(sqlite_url, tmp_path, 1, QUEUE_TRUSTED_PROXIES="127.0.0.0/8") as (proxied,):
        login, password = operator(proxied.url)
        guesser, operator_desk = (
            {"X-Forwarded-For": "203.0.113.7"},
            {"X-Forwarded-For": "198.51.100.9"},
        )
        for _attempt in range(LIMIT):
            error(sign_in(proxied.url, login, "wrong-guess", **guesser), 401, "invalid_credentials")
        error(sign_in(proxied.url, login, password, **guesser), 429, "too_many_attempts")
        assert sign_in(proxied.url, login, password, **operator_desk).status_code == 200


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(sqlite_url: str, tmp_path: Path) -> None:
    """A client that makes up a new address for every guess is still one client (its peer)."""
    per_client = 3
    env = {"QUEUE_LOGIN_MAX_FAILURES_PER_CLIENT": str(per_client)}
    with servers(sqlite_url, tmp_path, 1, **env) as (direct,):
        login, password = operator(direct.url)
        for attempt in range(per_client):
            forged = {"X-Forwarded-For": f"203.0.113.{attempt + 1}"}
            guess = sign_in(direct.url, f"nobody-{attempt}", "wrong-guess", **forged)
            error(guess, 401, "invalid_credentials")
        forged = {"X-Forwarded-For": "203.0.113.200"}
        error(sign_in(direct.url, login, password, **forged), 429, "too_many_attempts")
        # Another address is another client.
        assert sign_in(direct.url, login, password, source="127.0.0.2").status_code == 200
