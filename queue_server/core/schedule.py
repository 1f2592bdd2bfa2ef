"""Opening hours, peak periods and the service day, in the office's own time zone.

Every question about opening (open now? next opening? closing today? when does the queue close?)
takes `Hours`: the weekly hours alone, or an `OpeningHours` that adds the office's calendar days
(a holiday, a shortened day), which replace that weekday's hours on their date.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CLOCK_PATTERN = re.compile(r"([01]\d|2[0-3]):[0-5]\d|24:00")


@dataclass(frozen=True, slots=True)
class Interval:
    start: time
    end: time | None  # None means midnight at the end of the day

    def contains(self, moment: time) -> bool:
        return self.start <= moment and (self.end is None or moment < self.end)

    def as_strings(self) -> list[str]:
        return [
            self.start.strftime("%H:%M"),
            "24:00" if self.end is None else self.end.strftime("%H:%M"),
        ]


Intervals = tuple[Interval, ...]
# None = always open; otherwise weekday index (0 = Monday) -> intervals (absent = closed)
WeeklyHours = Mapping[int, Intervals] | None
ALWAYS = (Interval(time(0), None),)


@dataclass(frozen=True, slots=True)
class OpeningHours:
    """The weekly hours with the calendar's exception days: on a date in `days` its intervals
    (empty: a day off) replace that weekday's. `days` may cover only a window of dates around
    the moment asked about; outside it the weekly hours apply."""

    weekly: WeeklyHours
    days: Mapping[date, Intervals] = field(default_factory=dict)

    def on(self, day: date) -> Intervals:
        found = self.days.get(day)
        return _weekly_on(self.weekly, day) if found is None else found

    def always_open_on(self, day: date) -> bool:
        """Open round the clock that day by the weekly hours (no calendar day replaces them)."""
        return self.weekly is None and day not in self.days


# What every opening question takes: the weekly hours alone, or with the calendar's days.
Hours = WeeklyHours | OpeningHours


def parse_clock(text: str) -> time | None:
    """'08:00' -> time(8); '24:00' -> None (end of day). ValueError on anything else."""
    if not isinstance(text, str) or not CLOCK_PATTERN.fullmatch(text):  # `$` allows a "\n"
        raise ValueError(f"'{text}' is not a time of day in HH:MM form (00:00 to 24:00)")
    if text == "24:00":
        return None
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def parse_intervals(raw: Sequence[Sequence[str]], where: str) -> Intervals:
    """[["08:00","13:00"],["14:00","19:00"]] -> sorted, non-overlapping intervals."""
    intervals: list[Interval] = []
    for pair in raw:
        if len(pair) != 2:
            raise ValueError(f'{where}: each interval is a pair ["HH:MM", "HH:MM"]')
        start, end = parse_clock(pair[0]), parse_clock(pair[1])
        if start is None or (end is not None and end <= start):
            raise ValueError(f"{where}: interval {list(pair)} must end after it starts")
        intervals.append(Interval(start, end))
    intervals.sort(key=lambda interval: interval.start)
    for earlier, later in itertools.pairwise(intervals):
        if earlier.end is None or earlier.end > later.start:
            raise ValueError(
                f"{where}: intervals {earlier.as_strings()} and {later.as_strings()} overlap; "
                "start each interval at or after the end of the one before"
            )
    return tuple(intervals)


def parse_hours(raw: Mapping[str, Sequence[Sequence[str]]] | None) -> WeeklyHours:
    """The contract's {"mon": [["08:00","19:00"]], ...} or None (always open)."""
    if raw is None:
        return None
    unknown = set(raw) - set(WEEKDAYS)
    if unknown:
        raise ValueError(f"unknown weekday keys {sorted(unknown)}; use {', '.join(WEEKDAYS)}")
    return {WEEKDAYS.index(day): parse_intervals(raw[day], day) for day in raw}


def hours_as_json(hours: WeeklyHours) -> dict[str, list[list[str]]] | None:
    if hours is None:
        return None
    return {WEEKDAYS[day]: [i.as_strings() for i in hours[day]] for day in sorted(hours)}


def validate_timezone(name: str) -> ZoneInfo:
    """The zone for an IANA name, or ValueError with a message a person can act on."""
    try:
        return ZoneInfo(name)
    except Exception as exc:  # ZoneInfo raises several types for odd names
        raise ValueError(
            f"'{name}' is not a known time zone; use an IANA name like Europe/Moscow"
        ) from exc


def local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone)


def service_day(moment: datetime, zone: ZoneInfo) -> date:
    """The office's calendar day at this instant: ticket numbers restart with it."""
    return local(moment, zone).date()


def intervals_as_json(intervals: Intervals) -> list[list[str]]:
    return [interval.as_strings() for interval in intervals]


def intervals_on(hours: Hours, day: date) -> Intervals:
    """The office's opening intervals on that local date: its calendar day, else its weekday's."""
    if isinstance(hours, OpeningHours):
        return hours.on(day)
    return _weekly_on(hours, day)


def _weekly_on(weekly: WeeklyHours, day: date) -> Intervals:
    if weekly is None:
        return ALWAYS
    return weekly.get(day.weekday(), ())


def _days_ahead(hours: Hours, start: date) -> int:
    """How many days from `start` an opening may be looked for: a week, and past the calendar
    days known (a New Year break is longer than a week)."""
    if isinstance(hours, OpeningHours) and hours.days:
        return len(WEEKDAYS) + 1 + max(0, (max(hours.days) - start).days)
    return len(WEEKDAYS) + 1


def shortened(intervals: Intervals, by: timedelta) -> Intervals:
    """The day's intervals with its closing `by` earlier (a pre-holiday day); a last interval
    left with nothing is dropped."""
    if not intervals:
        return ()
    last = intervals[-1]
    ends = timedelta(days=1) if last.end is None else _since_midnight(last.end)
    if ends - by <= _since_midnight(last.start):
        return intervals[:-1]
    return (*intervals[:-1], Interval(last.start, (datetime.min + ends - by).time()))


def _since_midnight(moment: time) -> timedelta:
    return timedelta(hours=moment.hour, minutes=moment.minute)


def is_open(hours: Hours, moment: datetime, zone: ZoneInfo) -> bool:
    """Whether the office takes tickets at this instant."""
    here = local(moment, zone)
    return any(i.contains(here.time()) for i in intervals_on(hours, here.date()))


def next_opening(hours: Hours, moment: datetime, zone: ZoneInfo) -> datetime | None:
    """The next instant the office opens after `moment` (local time), or None if it never does.
    Calendar days off are skipped: this is the next real opening."""
    here = local(moment, zone)
    for offset in range(_days_ahead(hours, here.date())):
        day = here.date() + timedelta(days=offset)
        for interval in intervals_on(hours, day):
            opens = datetime.combine(day, interval.start, tzinfo=zone)
            if opens > here:
                return opens
    return None


def closing_time(hours: Hours, day: date, zone: ZoneInfo) -> datetime | None:
    """When the last interval of that day ends (tickets still waiting then expire)."""
    intervals = intervals_on(hours, day)
    if not intervals:
        return None
    last = intervals[-1]
    if last.end is None:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)
    return datetime.combine(day, last.end, tzinfo=zone)


def queue_closes(hours: Hours, day: date, zone: ZoneInfo) -> datetime | None:
    """When the tickets of `day` still waiting expire: when the office stops taking tickets after
    the day's last interval, or None if it never does (always open: its queue never closes).

    An interval ending at 24:00 that the next day carries on from 00:00 is one opening: midnight
    only starts a new service day (numbers, figures), it does not send waiting visitors home.
    """
    intervals = intervals_on(hours, day)
    if not intervals:
        return datetime.combine(day, time(0), tzinfo=zone)  # closed all day: nothing of it waits
    end, current = intervals[-1].end, day
    for _ in WEEKDAYS:
        if end is not None:
            return datetime.combine(current, end, tzinfo=zone)
        current += timedelta(days=1)
        following = intervals_on(hours, current)
        if not following or following[0].start != time(0):
            return datetime.combine(current, time(0), tzinfo=zone)
        end = following[0].end
    return None  # open round the clock, all week


def last_closed_day(hours: Hours, now: datetime, zone: ZoneInfo) -> date | None:
    """The latest service day whose queue has closed by `now` (its waiting tickets and every
    earlier day's expire), or None when none of the last week's has (always open)."""
    today = service_day(now, zone)
    for back in range(len(WEEKDAYS) + 1):
        day = today - timedelta(days=back)
        closes = queue_closes(hours, day, zone)
        if closes is not None and now >= closes:
            return day
    return None


def parse_periods(raw: Sequence[Sequence[str]] | None) -> Intervals:
    """Peak periods, the same [["08:00","10:00"], ...] shape as a day's hours."""
    return parse_intervals(raw or [], "peak")


def is_peak(peak: Intervals, moment: datetime, zone: ZoneInfo) -> bool:
    """Whether the peak waiting-time target applies at this instant."""
    here = local(moment, zone).time()
    return any(interval.contains(here) for interval in peak)


def target_wait_seconds(
    peak_seconds: int | None, offpeak_seconds: int | None, peak_now: bool
) -> int | None:
    """The waiting-time standard that applies now."""
    return peak_seconds if peak_now else offpeak_seconds
