"""create_app(settings): the API, websockets, the UI routers, static files and error handling."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

import admin_pages.routes
import display_board.routes
import kiosk_ui.routes
import manager_dashboard.routes
import operator_console.routes
from queue_server import __version__, log_redaction, middleware, web
from queue_server.api import (
    admin,
    audit,
    auth,
    calendar,
    console,
    editing,
    feedback,
    kiosks,
    managers,
    openapi,
    operators,
    public,
    reports,
    users,
)
from queue_server.api.errors import install_error_handlers
from queue_server.clock import Clock, SystemClock
from queue_server.db.engine import Database
from queue_server.errors import StorageUnavailable
from queue_server.realtime import ws
from queue_server.realtime.brokers import make_broker
from queue_server.realtime.hub import Hub
from queue_server.realtime.outbox import Outbox
from queue_server.realtime.revocations import make_revocations
from queue_server.services import aggregates, housekeeping
from queue_server.services.auth import Passwords
from queue_server.services.principal_cache import PrincipalCache
from queue_server.settings import Settings
from queue_server.web import api_docs

log = logging.getLogger(__name__)


async def _every(interval: float, name: str, work: Callable[[], Awaitable[object]]) -> None:
    """Run `work` every `interval` seconds until cancelled."""
    while True:
        try:
            await work()
        except StorageUnavailable:  # already logged in one line; the next pass tries again
            pass
        except Exception:  # a failed pass must not stop the next one
            log.exception("%s pass failed", name)
        await asyncio.sleep(interval)


def api_router() -> APIRouter:
    router = APIRouter(prefix="/api/v1")
    modules = (
        auth,
        admin,
        editing,
        users,
        audit,
        calendar,
        public,
        operators,
        managers,
        console,
        kiosks,
        reports,
        feedback,
    )
    for module in modules:
        router.include_router(module.router)
    return router


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    """Build the application; `clock` lets tests control time."""
    settings = settings or Settings()
    problem = settings.startup_problem()
    if problem:
        raise RuntimeError(problem)
    log_redaction.install()  # before the first request is logged
    clock = clock or SystemClock()
    outbox = Outbox(make_broker(settings.redis_url, settings.database_url))
    database = Database(settings.database_url, events=outbox)
    hub = Hub(database, outbox=outbox, check_interval=settings.ws_ping_interval_seconds)
    passwords = Passwords(settings)
    principals = PrincipalCache(make_revocations(settings.redis_url, settings.database_url))

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await hub.start()
        await principals.start()
        tasks = [
            # Tickets still waiting at closing time expire; spent issue counts are dropped.
            asyncio.create_task(
                _every(
                    settings.housekeeping_interval_seconds,
                    "housekeeping",
                    lambda: housekeeping.pass_once(database, clock.now()),
                )
            ),
            # New events are counted into the hourly and load figures, off the request path.
            asyncio.create_task(
                _every(
                    settings.aggregates_interval_seconds,
                    "aggregates",
                    lambda: aggregates.catch_up_all(database),
                )
            ),
        ]
        if settings.freeze_gc_at_start:
            # The modules, the catalogue and the compiled statements stay for the process's life:
            # a full collection that scans them took 90-120 ms, a stall of whatever call it hit.
            gc.collect()
            gc.freeze()
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            await principals.stop()
            await hub.stop()
            await database.dispose()
            passwords.close()

    app = FastAPI(
        title="Queue server",
        version=__version__,
        description="Walk-in queue management: kiosks, hall displays, operators, managers.",
        lifespan=lifespan,
        # Swagger UI comes from this server's own files (web.api_docs): a kiosk network
        # reaches no CDN. ReDoc has no such package, so it is left out.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.database = database
    app.state.hub = hub
    app.state.passwords = passwords
    app.state.principals = principals
    install_error_handlers(app)
    openapi.install(app)
    middleware.install(app, settings)
    app.include_router(api_router())
    app.include_router(ws.router)
    web.install(app)
    api_docs.install(app)
    for ui in (kiosk_ui, display_board, operator_console, manager_dashboard, admin_pages):
        ui.routes.install(app)
    return app
