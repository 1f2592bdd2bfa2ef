"""The event log: one row per change, with from/to status, the user and a gapless seq per office."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx

from queue_server.clock import FrozenClock
from tests.api.contract import act, call_next, error, hall, sql
from tests.support import Api, LiveServer


def test_full_lifecycle_is_logged_once_per_change(
    server: LiveServer, admin: Api, clock: FrozenClock
) -> None:
    place, other = hall(admin, "AB"), hall(admin, "A")
    user, login, password = admin.user("operator", place.id)
    operator, me = admin.as_user(login, password), user["id"]
    window = place.window_id()
    ticket = place.issue("A")
    steps: list[Callable[[], httpx.Response]] = [
        lambda: call_next(operator, window),
        lambda: act(operator, ticket["id"], "recall"),
        lambda: act(operator, ticket["id"], "start"),
        lambda: act(operator, ticket["id"], "return"),
        lambda: call_next(operator, window),
        lambda: act(operator, ticket["id"], "transfer", topic_id=place.topic_id("B")),
        lambda: operator.post(f"/api/v1/windows/{window}/call/{ticket['id']}"),
        lambda: act(operator, ticket["id"], "start"),
        lambda: act(operator, ticket["id"], "finish"),
    ]
    for step in steps:
        clock.advance(10)
        assert step().status_code == 200
    # Refused requests leave no trace.
    error(act(operator, ticket["id"], "start"), 409, "invalid_transition")
    error(call_next(place.operator(), window), 409, "window_busy")
    absent = place.issue("B")
    operator.ok(call_next(operator, window))
    operator.ok(act(operator, absent["id"], "no-show"))
    assert operator.post("/api/v1/operators/me/pause", json={"reason": "lunch"}).status_code == 204
    assert operator.post("/api/v1/operators/me/resume").status_code == 204
    other.issue()
    rows = sql(
        server.settings.database_url,
        "SELECT seq, type, ticket_id, user_id, window_id, from_status, to_status, at, data "
        "FROM events WHERE office_id = :office ORDER BY seq",
        office=place.id,
    )
    # Setting the office up (topics, windows, operators' accounts) is logged too.
    assert [row.seq for row in rows] == list(range(1, len(rows) + 1))
    setup = [row for row in rows if row.type == "office.changed"]
    changed = [(json.loads(r.data) if isinstance(r.data, str) else r.data) for r in setup]
    assert {change["changed"] for change in changed} == {"topic", "window", "user"}
    assert {"changed": "user", "id": me, "action": "created"} in changed
    rows = [row for row in rows if row.type != "office.changed"]
    t, a = ticket["id"], absent["id"]
    assert [(r.type, r.ticket_id, r.user_id, r.from_status, r.to_status) for r in rows] == [
        ("ticket.issued", t, None, None, "waiting"),
        ("window.opened", None, me, None, None),
        ("ticket.called", t, me, "waiting", "called"),
        ("ticket.recalled", t, me, "called", "called"),
        ("ticket.started", t, me, "called", "serving"),
        ("ticket.returned", t, me, "serving", "waiting"),
        ("ticket.called", t, me, "waiting", "called"),
        ("ticket.transferred", t, me, "called", "waiting"),
        ("ticket.called", t, me, "waiting", "called"),
        ("ticket.started", t, me, "called", "serving"),
        ("ticket.finished", t, me, "serving", "done"),
        ("ticket.issued", a, None, None, "waiting"),
        ("ticket.called", a, me, "waiting", "called"),
        ("ticket.no_show", a, me, "called", "no_show"),
        ("operator.paused", None, me, None, None),
        ("operator.resumed", None, me, None, None),
    ]
    assert all(row.window_id == window for row in rows if row.type == "ticket.called")
    times = [row.at for row in rows]
    assert times == sorted(times)
    other_seqs = sql(
        server.settings.database_url,
        "SELECT seq, type FROM events WHERE office_id = :office ORDER BY seq",
        office=other.id,
    )
    # The other office counts its own seq: its topic, its window, then its one ticket.
    assert [(row.seq, row.type) for row in other_seqs] == [
        (1, "office.changed"),
        (2, "office.changed"),
        (3, "ticket.issued"),
    ]
