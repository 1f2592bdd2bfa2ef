"""20 kiosks and 8 operators hammer a real multi-process server: nothing is duplicated or lost.

The server is `queue-server serve --workers 2` in a subprocess, on a SQLite file and on PostgreSQL.
How we know this test bites: each breakage below was injected into the server processes by hand
(a sitecustomize.py on PYTHONPATH patching one function), the test failed, the code was untouched:
- PostgreSQL: `tickets.lock_if_waiting` as a plain `FOR UPDATE` by id (no SKIP LOCKED, no status
  filter): operators queue on each other's ticket and PostgreSQL breaks the deadlocks with 500s.
- SQLite: a deferred `BEGIN` instead of `BEGIN IMMEDIATE` (db/engine.py): issuing fails with
  "database is locked" 500s within seconds.
- PostgreSQL: numbering as `max(sequence) + 1` instead of the atomic counter upsert: concurrent
  kiosks compute the same number and the unique constraint turns the duplicate into a 500.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.concurrency import server_process
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, Api, login_token

KIOSKS = 20
TICKETS = 240
OPERATORS = 8

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("heavy"), pytest.mark.timeout(600)]


def _kiosk(
    url: str, office_id: int, topics: list[int], kiosk: int, key: str
) -> list[tuple[int, Any]]:
    """One kiosk's share of the tickets, every response as (status, body)."""
    results: list[tuple[int, Any]] = []
    with httpx.Client(base_url=url, timeout=60, headers={"X-Kiosk-Key": key}) as http:
        for n in range(TICKETS // KIOSKS):
            body = {
                "topic_id": topics[(kiosk + n) % len(topics)],
                "priority": n % 7 == 3,
                "customer_type": "organization" if n % 5 == 0 else "individual",
            }
            try:
                response = http.post(f"/api/v1/offices/{office_id}/tickets", json=body)
            except httpx.TransportError as error:
                results.append((0, repr(error)))
                continue
            json = response.headers.get("content-type", "").startswith("application/json")
            results.append((response.status_code, response.json() if json else response.text))
    return results


@dataclass
class Shift:
    """What one operator saw: the tickets handed over, and any answer that was not expected."""

    user_id: int
    received: list[int] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)


def _operator(api: Api, user_id: int, window_id: int) -> Shift:
    """Call next, start, finish, again and again, until the queue is empty (204)."""
    shift = Shift(user_id)
    try:
        return _serve_until_empty(api, window_id, shift)
    except httpx.TransportError as error:
        shift.unexpected.append(repr(error))
        return shift
    finally:
        api.close()


def _serve_until_empty(api: Api, window_id: int, shift: Shift) -> Shift:
    for _ in range(TICKETS + 1):
        called = api.post(f"/api/v1/windows/{window_id}/call-next")
        if called.status_code == 204:
            return shift
        if called.status_code != 200:
            shift.unexpected.append(f"call-next {called.status_code} {called.text}")
            return shift
        ticket = called.json()
        shift.received.append(ticket["id"])
        if ticket["status"] != "called" or ticket["operator_id"] != shift.user_id:
            shift.unexpected.append(f"call-next gave {ticket}")
        for action in ("start", "finish"):
            done = api.post(f"/api/v1/tickets/{ticket['id']}/{action}")
            if done.status_code != 200:
                shift.unexpected.append(f"{action} {done.status_code} {done.text}")
                return shift
    shift.unexpected.append("the queue never emptied")
    return shift


@dataclass
class Hall:
    office_id: int
    topics: list[int]
    kiosk_keys: list[str]
    staff: list[tuple[Api, int, int]]


def _set_up(url: str) -> Hall:
    """An always-open office with two topics, its kiosks, eight windows and eight signed-in
    operators."""
    admin = Api(url, login_token(url, ADMIN_LOGIN, ADMIN_PASSWORD))
    try:
        office = admin.office()
        topics = [admin.topic(office["id"], prefix)["id"] for prefix in ("A", "B")]
        keys = [admin.kiosk(office["id"])["key"] for _ in range(KIOSKS)]
        staff = []
        for number in range(1, OPERATORS + 1):
            window = admin.window(office["id"], number)
            user, login, password = admin.user("operator", office["id"])
            staff.append((admin.as_user(login, password), user["id"], window["id"]))
        return Hall(office["id"], topics, keys, staff)
    finally:
        admin.close()


def _assert_each_operator_held_one_at_a_time(database_url: str, office_id: int) -> None:
    """Replay the event log in seq order: nobody is called a ticket while holding another."""
    events = server_process.query(
        database_url,
        "SELECT seq, type, ticket_id, user_id FROM events WHERE office_id = :office "
        "AND ticket_id IS NOT NULL ORDER BY seq",
        office=office_id,
    )
    holding: dict[int, int | None] = defaultdict(lambda: None)
    for seq, kind, ticket_id, user_id in events:
        if kind == "ticket.called":
            assert holding[user_id] is None, (
                f"seq {seq}: operator {user_id} was called ticket {ticket_id} "
                f"while holding {holding[user_id]}"
            )
            holding[user_id] = ticket_id
        elif kind == "ticket.finished":
            assert holding[user_id] == ticket_id, f"seq {seq}: finish of a ticket not held"
            holding[user_id] = None
    assert not any(holding.values()), f"tickets still held at the end: {dict(holding)}"


def _assert_guarantees(
    database_url: str, office_id: int, issued: list[tuple[int, Any]], shifts: list[Shift]
) -> None:
    acknowledged = [body for status, body in issued if status == 201]
    refused = [(status, body) for status, body in issued if status != 201]
    assert not refused, f"{len(refused)} issues failed, e.g. {refused[:3]}"
    numbers = Counter(ticket["number"] for ticket in acknowledged)
    assert len(acknowledged) == TICKETS
    assert not [n for n, seen in numbers.items() if seen > 1], "a number was issued twice"

    rows = server_process.query(
        database_url,
        "SELECT id, number, code, status FROM tickets WHERE office_id = :office",
        office=office_id,
    )
    stored = {row.id: row for row in rows}
    assert len(stored) == TICKETS, "the database holds more or fewer tickets than acknowledged"
    for ticket in acknowledged:
        row = stored[ticket["id"]]
        assert (row.number, row.code) == (ticket["number"], ticket["code"])
    assert Counter(row.status for row in rows) == {"done": TICKETS}, "a ticket was lost"

    for shift in shifts:
        assert not shift.unexpected, f"operator {shift.user_id}: {shift.unexpected[:3]}"
    handed = Counter(ticket_id for shift in shifts for ticket_id in shift.received)
    assert set(handed) == set(stored), "not every ticket was handed to an operator"
    assert max(handed.values()) == 1, "a ticket was handed to two operators"

    calls = server_process.query(
        database_url,
        "SELECT ticket_id, count(*) FROM events WHERE office_id = :office "
        "AND type = 'ticket.called' GROUP BY ticket_id",
        office=office_id,
    )
    assert len(calls) == TICKETS and {count for _id, count in calls} == {1}, (
        "a ticket was called twice (or never)"
    )
    _assert_each_operator_held_one_at_a_time(database_url, office_id)


def test_no_number_twice_no_call_twice_nothing_lost(database_url: str, tmp_path: Path) -> None:
    with server_process.running(database_url, tmp_path / "server.log", workers=2) as server:
        hall = _set_up(server.url)
        office_id, topics, staff = hall.office_id, hall.topics, hall.staff
        started = time.monotonic()
        with ThreadPoolExecutor(KIOSKS) as pool:
            shares = pool.map(
                lambda kiosk: _kiosk(server.url, office_id, topics, kiosk, hall.kiosk_keys[kiosk]),
                range(KIOSKS),
            )
            issued = [result for share in shares for result in share]
        issuing_seconds = time.monotonic() - started
        with ThreadPoolExecutor(OPERATORS) as pool:
            shifts = list(pool.map(lambda member: _operator(*member), staff))
        serving_seconds = time.monotonic() - issuing_seconds - started
        print(
            f"{database_url.split(':')[0]}: {TICKETS} issued by {KIOSKS} kiosks in "
            f"{issuing_seconds:.1f} s, served by {OPERATORS} operators in {serving_seconds:.1f} s"
        )
        _assert_guarantees(database_url, office_id, issued, shifts)


def test_one_tap_sent_twenty_times_at_once_is_one_ticket(database_url: str, tmp_path: Path) -> None:
    """A kiosk that retries while its first attempt is still running, on both workers at once:
    every answer names the one ticket, and only one exists."""
    with server_process.running(database_url, tmp_path / "server.log", workers=2) as server:
        admin = Api(server.url, login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD))
        office_id = admin.office()["id"]
        topic_id = admin.topic(office_id, "A")["id"]
        path = f"/api/v1/offices/{office_id}/tickets"
        headers = {"X-Kiosk-Key": admin.kiosk(office_id)["key"], "Idempotency-Key": "one-tap"}
        admin.close()

        def attempt(_n: int) -> tuple[int, Any]:
            # a fresh connection each time, so the attempts spread over both workers
            with httpx.Client(base_url=server.url, timeout=60, headers=headers) as http:
                response = http.post(path, json={"topic_id": topic_id})
                return response.status_code, response.json()

        with ThreadPoolExecutor(20) as pool:
            answers = list(pool.map(attempt, range(20)))
    statuses = Counter(status for status, _body in answers)
    assert statuses == {201: 1, 200: 19}, answers[:3]
    assert {body["number"] for _status, body in answers} == {"A001"}
    rows = server_process.query(
        database_url, "SELECT number FROM tickets WHERE office_id = :office", office=office_id
    )
    assert [row.number for row in rows] == ["A001"]
