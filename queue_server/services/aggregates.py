"""Incrementally maintained figures: hourly counters and the visit load, kept in the event's own
transaction so that charts, reports and the load page never rescan the history of tickets."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, case, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core import reporting, schedule
from queue_server.core.events import EventType
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import HourlyStat, LoadCell, LoadDay, Office, Ticket, Topic

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


def ticket_record(ticket: Ticket) -> reporting.TicketRecord:
    """The plain record the pure reporting functions work on."""
    return reporting.TicketRecord(
        id=ticket.id,
        number=ticket.number,
        topic_id=ticket.topic_id,
        original_topic_id=ticket.original_topic_id,
        customer_type=ticket.customer_type,
        status=ticket.status,
        issued_at=ticket.issued_at,
        first_called_at=ticket.first_called_at,
        started_at=ticket.started_at,
        finished_at=ticket.finished_at,
        operator_id=ticket.operator_id,
        served_by_id=ticket.served_by_id,
        transfer_count=ticket.transfer_count,
        rating=ticket.rating,
        outcomes=tuple(str(o) for o in ticket.outcomes or ()),
    )


async def _upsert_adding(
    uow: UnitOfWork, table: Table, keys: dict[str, Any], adds: dict[str, int], zeros: Sequence[str]
) -> None:
    """INSERT the row with these counts, or add them to the existing row, in one statement."""
    values = {**keys, **{name: 0 for name in zeros}, **adds}
    statement = _adding_statement(uow.dialect, table, tuple(keys), tuple(adds), tuple(values))
    await uow.session.execute(statement, values)


@lru_cache(maxsize=256)
def _adding_statement(
    dialect: str,
    table: Table,
    keys: tuple[str, ...],
    adds: tuple[str, ...],
    columns: tuple[str, ...],
) -> Any:
    """The upsert for one shape of counts, with bound parameters: built once, not per event (its
    construction cost more than running it)."""
    module: Any = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(table).values({name: bindparam(name) for name in columns})
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={name: table.c[name] + statement.excluded[name] for name in adds},
    )


async def _count_visit(uow: UnitOfWork, office_id: int, here: datetime, customer_type: str) -> None:
    weekday, day = here.weekday(), here.date()
    keys = {"office_id": office_id, "customer_type": customer_type}
    keys.update(weekday=weekday, hour=here.hour)
    await _upsert_adding(uow, LoadCell.__table__, keys, {"visits": 1}, ())  # type: ignore[arg-type]
    module: Any = postgresql if uow.dialect == "postgresql" else sqlite
    table: Any = LoadDay.__table__
    statement = module.insert(table).values(
        office_id=office_id, weekday=weekday, days=1, last_day=day
    )
    # A new service day of this weekday adds one to the divisor; later visits that day do not.
    new_day = case((table.c.last_day < statement.excluded.last_day, 1), else_=0)
    statement = statement.on_conflict_do_update(
        index_elements=["office_id", "weekday"],
        set_={"days": table.c.days + new_day, "last_day": day},
        where=table.c.last_day <= statement.excluded.last_day,
    )
    await uow.session.execute(statement)


async def record_event(
    uow: UnitOfWork,
    *,
    office_id: int,
    type: str,
    at: datetime,
    ticket: Ticket | None,
    data: dict[str, Any] | None,
) -> None:
    """Add what a ticket event changes to the hourly counters (and, when issued, to the load)."""
    if ticket is None or not type.startswith("ticket."):
        return
    office = await uow.session.get(Office, office_id)
    topic = await uow.session.get(Topic, ticket.original_topic_id)
    if office is None:
        return
    zone = ZoneInfo(office.timezone)
    here = schedule.local(at, zone)
    record = ticket_record(ticket)
    targets = reporting.Targets(
        {}
        if topic is None
        else {topic.id: (topic.target_peak_seconds, topic.target_offpeak_seconds)},
        schedule.parse_periods(office.peak),
        zone,
    )
    target = targets.at(ticket.original_topic_id, ticket.issued_at)
    from_topic = (data or {}).get("from_topic_id")
    changes = reporting.hourly_increments(
        type, record, at, target, from_topic if isinstance(from_topic, int) else None
    )
    for topic_id, adds in changes:
        keys = {"office_id": office_id, "day": here.date(), "hour": here.hour}
        keys.update(topic_id=topic_id, customer_type=ticket.customer_type)
        await _upsert_adding(uow, HourlyStat.__table__, keys, adds, HOURLY_COUNTERS)  # type: ignore[arg-type]
    if type == EventType.TICKET_ISSUED:
        await _count_visit(uow, office_id, here, ticket.customer_type)


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


async def day_records(
    session: AsyncSession, office_id: int, day: date
) -> list[reporting.TicketRecord]:
    """One service day's tickets as plain records: only the columns figures need, no ORM objects
    (the live dashboard reads them every second or two)."""
    statement = select(*RECORD_COLUMNS).where(
        Ticket.office_id == office_id, Ticket.service_day == day
    )
    return [reporting.TicketRecord(*row) for row in (await session.execute(statement)).all()]


async def day_hours(session: AsyncSession, office_id: int, day: date) -> list[reporting.HourCounts]:
    """The hourly counters of one service day, summed over topics and customer types."""
    statement = select(HourlyStat).where(HourlyStat.office_id == office_id, HourlyStat.day == day)
    return [
        reporting.HourCounts(
            hour=row.hour,
            issued=row.issued,
            enqueued=row.enqueued,
            dequeued=row.dequeued,
            first_called=row.first_called,
            wait_seconds_sum=row.wait_seconds_sum,
        )
        for row in (await session.scalars(statement)).all()
    ]


async def hourly_rows(
    session: AsyncSession,
    office_id: int,
    first: date,
    last: date,
    topic_id: int | None = None,
    customer_type: str | None = None,
) -> Sequence[HourlyStat]:
    """Hourly counters of a date range (read by the primary key's office and day prefix)."""
    statement = select(HourlyStat).where(
        HourlyStat.office_id == office_id, HourlyStat.day >= first, HourlyStat.day <= last
    )
    if topic_id is not None:
        statement = statement.where(HourlyStat.topic_id == topic_id)
    if customer_type is not None:
        statement = statement.where(HourlyStat.customer_type == customer_type)
    return (await session.scalars(statement.order_by(HourlyStat.day, HourlyStat.hour))).all()


async def load_cells(
    session: AsyncSession, office_id: int
) -> tuple[dict[str, dict[tuple[int, int], int]], dict[int, int]]:
    """Visits per customer type and (weekday, hour), and service days counted per weekday."""
    cells: dict[str, dict[tuple[int, int], int]] = {}
    statement = select(LoadCell).where(LoadCell.office_id == office_id)
    for cell in (await session.scalars(statement)).all():
        cells.setdefault(cell.customer_type, {})[(cell.weekday, cell.hour)] = int(cell.visits)
    days_statement = select(LoadDay).where(LoadDay.office_id == office_id)
    days = {row.weekday: row.days for row in (await session.scalars(days_statement)).all()}
    return cells, days
