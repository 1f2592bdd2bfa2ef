"""The hourly counters and the visit load, counted from the event log off the request path.

An event's transaction only logs it (with the ticket's topic then). `catch_up` counts an office's
events after its watermark, a bounded batch per transaction, and moves the watermark in the same
transaction: the watermark row is claimed first, so two processes catching up one office count
every event once. The app's background task catches up every office about once a second, and
every reader of the figures catches its office up first, so what it reads includes every event
committed before it asked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core import reporting, schedule
from queue_server.core.events import EventType
from queue_server.core.lifecycle import TicketStatus
from queue_server.db.engine import Database, UnitOfWork
from queue_server.db.models import HourlyStat, LoadCell, LoadDay, Office, Ticket
from queue_server.db.repositories import aggregates as aggregate_repo
from queue_server.db.repositories import calendar as calendar_repo
from queue_server.db.repositories import offices as office_repo

HOURLY_COUNTERS = aggregate_repo.HOURLY_COUNTERS
RECORD_COLUMNS = aggregate_repo.RECORD_COLUMNS
BATCH_EVENTS = 500


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


@dataclass
class _Tally:
    """What a batch of events adds: hourly counts, visits, and the days visits came on."""

    office_id: int
    hourly: dict[tuple[Any, ...], Counter[str]] = field(default_factory=dict)
    visits: Counter[tuple[str, int, int]] = field(default_factory=Counter)
    days: list[dict[str, Any]] = field(default_factory=list)
    _last_day: dict[int, date] = field(default_factory=dict)

    def add_visit(self, customer_type: str, weekday: int, hour: int, day: date) -> None:
        self.visits[(customer_type, weekday, hour)] += 1
        if self._last_day.get(weekday) != day:  # the same day again would change nothing
            self._last_day[weekday] = day
            self.days.append({"office_id": self.office_id, "weekday": weekday, "day": day})

    def hourly_rows(self) -> list[dict[str, Any]]:
        keys = aggregate_repo.HOURLY_KEYS
        return [
            {**dict(zip(keys, key, strict=True)), **{n: counts[n] for n in HOURLY_COUNTERS}}
            for key, counts in self.hourly.items()
        ]

    def visit_rows(self) -> list[dict[str, Any]]:
        return [
            {
                "office_id": self.office_id,
                "customer_type": kind,
                "weekday": d,
                "hour": h,
                "visits": n,
            }
            for (kind, d, h), n in self.visits.items()
        ]


def _tally(
    office: Office,
    targets: reporting.Targets,
    rows: list[tuple[Any, ...]],
    calendar_days: frozenset[date] = frozenset(),
) -> _Tally:
    """Exactly what each ticket event adds, as it was when it happened: the ticket row as it is
    now (its first call and service times never change once set) with the event's topic.
    Visits on the office's calendar days (a holiday, a shortened day) are not a weekday's load."""
    zone = ZoneInfo(office.timezone)
    tally = _Tally(office.id)
    for row in rows:
        kind, at, topic_id, data = row[1:5]
        columns = row[5:]
        if columns[0] is None or not kind.startswith("ticket."):
            continue
        record = reporting.TicketRecord(*columns)
        if topic_id is not None:
            record = replace(record, topic_id=topic_id)
        here = schedule.local(at, zone)
        target = targets.at(record.original_topic_id, record.issued_at)
        from_topic = (data or {}).get("from_topic_id")
        changes = reporting.hourly_increments(
            kind, record, at, target, from_topic if isinstance(from_topic, int) else None
        )
        for topic, adds in changes:
            key = (office.id, here.date(), here.hour, topic, record.customer_type)
            tally.hourly.setdefault(key, Counter()).update(adds)
        if kind == EventType.TICKET_ISSUED and here.date() not in calendar_days:
            tally.add_visit(record.customer_type, here.weekday(), here.hour, here.date())
    return tally


async def _count_batch(uow: UnitOfWork, office_id: int, limit: int) -> int:
    """Claim the office's watermark, count the next events after it, move it; how many events."""
    session, dialect = uow.session, uow.dialect
    office = await session.get(Office, office_id)
    if office is None:
        return 0
    mark = await aggregate_repo.claim_watermark(session, dialect, office_id)
    rows = await aggregate_repo.events_after(session, office_id, mark, limit)
    if not rows:
        return 0
    topics = await office_repo.topics_of_office(session, office_id)
    targets = reporting.Targets(
        {t.id: (t.target_peak_seconds, t.target_offpeak_seconds) for t in topics},
        schedule.parse_periods(office.peak),
        ZoneInfo(office.timezone),
    )
    zone = ZoneInfo(office.timezone)
    dates = [schedule.service_day(row[2], zone) for row in rows]
    days = await calendar_repo.hours_between(session, office_id, min(dates), max(dates))
    tally = _tally(office, targets, rows, frozenset(days))
    await aggregate_repo.add_hourly(session, dialect, tally.hourly_rows())
    await aggregate_repo.add_visits(session, dialect, tally.visit_rows())
    await aggregate_repo.count_days(session, dialect, tally.days)
    await aggregate_repo.move_watermark(session, office_id, rows[-1][0])
    return len(rows)


async def catch_up(database: Database, office_id: int, *, batch: int = BATCH_EVENTS) -> int:
    """Count the office's committed events into its figures, one write transaction per batch,
    until a batch comes back short; how many events were counted."""
    total = 0
    while True:
        async with database.unit_of_work() as uow:
            counted = await _count_batch(uow, office_id, batch)
        total += counted
        if counted < batch:
            return total


async def catch_up_all(database: Database) -> int:
    """Catch up every office with events not counted yet; cheap when there are none (one read)."""
    async with database.reading() as session:
        behind = await aggregate_repo.offices_behind(session)
    counted = 0
    for office_id in behind:
        counted += await catch_up(database, office_id)
    return counted


async def catch_up_before_reading(
    database: Database, session: AsyncSession, office_id: int
) -> None:
    """Before `session` reads the office's figures: count every event committed so far, then end
    the session's transaction, since on SQLite a read transaction keeps the snapshot it began with."""
    behind = await aggregate_repo.is_behind(session, office_id)
    await session.commit()
    if behind:
        await catch_up(database, office_id)


async def day_records(
    session: AsyncSession, office_id: int, day: date
) -> list[reporting.TicketRecord]:
    """One service day's tickets as plain records: only the columns figures need, no ORM objects
    (the live dashboard reads them every second or two)."""
    statement = select(*RECORD_COLUMNS).where(
        Ticket.office_id == office_id, Ticket.service_day == day
    )
    return [reporting.TicketRecord(*row) for row in (await session.execute(statement)).all()]


async def waiting_from_earlier_days(
    session: AsyncSession, office_id: int, day: date
) -> list[reporting.TicketRecord]:
    """Tickets of service days before `day` that still wait: an office open round the clock keeps
    its queue over midnight, and they count in the queue's figures (not in the day's)."""
    statement = select(*RECORD_COLUMNS).where(
        Ticket.office_id == office_id,
        Ticket.status == TicketStatus.WAITING.value,
        Ticket.service_day < day,
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
