"""Editing and retiring offices, topics, windows and kiosks: PATCH any subset of the fields."""

from __future__ import annotations

from fastapi import APIRouter, Request

from queue_server.api.deps import (
    AdminDep,
    ClockDep,
    IdPath,
    ManagerDep,
    ManagerOffice,
    OfficeId,
    ReadingDep,
    SettingsDep,
    UnitOfWorkDep,
)
from queue_server.api.presenters import kiosk_out, office_detail, topic_out, window_out
from queue_server.api.schemas import (
    KioskOut,
    KioskPatch,
    OfficeDetail,
    OfficePatch,
    TopicOut,
    TopicPatch,
    WindowOut,
    WindowPatch,
)
from queue_server.services import editing, queue_views

router = APIRouter(tags=["administration"])


@router.patch("/offices/{office_id}", response_model=OfficeDetail)
async def edit_office(
    office_id: OfficeId, body: OfficePatch, admin: AdminDep, clock: ClockDep, uow: UnitOfWorkDep
) -> OfficeDetail:
    """Change an office's name, address, time zone, hours (null = always open), peak periods and
    settings; the answer has every setting."""
    now = clock.now()
    wanted = body.model_dump(mode="json", exclude_unset=True)
    office = await editing.update_office(uow, admin, office_id, wanted, now)
    (view,) = await queue_views.office_views(uow.session, [office], now)
    return office_detail(office, view)


@router.get("/offices/{office_id}/settings", response_model=OfficeDetail)
async def office_settings(
    office: ManagerOffice, session: ReadingDep, clock: ClockDep
) -> OfficeDetail:
    """The office with every setting, as PATCH answers it (managers read their own office's)."""
    (view,) = await queue_views.office_views(session, [office], clock.now())
    return office_detail(office, view)


@router.get("/offices/{office_id}/topics/all", response_model=list[TopicOut])
async def all_topics(office: ManagerOffice, session: ReadingDep) -> list[TopicOut]:
    """Every topic of the office with every field, retired ones too, as a flat list."""
    return [topic_out(topic) for topic in await editing.topics_of_office(session, office.id)]


@router.patch("/topics/{topic_id}", response_model=TopicOut)
async def edit_topic(
    topic_id: IdPath, body: TopicPatch, actor: ManagerDep, clock: ClockDep, uow: UnitOfWorkDep
) -> TopicOut:
    """Change, retire (`active: false`) or restore a topic; a manager only in their office. A
    retired topic, or one under a retired menu, leaves the kiosk menu and cannot be issued; its
    waiting tickets are still served."""
    wanted = body.model_dump(mode="json", exclude_unset=True)
    return topic_out(await editing.update_topic(uow, actor, topic_id, wanted, clock.now()))


@router.patch("/windows/{window_id}", response_model=WindowOut)
async def edit_window(
    window_id: IdPath, body: WindowPatch, actor: ManagerDep, clock: ClockDep, uow: UnitOfWorkDep
) -> WindowOut:
    """Renumber, rename, retire or restore a window; a manager only in their office. Nobody
    opens a retired window or calls to it."""
    wanted = body.model_dump(mode="json", exclude_unset=True)
    return window_out(await editing.update_window(uow, actor, window_id, wanted, clock.now()))


@router.patch("/kiosks/{kiosk_id}", response_model=KioskOut)
async def edit_kiosk(
    request: Request,
    kiosk_id: IdPath,
    body: KioskPatch,
    admin: AdminDep,
    clock: ClockDep,
    settings: SettingsDep,
    uow: UnitOfWorkDep,
) -> KioskOut:
    """Rename a kiosk, change its printer (as at registration), retire or restore it; a retired
    kiosk's key issues nothing and its page says it is not set up."""
    wanted = body.model_dump(mode="json", exclude_unset=True)
    kiosk = await editing.update_kiosk(
        uow, admin, kiosk_id, wanted, clock.now(), spool_dir=settings.spool_path
    )
    return kiosk_out(request, kiosk)
