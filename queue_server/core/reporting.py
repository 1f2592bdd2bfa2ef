"""Report and dashboard figures: waits against the standard, services, operators, load levels.

Pure functions over plain records; time is passed in. Attribution rules (the same everywhere):
- a ticket's wait is issue to first call, measured against the target of the topic it was issued
  in, peak or off-peak as it applied at the moment of issue;
- issued, waits and "transferred" count in the topic the ticket was issued in; served, service time,
  no-shows and expiries count in the topic it ended in (a transfer moves the ticket on);
- expired tickets were never called: they have no wait but count as missing the target.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import fmean, median
from zoneinfo import ZoneInfo

from queue_server.core import schedule

HOUR = 3600.0
# Shares of the busiest cell from which a load level starts (the standard names three levels).
MAXIMUM_FROM, HIGH_FROM = 2 / 3, 1 / 3
AMBER_FROM = 0.8  # a figure above this share of its target is a warning before it is a breach


@dataclass(frozen=True, slots=True)
class TicketRecord:
    """What the figures need to know about one ticket."""

    id: int
    number: str
    topic_id: int
    original_topic_id: int
    customer_type: str
    status: str
    issued_at: datetime
    first_called_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    operator_id: int | None = None
    served_by_id: int | None = None
    transfer_count: int = 0
    rating: int | None = None
    outcomes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Targets:
    """Waiting-time targets per topic and the office's peak periods, to judge a wait by."""

    by_topic: Mapping[int, tuple[int | None, int | None]]  # topic -> (peak, off-peak) seconds
    peak: schedule.Intervals
    zone: ZoneInfo

    def at(self, topic_id: int, moment: datetime) -> int | None:
        """The target that applied to a ticket of this topic issued at `moment`."""
        peak_seconds, offpeak_seconds = self.by_topic.get(topic_id, (None, None))
        peak_now = schedule.is_peak(self.peak, moment, self.zone)
        return schedule.target_wait_seconds(peak_seconds, offpeak_seconds, peak_now)


# --- the period a report covers ---------------------------------------------------------------

# Years a report may name: wide enough for any real office, narrow enough that a day after the
# last one is still a date (9999-12-31 plus one day is not).
FIRST_REPORT_YEAR, LAST_REPORT_YEAR = 2000, 2100


class PeriodRefused(ValueError):
    """A period no report covers; the message says what to change."""


def report_period(
    date_from: date | None, date_to: date | None, today: date, max_days: int
) -> tuple[date, date]:
    """First and last service day of a report: the last defaults to `today`, the first to the
    last. Refused: a day outside the years 2000-2100, a range that runs backwards or one longer
    than `max_days` days."""
    last = date_to or today
    first = date_from or last
    for name, day in (("date_from", first), ("date_to", last)):
        if not FIRST_REPORT_YEAR <= day.year <= LAST_REPORT_YEAR:
            raise PeriodRefused(
                f"{name} {day} is outside the years {FIRST_REPORT_YEAR}-{LAST_REPORT_YEAR}; "
                "choose a day within them"
            )
    if first > last:
        default = "" if date_to is not None else " (the office's current service day)"
        raise PeriodRefused(
            f"date_from {first} is after date_to {last}{default}; "
            "choose a date_from on or before date_to"
        )
    days = (last - first).days + 1
    if days > max_days:
        raise PeriodRefused(
            f"the range spans {days} days, more than the {max_days} one report may cover; "
            "choose a shorter range or ask for it in parts"
        )
    return first, last


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `share` of values at or below."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def wait_seconds(ticket: TicketRecord) -> float | None:
    """Issue to first call; None while never called."""
    if ticket.first_called_at is None:
        return None
    return max(0.0, (ticket.first_called_at - ticket.issued_at).total_seconds())


def service_seconds(ticket: TicketRecord) -> float | None:
    """Start to finish of a served ticket; None for any other outcome."""
    if ticket.status != "done" or ticket.started_at is None or ticket.finished_at is None:
        return None
    return max(0.0, (ticket.finished_at - ticket.started_at).total_seconds())


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass(frozen=True, slots=True)
class WaitFigures:
    """Waits of a set of tickets against their targets (seconds; None when nothing to measure)."""

    count: int
    mean_seconds: float | None
    median_seconds: float | None
    p90_seconds: float | None
    within_target: int
    judged: int  # tickets with a target: called ones and expired ones
    share_within_target: float | None


def wait_figures(tickets: Iterable[TicketRecord], targets: Targets) -> WaitFigures:
    """Waits of called tickets; the share within target also counts expired ones as misses."""
    waits: list[float] = []
    within = judged = 0
    for ticket in tickets:
        target = targets.at(ticket.original_topic_id, ticket.issued_at)
        wait = wait_seconds(ticket)
        if wait is not None:
            waits.append(wait)
        if target is None or (wait is None and ticket.status != "expired"):
            continue
        judged += 1
        within += int(wait is not None and wait <= target)
    return WaitFigures(
        count=len(waits),
        mean_seconds=_rounded(fmean(waits)) if waits else None,
        median_seconds=_rounded(median(waits)) if waits else None,
        p90_seconds=_rounded(percentile(waits, 0.9)),
        within_target=within,
        judged=judged,
        share_within_target=round(within / judged, 4) if judged else None,
    )


@dataclass(frozen=True, slots=True)
class ReportFigures:
    """The counts and figures of one report row (the office or one topic)."""

    issued: int
    served: int
    no_show: int
    expired: int
    transferred: int
    wait: WaitFigures
    service_mean_seconds: float | None
    service_p90_seconds: float | None
    ratings: dict[int, int]
    rating_mean: float | None
    outcomes: dict[str, int]


def report_figures(
    tickets: Sequence[TicketRecord], targets: Targets, topic_id: int | None = None
) -> ReportFigures:
    """The figures of a report over these tickets, optionally for one topic (see module rules)."""
    entered = [t for t in tickets if topic_id is None or t.original_topic_id == topic_id]
    ended = [t for t in tickets if topic_id is None or t.topic_id == topic_id]
    services = [s for s in (service_seconds(t) for t in ended) if s is not None]
    ratings = Counter(t.rating for t in ended if t.rating is not None)
    outcomes = Counter(o for t in ended if t.status == "done" for o in t.outcomes)
    rated = list(ratings.elements())
    return ReportFigures(
        issued=len(entered),
        served=sum(1 for t in ended if t.status == "done"),
        no_show=sum(1 for t in ended if t.status == "no_show"),
        expired=sum(1 for t in ended if t.status == "expired"),
        transferred=sum(1 for t in entered if t.transfer_count > 0),
        wait=wait_figures(entered, targets),
        service_mean_seconds=_rounded(fmean(services)) if services else None,
        service_p90_seconds=_rounded(percentile(services, 0.9)),
        ratings={score: ratings.get(score, 0) for score in range(1, 6)},
        rating_mean=round(fmean(rated), 2) if rated else None,
        outcomes=dict(outcomes.most_common()),
    )


# --- operators' time ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OperatorEvent:
    """One event of the log as operator time sees it: who did what, when."""

    at: datetime
    type: str
    user_id: int
    data: Mapping[str, object] = field(default_factory=dict)


@dataclass
class OperatorTime:
    """Where an operator's time went: at a window, busy with a ticket, paused by reason."""

    at_window_seconds: float = 0.0
    busy_seconds: float = 0.0
    pause_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def idle_seconds(self) -> float:
        paused = sum(self.pause_seconds.values())
        return max(0.0, self.at_window_seconds - self.busy_seconds - paused)


BUSY_STARTS = frozenset({"ticket.called"})
BUSY_ENDS = frozenset(
    {"ticket.finished", "ticket.no_show", "ticket.returned", "ticket.transferred"}
)


@dataclass
class _Presence:
    window_since: datetime | None = None
    busy_since: datetime | None = None
    pause_since: datetime | None = None
    pause_reason: str = ""


def _close(state: _Presence, figures: OperatorTime, moment: datetime, what: str) -> None:
    """Account the time of one open stretch (window, busy or pause) up to `moment`."""
    if what == "window" and state.window_since is not None:
        figures.at_window_seconds += (moment - state.window_since).total_seconds()
        state.window_since = None
    elif what == "busy" and state.busy_since is not None:
        figures.busy_seconds += (moment - state.busy_since).total_seconds()
        state.busy_since = None
    elif what == "pause" and state.pause_since is not None:
        spent = (moment - state.pause_since).total_seconds()
        reason = state.pause_reason or "other"
        figures.pause_seconds[reason] = figures.pause_seconds.get(reason, 0.0) + spent
        state.pause_since = None


def _apply_event(state: _Presence, figures: OperatorTime, event: OperatorEvent) -> None:
    at = event.at
    if event.type == "window.opened":
        state.window_since = state.window_since or at
    elif event.type == "window.closed":
        for what in ("busy", "pause", "window"):
            _close(state, figures, at, what)
    elif event.type in BUSY_STARTS:
        state.window_since = state.window_since or at  # calling means being at a window
        state.busy_since = state.busy_since or at
    elif event.type in BUSY_ENDS:
        _close(state, figures, at, "busy")
    elif event.type == "operator.paused":
        state.pause_since, state.pause_reason = at, str(event.data.get("reason") or "other")
    elif event.type == "operator.resumed":
        _close(state, figures, at, "pause")


def operator_time(
    events: Iterable[OperatorEvent], start: datetime, end: datetime
) -> dict[int, OperatorTime]:
    """Per operator: time at a window, busy with a ticket, paused by reason, between start and end.

    A stretch still open at `end` is counted up to `end`; a pause counts as window time only while
    the operator holds a window, so pause time never exceeds window time.
    """
    states: dict[int, _Presence] = defaultdict(_Presence)
    result: dict[int, OperatorTime] = defaultdict(OperatorTime)
    for event in sorted(events, key=lambda e: e.at):
        if start <= event.at <= end:
            _apply_event(states[event.user_id], result[event.user_id], event)
    for user_id, state in states.items():
        for what in ("busy", "pause", "window"):
            _close(state, result[user_id], end, what)
    return dict(result)


@dataclass(frozen=True, slots=True)
class OperatorFigures:
    """One operator's row of a report."""

    user_id: int
    served: int
    served_per_hour: float | None
    service_mean_seconds: float | None
    service_p90_seconds: float | None
    at_window_seconds: float
    idle_seconds: float
    pause_seconds: dict[str, float]


def operator_figures(
    tickets: Iterable[TicketRecord], times: Mapping[int, OperatorTime]
) -> list[OperatorFigures]:
    """Per operator: served, served per hour at the window, service time, idle and pauses."""
    services: dict[int, list[float]] = defaultdict(list)
    for ticket in tickets:
        spent = service_seconds(ticket)
        if ticket.served_by_id is not None and spent is not None:
            services[ticket.served_by_id].append(spent)
    result = []
    for user_id in sorted(set(services) | set(times)):
        spent_list, time = services.get(user_id, []), times.get(user_id, OperatorTime())
        hours = time.at_window_seconds / HOUR
        result.append(
            OperatorFigures(
                user_id=user_id,
                served=len(spent_list),
                served_per_hour=round(len(spent_list) / hours, 2) if hours > 0 else None,
                service_mean_seconds=_rounded(fmean(spent_list)) if spent_list else None,
                service_p90_seconds=_rounded(percentile(spent_list, 0.9)),
                at_window_seconds=round(time.at_window_seconds),
                idle_seconds=round(time.idle_seconds),
                pause_seconds={k: round(v) for k, v in sorted(time.pause_seconds.items())},
            )
        )
    return result


# --- live state against the standard ---------------------------------------------------------


def last_hour_average(tickets: Iterable[TicketRecord], now: datetime) -> int | None:
    """Mean wait of the tickets first called in the hour before `now`."""
    since = now - timedelta(hours=1)
    waits = [
        w
        for t in tickets
        if t.first_called_at is not None and since <= t.first_called_at <= now
        for w in (wait_seconds(t),)
        if w is not None
    ]
    return round(fmean(waits)) if waits else None


def state_against(target: int | None, *figures: int | None) -> str:
    """Red when a figure passes the target, amber above 80 % of it, else green; none without one."""
    if not target:
        return "none"
    worst = max((f for f in figures if f is not None), default=0)
    if worst > target:
        return "red"
    if worst > AMBER_FROM * target:
        return "amber"
    return "green"


# --- load by weekday and hour ----------------------------------------------------------------


def load_levels(
    averages: Mapping[tuple[int, int], float],
    open_cells: Iterable[tuple[int, int]],
    known_weekdays: Iterable[int] = range(7),
) -> dict[tuple[int, int], str]:
    """Level of each (weekday, hour): "maximum", "high", "minimum", "closed" or "no_data".

    Levels are shares of the busiest cell: from 2/3 of it "maximum", from 1/3 "high", below
    "minimum" (an open hour nobody came in is the freest there is). A weekday the office has not
    yet worked on has no data rather than looking free.
    """
    known = set(known_weekdays)
    opened = set(open_cells)
    busiest = max((averages.get(cell, 0.0) for cell in opened), default=0.0)
    levels: dict[tuple[int, int], str] = {}
    for weekday in range(7):
        for hour in range(24):
            cell = (weekday, hour)
            value = averages.get(cell, 0.0)
            if cell not in opened and value == 0:
                levels[cell] = "closed"
            elif weekday not in known:
                levels[cell] = "no_data"
            elif busiest > 0 and value >= MAXIMUM_FROM * busiest:
                levels[cell] = "maximum"
            elif busiest > 0 and value >= HIGH_FROM * busiest:
                levels[cell] = "high"
            else:
                levels[cell] = "minimum"
    return levels


def open_cells(hours: schedule.WeeklyHours) -> set[tuple[int, int]]:
    """(weekday, hour) cells in which the office is open for at least part of the hour."""
    cells: set[tuple[int, int]] = set()
    for weekday in range(7):
        intervals = (schedule.Interval(time(0), None),) if hours is None else hours.get(weekday, ())
        for interval in intervals:
            first = interval.start.hour
            last = 24 if interval.end is None else interval.end.hour + (interval.end.minute > 0)
            cells.update((weekday, hour) for hour in range(first, last))
    return cells


# --- hourly series of one day ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HourCounts:
    """The aggregate row of one hour (all topics and customer types summed)."""

    hour: int
    issued: int = 0
    enqueued: int = 0
    dequeued: int = 0
    first_called: int = 0
    wait_seconds_sum: int = 0


def day_series(rows: Iterable[HourCounts], last_hour: int) -> list[dict[str, int | None]]:
    """Per hour up to `last_hour`: issued, waiting at the end of the hour, mean wait of calls."""
    by_hour: dict[int, list[HourCounts]] = defaultdict(list)
    for row in rows:
        by_hour[row.hour].append(row)
    first_hour = min(by_hour, default=last_hour)
    series: list[dict[str, int | None]] = []
    waiting = 0
    for hour in range(min(first_hour, last_hour), last_hour + 1):
        items = by_hour.get(hour, [])
        waiting += sum(r.enqueued - r.dequeued for r in items)
        called = sum(r.first_called for r in items)
        waited = sum(r.wait_seconds_sum for r in items)
        series.append(
            {
                "hour": hour,
                "issued": sum(r.issued for r in items),
                "waiting": max(0, waiting),
                "average_wait_seconds": round(waited / called) if called else None,
            }
        )
    return series


# --- what one event adds to the hourly aggregate ----------------------------------------------


def hourly_increments(
    event_type: str,
    ticket: TicketRecord,
    at: datetime,
    target: int | None,
    from_topic_id: int | None = None,
) -> list[tuple[int, dict[str, int]]]:
    """(topic, counter increments) that an event adds to the hour it happened in."""
    topic = ticket.topic_id
    if event_type == "ticket.issued":
        return [(topic, {"issued": 1, "enqueued": 1})]
    if event_type == "ticket.called":
        counts = {"dequeued": 1}
        if ticket.first_called_at == at:  # only the first call ends the visitor's wait
            wait = round(wait_seconds(ticket) or 0.0)
            counts.update(first_called=1, wait_seconds_sum=wait)
            counts["within_target"] = int(target is not None and wait <= target)
        return [(topic, counts)]
    if event_type == "ticket.returned":
        return [(topic, {"enqueued": 1})]
    if event_type == "ticket.transferred":
        source = topic if from_topic_id is None else from_topic_id
        return [(source, {"transferred": 1}), (topic, {"enqueued": 1})]
    if event_type == "ticket.finished":
        spent = service_seconds(ticket)
        counts = {"served": 1}
        if spent is not None:
            counts["service_seconds_sum"] = round(spent)
        return [(topic, counts)]
    if event_type == "ticket.no_show":
        return [(topic, {"no_show": 1})]
    if event_type == "ticket.expired":
        return [(topic, {"dequeued": 1, "expired": 1})]
    return []


def live_alerts(
    topic: Mapping[str, object],
    tickets: Iterable[TicketRecord],
    targets: Targets,
    now: datetime,
) -> list[dict[str, object]]:
    """Alerts of one topic: waiting tickets past their target, and the last hour's mean past it."""
    alerts: list[dict[str, object]] = []
    late = sorted(
        (t for t in tickets if t.status == "waiting" and _past_target(t, targets, now)),
        key=lambda t: t.issued_at,
    )
    if late:
        oldest = late[0]
        alerts.append(
            {
                "kind": "ticket_over_target",
                "topic_id": topic["topic_id"],
                "prefix": topic["prefix"],
                "ticket_number": oldest.number,
                "tickets": len(late),
                "wait_seconds": round((now - oldest.issued_at).total_seconds()),
                "target_wait_seconds": targets.at(oldest.original_topic_id, oldest.issued_at),
            }
        )
    average, target = topic.get("average_wait_seconds_last_hour"), topic.get("target_wait_seconds")
    if isinstance(average, int) and isinstance(target, int) and target and average > target:
        alerts.append(
            {
                "kind": "average_over_target",
                "topic_id": topic["topic_id"],
                "prefix": topic["prefix"],
                "wait_seconds": average,
                "target_wait_seconds": target,
            }
        )
    return alerts


def _past_target(ticket: TicketRecord, targets: Targets, now: datetime) -> bool:
    target = targets.at(ticket.original_topic_id, ticket.issued_at)
    return bool(target) and (now - ticket.issued_at).total_seconds() > (target or 0)
