"""Managers' dashboard (/dashboard) and the public "when to come" page (/load/{office_id}).

The dashboard is static HTML plus a script that reads /api/v1 and the staff websocket like any other
client. The load page is rendered on the server from the public load endpoint, so it works without
script and inside an iframe on the company's website.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse

from queue_server import i18n, web
from queue_server.api import reports as reports_api
from queue_server.api.deps import ClockDep, CurrentFigures, ReadingDep
from queue_server.api.schemas import MAX_ID
from queue_server.errors import QueueError

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent / "static"
DOMAIN = "dashboard"
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
LEVEL_NAMES = {
    "maximum": "Maximum",
    "high": "High",
    "minimum": "Minimum",
    "closed": "Closed",
    "no_data": "No data yet",
}

# Texts the script shows, keyed by the name the script uses; values are the English msgids.
SCRIPT_TEXTS = {
    "wrong_password": "Wrong login or password.",
    "too_many_attempts": "Too many failed attempts. Wait 15 minutes and try again.",
    "not_manager": "The dashboard is for managers. Your account has the role {role}.",
    "unreachable": "The server does not answer; the page retries by itself.",
    "no_offices": "No office is available to your account.",
    "peak": "Peak hours",
    "offpeak": "Off-peak",
    "state_green": "Within the target",
    "state_amber": "Close to the target",
    "state_red": "Target exceeded",
    "state_none": "No target",
    "op_idle": "Idle",
    "op_offline": "Not at a window",
    "op_called": "Calling",
    "op_serving": "Serving",
    "op_paused": "Paused",
    "reason_lunch": "Lunch",
    "reason_paperwork": "Paperwork",
    "reason_phone": "Consultation by phone",
    "reason_technical": "Technical break",
    "reason_other": "Other",
    "window_n": "Window {number}",
    "alert_ticket": "{prefix}: ticket {number} has waited {wait}, target {target} ({count} over)",
    "alert_average": "{prefix}: average wait over the last hour {wait}, target {target}",
    "no_alerts": "No alerts: every queue is within its target.",
    "online": "Online",
    "offline": "Offline",
    "unknown": "Unknown",
    "never": "never",
    "printer_ok": "Printer OK",
    "printer_failed": "Printer failed",
    "no_printer": "No printer",
    "waiting_chart": "Waiting at the end of each hour",
    "average_chart": "Average wait of the visitors called in each hour, minutes",
    "target_line": "target",
    "ev_ticket.issued": "Ticket {number} issued",
    "ev_ticket.called": "Ticket {number} called to window {window}",
    "ev_ticket.recalled": "Ticket {number} called again",
    "ev_ticket.started": "Service of {number} started",
    "ev_ticket.finished": "Ticket {number} served",
    "ev_ticket.no_show": "Ticket {number}: visitor did not come",
    "ev_ticket.returned": "Ticket {number} returned to the queue",
    "ev_ticket.transferred": "Ticket {number} transferred",
    "ev_ticket.expired": "Ticket {number} expired at closing time",
    "ev_operator.paused": "{name} paused: {reason}",
    "ev_operator.resumed": "{name} resumed work",
    "ev_window.opened": "Window {window} opened",
    "ev_window.closed": "Window {window} closed",
    "ev_added_topic": "A topic was added",
    "ev_added_window": "A window was added",
    "ev_added_user": "An account was added",
    "ev_added_kiosk": "A kiosk was added",
    "ev_changed_office": "The office's settings were changed",
    "ev_changed_topic": "A topic was changed",
    "ev_changed_window": "A window was changed",
    "ev_changed_user": "An account was changed",
    "ev_changed_kiosk": "A kiosk was changed",
    "ev_changed_calendar": "The hours of a date were changed",
    "ev_added_calendar": "The hours of a date were changed",
    "live_socket": "Live",
    "live_polling": "Polling",
    "office_total": "Whole office",
    "all": "All",
    "individual": "Citizens",
    "organization": "Organisations",
    "no_data": "No tickets in this period.",
    "no_kiosks": "No kiosks are registered for this office.",
    "loading": "Loading…",
}


@router.get("/dashboard", response_class=HTMLResponse)
async def dashboard_page(request: Request) -> HTMLResponse:
    """The managers' dashboard: live state against the standard, operators, kiosks, reports."""
    texts = i18n.translate_all(SCRIPT_TEXTS, web.page_language(request), DOMAIN)
    return web.render(request, "dashboard/dashboard.html", DOMAIN, {"texts": texts})


def _grid(load: dict[str, Any], customer_type: str, lang: str) -> list[dict[str, Any]]:
    """Rows of the heatmap, one per weekday, with each cell's level and its translated title.

    Texts are translated once per page here rather than once per cell in the template: the page
    has up to 336 cells and is what the public load benchmark measures.
    """
    translate = i18n.translator(lang, DOMAIN)
    days = [translate(name) for name in WEEKDAY_NAMES]
    names = {level: translate(text) for level, text in LEVEL_NAMES.items()}
    visits = translate("about {n} visits an hour")
    cells = {(c["weekday"], c["hour"]): c for c in load[customer_type]}
    rows = []
    for index, weekday in enumerate(load["weekdays"]):
        row = []
        for hour in load["hours"]:
            cell = cells[(weekday, hour)]
            level, label = cell["level"], names[cell["level"]]
            title = f"{days[index]} {hour:02d}:00 — {label}"
            if level not in ("closed", "no_data"):
                title += f" ({visits.format(n=round(cell['average_visits'], 1))})"
            row.append({"level": level, "label": label, "title": title})
        rows.append({"name": days[index], "cells": row})
    return rows


def _calendar(load: dict[str, Any], lang: str) -> list[dict[str, str]]:
    """The coming calendar days as the page lists them: "Fri 01.05: Closed — note"."""
    translate = i18n.translator(lang, DOMAIN)
    listed = []
    for day in load["calendar_days"]:
        when = date.fromisoformat(day["date"])
        hours = ", ".join("–".join(pair) for pair in day["hours"]) or translate("Closed")
        label = f"{translate(WEEKDAY_NAMES[when.weekday()])} {when:%d.%m}"
        listed.append({"date": day["date"], "label": label, "hours": hours, "note": day["note"]})
    return listed


@router.get("/load/{office_id}", response_class=HTMLResponse)
async def load_page(
    request: Request, office_id: int, figures: CurrentFigures, session: ReadingDep, clock: ClockDep
) -> HTMLResponse:
    """Public: when the office is busy and when it is free, by weekday and hour."""
    try:
        if not 1 <= office_id <= MAX_ID:
            raise QueueError("no such office", status=404)
        load = await reports_api.office_load(office_id, figures, session, clock)
    except QueueError:
        return web.render(request, "load/missing.html", DOMAIN, status_code=404)
    lang = web.page_language(request)
    context = {
        "load": load,
        "grids": {kind: _grid(load, kind, lang) for kind in ("individual", "organization")},
        "calendar": _calendar(load, lang),
        "embed": request.query_params.get("embed") == "1",
        "office_id": office_id,
    }
    return web.render(request, "load/load.html", DOMAIN, context)


def install(app: FastAPI) -> None:
    """Add the dashboard and load pages and their static files to the application."""
    app.include_router(router)
    web.mount_static(app, "/static/dashboard", STATIC)
