"""Dependencies shared by the routers, as Annotated aliases."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from queue_server.clock import Clock
from queue_server.db.engine import Database
from queue_server.errors import CsrfFailed, NotAuthenticated
from queue_server.services import auth
from queue_server.services.access import Principal, Role, require_role
from queue_server.settings import Settings

SESSION_COOKIE = "queue_session"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# HTTPConnection: the websocket endpoints read the same app state through these.
def get_database(request: HTTPConnection) -> Database:
    database: Database = request.app.state.database
    return database


def get_clock(request: HTTPConnection) -> Clock:
    clock: Clock = request.app.state.clock
    return clock


def get_settings(request: HTTPConnection) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_passwords(request: HTTPConnection) -> auth.Passwords:
    passwords: auth.Passwords = request.app.state.passwords
    return passwords


DatabaseDep = Annotated[Database, Depends(get_database)]
ClockDep = Annotated[Clock, Depends(get_clock)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
PasswordsDep = Annotated[auth.Passwords, Depends(get_passwords)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def principal_from_request(request: Request) -> Principal | None:
    """The signed-in user by bearer token or session cookie, or None."""
    database, settings, clock = get_database(request), get_settings(request), get_clock(request)
    bearer = _bearer_token(request)
    token = bearer or request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    async with database.reading() as session:
        return await auth.resolve_token(session, settings, token, bearer is None, clock.now())


async def current_principal(request: Request) -> Principal:
    """401 without a valid login; 403 on a cookie request that changes state without CSRF token."""
    principal = await principal_from_request(request)
    if principal is None:
        raise NotAuthenticated("sign in first: send a bearer token or a session cookie")
    if principal.via_cookie and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not secrets.compare_digest(sent.encode(), principal.csrf_token.encode()):
            raise CsrfFailed("the CSRF token is missing or wrong; reload the page and try again")
    return principal


def _role_dependency(role: Role):  # type: ignore[no-untyped-def]
    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        require_role(principal, role)
        return principal

    return dependency


OperatorDep = Annotated[Principal, Depends(_role_dependency(Role.OPERATOR))]
ManagerDep = Annotated[Principal, Depends(_role_dependency(Role.MANAGER))]
AdminDep = Annotated[Principal, Depends(_role_dependency(Role.ADMIN))]
