"""No secret reaches a real server's log: what `queue-server serve` (uvicorn) writes is captured."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from queue_server.log_redaction import redact
from tests.concurrency import server_process
from tests.realtime.clients import listening
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, Api, login_token

pytestmark = pytest.mark.slow


def test_the_access_log_shows_no_ticket_kiosk_key_or_token(sqlite_url: str, tmp_path: Path) -> None:
    log = tmp_path / "serve.log"
    server = server_process.start(sqlite_url, log, workers=2)
    try:
        admin = Api(server.url, login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD))
        office = admin.office()
        token = str(admin.http.headers["authorization"]).split()[1]
        ticket = admin.ok(admin.post("/api/v1/auth/ws-ticket"))["ticket"]
        with listening(server.url, f"/ws/offices/{office['id']}/staff?ticket={ticket}") as staff:
            assert staff.next()["type"] == "snapshot"
        with listening(server.url, f"/ws/offices/{office['id']}/staff?token={token}") as old:
            assert old.next()["code"] == "not_authenticated"
        key = secrets.token_urlsafe(24)
        admin.get(f"/kiosk/1?key={key}&lang=en")
        admin.get(f"/api/v1/offices?access_token={token}")
        admin.close()
    finally:
        server.stop()
    written = log.read_text(errors="replace")
    for secret in (ticket, key, token):
        assert secret not in written
    # The lines are there, with the values masked.
    assert f"/ws/offices/{office['id']}/staff?ticket=[redacted]" in written
    assert f"/ws/offices/{office['id']}/staff?token=[redacted]" in written
    assert "/kiosk/1?key=[redacted]&lang=en" in written


def test_a_secret_name_spelt_in_percent_escapes_is_masked_too() -> None:
    # The application decodes `k%65y` to `key`, so the log must read it the same way.
    line = '127.0.0.1:1 - "GET /kiosk/3?lang=ru&k%65y=SECRET&TICKET=S2;x=1 HTTP/1.1" 200'
    assert redact(line) == (
        '127.0.0.1:1 - "GET /kiosk/3?lang=ru&k%65y=[redacted]&TICKET=[redacted];x=1 HTTP/1.1" 200'
    )
