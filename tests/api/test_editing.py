"""Editing and retiring offices, topics, windows and kiosks: PATCH answers the whole object, a
refusal changes nothing, every change is one audit entry, and retired things stop being used."""

from __future__ import annotations

from typing import Any

import httpx

from tests.api.contract import WEEKDAYS_8_TO_19, act, call_next, error, hall
from tests.support import ADMIN_LOGIN, Api, LiveServer


def patch(api: Api, path: str, **body: Any) -> httpx.Response:
    return api.http.patch(path, json=body)


def audit_of(api: Api, office_id: int) -> list[dict[str, Any]]:
    """The office's audit entries of today, newest first."""
    return api.ok(api.get(f"/api/v1/offices/{office_id}/audit"))  # type: ignore[no-any-return]


def edits(api: Api, office_id: int, object_type: str) -> list[dict[str, Any]]:
    """Today's entries of changes (not creations) to objects of one type, newest first."""
    return [
        e
        for e in audit_of(api, office_id)
        if e["object"]["type"] == object_type and e["action"] != "created"
    ]


def tree_ids(api: Api, office_id: int) -> list[int]:
    """Every topic id the kiosk menu shows, depth first."""

    def walk(nodes: list[dict[str, Any]]) -> list[int]:
        return [i for node in nodes for i in (node["id"], *walk(node["children"]))]

    return walk(api.ok(api.get(f"/api/v1/offices/{office_id}/topics")))


def test_an_office_patch_changes_what_is_sent_and_answers_every_setting(admin: Api) -> None:
    office = admin.office(hours=WEEKDAYS_8_TO_19)
    path = f"/api/v1/offices/{office['id']}"
    body = {
        "name": "ЦОК Липецк, новый адрес",
        "hours": {"mon": [["09:00", "18:00"]]},
        "peak": [["17:00", "18:00"], ["09:00", "10:00"]],
        "max_priority_in_row": 3,
        "recall_limit": 4,
        "recall_timeout_seconds": 120,
        "auto_no_show": True,
        "kiosk_tickets_per_minute": 12,
        "remote_open": False,
        "remote_tickets_per_hour": 5,
    }
    changed = admin.ok(patch(admin, path, **body))
    assert changed == {
        "id": office["id"],
        "address": office["address"],
        "timezone": "Europe/Moscow",
        "open_now": True,  # Monday 10:30 in Moscow
        **body,
        "peak": [["09:00", "10:00"], ["17:00", "18:00"]],  # kept in order, as the hours are
    }
    assert admin.ok(admin.get(path))["name"] == "ЦОК Липецк, новый адрес"
    assert admin.ok(admin.get(f"{path}/settings")) == changed  # what the admin page reads
    [entry] = edits(admin, office["id"], "office")
    assert entry["action"] == "changed" and entry["user"]["login"] == ADMIN_LOGIN
    assert entry["object"] == {"type": "office", "id": office["id"]}
    assert entry["changes"]["name"] == [office["name"], "ЦОК Липецк, новый адрес"]
    assert entry["changes"]["hours"] == [WEEKDAYS_8_TO_19, {"mon": [["09:00", "18:00"]]}]
    assert entry["changes"]["remote_open"] == [True, False]
    assert set(entry["changes"]) == set(body)
    # The same values again change nothing, and nothing is written.
    assert admin.ok(patch(admin, path, **body)) == changed
    assert admin.ok(patch(admin, path)) == changed
    assert len(edits(admin, office["id"], "office")) == 1
    always = admin.ok(patch(admin, path, hours=None))
    assert always["hours"] is None and always["open_now"] is True


def test_a_refused_office_patch_changes_nothing(admin: Api, anonymous: Api) -> None:
    office = admin.office(hours=WEEKDAYS_8_TO_19)
    path = f"/api/v1/offices/{office['id']}"
    before = admin.ok(admin.get(path))
    readable = {
        "time zone": {"timezone": "Mars/Olympus_Mons", "name": "Марс"},
        "must end after it starts": {"hours": {"mon": [["19:00", "08:00"]]}},
        "overlap": {"peak": [["08:00", "11:00"], ["10:00", "12:00"]]},
        "weekday": {"hours": {"xyz": [["08:00", "19:00"]]}},
    }
    for words, body in readable.items():
        assert words in error(patch(admin, path, **body), 422, "validation_error")
    for body in ({"name": None}, {"timezone": None}, {"recall_limit": -1}, {"colour": "red"}):
        error(patch(admin, path, **body), 422, "validation_error")
    error(patch(admin, "/api/v1/offices/999999", name="X"), 404, "office_not_found")
    manager = admin.operator(office["id"], role="manager")
    error(patch(manager, path, name="X"), 403, "forbidden")
    error(patch(anonymous, path, name="X"), 401, "not_authenticated")
    assert admin.ok(admin.get(path)) == before
    assert edits(admin, office["id"], "office") == []


def test_all_topics_lists_retired_ones_with_every_field_for_managers(admin: Api) -> None:
    place, other = hall(admin, "AB"), hall(admin, "C")
    menu = admin.topic(place.id, "P", target_wait_seconds={"peak": 900})
    leaf = admin.topic(place.id, "P", parent_id=menu["id"], operations=[{"ru": "Оплата"}])
    admin.ok(patch(admin, f"/api/v1/topics/{place.topic_id('B')}", active=False))
    manager = admin.operator(place.id, role="manager")
    listed = manager.ok(manager.get(f"/api/v1/offices/{place.id}/topics/all"))
    expected = [place.topic_id("A"), place.topic_id("B"), menu["id"], leaf["id"]]
    assert [t["id"] for t in listed] == expected
    assert [t["active"] for t in listed] == [True, False, True, True]
    assert listed[3] == {
        "id": leaf["id"],
        "office_id": place.id,
        "parent_id": menu["id"],
        "prefix": "P",
        "name": leaf["name"],
        "target_wait_seconds": {"peak": None, "offpeak": None},
        "operations": [{"ru": "Оплата", "en": "Оплата"}],
        "sort_order": listed[2]["sort_order"] + 1,
        "active": True,
    }
    assert listed[2]["target_wait_seconds"] == {"peak": 900, "offpeak": None}
    error(manager.get(f"/api/v1/offices/{other.id}/topics/all"), 403, "forbidden")
    error(place.operator().get(f"/api/v1/offices/{place.id}/topics/all"), 403, "forbidden")
    error(admin.get("/api/v1/offices/999999/topics/all"), 404, "office_not_found")


def test_a_topic_patch_answers_the_whole_topic_and_is_audited(admin: Api) -> None:
    place = hall(admin, "AB")
    path = f"/api/v1/topics/{place.topic_id('A')}"
    body = {
        "name": {"ru": "Договоры"},
        "target_wait_seconds": {"peak": 600, "offpeak": 300},
        "operations": [{"ru": "Подписать", "en": "Sign"}],
        "sort_order": 7,
    }
    changed = admin.ok(patch(admin, path, **body))
    assert changed == place.topics["A"] | {
        "name": {"ru": "Договоры", "en": "Договоры"},
        "target_wait_seconds": {"peak": 600, "offpeak": 300},
        "operations": [{"ru": "Подписать", "en": "Sign"}],
        "sort_order": 7,
    }
    assert admin.ok(patch(admin, path, **body)) == changed  # nothing new: nothing written
    [entry] = edits(admin, place.id, "topic")
    assert entry["action"] == "changed" and entry["object"]["id"] == place.topic_id("A")
    assert entry["changes"]["name"] == [
        place.topics["A"]["name"],
        {"ru": "Договоры", "en": "Договоры"},
    ]
    assert entry["changes"]["sort_order"] == [place.topics["A"]["sort_order"], 7]
    # The kiosk menu follows the new order: A is now after B.
    assert tree_ids(admin, place.id) == [place.topic_id("B"), place.topic_id("A")]
    # Creations name who made them.
    created = [e for e in audit_of(admin, place.id) if e["action"] == "created"]
    assert created and all(e["user"]["login"] == ADMIN_LOGIN for e in created)


def test_a_retired_topic_leaves_the_menu_and_its_waiting_tickets_are_still_served(
    admin: Api,
) -> None:
    place = hall(admin, "AB")
    waiting = place.issue("A")
    path = f"/api/v1/topics/{place.topic_id('A')}"
    retired = admin.ok(patch(admin, path, active=False))
    assert retired["active"] is False
    assert tree_ids(admin, place.id) == [place.topic_id("B")]
    issue = f"/api/v1/offices/{place.id}/tickets"
    refused = admin.post(issue, json={"topic_id": place.topic_id("A")})
    error(refused, 409, "topic_not_issuable")
    operator = place.operator()
    called = operator.ok(call_next(operator, place.window_id()))
    assert called["id"] == waiting["id"] and called["status"] == "called"
    operator.ok(act(operator, called["id"], "start"))
    # Nobody is sent to a retired topic either.
    moved = act(operator, called["id"], "transfer", topic_id=place.topic_id("A"))
    error(moved, 409, "topic_not_issuable")
    admin.ok(patch(admin, path, active=True))
    assert tree_ids(admin, place.id) == [place.topic_id("A"), place.topic_id("B")]
    assert place.issue("A")["number"] == "A002"
    restored, retirement = edits(admin, place.id, "topic")
    assert retirement["action"] == "retired" and retirement["changes"] == {"active": [True, False]}
    assert restored["action"] == "restored" and restored["changes"] == {"active": [False, True]}


def test_retiring_a_menu_takes_its_sub_topics_out_until_it_is_restored(admin: Api) -> None:
    place = hall(admin, "A")
    menu = admin.topic(place.id, "P")
    leaf = admin.topic(place.id, "P", parent_id=menu["id"])
    admin.ok(patch(admin, f"/api/v1/topics/{menu['id']}", active=False))
    assert tree_ids(admin, place.id) == [place.topic_id("A")]
    issue = f"/api/v1/offices/{place.id}/tickets"
    error(admin.post(issue, json={"topic_id": leaf["id"]}), 409, "topic_not_issuable")
    admin.ok(patch(admin, f"/api/v1/topics/{menu['id']}", active=True))
    assert tree_ids(admin, place.id) == [place.topic_id("A"), menu["id"], leaf["id"]]
    assert admin.issue(place.id, leaf["id"])["number"] == "P001"


def test_a_new_prefix_numbers_the_tickets_issued_after_it(admin: Api) -> None:
    place = hall(admin, "A")
    first = place.issue("A")
    admin.ok(patch(admin, f"/api/v1/topics/{place.topic_id('A')}", prefix="K"))
    assert place.issue("A")["number"] == "K001"
    assert place.status(first)["number"] == "A001"
    [entry] = edits(admin, place.id, "topic")
    assert entry["changes"] == {"prefix": ["A", "K"]}


def test_a_refused_topic_patch_changes_nothing(admin: Api) -> None:
    place, other = hall(admin, "AB"), hall(admin, "C")
    menu = admin.topic(place.id, "P")
    child = admin.topic(place.id, "P", parent_id=menu["id"])
    grandchild = admin.topic(place.id, "G", parent_id=child["id"])
    listing = f"/api/v1/offices/{place.id}/topics/all"
    before = admin.ok(admin.get(listing))
    a_path = f"/api/v1/topics/{place.topic_id('A')}"
    taken = error(patch(admin, a_path, prefix="B"), 422, "validation_error")
    assert "prefix B" in taken and str(place.topic_id("B")) in taken
    # Outside the P menu its prefix is taken too, by the menu and its sub-topics.
    error(patch(admin, a_path, prefix="P"), 422, "validation_error")
    menu_path = f"/api/v1/topics/{menu['id']}"
    for parent in (menu["id"], child["id"], grandchild["id"]):
        cycle = error(patch(admin, menu_path, parent_id=parent), 422, "validation_error")
        assert "under itself" in cycle
    foreign = error(patch(admin, a_path, parent_id=other.topic_id("C")), 422, "validation_error")
    assert str(other.topic_id("C")) in foreign
    error(patch(admin, a_path, parent_id=999_999), 422, "validation_error")
    for body in ({"name": None}, {"prefix": "a"}, {"active": "no"}, {"sort_order": -1}):
        error(patch(admin, a_path, **body), 422, "validation_error")
    error(patch(admin, "/api/v1/topics/999999", active=False), 404, "topic_not_found")
    assert admin.ok(admin.get(listing)) == before
    assert edits(admin, place.id, "topic") == []
    # A prefix is free again once its topic is retired, and siblings of one menu may share one.
    admin.ok(patch(admin, f"/api/v1/topics/{place.topic_id('B')}", active=False))
    assert admin.ok(patch(admin, a_path, prefix="B"))["prefix"] == "B"
    sibling = admin.topic(place.id, "S", parent_id=menu["id"])
    assert admin.ok(patch(admin, f"/api/v1/topics/{sibling['id']}", prefix="P"))["prefix"] == "P"
    # ... and a retired topic cannot come back while its prefix is taken.
    back = patch(admin, f"/api/v1/topics/{place.topic_id('B')}", active=True)
    assert "prefix B" in error(back, 422, "validation_error")


def test_managers_edit_their_own_offices_topics_and_windows_only(admin: Api) -> None:
    place, other = hall(admin, "A"), hall(admin, "B")
    manager = admin.operator(place.id, role="manager")
    topic = manager.ok(patch(manager, f"/api/v1/topics/{place.topic_id('A')}", sort_order=5))
    assert topic["sort_order"] == 5
    window = manager.ok(patch(manager, f"/api/v1/windows/{place.window_id()}", name="Касса"))
    assert window["name"] == "Касса"
    login = manager.ok(manager.get("/api/v1/auth/me"))["login"]
    assert {e["user"]["login"] for e in edits(admin, place.id, "topic")} == {login}
    error(patch(manager, f"/api/v1/topics/{other.topic_id('B')}", active=False), 403, "forbidden")
    error(patch(manager, f"/api/v1/windows/{other.window_id()}", active=False), 403, "forbidden")
    error(patch(manager, "/api/v1/topics/999999", active=False), 404, "topic_not_found")
    error(patch(manager, f"/api/v1/offices/{place.id}", name="X"), 403, "forbidden")
    operator = place.operator()
    error(patch(operator, f"/api/v1/topics/{place.topic_id('A')}", active=False), 403, "forbidden")
    error(patch(operator, f"/api/v1/windows/{place.window_id()}", active=False), 403, "forbidden")
    assert edits(admin, other.id, "topic") == edits(admin, other.id, "window") == []


def test_windows_are_renumbered_renamed_and_retired(admin: Api) -> None:
    place = hall(admin, "A", windows=2)
    path = f"/api/v1/windows/{place.window_id(0)}"
    changed = admin.ok(patch(admin, path, number=5, name="Окно 5"))
    assert changed == {
        "id": place.window_id(0),
        "number": 5,
        "name": "Окно 5",
        "office_id": place.id,
        "operator_id": None,
        "active": True,
    }
    taken = error(patch(admin, path, number=2, name="Два"), 409, "already_exists")
    assert "number 2" in taken
    error(patch(admin, path, number=0), 422, "validation_error")
    error(patch(admin, "/api/v1/windows/999999", name="X"), 404, "window_not_found")
    assert admin.ok(patch(admin, path, name=""))["name"] == "5"  # as at creation: its number
    place.issue("A")
    admin.ok(patch(admin, path, active=False))
    operator = place.operator()
    refused = error(call_next(operator, place.window_id(0)), 409, "window_inactive")
    assert "window 5" in refused
    listed = operator.ok(operator.get(f"/api/v1/offices/{place.id}/windows"))
    assert [(w["number"], w["active"]) for w in listed] == [(2, True), (5, False)]
    admin.ok(patch(admin, path, active=True))
    assert operator.ok(call_next(operator, place.window_id(0)))["window"]["number"] == 5
    actions = [(e["action"], e["changes"]) for e in edits(admin, place.id, "window")]
    assert actions == [
        ("restored", {"active": [False, True]}),
        ("retired", {"active": [True, False]}),
        ("changed", {"name": ["Окно 5", "5"]}),
        ("changed", {"number": [1, 5], "name": ["1", "Окно 5"]}),
    ]


def test_kiosks_are_renamed_given_a_printer_and_retired(admin: Api, server: LiveServer) -> None:
    place = hall(admin, "A")
    made = admin.kiosk(place.id)
    kiosk = Api(server.url, kiosk_key=made["key"])
    path = f"/api/v1/kiosks/{made['id']}"
    changed = admin.ok(patch(admin, path, name="Вход", printer="tcp://192.168.1.50:9100"))
    assert changed == made | {
        "name": "Вход",
        "printer": "tcp://192.168.1.50:9100",
        "printer_status": "unknown",  # nothing is known of the new printer yet
        "key": None,  # shown only when made or renewed
        "setup_url": None,
    }
    outside = error(patch(admin, path, printer="file:///etc/passwd"), 422, "printer_not_allowed")
    assert "QUEUE_SPOOL_DIR" in outside
    error(patch(admin, path, name=""), 422, "validation_error")
    error(patch(admin, "/api/v1/kiosks/999999", active=False), 404, "kiosk_not_found")
    manager = admin.operator(place.id, role="manager")
    error(patch(manager, path, active=False), 403, "forbidden")
    [listed] = admin.ok(admin.get(f"/api/v1/offices/{place.id}/kiosks"))
    assert listed["printer"] == "tcp://192.168.1.50:9100" and listed["name"] == "Вход"
    admin.ok(patch(admin, path, printer=None, active=False))
    issue = f"/api/v1/offices/{place.id}/tickets"
    detail = error(
        kiosk.post(issue, json={"topic_id": place.topic_id("A")}), 401, "not_authenticated"
    )
    assert "Staff" in error(
        kiosk.post(f"{issue}?lang=en", json={"topic_id": place.topic_id("A")}),
        401,
        "not_authenticated",
    )
    assert detail  # in Russian by default, for whoever reads the kiosk's log
    page = admin.ok(admin.post(f"/api/v1/kiosks/{made['id']}/check-in"))
    assert page["active"] is False
    admin.ok(patch(admin, path, active=True))
    assert kiosk.ok(kiosk.post(issue, json={"topic_id": place.topic_id("A")}), 201)
    actions = [(e["action"], e["changes"]) for e in edits(admin, place.id, "kiosk")]
    assert actions == [
        ("restored", {"active": [False, True]}),
        ("retired", {"printer": ["tcp://192.168.1.50:9100", None], "active": [True, False]}),
        ("changed", {"name": [made["name"], "Вход"], "printer": [None, "tcp://192.168.1.50:9100"]}),
    ]
    kiosk.close()
