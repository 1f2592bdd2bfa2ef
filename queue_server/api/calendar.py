"""The office's calendar: dates whose hours replace their weekday's (admin, and the office's
managers)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, Field

from queue_server.api.deps import (
    ClockDep,
    DateFrom,
    DateTo,
    ManagerDep,
    ManagerOffice,
    OfficeId,
    ReadingDep,
    UnitOfWorkDep,
)
from queue_server.api.schemas import Clock, Note, Strict
from queue_server.services import calendar

router = APIRouter(tags=["administration"])
DayPath = Annotated[
    str, Path(max_length=40, description="the date, YYYY-MM-DD, in the office's own calendar")
]


class CalendarDayIn(Strict):
    hours: Annotated[list[tuple[Clock, Clock]], Field(max_length=12)]
    """The day's opening intervals, [["08:00","16:00"], ...]; [] is a day off."""
    note: Note = ""
    """Why the day differs (a holiday's name), shown on the load page."""


class CalendarDayOut(BaseModel):
    date: date
    hours: list[list[str]]
    """[] is a day off."""
    note: str
    source: str
    """"admin" (set through this API) or "production_calendar" (loaded by `queue-server seed`)."""


@router.get("/offices/{office_id}/calendar", response_model=list[CalendarDayOut])
async def list_calendar(
    office: ManagerOffice,
    session: ReadingDep,
    clock: ClockDep,
    date_from: DateFrom = None,
    date_to: DateTo = None,
) -> list[CalendarDayOut]:
    """The office's calendar days in the range, by date (default: today and the year after)."""
    days = await calendar.list_days(session, office, date_from, date_to, clock.now())
    return [CalendarDayOut.model_validate(day) for day in days]


@router.put("/offices/{office_id}/calendar/{day}", response_model=CalendarDayOut)
async def set_calendar_day(
    office_id: OfficeId,
    day: DayPath,
    body: CalendarDayIn,
    principal: ManagerDep,
    clock: ClockDep,
    uow: UnitOfWorkDep,
) -> CalendarDayOut:
    """Give one date its own hours ([] for a day off): open now, the kiosk, issuing, closing
    time and the load page follow it instead of the weekday's hours."""
    row = await calendar.set_day(
        uow,
        actor=principal,
        office_id=office_id,
        day_text=day,
        hours=[list(pair) for pair in body.hours],
        note=body.note,
        now=clock.now(),
    )
    return CalendarDayOut.model_validate(calendar.day_json(row))


@router.delete("/offices/{office_id}/calendar/{day}", status_code=204)
async def remove_calendar_day(
    office_id: OfficeId, day: DayPath, principal: ManagerDep, clock: ClockDep, uow: UnitOfWorkDep
) -> Response:
    """Give the date its weekday's hours back."""
    await calendar.remove_day(
        uow, actor=principal, office_id=office_id, day_text=day, now=clock.now()
    )
    return Response(status_code=204)
