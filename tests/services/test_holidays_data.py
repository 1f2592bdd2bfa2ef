"""The shipped production calendar (2026-2027) holds what the Labour Code and the 2026 decree say."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from queue_server.core.schedule import parse_hours
from queue_server.services import holidays

DATA = holidays.production_calendar()
DAYS = {date.fromisoformat(d["date"]): d for d in DATA["days"]}


def kind(name: str, year: int) -> set[date]:
    return {day for day, entry in DAYS.items() if entry["kind"] == name and day.year == year}


def off(year: int) -> set[date]:
    return kind("holiday", year) | kind("transfer", year)


HOLIDAYS = ((2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4))


def holiday_by_law(day: date) -> bool:
    """Article 112: 1-8 January and the six other holidays."""
    return (day.month == 1 and day.day <= 8) or (day.month, day.day) in HOLIDAYS


def working_days(year: int) -> int:
    first, days = date(year, 1, 1), date(year + 1, 1, 1) - date(year, 1, 1)
    weekdays = [
        first + timedelta(n) for n in range(days.days) if (first + timedelta(n)).weekday() < 5
    ]
    return len([day for day in weekdays if day not in off(year)])


def test_the_2026_calendar_is_the_official_one() -> None:
    weekdays_off = {day for day in off(2026) if day.weekday() < 5}
    assert weekdays_off == {
        *(date(2026, 1, n) for n in (1, 2, 5, 6, 7, 8, 9)),  # with the weekend: 1-11 January
        date(2026, 2, 23),
        date(2026, 3, 9),
        date(2026, 5, 1),
        date(2026, 5, 11),
        date(2026, 6, 12),
        date(2026, 11, 4),
        date(2026, 12, 31),
    }
    assert kind("shortened", 2026) == {
        date(2026, 4, 30),
        date(2026, 5, 8),
        date(2026, 6, 11),
        date(2026, 11, 3),
    }
    assert working_days(2026) == 247  # the figure of the official production calendar


def test_2027_holds_the_labour_code_days_and_says_the_decree_is_missing() -> None:
    assert {date(2027, 5, 3), date(2027, 5, 10), date(2027, 6, 14)} <= kind("transfer", 2027)
    assert kind("shortened", 2027) == {
        date(2027, 2, 22),
        date(2027, 4, 30),
        date(2027, 6, 11),
        date(2027, 11, 3),
        date(2027, 12, 31),
    }
    assert working_days(2027) == 249  # before the decree moves the 2 and 3 January days off
    assert "2027" in DATA["note"] and "decree" in DATA["note"]


def test_every_holiday_of_article_112_is_there_each_year() -> None:
    for year in DATA["years"]:
        fixed = {date(year, 1, n) for n in range(1, 9)} | {date(year, *md) for md in HOLIDAYS}
        assert kind("holiday", year) == fixed


def test_days_are_consistent() -> None:
    assert len(DAYS) == len(DATA["days"]), "a date is listed twice"
    for day, entry in DAYS.items():
        assert day.year in DATA["years"] and entry["note"]
        if entry["kind"] == "shortened":
            assert day.weekday() < 5 and holiday_by_law(day + timedelta(days=1)), day
        elif entry["kind"] == "transfer":
            assert day.weekday() < 5, f"{day}: a day off moved onto a weekend"
    for name in DATA["timezones"]:
        ZoneInfo(name)
    assert {"Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Europe/Kaliningrad"} <= set(
        DATA["timezones"]
    )


def test_an_office_gets_days_off_and_its_own_hours_an_hour_shorter() -> None:
    weekly = parse_hours(
        {"mon": [["09:00", "18:00"]], "thu": [["08:00", "13:00"], ["14:00", "20:00"]]}
    )
    wanted = holidays.days_for(DATA, weekly)
    assert wanted[date(2026, 5, 1)]["hours"] == []
    assert wanted[date(2026, 4, 30)]["hours"] == [["08:00", "13:00"], ["14:00", "19:00"]]  # Thu
    assert wanted[date(2027, 2, 22)]["hours"] == [["09:00", "17:00"]]  # Monday
    assert date(2026, 5, 8) not in wanted  # a Friday: the office is closed anyway
