"""Visitors: offices, the topic tree, issuing tickets, numbering, refusals, the status object."""

from __future__ import annotations

from queue_server.clock import FrozenClock
from tests.api.contract import (
    WEEKDAYS_8_TO_19,
    act,
    aware,
    call_next,
    client_error,
    error,
    hall,
    moscow,
    sql,
)
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, DEFAULT_NOW, Api, LiveServer


def test_issued_ticket_has_every_contract_field(admin: Api) -> None:
    place = hall(admin, "A")
    anonymous = admin.kiosk_client(place.id)  # a kiosk: signed in as nobody, with its key
    path = f"/api/v1/offices/{place.id}/tickets"
    first = anonymous.ok(anonymous.post(path, json={"topic_id": place.topic_id("A")}), 201)
    assert set(first) >= {
        "id",
        "number",
        "code",
        "office_id",
        "topic_id",
        "status",
        "customer_type",
        "priority",
        "issued_at",
        "position",
        "estimated_wait_seconds",
        "status_url",
        "print",
    }
    assert isinstance(first["id"], int)
    assert first["number"] == "A001"
    assert first["office_id"] == place.id
    assert first["topic_id"] == place.topic_id("A")
    assert first["status"] == "waiting"
    assert first["customer_type"] == "individual"
    assert first["priority"] is False
    assert aware(first["issued_at"]) == DEFAULT_NOW
    assert first["position"] == 0
    assert isinstance(first["estimated_wait_seconds"], int) and first["estimated_wait_seconds"] >= 0
    assert len(first["code"]) >= 16 and first["number"] not in first["code"]
    assert first["status_url"].endswith(f"/t/{first['code']}")
    assert first["print"]["status"] == "none"
    assert "detail" in first["print"]
    second = anonymous.ok(
        anonymous.post(
            path,
            json={
                "topic_id": place.topic_id("A"),
                "customer_type": "organization",
                "priority": False,
            },
        ),
        201,
    )
    assert (second["number"], second["customer_type"], second["position"]) == (
        "A002",
        "organization",
        1,
    )
    assert second["code"] != first["code"]
    urgent = anonymous.ok(
        anonymous.post(path, json={"topic_id": place.topic_id("A"), "priority": True}), 201
    )
    assert (urgent["number"], urgent["priority"], urgent["position"]) == ("A003", True, 0)


def test_topic_tree_counts_waiting_and_estimates(anonymous: Api, admin: Api) -> None:
    office = admin.office()
    menu = admin.topic(office["id"], "M")
    leaf_a = admin.topic(office["id"], "A", parent_id=menu["id"])
    leaf_b = admin.topic(office["id"], "B", parent_id=menu["id"])
    solo = admin.topic(office["id"], "C")
    for topic in (leaf_a, leaf_a, leaf_b):
        admin.issue(office["id"], topic["id"])
    tree = anonymous.ok(anonymous.get(f"/api/v1/offices/{office['id']}/topics"))
    assert [node["id"] for node in tree] == [menu["id"], solo["id"]]
    for node in (tree[0], *tree[0]["children"], tree[1]):
        assert set(node) >= {
            "id",
            "prefix",
            "name",
            "children",
            "waiting",
            "estimated_wait_seconds",
        }
        assert isinstance(node["estimated_wait_seconds"], int)
        assert node["estimated_wait_seconds"] >= 0
    children = {child["id"]: child for child in tree[0]["children"]}
    assert children[leaf_a["id"]]["waiting"] == 2
    assert children[leaf_b["id"]]["waiting"] == 1
    assert tree[0]["waiting"] == 3
    assert tree[1]["waiting"] == 0
    assert tree[1]["prefix"] == "C"
    error(anonymous.get("/api/v1/offices/999999/topics"), 404, "office_not_found")
    error(anonymous.get(f"/api/v1/offices/{office['id']}/topics?lang=de"), 422, "validation_error")


def test_numbering_per_prefix_office_and_service_day(
    admin: Api, server: LiveServer, clock: FrozenClock
) -> None:
    place = hall(admin, "AB")
    twin = admin.topic(place.id, "A")  # a second topic with prefix A shares its numbers
    elsewhere = hall(admin, "A")
    numbers = [
        place.issue("A")["number"],
        place.issue("A")["number"],
        place.issue("B")["number"],
        admin.issue(place.id, twin["id"])["number"],
        elsewhere.issue("A")["number"],
        place.issue("B")["number"],
    ]
    assert numbers == ["A001", "A002", "B001", "A003", "A001", "B002"]
    # The service day is the office's own: in Vladivostok (UTC+10) it turns at 17:00 Moscow time.
    east = hall(admin, "A", timezone="Asia/Vladivostok")
    assert [east.issue("A")["number"], east.issue("A")["number"]] == ["A001", "A002"]
    operator = east.operator()
    for _ in range(2):  # both served: none of east's numbers of the day stays live
        ticket = operator.ok(call_next(operator, east.window_id()))
        operator.ok(act(operator, ticket["id"], "start"))
        operator.ok(act(operator, ticket["id"], "finish"))
    operator.close()
    clock.set(moscow(2026, 11, 23, 17, 5))
    assert [east.issue("A")["number"], place.issue("A")["number"]] == ["A001", "A004"]
    # Past midnight in Moscow (21:00 UTC) a new service day starts with 001 again, but never
    # with a number still live: these offices are always open and their A and B tickets still
    # wait, so the new day counts on after them.
    clock.set(moscow(2026, 11, 24, 0, 5))
    place.admin = admin.as_user(ADMIN_LOGIN, ADMIN_PASSWORD)  # the morning's login has expired
    assert [place.issue("B")["number"], place.issue("A")["number"]] == ["B003", "A005"]
    sql(
        server.settings.database_url,
        "UPDATE number_counters SET last_value = 998 WHERE office_id = :o AND prefix = 'A' "
        "AND last_value = 5",
        o=place.id,
    )
    assert [place.issue("A")["number"] for _ in range(3)] == ["A999", "A1000", "A1001"]


def test_refusals_with_their_codes_and_nothing_issued(admin: Api) -> None:
    place, other = hall(admin, "A"), hall(admin, "A")
    anonymous = admin.kiosk_client(place.id)
    menu = admin.topic(place.id, "M")
    admin.topic(place.id, "N", parent_id=menu["id"])
    path = f"/api/v1/offices/{place.id}/tickets"
    error(
        anonymous.post("/api/v1/offices/999999/tickets", json={"topic_id": 1}),
        404,
        "office_not_found",
    )
    error(anonymous.post(path, json={"topic_id": 999_999}), 404, "topic_not_found")
    error(anonymous.post(path, json={"topic_id": other.topic_id("A")}), 404, "topic_not_found")
    error(anonymous.post(path, json={"topic_id": menu["id"]}), 409, "topic_not_issuable")
    topic = place.topic_id("A")
    invalid = [
        {"topic_id": topic, "customer_type": "company"},
        {"topic_id": topic, "customer_type": None},
        {"topic_id": topic, "priority": "maybe"},
        {"topic_id": topic, "priority": [True]},
        {"topic_id": topic, "priority": {"level": 1}},
        {"topic_id": str(topic) + "x"},
        {"topic_id": None},
        {},
        {"topic_id": topic, "unexpected": 1},
        {"topic_id": topic, "kiosk_id": -1},
    ]
    for body in invalid:
        error(anonymous.post(path, json=body), 422, "validation_error")
    kiosks = f"/api/v1/offices/{other.id}/kiosks"
    foreign_kiosk = admin.ok(admin.post(kiosks, json={"name": "K", "printer": None}), 201)
    for kiosk_id in (foreign_kiosk["id"], 999_999):
        client_error(anonymous.post(path, json={"topic_id": topic, "kiosk_id": kiosk_id}))
    # Nothing was issued by the refusals: numbering carries on from 001.
    assert place.issue("A")["number"] == "A001"
    at_kiosk = other.issue("A", kiosk_id=foreign_kiosk["id"])
    assert (at_kiosk["number"], at_kiosk["print"]["status"]) == ("A001", "none")


def test_office_closed_says_when_it_opens(admin: Api, clock: FrozenClock) -> None:
    place = hall(admin, "A", hours=WEEKDAYS_8_TO_19)
    anonymous = admin.kiosk_client(place.id)
    path = f"/api/v1/offices/{place.id}/tickets"
    body = {"topic_id": place.topic_id("A")}
    assert place.issue("A")["number"] == "A001"  # Monday 10:30: open
    cases = {
        moscow(2026, 11, 23, 7, 0): ("08:00", "2026-11-23"),  # before opening
        moscow(2026, 11, 23, 19, 0): ("08:00", "2026-11-24"),  # the minute it closes
        moscow(2026, 11, 28, 12, 0): ("08:00", "2026-11-30"),  # Saturday: next Monday
    }
    for moment, (opens, day) in cases.items():
        clock.set(moment)
        detail = error(anonymous.post(path, json=body), 409, "office_closed")
        assert opens in detail and day in detail, detail
    clock.set(moscow(2026, 11, 23, 18, 59))
    assert place.issue("A")["number"] == "A002"


def test_ticket_status_object(anonymous: Api, admin: Api, clock: FrozenClock) -> None:
    place = hall(admin, "A")
    first, second = place.issue(), place.issue()
    status = anonymous.ok(anonymous.get(f"/api/v1/tickets/{second['code']}"))
    assert {
        key: status[key] for key in ("number", "status", "position", "window", "called_at")
    } == {
        "number": "A002",
        "status": "waiting",
        "position": 1,
        "window": None,
        "called_at": None,
    }
    assert isinstance(status["estimated_wait_seconds"], int)
    assert status["office_name"] == place.office["name"]  # beyond the contract: for the page
    assert status["topic"]["prefix"] == "A" and set(status["topic"]["name"]) == {"ru", "en"}
    clock.advance(90)
    operator = place.operator()
    assert operator.ok(call_next(operator, place.window_id()))["id"] == first["id"]
    called = anonymous.ok(anonymous.get(f"/api/v1/tickets/{first['code']}"))
    assert called["status"] == "called"
    assert called["window"] == {"number": 1, "name": "1"}
    assert aware(called["called_at"]) == clock.now()
    assert anonymous.ok(anonymous.get(f"/api/v1/tickets/{second['code']}"))["position"] == 0
    error(anonymous.get("/api/v1/tickets/no-such-code-at-all"), 404, "ticket_not_found")
    for bad in ("%00", "x" * 300, "a%20b", "..%2F..%2Fetc"):
        response = anonymous.get(f"/api/v1/tickets/{bad}")
        assert response.status_code in (404, 422), response.text
        assert response.json()["code"]
