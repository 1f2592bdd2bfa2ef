"""Dependencies shared by the routers, as Annotated aliases."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import HTTPConnection

from queue_server.api.schemas import MAX_ID
from queue_server.clock import Clock
from queue_server.db.engine import Database, UnitOfWork
from queue_server.db.models import Office
from queue_server.errors import CsrfFailed, NotAuthenticated
from queue_server.services import aggregates, auth, lookups, reports
from queue_server.services.access import Principal, Role, require_office, require_role
from queue_server.services.principal_cache import PrincipalCache
from queue_server.settings import Settings
from queue_server.state import SESSION_COOKIE as SESSION_COOKIE
from queue_server.state import get_clock as get_clock
from queue_server.state import get_database as get_database
from queue_server.state import get_principals as get_principals
from queue_server.state import get_settings as get_settings

CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def get_passwords(request: HTTPConnection) -> auth.Passwords:
    passwords: auth.Passwords = request.app.state.passwords
    return passwords


DatabaseDep = Annotated[Database, Depends(get_database)]
ClockDep = Annotated[Clock, Depends(get_clock)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
PasswordsDep = Annotated[auth.Passwords, Depends(get_passwords)]
PrincipalsDep = Annotated[PrincipalCache, Depends(get_principals)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def principal_from_request(request: Request) -> Principal | None:
    """The signed-in user by bearer token or session cookie, or None (remembered per process)."""
    database, settings, clock = get_database(request), get_settings(request), get_clock(request)
    bearer = _bearer_token(request)
    token = bearer or request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    principals = get_principals(request)
    return await auth.resolve_token(
        database, principals, settings, token, bearer is None, clock.now()
    )


async def signed_in_or_none(request: Request) -> Principal | None:
    """The signed-in user, or None; 403 on a cookie request that changes state without CSRF token."""
    principal = await principal_from_request(request)
    if principal is not None and principal.via_cookie and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not secrets.compare_digest(sent.encode(), principal.csrf_token.encode()):
            raise CsrfFailed("the CSRF token is missing or wrong; reload the page and try again")
    return principal


async def current_principal(request: Request) -> Principal:
    """401 without a valid login; 403 on a cookie request that changes state without CSRF token."""
    principal = await signed_in_or_none(request)
    if principal is None:
        raise NotAuthenticated("sign in first: send a bearer token or a session cookie")
    return principal


def _role_dependency(role: Role):  # type: ignore[no-untyped-def]
    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        require_role(principal, role)
        return principal

    return dependency


_ROLE_DEPENDENCIES = {role: _role_dependency(role) for role in Role}
OperatorDep = Annotated[Principal, Depends(_ROLE_DEPENDENCIES[Role.OPERATOR])]
ManagerDep = Annotated[Principal, Depends(_ROLE_DEPENDENCIES[Role.MANAGER])]
AdminDep = Annotated[Principal, Depends(_ROLE_DEPENDENCIES[Role.ADMIN])]


# One request, one unit of work: the dependency commits once when the handler returns, before
# the answer is sent ("function" scope), and rolls back on any error. A handler with work to do
# after the commit (printing) calls `uow.commit()` itself.
async def _unit_of_work(request: Request) -> AsyncIterator[UnitOfWork]:
    async with get_database(request).unit_of_work() as uow:
        yield uow


async def _unit_of_work_later(request: Request) -> AsyncIterator[UnitOfWork]:
    async with get_database(request).unit_of_work(begin=False) as uow:
        yield uow


async def _reading(request: Request) -> AsyncIterator[AsyncSession]:
    async with get_database(request).reading() as session:
        yield session


UnitOfWorkDep = Annotated[UnitOfWork, Depends(_unit_of_work, scope="function")]
# The same, begun by the handler with `await uow.begin()` once its slow reading part is done.
UnitOfWorkLaterDep = Annotated[UnitOfWork, Depends(_unit_of_work_later, scope="function")]
ReadingDep = Annotated[AsyncSession, Depends(_reading, scope="function")]

# The API's path parameters, in one place.
IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
OfficeId = IdPath
TicketCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


def _office_access(role: Role):  # type: ignore[no-untyped-def]
    """The office of the path, for a user of `role` who may see it: 404 before 403."""
    # A default, not an annotation: annotations are strings here and cannot see `role`.
    signed_in = Depends(_ROLE_DEPENDENCIES[role])

    async def dependency(
        office_id: OfficeId, session: ReadingDep, principal: Principal = signed_in
    ) -> Office:
        office = await lookups.office(session, office_id)
        require_office(principal, office_id)
        return office

    return dependency


OperatorOffice = Annotated[Office, Depends(_office_access(Role.OPERATOR))]
ManagerOffice = Annotated[Office, Depends(_office_access(Role.MANAGER))]


def _office_of_path(request: Request) -> int | None:
    """The path's office id, or None when it is not one (the route itself answers that)."""
    raw = str(request.path_params.get("office_id", ""))
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= MAX_ID else None


async def _current_figures(request: Request, session: ReadingDep) -> None:
    """Count every event of the path's office committed so far into its hourly and load figures
    before the request reads them. Declare it after the access check (ManagerOffice): it may write."""
    office_id = _office_of_path(request)
    if office_id is not None:
        await aggregates.catch_up_before_reading(get_database(request), session, office_id)


CurrentFigures = Annotated[None, Depends(_current_figures)]


# Service days a report or listing covers, for a manager of the path's office (checked first).
DateFrom = Annotated[
    date | None, Query(description="first service day, YYYY-MM-DD (default: date_to)")
]
DateTo = Annotated[
    date | None,
    Query(description="last service day, inclusive (default: the office's current service day)"),
]


def _period(
    office: ManagerOffice,
    settings: SettingsDep,
    clock: ClockDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> tuple[date, date]:
    """The service days of every report and listing route, for a signed-in manager of the office
    (checked first): the office's current day by default, 422 for a range no report covers."""
    return reports.period(office, date_from, date_to, clock.now(), settings.report_max_days)


ReportPeriod = Annotated[tuple[date, date], Depends(_period)]
