"""Printing a ticket's slip after its transaction has committed: never loses the ticket."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from queue_server import i18n
from queue_server.core.events import EventType
from queue_server.db.engine import Database
from queue_server.db.models import Kiosk, Ticket
from queue_server.db.repositories import kiosks, tickets
from queue_server.printing.printers import PrinterError, send_slip
from queue_server.printing.slip import Slip, render_slip
from queue_server.printing.urls import NotAPrinter, allowed_printer
from queue_server.services import eventlog, queue_views
from queue_server.services.issuing import IssuedTicket
from queue_server.settings import default_spool_dir

log = logging.getLogger(__name__)
# The whole print step (read the slip's data, print, save the outcome) ends within this limit.
PRINT_LIMIT_SECONDS = 3.0
# Kept back from the limit for saving the outcome, so the visitor has an answer within it.
RECORD_RESERVE_SECONDS = 0.3
# The device gives up this much before the thread is abandoned, so it reports its own reason.
DEVICE_MARGIN_SECONDS = 0.2
# The thread last started per printer URL and when it was abandoned: one still alive after that is
# stuck in a driver call no timeout reaches (a device that never opens); no second one joins it.
_jobs: dict[str, tuple[threading.Thread, float]] = {}


@dataclass(frozen=True, slots=True)
class PrintResult:
    status: str  # printed | failed | none
    detail: str = ""


# A repeated request (the same idempotency key) must not hand the visitor a second slip.
NOT_PRINTED_AGAIN = PrintResult(
    "none", "issued by an earlier attempt; its slip is not printed again"
)


def _slip_for(issued: IssuedTicket, status_url: str, lang: str) -> Slip:
    """The slip's content: all of it comes with the issued ticket, no reading again."""
    ticket, office, topic = issued.ticket, issued.office, issued.topic
    return Slip(
        office_name=office.name,
        office_address=office.address,
        topic_name=queue_views.topic_name(topic, lang),
        number=ticket.number,
        issued_local=ticket.issued_at.astimezone(ZoneInfo(office.timezone)),
        people_ahead=issued.people_ahead,
        wait_seconds=issued.wait_seconds,
        status_url=status_url,
        target_peak_seconds=topic.target_peak_seconds,
        target_offpeak_seconds=topic.target_offpeak_seconds,
        priority=ticket.priority,
        lang=lang,
    )


def _in_daemon_thread(key: str, work: Callable[[], str], hard: float) -> asyncio.Future[str]:
    """Run blocking printer I/O in a daemon thread: an abandoned one never holds up shutdown."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[str] = loop.create_future()

    def settle(result: str | None, error: BaseException | None) -> None:
        if future.done():
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result or "")

    def run() -> None:
        result, error = None, None
        try:
            result = work()
        except Exception as raised:  # handed to the waiting coroutine, if it still waits
            error = raised
        if not loop.is_closed():
            loop.call_soon_threadsafe(settle, result, error)

    thread = threading.Thread(target=run, name=f"printer {key}", daemon=True)
    _jobs[key] = (thread, time.monotonic() + hard)
    thread.start()
    return future


def _stuck(key: str) -> bool:
    thread, abandoned_at = _jobs.get(key, (None, 0.0))
    return thread is not None and thread.is_alive() and time.monotonic() > abandoned_at


def _print_job(printer_url: str, spool_dir: Path, data: bytes, seconds: float) -> str:
    """Check the address again where it is opened (a URL stored before the check existed, or a
    symlink made since, must not write a file), then print."""
    address = allowed_printer(printer_url, spool_dir)
    if address.scheme == "file":
        spool_dir.mkdir(parents=True, exist_ok=True)
    return send_slip(address, data, seconds)


async def _send(printer_url: str, spool_dir: Path, data: bytes, deadline: float) -> PrintResult:
    """Print by `deadline` (monotonic): the blocking I/O runs in a thread, abandoned then."""
    hard = max(0.1, deadline - time.monotonic())
    try:
        if _stuck(printer_url):
            return PrintResult("failed", "the printer is still stuck on an earlier slip")
        device_seconds = max(0.1, hard - DEVICE_MARGIN_SECONDS)
        job = partial(_print_job, printer_url, spool_dir, data, device_seconds)
        work = _in_daemon_thread(printer_url, job, hard)
        note = await asyncio.wait_for(work, timeout=hard)
    except PrinterError as error:
        return PrintResult("failed", str(error))
    except TimeoutError:
        return PrintResult("failed", f"the printer did not answer within {hard:.1f} s")
    except NotAPrinter as error:
        return PrintResult("failed", f"the kiosk's printer is not allowed: {error}")
    except ValueError as error:
        return PrintResult("failed", f"the kiosk's printer address is wrong: {error}")
    return PrintResult("printed", note)


async def _record(
    database: Database, kiosk: Kiosk, ticket: Ticket, result: PrintResult, now: datetime
) -> None:
    """Keep the kiosk's printer state and the ticket's print outcome in one short transaction of
    plain updates; log failures and recovery."""
    ok = result.status == "printed"
    was_ok = kiosk.printer_status == "ok"
    detail = result.detail[:300]
    async with database.unit_of_work() as uow:
        failures = await kiosks.record_print(uow.session, kiosk.id, ok, detail, now)
        await tickets.record_print(uow.session, ticket.id, result.status, detail)
        if failures is None or (
            ok and was_ok
        ):  # log changes and every failure, not each good print
            return
        await eventlog.record(
            uow,
            office_id=kiosk.office_id,
            type=EventType.PRINTER_OK if ok else EventType.PRINTER_FAILED,
            at=now,
            ticket=ticket,
            data={"kiosk_id": kiosk.id, "kiosk": kiosk.name, "detail": result.detail},
        )


async def print_ticket(
    database: Database,
    issued: IssuedTicket,
    *,
    base_url: str,
    now: datetime,
    lang: str = i18n.DEFAULT_LANGUAGE,
    limit_seconds: float = PRINT_LIMIT_SECONDS,
    spool_dir: Path | None = None,
) -> PrintResult:
    """Print on the issuing kiosk's printer, in the visitor's language, if the kiosk has one;
    never raises, never takes over 3 s. File printers write only inside `spool_dir`
    (Settings.spool_path; None: the default spool directory for this database)."""
    deadline = time.monotonic() + limit_seconds - RECORD_RESERVE_SECONDS
    spool = spool_dir if spool_dir is not None else default_spool_dir(database.url)
    kiosk, ticket = issued.kiosk, issued.ticket
    if kiosk is None or not kiosk.printer:
        return PrintResult("none")
    try:
        slip = _slip_for(issued, f"{base_url}/t/{ticket.code}", lang)
        # The QR code and the bitmap are CPU work: off the event loop, in the default bounded pool.
        data = await asyncio.to_thread(render_slip, slip)
        result = await _send(kiosk.printer, spool, data, deadline)
    except Exception as error:  # a bug in rendering must not turn an issued ticket into a 500
        log.exception("slip for ticket %s could not be prepared", ticket.id)
        result = PrintResult("failed", f"the slip could not be prepared: {error}"[:300])
    try:
        await _record(database, kiosk, ticket, result, now)
    except Exception:  # the ticket is issued and the visitor waits: report, do not fail
        log.exception("printer state of kiosk %s could not be saved", kiosk.id)
    return result
