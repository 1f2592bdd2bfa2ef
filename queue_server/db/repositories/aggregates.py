"""The figures kept from the event log: per-office watermarks, the events after them, and the
upserts that add a batch of counts to the hourly and load tables."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Table, bindparam, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.db.models import (
    AggregateWatermark,
    Event,
    EventCounter,
    HourlyStat,
    LoadCell,
    LoadDay,
    Ticket,
)

HOURLY_KEYS = ("office_id", "day", "hour", "topic_id", "customer_type")
HOURLY_COUNTERS = (
    "issued",
    "enqueued",
    "dequeued",
    "first_called",
    "wait_seconds_sum",
    "within_target",
    "served",
    "service_seconds_sum",
    "no_show",
    "expired",
    "transferred",
)
LOAD_KEYS = ("office_id", "customer_type", "weekday", "hour")
# What the figures need of a ticket, in the order of reporting.TicketRecord's fields.
RECORD_COLUMNS = (
    Ticket.id,
    Ticket.number,
    Ticket.topic_id,
    Ticket.original_topic_id,
    Ticket.customer_type,
    Ticket.status,
    Ticket.issued_at,
    Ticket.first_called_at,
    Ticket.started_at,
    Ticket.finished_at,
    Ticket.operator_id,
    Ticket.served_by_id,
    Ticket.transfer_count,
    Ticket.rating,
)
EVENT_COLUMNS = (Event.seq, Event.type, Event.at, Event.topic_id, Event.data)


def _behind() -> Any:
    """Offices whose event log has moved past what their figures have counted."""
    return (
        select(EventCounter.office_id)
        .outerjoin(AggregateWatermark, AggregateWatermark.office_id == EventCounter.office_id)
        .where(EventCounter.last_seq > func.coalesce(AggregateWatermark.last_seq, 0))
    )


async def offices_behind(session: AsyncSession) -> list[int]:
    """Every office with events not counted yet: one query over the per-office counters."""
    return list((await session.scalars(_behind())).all())


async def is_behind(session: AsyncSession, office_id: int) -> bool:
    """Whether the office has events not counted yet (two primary-key reads)."""
    statement = _behind().where(EventCounter.office_id == office_id)
    return (await session.execute(statement)).first() is not None


async def claim_watermark(session: AsyncSession, dialect: str, office_id: int) -> int:
    """The office's watermark, held until the transaction ends: FOR UPDATE on PostgreSQL (a second
    claimant waits, then reads the moved value); SQLite's write transaction is exclusive anyway.
    An office without a row (created after the migration) starts at 0."""
    statement = (
        select(AggregateWatermark.last_seq)
        .where(AggregateWatermark.office_id == office_id)
        .with_for_update()
    )
    value = (await session.execute(statement)).scalar()
    if value is None:
        module: Any = postgresql if dialect == "postgresql" else sqlite
        insert = module.insert(AggregateWatermark).values(office_id=office_id, last_seq=0)
        await session.execute(insert.on_conflict_do_nothing(index_elements=["office_id"]))
        value = (await session.execute(statement)).scalar_one()
    return int(value)


async def move_watermark(session: AsyncSession, office_id: int, last_seq: int) -> None:
    statement = (
        update(AggregateWatermark)
        .where(AggregateWatermark.office_id == office_id)
        .values(last_seq=last_seq)
    )
    await session.execute(statement)


async def events_after(
    session: AsyncSession, office_id: int, after_seq: int, limit: int
) -> list[tuple[Any, ...]]:
    """The next `limit` events after `after_seq`, oldest first, each with its ticket's record
    columns (None without a ticket): read by the (office_id, seq) index, never the history."""
    statement = (
        select(*EVENT_COLUMNS, *RECORD_COLUMNS)
        .outerjoin(Ticket, Ticket.id == Event.ticket_id)
        .where(Event.office_id == office_id, Event.seq > after_seq)
        .order_by(Event.seq)
        .limit(limit)
    )
    return [tuple(row) for row in (await session.execute(statement)).all()]


@lru_cache(maxsize=8)
def _adding(dialect: str, table: Table, keys: tuple[str, ...], counts: tuple[str, ...]) -> Any:
    """INSERT the row with these counts or add them to the existing one, with bound parameters:
    built once, executed for many rows."""
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table).values({name: bindparam(name) for name in keys + counts})
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in counts},
    )


async def add_hourly(session: AsyncSession, dialect: str, rows: list[dict[str, Any]]) -> None:
    """Add counts (every counter, zeros included) to hourly rows, inserting missing ones."""
    if rows:
        table: Any = HourlyStat.__table__
        await session.execute(_adding(dialect, table, HOURLY_KEYS, HOURLY_COUNTERS), rows)


async def add_visits(session: AsyncSession, dialect: str, rows: list[dict[str, Any]]) -> None:
    """Add visits to load cells, inserting missing ones."""
    if rows:
        table: Any = LoadCell.__table__
        await session.execute(_adding(dialect, table, LOAD_KEYS, ("visits",)), rows)


@lru_cache(maxsize=2)
def _counting_days(dialect: str) -> Any:
    module: Any = postgresql if dialect == "postgresql" else sqlite
    table: Any = LoadDay.__table__
    statement = module.insert(table).values(
        office_id=bindparam("office_id"),
        weekday=bindparam("weekday"),
        days=1,
        last_day=bindparam("day"),
    )
    # A new service day of this weekday adds one to the divisor; another visit that day does not.
    new_day = case((table.c.last_day < statement.excluded.last_day, 1), else_=0)
    return statement.on_conflict_do_update(
        index_elements=["office_id", "weekday"],
        set_={"days": table.c.days + new_day, "last_day": statement.excluded.last_day},
        where=table.c.last_day <= statement.excluded.last_day,
    )


async def count_days(session: AsyncSession, dialect: str, rows: list[dict[str, Any]]) -> None:
    """Count service days with visits per weekday; `rows` (office_id, weekday, day) in event
    order, as the days came."""
    if rows:
        await session.execute(_counting_days(dialect), rows)
