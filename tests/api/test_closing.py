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
        always = hall(admin, "A")
        at_window, left = place.issue(), [place.issue(), place.issue()]
        night_owl = always.issue()
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
        # An always-open office keeps its queue until its service day ends at midnight.
        assert always.status(night_owl)["status"] == "waiting"
        clock.set(moscow(2026, 11, 24, 0, 1))
        wait_for_status(always, night_owl, "expired")
        rows = sql(
            database_url,
            "SELECT ticket_id, from_status, to_status FROM events "
            "WHERE type = 'ticket.expired' ORDER BY ticket_id",
        )
        assert [tuple(row) for row in rows] == [
            (left[0]["id"], "waiting", "expired"),
            (left[1]["id"], "waiting", "expired"),
            (night_owl["id"], "waiting", "expired"),
        ]
        operator.close()
        admin.close()
