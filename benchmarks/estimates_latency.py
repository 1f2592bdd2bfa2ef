"""The kiosk's two requests with the replay estimator: the topic menu and issuing a ticket.

A fresh SQLite file gets an office through the API (5 topics, 10 windows, 10 operators with mixed
skills), a bulk-inserted history of finished services on past days, then today: 110 tickets
issued, 10 operators at their windows holding one each (so 100 wait, or --waiting N).
A real server (uvicorn in a thread, frozen clock) answers sequential requests; the script prints
p50 and p95 wall-clock and CPU milliseconds (client and server share the process).

    .venv/bin/python benchmarks/estimates_latency.py
    .venv/bin/python benchmarks/estimates_latency.py --history 200000 --requests 100
    .venv/bin/python benchmarks/estimates_latency.py --waiting 1000 --requests 50
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from queue_server.clock import FrozenClock  # noqa: E402
from tests.support import (  # noqa: E402
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    Api,
    login_token,
    prepare_template,
    running_server,
    test_settings,
)

ZONE = ZoneInfo("Europe/Moscow")
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=ZONE).astimezone(UTC)
PER_DAY = 300


def past_services(office: int, topics: list[int], count: int) -> list[tuple[Any, ...]]:
    """Finished tickets, PER_DAY a day going back from yesterday (ids far above today's)."""
    rng, rows = random.Random(7), []
    for index in range(count):
        day = TODAY - timedelta(days=1 + index // PER_DAY)
        topic = topics[index % len(topics)]
        start = datetime.combine(day, datetime.min.time(), ZONE) + timedelta(
            minutes=480 + index % 600
        )
        issued = start.astimezone(UTC)
        started = issued + timedelta(seconds=rng.randrange(30, 1800))
        finished = started + timedelta(seconds=rng.randrange(120, 1200))
        rows.append(
            (10_000_000 + index, office, topic, topic, day.isoformat(), "Z", index, f"Z{index}",
             uuid.uuid4().hex, "individual", 0, "done", stamp(issued), stamp(issued),
             stamp(started), stamp(started), stamp(started), stamp(finished), 0, 0, "", "[]",
             "none", "")
        )  # fmt: skip
    return rows


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


COLUMNS = (
    "id, office_id, topic_id, original_topic_id, service_day, prefix, sequence, number, code, "
    "customer_type, priority, status, issued_at, queued_at, first_called_at, called_at, "
    "started_at, finished_at, recall_count, transfer_count, note, outcomes, print_status, "
    "print_detail"
)


def build_office(
    admin: Api, clock: FrozenClock, path: Path, history: int, waiting: int
) -> dict[str, Any]:
    office = admin.office()
    topics = [admin.topic(office["id"], prefix)["id"] for prefix in "ABCDE"]
    windows = [admin.window(office["id"], number)["id"] for number in range(1, 11)]
    skill_sets = [None, {0: 1, 1: 2}, {1: 1, 2: 1}, {2: 1, 3: 2, 4: 3}, {3: 1, 4: 1}]
    operators = []
    for index in range(10):
        skills = skill_sets[index % len(skill_sets)]
        listed = (
            None
            if skills is None
            else [{"topic_id": topics[t], "priority": p} for t, p in skills.items()]
        )
        operators.append(admin.operator(office["id"], listed))
    connection = sqlite3.connect(path)
    marks = ", ".join("?" * len(COLUMNS.split(",")))
    connection.executemany(
        f"INSERT INTO tickets ({COLUMNS}) VALUES ({marks})",
        past_services(office["id"], topics, history),
    )
    connection.commit()
    connection.close()
    rng = random.Random(3)
    for _ in range(waiting + 10):
        admin.issue(office["id"], rng.choice(topics), priority=rng.random() < 0.1)
        clock.advance(max(1, 2200 // (waiting + 10)))  # the same morning, however busy
    for operator, window in zip(operators, windows, strict=True):
        ticket = operator.ok(operator.post(f"/api/v1/windows/{window}/call-next"))
        if rng.random() < 0.5:
            operator.ok(operator.post(f"/api/v1/tickets/{ticket['id']}/start"))
    clock.advance(120)
    return {"office": office, "topics": topics, "operators": operators}


def timed(
    action: Callable[[], httpx.Response], requests: int
) -> tuple[float, float, float, float, float]:
    """Wall p50, p95 and minimum (the least disturbed by other work), CPU p50 and p95, in ms."""
    for _ in range(5):
        action().raise_for_status()
    wall, cpu = [], []
    for _ in range(requests):
        started, used = time.perf_counter(), time.process_time()
        action().raise_for_status()
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - used) * 1000)
    return (*_p50_p95(wall), min(wall), *_p50_p95(cpu))


def _p50_p95(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--history", type=int, default=20_000, help="past finished tickets")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--waiting", type=int, default=100, help="tickets waiting today")
    arguments = parser.parse_args()
    path = Path(tempfile.mkdtemp()) / "estimates.sqlite3"
    url = f"sqlite:///{path}"
    prepare_template(url)
    clock = FrozenClock(NOW)
    with running_server(test_settings(url), clock) as server:
        admin = Api(server.url, login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD))
        built = build_office(admin, clock, path, arguments.history, arguments.waiting)
        office, topics = built["office"]["id"], built["topics"]
        waiting = admin.ok(built["operators"][0].get(f"/api/v1/offices/{office}/queue"))
        print(f"history {arguments.history:,} past tickets; {len(waiting)} waiting, 10 operators")
        cases: dict[str, Callable[[], httpx.Response]] = {
            "GET /api/v1/offices/{id} (one query, for reference)": lambda: admin.get(
                f"/api/v1/offices/{office}"
            ),
            "GET /api/v1/offices/{id}/topics": lambda: admin.get(
                f"/api/v1/offices/{office}/topics"
            ),
            "GET /api/v1/tickets/{code}": lambda: admin.get(
                f"/api/v1/tickets/{waiting[-1]['code']}"
            ),
            "POST /api/v1/offices/{id}/tickets": lambda: admin.post(
                f"/api/v1/offices/{office}/tickets", json={"topic_id": random.choice(topics)}
            ),
        }
        for name, action in cases.items():
            p50, p95, least, cpu50, cpu95 = timed(action, arguments.requests)
            print(
                f"  {name}: p50 {p50:.1f} ms, p95 {p95:.1f} ms, min {least:.1f} ms; "
                f"CPU p50 {cpu50:.1f}, p95 {cpu95:.1f} ms"
            )
        queue = built["operators"][0]
        p50, p95, least, _cpu50, _cpu95 = timed(
            lambda: queue.get(f"/api/v1/offices/{office}/queue"), 20
        )
        size = len(admin.ok(queue.get(f"/api/v1/offices/{office}/queue")))
        print(
            f"  GET /api/v1/offices/{{id}}/queue ({size} tickets): "
            f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, min {least:.1f} ms"
        )
        admin.close()


if __name__ == "__main__":
    main()
