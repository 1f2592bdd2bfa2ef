"""`queue-server users list | set-password | deactivate` as an administrator without a browser
runs them, on SQLite and PostgreSQL, against a database a live server is using."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import httpx
import pytest

from queue_server.clock import FrozenClock
from tests.api.contract import error
from tests.api.test_login_cache import ABOUT_A_SECOND, seconds_until_refused
from tests.support import (
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    Api,
    LiveServer,
    login_token,
    running_server,
)
from tests.support import test_settings as settings_for
from tests.test_cli import cli, ok

NEW_PASSWORD = "seven-blue-herons-fly"


@pytest.fixture
def live(database_url: str, clock: FrozenClock) -> Iterator[LiveServer]:
    with running_server(settings_for(database_url), clock) as server:
        yield server


def operator(server: LiveServer) -> tuple[str, str, str]:
    """A new operator of a new office: login, password, and a bearer token of theirs."""
    admin = Api(server.url, login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD))
    office = admin.office()
    _user, login, password = admin.user("operator", office["id"])
    admin.close()
    return login, password, login_token(server.url, login, password)


def refused(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    assert result.stderr.startswith("error: "), result.stderr
    return result.stderr


def sign_in(server: LiveServer, login: str, password: str) -> httpx.Response:
    data = {"username": login, "password": password}
    return httpx.post(f"{server.url}/api/v1/auth/token", data=data, timeout=30)


def test_users_list_prints_id_login_role_office_and_active(live: LiveServer) -> None:
    url = live.settings.database_url
    login, _password, _token = operator(live)
    ok(cli(url, "users", "deactivate", login))
    lines = ok(cli(url, "users", "list")).splitlines()
    assert lines[0].split() == ["id", "login", "role", "office", "active"]
    rows = {line.split()[1]: line.split() for line in lines[1:]}
    assert rows[ADMIN_LOGIN][2:] == ["admin", "-", "yes"]
    assert rows[login][2] == "operator" and rows[login][3].isdigit() and rows[login][4] == "no"


def test_set_password_reads_stdin_applies_the_rule_and_ends_sessions(live: LiveServer) -> None:
    url = live.settings.database_url
    login, password, token = operator(live)
    assert "at least 10 characters" in refused(
        cli(url, "users", "set-password", login, stdin="short\n")
    )
    assert "no user" in refused(cli(url, "users", "set-password", "nobody", stdin="x\n"))
    output = ok(cli(url, "users", "set-password", login, stdin=f"{NEW_PASSWORD}\n"))
    assert login in output and NEW_PASSWORD not in output
    assert seconds_until_refused(live.url, token, ABOUT_A_SECOND) < ABOUT_A_SECOND
    error(sign_in(live, login, password), 401, "invalid_credentials")
    assert sign_in(live, login, NEW_PASSWORD).status_code == 200


def test_deactivate_ends_sessions_and_refuses_the_last_admin(live: LiveServer) -> None:
    url = live.settings.database_url
    login, password, token = operator(live)
    assert "last active administrator" in refused(cli(url, "users", "deactivate", ADMIN_LOGIN))
    assert "deactivated" in ok(cli(url, "users", "deactivate", login))
    assert seconds_until_refused(live.url, token, ABOUT_A_SECOND) < ABOUT_A_SECOND
    error(sign_in(live, login, password), 401, "invalid_credentials")
    assert sign_in(live, ADMIN_LOGIN, ADMIN_PASSWORD).status_code == 200
