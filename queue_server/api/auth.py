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
    SettingsDep,
    client_address,
)
from queue_server.api.schemas import SessionOut, TokenOut
from queue_server.db.models import User
from queue_server.errors import InvalidCredentials, TooManyAttempts, Unprocessable
from queue_server.services import auth

router = APIRouter(prefix="/auth", tags=["auth"])

Username = Annotated[str, Form(min_length=1, max_length=100)]
Password = Annotated[str, Form(min_length=1, max_length=200)]


async def _login(
    request: Request,
    database: DatabaseDep,
    settings: SettingsDep,
    passwords: PasswordsDep,
    clock: ClockDep,
    username: str,
    password: str,
    kind: str,
) -> tuple[User, str, str]:
    if "\x00" in username or "\x00" in password:
        raise Unprocessable("the login and password must not contain NUL characters")
    now = clock.now()
    async with database.unit_of_work() as uow:
        outcome = await auth.attempt_login(
            uow, settings, passwords, username, password, client_address(request), now
        )
        tokens = (
            await auth.open_session(uow, settings, outcome.user, kind, now)
            if outcome.user
            else None
        )
    # Raised only after the commit, so the failed attempt stays counted.
    if outcome.throttled:
        minutes = max(1, round(settings.login_throttle_window_seconds / 60))
        raise TooManyAttempts(
            "Too many failed sign-ins; wait {minutes} minutes and try again.", minutes=minutes
        )
    if outcome.user is None or tokens is None:
        raise InvalidCredentials("wrong login or password")
    return outcome.user, tokens[0], tokens[1]


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
    user, token, _csrf = await _login(
        request, database, settings, passwords, clock, username, password, "bearer"
    )
    return TokenOut(access_token=token, role=user.role)


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
    user, token, csrf = await _login(
        request, database, settings, passwords, clock, username, password, "cookie"
    )
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_max_age_seconds,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        path="/",
    )
    return SessionOut(
        user_id=user.id, login=user.login, role=user.role, office_id=user.office_id, csrf_token=csrf
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
    database: DatabaseDep,
    settings: SettingsDep,
) -> Response:
    """End this login session (cookie or bearer token)."""
    header = request.headers.get("authorization", "")
    token = header.partition(" ")[2].strip() or request.cookies.get(SESSION_COOKIE, "")
    async with database.unit_of_work() as uow:
        await auth.close_session(uow, settings, token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
