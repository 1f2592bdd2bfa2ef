"""Rating a finished service from the status page: once, 1 to 5, never before the end."""

from __future__ import annotations

from tests.support import Api


def test_a_finished_service_is_rated_once(admin: Api, anonymous: Api) -> None:
    office = admin.office()
    topic = admin.topic(office["id"], "A")
    window = admin.window(office["id"], 1)
    ticket = admin.issue(office["id"], topic["id"])
    path = f"/api/v1/tickets/{ticket['code']}/feedback"
    early = anonymous.post(path, json={"rating": 5})
    assert early.status_code == 409 and early.json()["code"] == "ticket_not_finished"
    operator = admin.operator(office["id"])
    operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
    for action in ("start", "finish"):
        operator.ok(operator.post(f"/api/v1/tickets/{ticket['id']}/{action}"))
    for bad in ({"rating": 0}, {"rating": 6}, {"rating": "five"}, {"rating": 3, "x": 1}, {}):
        refused = anonymous.post(path, json=bad)
        assert refused.status_code == 422 and refused.json()["code"] == "validation_error"
    rated = anonymous.ok(anonymous.post(path, json={"rating": 2, "comment": "  Долго ждал  "}))
    assert rated == {"number": "A001", "rating": 2, "comment": "Долго ждал"}
    again = anonymous.post(path, json={"rating": 5})
    assert again.status_code == 409 and again.json()["code"] == "already_rated"
    assert anonymous.ok(anonymous.get(f"/api/v1/tickets/{ticket['code']}"))["rating"] == 2
    missing = anonymous.post("/api/v1/tickets/unknown-code/feedback", json={"rating": 3})
    assert missing.status_code == 404 and missing.json()["code"] == "ticket_not_found"
