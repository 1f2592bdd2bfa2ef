"""Every event the services record reaches listeners in one form: the message published after the
commit is the message a resync rebuilds from the event log for the same seq."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from queue_server.core.events import EventType
from queue_server.core.lifecycle import Action
from queue_server.db.engine import Database, UnitOfWork
from queue_server.db.models import Kiosk, Office, Ticket
from queue_server.services import (
    calling,
    catalogue,
    feedback,
    housekeeping,
    issuing,
    live_state,
    operators,
    serving,
    slips,
)
from queue_server.services.access import Principal, Role
from queue_server.services.auth import Passwords
from tests import support
from tests.printing.fake_printer import PAPER_OK, PAPER_OUT, loopback_printer
from tests.support import DEFAULT_NOW, SqliteTemplates, run_coroutine

Message = dict[str, Any]
# The ticket row holds the ticket as it is now, not as it was at the event: a resync long after
# shows these as they are now (a later call or operator), everything else as it was (the event
# keeps the topic the ticket was in).
CURRENT_TICKET_FIELDS = ("called_at", "operator_id")


def _form(message: Message) -> str:
    """The message as it goes on the wire, with its keys in one order."""
    return json.dumps(message, ensure_ascii=False, sort_keys=True)


class Recorder:
    """The database's publish seam: keeps each live message, and the replay of its seq read
    right after its commit."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self.live: list[Message] = []
        self.replayed: list[Message] = []
        self.now = DEFAULT_NOW
        database.events = self

    def publish(self, office_id: int, message: Message) -> None:
        self.live.append(message)

    def tick(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now

    @asynccontextmanager
    async def step(self) -> AsyncIterator[UnitOfWork]:
        """One unit of work; after its commit, the replay of the seqs it published."""
        before = len(self.live)
        async with self.database.unit_of_work() as uow:
            yield uow
        await self.read_back(before)

    async def read_back(self, before: int) -> None:
        for message in self.live[before:]:
            seq, office_id = int(message["seq"]), int(message["office_id"])
            async with self.database.reading() as session:
                self.replayed += await live_state.events_after(session, office_id, seq - 1, seq)


async def _set_up(rec: Recorder, url: str) -> tuple[Office, list[int], int, int, Principal]:
    spec = catalogue.OfficeSpec(name="Forms", address="", timezone="Europe/Moscow", hours=None)
    async with rec.step() as uow:
        office = await catalogue.create_office(uow, spec, rec.tick())
    topics = []
    for prefix in ("A", "B"):
        async with rec.step() as uow:
            topic_spec = catalogue.TopicSpec(name_ru=prefix, name_en=prefix, prefix=prefix)
            topics.append((await catalogue.create_topic(uow, office.id, topic_spec, rec.tick())).id)
    async with rec.step() as uow:
        window = await catalogue.create_window(uow, office.id, 3, "Window 3", rec.tick())
    async with rec.step() as uow:
        kiosk, _key = await catalogue.create_kiosk(uow, office.id, "Hall", None, rec.tick())
    passwords = Passwords(support.test_settings(url))
    user_spec = catalogue.UserSpec(
        login="op", password="operator-password-1", role=Role.OPERATOR, office_id=office.id
    )
    async with rec.step() as uow:
        user = await catalogue.create_user(uow, passwords, user_spec, rec.tick())
    principal = Principal(user.id, user.login, Role.OPERATOR, office.id)
    return office, topics, window.id, kiosk.id, principal


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


async def _issue_and_print(rec: Recorder, office: Office, topic_id: int, kiosk_id: int) -> Ticket:
    """A ticket from the kiosk, its slip printed: first out of paper, then after a new roll."""
    with loopback_printer(PAPER_OUT) as printer:
        async with rec.step() as uow:
            kiosk = await uow.session.get(Kiosk, kiosk_id)
            assert kiosk is not None
            kiosk.printer = printer.url
        async with rec.step() as uow:
            request = issuing.IssueRequest(office.id, topic_id, kiosk_id=kiosk_id)
            issued = await issuing.issue_ticket(uow, request, rec.tick())
        for paper in (PAPER_OUT, PAPER_OK):
            printer.paper = paper
            before = len(rec.live)
            await slips.print_ticket(rec.database, issued, base_url="http://q", now=rec.tick())
            await rec.read_back(before)
    return issued.ticket


async def _issue(rec: Recorder, office: Office, topic_id: int) -> Ticket:
    async with rec.step() as uow:
        request = issuing.IssueRequest(office.id, topic_id)
        return (await issuing.issue_ticket(uow, request, rec.tick())).ticket


async def _serve(
    rec: Recorder, first: Ticket, second: Ticket, topics: list[int], window_id: int, me: Principal
) -> None:
    """An operator's day: call, recall, serve, rate; return, call out of turn, transfer, no-show;
    a pause, and leaving the window."""
    finish, transfer = serving.Details(outcomes=["done"]), serving.Details(topic_id=topics[1])
    actions: list[Callable[[UnitOfWork, datetime], Awaitable[Any]]] = [
        lambda uow, now: calling.call_next(uow, me, window_id, now),
        lambda uow, now: serving.act(uow, me, first.id, Action.RECALL, now),
        lambda uow, now: serving.act(uow, me, first.id, Action.START, now),
        lambda uow, now: serving.act(uow, me, first.id, Action.FINISH, now, finish),
        lambda uow, now: feedback.rate_ticket(uow, code=first.code, rating=5, comment="", now=now),
        lambda uow, now: calling.call_next(uow, me, window_id, now),
        lambda uow, now: serving.act(uow, me, second.id, Action.RETURN, now),
        lambda uow, now: calling.call_ticket(uow, me, window_id, second.id, now),
        lambda uow, now: serving.act(uow, me, second.id, Action.TRANSFER, now, transfer),
        lambda uow, now: calling.call_next(uow, me, window_id, now),
        lambda uow, now: serving.act(uow, me, second.id, Action.NO_SHOW, now),
        lambda uow, now: operators.pause(uow, me, "lunch", now),
        lambda uow, now: operators.resume(uow, me, now),
        lambda uow, now: operators.leave_windows(uow, me, now),
    ]
    for action in actions:
        async with rec.step() as uow:
            await action(uow, rec.tick())


async def _scenario(url: str) -> tuple[Recorder, list[Message]]:
    database = Database(url)
    rec = Recorder(database)
    try:
        office, topics, window_id, kiosk_id, principal = await _set_up(rec, url)
        first = await _issue_and_print(rec, office, topics[0], kiosk_id)
        second = await _issue(rec, office, topics[0])
        await _serve(rec, first, second, topics, window_id, principal)
        await _issue(rec, office, topics[0])
        rec.now += timedelta(days=1)  # never called, it expires when the day is over
        async with rec.step() as uow:
            # An always-open office keeps its queue overnight: this one closes at 19:00.
            office.hours = {day: [["08:00", "19:00"]] for day in WEEKDAYS}
            await housekeeping.expire_office(uow, office, rec.now)
        async with database.reading() as session:
            later = await live_state.events_after(session, office.id, 0)
        return rec, later
    finally:
        await database.dispose()


def _as_now(message: Message) -> Message:
    ticket = message.get("ticket")
    if ticket is None:
        return message
    return {
        **message,
        "ticket": {k: v for k, v in ticket.items() if k not in CURRENT_TICKET_FIELDS},
    }


def test_every_event_type_replays_as_it_was_published(
    sqlite_templates: SqliteTemplates, tmp_path: Path
) -> None:
    rec, later = run_coroutine(_scenario(sqlite_templates.fresh(tmp_path)))
    assert {message["type"] for message in rec.live} == set(EventType)
    assert [message["seq"] for message in rec.live] == list(range(1, len(rec.live) + 1))
    assert [_form(message) for message in rec.replayed] == [_form(m) for m in rec.live]
    # Read back a day later, an event still says what it said, but for the ticket's fields that
    # change over its life (see CURRENT_TICKET_FIELDS).
    assert [_form(_as_now(m)) for m in later] == [_form(_as_now(m)) for m in rec.live]
    out_of_turn = [m for m in rec.live if m.get("data", {}).get("out_of_turn")]
    assert [m["type"] for m in out_of_turn] == [EventType.TICKET_CALLED]
