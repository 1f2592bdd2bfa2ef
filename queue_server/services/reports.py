"""Reports for a date range: figures per office and topic, per operator and per day, as JSON,
CSV and XLSX. The cost follows the range asked for (indexed by office and day), not the history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core import reporting, schedule
from queue_server.core.events import EventType
from queue_server.db.models import Event, Office, Topic, User
from queue_server.db.models import Ticket as TicketRow
from queue_server.db.repositories import calendar as calendar_repo
from queue_server.db.repositories import offices as office_repo
from queue_server.errors import Unprocessable
from queue_server.services import aggregates, exports


def period(
    office: Office, date_from: date | None, date_to: date | None, now: datetime, max_days: int
) -> tuple[date, date]:
    """The service days a report of the office covers (its current one by default), or 422."""
    today = schedule.service_day(now, ZoneInfo(office.timezone))
    try:
        return reporting.report_period(date_from, date_to, today, max_days)
    except reporting.PeriodRefused as refused:
        raise Unprocessable(str(refused)) from refused


OPERATOR_EVENTS = (
    EventType.WINDOW_OPENED,
    EventType.WINDOW_CLOSED,
    EventType.OPERATOR_PAUSED,
    EventType.OPERATOR_RESUMED,
    *reporting.BUSY_STARTS,
    *reporting.BUSY_ENDS,
)


@dataclass(frozen=True, slots=True)
class ReportQuery:
    """Which office, days and filters a report covers."""

    office_id: int
    date_from: date
    date_to: date
    topic_id: int | None = None
    operator_id: int | None = None
    customer_type: str | None = None


def targets_of(office: Office, topics: list[Topic]) -> reporting.Targets:
    """The waiting-time targets of the office's topics and its peak periods."""
    return reporting.Targets(
        {t.id: (t.target_peak_seconds, t.target_offpeak_seconds) for t in topics},
        schedule.parse_periods(office.peak),
        ZoneInfo(office.timezone),
    )


async def _tickets(session: AsyncSession, query: ReportQuery) -> list[reporting.TicketRecord]:
    statement = select(TicketRow).where(
        TicketRow.office_id == query.office_id,
        TicketRow.service_day >= query.date_from,
        TicketRow.service_day <= query.date_to,
    )
    if query.customer_type is not None:
        statement = statement.where(TicketRow.customer_type == query.customer_type)
    if query.operator_id is not None:
        statement = statement.where(
            or_(
                TicketRow.served_by_id == query.operator_id,
                TicketRow.operator_id == query.operator_id,
            )
        )
    if query.topic_id is not None:
        statement = statement.where(
            or_(
                TicketRow.topic_id == query.topic_id,
                TicketRow.original_topic_id == query.topic_id,
            )
        )
    rows = (await session.scalars(statement.order_by(TicketRow.issued_at, TicketRow.id))).all()
    return [aggregates.ticket_record(row) for row in rows]


async def _operator_events(
    session: AsyncSession, query: ReportQuery, start: datetime, end: datetime
) -> list[reporting.OperatorEvent]:
    statement = select(Event.at, Event.type, Event.user_id, Event.data).where(
        Event.office_id == query.office_id,
        Event.at >= start,
        Event.at <= end,
        Event.type.in_(OPERATOR_EVENTS),
        Event.user_id.is_not(None),
    )
    if query.operator_id is not None:
        statement = statement.where(Event.user_id == query.operator_id)
    rows = (await session.execute(statement.order_by(Event.at, Event.id))).all()
    return [
        reporting.OperatorEvent(at, kind, user_id, data or {}) for at, kind, user_id, data in rows
    ]


def _figures_json(figures: reporting.ReportFigures) -> dict[str, Any]:
    result = asdict(figures)
    result["ratings"] = {str(k): v for k, v in figures.ratings.items()}
    result["service"] = {
        "mean_seconds": result.pop("service_mean_seconds"),
        "p90_seconds": result.pop("service_p90_seconds"),
    }
    return result


def _day_rows(rows: list[Any]) -> list[dict[str, Any]]:
    days: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        for name in aggregates.HOURLY_COUNTERS:
            days[row.day][name] += getattr(row, name)
    result = []
    for day in sorted(days):
        counts = days[day]
        called = counts["first_called"]
        result.append(
            {
                "day": day.isoformat(),
                "issued": counts["issued"],
                "served": counts["served"],
                "no_show": counts["no_show"],
                "expired": counts["expired"],
                "transferred": counts["transferred"],
                "average_wait_seconds": round(counts["wait_seconds_sum"] / called)
                if called
                else None,
            }
        )
    return result


async def report(
    session: AsyncSession, office: Office, query: ReportQuery, now: datetime
) -> dict[str, Any]:
    """The report of one office for a date range and the filters given."""
    zone = ZoneInfo(office.timezone)
    topics = list(await office_repo.topics_of_office(session, office.id))
    targets = targets_of(office, topics)
    tickets = await _tickets(session, query)
    start = datetime.combine(query.date_from, time(0), tzinfo=zone)
    end = min(now, datetime.combine(query.date_to + timedelta(days=1), time(0), tzinfo=zone))
    events = await _operator_events(session, query, start, end) if end > start else []
    operators = reporting.operator_figures(
        [t for t in tickets if query.operator_id in (None, t.served_by_id)],
        reporting.operator_time(events, start, end) if end > start else {},
    )
    names = await _user_names(session, [o.user_id for o in operators])
    shown_topics = [t for t in topics if query.topic_id in (None, t.id)]
    hourly = await aggregates.hourly_rows(
        session, office.id, query.date_from, query.date_to, query.topic_id, query.customer_type
    )
    return {
        "office_id": office.id,
        "date_from": query.date_from.isoformat(),
        "date_to": query.date_to.isoformat(),
        "filters": {
            "topic_id": query.topic_id,
            "operator_id": query.operator_id,
            "customer_type": query.customer_type,
        },
        "summary": _figures_json(reporting.report_figures(tickets, targets, query.topic_id)),
        "topics": [
            {
                "topic_id": topic.id,
                "prefix": topic.prefix,
                "name": {"ru": topic.name_ru, "en": topic.name_en},
                **_figures_json(reporting.report_figures(tickets, targets, topic.id)),
            }
            for topic in shown_topics
        ],
        "operators": [{**asdict(o), **names.get(o.user_id, {})} for o in operators],
        "days": [] if query.operator_id is not None else _day_rows(list(hourly)),
    }


async def _user_names(session: AsyncSession, ids: list[int]) -> dict[int, dict[str, str]]:
    if not ids:
        return {}
    users = (await session.scalars(select(User).where(User.id.in_(ids)))).all()
    return {u.id: {"login": u.login, "name": u.display_name or u.login} for u in users}


# --- flat tables for CSV and XLSX ------------------------------------------------------------

TOPIC_COLUMNS = (
    "scope",
    "topic_id",
    "prefix",
    "topic",
    "issued",
    "served",
    "no_show",
    "expired",
    "transferred",
    "wait_count",
    "wait_mean_seconds",
    "wait_median_seconds",
    "wait_p90_seconds",
    "within_target",
    "judged_against_target",
    "share_within_target",
    "service_mean_seconds",
    "service_p90_seconds",
    "rating_mean",
    "ratings_1",
    "ratings_2",
    "ratings_3",
    "ratings_4",
    "ratings_5",
    "outcomes",
)
OPERATOR_COLUMNS = (
    "user_id",
    "login",
    "name",
    "served",
    "served_per_hour",
    "service_mean_seconds",
    "service_p90_seconds",
    "at_window_seconds",
    "idle_seconds",
    "pause_seconds",
)
DAY_COLUMNS = (
    "day",
    "issued",
    "served",
    "no_show",
    "expired",
    "transferred",
    "average_wait_seconds",
)


def _topic_row(scope: str, figures: dict[str, Any], topic: dict[str, Any] | None) -> list[Any]:
    wait, ratings = figures["wait"], figures["ratings"]
    outcomes = ";".join(f"{k}={v}" for k, v in figures["outcomes"].items())
    return [
        scope,
        topic["topic_id"] if topic else "",
        topic["prefix"] if topic else "",
        topic["name"]["ru"] if topic else "",
        figures["issued"],
        figures["served"],
        figures["no_show"],
        figures["expired"],
        figures["transferred"],
        wait["count"],
        wait["mean_seconds"],
        wait["median_seconds"],
        wait["p90_seconds"],
        wait["within_target"],
        wait["judged"],
        wait["share_within_target"],
        figures["service"]["mean_seconds"],
        figures["service"]["p90_seconds"],
        figures["rating_mean"],
        *(ratings[str(score)] for score in range(1, 6)),
        outcomes,
    ]


def tables(data: dict[str, Any]) -> dict[str, tuple[tuple[str, ...], list[list[Any]]]]:
    """The report as named tables (topics, operators, days): header and rows of plain values."""
    topic_rows = [_topic_row("office", data["summary"], None)]
    topic_rows += [_topic_row("topic", t, t) for t in data["topics"]]
    operator_rows = [
        [
            *(op.get(column) for column in OPERATOR_COLUMNS[:-1]),
            ";".join(f"{k}={v}" for k, v in op["pause_seconds"].items()),
        ]
        for op in data["operators"]
    ]
    day_rows = [[day[column] for column in DAY_COLUMNS] for day in data["days"]]
    return {
        "topics": (TOPIC_COLUMNS, topic_rows),
        "operators": (OPERATOR_COLUMNS, operator_rows),
        "days": (DAY_COLUMNS, day_rows),
    }


def as_csv(data: dict[str, Any], part: str) -> str:
    """One table of the report as CSV (empty cells for missing figures)."""
    header, rows = tables(data)[part]
    return exports.csv_document(header, rows)


def as_xlsx(data: dict[str, Any]) -> bytes:
    """The whole report as a workbook: one sheet per table."""
    return exports.xlsx_document(tables(data))


# --- the public load page ---------------------------------------------------------------------


LOAD_CALENDAR_AHEAD = timedelta(days=13)


async def load(session: AsyncSession, office: Office, now: datetime) -> dict[str, Any]:
    """Average visits by weekday and hour, per customer type, with the level of each cell, and
    the calendar days of the next two weeks (their visits never count in the averages)."""
    cells, days = await aggregates.load_cells(session, office.id)
    today = schedule.service_day(now, ZoneInfo(office.timezone))
    upcoming = await calendar_repo.days_between(
        session, office.id, today, today + LOAD_CALENDAR_AHEAD
    )
    opened = reporting.open_cells(schedule.parse_hours(office.hours))
    result: dict[str, Any] = {"office_id": office.id, "name": office.name, "weekdays": []}
    result["weekdays"] = list(schedule.WEEKDAYS)
    result["hours"] = sorted(
        {hour for _day, hour in opened} | {h for c in cells.values() for _d, h in c}
    )
    result["days_counted"] = {schedule.WEEKDAYS[d]: days.get(d, 0) for d in range(7)}
    result["calendar_days"] = [
        {"date": row.day.isoformat(), "hours": row.hours, "note": row.note} for row in upcoming
    ]
    for customer_type in ("individual", "organization"):
        counts = cells.get(customer_type, {})
        averages = {cell: visits / max(1, days.get(cell[0], 0)) for cell, visits in counts.items()}
        levels = reporting.load_levels(averages, opened, [d for d, n in days.items() if n])
        result[customer_type] = [
            {
                "weekday": schedule.WEEKDAYS[weekday],
                "hour": hour,
                "visits": counts.get((weekday, hour), 0),
                "average_visits": round(averages.get((weekday, hour), 0.0), 2),
                "level": levels[(weekday, hour)],
            }
            for weekday in range(7)
            for hour in result["hours"]
        ]
    return result
