"""Ticket answers say which actions the ticket allows, and the transitions agree with them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.api.contract import Hall, act, call_next, error, hall
from tests.support import Api

EVERY_ACTION = ("call", "recall", "start", "finish", "no-show", "return", "transfer")
# How each state is reached from a fresh waiting ticket by the operator at window 1.
ROUTES: dict[str, tuple[str, ...]] = {
    "waiting": (),
    "called": ("call",),
    "called at the recall limit": ("call", "recall"),
    "serving": ("call", "start"),
    "returned": ("call", "return"),
    "done": ("call", "start", "finish"),
    "no_show": ("call", "no-show"),
}
EXPECTED = {
    "waiting": ["call"],
    "called": ["recall", "start", "no-show", "return", "transfer"],
    "called at the recall limit": ["start", "no-show", "return", "transfer"],
    "serving": ["finish", "return", "transfer"],
    "returned": ["call"],
    "done": [],
    "no_show": [],
}


def attempt(
    place: Hall, operator: Api, ticket_id: int, action: str, window: int = 0
) -> httpx.Response:
    """One action as the console sends it; a call is the out-of-turn call of this very ticket."""
    if action == "call":
        return operator.post(f"/api/v1/windows/{place.window_id(window)}/call/{ticket_id}")
    if action == "transfer":
        return act(operator, ticket_id, action, topic_id=place.topic_id("B"))
    return act(operator, ticket_id, action)


def reach(place: Hall, operator: Api, state: str) -> dict[str, Any]:
    """A new ticket driven into `state`; the last answer the operator got about it."""
    answer = place.issue("A")
    for action in ROUTES[state]:
        answer = operator.ok(attempt(place, operator, answer["id"], action))
    return answer


def let_go(operator: Api) -> None:
    """Free the operator's hands, whatever the attempt left in them."""
    held = operator.ok(operator.get("/api/v1/operators/me"))["ticket"]
    if held is not None:
        ending = "finish" if held["status"] == "serving" else "no-show"
        operator.ok(act(operator, held["id"], ending))


@pytest.mark.parametrize("state", list(ROUTES))
def test_the_listed_actions_are_exactly_those_the_ticket_accepts(admin: Api, state: str) -> None:
    place = hall(admin, "AB", windows=2, recall_limit=1)
    operator, colleague = place.operator(), place.operator()
    for action in EVERY_ACTION:
        answer = reach(place, operator, state)
        assert answer["actions"] == EXPECTED[state], action
        held = operator.ok(operator.get("/api/v1/operators/me"))["ticket"]
        if held is not None:  # the console's own view of the ticket in hand says the same
            assert held["actions"] == answer["actions"]
        before = place.status(answer)
        if action == "call":  # by a colleague at window 2: the holder would be refused as busy
            response = attempt(place, colleague, answer["id"], action, window=1)
        else:
            response = attempt(place, operator, answer["id"], action)
        if action in answer["actions"]:
            operator.ok(response)
        else:
            limited = action == "recall" and state == "called at the recall limit"
            error(response, 409, "recall_limit_reached" if limited else "invalid_transition")
            assert place.status(answer) == before, f"a refused {action} changed the ticket"
        let_go(operator)
        let_go(colleague)


def test_waiting_lists_offer_the_call_and_nothing_else(admin: Api) -> None:
    place = hall(admin, "A")
    ticket = place.issue()
    assert ticket["actions"] == ["call"]  # the kiosk's answer too
    operator = place.operator()
    queue = operator.ok(operator.get(f"/api/v1/offices/{place.id}/queue"))
    waiting = operator.ok(operator.get(f"/api/v1/offices/{place.id}/waiting"))["tickets"]
    assert [t["actions"] for t in queue] == [t["actions"] for t in waiting] == [["call"]]
    assert operator.ok(call_next(operator, place.window_id()))["actions"][0] == "recall"
