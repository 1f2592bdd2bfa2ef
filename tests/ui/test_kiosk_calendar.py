"""The kiosk page after a long holiday: the next opening names its date, not only its weekday."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from queue_server.clock import FrozenClock
from tests.support import Api
from tests.ui.test_kiosk_page import make_hall, open_kiosk, screen  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


def test_a_long_break_names_the_date_it_ends(
    sqlite_admin: Api,
    open_kiosk: Any,  # noqa: F811 (the fixture imported above)
    clock: FrozenClock,
) -> None:
    weekdays = {day: [["08:00", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    hall = make_hall(sqlite_admin, hours=weekdays)
    office_id = hall.office["id"]
    first = datetime(2026, 11, 24)
    for offset in range(8):  # Tuesday 24 November to Tuesday 1 December
        day = (first + timedelta(days=offset)).date().isoformat()
        path = f"/api/v1/offices/{office_id}/calendar/{day}"
        sqlite_admin.ok(sqlite_admin.http.put(path, json={"hours": [], "note": "Каникулы"}))
    clock.set(datetime(2026, 11, 23, 17, 30, tzinfo=UTC))  # Monday 20:30 in Moscow
    page = open_kiosk(hall, "portrait")
    expect(screen(page)).to_have_attribute("data-screen", "closed")
    expect(page.locator(".closed")).to_contain_text("Откроется в среду, 02.12, в 08:00.")
    expect(page.locator(".closed")).to_contain_text("It opens on Wednesday, 02.12, at 08:00.")
