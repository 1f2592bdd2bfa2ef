"""Russia's production calendar (public holidays, days off moved onto working days, shortened
pre-holiday days) as calendar days of the offices in Russian time zones; `queue-server seed`
loads it, again and again without harm.

A day off becomes `[]`; a shortened day becomes that weekday's hours closing an hour earlier
(none on a weekday the office is closed). A date an admin or manager has set or removed is theirs:
the seed never touches it. A date the seed set itself follows the data (and the office's hours)
each time it runs. Offices open round the clock keep their hours: they set days by hand.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any

from queue_server.core import schedule
from queue_server.core.audit import CHANGED, CREATED, DELETED, changes_between
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import CalendarDay, Office
from queue_server.db.repositories import calendar as repo
from queue_server.db.repositories import offices as office_repo
from queue_server.services.calendar import record_change

PRODUCTION = "production_calendar"
DAYS_OFF = ("holiday", "transfer")
SHORTENED = "shortened"


def production_calendar() -> dict[str, Any]:
    """The shipped calendar: queue_server/catalogue/ru-production-calendar.json."""
    files = resources.files("queue_server.catalogue")
    data: dict[str, Any] = json.loads(
        files.joinpath("ru-production-calendar.json").read_text("utf-8")
    )
    return data


def days_for(data: dict[str, Any], weekly: schedule.WeeklyHours) -> dict[date, dict[str, Any]]:
    """{date: {"hours", "note"}} the calendar gives an office with these weekly hours."""
    shorter = timedelta(minutes=int(data["shortened_by_minutes"]))
    wanted: dict[date, dict[str, Any]] = {}
    for entry in data["days"]:
        day, kind = date.fromisoformat(entry["date"]), entry["kind"]
        if kind in DAYS_OFF:
            wanted[day] = {"hours": [], "note": entry["note"]}
        elif kind == SHORTENED:
            intervals = schedule.shortened(schedule.intervals_on(weekly, day), shorter)
            if intervals:
                wanted[day] = {
                    "hours": schedule.intervals_as_json(intervals),
                    "note": entry["note"],
                }
        else:
            raise ValueError(
                f"{entry['date']}: unknown kind {kind!r}; use holiday, transfer or shortened"
            )
    return wanted


def applies_to(data: dict[str, Any], office: Office) -> bool:
    """Offices in a Russian time zone with opening hours (not open round the clock)."""
    return office.timezone in data["timezones"] and office.hours is not None


async def load(uow: UnitOfWork, data: dict[str, Any], now: datetime) -> int:
    """Bring every office it applies to up to the calendar; how many dates were added, changed
    or removed (0 on a second run)."""
    years = [int(year) for year in data["years"]]
    first, last = date(min(years), 1, 1), date(max(years), 12, 31)
    touched = 0
    for office in await office_repo.list_offices(uow.session):
        if applies_to(data, office):
            wanted = days_for(data, schedule.parse_hours(office.hours))
            touched += await _load_office(uow, office, wanted, first, last, now)
    return touched


async def _load_office(
    uow: UnitOfWork,
    office: Office,
    wanted: dict[date, dict[str, Any]],
    first: date,
    last: date,
    now: datetime,
) -> int:
    rows = await repo.days_between(uow.session, office.id, first, last, removed=True)
    known = {row.day: row for row in rows}
    touched = 0
    for day, new in wanted.items():
        row = known.get(day)
        if row is None:
            uow.session.add(
                CalendarDay(office_id=office.id, day=day, source=PRODUCTION, updated_at=now, **new)
            )
            changes = changes_between({"hours": None, "note": None}, new)
            await record_change(uow, None, office.id, day, CREATED, changes, now)
        elif row.source == PRODUCTION and (changes := changes_between(_of(row), new)):
            row.hours, row.note, row.updated_at = new["hours"], new["note"], now
            await record_change(uow, None, office.id, day, CHANGED, changes, now)
        else:
            continue
        touched += 1
    for day, row in known.items():
        if row.source == PRODUCTION and day not in wanted:  # dropped from the data
            await uow.session.delete(row)
            changes = changes_between(_of(row), {"hours": None, "note": None})
            await record_change(uow, None, office.id, day, DELETED, changes, now)
            touched += 1
    return touched


def _of(row: CalendarDay) -> dict[str, Any]:
    return {"hours": row.hours, "note": row.note}
