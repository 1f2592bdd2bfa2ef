"""Administration: offices, topics, windows, users and kiosks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core import schedule
from queue_server.core.credentials import password_problem
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import Kiosk, Office, Skill, Topic, User, Window
from queue_server.db.repositories import offices as office_repo
from queue_server.db.repositories import users as user_repo
from queue_server.errors import AlreadyExists, PrinterNotAllowed, Unprocessable, WeakPassword
from queue_server.printing.urls import NotAPrinter, allowed_printer
from queue_server.services import audit, issuing, lookups
from queue_server.services.access import Principal, Role
from queue_server.services.auth import Passwords


@dataclass(frozen=True, slots=True)
class OfficeSpec:
    name: str
    address: str
    timezone: str
    hours: dict[str, Any] | None
    peak: list[list[str]] = field(default_factory=list)
    max_priority_in_row: int = 2
    recall_limit: int = 2
    recall_timeout_seconds: int = 180
    auto_no_show: bool = False
    kiosk_tickets_per_minute: int = 30
    remote_open: bool = True
    remote_tickets_per_hour: int = 3


def _check(parse: Any, value: Any) -> None:
    try:
        parse(value)
    except ValueError as error:
        raise Unprocessable(str(error)) from error


async def create_office(uow: UnitOfWork, spec: OfficeSpec, now: datetime) -> Office:
    """Add an office after checking its time zone, hours and peak periods."""
    _check(schedule.validate_timezone, spec.timezone)
    _check(schedule.parse_hours, spec.hours)
    _check(schedule.parse_periods, spec.peak)
    office = Office(
        name=spec.name,
        address=spec.address,
        timezone=spec.timezone,
        hours=schedule.hours_as_json(schedule.parse_hours(spec.hours)),
        peak=spec.peak,
        max_priority_in_row=spec.max_priority_in_row,
        recall_limit=spec.recall_limit,
        recall_timeout_seconds=spec.recall_timeout_seconds,
        auto_no_show=spec.auto_no_show,
        kiosk_tickets_per_minute=spec.kiosk_tickets_per_minute,
        remote_open=spec.remote_open,
        remote_tickets_per_hour=spec.remote_tickets_per_hour,
        created_at=now,
    )
    uow.session.add(office)
    await uow.session.flush()
    return office


@dataclass(frozen=True, slots=True)
class TopicSpec:
    name_ru: str
    name_en: str
    prefix: str
    parent_id: int | None = None
    target_peak_seconds: int | None = None
    target_offpeak_seconds: int | None = None
    operations: list[dict[str, str]] = field(default_factory=list)


async def create_topic(
    uow: UnitOfWork,
    office_id: int,
    spec: TopicSpec,
    now: datetime,
    *,
    actor: Principal | None = None,
) -> Topic:
    """Add a topic; a topic with children becomes a menu on the kiosk (`actor`: who, for the
    audit; None: the server itself)."""
    await lookups.office(uow.session, office_id)
    if spec.parent_id is not None:
        parent = await uow.session.get(Topic, spec.parent_id)
        if parent is None or parent.office_id != office_id:
            raise Unprocessable(f"parent_id {spec.parent_id} is not a topic of office {office_id}")
    topic = Topic(
        office_id=office_id,
        parent_id=spec.parent_id,
        name_ru=spec.name_ru,
        name_en=spec.name_en,
        prefix=spec.prefix,
        target_peak_seconds=spec.target_peak_seconds,
        target_offpeak_seconds=spec.target_offpeak_seconds,
        operations=spec.operations,
        sort_order=await office_repo.next_topic_sort_order(uow.session, office_id),
        active=True,
    )
    uow.session.add(topic)
    await uow.session.flush()
    await _announce_change(uow, office_id, "topic", topic.id, now, actor)
    return topic


async def create_window(
    uow: UnitOfWork,
    office_id: int,
    number: int,
    name: str,
    now: datetime,
    *,
    actor: Principal | None = None,
) -> Window:
    """Add a service window; numbers are unique within an office."""
    await lookups.office(uow.session, office_id)
    if await office_repo.window_by_number(uow.session, office_id, number) is not None:
        raise AlreadyExists(f"office {office_id} already has a window number {number}")
    window = Window(office_id=office_id, number=number, name=name or f"{number}")
    uow.session.add(window)
    try:
        await uow.session.flush()
    except IntegrityError as error:  # a concurrent create of the same number
        raise AlreadyExists(f"office {office_id} already has a window number {number}") from error
    await _announce_change(uow, office_id, "window", window.id, now, actor)
    return window


@dataclass(frozen=True, slots=True)
class UserSpec:
    login: str
    password: str
    role: Role
    office_id: int | None = None
    skills: Sequence[tuple[int, int]] = ()
    display_name: str = ""


async def create_user(
    uow: UnitOfWork,
    passwords: Passwords,
    spec: UserSpec,
    now: datetime,
    *,
    actor: Principal | None = None,
) -> User:
    """Add a user with an argon2id password hash and optional topic skills."""
    problem = password_problem(spec.password, spec.login)
    if problem:
        raise WeakPassword(problem)
    if spec.office_id is not None:
        await lookups.office(uow.session, spec.office_id)
    if await user_repo.by_login(uow.session, spec.login) is not None:
        raise AlreadyExists(f"the login '{spec.login}' is taken")
    for topic_id, _priority in spec.skills:
        if spec.office_id is None:
            raise Unprocessable("skills need the user's office_id")
        await lookups.topic_in_office(uow.session, spec.office_id, topic_id)
    user = User(
        login=spec.login,
        password_hash=await passwords.hash(spec.password),
        role=spec.role.value,
        office_id=spec.office_id,
        display_name=spec.display_name or spec.login,
        active=True,
        priority_streak=0,
        created_at=now,
    )
    uow.session.add(user)
    try:
        await uow.session.flush()
    except IntegrityError as error:  # a concurrent create of the same login
        raise AlreadyExists(f"the login '{spec.login}' is taken") from error
    for topic_id, priority in dict(spec.skills).items():
        uow.session.add(Skill(user_id=user.id, topic_id=topic_id, priority=priority))
    await uow.session.flush()
    if spec.office_id is not None:
        await _announce_change(uow, spec.office_id, "user", user.id, now, actor)
    return user


def check_printer(printer: str | None, spool_dir: Path | None) -> None:
    """422 unless `printer` is None or a printer this server may write to (file:// only inside
    `spool_dir`): a printer URL must never be a way to overwrite a file."""
    if printer is None:
        return
    try:
        allowed_printer(printer, spool_dir)
    except NotAPrinter as error:
        raise PrinterNotAllowed(str(error)) from error
    except ValueError as error:
        raise Unprocessable(str(error)) from error


async def create_kiosk(
    uow: UnitOfWork,
    office_id: int,
    name: str,
    printer: str | None,
    now: datetime,
    *,
    spool_dir: Path | None = None,
    actor: Principal | None = None,
) -> tuple[Kiosk, str]:
    """Register a kiosk and its printer (file printers only inside `spool_dir`; None: none);
    the kiosk and its key, which is shown this once."""
    check_printer(printer, spool_dir)
    await lookups.office(uow.session, office_id)
    key, key_hash = issuing.new_kiosk_key()
    kiosk = Kiosk(
        office_id=office_id,
        name=name,
        printer=printer,
        printer_status="none" if printer is None else "unknown",
        printer_detail="",
        printer_failures=0,
        key_hash=key_hash,
    )
    uow.session.add(kiosk)
    await uow.session.flush()
    await _announce_change(uow, office_id, "kiosk", kiosk.id, now, actor)
    return kiosk, key


async def new_kiosk_key(
    uow: UnitOfWork, kiosk_id: int, now: datetime, actor: Principal | None = None
) -> tuple[Kiosk, str]:
    """Give the kiosk a new key (the old one stops issuing at once); the key, shown this once.
    The audit notes that it changed, never the key."""
    kiosk = await lookups.kiosk(uow.session, kiosk_id)
    key, kiosk.key_hash = issuing.new_kiosk_key()
    await audit.record(
        uow,
        actor=actor,
        office_id=kiosk.office_id,
        object_type="kiosk",
        object_id=kiosk.id,
        now=now,
        action="key_renewed",
        changes={"key": ["***", "***"]},
    )
    return kiosk, key


async def _announce_change(
    uow: UnitOfWork,
    office_id: int,
    what: str,
    item_id: int,
    now: datetime,
    actor: Principal | None = None,
) -> None:
    """An audit entry and an `office.changed` event: it moves the office's seq, so open screens
    fetch the office again (a display learns a new topic) and status-page forecasts count a new
    operator."""
    await audit.record(
        uow, actor=actor, office_id=office_id, object_type=what, object_id=item_id, now=now
    )


async def windows_of_office(session: AsyncSession, office_id: int) -> Sequence[Window]:
    """The office's windows and who holds each."""
    return await office_repo.windows_of_office(session, office_id)


async def kiosks_of_office(session: AsyncSession, office_id: int) -> Sequence[Kiosk]:
    """The office's kiosks with their printer state."""
    return await office_repo.kiosks_of_office(session, office_id)


async def check_in_kiosk(uow: UnitOfWork, kiosk_id: int, now: datetime) -> tuple[Kiosk, Office]:
    """Note that the kiosk's page is alive (the dashboard shows it online)."""
    kiosk = await lookups.kiosk(uow.session, kiosk_id)
    kiosk.last_seen_at = now
    return kiosk, await lookups.office(uow.session, kiosk.office_id)
