"""Two worker processes writing one SQLite file: every write gets its turn, none is starved.

SQLite's busy handler makes a blocked writer sleep and retry; one process whose writers hand the
lock to each other can keep the other process's writer sleeping until the busy timeout, and that
request fails with "database is locked". Here the busy timeout is cut to one second so that such
starvation shows within seconds: with `Database(writer_turns=False)` this test fails (54 writes
timed out in the run that checked it); with the writer turns every write succeeds.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from queue_server.db.engine import Database
from queue_server.db.models import Office
from queue_server.db.repositories import counters
from tests.support import SqliteTemplates, run_coroutine

PROCESSES = 2
WRITERS_PER_PROCESS = 12
SECONDS = 4.0
BUSY_TIMEOUT_MS = 1000

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("heavy"), pytest.mark.timeout(120)]


async def _hammer(url: str, office_id: int, until: float) -> tuple[int, list[str]]:
    """Writers that each take the event counter again and again, as fast as they are let in."""
    database = Database(url, busy_timeout_ms=BUSY_TIMEOUT_MS)
    written, failures = 0, []

    async def writer() -> None:
        nonlocal written
        while time.time() < until:
            try:
                async with database.unit_of_work() as uow:
                    await counters.next_event_seq(uow.session, uow.dialect, office_id)
                    await asyncio.sleep(0.002)  # the rest of a use case, lock held
                written += 1
            except Exception as error:
                failures.append(repr(error)[:200])

    try:
        await asyncio.gather(*(writer() for _ in range(WRITERS_PER_PROCESS)))
    finally:
        await database.dispose()
    return written, failures


def _worker(url: str, office_id: int, until: float, results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    results.put(asyncio.run(_hammer(url, office_id, until)))


async def _office_and_seq(url: str) -> tuple[int, int]:
    database = Database(url)
    try:
        async with database.unit_of_work() as uow:
            office = Office(name="W", timezone="UTC", hours=None, created_at=datetime.now(UTC))
            uow.session.add(office)
            await uow.session.flush()
            office_id = office.id
        async with database.reading() as session:
            return office_id, await counters.current_event_seq(session, office_id)
    finally:
        await database.dispose()


async def _seq(url: str, office_id: int) -> int:
    database = Database(url)
    try:
        async with database.reading() as session:
            return await counters.current_event_seq(session, office_id)
    finally:
        await database.dispose()


def test_two_processes_of_writers_all_get_their_turn(
    sqlite_templates: SqliteTemplates, tmp_path: Path
) -> None:
    url = sqlite_templates.fresh(tmp_path)
    office_id, before = run_coroutine(_office_and_seq(url))
    spawn = multiprocessing.get_context("spawn")
    results = spawn.Queue()
    until = time.time() + 3.0 + SECONDS  # the children need a moment to start
    workers = [
        spawn.Process(target=_worker, args=(url, office_id, until, results))
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    outcomes = [results.get(timeout=90) for _ in workers]
    for worker in workers:
        worker.join(timeout=30)

    failures = [failure for _written, failed in outcomes for failure in failed]
    assert not failures, f"{len(failures)} writes failed, e.g. {failures[:2]}"
    counts = [written for written, _failed in outcomes]
    assert min(counts) > 0, f"a process never got to write: {counts}"
    assert run_coroutine(_seq(url, office_id)) - before == sum(counts), "a write was lost"
