"""Administration: offices, topics, windows, users, kiosks."""

from __future__ import annotations

from fastapi import APIRouter, Request

from queue_server.api.deps import (
    AdminDep,
    ClockDep,
    IdPath,
    ManagerOffice,
    OfficeId,
    PasswordsDep,
    ReadingDep,
    SettingsDep,
    UnitOfWorkDep,
)
from queue_server.api.presenters import kiosk_out
from queue_server.api.schemas import (
    KioskIn,
    KioskOut,
    OfficeIn,
    OfficeOut,
    TopicIn,
    TopicOut,
    UserIn,
    UserOut,
    WindowIn,
    WindowOut,
)
from queue_server.db.models import Topic
from queue_server.services import catalogue, queue_views
from queue_server.services.access import Role

router = APIRouter(tags=["administration"])


def topic_out(topic: Topic) -> TopicOut:
    return TopicOut(
        id=topic.id,
        office_id=topic.office_id,
        parent_id=topic.parent_id,
        prefix=topic.prefix,
        name={"ru": topic.name_ru, "en": topic.name_en},
        target_wait_seconds={
            "peak": topic.target_peak_seconds,
            "offpeak": topic.target_offpeak_seconds,
        },
        operations=list(topic.operations or []),
    )


@router.post("/offices", status_code=201, response_model=OfficeOut)
async def create_office(
    body: OfficeIn, _admin: AdminDep, clock: ClockDep, uow: UnitOfWorkDep
) -> OfficeOut:
    """Add an office with its time zone and opening hours (null = always open)."""
    spec = catalogue.OfficeSpec(
        name=body.name,
        address=body.address,
        timezone=body.timezone,
        hours=None
        if body.hours is None
        else {d: [list(i) for i in v] for d, v in body.hours.items()},
        peak=[list(p) for p in body.peak],
        max_priority_in_row=body.max_priority_in_row,
        recall_limit=body.recall_limit,
        recall_timeout_seconds=body.recall_timeout_seconds,
        auto_no_show=body.auto_no_show,
        kiosk_tickets_per_minute=body.kiosk_tickets_per_minute,
        remote_open=body.remote_open,
        remote_tickets_per_hour=body.remote_tickets_per_hour,
    )
    now = clock.now()
    office = await catalogue.create_office(uow, spec, now)
    return OfficeOut(**queue_views.office_view(office, now))


@router.post("/offices/{office_id}/topics", status_code=201, response_model=TopicOut)
async def create_topic(
    office_id: OfficeId, body: TopicIn, _admin: AdminDep, clock: ClockDep, uow: UnitOfWorkDep
) -> TopicOut:
    """Add a topic; one with children is a menu on the kiosk, a leaf is issuable."""
    target = body.target_wait_seconds
    spec = catalogue.TopicSpec(
        name_ru=body.name.ru,
        name_en=body.name.en or body.name.ru,
        prefix=body.prefix,
        parent_id=body.parent_id,
        target_peak_seconds=target.peak if target else None,
        target_offpeak_seconds=target.offpeak if target else None,
        operations=[{"ru": o.ru, "en": o.en or o.ru} for o in body.operations],
    )
    topic = await catalogue.create_topic(uow, office_id, spec, clock.now())
    return topic_out(topic)


@router.post("/offices/{office_id}/windows", status_code=201, response_model=WindowOut)
async def create_window(
    office_id: OfficeId, body: WindowIn, _admin: AdminDep, clock: ClockDep, uow: UnitOfWorkDep
) -> WindowOut:
    """Add a service window."""
    window = await catalogue.create_window(uow, office_id, body.number, body.name, clock.now())
    return WindowOut(id=window.id, number=window.number, name=window.name, office_id=office_id)


@router.post("/users", status_code=201, response_model=UserOut)
async def create_user(
    body: UserIn,
    _admin: AdminDep,
    passwords: PasswordsDep,
    clock: ClockDep,
    uow: UnitOfWorkDep,
) -> UserOut:
    """Add a user; an operator without skills serves every topic of the office."""
    spec = catalogue.UserSpec(
        login=body.login,
        password=body.password,
        role=Role(body.role),
        office_id=body.office_id,
        skills=[(s.topic_id, s.priority) for s in body.skills],
        display_name=body.display_name,
    )
    user = await catalogue.create_user(uow, passwords, spec, clock.now())
    return UserOut(
        id=user.id,
        login=user.login,
        role=user.role,
        office_id=user.office_id,
        display_name=user.display_name,
        skills=[{"topic_id": t, "priority": p} for t, p in dict(spec.skills).items()],
    )


@router.post("/offices/{office_id}/kiosks", status_code=201, response_model=KioskOut)
async def create_kiosk(
    request: Request,
    office_id: OfficeId,
    body: KioskIn,
    _admin: AdminDep,
    clock: ClockDep,
    settings: SettingsDep,
    uow: UnitOfWorkDep,
) -> KioskOut:
    """Register a kiosk and its ESC/POS printer (tcp://, usb://, serial:// a serial port,
    file:// inside the spool directory, or null)."""
    kiosk, key = await catalogue.create_kiosk(
        uow, office_id, body.name, body.printer, clock.now(), spool_dir=settings.spool_path
    )
    return kiosk_out(request, kiosk, key=key)


@router.post("/kiosks/{kiosk_id}/key", response_model=KioskOut)
async def new_kiosk_key(
    request: Request, kiosk_id: IdPath, _admin: AdminDep, uow: UnitOfWorkDep
) -> KioskOut:
    """A new key for the kiosk, shown this once; the old key stops issuing at once."""
    kiosk, key = await catalogue.new_kiosk_key(uow, kiosk_id)
    return kiosk_out(request, kiosk, key=key)


@router.get("/offices/{office_id}/kiosks", response_model=list[KioskOut])
async def list_kiosks(
    request: Request, office: ManagerOffice, session: ReadingDep
) -> list[KioskOut]:
    """Kiosks of the office with their printer state (online, failures, last ticket)."""
    return [kiosk_out(request, k) for k in await catalogue.kiosks_of_office(session, office.id)]
