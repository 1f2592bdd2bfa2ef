"""What a kiosk page needs to start: its office, whether it is open, and when it opens next."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from pydantic import BaseModel

from queue_server.api.deps import ClockDep, IdPath, ReadingDep, UnitOfWorkDep
from queue_server.core import schedule
from queue_server.db.models import Kiosk, Office
from queue_server.services import calendar, catalogue, lookups

router = APIRouter(tags=["visitors"])


class KioskOffice(BaseModel):
    id: int
    name: str
    address: str
    timezone: str
    hours: dict[str, Any] | None
    open_now: bool


class KioskPublicOut(BaseModel):
    id: int
    name: str
    office_id: int
    office: KioskOffice
    has_printer: bool
    printer_status: str
    today: date
    """The office's local date now: the page words the next opening as today or tomorrow."""
    opens_at: datetime | None
    """When the office next opens, in its own UTC offset; null when open or never opening."""
    closes_at: datetime | None
    """When today's last opening interval ends, in the office's offset; null if closed today."""
    active: bool = True
    """False once the kiosk is retired: it issues nothing and its page says it is not set up."""


@router.get("/kiosks/{kiosk_id}", response_model=KioskPublicOut)
async def kiosk_info(kiosk_id: IdPath, session: ReadingDep, clock: ClockDep) -> KioskPublicOut:
    """A kiosk, its office and opening state: what the touchscreen page shows before any tap."""
    kiosk = await lookups.kiosk(session, kiosk_id)
    office = await lookups.office(session, kiosk.office_id)
    now = clock.now()
    return _kiosk_public(kiosk, office, now, await calendar.hours_near(session, office, now))


@router.post("/kiosks/{kiosk_id}/check-in", response_model=KioskPublicOut)
async def kiosk_check_in(kiosk_id: IdPath, clock: ClockDep, uow: UnitOfWorkDep) -> KioskPublicOut:
    """What GET /kiosks/{id} answers, noting that the kiosk is alive (the dashboard shows it)."""
    now = clock.now()
    kiosk, office = await catalogue.check_in_kiosk(uow, kiosk_id, now)
    return _kiosk_public(kiosk, office, now, await calendar.hours_near(uow.session, office, now))


def _kiosk_public(
    kiosk: Kiosk, office: Office, now: datetime, hours: schedule.OpeningHours
) -> KioskPublicOut:
    """The kiosk's start-up state by the office's hours and calendar days."""
    zone = ZoneInfo(office.timezone)
    open_now = schedule.is_open(hours, now, zone)
    today = schedule.service_day(now, zone)
    return KioskPublicOut(
        id=kiosk.id,
        name=kiosk.name,
        office_id=office.id,
        office=KioskOffice(
            id=office.id,
            name=office.name,
            address=office.address,
            timezone=office.timezone,
            hours=office.hours,
            open_now=open_now,
        ),
        has_printer=bool(kiosk.printer),
        printer_status=kiosk.printer_status,
        today=today,
        opens_at=None if open_now else schedule.next_opening(hours, now, zone),
        closes_at=None
        if hours.always_open_on(today)
        else schedule.closing_time(hours, today, zone),
        active=kiosk.active,
    )
