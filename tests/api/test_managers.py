"""Managers: live figures per topic and operator, the ticket report as CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from queue_server.clock import FrozenClock
from tests.api.contract import act, call_next, error, hall, moscow
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, Api


def staff(admin: Api, office_id: int, role: str = "operator") -> tuple[int, Api]:
    user, login, password = admin.user(role, office_id)
    return user["id"], admin.as_user(login, password)


def test_live_stats_topics_and_operators(admin: Api, clock: FrozenClock) -> None:
    place = hall(admin, "", windows=2, peak=[["10:00", "12:00"]])
    topic_a = admin.topic(place.id, "A", target_wait_seconds={"peak": 600, "offpeak": 900})
    topic_b = admin.topic(place.id, "B")
    a1, a2 = admin.issue(place.id, topic_a["id"]), admin.issue(place.id, topic_a["id"])
    admin.issue(place.id, topic_b["id"])
    (first_id, first), (second_id, second) = staff(admin, place.id), staff(admin, place.id)
    resting_id, resting = staff(admin, place.id)
    _manager_id, manager = staff(admin, place.id, "manager")
    clock.advance(120)
    assert first.ok(call_next(first, place.window_id(0)))["id"] == a1["id"]
    first.ok(act(first, a1["id"], "start"))
    clock.advance(300)
    first.ok(act(first, a1["id"], "finish"))
    assert second.ok(call_next(second, place.window_id(1)))["id"] == a2["id"]
    assert resting.post("/api/v1/operators/me/pause", json={"reason": "lunch"}).status_code == 204
    live = manager.ok(manager.get(f"/api/v1/offices/{place.id}/stats/live"))
    topics = {row["topic_id"]: row for row in live["topics"]}
    fields = ("waiting", "longest_wait_seconds", "average_wait_seconds_today", "served_today")
    assert {key: topics[topic_a["id"]][key] for key in fields} == {
        "waiting": 0,
        "longest_wait_seconds": 0,
        "average_wait_seconds_today": (120 + 420) // 2,
        "served_today": 1,
    }
    assert {key: topics[topic_b["id"]][key] for key in fields} == {
        "waiting": 1,
        "longest_wait_seconds": 420,
        "average_wait_seconds_today": 0,
        "served_today": 0,
    }
    assert topics[topic_a["id"]]["target_wait_seconds"] == 600  # 10:37 is in the peak period
    assert topics[topic_b["id"]]["target_wait_seconds"] is None
    people = {row["user_id"]: row for row in live["operators"]}
    assert set(people[first_id]) >= {"user_id", "state", "window", "ticket"}
    assert people[first_id]["state"] == "idle"
    assert people[first_id]["window"]["number"] == 1
    assert people[first_id]["ticket"] is None
    assert people[second_id]["state"] == "called"
    assert people[second_id]["window"]["number"] == 2
    assert people[second_id]["ticket"]["id"] == a2["id"]
    assert people[second_id]["ticket"]["number"] == "A002"
    assert people[resting_id]["state"] == "paused"
    assert people[resting_id]["window"] is None
    clock.set(moscow(2026, 11, 23, 13, 0))
    later = admin.ok(admin.get(f"/api/v1/offices/{place.id}/stats/live"))
    topics = {row["topic_id"]: row for row in later["topics"]}
    assert topics[topic_a["id"]]["target_wait_seconds"] == 900  # off-peak now
    assert topics[topic_b["id"]]["longest_wait_seconds"] == 2 * 3600 + 30 * 60
    error(manager.get("/api/v1/offices/999999/stats/live"), 404, "office_not_found")


def _rows(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_ticket_report_csv(admin: Api, clock: FrozenClock) -> None:
    place = hall(admin, "A")
    _user, login, password = admin.user("manager", place.id)
    operator = place.operator()
    served, skipped, waiting = place.issue(), place.issue(), place.issue()
    clock.advance(60)
    operator.ok(call_next(operator, place.window_id()))
    operator.ok(act(operator, served["id"], "start"))
    clock.advance(240)
    operator.ok(act(operator, served["id"], "finish"))
    operator.ok(call_next(operator, place.window_id()))
    operator.ok(act(operator, skipped["id"], "no-show"))
    clock.set(moscow(2026, 11, 24, 9, 0))
    manager = admin.as_user(login, password)  # yesterday's login has expired (12 h)
    tomorrow = manager.issue(place.id, place.topic_id("A"))
    base = f"/api/v1/offices/{place.id}/reports/tickets.csv"
    rows = _rows(manager.get(f"{base}?date_from=2026-11-23&date_to=2026-11-23"))
    assert [row["number"] for row in rows] == ["A001", "A002", "A003"]
    by_id = {int(row["id"]): row for row in rows}
    assert by_id[waiting["id"]]["status"] == "waiting"
    assert by_id[skipped["id"]]["status"] == "no_show"
    done = by_id[served["id"]]
    assert done["status"] == "done"
    for column in ("issued_at", "called_at", "started_at", "finished_at"):
        assert done[column], column
    assert done["wait_seconds"] == "60"
    assert done["service_seconds"] == "240"
    both_days = _rows(manager.get(f"{base}?date_from=2026-11-23&date_to=2026-11-24"))
    assert [int(row["id"]) for row in both_days][-1] == tomorrow["id"]
    assert len(both_days) == 4
    assert _rows(manager.get(f"{base}?date_from=2026-10-01&date_to=2026-10-31")) == []
    refused = [
        "?date_from=2026-13-01&date_to=2026-13-02",
        "?date_from=yesterday&date_to=today",
        "?date_from=2026-11-24&date_to=2026-11-23",
        "?date_from=1000-01-01&date_to=9999-12-31",
        f"?date_from={10**30}&date_to=2026-11-23",
    ]
    for query in refused:
        error(manager.get(base + query), 422, "validation_error")


def test_recent_events_are_todays_latest_oldest_first(admin: Api, clock: FrozenClock) -> None:
    # Set up yesterday (10:30 in Moscow): those events are not today's.
    place, elsewhere = hall(admin, "A"), hall(admin, "B")
    accounts = [
        admin.user("manager", place.id),
        admin.user("operator", place.id),
        admin.user("manager", elsewhere.id),
    ]
    clock.advance(14 * 3600)  # 00:30 the next day
    manager, operator, other_manager = (admin.as_user(login, pw) for _, login, pw in accounts)
    for _ in range(3):
        operator.issue(place.id, place.topic_id("A"))
    admin.as_user(ADMIN_LOGIN, ADMIN_PASSWORD).topic(place.id, "C")  # a fresh login
    path = f"/api/v1/offices/{place.id}/events"
    events = manager.ok(manager.get(path))["events"]
    assert [(e["type"], e.get("ticket", {}).get("number")) for e in events] == [
        ("ticket.issued", "A001"),
        ("ticket.issued", "A002"),
        ("ticket.issued", "A003"),
        ("office.changed", None),
    ]
    assert events[-1]["data"]["changed"] == "topic"
    seqs = [event["seq"] for event in events]
    assert seqs == list(range(seqs[0], seqs[0] + 4))
    newer = manager.ok(manager.get(path, params={"after": seqs[1]}))["events"]
    assert [event["seq"] for event in newer] == seqs[2:]
    latest = manager.ok(manager.get(path, params={"limit": 2}))["events"]
    assert [event["seq"] for event in latest] == seqs[2:]
    for bad in ({"limit": 0}, {"limit": 201}, {"after": -1}, {"after": "x"}):
        error(manager.get(path, params=bad), 422, "validation_error")
    error(operator.get(path), 403, "forbidden")
    error(other_manager.get(path), 403, "forbidden")
    error(manager.get("/api/v1/offices/999999/events"), 404, "office_not_found")
