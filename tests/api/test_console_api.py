"""The console's page-data endpoints: the operator's own state and figures, waiting list, operations."""

from __future__ import annotations

from typing import Any

from queue_server.clock import FrozenClock
from tests.support import Api

OPERATIONS = [
    {"ru": "Передать показания", "en": "Hand over meter readings"},
    {"ru": "Оплатить услугу", "en": "Pay for a service"},
]


def _desk(admin: Api) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    office = admin.office(recall_limit=3, recall_timeout_seconds=120)
    topic = admin.topic(office["id"], "A", operations=OPERATIONS)
    other = admin.topic(office["id"], "B")
    window = admin.window(office["id"], 4)
    return office, topic, other, window


def test_me_without_ticket_is_offline_then_idle_at_a_window(admin: Api) -> None:
    office, topic, _other, window = _desk(admin)
    operator = admin.operator(office["id"], skills=[{"topic_id": topic["id"], "priority": 1}])
    me = operator.ok(operator.get("/api/v1/operators/me"))
    assert me["state"] == "offline"
    assert me["ticket"] is None and me["window"] is None
    assert me["topic_ids"] == [topic["id"]]
    assert me["office"]["recall_limit"] == 3
    assert me["office"]["recall_timeout_seconds"] == 120
    assert me["office"]["auto_no_show"] is False
    assert me["today"] == {"served": 0, "average_service_seconds": None, "no_show": 0}
    assert operator.post(f"/api/v1/windows/{window['id']}/call-next").status_code == 204
    me = operator.ok(operator.get("/api/v1/operators/me"))
    assert me["state"] == "idle"
    assert me["window"]["number"] == 4


def test_me_shows_held_ticket_pause_and_todays_figures(admin: Api, clock: FrozenClock) -> None:
    office, topic, _other, window = _desk(admin)
    operator = admin.operator(office["id"])
    first = admin.issue(office["id"], topic["id"], priority=True)
    second = admin.issue(office["id"], topic["id"], customer_type="organization")
    clock.advance(90)
    operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
    me = operator.ok(operator.get("/api/v1/operators/me"))
    held = me["ticket"]
    assert (held["id"], held["status"], held["priority"]) == (first["id"], "called", True)
    assert held["topic"]["en"] == topic["name"]["en"]
    assert held["window"]["number"] == 4 and me["state"] == "called"
    operator.ok(operator.post(f"/api/v1/tickets/{first['id']}/start"))
    clock.advance(300)
    operator.ok(operator.post(f"/api/v1/tickets/{first['id']}/finish", json={"outcomes": []}))
    operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
    operator.ok(operator.post(f"/api/v1/tickets/{second['id']}/no-show"))
    operator.ok(operator.post("/api/v1/operators/me/pause", json={"reason": "lunch"}), 204)
    me = operator.ok(operator.get("/api/v1/operators/me"))
    assert me["state"] == "paused" and me["paused_reason"] == "lunch"
    assert me["today"] == {"served": 1, "average_service_seconds": 300, "no_show": 1}


def test_waiting_list_is_in_queue_order_and_office_bound(admin: Api, clock: FrozenClock) -> None:
    office, topic, other, _window = _desk(admin)
    issued = []
    for topic_id in (topic["id"], other["id"], topic["id"]):
        issued.append(admin.issue(office["id"], topic_id))
        clock.advance(10)
    operator = admin.operator(office["id"])
    body = operator.ok(operator.get(f"/api/v1/offices/{office['id']}/waiting"))
    assert [t["id"] for t in body["tickets"]] == [t["id"] for t in issued]
    assert body["tickets"][1]["topic_id"] == other["id"]
    stranger_office = admin.office()
    stranger = admin.operator(stranger_office["id"])
    refused = stranger.get(f"/api/v1/offices/{office['id']}/waiting")
    assert refused.status_code == 403
    assert refused.json()["code"] == "forbidden"


def test_operations_list_leaf_topics_only(admin: Api) -> None:
    office, topic, other, _window = _desk(admin)
    menu = admin.topic(office["id"], "P")
    leaf = admin.topic(office["id"], "P", parent_id=menu["id"], operations=OPERATIONS[:1])
    operator = admin.operator(office["id"])
    topics = operator.ok(operator.get(f"/api/v1/offices/{office['id']}/topics/operations"))
    by_id = {t["id"]: t for t in topics}
    assert set(by_id) == {topic["id"], other["id"], leaf["id"]}
    assert by_id[topic["id"]]["operations"] == OPERATIONS
    assert by_id[leaf["id"]]["parent"] == menu["name"]
    assert by_id[other["id"]]["operations"] == []


def test_admin_without_office_chooses_one(admin: Api) -> None:
    office, _topic, _other, _window = _desk(admin)
    me = admin.ok(admin.get("/api/v1/operators/me"))
    assert me["office"] is None and me["today"] is None
    me = admin.ok(admin.get(f"/api/v1/operators/me?office_id={office['id']}"))
    assert me["office"]["id"] == office["id"]
    assert admin.get("/api/v1/operators/me?office_id=999999").status_code == 404


def test_page_data_needs_a_login(anonymous: Api) -> None:
    for path in (
        "/api/v1/operators/me",
        "/api/v1/offices/1/waiting",
        "/api/v1/offices/1/topics/operations",
    ):
        response = anonymous.get(path)
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
