"""A kiosk's printer URL names a printer, never a file to overwrite (issue 12)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from queue_server.db.engine import sqlite_path
from tests.api.contract import error
from tests.support import Api, LiveServer

SQLITE_HEADER = b"SQLite format 3\x00"


def database_file(server: LiveServer) -> Path:
    path = sqlite_path(server.settings.database_url)
    assert path is not None
    return path


def test_a_printer_url_cannot_overwrite_the_database(
    sqlite_admin: Api, sqlite_server: LiveServer
) -> None:
    database = database_file(sqlite_server)
    spool = sqlite_server.settings.spool_path.resolve()
    spool.mkdir(parents=True, exist_ok=True)
    (spool / "kiosk-1.prn").symlink_to(database)
    office = sqlite_admin.office()
    topic = sqlite_admin.topic(office["id"])
    path = f"/api/v1/offices/{office['id']}/kiosks"
    for printer in (
        f"file://{database}",
        f"file://{spool}/../{database.name}",
        f"file://{spool}/kiosk-1.prn",
    ):
        detail = error(
            sqlite_admin.post(path, json={"name": "Вход", "printer": printer}),
            422,
            "printer_not_allowed",
        )
        assert f"a file printer must be a file inside {spool} (QUEUE_SPOOL_DIR)" in detail
    assert sqlite_admin.ok(sqlite_admin.get(path)) == []
    assert database.read_bytes()[:16] == SQLITE_HEADER
    assert sqlite_admin.issue(office["id"], topic["id"])["number"] == "A001"
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_a_serial_or_file_printer_must_be_a_printer_device(
    sqlite_admin: Api, sqlite_server: LiveServer
) -> None:
    office = sqlite_admin.office()
    path = f"/api/v1/offices/{office['id']}/kiosks"
    for printer in ("serial:///etc/shadow", "serial:///dev/sda", "serial:///dev/ttyUSB0/../sda"):
        detail = error(
            sqlite_admin.post(path, json={"name": "K", "printer": printer}),
            422,
            "printer_not_allowed",
        )
        assert "is not a serial printer port; use one of /dev/ttyUSB*, /dev/ttyACM*" in detail
    for printer in ("file:///dev/sda", "file:///etc/shadow"):
        detail = error(
            sqlite_admin.post(path, json={"name": "K", "printer": printer}),
            422,
            "printer_not_allowed",
        )
        assert str(sqlite_server.settings.spool_path.resolve()) in detail
    assert sqlite_admin.ok(sqlite_admin.get(path)) == []
