"""Two hands on one thing at the same instant: exactly one wins, the others get a clean 409.

The server answers requests concurrently (async database drivers): on PostgreSQL the row locks
and SKIP LOCKED decide, on SQLite BEGIN IMMEDIATE serialises the writers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.concurrency import server_process
from tests.support import Api, LiveServer

pytestmark = pytest.mark.xdist_group("heavy")
HANDS = 8


def _all_at_once(calls: list[Callable[[], httpx.Response]]) -> Counter[Any]:
    """Fire the calls together; count the answers as (status, error code)."""
    with ThreadPoolExecutor(len(calls)) as pool:
        responses = list(pool.map(lambda call: call(), calls))
    return Counter(
        (r.status_code, r.json().get("code") if r.status_code >= 400 else None) for r in responses
    )


def _office(admin: Api, windows: int = 1, tickets: int = 1) -> tuple[int, list[int], list[int]]:
    office = admin.office()
    topic = admin.topic(office["id"], "A")
    window_ids = [admin.window(office["id"], n)["id"] for n in range(1, windows + 1)]
    ticket_ids = [admin.issue(office["id"], topic["id"])["id"] for _ in range(tickets)]
    return office["id"], window_ids, ticket_ids


def test_a_double_click_on_call_next_gives_one_ticket(admin: Api) -> None:
    office_id, (window_id,), _tickets = _office(admin, tickets=5)
    operator = admin.operator(office_id)
    call = lambda: operator.post(f"/api/v1/windows/{window_id}/call-next")  # noqa: E731
    answers = _all_at_once([call] * HANDS)
    assert answers == {(200, None): 1, (409, "operator_busy"): HANDS - 1}
    waiting = admin.ok(admin.get(f"/api/v1/offices/{office_id}/queue"))
    assert len(waiting) == 4


def test_one_operator_at_several_windows_still_holds_one_ticket(admin: Api) -> None:
    office_id, window_ids, _tickets = _office(admin, windows=4, tickets=8)
    operator = admin.operator(office_id)
    calls = [
        (lambda w=w: operator.post(f"/api/v1/windows/{w}/call-next"))  # type: ignore[misc]
        for w in window_ids * 2
    ]
    answers = _all_at_once(calls)
    assert answers[(200, None)] == 1
    assert sum(answers.values()) == len(calls)
    assert set(answers) <= {(200, None), (409, "operator_busy")}
    assert len(admin.ok(admin.get(f"/api/v1/offices/{office_id}/queue"))) == 7


def test_colleagues_racing_for_one_window(admin: Api) -> None:
    office_id, (window_id,), _tickets = _office(admin, tickets=HANDS)
    operators = [admin.operator(office_id) for _ in range(HANDS)]
    calls = [
        (lambda op=op: op.post(f"/api/v1/windows/{window_id}/call-next"))  # type: ignore[misc]
        for op in operators
    ]
    answers = _all_at_once(calls)
    assert answers == {(200, None): 1, (409, "window_busy"): HANDS - 1}
    assert len(admin.ok(admin.get(f"/api/v1/offices/{office_id}/queue"))) == HANDS - 1


def test_colleagues_calling_the_same_ticket_out_of_turn(admin: Api) -> None:
    office_id, window_ids, (ticket_id,) = _office(admin, windows=HANDS, tickets=1)
    operators = [admin.operator(office_id) for _ in range(HANDS)]
    calls = [
        (lambda op=op, w=w: op.post(f"/api/v1/windows/{w}/call/{ticket_id}"))  # type: ignore[misc]
        for op, w in zip(operators, window_ids, strict=True)
    ]
    answers = _all_at_once(calls)
    assert answers == {(200, None): 1, (409, "invalid_transition"): HANDS - 1}


def test_colleagues_calling_next_on_a_short_queue(admin: Api) -> None:
    office_id, window_ids, ticket_ids = _office(admin, windows=HANDS, tickets=3)
    operators = [admin.operator(office_id) for _ in range(HANDS)]
    calls = [
        (lambda op=op, w=w: op.post(f"/api/v1/windows/{w}/call-next"))  # type: ignore[misc]
        for op, w in zip(operators, window_ids, strict=True)
    ]
    with ThreadPoolExecutor(HANDS) as pool:
        responses = list(pool.map(lambda call: call(), calls))
    called = [r.json()["id"] for r in responses if r.status_code == 200]
    assert sorted(called) == sorted(ticket_ids), "each ticket to exactly one operator"
    assert Counter(r.status_code for r in responses) == {200: 3, 204: HANDS - 3}


def test_finishing_twice_at_once_finishes_once(admin: Api, server: LiveServer) -> None:
    office_id, (window_id,), (ticket_id,) = _office(admin)
    operator = admin.operator(office_id)
    operator.ok(operator.post(f"/api/v1/windows/{window_id}/call-next"))
    operator.ok(operator.post(f"/api/v1/tickets/{ticket_id}/start"))
    finish = lambda: operator.post(f"/api/v1/tickets/{ticket_id}/finish")  # noqa: E731
    answers = _all_at_once([finish] * HANDS)
    assert answers == {(200, None): 1, (409, "invalid_transition"): HANDS - 1}
    finished = server_process.query(
        server.settings.database_url,
        "SELECT count(*) FROM events WHERE ticket_id = :ticket AND type = 'ticket.finished'",
        ticket=ticket_id,
    )
    assert finished[0][0] == 1
