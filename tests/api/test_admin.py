"""Administration: offices with hours, the topic tree, windows, users with skills, kiosks."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from queue_server.clock import FrozenClock
from tests.api.contract import WEEKDAYS_8_TO_19, error, moscow
from tests.support import Api, LiveServer, login_token


def office_body(**changes: Any) -> dict[str, Any]:
    return {
        "name": "ЦОК Липецк",
        "address": "Lipetsk, Moskovskaya 1",
        "timezone": "Europe/Moscow",
        "hours": WEEKDAYS_8_TO_19,
    } | changes


def test_offices_with_hours_and_open_now(admin: Api, clock: FrozenClock) -> None:
    created = admin.ok(admin.post("/api/v1/offices", json=office_body()), 201)
    assert isinstance(created["id"], int)
    assert created["name"] == "ЦОК Липецк"
    assert created["timezone"] == "Europe/Moscow"
    assert created["hours"]["mon"] == [["08:00", "19:00"]]
    assert "sat" not in created["hours"]
    assert created["open_now"] is True
    always = admin.office(hours=None)
    weekend = admin.office(hours={"sat": [["10:00", "16:00"]], "sun": [["10:00", "16:00"]]})
    listed = {office["id"]: office for office in admin.ok(admin.get("/api/v1/offices"))}
    assert set(listed) == {created["id"], always["id"], weekend["id"]}
    assert listed[always["id"]]["hours"] is None
    assert listed[always["id"]]["open_now"] is True
    assert listed[weekend["id"]]["open_now"] is False
    for field in ("id", "name", "address", "timezone", "hours", "open_now"):
        assert all(field in office for office in listed.values())
    clock.set(moscow(2026, 11, 23, 19, 30))  # Monday evening: only the always-open office
    listed = {office["id"]: office for office in admin.ok(admin.get("/api/v1/offices"))}
    assert [listed[i]["open_now"] for i in (created["id"], always["id"], weekend["id"])] == [
        False,
        True,
        False,
    ]


def test_office_validation_is_422_with_a_readable_detail(admin: Api) -> None:
    readable = {
        "unknown weekday": office_body(hours={"xyz": [["08:00", "19:00"]]}),
        "hour 25": office_body(hours={"mon": [["08:00", "25:00"]]}),
        "end before start": office_body(hours={"mon": [["19:00", "08:00"]]}),
        "overlap": office_body(hours={"mon": [["08:00", "13:00"], ["12:00", "19:00"]]}),
        "zone": office_body(timezone="Mars/Olympus_Mons"),
        "zone path": office_body(timezone="../../etc/passwd"),
    }
    for case, body in readable.items():
        detail = error(admin.post("/api/v1/offices", json=body), 422, "validation_error")
        assert isinstance(detail, str) and len(detail) > 10, (case, detail)
    assert "xyz" in error(
        admin.post("/api/v1/offices", json=readable["unknown weekday"]), 422, "validation_error"
    )
    assert "25:00" in error(
        admin.post("/api/v1/offices", json=readable["hour 25"]), 422, "validation_error"
    )
    assert "time zone" in error(
        admin.post("/api/v1/offices", json=readable["zone"]), 422, "validation_error"
    )
    schema_level = [
        office_body(hours={"monday": [["08:00", "19:00"]]}),
        office_body(hours={"mon": [["8am", "19:00"]]}),
        office_body(hours={"mon": ["08:00", "19:00"]}),
        office_body(hours="always"),
        office_body(name=""),
        office_body(timezone=""),
    ]
    for body in schema_level:
        error(admin.post("/api/v1/offices", json=body), 422, "validation_error")
    assert admin.ok(admin.get("/api/v1/offices")) == []


def test_topic_tree_menus_leaves_and_prefixes(admin: Api) -> None:
    office, other = admin.office(), admin.office()
    path = f"/api/v1/offices/{office['id']}/topics"
    menu = admin.ok(
        admin.post(
            path,
            json={
                "name": {"ru": "Договоры", "en": "Contracts"},
                "prefix": "D",
                "target_wait_seconds": {"peak": 900, "offpeak": 600},
            },
        ),
        201,
    )
    assert menu["prefix"] == "D"
    assert menu["parent_id"] is None
    assert menu["name"] == {"ru": "Договоры", "en": "Contracts"}
    assert menu["target_wait_seconds"] == {"peak": 900, "offpeak": 600}
    leaf = admin.ok(
        admin.post(
            path,
            json={
                "name": {"ru": "Заключение", "en": "Signing"},
                "prefix": "A",
                "parent_id": menu["id"],
            },
        ),
        201,
    )
    assert leaf["parent_id"] == menu["id"]
    second_leaf = admin.topic(office["id"], "B", parent_id=menu["id"])
    root_leaf = admin.topic(office["id"], "C")
    for bad_prefix in ("a", "ABCD", "1", "", "A-", None):
        body = {"name": {"ru": "Тема"}, "prefix": bad_prefix}
        error(admin.post(path, json=body), 422, "validation_error")
    foreign_parent = admin.topic(other["id"], "A")
    detail = error(
        admin.post(
            path, json={"name": {"ru": "Т"}, "prefix": "E", "parent_id": foreign_parent["id"]}
        ),
        422,
        "validation_error",
    )
    assert str(foreign_parent["id"]) in detail
    error(
        admin.post(path, json={"name": {"ru": "Т"}, "prefix": "E", "parent_id": 999_999}),
        422,
        "validation_error",
    )
    error(
        admin.post("/api/v1/offices/999999/topics", json={"name": {"ru": "Т"}, "prefix": "E"}),
        404,
        "office_not_found",
    )
    tree = admin.ok(admin.get(f"/api/v1/offices/{office['id']}/topics?lang=en"))
    assert [node["id"] for node in tree] == [menu["id"], root_leaf["id"]]
    assert tree[0]["name"] == "Contracts"
    assert [child["id"] for child in tree[0]["children"]] == [leaf["id"], second_leaf["id"]]
    assert tree[0]["children"][0]["name"] == "Signing"
    assert tree[0]["children"][0]["children"] == []
    russian = admin.ok(admin.get(f"/api/v1/offices/{office['id']}/topics"))
    assert russian[0]["name"] == "Договоры"
    # The menu is not issuable, its leaves are.
    ticket_path = f"/api/v1/offices/{office['id']}/tickets"
    error(admin.post(ticket_path, json={"topic_id": menu["id"]}), 409, "topic_not_issuable")
    assert admin.issue(office["id"], leaf["id"])["number"] == "A001"
    # Nothing of the refused topics was created.
    assert len(admin.ok(admin.get(f"/api/v1/offices/{other['id']}/topics"))) == 1


def test_windows_numbers_are_unique_per_office(admin: Api) -> None:
    office, other = admin.office(), admin.office()
    path = f"/api/v1/offices/{office['id']}/windows"
    window = admin.ok(admin.post(path, json={"number": 3, "name": "Окно 3"}), 201)
    assert window["number"] == 3
    assert window["name"] == "Окно 3"
    assert isinstance(window["id"], int)
    error(admin.post(path, json={"number": 3, "name": "again"}), 409, "already_exists")
    for bad in ({"number": 0}, {"number": "three"}, {}, {"number": 10**30}):
        error(admin.post(path, json=bad), 422, "validation_error")
    assert admin.window(other["id"], 3)["number"] == 3
    admin.window(office["id"], 1)
    listed = admin.ok(admin.get(path))
    assert [(w["number"], w["name"]) for w in listed] == [(1, "1"), (3, "Окно 3")]
    assert set(listed[0]) >= {"id", "number", "name"}
    error(admin.post("/api/v1/offices/999999/windows", json={"number": 1}), 404, "office_not_found")


def test_users_with_skills_unique_logins_and_password_rules(admin: Api, server: Any) -> None:
    office, other = admin.office(), admin.office()
    topic, foreign_topic = admin.topic(office["id"], "A"), admin.topic(other["id"], "A")
    body = {
        "login": "ivanova",
        "password": "correct-horse",
        "role": "operator",
        "office_id": office["id"],
        "skills": [{"topic_id": topic["id"], "priority": 2}],
    }
    created = admin.ok(admin.post("/api/v1/users", json=body), 201)
    assert isinstance(created["id"], int)
    assert created["login"] == "ivanova"
    assert created["role"] == "operator"
    assert created["office_id"] == office["id"]
    assert created["skills"] == [{"topic_id": topic["id"], "priority": 2}]
    assert "password" not in created and "password_hash" not in created
    assert login_token(server.url, "ivanova", "correct-horse")
    error(
        admin.post("/api/v1/users", json=body | {"password": "another-one"}), 409, "already_exists"
    )
    short = error(
        admin.post("/api/v1/users", json=body | {"login": "petrov", "password": "1234567"}),
        422,
        "weak_password",
    )
    assert "10" in short
    refused = [
        body | {"login": "petrov", "role": "superuser"},
        body | {"login": "pet rov"},
        body | {"login": "petrov", "skills": [{"topic_id": topic["id"], "priority": 0}]},
        body | {"login": "petrov", "password": ""},
    ]
    for bad in refused:
        error(admin.post("/api/v1/users", json=bad), 422, "validation_error")
    foreign = body | {
        "login": "petrov",
        "skills": [{"topic_id": foreign_topic["id"], "priority": 1}],
    }
    error(admin.post("/api/v1/users", json=foreign), 404, "topic_not_found")
    error(
        admin.post("/api/v1/users", json=body | {"login": "petrov", "office_id": 999_999}),
        404,
        "office_not_found",
    )
    # None of the refused users exists: their logins are still free.
    again = body | {"login": "petrov", "skills": []}
    assert admin.ok(admin.post("/api/v1/users", json=again), 201)["skills"] == []


def test_kiosks_accept_the_printer_url_forms(admin: Api, server: LiveServer) -> None:
    office = admin.office()
    path = f"/api/v1/offices/{office['id']}/kiosks"
    accepted = [
        "tcp://192.168.1.50:9100",
        "tcp://printer.local:9100",
        "usb://04b8:0202",
        "serial:///dev/ttyUSB0",
        f"file://{server.settings.spool_path.resolve()}/x",
        None,
    ]
    for printer in accepted:
        kiosk = admin.ok(admin.post(path, json={"name": "Вход", "printer": printer}), 201)
        assert isinstance(kiosk["id"], int)
        assert kiosk["printer"] == printer
    refused = [
        "tcp://",
        "tcp://printer:99999",
        "http://printer:9100",
        "usb://04b8",
        "usb://zzzz:0202",
        "serial://dev/ttyUSB0",
        "file://relative/path",
        "",
        "printer",
        "file:///tmp/\x00x",
    ]
    for printer in refused:
        detail = error(
            admin.post(path, json={"name": "K", "printer": printer}), 422, "validation_error"
        )
        assert detail
    error(admin.post(path, json={"name": "K", "printer": 9100}), 422, "validation_error")
    error(admin.post("/api/v1/offices/999999/kiosks", json={"name": "K"}), 404, "office_not_found")
    kiosks = admin.ok(admin.get(path))
    assert [k["printer"] for k in kiosks] == accepted


def test_concurrent_duplicates_are_409_not_500(admin: Api) -> None:
    office = admin.office()
    path = f"/api/v1/offices/{office['id']}/windows"
    user = {"password": "long-enough", "role": "operator", "office_id": office["id"]}

    def window(_index: int) -> int:
        return admin.post(path, json={"number": 5}).status_code

    def same_login(_index: int) -> int:
        return admin.post("/api/v1/users", json=user | {"login": "twin"}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        windows = sorted(pool.map(window, range(6)))
        users = sorted(pool.map(same_login, range(6)))
    assert windows == [201, 409, 409, 409, 409, 409]
    assert users == [201, 409, 409, 409, 409, 409]
