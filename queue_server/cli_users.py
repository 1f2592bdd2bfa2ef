"""`queue-server users list | set-password LOGIN | deactivate LOGIN`: accounts on a server
without a browser, through the same use cases (and rules) as the API."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, TypeVar

from queue_server.clock import SystemClock
from queue_server.db.engine import Database
from queue_server.errors import QueueError
from queue_server.services import passwords, users
from queue_server.services.auth import Passwords
from queue_server.services.principal_cache import PrincipalCache
from queue_server.settings import Settings

T = TypeVar("T")
COLUMNS = ("id", "login", "role", "office", "active")


async def _on_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    database = Database(settings.database_url)
    try:
        return await work(database)
    finally:
        await database.dispose()


async def _id_of(database: Database, login: str) -> int:
    async with database.reading() as session:
        return await users.id_of(session, login)


async def _all_users(database: Database) -> list[dict[str, Any]]:
    async with database.reading() as session:
        return await users.list_users(session, None, None)


async def _set_password(database: Database, settings: Settings, login: str, password: str) -> None:
    user_id = await _id_of(database, login)
    # This process remembers no logins; the servers' workers see the auth epoch move.
    async with database.unit_of_work(begin=False) as uow:
        await passwords.reset_password(
            uow, Passwords(settings), PrincipalCache(), None, user_id, password, SystemClock().now()
        )


async def _deactivate(database: Database, login: str) -> None:
    user_id = await _id_of(database, login)
    async with database.unit_of_work() as uow:
        changes = {"active": False}
        await users.edit_user(uow, PrincipalCache(), None, user_id, changes, SystemClock().now())


def table(rows: list[dict[str, Any]]) -> str:
    """The users as a plain text table: id, login, role, office, active."""
    cells = [
        [
            str(row["id"]),
            row["login"],
            row["role"],
            "-" if row["office_id"] is None else str(row["office_id"]),
            "yes" if row["active"] else "no",
        ]
        for row in rows
    ]
    lines = [list(COLUMNS), *cells]
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def _run(work: Coroutine[Any, Any, T]) -> tuple[T | None, int]:
    """Run `work`; on a refusal print its reason and give exit status 2."""
    try:
        return asyncio.run(work), 0
    except QueueError as error:
        print(f"error: {error.detail}", file=sys.stderr)
        return None, 2


def add_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    settings: Callable[[], Settings],
) -> None:
    """Add `users list|set-password|deactivate` to the `queue-server` command."""
    group = commands.add_parser("users", help="list users, set a password, deactivate a user")
    actions = group.add_subparsers(dest="action", required=True)

    def listing(_args: argparse.Namespace) -> int:
        found, status = _run(_on_database(settings(), _all_users))
        if found is not None:
            print(table(found))
        return status

    def set_password(args: argparse.Namespace) -> int:
        password, config = sys.stdin.readline().rstrip("\n"), settings()
        _done, status = _run(
            _on_database(config, lambda db: _set_password(db, config, args.login, password))
        )
        if status == 0:
            print(f"password of '{args.login}' changed; every session of theirs has ended")
        return status

    def deactivate(args: argparse.Namespace) -> int:
        _done, status = _run(_on_database(settings(), lambda db: _deactivate(db, args.login)))
        if status == 0:
            print(f"user '{args.login}' deactivated; every session of theirs has ended")
        return status

    actions.add_parser("list", help="id, login, role, office, active").set_defaults(run=listing)
    chosen = actions.add_parser("set-password", help="a new password, read from stdin")
    chosen.add_argument("login")
    chosen.set_defaults(run=set_password)
    retired = actions.add_parser("deactivate", help="sign the user out everywhere, for good")
    retired.add_argument("login")
    retired.set_defaults(run=deactivate)
