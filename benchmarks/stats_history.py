"""Live statistics and the load page against the size of the ticket history.

For each history size a fresh, migrated database gets N past tickets by bulk insert (executemany on
SQLite, COPY on PostgreSQL), the hourly and load aggregates that the event log would have kept for
them, and the same 300 tickets of today. A real server (uvicorn in a thread, frozen clock at 15:00 of
today) then answers sequential requests; the script prints p50 and p99 per endpoint and size.

    .venv/bin/python benchmarks/stats_history.py                      # SQLite: 10k, 100k, 1M
    .venv/bin/python benchmarks/stats_history.py --postgres           # also PostgreSQL if reachable
    .venv/bin/python benchmarks/stats_history.py --postgres-only
    .venv/bin/python benchmarks/stats_history.py --sizes 10000 --requests 100
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from queue_server.clock import FrozenClock  # noqa: E402
from tests.support import (  # noqa: E402
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    PG_ADMIN_URL,
    login_token,
    port_open,
    prepare_template,
    running_server,
    test_settings,
)

ZONE = ZoneInfo("Europe/Moscow")
TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=ZONE).astimezone(UTC)
PER_DAY = 300
TOPICS = 5
TODAY_TICKETS = 300
TICKET_COLUMNS = [
    *("id", "office_id", "topic_id", "original_topic_id", "kiosk_id", "service_day", "prefix"),
    *("sequence", "number", "code", "customer_type", "priority", "status", "issued_at"),
    *("queued_at", "first_called_at", "called_at", "started_at", "finished_at", "window_id"),
    *("operator_id", "served_by_id", "recall_count", "transfer_count", "note", "outcomes"),
    *("rating", "comment", "print_status", "print_detail"),
]
HOURLY_COLUMNS = [
    *("office_id", "day", "hour", "topic_id", "customer_type", "issued", "enqueued", "dequeued"),
    *("first_called", "wait_seconds_sum", "within_target", "served", "service_seconds_sum"),
    *("no_show", "expired", "transferred"),
]


def tickets(count: int, today_count: int) -> Iterator[tuple[Any, ...]]:
    """Past tickets, PER_DAY a day going back from yesterday, then today's; deterministic."""
    rng = random.Random(7)
    days = max(1, -(-count // PER_DAY))
    made = 0
    for index in range(days + 1):
        day = TODAY if index == days else TODAY - timedelta(days=days - index)
        size = today_count if day == TODAY else min(PER_DAY, count - made)
        for sequence in range(1, size + 1):
            made += day != TODAY
            yield _ticket(rng, day, sequence, made if day != TODAY else count + sequence)


def _ticket(rng: random.Random, day: date, sequence: int, ticket_id: int) -> tuple[Any, ...]:
    topic = 1 + sequence % TOPICS
    minute = rng.randrange(8 * 60, 19 * 60 - 30)
    if day == TODAY:
        minute = 8 * 60 + (sequence * (7 * 60 - 10)) // TODAY_TICKETS
    issued = datetime.combine(day, datetime.min.time(), ZONE) + timedelta(minutes=minute)
    issued = issued.astimezone(UTC)
    wait, service = rng.randrange(30, 1800), rng.randrange(120, 1200)
    called = issued + timedelta(seconds=wait)
    finished = called + timedelta(seconds=service)
    status = "done" if rng.random() > 0.08 else rng.choice(("no_show", "expired"))
    if day == TODAY and called > NOW:
        status, called, finished = "waiting", None, None
    elif day == TODAY and finished > NOW:
        status, finished = "serving", None
    if status == "expired":
        called, finished = None, issued + timedelta(hours=2)
    started = called if status in ("done", "serving") else None
    customer = "organization" if sequence % 5 == 0 else "individual"
    prefix = "ABCDE"[topic - 1]
    return (
        ticket_id, 1, topic, topic, None, day, prefix, sequence, f"{prefix}{sequence:03d}",
        uuid.UUID(int=rng.getrandbits(128)).hex, customer, False, status, issued, issued, called,
        called, started, finished, None, None, None if status != "done" else 1, 0, 0, "", "[]",
        None, None, "none", "",
    )  # fmt: skip


def aggregates(
    rows: list[tuple[Any, ...]],
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The hourly, load-cell and load-day rows the event log would have written."""
    column = {name: i for i, name in enumerate(TICKET_COLUMNS)}
    hourly: dict[tuple[Any, ...], Counter[str]] = {}
    cells: Counter[tuple[Any, ...]] = Counter()
    days: dict[int, set[date]] = {}
    for row in rows:
        issued = row[column["issued_at"]].astimezone(ZONE)
        key = (1, issued.date(), issued.hour, row[column["topic_id"]], row[column["customer_type"]])
        counts = hourly.setdefault(key, Counter())
        counts.update(issued=1, enqueued=1)
        called = row[column["first_called_at"]]
        if called is not None:
            wait = round((called - row[column["issued_at"]]).total_seconds())
            counts.update(dequeued=1, first_called=1, wait_seconds_sum=wait)
            counts.update(within_target=int(wait <= 420), served=row[column["status"]] == "done")
        counts.update(no_show=row[column["status"]] == "no_show")
        counts.update(expired=row[column["status"]] == "expired")
        cells[(1, row[column["customer_type"]], issued.weekday(), issued.hour)] += 1
        days.setdefault(issued.weekday(), set()).add(issued.date())
    hourly_rows = [(*key, *(c[name] for name in HOURLY_COLUMNS[5:])) for key, c in hourly.items()]
    cell_rows = [(*key, visits) for key, visits in cells.items()]
    day_rows = [(1, weekday, len(d), max(d)) for weekday, d in days.items()]
    return hourly_rows, cell_rows, day_rows


CATALOGUE = [
    "INSERT INTO offices (id, name, address, timezone, hours, peak, max_priority_in_row, "
    "recall_limit, recall_timeout_seconds, auto_no_show, kiosk_tickets_per_minute, created_at) "
    "VALUES (1, 'Bench office', '', 'Europe/Moscow', NULL, '[[\"08:00\",\"10:00\"],[\"17:00\",\"19:00\"]]',"
    " 2, 2, 180, false, 30, '2020-01-01 00:00:00.000000')",
    *(
        f"INSERT INTO topics (id, office_id, parent_id, name_ru, name_en, prefix, target_peak_seconds,"
        f" target_offpeak_seconds, operations, sort_order, active) VALUES ({i}, 1, NULL, 'Тема {i}',"
        f" 'Topic {i}', '{'ABCDE'[i - 1]}', 1200, 420, '[]', {i}, true)"
        for i in range(1, TOPICS + 1)
    ),
]


def fill_sqlite(path: Path, count: int) -> None:
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA synchronous = OFF")
    for statement in CATALOGUE:
        connection.execute(statement.replace("false", "0").replace("true", "1"))
    rows = list(tickets(count, TODAY_TICKETS))

    def stamp(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        return value.isoformat() if isinstance(value, date) else value

    marks = ", ".join("?" * len(TICKET_COLUMNS))
    connection.executemany(
        f"INSERT INTO tickets ({', '.join(TICKET_COLUMNS)}) VALUES ({marks})",
        ([stamp(v) for v in row] for row in rows),
    )
    hourly, cells, days = aggregates(rows)
    connection.executemany(
        f"INSERT INTO hourly_stats ({', '.join(HOURLY_COLUMNS)}) VALUES ({', '.join('?' * 16)})",
        ([stamp(v) for v in row] for row in hourly),
    )
    connection.executemany("INSERT INTO load_cells VALUES (?, ?, ?, ?, ?)", cells)
    connection.executemany(
        "INSERT INTO load_days VALUES (?, ?, ?, ?)", [(*r[:3], r[3].isoformat()) for r in days]
    )
    connection.commit()
    connection.execute("ANALYZE")
    connection.close()


async def _fill_postgres(url: str, count: int) -> None:
    import asyncpg

    connection = await asyncpg.connect(url)
    try:
        for statement in CATALOGUE:
            await connection.execute(statement)
        rows = list(tickets(count, TODAY_TICKETS))
        await connection.copy_records_to_table("tickets", records=rows, columns=TICKET_COLUMNS)
        hourly, cells, days = aggregates(rows)
        await connection.copy_records_to_table(
            "hourly_stats", records=hourly, columns=HOURLY_COLUMNS
        )
        await connection.copy_records_to_table("load_cells", records=cells)
        await connection.copy_records_to_table("load_days", records=days)
        await connection.execute("SELECT setval('tickets_id_seq', (SELECT max(id) FROM tickets))")
        # Settle the bulk load before measuring: no autovacuum or checkpoint in the middle of it.
        await connection.execute("VACUUM ANALYZE")
        await connection.execute("CHECKPOINT")
    finally:
        await connection.close()


def measure(url: str, requests: int) -> dict[str, tuple[float, float, float, float]]:
    """Wall-clock and CPU milliseconds per request (server and client share this process, so the
    CPU time is what one request costs, whatever else the machine is doing)."""
    import httpx

    clock = FrozenClock(NOW)
    results = {}
    with running_server(test_settings(url), clock) as server:
        token = login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD)
        headers = {"Authorization": f"Bearer {token}"}
        paths = {
            "GET /api/v1/offices/1/stats/live": "/api/v1/offices/1/stats/live",
            "GET /load/1 (page)": "/load/1",
            "GET /api/v1/offices/1/load": "/api/v1/offices/1/load",
        }
        with httpx.Client(base_url=server.url, headers=headers, timeout=30) as client:
            for name, path in paths.items():
                for _ in range(10):
                    client.get(path).raise_for_status()
                timings, cpu = [], []
                for _ in range(requests):
                    started, used = time.perf_counter(), time.process_time()
                    client.get(path).raise_for_status()
                    timings.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - used) * 1000)
                results[name] = (*_p50_p99(timings), *_p50_p99(cpu))
    return results


def _p50_p99(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


Row = tuple[str, int, str, float, float, float, float]


def fill(url: str, size: int) -> None:
    """A migrated database holding `size` past tickets and today's."""
    prepare_template(url)
    if url.startswith("sqlite:///"):
        fill_sqlite(Path(url.removeprefix("sqlite:///")), size)
    else:
        asyncio.run(_fill_postgres(url, size))


def run(backend: str, sizes: list[int], requests: int) -> list[Row]:
    rows = []
    for size in sizes:
        started = time.perf_counter()
        if backend == "sqlite":
            url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'history.sqlite3'}"
        else:
            url = _postgres_database(size)
        # In a child process: the measuring process must not carry the generator's garbage (a
        # million rows' worth makes every full garbage collection of the server slower).
        child = multiprocessing.get_context("spawn").Process(target=fill, args=(url, size))
        child.start()
        child.join()
        if child.exitcode != 0:
            raise RuntimeError(f"generating the history failed ({child.exitcode})")
        print(
            f"{backend} {size}: history generated in {time.perf_counter() - started:.0f} s",
            flush=True,
        )
        measured = measure(url, requests)
        _drop(url)
        for name, figures in measured.items():
            rows.append((backend, size, name, *figures))
            p50, p99, cpu50, cpu99 = figures
            print(f"  {name}: p50 {p50:.1f} ms, p99 {p99:.1f} ms; CPU {cpu50:.1f}/{cpu99:.1f} ms")
    return rows


def _drop(url: str) -> None:
    """Remove the generated database: a 1M-ticket history is a few hundred megabytes."""
    if url.startswith("sqlite:///"):
        shutil.rmtree(Path(url.removeprefix("sqlite:///")).parent, ignore_errors=True)
        return
    import asyncpg

    async def drop() -> None:
        connection = await asyncpg.connect(PG_ADMIN_URL)
        await connection.execute(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')
        await connection.close()

    asyncio.run(drop())


def _postgres_database(size: int) -> str:
    import asyncpg

    name = f"bench_history_{size}_{uuid.uuid4().hex[:6]}"

    async def create() -> None:
        connection = await asyncpg.connect(PG_ADMIN_URL)
        await connection.execute(f'CREATE DATABASE "{name}"')
        await connection.close()

    asyncio.run(create())
    return f"{PG_ADMIN_URL.rpartition('/')[0]}/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--postgres", action="store_true", help="also PostgreSQL on 127.0.0.1:5432")
    parser.add_argument("--postgres-only", action="store_true", help="PostgreSQL, not SQLite")
    arguments = parser.parse_args()
    rows = [] if arguments.postgres_only else run("sqlite", arguments.sizes, arguments.requests)
    if (arguments.postgres or arguments.postgres_only) and port_open("127.0.0.1", 5432):
        rows += run("postgresql", arguments.sizes, arguments.requests)
    print("\n| database | history | endpoint | p50, ms | p99, ms | CPU p50, ms | CPU p99, ms |")
    print("|---|---|---|---|---|---|---|")
    for backend, size, name, p50, p99, cpu50, cpu99 in rows:
        print(
            f"| {backend} | {size:,} | {name} | {p50:.1f} | {p99:.1f} | {cpu50:.1f} | {cpu99:.1f} |"
        )
    print(json.dumps([list(r) for r in rows]))


if __name__ == "__main__":
    main()
