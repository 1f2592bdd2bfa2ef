"""`queue-server seed` loads Russia's holidays and shortened days into the offices in Russian time
zones, once, and never over a date an admin set or removed."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from queue_server.clock import FrozenClock
from queue_server.core.schedule import parse_hours
from queue_server.db.engine import Database
from queue_server.services import holidays, seeding
from tests.api.contract import error, moscow, sql
from tests.support import DEFAULT_NOW, Api, LiveServer, on_database
from tests.test_cli import cli, ok

WEEKDAYS_9_TO_18 = {day: [["09:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
CENTRE = "ЦОК Липецк, пр. Победы, 87а"


def seed(database_url: str, *, catalogue: bool = False) -> int:
    async def work(database: Database) -> int:
        async with database.unit_of_work() as uow:
            if catalogue:
                await seeding.seed(uow, seeding.builtin_catalogue(), DEFAULT_NOW)
            return await seeding.seed_holidays(uow, DEFAULT_NOW)

    return on_database(database_url, work)


def calendar(api: Api, office_id: int) -> dict[str, dict[str, Any]]:
    path = f"/api/v1/offices/{office_id}/calendar?date_from=2026-01-01&date_to=2027-12-31"
    return {day["date"]: day for day in api.ok(api.get(path))}


def put(api: Api, office_id: int, day: str, hours: Any) -> Any:
    path = f"/api/v1/offices/{office_id}/calendar/{day}"
    return api.ok(api.http.put(path, json={"hours": hours, "note": "Решение директора"}))


def test_seed_loads_the_holidays_once_and_keeps_what_an_admin_set(
    server: LiveServer, admin: Api, anonymous: Api, clock: FrozenClock
) -> None:
    url = server.settings.database_url
    ural = admin.office(hours=WEEKDAYS_9_TO_18, timezone="Asia/Yekaterinburg")
    berlin = admin.office(hours=WEEKDAYS_9_TO_18, timezone="Europe/Berlin")
    always = admin.office(hours=None)  # open round the clock: its hours are its own
    first = seed(url, catalogue=True)
    offices = {o["name"]: o for o in admin.ok(admin.get("/api/v1/offices"))}
    data = holidays.production_calendar()
    russian = [o for o in offices.values() if o["timezone"] in data["timezones"] and o["hours"]]
    assert first == sum(len(holidays.days_for(data, parse_hours(o["hours"]))) for o in russian)
    assert seed(url) == 0

    centre = offices[CENTRE]["id"]
    days = calendar(admin, centre)
    assert (
        days["2026-05-01"]["hours"] == [] and days["2026-05-01"]["note"] == "Праздник Весны и Труда"
    )
    assert days["2026-04-30"]["hours"] == [["08:00", "18:00"]]  # open 08-19 every day
    assert days["2026-05-01"]["source"] == "production_calendar"
    ural_days = calendar(admin, ural["id"])
    assert ural_days["2026-04-30"]["hours"] == [["09:00", "17:00"]]
    assert "2026-05-09" in ural_days  # a Saturday holiday, listed for offices open then
    assert calendar(admin, berlin["id"]) == {} and calendar(admin, always["id"]) == {}

    put(admin, centre, "2026-05-01", [["10:00", "14:00"]])
    admin.ok(admin.http.delete(f"/api/v1/offices/{centre}/calendar/2026-06-12"), 204)
    assert seed(url) == 0
    days = calendar(admin, centre)
    assert days["2026-05-01"]["hours"] == [["10:00", "14:00"]]
    assert days["2026-05-01"]["source"] == "admin"
    assert "2026-06-12" not in days
    entries = sql(
        url,
        "SELECT count(*) FROM audit_entries WHERE object_type = 'calendar' AND user_id IS NULL",
    )
    assert entries == [(first,)]

    # A seeded day off: the office is closed, and the refusal names its next real opening.
    kiosk = Api(admin.base_url, kiosk_key=admin.kiosk(centre)["key"])
    topic = anonymous.ok(anonymous.get(f"/api/v1/offices/{centre}/topics"))[0]
    clock.set(moscow(2026, 12, 31, 10, 0))  # moved from 4 January: a day off
    assert not anonymous.ok(anonymous.get(f"/api/v1/offices/{centre}"))["open_now"]
    refused = kiosk.post(
        f"/api/v1/offices/{centre}/tickets?lang=en", json={"topic_id": topic["id"]}
    )
    assert error(refused, 409, "office_closed") == (
        "The office is closed now; it opens at 08:00 on 2027-01-09."  # after 1-8 January
    )
    kiosk.close()


def test_the_seed_command_loads_the_calendar_and_says_so(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    ok(cli(url, "migrate"))
    first = ok(cli(url, "seed"))
    assert "production calendar:" in first and " 0 holidays" not in first
    count = sql(url, "SELECT count(*) FROM calendar_days")[0][0]
    assert count > 0
    second = ok(cli(url, "seed"))
    assert "production calendar: 0 holidays and shortened days" in second
    assert sql(url, "SELECT count(*) FROM calendar_days") == [(count,)]
    moved = sql(url, "SELECT count(*) FROM calendar_days WHERE day = :day", day=date(2026, 1, 9))
    assert moved == sql(url, "SELECT count(*) FROM offices")  # every centre is in Moscow
