"""Signing in: OAuth2 password flow for API clients, a session cookie for the browser pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response

from queue_server.api.deps import (
    SESSION_COOKIE,
    ClockDep,
    DatabaseDep,
    OperatorDep,
    PasswordsDep,
    PrincipalsDep,
    SettingsDep,
    UnitOfWorkDep,
    UnitOfWorkLaterDep,
    client_address,
)
from queue_server.api.schemas import PasswordChangeIn, SessionOut, TokenOut, WsTicketOut
from queue_server.clock import Clock
from queue_server.db.engine import Database
from queue_server.errors import Unprocessable
from queue_server.services import auth, passwords
from queue_server.settings import Settings

router = APIRouter(prefix="/auth", tags=["auth"])

Username = Annotated[str, Form(min_length=1, max_length=100)]
Password = Annotated[str, Form(min_length=1, max_length=200)]


async def _login(
    request: Request,
    database: Database,
    settings: Settings,
    passwords: auth.Passwords,
    clock: Clock,
    credentials: tuple[str, str],
    kind: str,
) -> auth.SignedIn:
    username, password = credentials
    if "\x00" in username or "\x00" in password:
        raise Unprocessable("the login and password must not contain NUL characters")
    login = auth.Credentials(username, password, client_address(request))
    return await auth.sign_in(database, settings, passwords, login, kind, clock.now())


def _session_token(request: Request) -> str:
    """The token this request is signed in with: its bearer token, else its session cookie."""
    scheme, _, bearer = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and bearer.strip():
        return bearer.strip()
    return request.cookies.get(SESSION_COOKIE, "")


@router.post("/token", response_model=TokenOut)
async def issue_token(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    passwords: PasswordsDep,
    clock: ClockDep,
    username: Username,
    password: Password,
) -> TokenOut:
    """Exchange a login and password for a bearer token (OAuth2 password flow)."""
    signed_in = await _login(
        request, database, settings, passwords, clock, (username, password), "bearer"
    )
    return TokenOut(access_token=signed_in.token, role=signed_in.user.role)


@router.post("/session", response_model=SessionOut)
async def open_browser_session(
    request: Request,
    response: Response,
    database: DatabaseDep,
    settings: SettingsDep,
    passwords: PasswordsDep,
    clock: ClockDep,
    username: Username,
    password: Password,
) -> SessionOut:
    """Sign a browser in: sets an HttpOnly SameSite cookie and returns the CSRF token."""
    signed_in = await _login(
        request, database, settings, passwords, clock, (username, password), "cookie"
    )
    user = signed_in.user
    response.set_cookie(
        SESSION_COOKIE,
        signed_in.token,
        max_age=settings.session_max_age_seconds,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        path="/",
    )
    return SessionOut(
        user_id=user.id,
        login=user.login,
        role=user.role,
        office_id=user.office_id,
        csrf_token=signed_in.csrf_token,
    )


@router.get("/me", response_model=SessionOut)
async def whoami(principal: OperatorDep) -> SessionOut:
    """The signed-in user and the CSRF token the page must send with changes."""
    return SessionOut(
        user_id=principal.user_id,
        login=principal.login,
        role=principal.role,
        office_id=principal.office_id,
        csrf_token=principal.csrf_token,
    )


@router.post("/logout", status_code=204)
async def logout(
    request: Request,
    response: Response,
    principal: OperatorDep,
    settings: SettingsDep,
    principals: PrincipalsDep,
    uow: UnitOfWorkDep,
) -> Response:
    """End this login session (cookie or bearer token)."""
    await auth.close_session(uow, settings, principals, _session_token(request))
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.post("/password", status_code=204)
async def change_password(
    request: Request,
    body: PasswordChangeIn,
    principal: OperatorDep,
    settings: SettingsDep,
    hasher: PasswordsDep,
    principals: PrincipalsDep,
    clock: ClockDep,
    uow: UnitOfWorkLaterDep,
) -> Response:
    """Change your own password; your other sessions end, this one stays signed in."""
    change = passwords.OwnChange(
        actor=principal,
        current_password=body.current_password,
        new_password=body.new_password,
        token=_session_token(request),
        client=client_address(request),
    )
    await passwords.change_own_password(uow, settings, hasher, principals, change, clock.now())
    return Response(status_code=204)


@router.post("/ws-ticket", response_model=WsTicketOut)
async def issue_ws_ticket(
    request: Request,
    _principal: OperatorDep,
    settings: SettingsDep,
    clock: ClockDep,
    uow: UnitOfWorkDep,
) -> WsTicketOut:
    """A one-use ticket that opens the staff websocket within `expires_in` seconds, on any
    worker: `/ws/offices/{office_id}/staff?ticket=...` (a URL never carries the login token)."""
    ticket = await auth.issue_ws_ticket(uow, settings, _session_token(request), clock.now())
    return WsTicketOut(ticket=ticket, expires_in=auth.WS_TICKET_SECONDS)
