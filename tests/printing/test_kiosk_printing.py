"""Issuing with a kiosk id prints through its printer; a broken printer never loses the ticket."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select, update

from queue_server.db.engine import Database, sqlite_path
from queue_server.db.models import Event, Kiosk
from tests.printing.fake_printer import PAPER_OUT, loopback_printer, refusing_port
from tests.support import Api, LiveServer, on_database

TOPIC = {"ru": "Заключение и сопровождение договора", "en": "Contracts"}
TARGET = {"peak": 1200, "offpeak": 420}


def kiosk_setup(admin: Api, printer: str | None) -> tuple[dict[str, Any], dict[str, Any], int]:
    office = admin.office(name="ЦОК Липецк, пр. Победы, 87а", address="г. Липецк, пр. Победы, 87а")
    path = f"/api/v1/offices/{office['id']}/topics"
    topic_body = {"name": TOPIC, "prefix": "A", "target_wait_seconds": TARGET}
    topic = admin.ok(admin.post(path, json=topic_body), 201)
    kiosk_body = {"name": "Entrance", "printer": printer}
    kiosk = admin.ok(admin.post(f"/api/v1/offices/{office['id']}/kiosks", json=kiosk_body), 201)
    return office, topic, kiosk["id"]


def issue_timed(admin: Api, office_id: int, topic_id: int, kiosk_id: int) -> tuple[Any, float]:
    started = time.monotonic()
    body = {"topic_id": topic_id, "kiosk_id": kiosk_id}
    response = admin.post(f"/api/v1/offices/{office_id}/tickets", json=body)
    return admin.ok(response, 201), time.monotonic() - started


def kiosk_state(admin: Api, office_id: int, kiosk_id: int) -> dict[str, Any]:
    kiosks = admin.ok(admin.get(f"/api/v1/offices/{office_id}/kiosks"))
    return next(k for k in kiosks if k["id"] == kiosk_id)  # type: ignore[no-any-return]


def event_log(server: LiveServer, office_id: int) -> list[tuple[str, dict[str, Any]]]:
    """The office's events as stored, read through a second connection to the same database."""

    async def read() -> list[tuple[str, dict[str, Any]]]:
        database = Database(server.settings.database_url)
        try:
            async with database.reading() as session:
                statement = select(Event.type, Event.data).where(Event.office_id == office_id)
                rows = (await session.execute(statement.order_by(Event.seq))).all()
                return [(row[0], row[1]) for row in rows]
        finally:
            await database.dispose()

    # its own thread: a session-wide Playwright may already run an event loop in this one
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, read()).result()


def test_ticket_prints_on_the_kiosks_network_printer(admin: Api, server: LiveServer) -> None:
    with loopback_printer() as printer:
        office, topic, kiosk_id = kiosk_setup(admin, printer.url)
        admin.issue(office["id"], topic["id"])  # one person ahead
        ticket, _seconds = issue_timed(admin, office["id"], topic["id"], kiosk_id)
        data = printer.wait_for_job()
    assert ticket["print"] == {"status": "printed", "detail": ""}
    assert ticket["number"] == "A002"
    assert data.index(b"\x1b@") < data.index(b"\x1bt\x11")  # init, then code page 866
    assert TOPIC["ru"].encode("cp866") in data
    assert "ЦОК Липецк, пр. Победы, 87а".encode("cp866") in data
    assert b"A002\n" in data
    assert "Перед вами: 1 чел.".encode("cp866") in data
    assert b"23.11.2026  10:30" in data  # 07:30 UTC in Moscow
    assert b"\x1d(k" in data and ticket["status_url"].encode() in data
    assert "Норматив ожидания: 20 мин в часы пик, 7 мин вне пика".encode("cp866") in data
    assert data.endswith(b"\x1dV\x00")
    state = kiosk_state(admin, office["id"], kiosk_id)
    assert (state["printer_status"], state["printer_failures"]) == ("ok", 0)
    assert state["printer_checked_at"] is not None
    assert [kind for kind, _ in event_log(server, office["id"])].count("printer.ok") == 1


def test_refused_connection_fails_fast_and_the_ticket_is_issued(
    admin: Api, server: LiveServer
) -> None:
    office, topic, kiosk_id = kiosk_setup(admin, f"tcp://127.0.0.1:{refusing_port()}")
    ticket, seconds = issue_timed(admin, office["id"], topic["id"], kiosk_id)
    assert seconds < 3.5
    assert ticket["print"]["status"] == "failed"
    assert "refused" in ticket["print"]["detail"]
    status = admin.ok(admin.get(f"/api/v1/tickets/{ticket['code']}"))
    assert (status["number"], status["status"]) == (ticket["number"], "waiting")
    state = kiosk_state(admin, office["id"], kiosk_id)
    assert (state["printer_status"], state["printer_failures"]) == ("failed", 1)
    assert "refused" in state["printer_detail"]
    failures = [data for kind, data in event_log(server, office["id"]) if kind == "printer.failed"]
    assert failures == [
        {"kiosk_id": kiosk_id, "kiosk": "Entrance", "detail": state["printer_detail"]}
    ]


def test_printer_that_never_answers_fails_within_the_limit(admin: Api) -> None:
    with loopback_printer(paper=None) as printer:
        office, topic, kiosk_id = kiosk_setup(admin, printer.url)
        ticket, seconds = issue_timed(admin, office["id"], topic["id"], kiosk_id)
    assert 2.0 < seconds < 3.5, seconds
    assert ticket["print"]["status"] == "failed"
    assert "did not answer" in ticket["print"]["detail"]
    status = admin.ok(admin.get(f"/api/v1/tickets/{ticket['code']}"))
    assert status["status"] == "waiting"
    second, _ = issue_timed(admin, office["id"], topic["id"], kiosk_id)
    assert kiosk_state(admin, office["id"], kiosk_id)["printer_failures"] == 2
    assert second["number"] == "A002"


def test_out_of_paper_is_reported_and_recovery_is_logged(admin: Api, server: LiveServer) -> None:
    with loopback_printer(PAPER_OUT) as printer:
        office, topic, kiosk_id = kiosk_setup(admin, printer.url)
        ticket, _ = issue_timed(admin, office["id"], topic["id"], kiosk_id)
        assert ticket["print"] == {"status": "failed", "detail": "the printer is out of paper"}
        printer.paper = b"\x12"  # the roll is replaced
        ticket, _ = issue_timed(admin, office["id"], topic["id"], kiosk_id)
        assert ticket["print"]["status"] == "printed"
    kinds = [kind for kind, _ in event_log(server, office["id"]) if kind.startswith("printer.")]
    assert kinds == ["printer.failed", "printer.ok"]
    assert kiosk_state(admin, office["id"], kiosk_id)["printer_failures"] == 0


def test_kiosk_without_printer_and_ticket_without_kiosk_print_nothing(admin: Api) -> None:
    office, topic, kiosk_id = kiosk_setup(admin, None)
    ticket, _ = issue_timed(admin, office["id"], topic["id"], kiosk_id)
    assert ticket["print"] == {"status": "none", "detail": ""}
    assert admin.issue(office["id"], topic["id"])["print"]["status"] == "none"


def test_a_device_that_hangs_is_abandoned_at_the_hard_limit(admin: Api, server: LiveServer) -> None:
    """A file printer whose device never opens (a FIFO nobody reads) hangs its thread for good."""
    spool = server.settings.spool_path.resolve()
    spool.mkdir(parents=True, exist_ok=True)
    fifo = spool / f"lp0-{uuid.uuid4().hex}"
    os.mkfifo(fifo)
    office, topic, kiosk_id = kiosk_setup(admin, f"file://{fifo}")
    ticket, seconds = issue_timed(admin, office["id"], topic["id"], kiosk_id)
    assert seconds < 3.5, seconds
    assert ticket["print"]["status"] == "failed"
    assert re.fullmatch(r"the printer did not answer within 2\.\d s", ticket["print"]["detail"])
    assert admin.ok(admin.get(f"/api/v1/tickets/{ticket['code']}"))["status"] == "waiting"
    time.sleep(0.2)
    second, seconds = issue_timed(admin, office["id"], topic["id"], kiosk_id)
    assert second["print"]["detail"] == "the printer is still stuck on an earlier slip"
    assert seconds < 1.0
    # a reader appears: the abandoned thread finishes its write and ends
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        deadline = time.monotonic() + 5
        received = b""
        while not received.endswith(b"\x1dV\x00") and time.monotonic() < deadline:
            with contextlib.suppress(BlockingIOError):
                received += os.read(reader, 65536)
            time.sleep(0.01)
    finally:
        os.close(reader)
        fifo.unlink()  # on PostgreSQL the spool directory is the working directory's var/spool
    assert TOPIC["ru"].encode("cp866") in received


def test_a_file_printer_in_the_spool_directory_gets_the_slip(
    sqlite_admin: Api, sqlite_server: LiveServer
) -> None:
    spool = sqlite_server.settings.spool_path.resolve()
    assert not spool.exists()  # made on the first slip
    office, topic, kiosk_id = kiosk_setup(sqlite_admin, f"file://{spool}/kiosk-1.prn")
    ticket, _ = issue_timed(sqlite_admin, office["id"], topic["id"], kiosk_id)
    assert ticket["print"] == {"status": "printed", "detail": ""}
    data = (spool / "kiosk-1.prn").read_bytes()
    assert data.startswith(b"\x1b@") and data.endswith(b"\x1dV\x00")
    assert b"A001\n" in data and TOPIC["ru"].encode("cp866") in data


def test_a_stored_printer_url_outside_the_spool_directory_writes_nothing(
    sqlite_admin: Api, sqlite_server: LiveServer
) -> None:
    """A kiosk saved before URLs were checked, pointing at the live database itself."""
    database = sqlite_path(sqlite_server.settings.database_url)
    assert database is not None
    office, topic, kiosk_id = kiosk_setup(sqlite_admin, None)

    async def point_the_printer_at_the_database(db: Database) -> None:
        async with db.unit_of_work() as uow:
            statement = update(Kiosk).where(Kiosk.id == kiosk_id)
            await uow.session.execute(statement.values(printer=f"file://{database}"))

    on_database(sqlite_server.settings.database_url, point_the_printer_at_the_database)
    ticket, _ = issue_timed(sqlite_admin, office["id"], topic["id"], kiosk_id)
    assert ticket["print"]["status"] == "failed"
    spool = sqlite_server.settings.spool_path.resolve()
    assert ticket["print"]["detail"].startswith("the kiosk's printer is not allowed: ")
    assert f"a file printer must be a file inside {spool}" in ticket["print"]["detail"]
    assert database.read_bytes()[:16] == b"SQLite format 3\x00"
    status = sqlite_admin.ok(sqlite_admin.get(f"/api/v1/tickets/{ticket['code']}"))
    assert (status["number"], status["status"]) == ("A001", "waiting")
    assert kiosk_state(sqlite_admin, office["id"], kiosk_id)["printer_status"] == "failed"
