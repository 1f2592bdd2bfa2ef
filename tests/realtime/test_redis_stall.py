"""A stalled Redis (its process stopped, its sockets open) slows no request; displays catch up."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.concurrency.server_process import query
from tests.realtime.clients import Listener, displays_on_both_workers
from tests.realtime.processes import serving
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, IN_CI, Api, free_port, login_token, port_open

pytestmark = pytest.mark.slow
REDIS_SERVER = Path("/usr/bin/redis-server")
# Without the outbox every request waited for redis-py's 5 s socket timeout.
REQUEST_LIMIT_SECONDS = 1.0


@dataclass
class OwnRedis:
    """A redis-server of this test alone, so that stopping it disturbs nobody else."""

    url: str
    process: subprocess.Popen[bytes]

    def stall(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    if not REDIS_SERVER.exists():
        if IN_CI:
            pytest.fail(f"CI=true but {REDIS_SERVER} is missing")
        pytest.skip(f"{REDIS_SERVER} is not installed (CI=true makes this a failure)")
    port = free_port()
    command = [str(REDIS_SERVER), "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--appendonly", "no", "--dir", str(tmp_path)]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL
    )
    try:
        deadline = time.monotonic() + 10
        while not port_open("127.0.0.1", port):
            assert process.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        yield OwnRedis(f"redis://127.0.0.1:{port}/0", process)
    finally:
        process.send_signal(signal.SIGCONT)
        process.terminate()
        process.wait(timeout=10)


def timed_post(api: Api, path: str, body: dict[str, Any] | None = None) -> float:
    """Seconds a POST takes to answer."""
    started = time.monotonic()
    response = api.post(path, json=body)
    assert response.status_code in (200, 201), f"{response.status_code}: {response.text}"
    return time.monotonic() - started


def seqs_until(display: Listener, last: int, timeout: float) -> list[int]:
    """The seqs this display has shown once it has shown `last`."""
    if not display.received or display.received[-1].get("seq", 0) < last:
        display.until(lambda message: message.get("seq", 0) >= last, timeout=timeout)
    return [message["seq"] for message in display.received[1:] if "seq" in message]


def test_requests_answer_at_once_while_redis_is_stopped_and_displays_converge_after(
    own_redis: OwnRedis, sqlite_url: str, tmp_path: Path
) -> None:
    env = {"QUEUE_REDIS_URL": own_redis.url, "QUEUE_WS_PING_INTERVAL_SECONDS": "2"}
    with serving(sqlite_url, tmp_path / "server.log", 2, **env) as url, ExitStack() as stack:
        admin = Api(url, login_token(url, ADMIN_LOGIN, ADMIN_PASSWORD))
        stack.callback(admin.close)
        office = admin.office()
        topic = admin.topic(office["id"], "A")
        windows = [admin.window(office["id"], number) for number in (1, 2)]
        operators = [admin.operator(office["id"]) for _window in windows]
        kiosk_key = admin.kiosk(office["id"])["key"]
        displays = displays_on_both_workers(url, f"/ws/offices/{office['id']}/display", stack)
        admin.issue(office["id"], topic["id"])  # Redis works: every display hears of it
        start = displays[0].received[0]["seq"]
        for display in displays:
            assert display.next(timeout=10)["seq"] == start + 1

        own_redis.stall()
        stack.callback(own_redis.resume)  # whatever happens, before the servers stop
        took: list[float] = []
        for _ in range(4):
            # a kiosk on a fresh connection each time: requests land on either worker
            visitor = Api(url, kiosk_key=kiosk_key)
            path = f"/api/v1/offices/{office['id']}/tickets"
            took.append(timed_post(visitor, path, {"topic_id": topic["id"]}))
            visitor.close()
        for operator, window in zip(operators, windows, strict=True):
            took.append(timed_post(operator, f"/api/v1/windows/{window['id']}/call-next"))
            operator.close()
        own_redis.resume()
        assert max(took) < REQUEST_LIMIT_SECONDS, [round(seconds, 3) for seconds in took]

        [(last,)] = query(
            sqlite_url, "SELECT max(seq) FROM events WHERE office_id = :o", o=office["id"]
        )
        for display in displays:
            seqs = seqs_until(display, last, timeout=30)
            assert seqs == list(range(start + 1, last + 1))
            calls = [m for m in display.received if m.get("type") == "ticket.called"]
            assert sorted(call["ticket"]["window"]["number"] for call in calls) == [1, 2]
