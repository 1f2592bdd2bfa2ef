"""The kiosk page: a touchscreen shell whose script talks to /api/v1 like any other client."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Annotated

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, Response

from queue_server import i18n, web

HERE = Path(__file__).resolve().parent
DOMAIN = "kiosk"
DEFAULT_IDLE_SECONDS = 20
router = APIRouter(include_in_schema=False)

# Every text the script shows, by key; the English message id is translated through kiosk.po.
TEXTS = {
    "choose": "Choose a service",
    "priority": "Priority service",
    "priority_who": "Disabled visitors, pregnant women, elderly visitors",
    "priority_banner": "Priority ticket: choose a service",
    "who": "Who are you here for?",
    "individual": "A private person",
    "individual_note": "for yourself or your family",
    "organization": "An organisation",
    "organization_note": "a company or a sole trader",
    "back": "Back",
    "home": "Home",
    "done": "Done",
    "waiting": "Waiting: {count}",
    "no_queue": "No queue",
    "about": "about {minutes} min",
    "issuing": "Issuing your ticket…",
    "your_number": "Your number",
    "ahead": "People ahead of you",
    "wait": "Estimated wait",
    "minutes": "{minutes} min",
    "nobody_ahead": "Nobody is ahead of you: you will be called soon",
    "take_ticket": "Take your printed ticket.",
    "no_printer": "Remember your number or scan the code to follow the queue on your phone.",
    "printer_failed": "The printer is not working — your number is {number}, follow it on your phone",
    "scan": "Scan to follow the queue",
    "priority_ticket": "Priority service",
    "closed_title": "The office is closed",
    "opens_today": "It opens today at {time}.",
    "opens_tomorrow": "It opens tomorrow at {time}.",
    "opens_on": "It opens on {day} at {time}.",
    "opens_on_date": "It opens on {day}, {date}, at {time}.",
    "opens_never": "Opening hours are not set.",
    "offline_title": "No connection to the server",
    "offline_text": (
        "Tickets cannot be issued right now. "
        "We are trying again; please wait a moment or ask a member of staff."
    ),
    "retrying": "Trying again in {seconds} s…",
    "busy_title": "Too many tickets in a short time",
    "busy_text": (
        "This kiosk has issued a lot of tickets in the last minute. "
        "Please wait a minute and try again."
    ),
    "unavailable_title": "This service is not available now",
    "unavailable_text": "Please choose another service or ask a member of staff.",
    "error_title": "The ticket could not be issued",
    "error_text": "Please try again or ask a member of staff.",
    "no_kiosk_title": "This kiosk is not registered",
    "no_kiosk_text": "Please ask a member of staff for help.",
    "no_key_title": "This kiosk is not set up",
    "no_key_text": (
        "Please ask a member of staff for help. "
        "Staff: open this kiosk once with the link that has its key (administration, kiosks)."
    ),
    "no_topics": "No services are offered at this kiosk at the moment.",
    "weekday_0": "Monday",
    "weekday_1": "Tuesday",
    "weekday_2": "Wednesday",
    "weekday_3": "Thursday",
    "weekday_4": "Friday",
    "weekday_5": "Saturday",
    "weekday_6": "Sunday",
}


@router.get("/kiosk/qr.svg")
def qr_svg(data: Annotated[str, Query(min_length=1, max_length=512)]) -> Response:
    """A QR code as SVG, drawn on the server so the page needs no script from elsewhere."""
    code = qrcode.QRCode(border=2, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    buffer = io.BytesIO()
    code.make_image(image_factory=qrcode.image.svg.SvgPathFillImage).save(buffer)
    return Response(
        buffer.getvalue(),
        media_type="image/svg+xml",
        headers={"Cache-Control": "public, max-age=86400"},
    )


@router.get("/kiosk/{kiosk_id}", response_class=HTMLResponse)
def kiosk_page(
    request: Request,
    kiosk_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    idle: Annotated[float, Query(gt=0, le=3600)] = DEFAULT_IDLE_SECONDS,
) -> HTMLResponse:
    """The touchscreen page; `?idle=` shortens the return-to-home timeout (tests, demos)."""
    context = {
        "kiosk_id": kiosk_id,
        "idle_seconds": idle,
        "texts": i18n.in_every_language(TEXTS, DOMAIN),
    }
    return web.render(request, "kiosk/page.html", DOMAIN, context)


def install(app: FastAPI) -> None:
    app.include_router(router)
    web.mount_static(app, "/static/kiosk", HERE / "static")
