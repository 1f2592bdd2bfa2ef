"""Calendar days in the schedule: a holiday, a long break and a shortened day replace their
weekday's hours in every opening question."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_server.core.schedule import (
    Interval,
    OpeningHours,
    closing_time,
    is_open,
    last_closed_day,
    next_opening,
    parse_hours,
    parse_intervals,
    queue_closes,
    shortened,
)

MOSCOW = ZoneInfo("Europe/Moscow")
WEEKDAYS = parse_hours({day: [["08:00", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri")})
TUESDAY = date(2026, 11, 24)
HOUR = timedelta(hours=1)


def moscow(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MOSCOW)


def test_a_holiday_is_closed_and_the_next_opening_is_after_it() -> None:
    hours = OpeningHours(WEEKDAYS, {TUESDAY: ()})
    assert not is_open(hours, moscow(2026, 11, 24, 10), MOSCOW)
    assert is_open(hours, moscow(2026, 11, 25, 10), MOSCOW)
    assert next_opening(hours, moscow(2026, 11, 23, 19, 30), MOSCOW) == moscow(2026, 11, 25, 8)
    assert closing_time(hours, TUESDAY, MOSCOW) is None
    # The weekly hours alone know nothing of it.
    assert next_opening(WEEKDAYS, moscow(2026, 11, 23, 19, 30), MOSCOW) == moscow(2026, 11, 24, 8)


def test_the_new_year_break_is_longer_than_a_week() -> None:
    days = {date(2026, 1, 1) + timedelta(days=n): () for n in range(9)}  # 1-9 January
    hours = OpeningHours(WEEKDAYS, days)
    assert next_opening(hours, moscow(2025, 12, 31, 20), MOSCOW) == moscow(2026, 1, 12, 8)


def test_a_shortened_day_closes_an_hour_early_and_its_queue_with_it() -> None:
    assert WEEKDAYS is not None
    short = shortened(WEEKDAYS[1], HOUR)
    assert short == (Interval(time(8), time(18)),)
    hours = OpeningHours(WEEKDAYS, {TUESDAY: short})
    assert is_open(hours, moscow(2026, 11, 24, 17, 59), MOSCOW)
    assert not is_open(hours, moscow(2026, 11, 24, 18, 0), MOSCOW)
    assert closing_time(hours, TUESDAY, MOSCOW) == moscow(2026, 11, 24, 18)
    assert queue_closes(hours, TUESDAY, MOSCOW) == moscow(2026, 11, 24, 18)
    assert last_closed_day(hours, moscow(2026, 11, 24, 17, 59).astimezone(UTC), MOSCOW) == date(
        2026, 11, 23
    )
    assert last_closed_day(hours, moscow(2026, 11, 24, 18).astimezone(UTC), MOSCOW) == TUESDAY


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ([["08:00", "13:00"], ["14:00", "19:00"]], [["08:00", "13:00"], ["14:00", "18:00"]]),
        ([["10:00", "24:00"]], [["10:00", "23:00"]]),
        ([["08:00", "13:00"], ["14:00", "14:30"]], [["08:00", "13:00"]]),
        ([], []),
    ],
)
def test_shortened_takes_the_hour_off_the_last_interval(
    day: list[list[str]], expected: list[list[str]]
) -> None:
    result = shortened(parse_intervals(day, "day"), HOUR)
    assert [interval.as_strings() for interval in result] == expected


def test_an_always_open_office_closes_on_its_holiday_only() -> None:
    hours = OpeningHours(None, {TUESDAY: ()})
    assert hours.always_open_on(date(2026, 11, 23)) and not hours.always_open_on(TUESDAY)
    assert is_open(hours, moscow(2026, 11, 23, 23, 59), MOSCOW)
    assert not is_open(hours, moscow(2026, 11, 24, 12), MOSCOW)
    assert next_opening(hours, moscow(2026, 11, 24, 12), MOSCOW) == moscow(2026, 11, 25, 0)
    # Monday's queue, open into the night, closes when the holiday begins.
    assert queue_closes(hours, date(2026, 11, 23), MOSCOW) == moscow(2026, 11, 24, 0)


def test_a_special_day_opens_on_a_weekend() -> None:
    saturday = date(2026, 11, 28)
    hours = OpeningHours(WEEKDAYS, {saturday: parse_intervals([["10:00", "14:00"]], "sat")})
    assert is_open(hours, moscow(2026, 11, 28, 11), MOSCOW)
    assert next_opening(hours, moscow(2026, 11, 27, 20), MOSCOW) == moscow(2026, 11, 28, 10)


def test_overlapping_intervals_say_what_to_change() -> None:
    with pytest.raises(ValueError, match=r"\['08:00', '13:00'\] and \['12:00', '16:00'\] overlap"):
        parse_intervals([["08:00", "13:00"], ["12:00", "16:00"]], "2026-05-01")
