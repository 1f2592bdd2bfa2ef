"""Closing time: tickets still waiting when the office closes become `expired`, visibly."""

from __future__ import annotations

import time
from typing import Any

from queue_server.clock import FrozenClock
from tests import support
from tests.api.contract import WEEKDAYS_8_TO_19, Hall, act, call_next, hall, moscow, sql
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, Api, login_token, running_server


def wait_for_status(place: Hall, ticket: dict[str, Any], status: str) -> None:
    deadline = time.monotonic() + 10
    while place.status(ticket)["status"] != status:
        assert time.monotonic() < deadline, f"{ticket['number']} never became {status}"
        time.sleep(0.05)


def test_waiting_tickets_expire_at_closing_time(database_url: str, clock: FrozenClock) -> None:
    settings = support.test_settings(database_url, housekeeping_interval_seconds=0.1)
    with running_server(settings, clock) as live:
        admin = Api(live.url, login_token(live.url, ADMIN_LOGIN, ADMIN_PASSWORD))
        place = hall(admin, "A", hours=WEEKDAYS_8_TO_19)
        at_window, left = place.issue(), [place.issue(), place.issue()]
        operator = place.operator()
        operator.ok(call_next(operator, place.window_id()))
        clock.set(moscow(2026, 11, 23, 18, 59))
        time.sleep(0.3)  # a few housekeeping passes before closing change nothing
        assert [place.status(t)["status"] for t in left] == ["waiting", "waiting"]
        clock.set(moscow(2026, 11, 23, 19, 0, 30))
        for ticket in left:
            wait_for_status(place, ticket, "expired")
        assert place.status(left[1])["position"] == 0
        # The ticket at the window is not expired; its service can still be completed.
        assert place.status(at_window)["status"] == "called"
        operator.ok(act(operator, at_window["id"], "start"))
        assert operator.ok(act(operator, at_window["id"], "finish"))["status"] == "done"
        rows = sql(
            database_url,
            "SELECT ticket_id, from_status, to_status FROM events "
            "WHERE type = 'ticket.expired' ORDER BY ticket_id",
        )
        assert [tuple(row) for row in rows] == [
            (left[0]["id"], "waiting", "expired"),
            (left[1]["id"], "waiting", "expired"),
        ]
        # Nothing of yesterday is live any more: the next morning numbers start again at 001.
        clock.set(moscow(2026, 11, 24, 8, 0))
        place.admin = Api(live.url, login_token(live.url, ADMIN_LOGIN, ADMIN_PASSWORD))
        assert place.issue()["number"] == "A001"
        place.admin.close()
        operator.close()
        admin.close()


def test_an_always_open_office_keeps_its_queue_across_midnight(
    database_url: str, clock: FrozenClock
) -> None:
    settings = support.test_settings(database_url, housekeeping_interval_seconds=0.1)
    clock.set(moscow(2026, 11, 23, 23, 50))
    with running_server(settings, clock) as live:
        admin = Api(live.url, login_token(live.url, ADMIN_LOGIN, ADMIN_PASSWORD))
        always = hall(admin, "A", windows=2)
        at_window, night_owl = always.issue(), always.issue()
        first, second = always.operator(), always.operator()
        assert first.ok(call_next(first, always.window_id(0)))["id"] == at_window["id"]
        clock.set(moscow(2026, 11, 24, 0, 10))
        time.sleep(0.5)  # several housekeeping passes after midnight
        assert always.status(night_owl)["status"] == "waiting"
        assert always.status(at_window)["status"] == "called"
        # Both numbers are still on the hall's screen: the new day's first ticket is neither.
        early_bird = always.issue()
        assert [at_window["number"], night_owl["number"], early_bird["number"]] == [
            "A001", "A002", "A003",
        ]  # fmt: skip
        live_topic = admin.ok(admin.get(f"/api/v1/offices/{always.id}/stats/live"))["topics"][0]
        assert live_topic["waiting"] == 2
        assert live_topic["longest_wait_seconds"] == 20 * 60
        # The ticket at the window is served; the one waiting is called like any other.
        first.ok(act(first, at_window["id"], "recall"))
        first.ok(act(first, at_window["id"], "start"))
        assert first.ok(act(first, at_window["id"], "finish"))["status"] == "done"
        assert second.ok(call_next(second, always.window_id(1)))["id"] == night_owl["id"]
        assert sql(database_url, "SELECT count(*) FROM events WHERE type = 'ticket.expired'") == [
            (0,)
        ]
        # Reports keep each ticket on the service day it was issued on.
        for day, numbers in (("2026-11-23", {"A001", "A002"}), ("2026-11-24", {"A003"})):
            path = f"/api/v1/offices/{always.id}/reports/tickets.csv?date_from={day}&date_to={day}"
            report = admin.get(path).text
            assert {n for n in ("A001", "A002", "A003") if n in report} == numbers, day
        for api in (first, second, admin):
            api.close()
