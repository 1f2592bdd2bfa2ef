"""The office's calendar: dates whose hours replace their weekday's (a holiday, a shortened or a
special day), as every opening question sees them, set by admins and an office's managers.

Callers load the calendar days near the moment they ask about (`hours_near`; the kiosk's tap only
today's, `hours_today`) and hand the `schedule.OpeningHours` to the pure schedule functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core import schedule
from queue_server.core.audit import CHANGED, CREATED, DELETED, changes_between
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import CalendarDay, Office
from queue_server.db.repositories import calendar as repo
from queue_server.errors import Conflict, NotFound, Unprocessable
from queue_server.services import audit, lookups
from queue_server.services.access import Principal, require_office

ADMIN = "admin"
# Looking back: the days whose waiting tickets may still have to expire (schedule.last_closed_day).
NEAR_BEFORE = timedelta(days=len(schedule.WEEKDAYS) + 1)
# Looking ahead: the next real opening, past a New Year break and then some.
NEAR_AFTER = timedelta(days=62)
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_LISTED_DAYS = 3 * 366


def _today(office: Office, now: datetime) -> date:
    return schedule.service_day(now, ZoneInfo(office.timezone))


def _opening(office: Office, days: dict[date, list[Any]]) -> schedule.OpeningHours:
    parsed = {day: schedule.parse_intervals(hours, day.isoformat()) for day, hours in days.items()}
    return schedule.OpeningHours(schedule.parse_hours(office.hours), parsed)


async def hours_between(
    session: AsyncSession, office: Office, first: date, last: date
) -> schedule.OpeningHours:
    """The office's weekly hours with its calendar days `first`..`last`."""
    return _opening(office, await repo.hours_between(session, office.id, first, last))


async def hours_today(
    session: AsyncSession, office: Office, now: datetime
) -> schedule.OpeningHours:
    """Enough to say whether the office is open now (one primary-key read): today's day only."""
    today = _today(office, now)
    return await hours_between(session, office, today, today)


async def hours_near(session: AsyncSession, office: Office, now: datetime) -> schedule.OpeningHours:
    """Enough for every opening question about `now`: open, next opening, closing, expiry."""
    today = _today(office, now)
    return await hours_between(session, office, today - NEAR_BEFORE, today + NEAR_AFTER)


async def hours_of_offices(
    session: AsyncSession, offices: Sequence[Office], now: datetime
) -> dict[int, schedule.OpeningHours]:
    """Whether each office is open now, for a list of offices: today's days, one query."""
    if not offices:
        return {}
    days = {office.id: _today(office, now) for office in offices}
    found = await repo.hours_of_offices(session, list(days), min(days.values()), max(days.values()))
    return {
        office.id: _opening(
            office,
            {d: h for d, h in found.get(office.id, {}).items() if d == days[office.id]},
        )
        for office in offices
    }


# --- reading and editing ----------------------------------------------------------------------


def parse_date(text: str) -> date:
    """A calendar date from the path, or 422 saying what to send."""
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise Unprocessable(
            "'{text}' is not a date; write it as YYYY-MM-DD, for example 2026-05-01.",
            text=text[:40],
        )
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise Unprocessable(
            "{day} is outside the years {first}-{last} the calendar keeps; choose a date in them.",
            day=day.isoformat(),
            first=FIRST_YEAR,
            last=LAST_YEAR,
        )
    return day


def _normalised(day: date, hours: Sequence[Sequence[str]]) -> list[list[str]]:
    """The day's intervals, checked and sorted, as stored; 422 saying what to change."""
    try:
        intervals = schedule.parse_intervals(hours, day.isoformat())
    except ValueError as error:
        raise Unprocessable(str(error)) from error
    return schedule.intervals_as_json(intervals)


def day_json(row: CalendarDay) -> dict[str, Any]:
    return {"date": row.day, "hours": row.hours, "note": row.note, "source": row.source}


async def list_days(
    session: AsyncSession,
    office: Office,
    date_from: date | None,
    date_to: date | None,
    now: datetime,
) -> list[dict[str, Any]]:
    """The office's calendar days in the range (today and the year after it by default)."""
    first = date_from or (date_to - timedelta(days=365) if date_to else _today(office, now))
    last = date_to or first + timedelta(days=365)
    if last < first:
        raise Unprocessable(
            "date_to {last} is before date_from {first}; swap them.",
            first=first.isoformat(),
            last=last.isoformat(),
        )
    if (last - first).days >= MAX_LISTED_DAYS:
        raise Unprocessable(
            "Ask for at most {days} days at a time; narrow date_from..date_to.",
            days=MAX_LISTED_DAYS,
        )
    return [day_json(row) for row in await repo.days_between(session, office.id, first, last)]


async def _editable(uow: UnitOfWork, actor: Principal, office_id: int, text: str) -> date:
    """The date to change, after the office (404) and the actor's access to it (403)."""
    await lookups.office(uow.session, office_id)
    require_office(actor, office_id)
    return parse_date(text)


async def set_day(
    uow: UnitOfWork,
    *,
    actor: Principal,
    office_id: int,
    day_text: str,
    hours: Sequence[Sequence[str]],
    note: str,
    now: datetime,
) -> CalendarDay:
    """Set the hours of one date (empty: a day off); an audit entry and `office.changed`."""
    day = await _editable(uow, actor, office_id, day_text)
    normalised = _normalised(day, hours)
    new: dict[str, Any] = {"hours": normalised, "note": note}
    row = await repo.day_of(uow.session, office_id, day)
    old: dict[str, Any] = {"hours": None, "note": None}
    if row is not None and row.hours is not None:
        old = {"hours": row.hours, "note": row.note}
    changes = changes_between(old, new)
    if row is None:
        row = CalendarDay(office_id=office_id, day=day, source=ADMIN, updated_at=now, **new)
        uow.session.add(row)
        try:
            await uow.session.flush()
        except IntegrityError as error:  # the same date, set at the same instant elsewhere
            raise Conflict("This date was just set by someone else; try again.") from error
    elif changes or row.source != ADMIN:
        row.hours, row.note, row.source, row.updated_at = normalised, note, ADMIN, now
    if changes:
        action = CREATED if old["hours"] is None else CHANGED
        await record_change(uow, actor, office_id, day, action, changes, now)
    return row


async def remove_day(
    uow: UnitOfWork, *, actor: Principal, office_id: int, day_text: str, now: datetime
) -> None:
    """Give the date its weekday's hours back; 404 when it has no calendar day. The date stays
    known as removed, so the production calendar's seed does not bring it back."""
    day = await _editable(uow, actor, office_id, day_text)
    row = await repo.day_of(uow.session, office_id, day)
    if row is None or row.hours is None:
        raise NotFound(
            "Office {office_id} has no calendar day on {day}; it keeps its weekday's hours.",
            code="calendar_day_not_found",
            office_id=office_id,
            day=day.isoformat(),
        )
    changes: dict[str, list[Any]] = {"hours": [row.hours, None], "note": [row.note, None]}
    row.hours, row.note, row.source, row.updated_at = None, "", ADMIN, now
    await record_change(uow, actor, office_id, day, DELETED, changes, now)


def audit_id(day: date) -> int:
    """The audit trail's object id of a calendar day: its date as yyyymmdd."""
    return day.year * 10000 + day.month * 100 + day.day


async def record_change(
    uow: UnitOfWork,
    actor: Principal | None,
    office_id: int,
    day: date,
    action: str,
    changes: dict[str, list[Any]],
    now: datetime,
) -> None:
    """An audit entry for the date (its id is yyyymmdd) and `office.changed` for the screens."""
    await audit.record(
        uow,
        actor=actor,
        office_id=office_id,
        object_type="calendar",
        object_id=audit_id(day),
        now=now,
        action=action,
        changes=changes,
    )
