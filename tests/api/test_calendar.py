"""The office calendar: PUT/GET/DELETE a date's hours, and a holiday or a shortened day as the
kiosk, issuing, open_now, closing time and the load page see it."""

from __future__ import annotations

import time
from typing import Any

import httpx

from queue_server.clock import FrozenClock
from tests import support
from tests.api.contract import WEEKDAYS_8_TO_19, Hall, error, hall, moscow
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, Api, login_token, running_server


def put(api: Api, office_id: int, day: str, hours: Any, note: str = "") -> httpx.Response:
    return api.http.put(
        f"/api/v1/offices/{office_id}/calendar/{day}", json={"hours": hours, "note": note}
    )


def delete(api: Api, office_id: int, day: str) -> httpx.Response:
    return api.http.delete(f"/api/v1/offices/{office_id}/calendar/{day}")


def listed(api: Api, office_id: int, first: str = "2026-11-01", last: str = "2027-12-31") -> Any:
    path = f"/api/v1/offices/{office_id}/calendar?date_from={first}&date_to={last}"
    return api.ok(api.get(path))


def calendar_audit(api: Api, office_id: int) -> list[tuple[str, int, dict[str, Any]]]:
    path = f"/api/v1/offices/{office_id}/audit?date_from=2026-11-20&date_to=2026-11-30"
    entries = api.ok(api.get(path))
    return [
        (e["action"], e["object"]["id"], e["changes"])
        for e in reversed(entries)
        if e["object"]["type"] == "calendar"
    ]


def kiosk_info(api: Api, kiosk_id: int) -> dict[str, Any]:
    return api.ok(api.get(f"/api/v1/kiosks/{kiosk_id}"))  # type: ignore[no-any-return]


def signed_in_again(api: Api) -> Api:
    """The admin after the clock moved past the login's 12 hours."""
    return Api(api.base_url, login_token(api.base_url, ADMIN_LOGIN, ADMIN_PASSWORD))


def issue(api: Api, place: Hall, lang: str = "ru") -> httpx.Response:
    path = f"/api/v1/offices/{place.id}/tickets?lang={lang}"
    return api.post(path, json={"topic_id": place.topic_id("A")})


def test_put_get_delete_a_date_with_its_audit(admin: Api) -> None:
    place = hall(admin, "A", hours=WEEKDAYS_8_TO_19)
    day = admin.ok(put(admin, place.id, "2026-12-01", [], "Санитарный день"))
    assert day == {"date": "2026-12-01", "hours": [], "note": "Санитарный день", "source": "admin"}
    split = put(admin, place.id, "2026-12-02", [["14:00", "16:00"], ["08:00", "12:00"]])
    assert admin.ok(split)["hours"] == [["08:00", "12:00"], ["14:00", "16:00"]]
    changed = admin.ok(put(admin, place.id, "2026-12-01", [["10:00", "15:00"]], "Короткий день"))
    assert changed["hours"] == [["10:00", "15:00"]]
    assert [d["date"] for d in listed(admin, place.id)] == ["2026-12-01", "2026-12-02"]
    assert listed(admin, place.id, "2026-12-02", "2026-12-02")[0]["date"] == "2026-12-02"
    assert admin.ok(delete(admin, place.id, "2026-12-02"), 204) is None
    assert [d["date"] for d in listed(admin, place.id)] == ["2026-12-01"]
    error(delete(admin, place.id, "2026-12-02"), 404, "calendar_day_not_found")
    # Today and the year after by default.
    assert [d["date"] for d in admin.ok(admin.get(f"/api/v1/offices/{place.id}/calendar"))] == [
        "2026-12-01"
    ]
    assert calendar_audit(admin, place.id) == [
        ("created", 20261201, {"hours": [None, []], "note": [None, "Санитарный день"]}),
        (
            "created",
            20261202,
            {"hours": [None, [["08:00", "12:00"], ["14:00", "16:00"]]], "note": [None, ""]},
        ),
        (
            "changed",
            20261201,
            {"hours": [[], [["10:00", "15:00"]]], "note": ["Санитарный день", "Короткий день"]},
        ),
        (
            "deleted",
            20261202,
            {"hours": [[["08:00", "12:00"], ["14:00", "16:00"]], None], "note": ["", None]},
        ),
    ]
    # The same again changes nothing and writes no entry.
    admin.ok(put(admin, place.id, "2026-12-01", [["10:00", "15:00"]], "Короткий день"))
    assert len(calendar_audit(admin, place.id)) == 4


def test_managers_edit_their_own_office_only(admin: Api, anonymous: Api) -> None:
    place, other = hall(admin, "A", hours=WEEKDAYS_8_TO_19), hall(admin, "B")
    manager = admin.operator(place.id, role="manager")
    assert manager.ok(put(manager, place.id, "2026-12-01", []))["hours"] == []
    assert listed(manager, place.id)[0]["date"] == "2026-12-01"
    error(put(manager, other.id, "2026-12-01", []), 403, "forbidden")
    error(manager.get(f"/api/v1/offices/{other.id}/calendar"), 403, "forbidden")
    error(delete(manager, other.id, "2026-12-01"), 403, "forbidden")
    operator = place.operator()
    error(put(operator, place.id, "2026-12-02", []), 403, "forbidden")
    error(operator.get(f"/api/v1/offices/{place.id}/calendar"), 403, "forbidden")
    error(put(anonymous, place.id, "2026-12-02", []), 401, "not_authenticated")
    error(delete(anonymous, place.id, "2026-12-01"), 401, "not_authenticated")
    error(put(admin, 999999, "2026-12-01", []), 404, "office_not_found")
    assert manager.ok(delete(manager, place.id, "2026-12-01"), 204) is None
    assert listed(admin, place.id) == [] and listed(admin, other.id) == []
    for api in (manager, operator):
        api.close()


def test_bad_input_is_422_saying_what_to_change_and_changes_nothing(admin: Api) -> None:
    place = hall(admin, "A", hours=WEEKDAYS_8_TO_19)
    admin.ok(put(admin, place.id, "2026-12-01", [["08:00", "16:00"]], "Предпраздничный"))
    before, audit_before = listed(admin, place.id), calendar_audit(admin, place.id)
    assert "YYYY-MM-DD" in error(put(admin, place.id, "2026-13-01", []), 422, "validation_error")
    assert "YYYY-MM-DD" in error(put(admin, place.id, "01.12.2026", []), 422, "validation_error")
    assert "YYYY-MM-DD" in error(put(admin, place.id, "2026-02-30", []), 422, "validation_error")
    assert "2000-2100" in error(put(admin, place.id, "1999-12-31", []), 422, "validation_error")
    reversed_ = put(admin, place.id, "2026-12-01", [["16:00", "08:00"]])
    assert "must end after it starts" in error(reversed_, 422, "validation_error")
    overlapping = put(admin, place.id, "2026-12-01", [["08:00", "13:00"], ["12:00", "16:00"]])
    assert "overlap" in error(overlapping, 422, "validation_error")
    assert "HH:MM" in error(
        put(admin, place.id, "2026-12-01", [["08:00", "25:00"]]), 422, "validation_error"
    )
    for body in ({"hours": None}, {"note": "x"}, {"hours": [], "extra": 1}, {"hours": [["08:00"]]}):
        response = admin.http.put(f"/api/v1/offices/{place.id}/calendar/2026-12-01", json=body)
        error(response, 422, "validation_error")
    error(delete(admin, place.id, "2026-12-32"), 422, "validation_error")
    path = f"/api/v1/offices/{place.id}/calendar?date_from=2026-12-02&date_to=2026-12-01"
    assert "swap" in error(admin.get(path), 422, "validation_error")
    assert listed(admin, place.id) == before
    assert calendar_audit(admin, place.id) == audit_before


def test_a_holiday_tomorrow_closes_the_kiosk_issuing_and_open_now(
    admin: Api, anonymous: Api, clock: FrozenClock
) -> None:
    place = hall(admin, "A", hours=WEEKDAYS_8_TO_19)
    kiosk = admin.kiosk(place.id)
    at_kiosk = Api(admin.base_url, kiosk_key=kiosk["key"])
    clock.set(moscow(2026, 11, 23, 19, 30))  # Monday evening, closed
    admin.ok(put(admin, place.id, "2026-11-24", [], "Праздник"))
    info = kiosk_info(anonymous, kiosk["id"])
    assert not info["office"]["open_now"]
    assert info["opens_at"] == "2026-11-25T08:00:00+03:00"  # Wednesday: Tuesday is the holiday
    clock.set(moscow(2026, 11, 24, 10, 0))  # the holiday, a Tuesday morning
    assert error(issue(at_kiosk, place, "en"), 409, "office_closed") == (
        "The office is closed now; it opens at 08:00 on 2026-11-25."
    )
    assert "2026-11-25" in error(issue(at_kiosk, place), 409, "office_closed")
    assert not anonymous.ok(anonymous.get(f"/api/v1/offices/{place.id}"))["open_now"]
    offices = {o["id"]: o for o in anonymous.ok(anonymous.get("/api/v1/offices"))}
    assert not offices[place.id]["open_now"]
    info = kiosk_info(anonymous, kiosk["id"])
    assert info["opens_at"] == "2026-11-25T08:00:00+03:00" and info["closes_at"] is None
    # More days off: the next real opening is after all of them, more than a week ahead.
    admin = signed_in_again(admin)
    for day in range(25, 31):
        admin.ok(put(admin, place.id, f"2026-11-{day}", []))
    admin.ok(put(admin, place.id, "2026-12-01", []))
    assert kiosk_info(anonymous, kiosk["id"])["opens_at"] == "2026-12-02T08:00:00+03:00"
    clock.set(moscow(2026, 12, 2, 8, 0))
    assert anonymous.ok(anonymous.get(f"/api/v1/offices/{place.id}"))["open_now"]
    assert at_kiosk.ok(issue(at_kiosk, place), 201)["number"] == "A001"
    at_kiosk.close()
    admin.close()


def test_a_shortened_day_closes_an_hour_early_and_expires_then(
    database_url: str, clock: FrozenClock
) -> None:
    settings = support.test_settings(database_url, housekeeping_interval_seconds=0.1)
    clock.set(moscow(2026, 11, 24, 17, 30))  # Tuesday
    with running_server(settings, clock) as live:
        admin = Api(live.url, login_token(live.url, ADMIN_LOGIN, ADMIN_PASSWORD))
        place = hall(admin, "A", hours=WEEKDAYS_8_TO_19)
        admin.ok(put(admin, place.id, "2026-11-24", [["08:00", "18:00"]], "Предпраздничный"))
        kiosk = admin.kiosk(place.id)
        assert kiosk_info(admin, kiosk["id"])["closes_at"] == "2026-11-24T18:00:00+03:00"
        waiting = place.issue()
        at_kiosk = Api(live.url, kiosk_key=admin.kiosk(place.id)["key"])
        clock.set(moscow(2026, 11, 24, 17, 59))
        time.sleep(0.3)
        assert place.status(waiting)["status"] == "waiting"
        clock.set(moscow(2026, 11, 24, 18, 0, 30))
        deadline = time.monotonic() + 10
        while place.status(waiting)["status"] != "expired":
            assert time.monotonic() < deadline, "the ticket did not expire at the new closing"
            time.sleep(0.05)
        assert "2026-11-25" in error(issue(at_kiosk, place), 409, "office_closed")
        at_kiosk.close()
        admin.close()


def test_the_load_page_leaves_out_calendar_days_and_lists_the_coming_ones(
    admin: Api, anonymous: Api, clock: FrozenClock
) -> None:
    place = hall(admin, "A", hours=WEEKDAYS_8_TO_19)
    clock.set(moscow(2026, 11, 23, 10, 0))  # Monday, a shortened day
    admin.ok(put(admin, place.id, "2026-11-23", [["08:00", "18:00"]], "Предпраздничный"))
    at_kiosk = Api(admin.base_url, kiosk_key=admin.kiosk(place.id)["key"])
    for _ in range(2):
        at_kiosk.ok(issue(at_kiosk, place), 201)
    clock.set(moscow(2026, 11, 24, 10, 0))  # an ordinary Tuesday
    at_kiosk.ok(issue(at_kiosk, place), 201)
    admin = signed_in_again(admin)
    admin.ok(put(admin, place.id, "2026-11-27", [], "День города"))
    load = anonymous.ok(anonymous.get(f"/api/v1/offices/{place.id}/load"))
    assert load["days_counted"]["mon"] == 0 and load["days_counted"]["tue"] == 1
    cells = {(c["weekday"], c["hour"]): c for c in load["individual"]}
    assert cells[("mon", 10)]["visits"] == 0 and cells[("tue", 10)]["visits"] == 1
    assert load["calendar_days"] == [{"date": "2026-11-27", "hours": [], "note": "День города"}]
    page = anonymous.get(f"/load/{place.id}")
    assert page.status_code == 200
    assert "Особый режим работы в ближайшие дни" in page.text
    assert 'data-date="2026-11-27"' in page.text and "День города" in page.text
    english = anonymous.get(f"/load/{place.id}?lang=en").text
    assert "Fri 27.11</time>: Closed — День города" in english
    at_kiosk.close()
    admin.close()
