"""Operators: windows, call-next and routing, the lifecycle actions, calling out of turn, pauses."""

from __future__ import annotations

from typing import Any

from queue_server.clock import FrozenClock
from tests.api.contract import Hall, act, aware, call_next, error, hall
from tests.support import Api


def serve_out(operator: Api, ticket: dict[str, Any]) -> None:
    """Let the visitor go as a no-show so the operator's hands are free again."""
    operator.ok(act(operator, ticket["id"], "no-show"))


def test_windows_call_next_busy_and_empty(admin: Api) -> None:
    place = hall(admin, "A", windows=2)
    windows = admin.ok(place.operator().get(f"/api/v1/offices/{place.id}/windows"))
    assert [(w["id"], w["number"], w["name"]) for w in windows] == [
        (place.window_id(0), 1, "1"),
        (place.window_id(1), 2, "2"),
    ]
    ticket, later = place.issue(), place.issue()
    first, second = place.operator(), place.operator()
    called = first.ok(call_next(first, place.window_id(0)))
    assert called["id"] == ticket["id"]
    assert called["status"] == "called"
    assert called["window"]["id"] == place.window_id(0)
    assert called["window"]["number"] == 1
    assert aware(called["called_at"])
    error(call_next(first, place.window_id(0)), 409, "operator_busy")
    error(call_next(first, place.window_id(1)), 409, "operator_busy")
    error(call_next(second, place.window_id(0)), 409, "window_busy")
    assert place.status(later)["status"] == "waiting"
    assert second.ok(call_next(second, place.window_id(1)))["id"] == later["id"]
    first.ok(act(first, ticket["id"], "start"))
    first.ok(act(first, ticket["id"], "finish"))
    empty = call_next(first, place.window_id(0))
    assert empty.status_code == 204
    assert empty.content == b""
    error(call_next(first, 999_999), 404, "window_not_found")


def test_skills_with_priorities_route_the_best_topic_first(admin: Api, clock: FrozenClock) -> None:
    place = hall(admin, "ABC", windows=2)
    old_a = place.issue("A")
    clock.advance(60)
    newer_b = place.issue("B")
    clock.advance(60)
    only_c = place.issue("C")
    specialist = place.operator({"A": 2, "B": 1})
    window = place.window_id()
    order = []
    for _ in range(2):
        ticket = specialist.ok(call_next(specialist, window))
        order.append(ticket["id"])
        serve_out(specialist, ticket)
    assert order == [newer_b["id"], old_a["id"]]
    assert call_next(specialist, window).status_code == 204  # C is not among the skills
    assert place.status(only_c)["status"] == "waiting"
    generalist = place.operator()  # no skills: every topic of the office
    assert generalist.ok(call_next(generalist, place.window_id(1)))["id"] == only_c["id"]


def test_priority_first_but_at_most_two_in_a_row(admin: Api, clock: FrozenClock) -> None:
    place = hall(admin, "A", max_priority_in_row=2)
    ordinary = [place.issue() for _ in range(2)]
    clock.advance(60)
    urgent = [place.issue(priority=True) for _ in range(4)]
    operator = place.operator()
    order = []
    for _ in range(6):
        ticket = operator.ok(call_next(operator, place.window_id()))
        order.append(ticket["id"])
        serve_out(operator, ticket)
    expected = [urgent[0], urgent[1], ordinary[0], urgent[2], urgent[3], ordinary[1]]
    assert order == [t["id"] for t in expected]


def test_transferred_ticket_keeps_its_issue_time(admin: Api, clock: FrozenClock) -> None:
    place = hall(admin, "AB", windows=2)
    early = place.issue("A")
    clock.advance(120)
    late_b = [place.issue("B"), place.issue("B")]
    operator = place.operator()
    assert operator.ok(call_next(operator, place.window_id()))["id"] == early["id"]
    moved = operator.ok(act(operator, early["id"], "transfer", topic_id=place.topic_id("B")))
    assert moved["status"] == "waiting"
    assert moved["topic_id"] == place.topic_id("B")
    assert moved["window"] is None
    assert aware(moved["issued_at"]) == aware(early["issued_at"])
    assert moved["number"] == "A001"
    assert place.status(early)["position"] == 0
    assert place.status(late_b[0])["position"] == 1
    b_only = place.operator({"B": 1})
    assert b_only.ok(call_next(b_only, place.window_id(1)))["id"] == early["id"]


def _snapshot(place: Hall, ticket: dict[str, Any]) -> dict[str, Any]:
    return place.status(ticket)


def test_lifecycle_actions_and_invalid_transitions_change_nothing(
    admin: Api, clock: FrozenClock
) -> None:
    place = hall(admin, "AB")
    ticket = place.issue("A")
    operator = place.operator()
    refused_while = {
        "waiting": ["recall", "start", "finish", "no-show", "return"],
        "called": ["finish"],
        "serving": ["recall", "start", "no-show"],
        "done": ["recall", "start", "finish", "no-show", "return"],
    }

    def refuse_all(state: str) -> None:
        before = _snapshot(place, ticket)
        assert before["status"] == state
        for action in refused_while[state]:
            detail = error(act(operator, ticket["id"], action), 409, "invalid_transition")
            assert state in detail
        if state in ("waiting", "done"):
            transfer = act(operator, ticket["id"], "transfer", topic_id=place.topic_id("B"))
            error(transfer, 409, "invalid_transition")
        assert _snapshot(place, ticket) == before

    refuse_all("waiting")
    clock.advance(30)
    assert operator.ok(call_next(operator, place.window_id()))["status"] == "called"
    refuse_all("called")
    clock.advance(30)
    recalled = operator.ok(act(operator, ticket["id"], "recall"))
    assert (recalled["status"], aware(recalled["called_at"])) == ("called", clock.now())
    assert operator.ok(act(operator, ticket["id"], "recall"))["recall_count"] == 2
    before = _snapshot(place, ticket)
    refused = error(act(operator, ticket["id"], "recall"), 409, "recall_limit_reached")
    assert "no-show" in refused
    assert _snapshot(place, ticket) == before
    returned = operator.ok(act(operator, ticket["id"], "return"))
    assert (returned["status"], returned["window"]) == ("waiting", None)
    operator.ok(call_next(operator, place.window_id()))
    started = operator.ok(act(operator, ticket["id"], "start"))
    assert started["status"] == "serving"
    assert aware(started["started_at"]) == clock.now()
    refuse_all("serving")
    transferred = operator.ok(act(operator, ticket["id"], "transfer", topic_id=place.topic_id("B")))
    assert (transferred["status"], transferred["topic_id"]) == ("waiting", place.topic_id("B"))
    operator.ok(call_next(operator, place.window_id()))
    operator.ok(act(operator, ticket["id"], "start"))
    clock.advance(300)
    done = operator.ok(act(operator, ticket["id"], "finish"))
    assert done["status"] == "done"
    assert aware(done["finished_at"]) == clock.now()
    refuse_all("done")
    absent = place.issue("A")
    operator.ok(call_next(operator, place.window_id()))
    assert operator.ok(act(operator, absent["id"], "no-show"))["status"] == "no_show"
    error(act(operator, absent["id"], "return"), 409, "invalid_transition")
    error(act(operator, 999_999, "start"), 404, "ticket_not_found")


def test_transfer_targets_are_checked(admin: Api) -> None:
    place, other = hall(admin, "A"), hall(admin, "A")
    menu = admin.topic(place.id, "M")
    admin.topic(place.id, "N", parent_id=menu["id"])
    ticket = place.issue()
    operator = place.operator()
    operator.ok(call_next(operator, place.window_id()))
    before = place.status(ticket)
    error(act(operator, ticket["id"], "transfer", topic_id=menu["id"]), 409, "topic_not_issuable")
    foreign = act(operator, ticket["id"], "transfer", topic_id=other.topic_id("A"))
    error(foreign, 404, "topic_not_found")
    error(act(operator, ticket["id"], "transfer"), 422, "validation_error")
    error(act(operator, ticket["id"], "transfer", topic_id="B"), 422, "validation_error")
    assert place.status(ticket) == before


def test_an_unknown_transfer_topic_is_not_found_in_any_state(admin: Api) -> None:
    place, other = hall(admin, "A"), hall(admin, "A")
    operator = place.operator()
    gone, waiting = place.issue(), place.issue()
    operator.ok(call_next(operator, place.window_id()))
    operator.ok(act(operator, gone["id"], "no-show"))
    for ticket in (gone, waiting):  # neither may be transferred
        for unknown in (999_999, other.topic_id("A")):
            before = place.status(ticket)
            error(act(operator, ticket["id"], "transfer", topic_id=unknown), 404, "topic_not_found")
            assert place.status(ticket) == before


def test_call_a_specific_ticket_out_of_turn(admin: Api) -> None:
    place = hall(admin, "A")
    tickets = [place.issue() for _ in range(3)]
    operator = place.operator()
    path = f"/api/v1/windows/{place.window_id()}/call"
    chosen = operator.ok(operator.post(f"{path}/{tickets[2]['id']}"))
    assert (chosen["id"], chosen["status"], chosen["number"]) == (
        tickets[2]["id"],
        "called",
        "A003",
    )
    assert chosen["window"]["number"] == 1
    error(operator.post(f"{path}/{tickets[0]['id']}"), 409, "operator_busy")
    operator.ok(act(operator, tickets[2]["id"], "start"))
    operator.ok(act(operator, tickets[2]["id"], "finish"))
    error(operator.post(f"{path}/{tickets[2]['id']}"), 409, "invalid_transition")
    error(operator.post(f"{path}/999999"), 404, "ticket_not_found")
    assert [place.status(t)["status"] for t in tickets] == ["waiting", "waiting", "done"]
    assert operator.ok(call_next(operator, place.window_id()))["id"] == tickets[0]["id"]


def test_pause_and_resume(admin: Api) -> None:
    place = hall(admin, "A")
    ticket = place.issue()
    operator = place.operator()
    assert operator.post("/api/v1/operators/me/pause", json={"reason": "lunch"}).status_code == 204
    error(call_next(operator, place.window_id()), 409, "operator_paused")
    error(
        operator.post(f"/api/v1/windows/{place.window_id()}/call/{ticket['id']}"),
        409,
        "operator_paused",
    )
    assert place.status(ticket)["status"] == "waiting"
    error(
        operator.post("/api/v1/operators/me/pause", json={"reason": "nap"}), 422, "validation_error"
    )
    assert operator.post("/api/v1/operators/me/resume").status_code == 204
    assert operator.ok(call_next(operator, place.window_id()))["id"] == ticket["id"]
    error(
        operator.post("/api/v1/operators/me/pause", json={"reason": "phone"}), 409, "operator_busy"
    )
