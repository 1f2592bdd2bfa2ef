"""What the operator console shows on its one screen: the operator's state, today's own figures,
the waiting list and the operations of each topic (outcomes on finish, targets of a transfer)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from statistics import fmean
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core import schedule
from queue_server.core.lifecycle import TicketStatus
from queue_server.db.models import Office, Ticket, Topic, User, Window
from queue_server.db.repositories import offices as office_repo
from queue_server.db.repositories import tickets as ticket_repo
from queue_server.db.repositories import users as user_repo
from queue_server.errors import NotAuthenticated
from queue_server.services import lookups, queue_views
from queue_server.services.access import Principal, require_office
from queue_server.services.stats import operator_state

DONE, NO_SHOW = TicketStatus.DONE.value, TicketStatus.NO_SHOW.value


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _window_json(window: Window | None) -> dict[str, Any] | None:
    if window is None:
        return None
    return {"id": window.id, "number": window.number, "name": window.name}


def _office_json(office: Office) -> dict[str, Any]:
    return {
        "id": office.id,
        "name": office.name,
        "timezone": office.timezone,
        "recall_limit": office.recall_limit,
        "recall_timeout_seconds": office.recall_timeout_seconds,
        "auto_no_show": office.auto_no_show,
    }


def _held_ticket_json(
    ticket: Ticket, topic: Topic | None, window: Window | None, office: Office | None
) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "number": ticket.number,
        "status": ticket.status,
        "topic_id": ticket.topic_id,
        "topic": None if topic is None else {"ru": topic.name_ru, "en": topic.name_en},
        "prefix": ticket.prefix,
        "customer_type": ticket.customer_type,
        "priority": ticket.priority,
        "issued_at": _iso(ticket.issued_at),
        "first_called_at": _iso(ticket.first_called_at),
        "called_at": _iso(ticket.called_at),
        "started_at": _iso(ticket.started_at),
        "recall_count": ticket.recall_count,
        "transfer_count": ticket.transfer_count,
        "note": ticket.note,
        "window": _window_json(window),
        "actions": queue_views.staff_actions(ticket, office.recall_limit if office else None),
    }


async def _own_tickets_today(
    session: AsyncSession, office: Office, user_id: int, now: datetime
) -> Sequence[Ticket]:
    today = schedule.service_day(now, ZoneInfo(office.timezone))
    statement = select(Ticket).where(
        Ticket.office_id == office.id,
        Ticket.service_day == today,
        Ticket.status.in_([DONE, NO_SHOW]),
        or_(Ticket.served_by_id == user_id, Ticket.operator_id == user_id),
    )
    return (await session.scalars(statement)).all()


def own_figures(tickets: Sequence[Ticket], user_id: int) -> dict[str, Any]:
    """Served, average service time (start to finish) and no-shows of one operator."""
    served = [t for t in tickets if t.status == DONE and t.served_by_id == user_id]
    durations = [
        (t.finished_at - t.started_at).total_seconds()
        for t in served
        if t.finished_at and t.started_at
    ]
    return {
        "served": len(served),
        "average_service_seconds": round(fmean(durations)) if durations else None,
        "no_show": sum(1 for t in tickets if t.status == NO_SHOW and t.operator_id == user_id),
    }


async def _console_office(
    session: AsyncSession, principal: Principal, office_id: int | None, held: Ticket | None
) -> Office | None:
    """The office the console works in: the held ticket's, the one asked for, or the user's."""
    chosen = held.office_id if held else office_id or principal.office_id
    if chosen is None:
        return None
    office = await lookups.office(session, chosen)
    require_office(principal, office.id)
    return office


async def operator_overview(
    session: AsyncSession, principal: Principal, office_id: int | None, now: datetime
) -> dict[str, Any]:
    """The signed-in user's state, window, held ticket, skills and today's own figures."""
    user = await session.get(User, principal.user_id)
    if user is None or not user.active:
        raise NotAuthenticated("your account no longer exists or is disabled; sign in again")
    held = await ticket_repo.active_ticket_of_operator(session, user.id)
    office = await _console_office(session, principal, office_id, held)
    windows = await office_repo.windows_held_by(session, user.id)
    window = next((w for w in windows if office is None or w.office_id == office.id), None)
    ticket_window = await session.get(Window, held.window_id) if held and held.window_id else None
    topic = await session.get(Topic, held.topic_id) if held else None
    figures = (
        own_figures(await _own_tickets_today(session, office, user.id, now), user.id)
        if office
        else None
    )
    skills = await user_repo.skills_of(session, user.id)
    return {
        "now": now.isoformat(),
        "user_id": user.id,
        "login": user.login,
        "name": user.display_name,
        "role": user.role,
        "state": operator_state(user, held, ticket_window or window),
        "paused_reason": user.paused_reason,
        "paused_at": _iso(user.paused_at),
        "window": _window_json(ticket_window or window),
        "ticket": None if held is None else _held_ticket_json(held, topic, ticket_window, office),
        "topic_ids": sorted(skills),
        "office": None if office is None else _office_json(office),
        "today": figures,
    }


async def waiting_list(session: AsyncSession, office_id: int, now: datetime) -> dict[str, Any]:
    """Every waiting ticket of the office in queue order, light enough to refetch often."""
    tickets = await ticket_repo.waiting_tickets(session, office_id)
    return {
        "now": now.isoformat(),
        "tickets": [
            {
                "id": t.id,
                "number": t.number,
                "topic_id": t.topic_id,
                "customer_type": t.customer_type,
                "priority": t.priority,
                "issued_at": t.issued_at.isoformat(),
                "queued_at": t.queued_at.isoformat(),
                "transfer_count": t.transfer_count,
                "note": t.note,
                "actions": queue_views.staff_actions(t, None),
            }
            for t in tickets
        ],
    }


async def topic_operations(session: AsyncSession, office_id: int) -> list[dict[str, Any]]:
    """Offered leaf topics with their parent's name and the operations of the service standard."""
    everything = await office_repo.topics_of_office(session, office_id)
    by_id = {t.id: t for t in everything}
    # Any child, even an inactive one, makes a menu: a transfer there would be refused.
    parents = {t.parent_id for t in everything if t.parent_id is not None}
    result = []
    for topic in queue_views.offered_topics(everything):
        if topic.id in parents:
            continue
        parent = by_id.get(topic.parent_id) if topic.parent_id else None
        result.append(
            {
                "id": topic.id,
                "prefix": topic.prefix,
                "name": {"ru": topic.name_ru, "en": topic.name_en},
                "parent": None if parent is None else {"ru": parent.name_ru, "en": parent.name_en},
                "operations": [
                    {"ru": str(op.get("ru", "")), "en": str(op.get("en") or op.get("ru", ""))}
                    for op in topic.operations or []
                    if isinstance(op, dict)
                ],
            }
        )
    return result
