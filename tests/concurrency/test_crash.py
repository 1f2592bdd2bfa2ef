"""SIGKILL while kiosks issue tickets: every acknowledged ticket survives, numbering goes on."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.concurrency import server_process
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, Api, login_token

KIOSKS = 6
KILL_AFTER = 80  # acknowledged tickets before the power cut

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("heavy"), pytest.mark.timeout(300)]


class Kiosks:
    """Threads issuing tickets as fast as the server answers, until it stops answering."""

    def __init__(self, url: str, office_id: int, topic_id: int, keys: list[str]) -> None:
        self.url, self.office_id, self.topic_id, self.keys = url, office_id, topic_id, keys
        self.acknowledged: list[dict[str, Any]] = []
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.threads = [
            threading.Thread(target=self._run, args=(key,), daemon=True) for key in keys
        ]

    def _run(self, key: str) -> None:
        with httpx.Client(base_url=self.url, timeout=10, headers={"X-Kiosk-Key": key}) as http:
            for _ in range(10_000):  # bounded; the kill ends it long before
                try:
                    response = http.post(
                        f"/api/v1/offices/{self.office_id}/tickets",
                        json={"topic_id": self.topic_id},
                    )
                except httpx.TransportError:
                    return  # the server is gone: what was not acknowledged may be lost
                with self.lock:
                    if response.status_code == 201:
                        self.acknowledged.append(response.json())
                    else:
                        self.failures.append(f"{response.status_code} {response.text}")

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def wait_for(self, count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while len(self.acknowledged) < count:
            assert time.monotonic() < deadline, f"only {len(self.acknowledged)} tickets issued"
            assert not self.failures, self.failures[:3]
            time.sleep(0.01)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=30)
            assert not thread.is_alive(), "a kiosk thread hung after the kill"


def _sequence(number: str) -> int:
    match = re.fullmatch(r"A(\d{3,})", number)
    assert match, number
    return int(match.group(1))


def test_sigkill_loses_no_acknowledged_ticket(sqlite_url: str, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    server = server_process.start(sqlite_url, log, workers=2)
    try:
        admin = Api(server.url, login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD))
        office = admin.office(kiosk_tickets_per_minute=10_000)
        topic = admin.topic(office["id"], "A")
        keys = [admin.kiosk(office["id"])["key"] for _ in range(KIOSKS)]
        admin.close()
        kiosks = Kiosks(server.url, office["id"], topic["id"], keys)
        kiosks.start()
        kiosks.wait_for(KILL_AFTER)
        server.kill()  # SIGKILL to the supervisor and both workers, mid-stream
    finally:
        server.stop()
    kiosks.join()
    assert not kiosks.failures, kiosks.failures[:3]
    acknowledged = list(kiosks.acknowledged)
    assert len(acknowledged) >= KILL_AFTER

    with server_process.running(sqlite_url, log, workers=2) as again:
        visitor = Api(again.url, kiosk_key=keys[0])
        for ticket in acknowledged:
            status = visitor.ok(visitor.get(f"/api/v1/tickets/{ticket['code']}"))
            assert status["number"] == ticket["number"]
            assert status["status"] == "waiting"
        after = [visitor.issue(office["id"], topic["id"]) for _ in range(3)]
        visitor.close()

    stored = server_process.query(
        sqlite_url,
        "SELECT number, sequence FROM tickets WHERE office_id = :office ORDER BY sequence",
        office=office["id"],
    )
    numbers = [row.number for row in stored]
    assert len(numbers) == len(set(numbers)), "a number was issued twice across the crash"
    sequences = [row.sequence for row in stored]
    # Committed tickets are 1..n without a hole: the counter and the ticket commit together.
    assert sequences == list(range(1, len(sequences) + 1))
    before_crash = max(_sequence(ticket["number"]) for ticket in acknowledged)
    assert [_sequence(t["number"]) for t in after] == [
        len(sequences) - 2,
        len(sequences) - 1,
        len(sequences),
    ]
    assert _sequence(after[0]["number"]) > before_crash
    integrity = server_process.query(sqlite_url, "PRAGMA integrity_check")
    assert [row[0] for row in integrity] == ["ok"]
