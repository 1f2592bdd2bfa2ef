"""The offices' calendar days: holidays, shortened and special days."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.db.models import CalendarDay


@lru_cache(maxsize=1)
def _hours_between() -> Any:
    """The dates and hours of an office's calendar days in a range (built once: the kiosk's tap
    runs it), by the primary key's office and day."""
    return select(CalendarDay.day, CalendarDay.hours).where(
        CalendarDay.office_id == bindparam("office_id"),
        CalendarDay.day >= bindparam("first"),
        CalendarDay.day <= bindparam("last"),
        CalendarDay.hours.is_not(None),
    )


async def hours_between(
    session: AsyncSession, office_id: int, first: date, last: date
) -> dict[date, list[Any]]:
    """{date: hours} of the office's calendar days `first`..`last` (removed ones left out)."""
    values = {"office_id": office_id, "first": first, "last": last}
    rows = (await session.execute(_hours_between(), values)).all()
    return {day: hours for day, hours in rows}


async def hours_of_offices(
    session: AsyncSession, office_ids: Sequence[int], first: date, last: date
) -> dict[int, dict[date, list[Any]]]:
    """The same for several offices in one query: {office_id: {date: hours}}."""
    statement = select(CalendarDay.office_id, CalendarDay.day, CalendarDay.hours).where(
        CalendarDay.office_id.in_(office_ids),
        CalendarDay.day >= first,
        CalendarDay.day <= last,
        CalendarDay.hours.is_not(None),
    )
    found: dict[int, dict[date, list[Any]]] = {}
    for office_id, day, hours in (await session.execute(statement)).all():
        found.setdefault(office_id, {})[day] = hours
    return found


async def days_between(
    session: AsyncSession, office_id: int, first: date, last: date, *, removed: bool = False
) -> Sequence[CalendarDay]:
    """The office's calendar rows `first`..`last` by date; with `removed`, also the dates an
    admin removed (kept so that the seed does not bring them back)."""
    statement = select(CalendarDay).where(
        CalendarDay.office_id == office_id, CalendarDay.day >= first, CalendarDay.day <= last
    )
    if not removed:
        statement = statement.where(CalendarDay.hours.is_not(None))
    return (await session.scalars(statement.order_by(CalendarDay.day))).all()


async def day_of(session: AsyncSession, office_id: int, day: date) -> CalendarDay | None:
    """The office's row for that date, removed or not."""
    return await session.get(CalendarDay, (office_id, day))
