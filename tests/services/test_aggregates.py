"""The hourly and load figures, counted from the event log off the request path, equal a recount
from the tickets; every event is counted once, whoever catches up and however many at a time; the
background task catches up within seconds without anybody reading."""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import select, text

from queue_server.clock import FrozenClock
from queue_server.db.engine import Database
from queue_server.db.models import AggregateWatermark
from queue_server.migrate import alembic_config, upgrade
from queue_server.services import aggregates
from tests import support
from tests.api.contract import hall
from tests.services.figures import Day, busy_days, read_back, recount
from tests.support import (
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    Api,
    LiveServer,
    login_token,
    outside_event_loop,
    run_coroutine,
    running_server,
)

DAYS = ("2026-11-23", "2026-11-24")


@pytest.fixture
def quiet_server(database_url: str, clock: FrozenClock) -> Iterator[LiveServer]:
    """A server whose background task never runs during a test (the tests' default): only reads
    catch up; logins last the two days the tests span."""
    settings = support.test_settings(database_url, session_max_age_seconds=3 * 86400)
    with running_server(settings, clock) as live:
        yield live


def _admin(server: LiveServer) -> Api:
    return Api(server.url, login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD))


def test_figures_equal_a_recount_after_two_busy_days(quiet_server: LiveServer) -> None:
    admin = _admin(quiet_server)
    place = busy_days(quiet_server, admin, catch_ups=True)
    url = quiet_server.settings.database_url
    before = run_coroutine(read_back(url, place.id))
    assert before.watermark is not None and before.watermark < before.last_seq
    assert {e.type for e in before.events} >= {
        "ticket.transferred",
        "ticket.returned",
        "ticket.no_show",
        "ticket.expired",
        "ticket.finished",
    }
    base = f"/api/v1/offices/{place.id}/reports?date_from={DAYS[0]}&date_to={DAYS[1]}"
    report = admin.ok(admin.get(base))  # the read catches up first
    load = admin.ok(admin.get(f"/api/v1/offices/{place.id}/load"))
    after = run_coroutine(read_back(url, place.id))
    assert after.watermark == after.last_seq
    expected = recount(after)
    assert after.figures.hourly == expected.hourly
    assert after.figures.visits == expected.visits
    assert after.figures.days == expected.days == {0: 1, 1: 1}
    by_day = {row["day"]: row for row in report["days"]}
    summary = report["summary"]
    for name in ("issued", "served", "no_show", "expired", "transferred"):
        assert sum(row[name] for row in by_day.values()) == summary[name], name
    assert load["days_counted"]["mon"] == 1
    admin.close()


def test_a_read_sees_every_committed_event(quiet_server: LiveServer) -> None:
    """Stats, reports and the load page count what the background task has not yet."""
    admin = _admin(quiet_server)
    place = hall(admin, "A")
    for _ in range(3):
        place.issue()
    live = admin.ok(admin.get(f"/api/v1/offices/{place.id}/stats/live"))
    assert sum(hour["issued"] or 0 for hour in live["today_by_hour"]) == 3
    place.issue()
    report = f"/api/v1/offices/{place.id}/reports?date_from={DAYS[0]}&date_to={DAYS[0]}"
    assert admin.ok(admin.get(report))["days"][0]["issued"] == 4
    place.issue()
    load = admin.ok(admin.get(f"/api/v1/offices/{place.id}/load"))
    assert sum(cell["visits"] for cell in load["individual"]) == 5
    place.issue()
    page = admin.get(f"/load/{place.id}?lang=en")
    assert page.status_code == 200
    snapshot = run_coroutine(read_back(quiet_server.settings.database_url, place.id))
    assert snapshot.watermark == snapshot.last_seq
    assert sum(snapshot.figures.visits.values()) == 6
    admin.close()


async def _two_databases_catch_up(url: str, office_id: int) -> list[int]:
    first, second = Database(url), Database(url)
    try:
        counted = await asyncio.gather(
            *(
                aggregates.catch_up(database, office_id, batch=batch)
                for database, batch in ((first, 7), (second, 5), (first, 3), (second, 11))
            )
        )
        return list(counted)
    finally:
        await first.dispose()
        await second.dispose()


def test_two_databases_catching_up_one_backlog_count_each_event_once(
    quiet_server: LiveServer,
) -> None:
    admin = _admin(quiet_server)
    place = busy_days(quiet_server, admin, catch_ups=False)
    url = quiet_server.settings.database_url
    backlog = run_coroutine(read_back(url, place.id))
    counted = run_coroutine(_two_databases_catch_up(url, place.id))
    after = run_coroutine(read_back(url, place.id))
    assert sum(counted) == after.last_seq - (backlog.watermark or 0)
    assert min(counted) > 0, f"the catch-ups did not overlap: {counted}"
    assert after.figures == recount(after)
    admin.close()


def _catch_up_worker(url: str, office_id: int, seed: int, stop: Any, results: Any) -> None:
    """Catch the office up in small batches, as fast as it is let in, until told to stop."""

    async def run() -> int:
        rng, database, counted = random.Random(seed), Database(url), 0
        results.put("ready")
        try:
            while not stop.is_set():
                counted += await aggregates.catch_up(database, office_id, batch=rng.randint(1, 4))
                await asyncio.sleep(rng.uniform(0, 0.004))
        finally:
            await database.dispose()
        return counted

    results.put(asyncio.run(run()))


@pytest.mark.slow
@pytest.mark.xdist_group("heavy")
def test_processes_catching_up_while_events_come_count_each_once(
    database_url: str, clock: FrozenClock
) -> None:
    """Two worker processes, the server's background task and its readers, all at once."""
    settings = support.test_settings(database_url, aggregates_interval_seconds=0.05)
    with running_server(settings, clock) as server:
        admin = _admin(server)
        place = hall(admin, "AB", windows=2)
        spawn = multiprocessing.get_context("spawn")
        results, stop = spawn.Queue(), spawn.Event()
        workers = [
            spawn.Process(
                target=_catch_up_worker, args=(database_url, place.id, seed, stop, results)
            )
            for seed in range(2)
        ]
        for worker in workers:
            worker.start()
        assert [results.get(timeout=60) for _ in workers] == ["ready", "ready"]
        rng, day = random.Random(7), Day(place, clock, random.Random(8), 2)
        steps, until = 0, time.monotonic() + 3.0
        while steps < 80 or time.monotonic() < until:
            steps += 1
            clock.advance(rng.uniform(1, 20))
            day.step()
            if rng.random() < 0.05:
                admin.ok(admin.get(f"/api/v1/offices/{place.id}/stats/live"))
        stop.set()
        counted = [results.get(timeout=60) for _ in workers]
        for worker in workers:
            worker.join(timeout=30)
        day.close()
        admin.ok(admin.get(f"/api/v1/offices/{place.id}/stats/live"))
        after = run_coroutine(read_back(database_url, place.id))
        assert after.watermark == after.last_seq
        assert min(counted) > 0, f"a worker never counted anything: {counted}"
        assert after.figures == recount(after)
        assert sum(after.figures.visits.values()) == len(after.tickets) >= 10
        admin.close()


def test_the_background_task_catches_up_without_a_read(
    database_url: str, clock: FrozenClock
) -> None:
    settings = support.test_settings(database_url, aggregates_interval_seconds=1.0)
    with running_server(settings, clock) as server:
        admin = _admin(server)
        place = hall(admin, "A")
        for _ in range(4):
            place.issue()
        started = time.monotonic()
        while True:
            snapshot = run_coroutine(read_back(database_url, place.id))
            if snapshot.watermark == snapshot.last_seq:
                break
            assert time.monotonic() - started < 5, "the background task did not catch up"
            time.sleep(0.1)
        assert sum(snapshot.figures.visits.values()) == 4
        assert snapshot.figures == recount(snapshot)
        admin.close()


def test_the_migration_starts_watermarks_at_the_seq_already_counted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    config = alembic_config(url)
    outside_event_loop(lambda: command.upgrade(config, "0005_dashboard"))
    outside_event_loop(lambda: command.upgrade(config, "0006_auth_epoch"))

    async def old_offices() -> None:
        database = Database(url)
        try:
            async with database.unit_of_work() as uow:
                # In SQL: the models describe the newest schema, this database is an old one.
                for name in ("counted", "quiet"):
                    await uow.session.execute(
                        text(
                            "INSERT INTO offices (name, address, timezone, peak, "
                            "max_priority_in_row, recall_limit, recall_timeout_seconds, "
                            "auto_no_show, kiosk_tickets_per_minute, created_at) VALUES "
                            "(:name, '', 'UTC', '[]', 2, 2, 180, false, 30, '2026-11-01 00:00:00')"
                        ),
                        {"name": name},
                    )
                await uow.session.execute(
                    text("INSERT INTO event_counters (office_id, last_seq) VALUES (1, 41)")
                )
        finally:
            await database.dispose()

    run_coroutine(old_offices())
    outside_event_loop(lambda: upgrade(url))

    async def marks() -> dict[int, int]:
        database = Database(url)
        try:
            async with database.reading() as session:
                rows = (await session.scalars(select(AggregateWatermark))).all()
                return {row.office_id: row.last_seq for row in rows}
        finally:
            await database.dispose()

    assert run_coroutine(marks()) == {1: 41}  # office 2 has no events yet: it starts at 0
