"""Fixtures: a fresh real database per test (SQLite, and PostgreSQL where present), a live server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from queue_server.clock import FrozenClock
from tests.support import (
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    DEFAULT_NOW,
    IN_CI,
    Api,
    LiveServer,
    PostgresTemplates,
    SqliteTemplates,
    login_token,
    port_open,
    running_server,
    test_settings,
)

POSTGRES_UP = port_open("127.0.0.1", 5432)


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> SqliteTemplates:
    return SqliteTemplates(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_templates() -> Iterator[PostgresTemplates]:
    if not POSTGRES_UP:
        if IN_CI:
            pytest.fail("CI=true but PostgreSQL is not reachable on 127.0.0.1:5432")
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432 (CI=true makes this a failure)")
    templates = PostgresTemplates()
    yield templates
    templates.drop_all()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database with one admin: a SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        templates: SqliteTemplates = request.getfixturevalue("sqlite_templates")
        return templates.fresh(tmp_path)
    postgres: PostgresTemplates = request.getfixturevalue("postgres_templates")
    return postgres.fresh()


@pytest.fixture
def sqlite_url(sqlite_templates: SqliteTemplates, tmp_path: Path) -> str:
    return sqlite_templates.fresh(tmp_path)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(DEFAULT_NOW)


@pytest.fixture
def server(database_url: str, clock: FrozenClock) -> Iterator[LiveServer]:
    with running_server(test_settings(database_url), clock) as live:
        yield live


@pytest.fixture
def admin(server: LiveServer) -> Iterator[Api]:
    api = Api(server.url, login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD))
    yield api
    api.close()


@pytest.fixture
def anonymous(server: LiveServer) -> Iterator[Api]:
    api = Api(server.url)
    yield api
    api.close()


CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"


@pytest.fixture
def sqlite_server(sqlite_url: str, clock: FrozenClock) -> Iterator[LiveServer]:
    """A live server on a SQLite file only (browser tests need not run on both databases)."""
    with running_server(test_settings(sqlite_url), clock) as live:
        yield live


@pytest.fixture
def sqlite_admin(sqlite_server: LiveServer) -> Iterator[Api]:
    api = Api(sqlite_server.url, login_token(sqlite_server.url, ADMIN_LOGIN, ADMIN_PASSWORD))
    yield api
    api.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        if IN_CI:
            pytest.fail("CI=true but /usr/bin/chromium is missing (make test installs it)")
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where browser tests save screenshots for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
