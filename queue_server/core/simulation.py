"""One service day in virtual time, through the same routing, numbering and estimator as the office.

The engine keeps what will happen (each visit's service time and whether the visitor comes) to
itself: it reads them only when a ticket is called, to know when the call ends. The estimator is
handed an `eta.LiveView` built from what has already happened, like the kiosk in a real office.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from statistics import fmean
from zoneinfo import ZoneInfo

from queue_server.core import eta, schedule
from queue_server.core.lifecycle import TicketStatus
from queue_server.core.numbering import format_number
from queue_server.core.routing import QueuedTicket, RoutingPolicy, choose_next, next_priority_streak

Estimator = Callable[[eta.LiveView, int], int]

# Events at the same instant: closing first (nobody is called once the office has closed), then
# calls ending, then new tickets, then shifts starting.
CLOSE, FINISH, ISSUE, WAKE = range(4)


@dataclass(frozen=True, slots=True)
class TopicPlan:
    key: str
    prefix: str
    target_peak_seconds: int | None = None
    target_offpeak_seconds: int | None = None


@dataclass(frozen=True, slots=True)
class OperatorPlan:
    key: str
    skills: Mapping[int, int] | None  # topic index -> priority (1 first); None = every topic
    shifts: schedule.Intervals


@dataclass(frozen=True, slots=True)
class Visit:
    at: datetime  # UTC
    topic: int  # topic index
    customer_type: str
    priority: bool
    service_seconds: float
    no_show: bool


@dataclass(frozen=True, slots=True)
class DayPlan:
    day: date
    zone: ZoneInfo
    hours: schedule.Intervals
    peak: schedule.Intervals
    topics: Sequence[TopicPlan]
    operators: Sequence[OperatorPlan]
    visits: Sequence[Visit]
    history: Sequence[tuple[int, float]] = ()
    recall_timeout_seconds: float = eta.DEFAULT_RECALL_TIMEOUT_SECONDS
    policy: RoutingPolicy = field(default_factory=RoutingPolicy)

    def at(self, clock: time) -> datetime:
        """A wall-clock time of the day as a UTC instant."""
        return datetime.combine(self.day, clock, tzinfo=self.zone).astimezone(UTC)

    def weekly_hours(self) -> schedule.WeeklyHours:
        return {self.day.weekday(): self.hours}


@dataclass(slots=True)
class TicketOutcome:
    index: int
    number: str
    topic: int
    issued_at: datetime
    predicted_wait_seconds: int
    status: TicketStatus = TicketStatus.WAITING
    called_at: datetime | None = None
    operator: int | None = None

    @property
    def actual_wait_seconds(self) -> float | None:
        if self.called_at is None:
            return None
        return (self.called_at - self.issued_at).total_seconds()


@dataclass(frozen=True, slots=True)
class Summary:
    issued: int
    served: int
    no_show: int
    mean_wait_seconds: float | None
    mean_absolute_error_seconds: float | None
    within_target_share: float | None


@dataclass(slots=True)
class _Desk:
    plan: OperatorPlan
    streak: int = 0
    ticket: int | None = None
    called_at: datetime | None = None


@dataclass(slots=True)
class _Office:
    plan: DayPlan
    estimator: Estimator
    services: eta.ServiceHistory
    desks: list[_Desk]
    waiting: dict[int, QueuedTicket] = field(default_factory=dict)
    outcomes: list[TicketOutcome] = field(default_factory=list)
    issued: list[eta.Issued] = field(default_factory=list)
    sequences: dict[str, int] = field(default_factory=dict)
    events: list[tuple[datetime, int, int, int]] = field(default_factory=list)
    made: Iterator[int] = field(default_factory=itertools.count)

    def schedule_event(self, at: datetime, kind: int, subject: int) -> None:
        # Same instant, same kind: in the order they were planned, so every run is the same.
        heapq.heappush(self.events, (at, kind, next(self.made), subject))


def _on_shift(plan: DayPlan, desk: _Desk, now: datetime) -> bool:
    here = schedule.local(now, plan.zone)
    return here.date() == plan.day and any(s.contains(here.time()) for s in desk.plan.shifts)


def _break_seconds(plan: DayPlan, desk: _Desk, now: datetime) -> float | None:
    """How long the operator has been on a break between two shifts; None if not on one."""
    here = schedule.local(now, plan.zone).time()
    ended = [s.end for s in desk.plan.shifts if s.end is not None and s.end <= here]
    later = any(here < s.start for s in desk.plan.shifts)
    if not ended or not later:
        return None
    if desk.ticket is not None:
        return 0.0  # the break starts once the ticket in hand is done
    return (now - plan.at(max(ended))).total_seconds()


def _operator_view(office: _Office, desk: _Desk, now: datetime) -> eta.OperatorAtWork | None:
    """The operator as a live system sees them (at work, on a break), or None if not here."""
    paused = None
    if not _on_shift(office.plan, desk, now):
        paused = _break_seconds(office.plan, desk, now)
        if paused is None:
            return None
    return eta.OperatorAtWork(
        skills=desk.plan.skills,
        priority_streak=desk.streak,
        busy_topic_id=None if desk.ticket is None else office.outcomes[desk.ticket].topic,
        busy_seconds=0.0 if desk.called_at is None else (now - desk.called_at).total_seconds(),
        paused_seconds=paused,
    )


def live_view(office: _Office, now: datetime) -> eta.LiveView:
    """What a live system knows at `now`: no future service times, no future no-shows."""
    views = (_operator_view(office, desk, now) for desk in office.desks)
    at_work = [view for view in views if view is not None]
    return eta.LiveView(
        now=now,
        waiting=list(office.waiting.values()),
        operators=at_work,
        services=office.services,
        policy=office.plan.policy,
        issued_today=office.issued,
    )


def _issue(office: _Office, index: int, now: datetime) -> None:
    visit = office.plan.visits[index]
    topic = office.plan.topics[visit.topic]
    sequence = office.sequences.get(topic.prefix, 0) + 1
    office.sequences[topic.prefix] = sequence
    office.waiting[index] = QueuedTicket(index, visit.topic, visit.priority, now)
    office.issued.append(eta.Issued(now, visit.topic, visit.priority))
    predicted = office.estimator(live_view(office, now), index)
    office.outcomes.append(
        TicketOutcome(index, format_number(topic.prefix, sequence), visit.topic, now, predicted)
    )


def _call(office: _Office, desk_index: int, chosen: QueuedTicket, now: datetime) -> None:
    desk = office.desks[desk_index]
    del office.waiting[chosen.id]
    desk.streak = next_priority_streak(desk.streak, chosen)
    desk.ticket, desk.called_at = chosen.id, now
    outcome = office.outcomes[chosen.id]
    outcome.status, outcome.called_at, outcome.operator = TicketStatus.CALLED, now, desk_index
    # The only place that reads the future: when this call will end.
    visit = office.plan.visits[chosen.id]
    lasts = office.plan.recall_timeout_seconds if visit.no_show else visit.service_seconds
    office.schedule_event(now + timedelta(seconds=lasts), FINISH, desk_index)


def _finish(office: _Office, desk_index: int, now: datetime) -> None:
    desk = office.desks[desk_index]
    assert desk.ticket is not None and desk.called_at is not None
    outcome = office.outcomes[desk.ticket]
    if office.plan.visits[desk.ticket].no_show:
        outcome.status = TicketStatus.NO_SHOW
        office.services.add_no_show()
    else:
        outcome.status = TicketStatus.DONE
        office.services.add_service(outcome.topic, (now - desk.called_at).total_seconds())
    desk.ticket, desk.called_at = None, None


def _dispatch(office: _Office, now: datetime) -> None:
    """Every free operator on shift calls the next ticket by the routing policy."""
    for index, desk in enumerate(office.desks):
        if desk.ticket is not None or not office.waiting or not _on_shift(office.plan, desk, now):
            continue
        chosen = choose_next(
            office.waiting.values(), desk.plan.skills, desk.streak, office.plan.policy
        )
        if chosen is not None:
            _call(office, index, chosen, now)


def _close(office: _Office) -> None:
    for index in list(office.waiting):
        office.outcomes[index].status = TicketStatus.EXPIRED
    office.waiting.clear()


def _new_office(plan: DayPlan, estimator: Estimator) -> _Office:
    services = eta.ServiceHistory(plan.recall_timeout_seconds)
    for topic, seconds in plan.history:
        services.add_service(topic, seconds, today=False)
    office = _Office(plan, estimator, services, [_Desk(operator) for operator in plan.operators])
    for index, visit in enumerate(plan.visits):
        office.schedule_event(visit.at, ISSUE, index)
    for operator in plan.operators:
        for shift in operator.shifts:
            office.schedule_event(plan.at(shift.start), WAKE, -1)
    closing = schedule.closing_time(plan.weekly_hours(), plan.day, plan.zone)
    if closing is not None:
        office.schedule_event(closing.astimezone(UTC), CLOSE, -1)
    return office


def simulate(plan: DayPlan, estimator: Estimator = eta.predict_wait_seconds) -> list[TicketOutcome]:
    """Play the day; one outcome per visit, in the order of `plan.visits`."""
    office = _new_office(plan, estimator)
    while office.events:
        now, kind, _order, subject = heapq.heappop(office.events)
        if kind == CLOSE:
            _close(office)
        elif kind == FINISH:
            _finish(office, subject, now)
        elif kind == ISSUE:
            _issue(office, subject, now)
        _dispatch(office, now)
    return office.outcomes


def target_for(plan: DayPlan, outcome: TicketOutcome) -> int | None:
    """The topic's waiting-time target for the peak or off-peak period the ticket was issued in."""
    topic = plan.topics[outcome.topic]
    peak_now = schedule.is_peak(plan.peak, outcome.issued_at, plan.zone)
    return schedule.target_wait_seconds(
        topic.target_peak_seconds, topic.target_offpeak_seconds, peak_now
    )


def _within_target(plan: DayPlan, outcomes: Sequence[TicketOutcome]) -> float | None:
    """Share of tickets with a target that were called within it; an expired ticket missed it."""
    verdicts: list[bool] = []
    for outcome in outcomes:
        target = target_for(plan, outcome)
        if target is None:
            continue
        waited = outcome.actual_wait_seconds
        verdicts.append(waited is not None and waited <= target)
    return sum(verdicts) / len(verdicts) if verdicts else None


def summarize(plan: DayPlan, outcomes: Sequence[TicketOutcome]) -> Summary:
    """The day's figures: counts, mean wait, the estimator's mean error, the target share."""
    called = [o for o in outcomes if o.actual_wait_seconds is not None]
    waits = [o.actual_wait_seconds for o in called if o.actual_wait_seconds is not None]
    errors = [
        abs(o.predicted_wait_seconds - w)
        for o in called
        if (w := o.actual_wait_seconds) is not None
    ]
    return Summary(
        issued=len(outcomes),
        served=sum(1 for o in outcomes if o.status == TicketStatus.DONE),
        no_show=sum(1 for o in outcomes if o.status == TicketStatus.NO_SHOW),
        mean_wait_seconds=fmean(waits) if waits else None,
        mean_absolute_error_seconds=fmean(errors) if errors else None,
        within_target_share=_within_target(plan, outcomes),
    )
