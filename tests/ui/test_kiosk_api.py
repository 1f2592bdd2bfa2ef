"""GET /api/v1/kiosks/{id}: what the kiosk page needs before the first tap."""

from __future__ import annotations

from datetime import UTC, datetime

from queue_server.clock import FrozenClock
from tests.support import Api

WEEKDAYS = {day: [["08:00", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def test_kiosk_gives_its_office_and_opening_state(admin: Api, anonymous: Api) -> None:
    office = admin.office(hours=WEEKDAYS)
    path = f"/api/v1/offices/{office['id']}/kiosks"
    kiosk = admin.ok(admin.post(path, json={"name": "Hall", "printer": "tcp://10.0.0.9:9100"}), 201)
    body = anonymous.ok(anonymous.get(f"/api/v1/kiosks/{kiosk['id']}"))
    assert body["name"] == "Hall"
    assert body["office_id"] == office["id"]
    assert body["office"]["name"] == office["name"]
    assert body["office"]["open_now"] is True  # Monday 10:30 in Moscow
    assert body["has_printer"] is True
    assert body["printer_status"] == "unknown"
    assert body["today"] == "2026-11-23"
    assert body["opens_at"] is None
    assert body["closes_at"] == "2026-11-23T19:00:00+03:00"


def test_closed_office_says_when_it_opens(admin: Api, anonymous: Api, clock: FrozenClock) -> None:
    office = admin.office(hours=WEEKDAYS)
    path = f"/api/v1/offices/{office['id']}/kiosks"
    kiosk = admin.ok(admin.post(path, json={"name": "Hall", "printer": None}), 201)
    clock.set(datetime(2026, 11, 27, 17, 0, tzinfo=UTC))  # Friday 20:00 in Moscow
    body = anonymous.ok(anonymous.get(f"/api/v1/kiosks/{kiosk['id']}"))
    assert body["office"]["open_now"] is False
    assert body["has_printer"] is False
    assert body["opens_at"] == "2026-11-30T08:00:00+03:00"  # Monday


def test_unknown_kiosk_is_a_404_with_a_code(anonymous: Api) -> None:
    response = anonymous.get("/api/v1/kiosks/999999")
    assert response.status_code == 404
    assert response.json()["code"] == "kiosk_not_found"
    assert anonymous.get("/api/v1/kiosks/0").status_code == 422


def test_qr_code_is_an_svg_drawn_by_the_server(anonymous: Api) -> None:
    response = anonymous.get("/kiosk/qr.svg", params={"data": "http://example.test/t/abc"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in response.content and b"<path" in response.content
    assert anonymous.get("/kiosk/qr.svg", params={"data": "x" * 600}).status_code == 422
