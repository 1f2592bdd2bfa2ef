"""Atomic counters: ticket sequences per office/day/prefix, event seq per office, auth epoch."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core import numbering
from queue_server.core.lifecycle import LIVE_STATES
from queue_server.db.models import AuthEpoch, EventCounter, NumberCounter, Ticket


def _upsert(dialect: str, model: type[NumberCounter] | type[EventCounter] | type[AuthEpoch]) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO UPDATE ... RETURNING on both databases."""
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model)


LIVE = sorted(status.value for status in LIVE_STATES)


@lru_cache(maxsize=1)
def _count_on() -> Any:
    """One more on the day's counter, if the day has one (built once, like the others)."""
    return (
        update(NumberCounter)
        .where(
            NumberCounter.office_id == bindparam("office"),
            NumberCounter.service_day == bindparam("day"),
            NumberCounter.prefix == bindparam("prefix_of_day"),
        )
        .values(last_value=NumberCounter.last_value + 1)
        .returning(NumberCounter.last_value)
        .execution_options(synchronize_session=False)
    )


@lru_cache(maxsize=1)
def _highest_live() -> Any:
    """The highest sequence of the prefix still live from an earlier service day."""
    return select(func.max(Ticket.sequence)).where(
        Ticket.office_id == bindparam("office"),
        Ticket.prefix == bindparam("prefix_of_day"),
        Ticket.status.in_(LIVE),
        Ticket.service_day < bindparam("day"),
    )


@lru_cache(maxsize=4)
def _start_day(dialect: str) -> Any:
    """The day's counter at its first value; a concurrent first ticket counts on from it."""
    statement = _upsert(dialect, NumberCounter).values(
        office_id=bindparam("office"),
        service_day=bindparam("day"),
        prefix=bindparam("prefix_of_day"),
        last_value=bindparam("first"),
    )
    return statement.on_conflict_do_update(
        index_elements=["office_id", "service_day", "prefix"],
        set_={"last_value": NumberCounter.last_value + 1},
    ).returning(NumberCounter.last_value)


@lru_cache(maxsize=4)
def _next_event_seq(dialect: str) -> Any:
    statement = _upsert(dialect, EventCounter).values(office_id=bindparam("office_id"), last_seq=1)
    return statement.on_conflict_do_update(
        index_elements=["office_id"], set_={"last_seq": EventCounter.last_seq + 1}
    ).returning(EventCounter.last_seq)


async def next_ticket_sequence(
    session: AsyncSession, dialect: str, office_id: int, day: date, prefix: str
) -> int:
    """The next sequence for this office, service day and prefix, atomically (the row lock of the
    day's counter orders concurrent tickets; only its first ticket reads the live ones)."""
    values = {"office": office_id, "day": day, "prefix_of_day": prefix}
    counted = (await session.execute(_count_on(), values)).scalar()
    if counted is not None:
        return int(counted)
    highest = (await session.execute(_highest_live(), values)).scalar()
    first = numbering.first_of_day(None if highest is None else int(highest))
    started = await session.execute(_start_day(dialect), {**values, "first": first})
    return int(started.scalar_one())


async def next_event_seq(session: AsyncSession, dialect: str, office_id: int) -> int:
    """The next event seq of the office; the row lock orders events of one office."""
    statement = _next_event_seq(dialect)
    return int((await session.execute(statement, {"office_id": office_id})).scalar_one())


async def current_event_seq(session: AsyncSession, office_id: int) -> int:
    counter = await session.get(EventCounter, office_id)
    return counter.last_seq if counter else 0


async def bump_auth_epoch(session: AsyncSession, dialect: str) -> None:
    """Count a revoked login; the row lock orders concurrent revocations."""
    statement = _upsert(dialect, AuthEpoch).values(id=1, value=1)
    statement = statement.on_conflict_do_update(
        index_elements=["id"], set_={"value": AuthEpoch.value + 1}
    )
    await session.execute(statement)


async def auth_epoch(session: AsyncSession) -> int:
    """How many logins have been revoked so far (0 before the first)."""
    value = (await session.execute(select(AuthEpoch.value).where(AuthEpoch.id == 1))).scalar()
    return int(value or 0)
