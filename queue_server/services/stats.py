"""Live figures for managers and the ticket report."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core import reporting, schedule
from queue_server.core.stats import TicketFacts, topic_figures
from queue_server.db.models import Office, Ticket, User, Window
from queue_server.db.repositories import offices as office_repo
from queue_server.db.repositories import tickets as ticket_repo
from queue_server.db.repositories import users as user_repo
from queue_server.services import aggregates, exports, reports


def _facts(ticket: Ticket) -> TicketFacts:
    return TicketFacts(
        ticket.topic_id,
        ticket.status,
        ticket.issued_at,
        ticket.first_called_at,
        ticket.started_at,
        ticket.finished_at,
    )


def _record_facts(record: reporting.TicketRecord) -> TicketFacts:
    return TicketFacts(
        record.topic_id,
        record.status,
        record.issued_at,
        record.first_called_at,
        record.started_at,
        record.finished_at,
    )


def _by_topic(
    records: list[reporting.TicketRecord],
) -> dict[int, list[reporting.TicketRecord]]:
    grouped: dict[int, list[reporting.TicketRecord]] = defaultdict(list)
    for record in records:
        grouped[record.topic_id].append(record)
    return grouped


def operator_state(user: User, ticket: Ticket | None, window: Window | None) -> str:
    if ticket is not None:
        return ticket.status  # called or serving
    if user.paused_reason is not None:
        return "paused"
    return "idle" if window is not None else "offline"


async def live(session: AsyncSession, office: Office, now: datetime) -> dict[str, Any]:
    """Per topic: waiting, waits against the target now, state and alerts; operators; kiosks."""
    zone = ZoneInfo(office.timezone)
    peak_now = schedule.is_peak(schedule.parse_periods(office.peak), now, zone)
    today = schedule.service_day(now, zone)
    records = _by_topic(await aggregates.day_records(session, office.id, today))
    carried = _by_topic(await aggregates.waiting_from_earlier_days(session, office.id, today))
    office_topics = list(await office_repo.topics_of_office(session, office.id))
    targets = reports.targets_of(office, office_topics)
    topics, alerts = [], []
    for topic in office_topics:
        figures = topic_figures(
            map(_record_facts, records.get(topic.id, [])),
            now,
            map(_record_facts, carried.get(topic.id, [])),
        )
        target = schedule.target_wait_seconds(
            topic.target_peak_seconds, topic.target_offpeak_seconds, peak_now
        )
        last_hour = reporting.last_hour_average(records.get(topic.id, []), now)
        item = {
            "topic_id": topic.id,
            "prefix": topic.prefix,
            "name": {"ru": topic.name_ru, "en": topic.name_en},
            "waiting": figures.waiting,
            "longest_wait_seconds": figures.longest_wait_seconds,
            "average_wait_seconds_today": figures.average_wait_seconds_today,
            "average_wait_seconds_last_hour": last_hour,
            "served_today": figures.served_today,
            "no_show_today": figures.no_show_today,
            "target_wait_seconds": target,
            "state": reporting.state_against(target, figures.longest_wait_seconds, last_hour),
        }
        topics.append(item)
        queue = [*records.get(topic.id, []), *carried.get(topic.id, [])]
        alerts += reporting.live_alerts(item, queue, targets, now)
    local_hour = schedule.local(now, zone).hour
    return {
        "peak_now": peak_now,
        "now": now.isoformat(),
        "topics": topics,
        "alerts": alerts,
        "operators": await _operators(session, office, now),
        "kiosks": await _kiosks(session, office, now),
        "today_by_hour": reporting.day_series(
            await aggregates.day_hours(session, office.id, today), local_hour
        ),
    }


def _since(user: User, ticket: Ticket | None, window: Window | None) -> datetime | None:
    """Since when the operator is in the current state (serving, called, paused or at the window)."""
    if ticket is not None:
        return ticket.started_at or ticket.called_at
    if user.paused_at is not None:
        return user.paused_at
    return None if window is None else window.occupied_at


async def _operators(session: AsyncSession, office: Office, now: datetime) -> list[dict[str, Any]]:
    windows = {w.operator_id: w for w in await office_repo.windows_of_office(session, office.id)}
    active = {
        t.operator_id: t for t in await ticket_repo.active_tickets_of_office(session, office.id)
    }
    result = []
    for user in await user_repo.users_of_office(session, office.id):
        window, ticket = windows.get(user.id), active.get(user.id)
        if user.role != "operator" and window is None and ticket is None:
            continue  # managers and admins count as operators only while they work at a window
        since = _since(user, ticket, window)
        result.append(
            {
                "user_id": user.id,
                "login": user.login,
                "name": user.display_name,
                "role": user.role,
                "state": operator_state(user, ticket, window),
                "paused_reason": user.paused_reason,
                "since": None if since is None else since.isoformat(),
                "state_seconds": None if since is None else round((now - since).total_seconds()),
                "window": None
                if window is None
                else {"id": window.id, "number": window.number, "name": window.name},
                "ticket": None
                if ticket is None
                else {
                    "id": ticket.id,
                    "number": ticket.number,
                    "status": ticket.status,
                    "topic_id": ticket.topic_id,
                    "customer_type": ticket.customer_type,
                },
            }
        )
    return result


KIOSK_ONLINE = timedelta(minutes=2)


async def _kiosks(session: AsyncSession, office: Office, now: datetime) -> list[dict[str, Any]]:
    def stamp(moment: datetime | None) -> str | None:
        return None if moment is None else moment.isoformat()

    return [
        {
            "id": kiosk.id,
            "name": kiosk.name,
            "online": None
            if kiosk.last_seen_at is None
            else now - kiosk.last_seen_at <= KIOSK_ONLINE,
            "last_seen_at": stamp(kiosk.last_seen_at),
            "last_ticket_at": stamp(kiosk.last_ticket_at),
            "printer": kiosk.printer,
            "printer_status": kiosk.printer_status,
            "printer_detail": kiosk.printer_detail,
            "printer_failures": kiosk.printer_failures,
        }
        for kiosk in await office_repo.kiosks_of_office(session, office.id)
    ]


REPORT_COLUMNS = (
    "id",
    "number",
    "service_day",
    "topic_id",
    "original_topic_id",
    "customer_type",
    "priority",
    "status",
    "issued_at",
    "first_called_at",
    "called_at",
    "started_at",
    "finished_at",
    "window_id",
    "operator_id",
    "served_by_id",
    "recall_count",
    "transfer_count",
    "wait_seconds",
    "service_seconds",
    "kiosk_id",
    "print_status",
    "rating",
    "outcomes",
)


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    return value


async def tickets_csv(session: AsyncSession, office_id: int, first: date, last: date) -> str:
    """One row per ticket with every timestamp, for the days from `first` to `last` inclusive."""
    rows = []
    for ticket in await ticket_repo.tickets_between(session, office_id, first, last):
        facts = _facts(ticket)
        wait = (
            (facts.first_called_at - facts.issued_at).total_seconds()
            if facts.first_called_at
            else None
        )
        service = (
            (ticket.finished_at - ticket.started_at).total_seconds()
            if ticket.finished_at and ticket.started_at
            else None
        )
        row = {column: getattr(ticket, column, None) for column in REPORT_COLUMNS}
        row.update(
            wait_seconds=None if wait is None else round(wait),
            service_seconds=None if service is None else round(service),
        )
        rows.append([_cell(row[column]) for column in REPORT_COLUMNS])
    return exports.csv_document(REPORT_COLUMNS, rows)
