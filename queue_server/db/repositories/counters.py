"""Atomic counters: ticket sequences per office/day/prefix, event seq per office, auth epoch."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.db.models import AuthEpoch, EventCounter, NumberCounter


def _upsert(dialect: str, model: type[NumberCounter] | type[EventCounter] | type[AuthEpoch]) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO UPDATE ... RETURNING on both databases."""
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model)


@lru_cache(maxsize=4)
def _next_ticket_sequence(dialect: str) -> Any:
    """Built once per dialect with bound parameters: building it cost more than running it."""
    statement = _upsert(dialect, NumberCounter).values(
        office_id=bindparam("office_id"),
        service_day=bindparam("day"),
        prefix=bindparam("prefix"),
        last_value=1,
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
    """The next sequence for this office, service day and prefix, in one atomic statement."""
    values = {"office_id": office_id, "day": day, "prefix": prefix}
    return int((await session.execute(_next_ticket_sequence(dialect), values)).scalar_one())


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
