"""Test harness: real databases (SQLite file, PostgreSQL), a real uvicorn server, an HTTP client."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn

from queue_server.app import create_app
from queue_server.clock import FrozenClock
from queue_server.db.engine import Database
from queue_server.migrate import upgrade
from queue_server.services import catalogue
from queue_server.services.access import Role
from queue_server.services.auth import Passwords
from queue_server.settings import Settings

T = TypeVar("T")
PG_ADMIN_URL = os.environ.get("QUEUE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
ADMIN_LOGIN, ADMIN_PASSWORD = "root-admin", "root-admin-password"
# Monday 23 November 2026, 10:30 in Moscow: the seeded offices are open, off-peak.
DEFAULT_NOW = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
IN_CI = os.environ.get("CI", "").lower() == "true"


def test_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "env": "demo",
        "secret_key": "test-secret-key-not-for-production",
        "argon2_time_cost": 1,
        "argon2_memory_cost": 8192,
        "housekeeping_interval_seconds": 3600.0,
        # Background passes would run queries in the middle of tests that count them; the
        # figures' readers catch up by themselves.
        "aggregates_interval_seconds": 3600.0,
        "freeze_gc_at_start": False,
    }
    values.update(overrides)
    return Settings(**values)


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def _bootstrap_admin(database_url: str) -> None:
    settings = test_settings(database_url)
    database = Database(database_url)
    try:
        async with database.unit_of_work() as uow:
            spec = catalogue.UserSpec(login=ADMIN_LOGIN, password=ADMIN_PASSWORD, role=Role.ADMIN)
            await catalogue.create_user(uow, Passwords(settings), spec, DEFAULT_NOW)
    finally:
        await database.dispose()


def outside_event_loop(work: Callable[[], T]) -> T:
    """Run blocking set-up (asyncio.run inside) in its own thread: Playwright's sync API keeps an
    event loop running in the main thread, where asyncio.run would refuse to start."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(work).result()


def run_coroutine(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run, safe to call after a browser test left Playwright's loop in this thread."""
    return outside_event_loop(lambda: asyncio.run(coroutine))


def on_database(database_url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run `work` on a Database of its own for `database_url` (a server's, seen from the test)."""

    async def run() -> T:
        database = Database(database_url)
        try:
            return await work(database)
        finally:
            await database.dispose()

    return run_coroutine(run())


def prepare_template(database_url: str) -> None:
    """Migrate an empty database and add the bootstrap admin."""

    def work() -> None:
        upgrade(database_url)
        asyncio.run(_bootstrap_admin(database_url))

    outside_event_loop(work)


class SqliteTemplates:
    """One migrated SQLite file per session, copied for every test."""

    def __init__(self, root: Path) -> None:
        self.template = root / "template.sqlite3"
        prepare_template(f"sqlite:///{self.template}")

    def fresh(self, directory: Path) -> str:
        target = directory / f"queue-{uuid.uuid4().hex[:8]}.sqlite3"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"


def on_postgres_as_admin(*statements: str) -> None:
    """Run statements on the PostgreSQL server as its administrator (databases, settings)."""
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(PG_ADMIN_URL)
        try:
            for statement in statements:
                await connection.execute(statement)
        finally:
            await connection.close()

    outside_event_loop(lambda: asyncio.run(run()))


class PostgresTemplates:
    """One migrated template database per session; each test gets CREATE DATABASE ... TEMPLATE."""

    def __init__(self) -> None:
        self.prefix = f"qt_{uuid.uuid4().hex[:8]}"
        self.template = f"{self.prefix}_template"
        self.created: list[str] = [self.template]
        self._admin(f'CREATE DATABASE "{self.template}"')
        prepare_template(self._url(self.template))

    def _url(self, name: str) -> str:
        base, _, _ = PG_ADMIN_URL.rpartition("/")
        return f"{base}/{name}"

    def _admin(self, *statements: str) -> None:
        on_postgres_as_admin(*statements)

    def fresh(self) -> str:
        name = f"{self.prefix}_{len(self.created)}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        self.created.append(name)
        return self._url(name)

    def drop_all(self) -> None:
        self._admin(
            *[f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)' for name in reversed(self.created)]
        )


@dataclass
class LiveServer:
    """The real application under a real uvicorn, in a thread of the test process."""

    url: str
    clock: FrozenClock
    settings: Settings
    app: Any
    _server: uvicorn.Server = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)


def start_server(
    settings: Settings, clock: FrozenClock, port: int | None = None, send_buffer: int | None = None
) -> LiveServer:
    """`port` lets a test restart a server where its clients expect it; `send_buffer` caps the
    kernel's send buffer of every connection (Linux hands the listening socket's to each)."""
    app = create_app(settings, clock)
    # A page left open holds its websocket: without a bound the stop waits for it (10 s and more
    # per test); two seconds let requests in flight finish.
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port or free_port(),
        log_level="warning",
        lifespan="on",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    sockets = None
    if send_buffer is not None:
        listening = socket.socket()
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
        listening.bind((config.host, config.port))
        sockets = [listening]
    thread = threading.Thread(target=server.run, kwargs={"sockets": sockets}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    return LiveServer(f"http://127.0.0.1:{config.port}", clock, settings, app, server, thread)


@contextmanager
def running_server(
    settings: Settings, clock: FrozenClock, send_buffer: int | None = None
) -> Iterator[LiveServer]:
    server = start_server(settings, clock, send_buffer=send_buffer)
    try:
        yield server
    finally:
        server.stop()


class Api:
    """A thin HTTP client with factory helpers that build data through the public API."""

    def __init__(
        self, base_url: str, token: str | None = None, kiosk_key: str | None = None
    ) -> None:
        self.base_url = base_url
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if kiosk_key:
            headers["X-Kiosk-Key"] = kiosk_key
        self.http = httpx.Client(base_url=base_url, headers=headers, timeout=30)
        self._counter = 0

    def close(self) -> None:
        self.http.close()

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.post(path, **kwargs)

    def as_user(self, login: str, password: str) -> Api:
        return Api(self.base_url, login_token(self.base_url, login, password))

    def ok(self, response: httpx.Response, status: int = 200) -> Any:
        assert response.status_code == status, f"{response.status_code}: {response.text}"
        return response.json() if response.content else None

    def unique(self, stem: str) -> str:
        self._counter += 1
        return f"{stem}{self._counter}-{uuid.uuid4().hex[:6]}"

    def office(self, hours: Any = None, **extra: Any) -> dict[str, Any]:
        body = {
            "name": self.unique("Office "),
            "address": "Lipetsk",
            "timezone": "Europe/Moscow",
            "hours": hours,
            **extra,
        }
        return self.ok(self.post("/api/v1/offices", json=body), 201)  # type: ignore[no-any-return]

    def topic(
        self, office_id: int, prefix: str = "A", parent_id: int | None = None, **extra: Any
    ) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": {"ru": self.unique("Тема "), "en": self.unique("Topic ")},
            "prefix": prefix,
            **extra,
        }
        if parent_id is not None:
            body["parent_id"] = parent_id
        path = f"/api/v1/offices/{office_id}/topics"
        return self.ok(self.post(path, json=body), 201)  # type: ignore[no-any-return]

    def window(self, office_id: int, number: int) -> dict[str, Any]:
        path = f"/api/v1/offices/{office_id}/windows"
        return self.ok(self.post(path, json={"number": number}), 201)  # type: ignore[no-any-return]

    def user(
        self,
        role: str = "operator",
        office_id: int | None = None,
        skills: list[dict[str, int]] | None = None,
    ) -> tuple[dict[str, Any], str, str]:
        login, password = self.unique("user"), "password-" + uuid.uuid4().hex[:8]
        body: dict[str, Any] = {"login": login, "password": password, "role": role}
        if office_id is not None:
            body["office_id"] = office_id
        if skills is not None:
            body["skills"] = skills
        created = self.ok(self.post("/api/v1/users", json=body), 201)
        return created, login, password

    def operator(
        self, office_id: int, skills: list[dict[str, int]] | None = None, role: str = "operator"
    ) -> Api:
        _user, login, password = self.user(role, office_id, skills)
        return self.as_user(login, password)

    def kiosk(self, office_id: int, printer: str | None = None) -> dict[str, Any]:
        """A new kiosk of the office; its answer carries the key it issues with (shown once)."""
        body = {"name": self.unique("Kiosk "), "printer": printer}
        path = f"/api/v1/offices/{office_id}/kiosks"
        return self.ok(self.post(path, json=body), 201)  # type: ignore[no-any-return]

    def kiosk_client(self, office_id: int, printer: str | None = None) -> Api:
        """A client that issues as a new kiosk of the office does: with its key, signed in as
        nobody."""
        return Api(self.base_url, kiosk_key=self.kiosk(office_id, printer)["key"])

    def issue(self, office_id: int, topic_id: int, **extra: Any) -> dict[str, Any]:
        path = f"/api/v1/offices/{office_id}/tickets"
        return self.ok(self.post(path, json={"topic_id": topic_id, **extra}), 201)  # type: ignore[no-any-return]


def login_token(base_url: str, login: str, password: str) -> str:
    response = httpx.post(
        f"{base_url}/api/v1/auth/token", data={"username": login, "password": password}, timeout=30
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token
