"""Signing in: OAuth2 password flow for API clients, a session cookie for the browser pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.api.deps import (
    SESSION_COOKIE,
    ClockDep,
    OperatorDep,
    PasswordsDep,
    PrincipalsDep,
    ReadingDep,
    SettingsDep,
    UnitOfWorkDep,
    UnitOfWorkLaterDep,
    client_address,
)
from queue_server.api.schemas import SessionOut, TokenOut
from queue_server.clock import Clock
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import User
from queue_server.errors import InvalidCredentials, TooManyAttempts, Unprocessable
from queue_server.services import auth
from queue_server.settings import Settings

router = APIRouter(prefix="/auth", tags=["auth"])

Username = Annotated[str, Form(min_length=1, max_length=100)]
Password = Annotated[str, Form(min_length=1, max_length=200)]


async def _login(
    request: Request,
    session: AsyncSession,
    uow: UnitOfWork,
    settings: Settings,
    passwords: auth.Passwords,
    clock: Clock,
    credentials: tuple[str, str],
    kind: str,
) -> tuple[User, str, str]:
    username, password = credentials
    if "\x00" in username or "\x00" in password:
        raise Unprocessable("the login and password must not contain NUL characters")
    now, client = clock.now(), client_address(request)
    outcome = await auth.check_login(session, settings, passwords, username, password, client, now)
    await uow.begin()
    await auth.record_login(uow, settings, outcome, username, client, now)
    tokens = (
        await auth.open_session(uow, settings, outcome.user, kind, now) if outcome.user else None
    )
    await uow.commit()  # before refusing, so the failed attempt stays counted
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
    session: ReadingDep,
    uow: UnitOfWorkLaterDep,
    settings: SettingsDep,
    passwords: PasswordsDep,
    clock: ClockDep,
    username: Username,
    password: Password,
) -> TokenOut:
    """Exchange a login and password for a bearer token (OAuth2 password flow)."""
    user, token, _csrf = await _login(
        request, session, uow, settings, passwords, clock, (username, password), "bearer"
    )
    return TokenOut(access_token=token, role=user.role)


@router.post("/session", response_model=SessionOut)
async def open_browser_session(
    request: Request,
    response: Response,
    session: ReadingDep,
    uow: UnitOfWorkLaterDep,
    settings: SettingsDep,
    passwords: PasswordsDep,
    clock: ClockDep,
    username: Username,
    password: Password,
) -> SessionOut:
    """Sign a browser in: sets an HttpOnly SameSite cookie and returns the CSRF token."""
    user, token, csrf = await _login(
        request, session, uow, settings, passwords, clock, (username, password), "cookie"
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
    settings: SettingsDep,
    principals: PrincipalsDep,
    uow: UnitOfWorkDep,
) -> Response:
    """End this login session (cookie or bearer token)."""
    header = request.headers.get("authorization", "")
    token = header.partition(" ")[2].strip() or request.cookies.get(SESSION_COOKIE, "")
    await auth.close_session(uow, settings, principals, token)
    response = Response(status_code=204)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
