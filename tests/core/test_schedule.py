"""Opening hours, the service day and peaks: Moscow (no DST) and Berlin (DST both ways)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from queue_server.core.schedule import (
    Interval,
    closing_time,
    hours_as_json,
    is_open,
    is_peak,
    last_closed_day,
    next_opening,
    parse_clock,
    parse_hours,
    parse_periods,
    queue_closes,
    service_day,
    target_wait_seconds,
    validate_timezone,
)

MOSCOW = ZoneInfo("Europe/Moscow")  # UTC+3 all year since 2014
BERLIN = ZoneInfo(
    "Europe/Berlin"
)  # CET/CEST: 29 March 2026 02:00 -> 03:00, 25 October 03:00 -> 02:00
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAILY = parse_hours({day: [["08:00", "19:00"]] for day in WEEK})
WEEKDAYS = parse_hours({day: [["08:00", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri")})
LUNCH = parse_hours({"mon": [["14:00", "19:00"], ["08:00", "13:00"]]})


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- parsing -----------------------------------------------------------------------------------


def test_parse_clock() -> None:
    assert parse_clock("08:00") == time(8)
    assert parse_clock("23:59") == time(23, 59)
    assert parse_clock("00:00") == time(0)
    assert parse_clock("24:00") is None


@pytest.mark.parametrize(
    "text", ["8:00", "24:01", "25:00", "12:60", "12-00", "", " 08:00", "08:00\n"]
)
def test_parse_clock_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        parse_clock(text)


def test_parse_clock_refuses_non_strings() -> None:
    with pytest.raises(ValueError):
        parse_clock(800)  # type: ignore[arg-type]


def test_intervals_are_sorted() -> None:
    assert LUNCH is not None
    assert LUNCH[0] == (Interval(time(8), time(13)), Interval(time(14), time(19)))


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"monday": [["08:00", "19:00"]]}, "unknown weekday"),
        ({"mon": [["19:00", "08:00"]]}, "end after it starts"),
        ({"mon": [["08:00", "08:00"]]}, "end after it starts"),
        ({"mon": [["24:00", "24:00"]]}, "end after it starts"),
        ({"mon": [["08:00", "13:00"], ["12:00", "19:00"]]}, "overlap"),
        ({"mon": [["08:00", "24:00"], ["09:00", "10:00"]]}, "overlap"),
        ({"mon": [["08:00"]]}, "pair"),
        ({"mon": [["08:00", "12:00", "13:00"]]}, "pair"),
    ],
)
def test_parse_hours_refuses_with_a_reason(raw: dict[str, list[list[str]]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_hours(raw)


def test_touching_intervals_are_fine() -> None:
    hours = parse_hours({"mon": [["08:00", "13:00"], ["13:00", "24:00"]]})
    assert hours_as_json(hours) == {"mon": [["08:00", "13:00"], ["13:00", "24:00"]]}


def test_hours_round_trip_through_json() -> None:
    raw = {"mon": [["08:00", "13:00"], ["14:00", "19:00"]], "sat": [["10:00", "24:00"]], "sun": []}
    assert hours_as_json(parse_hours(raw)) == raw
    assert parse_hours(None) is None
    assert hours_as_json(None) is None


def test_validate_timezone() -> None:
    assert validate_timezone("Europe/Moscow") == MOSCOW
    for name in ("Mars/Olympus", "", "../../etc/passwd", "Europe/Moscow\x00"):
        with pytest.raises(ValueError, match="IANA"):
            validate_timezone(name)


# --- Moscow: 08:00-19:00 every day, UTC+3 ------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (utc(2026, 11, 23, 4, 59), False),  # 07:59 Moscow
        (utc(2026, 11, 23, 5, 0), True),  # 08:00 opens
        (utc(2026, 11, 23, 15, 59), True),  # 18:59
        (utc(2026, 11, 23, 16, 0), False),  # 19:00 closed
        (utc(2026, 6, 21, 5, 0), True),  # summer: still UTC+3
        (utc(2026, 6, 21, 4, 30), False),
    ],
)
def test_moscow_hours(moment: datetime, open_: bool) -> None:
    assert is_open(DAILY, moment, MOSCOW) is open_


def test_moscow_service_day_changes_at_local_midnight() -> None:
    assert service_day(utc(2026, 11, 23, 20, 59), MOSCOW) == date(2026, 11, 23)
    assert service_day(utc(2026, 11, 23, 21, 0), MOSCOW) == date(2026, 11, 24)


def test_moscow_next_opening_after_closing() -> None:
    opens = next_opening(DAILY, utc(2026, 11, 23, 16, 30), MOSCOW)
    assert opens is not None
    assert opens.astimezone(UTC) == utc(2026, 11, 24, 5, 0)
    assert opens.strftime("%H:%M") == "08:00"


def test_moscow_next_opening_before_opening_is_today() -> None:
    opens = next_opening(DAILY, utc(2026, 11, 23, 2, 0), MOSCOW)
    assert opens is not None and opens.astimezone(UTC) == utc(2026, 11, 23, 5, 0)


def test_moscow_closing_time_and_always_open() -> None:
    closes = closing_time(DAILY, date(2026, 11, 23), MOSCOW)
    assert closes is not None and closes.astimezone(UTC) == utc(2026, 11, 23, 16, 0)
    midnight = closing_time(None, date(2026, 11, 23), MOSCOW)
    assert midnight is not None and midnight.astimezone(UTC) == utc(2026, 11, 23, 21, 0)
    assert is_open(None, utc(2026, 11, 23, 23, 0), MOSCOW)


def test_the_queue_of_an_always_open_office_never_closes() -> None:
    assert queue_closes(None, date(2026, 11, 23), MOSCOW) is None
    assert last_closed_day(None, utc(2026, 11, 23, 21, 1), MOSCOW) is None  # 00:01 Tuesday
    round_the_clock = parse_hours({day: [["00:00", "24:00"]] for day in WEEK})
    assert last_closed_day(round_the_clock, utc(2026, 11, 23, 21, 1), MOSCOW) is None


def test_an_opening_across_midnight_closes_when_it_ends() -> None:
    late = parse_hours({"fri": [["20:00", "24:00"]], "sat": [["00:00", "02:00"]]})
    closes = queue_closes(late, date(2026, 11, 27), MOSCOW)  # Friday
    assert closes is not None and closes.astimezone(UTC) == utc(2026, 11, 27, 23, 0)  # Sat 02:00
    assert last_closed_day(late, utc(2026, 11, 27, 22, 0), MOSCOW) == date(2026, 11, 26)
    assert last_closed_day(late, utc(2026, 11, 27, 23, 0), MOSCOW) == date(2026, 11, 28)


def test_an_ordinary_day_closes_at_its_closing_time() -> None:
    assert last_closed_day(WEEKDAYS, utc(2026, 11, 23, 15, 59), MOSCOW) == date(2026, 11, 22)
    assert last_closed_day(WEEKDAYS, utc(2026, 11, 23, 16, 0), MOSCOW) == date(2026, 11, 23)
    ends_at_midnight = parse_hours({"mon": [["20:00", "24:00"]]})
    assert last_closed_day(ends_at_midnight, utc(2026, 11, 23, 21, 0), MOSCOW) == date(2026, 11, 24)


def test_weekend_is_closed_until_monday() -> None:
    saturday_noon = utc(2026, 11, 28, 9, 0)
    assert not is_open(WEEKDAYS, saturday_noon, MOSCOW)
    assert closing_time(WEEKDAYS, date(2026, 11, 28), MOSCOW) is None
    opens = next_opening(WEEKDAYS, saturday_noon, MOSCOW)
    assert opens is not None and opens.astimezone(UTC) == utc(2026, 11, 30, 5, 0)


def test_lunch_break() -> None:
    monday = (2026, 11, 23)
    assert is_open(LUNCH, utc(*monday, 9, 59), MOSCOW)  # 12:59
    assert not is_open(LUNCH, utc(*monday, 10, 30), MOSCOW)  # 13:30
    assert is_open(LUNCH, utc(*monday, 11, 0), MOSCOW)  # 14:00
    opens = next_opening(LUNCH, utc(*monday, 10, 30), MOSCOW)
    assert opens is not None and opens.astimezone(UTC) == utc(*monday, 11, 0)
    closes = closing_time(LUNCH, date(*monday), MOSCOW)
    assert closes is not None and closes.astimezone(UTC) == utc(*monday, 16, 0)


def test_never_open() -> None:
    assert next_opening({}, utc(2026, 11, 23, 9, 0), MOSCOW) is None
    assert not is_open({}, utc(2026, 11, 23, 9, 0), MOSCOW)


def test_a_week_ahead_is_found() -> None:
    only_monday = parse_hours({"mon": [["08:00", "09:00"]]})
    after = utc(2026, 11, 23, 6, 30)  # Monday 09:30, just closed
    opens = next_opening(only_monday, after, MOSCOW)
    assert opens is not None and opens.astimezone(UTC) == utc(2026, 11, 30, 5, 0)


# --- Berlin: the hours follow the wall clock across both DST changes ----------------------------


@pytest.mark.parametrize(
    ("moment", "open_"),
    [
        (utc(2026, 3, 27, 6, 59), False),  # Friday 07:59 CET
        (utc(2026, 3, 27, 7, 0), True),  # Friday 08:00 CET
        (utc(2026, 3, 30, 5, 59), False),  # Monday 07:59 CEST
        (utc(2026, 3, 30, 6, 0), True),  # Monday 08:00 CEST: an hour earlier in UTC
        (utc(2026, 3, 30, 16, 59), True),  # 18:59 CEST
        (utc(2026, 3, 30, 17, 0), False),  # 19:00 CEST
        (utc(2026, 10, 26, 6, 0), False),  # Monday after the autumn change: 07:00 CET
        (utc(2026, 10, 26, 7, 0), True),  # 08:00 CET
    ],
)
def test_berlin_hours_across_dst(moment: datetime, open_: bool) -> None:
    assert is_open(WEEKDAYS, moment, BERLIN) is open_


def test_berlin_next_opening_over_the_spring_weekend() -> None:
    friday_evening = utc(2026, 3, 27, 18, 30)  # 19:30 CET
    opens = next_opening(WEEKDAYS, friday_evening, BERLIN)
    assert opens is not None
    assert opens.astimezone(UTC) == utc(2026, 3, 30, 6, 0)  # Monday 08:00 CEST
    assert opens.utcoffset() is not None and opens.utcoffset().total_seconds() == 7200  # type: ignore[union-attr]


def test_berlin_next_opening_over_the_autumn_weekend() -> None:
    opens = next_opening(WEEKDAYS, utc(2026, 10, 23, 18, 0), BERLIN)  # Friday 20:00 CEST
    assert opens is not None and opens.astimezone(UTC) == utc(2026, 10, 26, 7, 0)


def test_berlin_closing_time_on_the_change_days() -> None:
    spring = closing_time(DAILY, date(2026, 3, 29), BERLIN)
    autumn = closing_time(DAILY, date(2026, 10, 25), BERLIN)
    assert spring is not None and spring.astimezone(UTC) == utc(2026, 3, 29, 17, 0)
    assert autumn is not None and autumn.astimezone(UTC) == utc(2026, 10, 25, 18, 0)


def test_berlin_always_open_day_is_23_or_25_hours_long() -> None:
    spring_end = closing_time(None, date(2026, 3, 29), BERLIN)
    autumn_end = closing_time(None, date(2026, 10, 25), BERLIN)
    assert spring_end is not None and spring_end.astimezone(UTC) == utc(2026, 3, 29, 22, 0)
    assert autumn_end is not None and autumn_end.astimezone(UTC) == utc(2026, 10, 25, 23, 0)


def test_berlin_service_day_follows_local_midnight_in_both_offsets() -> None:
    assert service_day(utc(2026, 1, 15, 22, 59), BERLIN) == date(2026, 1, 15)
    assert service_day(utc(2026, 1, 15, 23, 0), BERLIN) == date(2026, 1, 16)
    assert service_day(utc(2026, 7, 15, 21, 59), BERLIN) == date(2026, 7, 15)
    assert service_day(utc(2026, 7, 15, 22, 0), BERLIN) == date(2026, 7, 16)


def test_the_repeated_autumn_hour_stays_on_one_day() -> None:
    # 02:30 happens twice on 25 October; both belong to the same service day.
    first, second = utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30)
    assert service_day(first, BERLIN) == service_day(second, BERLIN) == date(2026, 10, 25)
    night = parse_hours({"sun": [["02:00", "03:00"]]})
    assert is_open(night, first, BERLIN) and is_open(night, second, BERLIN)


# --- peaks and targets -------------------------------------------------------------------------


def test_peak_periods_in_local_time() -> None:
    peak = parse_periods([["08:00", "10:00"], ["17:00", "19:00"]])
    assert is_peak(peak, utc(2026, 11, 23, 5, 30), MOSCOW)  # 08:30
    assert not is_peak(peak, utc(2026, 11, 23, 8, 0), MOSCOW)  # 11:00
    assert is_peak(peak, utc(2026, 11, 23, 14, 0), MOSCOW)  # 17:00
    assert parse_periods(None) == ()
    assert not is_peak((), utc(2026, 11, 23, 5, 30), MOSCOW)


def test_target_by_period() -> None:
    assert target_wait_seconds(900, 600, peak_now=True) == 900
    assert target_wait_seconds(900, 600, peak_now=False) == 600
    assert target_wait_seconds(None, 600, peak_now=True) is None
