"""Visitors' status pages: what one call costs the server when many phones follow the queue.

    .venv/bin/python -m benchmarks.status_pages [--pages 1 60] [--waiting 80] [--calls 30]

Each call moves everyone's position, so every open `/ws/tickets/{code}` page gets a fresh status
(position and estimated wait) pushed. A real `queue-server serve` (one worker, fresh SQLite file)
holds `--waiting` tickets; the first N of them have their status page open. For each N the script
makes the calls (call-next, then no-show) one after the other and reports the server's CPU time
per call (from /proc) and how long until every page had its update. The baseline is N = 1 in the
same run: the ratio says how the cost grows with the number of phones.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
from websockets.asyncio.client import ClientConnection, connect

from benchmarks.realtime_latency import ADMIN, PASSWORD, prepare_database, server


def server_cpu_seconds(port: int) -> float:
    """utime + stime of the process listening on `port` and its children (the workers)."""
    total = 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    for pid in _server_pids(port):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def _server_pids(port: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"serve" in command and str(port).encode() in command:
                found.append(int(entry.name))
    return found


READERS: set[asyncio.Task[None]] = set()


async def follow(url: str, code: str, updates: list[float]) -> ClientConnection:
    ws = "ws" + url.removeprefix("http") + f"/ws/tickets/{code}"
    connection = await connect(ws, max_queue=None)
    json.loads(await connection.recv())  # the first status

    async def read() -> None:
        async for raw in connection:
            if json.loads(raw).get("type") == "status":
                updates.append(time.perf_counter())
            else:
                await connection.send('{"type":"pong"}')

    reader = asyncio.create_task(read())
    READERS.add(reader)
    reader.add_done_callback(READERS.discard)
    return connection


async def measure(url: str, port: int, pages: int, waiting: int, calls: int) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:
        token = (
            await http.post("/api/v1/auth/token", data={"username": ADMIN, "password": PASSWORD})
        ).json()["access_token"]
        admin = {"Authorization": f"Bearer {token}"}
        office = (
            await http.post(
                "/api/v1/offices",
                headers=admin,
                json={"name": f"Bench {pages}", "timezone": "Europe/Moscow", "hours": None},
            )
        ).json()
        base = f"/api/v1/offices/{office['id']}"
        topic = (
            await http.post(
                f"{base}/topics", headers=admin, json={"name": {"ru": "Т"}, "prefix": "A"}
            )
        ).json()
        window = (await http.post(f"{base}/windows", headers=admin, json={"number": 1})).json()
        tickets = [
            (
                await http.post(f"{base}/tickets", headers=admin, json={"topic_id": topic["id"]})
            ).json()
            for _ in range(waiting)
        ]
        updates: list[float] = []
        # The last tickets keep waiting through every call, so each call moves all their pages.
        followers = [await follow(url, t["code"], updates) for t in tickets[-pages:]]
        await asyncio.sleep(0.5)
        cpu, spread = [], []
        for _ in range(calls):
            updates.clear()
            used, sent = server_cpu_seconds(port), time.perf_counter()
            called = await http.post(f"/api/v1/windows/{window['id']}/call-next", headers=admin)
            deadline = time.monotonic() + 10
            while len(updates) < pages and time.monotonic() < deadline:  # noqa: ASYNC110
                await asyncio.sleep(0.002)
            spread.append((max(updates, default=sent) - sent) * 1000)
            cpu.append((server_cpu_seconds(port) - used) * 1000)
            ticket_id = called.json()["id"]
            await http.post(f"/api/v1/tickets/{ticket_id}/no-show", headers=admin)
            await asyncio.sleep(0.3)  # the no-show's own pushes settle before the next call
        for connection in followers:
            await connection.close()
    return {
        "pages": pages,
        "server_cpu_ms_per_call_p50": round(statistics.median(cpu), 1),
        "all_pages_updated_ms_p50": round(statistics.median(spread), 1),
        "all_pages_updated_ms_max": round(max(spread), 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, nargs="+", default=[1, 60])
    parser.add_argument("--waiting", type=int, default=80)
    parser.add_argument("--calls", type=int, default=30)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    results = []
    with tempfile.TemporaryDirectory() as directory:
        url = prepare_database(Path(directory))
        with server(url, 1, False, Path(directory) / "server.log") as base:
            port = int(base.rsplit(":", 1)[1])
            for pages in args.pages:
                results.append(asyncio.run(measure(base, port, pages, args.waiting, args.calls)))
                print(json.dumps(results[-1]), flush=True)
    baseline = results[0]["server_cpu_ms_per_call_p50"]
    for result in results[1:]:
        ratio = result["server_cpu_ms_per_call_p50"] / baseline
        print(
            f"{result['pages']} pages cost {ratio:.1f}x the CPU of {results[0]['pages']} per call"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
