"""The application's shared state as the HTTP routers and the websocket endpoints read it."""

from __future__ import annotations

from starlette.requests import HTTPConnection

from queue_server.clock import Clock
from queue_server.db.engine import Database
from queue_server.services.principal_cache import PrincipalCache
from queue_server.settings import Settings

SESSION_COOKIE = "queue_session"


# HTTPConnection: a request and a websocket alike.
def get_database(connection: HTTPConnection) -> Database:
    """The app's database."""
    database: Database = connection.app.state.database
    return database


def get_clock(connection: HTTPConnection) -> Clock:
    """The app's clock (frozen in tests, virtual in simulations)."""
    clock: Clock = connection.app.state.clock
    return clock


def get_settings(connection: HTTPConnection) -> Settings:
    """The app's settings."""
    settings: Settings = connection.app.state.settings
    return settings


def get_principals(connection: HTTPConnection) -> PrincipalCache:
    """The app's cache of signed-in users."""
    principals: PrincipalCache = connection.app.state.principals
    return principals
