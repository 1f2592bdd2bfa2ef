"""The `queue-server` command: migrate | seed | create-user | users | serve | demo | simulate."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from queue_server import cli_users
from queue_server.clock import SystemClock
from queue_server.db import storage
from queue_server.db.engine import Database
from queue_server.db.repositories import offices as office_repo
from queue_server.db.repositories import users as user_repo
from queue_server.errors import QueueError
from queue_server.migrate import upgrade
from queue_server.services import catalogue, seeding
from queue_server.services.access import Role
from queue_server.services.auth import Passwords
from queue_server.settings import Settings

# The office is its place in the built-in catalogue (1: the first centre, 3: the Company
# representative), not an id: offices made by hand before a seed added one shift the ids.
DEMO_ACCOUNTS = (
    ("admin", "demo-admin", Role.ADMIN, None),
    ("manager", "demo-manager", Role.MANAGER, 1),
    ("operator1", "demo-operator1", Role.OPERATOR, 1),
    ("operator2", "demo-operator2", Role.OPERATOR, 1),
    ("operator3", "demo-operator3", Role.OPERATOR, 2),
    ("consultant", "demo-consultant", Role.OPERATOR, 3),
)


def _settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:  # one line that names the setting, not a traceback
        raise SystemExit(f"error: {error.errors()[0]['msg']}") from None


async def _seed(settings: Settings) -> dict[str, int]:
    database = Database(settings.database_url)
    try:
        async with database.unit_of_work() as uow:
            now = SystemClock().now()
            added = await seeding.seed(uow, seeding.builtin_catalogue(), now)
            added["calendar_days"] = await seeding.seed_holidays(uow, now)
            return added
    finally:
        await database.dispose()


async def _catalogue_office_ids(settings: Settings) -> dict[int, int]:
    """The id of each built-in office by its place (1, 2, ...) in the catalogue."""
    database = Database(settings.database_url)
    ids: dict[int, int] = {}
    try:
        async with database.reading() as session:
            for place, spec in enumerate(seeding.builtin_catalogue()["offices"], start=1):
                office = await office_repo.find_office_by_name(session, spec["name"])
                if office is not None:
                    ids[place] = office.id
    finally:
        await database.dispose()
    return ids


async def _create_user(
    settings: Settings,
    login: str,
    password: str,
    role: Role,
    office_id: int | None,
    exist_ok: bool = False,
) -> None:
    database = Database(settings.database_url)
    try:
        async with database.unit_of_work() as uow:
            if exist_ok and await user_repo.by_login(uow.session, login) is not None:
                return
            spec = catalogue.UserSpec(
                login=login, password=password, role=role, office_id=office_id
            )
            await catalogue.create_user(uow, Passwords(settings), spec, SystemClock().now())
    finally:
        await database.dispose()


async def _ensure_demo_kiosks(settings: Settings) -> list[tuple[str, int, str]]:
    """One kiosk without a printer per office, so the demo's kiosk URLs work; each demo kiosk's
    office name, id and the fresh key printed with its URL (keys are kept only as hashes)."""
    database = Database(settings.database_url)
    keys: list[tuple[str, int, str]] = []
    try:
        async with database.unit_of_work() as uow:
            for office in await office_repo.list_offices(uow.session):
                kiosks = await office_repo.kiosks_of_office(uow.session, office.id)
                if kiosks:
                    kiosk, key = await catalogue.new_kiosk_key(
                        uow, kiosks[0].id, SystemClock().now()
                    )
                else:
                    kiosk, key = await catalogue.create_kiosk(
                        uow, office.id, "Demo kiosk", None, SystemClock().now()
                    )
                keys.append((office.name, kiosk.id, key))
    finally:
        await database.dispose()
    return keys


def _storage_ready(database_url: str) -> None:
    """Stop in one line when the database cannot be written (read-only, full, unreachable)."""
    problem = storage.startup_problem(database_url)
    if problem:
        raise SystemExit(f"error: {problem}")


def cmd_migrate(_args: argparse.Namespace) -> int:
    settings = _settings()
    _storage_ready(settings.database_url)
    upgrade(settings.database_url)
    print(f"database is at the newest schema: {settings.database_url}")
    return 0


def cmd_seed(_args: argparse.Namespace) -> int:
    added = asyncio.run(_seed(_settings()))
    print(
        f"catalogue loaded: {added['offices']} offices, {added['windows']} windows, "
        f"{added['topics']} topics added (existing ones kept)"
    )
    print(
        f"production calendar: {added['calendar_days']} holidays and shortened days added or "
        "updated for offices in Russian time zones (dates set by an admin kept)"
    )
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n")
    try:
        asyncio.run(_create_user(_settings(), args.login, password, Role(args.role), args.office))
    except QueueError as error:
        print(f"error: {error.detail}", file=sys.stderr)
        return 2
    print(f"user '{args.login}' created with role {args.role}")
    return 0


def _serve(host: str, port: int, workers: int) -> None:
    import uvicorn

    settings = _settings()
    problem = settings.startup_problem()
    if problem:
        raise SystemExit(f"error: {problem}")
    _storage_ready(settings.database_url)
    if settings.is_sqlite:
        upgrade(settings.database_url)
    uvicorn.run(
        "queue_server.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        # X-Forwarded-For names the client only when a configured proxy sent it: anyone else
        # could claim any address and slip past the per-address sign-in limits.
        proxy_headers=bool(settings.trusted_proxy_list),
        forwarded_allow_ips=settings.trusted_proxy_list or None,
        # A busy 2-core host can miss uvicorn's default 5 s health check and kill a healthy worker.
        timeout_worker_healthcheck=30,
    )


def cmd_serve(args: argparse.Namespace) -> int:
    _serve(args.host, args.port, args.workers)
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    os.environ.setdefault("QUEUE_ENV", "demo")
    settings = _settings()
    if settings.env != "demo":
        print(
            f"error: queue-server demo creates accounts whose passwords it prints, so it runs "
            f"only with QUEUE_ENV=demo (it is '{settings.env}'); for a real deployment use "
            "queue-server migrate, seed, create-user and serve",
            file=sys.stderr,
        )
        return 2
    _storage_ready(settings.database_url)
    upgrade(settings.database_url)
    asyncio.run(_seed(settings))
    office_ids = asyncio.run(_catalogue_office_ids(settings))
    accounts = [
        (login, password, role, office_ids[place] if place else None)
        for login, password, role, place in DEMO_ACCOUNTS
    ]
    for login, password, role, office in accounts:
        asyncio.run(_create_user(settings, login, password, role, office, exist_ok=True))
    kiosk_keys = asyncio.run(_ensure_demo_kiosks(settings))
    base = (
        f"http://{'localhost' if args.host in ('0.0.0.0', '127.0.0.1') else args.host}:{args.port}"
    )
    print("\nQueue server demo (embedded SQLite)\n")
    for office_name, kiosk_id, key in kiosk_keys:
        print(f"  kiosk      {base}/kiosk/{kiosk_id}?key={key}  ({office_name})")
    print(f"  display    {base}/display/1")
    print(f"  console    {base}/console")
    print(f"  dashboard  {base}/dashboard")
    print(f"  load       {base}/load/1")
    print(f"  API docs   {base}/docs\n")
    print("  demo logins (demo only; never use these passwords in production):")
    for login, password, role, office in accounts:
        where = f"office {office}" if office else "all offices"
        print(f"    {login:<10} {password:<16} {role.value}, {where}")
    print()
    _serve(args.host, args.port, 1)
    return 0


def cmd_simulate(args: argparse.Namespace) -> int:
    from queue_server import simulation

    code: int = simulation.main(args.scenario, args.out)
    return code


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="queue-server", description=__doc__)
    commands = root.add_subparsers(dest="command", required=True)
    commands.add_parser("migrate", help="apply the Alembic migrations").set_defaults(
        run=cmd_migrate
    )
    commands.add_parser("seed", help="load the built-in catalogue").set_defaults(run=cmd_seed)
    create = commands.add_parser("create-user", help="create a user; password read from stdin")
    create.add_argument("--login", required=True)
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--office", type=int, default=None)
    create.set_defaults(run=cmd_create_user)
    cli_users.add_commands(commands, _settings)
    for name, run in (("serve", cmd_serve), ("demo", cmd_demo)):
        sub = commands.add_parser(name)
        sub.add_argument("--host", default="127.0.0.1")
        sub.add_argument("--port", type=int, default=8000)
        if name == "serve":
            sub.add_argument("--workers", type=int, default=1)
        sub.set_defaults(run=run)
    simulate = commands.add_parser("simulate", help="replay a day in virtual time")
    simulate.add_argument("scenario")
    simulate.add_argument("--out", default=None)
    simulate.set_defaults(run=cmd_simulate)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        result: int = args.run(args)
    except Exception as error:  # the storage failing midway: one line, not a traceback
        problem = storage.explain(error)
        if problem is None:
            raise
        print(f"error: {problem}", file=sys.stderr)
        return 1
    return result


if __name__ == "__main__":
    raise SystemExit(main())
