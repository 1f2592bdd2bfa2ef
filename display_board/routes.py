"""The hall display `/display/{office_id}` and the visitor's status page `/t/{code}`.

Both are shells: their scripts take everything from the websockets and /api/v1 like any client.
The display also gets spoken calls from here when its browser has no voice for the language.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import FileResponse, HTMLResponse

from queue_server import i18n, web
from queue_server.errors import QueueError
from queue_server.realtime import speech

HERE = Path(__file__).resolve().parent
DOMAIN = "display"
router = APIRouter(include_in_schema=False)

BOARD_TEXTS = {
    "ticket": "Ticket",
    "window": "Window",
    "calls": "Now calling",
    "waiting": "Waiting",
    "nobody": "Nobody is waiting",
    "no_calls": "Please wait for your number to be called",
    "sound": "Tap to turn the sound on",
    "office_missing": "This display is not set up: the office does not exist.",
}
STATUS_TEXTS = {
    "your_ticket": "Your ticket",
    "waiting": "You are in the queue",
    "ahead": "People ahead of you",
    "wait": "Estimated wait",
    "minutes": "about {minutes} min",
    "soon": "You will be called soon",
    "called": "Please go to window {window}",
    "called_title": "It is your turn!",
    "serving": "You are being served at window {window}",
    "done": "Thank you for your visit",
    "no_show": "You were called but did not come. Please ask a member of staff.",
    "expired": "The office has closed and this ticket is no longer valid.",
    "rate": "How was the service?",
    "comment": "Comment (optional)",
    "send": "Send",
    "thanks": "Thank you for your rating!",
    "rated": "Your rating: {rating} of 5",
    "rate_failed": "The rating could not be sent. Please try again.",
    "not_found": "There is no ticket with this code. Check the link on your ticket.",
    "star": "{rating} of 5",
}


class SpeechUnavailable(QueueError):
    status, code = 503, "speech_unavailable"


@router.get("/display/speech")
async def spoken_call(
    request: Request,
    number: Annotated[str, Query(pattern=speech.NUMBER_PATTERN.pattern, max_length=10)],
    window: Annotated[int, Query(ge=0, le=99999)],
    lang: Annotated[Literal["ru", "en"], Query()] = "ru",
) -> FileResponse:
    """The call "Талон А ноль пятнадцать, окно три" as WAV, synthesised offline and cached."""
    synthesiser: speech.Synthesiser = request.app.state.speech
    try:
        path = await synthesiser.wav(speech.call_phrase(number, window, lang), lang)
    except speech.SpeechUnavailable as error:
        raise SpeechUnavailable(f"no offline voice on this server: {error}") from error
    return FileResponse(
        path, media_type="audio/wav", headers={"Cache-Control": "public, max-age=86400"}
    )


@router.get("/display/{office_id}", response_class=HTMLResponse)
def display_page(
    request: Request,
    office_id: Annotated[int, PathParam(ge=1, le=2**31 - 1)],
    voice: Annotated[Literal["on", "off"], Query()] = "on",
    chime: Annotated[Literal["on", "off"], Query()] = "on",
) -> HTMLResponse:
    """The hall TV: `?voice=off` keeps it silent but for the chime, `?chime=off` silences that."""
    synthesiser: speech.Synthesiser = request.app.state.speech
    config = {
        "officeId": office_id,
        "voice": voice == "on",
        "chime": chime == "on",
        "serverVoice": synthesiser.available,
        "texts": i18n.in_every_language(BOARD_TEXTS, DOMAIN),
    }
    return web.render(request, "display/board.html", DOMAIN, {"config": config})


@router.get("/t/{code}", response_class=HTMLResponse)
def status_page(
    request: Request, code: Annotated[str, PathParam(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
) -> HTMLResponse:
    """The visitor's phone: position and wait, the window when called, a rating afterwards."""
    config = {"code": code, "texts": i18n.in_every_language(STATUS_TEXTS, DOMAIN)}
    return web.render(request, "display/status.html", DOMAIN, {"config": config})


def install(app: FastAPI) -> None:
    settings = app.state.settings
    app.state.speech = speech.Synthesiser(
        Path(settings.speech_cache_dir),
        max_entries=settings.speech_cache_max_entries,
        max_bytes=settings.speech_cache_max_bytes,
    )
    app.include_router(router)
    web.mount_static(app, "/static/display", HERE / "static")
