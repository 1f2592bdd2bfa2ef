"""Turning domain objects into the contract's response bodies."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from queue_server.api.schemas import (
    KioskOut,
    OfficeDetail,
    PrintOut,
    TicketOut,
    TopicOut,
    WindowOut,
    WindowRef,
)
from queue_server.db.models import Kiosk, Office, Topic, Window
from queue_server.services import editing, queue_views
from queue_server.services.queue_views import TicketStatusView


def public_base_url(request: Request) -> str:
    configured = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def ticket_out(
    request: Request, view: TicketStatusView, print_result: PrintOut | None = None
) -> TicketOut:
    """The contract's ticket body, from a ticket with its position, wait and window."""
    ticket, window = view.ticket, view.window
    return TicketOut(
        id=ticket.id,
        number=ticket.number,
        code=ticket.code,
        office_id=ticket.office_id,
        topic_id=ticket.topic_id,
        status=ticket.status,
        customer_type=ticket.customer_type,
        priority=ticket.priority,
        channel=ticket.channel,
        issued_at=ticket.issued_at,
        called_at=ticket.called_at,
        started_at=ticket.started_at,
        finished_at=ticket.finished_at,
        position=view.position,
        estimated_wait_seconds=view.estimated_wait_seconds,
        status_url=f"{public_base_url(request)}/t/{ticket.code}",
        window=None
        if window is None
        else WindowRef(id=window.id, number=window.number, name=window.name),
        operator_id=ticket.operator_id,
        recall_count=ticket.recall_count,
        transfer_count=ticket.transfer_count,
        note=ticket.note,
        outcomes=list(ticket.outcomes or []),
        print=print_result or PrintOut(status="none", detail=""),
        actions=queue_views.staff_actions(ticket, view.recall_limit),
    )


def kiosk_out(request: Request, kiosk: Kiosk, key: str | None = None) -> KioskOut:
    """A kiosk; `key` only in the answer that made it (the page is opened once with `?key=`)."""
    page_url = f"{public_base_url(request)}/kiosk/{kiosk.id}"
    return KioskOut(
        id=kiosk.id,
        office_id=kiosk.office_id,
        name=kiosk.name,
        printer=kiosk.printer,
        printer_status=kiosk.printer_status,
        printer_detail=kiosk.printer_detail,
        printer_failures=kiosk.printer_failures,
        printer_checked_at=kiosk.printer_checked_at,
        last_ticket_at=kiosk.last_ticket_at,
        page_url=page_url,
        key=key,
        setup_url=None if key is None else f"{page_url}?key={key}",
        active=kiosk.active,
    )


def office_detail(office: Office, view: dict[str, Any]) -> OfficeDetail:
    """An office with every setting, and `view` (queue_views.office_views: open now)."""
    return OfficeDetail(**(editing.office_fields(office) | view))


def topic_out(topic: Topic) -> TopicOut:
    """A topic with every field, retired or not."""
    return TopicOut(id=topic.id, office_id=topic.office_id, **editing.topic_fields(topic))


def window_out(window: Window) -> WindowOut:
    return WindowOut(
        id=window.id,
        number=window.number,
        name=window.name,
        office_id=window.office_id,
        operator_id=window.operator_id,
        active=window.active,
    )
