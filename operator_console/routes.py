"""The operator console page, /console: one screen for a working day at a service window.

The page is static HTML plus a script that talks to /api/v1 and the staff websocket like any other
client; the server only renders the texts the script needs in the operator's language.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse

from queue_server import i18n, web

router = APIRouter(include_in_schema=False)
STATIC = Path(__file__).resolve().parent / "static"
DOMAIN = "console"

# Texts the script shows, keyed by the name the script uses; values are the English msgids.
SCRIPT_TEXTS = {
    "wrong_password": "Wrong login or password.",
    "too_many_attempts": "Too many failed attempts. Wait 15 minutes and try again.",
    "unreachable": "The server does not answer. Check the network; the page retries by itself.",
    "session_expired": "Your session has ended. Sign in again.",
    "csrf_failed": "The page was out of date and has been refreshed. Try again.",
    "nobody_waiting": "Nobody is waiting for your topics.",
    "window_n": "Window {number}",
    "window_free": "free",
    "window_yours": "yours",
    "window_taken": "taken",
    "state_idle": "Ready",
    "state_offline": "No window",
    "state_called": "Called",
    "state_serving": "Serving",
    "state_paused": "Paused",
    "reason_lunch": "Lunch",
    "reason_paperwork": "Paperwork",
    "reason_phone": "Consultation by phone",
    "reason_technical": "Technical break",
    "reason_other": "Other",
    "individual": "Individual",
    "organization": "Organization",
    "priority": "Priority",
    "org_short": "Org",
    "no_ticket": "No ticket",
    "press_call": "Press Space or N to call the next visitor.",
    "waiting_for_you": "Waiting for your topics: {count}",
    "paused_since": "on pause since {time}",
    "waited": "Waited",
    "called_ago": "Called",
    "service": "Service",
    "recalls": "Recalls",
    "transfers": "Transferred {count}×",
    "note": "Note",
    "propose_no_show": "The visitor has not come: called {count} times, {minutes} min since the first "
    "call. Mark as no-show?",
    "recall_limit_reached": "Recall limit reached. No-show is proposed in {time}.",
    "auto_no_show_done": "Ticket {number} was marked as no-show automatically (office setting).",
    "called_ticket": "Ticket {number} is called to your window.",
    "finished_ticket": "Ticket {number} finished.",
    "no_show_ticket": "Ticket {number} marked as no-show.",
    "returned_ticket": "Ticket {number} returned to the queue.",
    "transferred_ticket": "Ticket {number} transferred.",
    "recalled_ticket": "Ticket {number} called again.",
    "started_ticket": "Service of ticket {number} started.",
    "paused": "You are on pause. No tickets are offered to you.",
    "resumed": "Welcome back. Tickets are offered to you again.",
    "finish_first": "Finish, return or transfer ticket {number} first.",
    "no_operations": "This topic lists no operations; add a note if needed.",
    "no_topics": "There is no other topic to transfer to.",
    "choose_topic": "Choose the topic to transfer to.",
    "call_out_of_turn": "Call out of turn",
    "call_short": "Call",
    "nobody_in_list": "Nobody is waiting.",
    "total": "Total",
    "no_office": "Your account is not bound to an office: choose one.",
    "no_windows": "This office has no windows yet.",
    "finish_title": "Finish ticket {number}",
    "transfer_title": "Transfer ticket {number}",
}


@router.get("/console", response_class=HTMLResponse)
async def console_page(request: Request) -> HTMLResponse:
    """The operator console: sign in, choose the window, serve."""
    texts = i18n.translate_all(SCRIPT_TEXTS, web.page_language(request), DOMAIN)
    return web.render(request, "console/console.html", DOMAIN, {"texts": texts})


def install(app: FastAPI) -> None:
    app.include_router(router)
    web.mount_static(app, "/static/console", STATIC)
