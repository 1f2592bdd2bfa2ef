"""Call-next to hall display: how long until 200 connected displays have the call (p50, p99).

    .venv/bin/python -m benchmarks.realtime_latency [--displays 200] [--calls 100] [--scenario all]

Runs a real `queue-server serve` on a fresh SQLite file: once with one worker, once with two
workers sharing Redis (127.0.0.1:6379; skipped if absent). The clock starts just before the
call-next request is sent and stops when a display's socket delivers the `ticket.called` event,
so it includes the request itself, the commit and the fan-out; the displays run in this process,
on the same machine as the server.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from queue_server.db.engine import Database
from queue_server.migrate import upgrade
from queue_server.services import catalogue
from queue_server.services.access import Role
from queue_server.services.auth import Passwords
from queue_server.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
QUEUE_SERVER = ROOT / ".venv" / "bin" / "queue-server"
ADMIN, PASSWORD = "bench-admin", "bench-admin-password"
REDIS_URL = "redis://127.0.0.1:6379/0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare_database(directory: Path) -> str:
    url = f"sqlite:///{directory / 'bench.sqlite3'}"
    upgrade(url)

    async def admin() -> None:
        database = Database(url)
        settings = Settings(
            database_url=url, env="demo", argon2_time_cost=1, argon2_memory_cost=8192
        )
        async with database.unit_of_work() as uow:
            spec = catalogue.UserSpec(login=ADMIN, password=PASSWORD, role=Role.ADMIN)
            await catalogue.create_user(uow, Passwords(settings), spec, datetime.now(UTC))
        await database.dispose()

    asyncio.run(admin())
    return url


@contextmanager
def server(database_url: str, workers: int, redis: bool, log: Path) -> Iterator[str]:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("QUEUE_")}
    env.update(
        QUEUE_DATABASE_URL=database_url,
        QUEUE_ENV="demo",
        QUEUE_ARGON2_TIME_COST="1",
        QUEUE_ARGON2_MEMORY_COST="8192",
        QUEUE_HOUSEKEEPING_INTERVAL_SECONDS="3600",
    )
    if redis:
        env["QUEUE_REDIS_URL"] = REDIS_URL
    command = [str(QUEUE_SERVER), "serve", "--port", str(port), "--workers", str(workers)]
    with log.open("ab") as sink:
        process = subprocess.Popen(
            command, env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/api/v1/offices", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(log.read_text(errors="replace")[-2000:])
            time.sleep(0.1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


class Display:
    """One hall display: answers pings, notes when each call arrives."""

    def __init__(self, connection: ClientConnection, arrivals: dict[int, list[float]]) -> None:
        self.connection = connection
        self.arrivals = arrivals
        self.node = ""

    async def start(self) -> None:
        snapshot = json.loads(await self.connection.recv())
        self.node = snapshot["node"]

    async def run(self) -> None:
        async for raw in self.connection:
            received = time.perf_counter()
            message = json.loads(raw)
            if message["type"] == "ticket.called":
                self.arrivals[message["ticket"]["id"]].append(received)
            elif message["type"] == "ping":
                await self.connection.send('{"type":"pong"}')


async def open_displays(
    url: str, office_id: int, count: int, workers: int, arrivals: dict[int, list[float]]
) -> list[Display]:
    """`count` displays, spread over every worker (a loaded machine may bring workers up late)."""
    ws = "ws" + url.removeprefix("http") + f"/ws/offices/{office_id}/display"
    displays: list[Display] = []
    deadline = time.monotonic() + 120
    while True:
        while len(displays) < count:
            display = Display(await connect(ws, max_queue=None), arrivals)
            await display.start()
            displays.append(display)
        nodes = {display.node for display in displays}
        if len(nodes) >= workers or time.monotonic() > deadline:
            return displays
        for display in displays[: count // 2]:  # reconnect half, hoping for the other worker
            await display.connection.close()
        displays = displays[count // 2 :]
        await asyncio.sleep(1)


async def measure(url: str, displays_wanted: int, calls: int, workers: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        token = (
            await http.post("/api/v1/auth/token", data={"username": ADMIN, "password": PASSWORD})
        ).json()
        admin = {"Authorization": f"Bearer {token['access_token']}"}
        office = (
            await http.post(
                "/api/v1/offices",
                headers=admin,
                json={"name": "Bench", "address": "", "timezone": "Europe/Moscow", "hours": None},
            )
        ).json()
        topic = (
            await http.post(
                f"/api/v1/offices/{office['id']}/topics",
                headers=admin,
                json={"name": {"ru": "Тема", "en": "Topic"}, "prefix": "A"},
            )
        ).json()
        window = (
            await http.post(
                f"/api/v1/offices/{office['id']}/windows", headers=admin, json={"number": 1}
            )
        ).json()
        for _ in range(calls):
            await http.post(
                f"/api/v1/offices/{office['id']}/tickets",
                headers=admin,
                json={"topic_id": topic["id"]},
            )
        arrivals: dict[int, list[float]] = defaultdict(list)
        displays = await open_displays(url, office["id"], displays_wanted, workers, arrivals)
        readers = [asyncio.create_task(display.run()) for display in displays]
        latencies: list[float] = []
        requests: list[float] = []
        for _ in range(calls):
            sent = time.perf_counter()
            called = (
                await http.post(f"/api/v1/windows/{window['id']}/call-next", headers=admin)
            ).json()
            requests.append(time.perf_counter() - sent)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(everyone_has(arrivals, called["id"], len(displays)), 10)
            latencies += [arrived - sent for arrived in arrivals[called["id"]]]
            await http.post(f"/api/v1/tickets/{called['id']}/no-show", headers=admin)
            await asyncio.sleep(0.2)
        missing = calls * len(displays) - len(latencies)
        for reader in readers:
            reader.cancel()
        for display in displays:
            await display.connection.close()
    nodes: dict[str, int] = defaultdict(int)
    for display in displays:
        nodes[display.node] += 1
    return summary(latencies, requests, missing, dict(nodes))


async def everyone_has(arrivals: dict[int, list[float]], ticket_id: int, count: int) -> None:
    """Until every display has the call; polled, so that the displays' loop stays untouched."""
    while len(arrivals[ticket_id]) < count:  # noqa: ASYNC110 - an Event per call would do the same
        await asyncio.sleep(0.005)


def summary(
    latencies: list[float], requests: list[float], missing: int, nodes: dict[str, int]
) -> dict[str, Any]:
    ordered = sorted(latencies)
    cut = statistics.quantiles(ordered, n=100)
    return {
        "samples": len(ordered),
        "missing": missing,
        "p50_ms": round(cut[49] * 1000, 1),
        "p99_ms": round(cut[98] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
        "call_next_request_p50_ms": round(statistics.median(requests) * 1000, 1),
        # One call is 1 % of the samples: a slow request alone moves p99.
        "call_next_request_max_ms": round(max(requests) * 1000, 1),
        "displays_per_worker": sorted(nodes.values()),
    }


def redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--displays", type=int, default=200)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--scenario", choices=["one", "redis", "all"], default="all")
    args = parser.parse_args()
    scenarios = {"one": [(1, False)], "redis": [(2, True)], "all": [(1, False), (2, True)]}[
        args.scenario
    ]
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    for workers, redis in scenarios:
        if redis and not redis_up():
            print("two workers + Redis: skipped, Redis is not running on 127.0.0.1:6379")
            continue
        with tempfile.TemporaryDirectory() as directory:
            url = prepare_database(Path(directory))
            with server(url, workers, redis, Path(directory) / "server.log") as base:
                result = asyncio.run(measure(base, args.displays, args.calls, workers))
        label = f"{workers} worker{'s' if workers > 1 else ''}{' + Redis' if redis else ''}"
        print(f"{label}: {args.displays} displays, {args.calls} calls -> {json.dumps(result)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
