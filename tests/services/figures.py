"""Figures of one office read back, and worked out again without the code that keeps them; a
queue worked at random by operators through the API."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from queue_server.clock import FrozenClock
from queue_server.core import reporting, schedule
from queue_server.db.engine import Database
from queue_server.db.models import (
    AggregateWatermark,
    Event,
    EventCounter,
    HourlyStat,
    LoadCell,
    LoadDay,
    Office,
    Ticket,
    Topic,
)
from queue_server.services import aggregates, housekeeping
from tests.api.contract import MOSCOW, WEEKDAYS_8_TO_19, Hall, act, call_next, moscow
from tests.support import Api, LiveServer, run_coroutine

TARGETS = {"peak": 1200, "offpeak": 420}
Key = tuple[date, int, int, str]  # local day, hour, topic, customer type


@dataclass
class Figures:
    """The three tables of figures of one office, as comparable values."""

    hourly: dict[Key, dict[str, int]]
    visits: dict[tuple[str, int, int], int]
    days: dict[int, int]


@dataclass
class Snapshot:
    office: Office
    topics: list[Topic]
    tickets: list[Ticket]
    events: list[Event]
    figures: Figures
    watermark: int | None
    last_seq: int


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {name: value for name, value in counts.items() if value}


async def read_back(url: str, office_id: int) -> Snapshot:
    database = Database(url)
    try:
        async with database.reading() as session:
            # The watermark first: on PostgreSQL each statement sees the latest commits, and the
            # figures read after it must include at least what it says was counted.
            mark = await session.get(AggregateWatermark, office_id)
            counter = await session.get(EventCounter, office_id)
            office = await session.get(Office, office_id)
            assert office is not None
            topics = list(
                (await session.scalars(select(Topic).filter_by(office_id=office_id))).all()
            )
            tickets = list(
                (await session.scalars(select(Ticket).filter_by(office_id=office_id))).all()
            )
            events = select(Event).filter_by(office_id=office_id).order_by(Event.seq)
            hourly = (
                await session.scalars(select(HourlyStat).filter_by(office_id=office_id))
            ).all()
            cells = (await session.scalars(select(LoadCell).filter_by(office_id=office_id))).all()
            days = (await session.scalars(select(LoadDay).filter_by(office_id=office_id))).all()
            figures = Figures(
                {
                    (row.day, row.hour, row.topic_id, row.customer_type): _nonzero(
                        {name: getattr(row, name) for name in aggregates.HOURLY_COUNTERS}
                    )
                    for row in hourly
                },
                {(c.customer_type, c.weekday, c.hour): c.visits for c in cells},
                {row.weekday: row.days for row in days},
            )
            return Snapshot(
                office,
                topics,
                tickets,
                list((await session.scalars(events)).all()),
                figures,
                None if mark is None else mark.last_seq,
                0 if counter is None else counter.last_seq,
            )
    finally:
        await database.dispose()


def recount(snapshot: Snapshot) -> Figures:
    """The figures worked out again from the tickets as they are and the transfers in the log,
    without the code that keeps them: a ticket is called first in its original topic (a transfer
    needs a call), served, no-show or expired in its last one."""
    zone = MOSCOW
    office = snapshot.office
    targets = reporting.Targets(
        {t.id: (t.target_peak_seconds, t.target_offpeak_seconds) for t in snapshot.topics},
        schedule.parse_periods(office.peak),
        zone,
    )
    hourly: dict[Key, Counter[str]] = {}

    def add(at: datetime, topic_id: int, ticket: Ticket, **counts: int) -> None:
        here = at.astimezone(zone)
        key = (here.date(), here.hour, topic_id, ticket.customer_type)
        hourly.setdefault(key, Counter()).update(counts)

    visits: Counter[tuple[str, int, int]] = Counter()
    service_days: dict[int, set[date]] = {}
    for ticket in snapshot.tickets:
        issued = ticket.issued_at.astimezone(zone)
        visits[(ticket.customer_type, issued.weekday(), issued.hour)] += 1
        service_days.setdefault(issued.weekday(), set()).add(issued.date())
        add(ticket.issued_at, ticket.original_topic_id, ticket, issued=1, enqueued=1)
        if ticket.first_called_at is not None:
            wait = round(max(0.0, (ticket.first_called_at - ticket.issued_at).total_seconds()))
            target = targets.at(ticket.original_topic_id, ticket.issued_at)
            within = int(target is not None and wait <= target)
            add(ticket.first_called_at, ticket.original_topic_id, ticket, first_called=1)
            add(ticket.first_called_at, ticket.original_topic_id, ticket, wait_seconds_sum=wait)
            add(ticket.first_called_at, ticket.original_topic_id, ticket, within_target=within)
        finished, topic = ticket.finished_at, ticket.topic_id
        if ticket.status == "done":
            assert finished is not None and ticket.started_at is not None
            spent = round((finished - ticket.started_at).total_seconds())
            add(finished, topic, ticket, served=1, service_seconds_sum=spent)
        elif ticket.status in ("no_show", "expired"):
            assert finished is not None
            add(finished, topic, ticket, **{ticket.status: 1})
    by_id = {ticket.id: ticket for ticket in snapshot.tickets}
    topic_then = {ticket.id: ticket.original_topic_id for ticket in snapshot.tickets}
    for event in snapshot.events:
        if event.ticket_id is None:
            continue
        ticket = by_id[event.ticket_id]
        if event.type in ("ticket.called", "ticket.expired"):
            add(event.at, topic_then[ticket.id], ticket, dequeued=1)
        elif event.type == "ticket.returned":
            add(event.at, topic_then[ticket.id], ticket, enqueued=1)
        elif event.type == "ticket.transferred":
            add(event.at, event.data["from_topic_id"], ticket, transferred=1)
            topic_then[ticket.id] = event.data["to_topic_id"]
            add(event.at, topic_then[ticket.id], ticket, enqueued=1)
    return Figures(
        {key: _nonzero(dict(counts)) for key, counts in hourly.items() if _nonzero(dict(counts))},
        dict(visits),
        {weekday: len(days) for weekday, days in service_days.items()},
    )


def catch_up(url: str, office_id: int, batch: int = aggregates.BATCH_EVENTS) -> int:
    """Catch the office up from the test process: another process, as far as SQLite knows."""

    async def run() -> int:
        database = Database(url)
        try:
            return await aggregates.catch_up(database, office_id, batch=batch)
        finally:
            await database.dispose()

    return run_coroutine(run())


class Day:
    """Operators working a queue at random, tracking what each holds."""

    def __init__(self, place: Hall, clock: FrozenClock, rng: random.Random, count: int) -> None:
        self.place, self.clock, self.rng = place, clock, rng
        self.operators = [place.operator() for _ in range(count)]
        self.held: list[dict[str, Any] | None] = [None] * count

    def close(self) -> None:
        for operator in self.operators:
            operator.close()

    def call(self, index: int) -> None:
        operator = self.operators[index]
        response = call_next(operator, self.place.window_id(index))
        if response.status_code == 200:
            self.held[index] = response.json()

    def act(self, index: int, action: str, **body: Any) -> None:
        held = self.held[index]
        assert held is not None
        ticket = self.operators[index].ok(act(self.operators[index], held["id"], action, **body))
        self.held[index] = ticket if ticket["status"] in ("called", "serving") else None

    def transfer(self, index: int) -> None:
        held = self.held[index]
        assert held is not None
        others = [t for t in self.place.topics.values() if t["id"] != held["topic_id"]]
        self.act(index, "transfer", topic_id=self.rng.choice(others)["id"])

    def step(self) -> None:
        rng = self.rng
        if rng.random() < 0.4:
            kind = rng.choice(["individual", "individual", "organization"])
            self.place.issue(rng.choice(list(self.place.topics)), customer_type=kind)
            return
        index = rng.randrange(len(self.operators))
        held = self.held[index]
        if held is None:
            self.call(index)
        elif held["status"] == "called":
            choice = rng.choices(
                ["start", "no-show", "return", "transfer", "recall"], [8, 2, 1, 2, 1]
            )
            if choice[0] == "transfer":
                self.transfer(index)
            elif choice[0] == "recall" and held["recall_count"] >= 1:
                self.act(index, "start")
            else:
                self.act(index, choice[0])
        else:
            choice = rng.choices(["finish", "return", "transfer"], [7, 1, 2])
            if choice[0] == "transfer":
                self.transfer(index)
            else:
                self.act(index, choice[0])


def busy_days(server: LiveServer, admin: Api, *, catch_ups: bool) -> Hall:
    """Two service days of issuing, calling, serving, transfers, returns, no-shows and expiry."""
    clock, rng = server.clock, random.Random(20261202)
    office = admin.office(hours=WEEKDAYS_8_TO_19, peak=[["11:00", "13:00"]])
    topics = {p: admin.topic(office["id"], p, target_wait_seconds=TARGETS) for p in "ABC"}
    place = Hall(admin, office, topics, [admin.window(office["id"], n) for n in (1, 2)])
    day = Day(place, clock, rng, 2)
    # Called in A, transferred to B, called again and served there, nothing counted meanwhile:
    # the first call belongs to A although the ticket is B's by the time it is counted.
    clock.set(moscow(2026, 11, 23, 10, 30))
    place.issue("A")
    clock.set(moscow(2026, 11, 23, 10, 31))
    day.call(0)
    clock.set(moscow(2026, 11, 23, 10, 40))
    day.act(0, "transfer", topic_id=place.topic_id("B"))
    clock.set(moscow(2026, 11, 23, 11, 5))
    day.call(0)
    day.act(0, "start")
    clock.set(moscow(2026, 11, 23, 11, 20))
    day.act(0, "finish")
    moment = clock.now()
    for _ in range(160):
        moment = min(moment + timedelta(seconds=rng.uniform(0, 240)), moscow(2026, 11, 23, 18, 55))
        clock.set(moment)
        day.step()
        if catch_ups and rng.random() < 0.08:
            catch_up(server.settings.database_url, place.id, batch=rng.randint(1, 6))
    place.issue("C")  # still waiting at closing: it expires
    clock.set(moscow(2026, 11, 23, 19, 0, 30))
    run_coroutine(_expire(server.settings.database_url, clock.now()))
    clock.set(moscow(2026, 11, 24, 9, 0))
    for minute in range(40):
        clock.set(moscow(2026, 11, 24, 9, minute))
        day.step()
    day.close()
    return place


async def _expire(url: str, now: datetime) -> None:
    database = Database(url)
    try:
        await housekeeping.expire_all(database, now)
    finally:
        await database.dispose()
