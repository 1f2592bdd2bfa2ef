"""Administration: offices, topics, windows, kiosks (users: api/users.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request

from queue_server.api.deps import (
    AdminDep,
    ClockDep,
    IdPath,
    ManagerOffice,
    OfficeId,
    ReadingDep,
    SettingsDep,
    UnitOfWorkDep,
)
from queue_server.api.presenters import kiosk_out, topic_out, window_out
from queue_server.api.schemas import (
    KioskIn,
    KioskOut,
    OfficeIn,
    OfficeOut,
    TopicIn,
    TopicOut,
    WindowIn,
    WindowOut,
)
from queue_server.services import catalogue, queue_views

router = APIRouter(tags=["administration"])


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
    office_id: OfficeId, body: TopicIn, admin: AdminDep, clock: ClockDep, uow: UnitOfWorkDep
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
    topic = await catalogue.create_topic(uow, office_id, spec, clock.now(), actor=admin)
    return topic_out(topic)


@router.post("/offices/{office_id}/windows", status_code=201, response_model=WindowOut)
async def create_window(
    office_id: OfficeId, body: WindowIn, admin: AdminDep, clock: ClockDep, uow: UnitOfWorkDep
) -> WindowOut:
    """Add a service window."""
    window = await catalogue.create_window(
        uow, office_id, body.number, body.name, clock.now(), actor=admin
    )
    return window_out(window)


@router.post("/offices/{office_id}/kiosks", status_code=201, response_model=KioskOut)
async def create_kiosk(
    request: Request,
    office_id: OfficeId,
    body: KioskIn,
    admin: AdminDep,
    clock: ClockDep,
    settings: SettingsDep,
    uow: UnitOfWorkDep,
) -> KioskOut:
    """Register a kiosk and its ESC/POS printer (tcp://, usb://, serial:// a serial port,
    file:// inside the spool directory, or null)."""
    kiosk, key = await catalogue.create_kiosk(
        uow,
        office_id,
        body.name,
        body.printer,
        clock.now(),
        spool_dir=settings.spool_path,
        actor=admin,
    )
    return kiosk_out(request, kiosk, key=key)


@router.post("/kiosks/{kiosk_id}/key", response_model=KioskOut)
async def new_kiosk_key(
    request: Request, kiosk_id: IdPath, admin: AdminDep, clock: ClockDep, uow: UnitOfWorkDep
) -> KioskOut:
    """A new key for the kiosk, shown this once; the old key stops issuing at once."""
    kiosk, key = await catalogue.new_kiosk_key(uow, kiosk_id, clock.now(), admin)
    return kiosk_out(request, kiosk, key=key)


@router.get("/offices/{office_id}/kiosks", response_model=list[KioskOut])
async def list_kiosks(
    request: Request, office: ManagerOffice, session: ReadingDep
) -> list[KioskOut]:
    """Kiosks of the office with their printer state (online, failures, last ticket)."""
    return [kiosk_out(request, k) for k in await catalogue.kiosks_of_office(session, office.id)]
