"""Waiting-time estimates from what a live system knows: the queue, the operators, past services.

Both estimators read one `LiveView`: the waiting tickets, the operators at work (and for how long
they have held the ticket in hand), the finished services and today's issue log. Nothing in it
says how long an unfinished service will take or whether a called visitor will come: the
estimate must work the same way in the office as in the simulator.

- `naive_wait_seconds`: people ahead of the same topic x mean service / operators of the topic.
- `predict_wait_seconds`: replays the routing policy (`core.routing.choose_next`) forward from
  the present with expected durations: operators serving several topics by priority, the ones
  at work now, what is left of the services in progress, per-topic means shrunk towards the
  overall mean, the no-show share, and the tickets that will arrive meanwhile and go first.
"""

from __future__ import annotations

import copy
import heapq
from bisect import bisect_right, insort
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import fmean

from queue_server.core.routing import QueuedTicket, RoutingPolicy, choose_next, next_priority_streak

DEFAULT_SERVICE_SECONDS = 600.0
DEFAULT_RECALL_TIMEOUT_SECONDS = 180.0
RECENT_SERVICES = 30
# A topic's own mean counts as much as this many services of the overall mean: a topic with few
# finished services borrows from the others instead of swinging with each one.
SHRINKAGE_SERVICES = 8.0
# Before the day has shown its no-show share we assume this one, worth this many calls.
PRIOR_NO_SHOW_SHARE = 0.05
PRIOR_NO_SHOW_CALLS = 20.0
# Never expect a service in progress to end sooner than this share of the mean from now.
MIN_REMAINING_SHARE = 0.2
# A break (lunch) is assumed to last this long; one that has run over ends at least this soon.
BREAK_SECONDS = 3600.0
MIN_BREAK_LEFT_SECONDS = 300.0
# How far back today's issue log tells the arrival pace, the least span we trust for it, and how
# far ahead that pace is worth extrapolating (further out, the mix changes: peaks end, breaks end).
PACE_WINDOW = timedelta(minutes=45)
PACE_MIN_SPAN = timedelta(minutes=10)
ARRIVALS_HORIZON_SECONDS = 1200.0
# Extending a forecast for tickets issued since keeps the arrival pace it was replayed with; it
# stops (a new replay reads the pace again) before those tickets would move the pace by a tenth.
PACE_DRIFT = 0.1
# Newcomers (the ticket a kiosk would issue now, one per topic) get ids above any real ticket's, so
# they queue behind every waiting ticket of their topic, extensions included.
NEWCOMER_IDS = 1 << 62


def mean_service_seconds(
    recent_durations: Iterable[float], default: float = DEFAULT_SERVICE_SECONDS
) -> float:
    """Mean of the finished services we know of, or a default before there are any."""
    durations = [d for d in recent_durations if d > 0]
    return fmean(durations) if durations else default


def estimate_wait_seconds(position: int, mean_service: float, servers: int) -> int:
    """People ahead times mean service time, shared among the operators who serve the topic."""
    if position <= 0:
        return 0
    return round(position * mean_service / max(servers, 1))


def shrunk_mean(
    durations: Sequence[float], overall: float, weight: float = SHRINKAGE_SERVICES
) -> float:
    """A topic's mean pulled towards the overall mean, the less so the more services it has."""
    return (sum(durations) + weight * overall) / (len(durations) + weight)


class ServiceHistory:
    """Finished services (past days first, then today) and today's no-shows; grows as calls end."""

    def __init__(self, recall_timeout_seconds: float = DEFAULT_RECALL_TIMEOUT_SECONDS) -> None:
        self.recall_timeout_seconds = recall_timeout_seconds
        self._in_order: list[tuple[int, float]] = []
        self._sorted: dict[int, list[float]] = {}
        self._sums: dict[int, float] = {}
        self._total = 0.0
        self.served_today = 0
        self.no_shows_today = 0

    def add_service(self, topic_id: int, seconds: float, today: bool = True) -> None:
        """Learn one finished service (start to finish)."""
        if seconds <= 0:
            return
        self._in_order.append((topic_id, seconds))
        insort(self._sorted.setdefault(topic_id, []), seconds)
        self._sums[topic_id] = self._sums.get(topic_id, 0.0) + seconds
        self._total += seconds
        self.served_today += int(today)

    def add_no_show(self) -> None:
        """Learn that a called visitor did not come."""
        self.no_shows_today += 1

    def recent(self, topic_id: int | None, limit: int = RECENT_SERVICES) -> list[float]:
        """The latest finished durations of a topic (or of all), newest first."""
        found: list[float] = []
        for topic, seconds in reversed(self._in_order):
            if topic_id is None or topic == topic_id:
                found.append(seconds)
                if len(found) == limit:
                    break
        return found

    def overall_mean(self) -> float:
        count = len(self._in_order)
        return self._total / count if count else DEFAULT_SERVICE_SECONDS

    def mean(self, topic_id: int) -> float:
        """Expected service time of the topic, shrunk towards the overall mean."""
        count = len(self._sorted.get(topic_id, ()))
        weight = SHRINKAGE_SERVICES
        return (self._sums.get(topic_id, 0.0) + weight * self.overall_mean()) / (count + weight)

    def no_show_share(self) -> float:
        calls = self.served_today + self.no_shows_today
        prior = PRIOR_NO_SHOW_SHARE * PRIOR_NO_SHOW_CALLS
        return (self.no_shows_today + prior) / (calls + PRIOR_NO_SHOW_CALLS)

    def occupation(self, topic_id: int) -> float:
        """Expected time one call of this topic keeps an operator: a service or a no-show wait."""
        share = self.no_show_share()
        return (1 - share) * self.mean(topic_id) + share * self.recall_timeout_seconds

    def remaining(self, topic_id: int, elapsed: float) -> float:
        """Expected time left of a call that has lasted `elapsed` seconds so far."""
        mean = self.mean(topic_id)
        fallback = max(mean - elapsed, MIN_REMAINING_SHARE * mean)
        durations = self._sorted.get(topic_id, [])
        cut = bisect_right(durations, elapsed)
        longer = len(durations) - cut
        service_left, still_running = fallback, 1.0
        if longer:
            # Services that already lasted this long tend to be the long ones: learn how long.
            tail = sum(durations[cut:]) / longer - elapsed
            trust = longer / (longer + SHRINKAGE_SERVICES)
            service_left = trust * tail + (1 - trust) * fallback
            still_running = longer / len(durations)
        if elapsed >= self.recall_timeout_seconds:
            return service_left
        share = self.no_show_share()
        absent = share / (share + (1 - share) * max(still_running, 1e-6))
        return absent * (self.recall_timeout_seconds - elapsed) + (1 - absent) * service_left


@dataclass(frozen=True, slots=True)
class OperatorAtWork:
    """An operator of today: skills (topic -> priority, None = all), the ticket in hand, a break.

    `paused_seconds` is None while the operator works, else how long the current break has lasted
    (0 when it starts after the ticket in hand). Operators gone for the day are not listed.
    """

    skills: Mapping[int, int] | None
    priority_streak: int = 0
    busy_topic_id: int | None = None
    busy_seconds: float = 0.0
    paused_seconds: float | None = None

    @property
    def working(self) -> bool:
        return self.paused_seconds is None


@dataclass(frozen=True, slots=True)
class Issued:
    """One line of today's issue log."""

    at: datetime
    topic_id: int
    priority: bool


@dataclass(frozen=True, slots=True)
class LiveView:
    """Everything an estimator may know at `now`; nothing about services still to come."""

    now: datetime
    waiting: Sequence[QueuedTicket]
    operators: Sequence[OperatorAtWork]
    services: ServiceHistory
    policy: RoutingPolicy = field(default_factory=RoutingPolicy)
    issued_today: Sequence[Issued] = field(default_factory=tuple)


def people_ahead(waiting: Iterable[QueuedTicket], ticket: QueuedTicket) -> int:
    """Waiting tickets of the same topic called before this one (priority first, then oldest)."""
    key = (not ticket.priority, ticket.queued_at, ticket.id)
    return sum(
        1
        for other in waiting
        if other.topic_id == ticket.topic_id
        and other.id != ticket.id
        and (not other.priority, other.queued_at, other.id) < key
    )


def _find(view: LiveView, ticket_id: int) -> QueuedTicket:
    for ticket in view.waiting:
        if ticket.id == ticket_id:
            return ticket
    raise ValueError(f"ticket {ticket_id} is not waiting")


def _serves(operator: OperatorAtWork, topic_id: int) -> bool:
    return not operator.skills or topic_id in operator.skills


def naive_wait_seconds(view: LiveView, ticket_id: int) -> int:
    """The first kiosk formula: same-topic people ahead x recent mean / operators of the topic."""
    ticket = _find(view, ticket_id)
    durations = view.services.recent(ticket.topic_id) or view.services.recent(None)
    servers = sum(
        1 for operator in view.operators if operator.working and _serves(operator, ticket.topic_id)
    )
    return estimate_wait_seconds(
        people_ahead(view.waiting, ticket), mean_service_seconds(durations), servers
    )


def _expected_arrivals(view: LiveView) -> Iterator[tuple[float, int, bool]]:
    """Tickets that will probably arrive, as (seconds from now, topic, priority), evenly paced."""
    since = view.now - PACE_WINDOW
    recent = [issue for issue in view.issued_today if issue.at > since]
    if not recent:
        return
    span = max(view.now - min(issue.at for issue in recent), PACE_MIN_SPAN).total_seconds()
    priority_share = sum(issue.priority for issue in recent) / len(recent)
    counts: dict[int, int] = {}
    for issue in recent:
        counts[issue.topic_id] = counts.get(issue.topic_id, 0) + 1
    streams = [(span / count / 2, span / count, topic) for topic, count in sorted(counts.items())]
    heapq.heapify(streams)
    made = 0
    while streams[0][0] <= ARRIVALS_HORIZON_SECONDS:
        due, gap, topic = heapq.heappop(streams)
        # Spread the priority share evenly over the stream of arrivals.
        priority = int((made + 1) * priority_share) > int(made * priority_share)
        made += 1
        yield due, topic, priority
        heapq.heappush(streams, (due + gap, gap, topic))


def positions(waiting: Iterable[QueuedTicket]) -> dict[int, int]:
    """`people_ahead` of every waiting ticket at once: a sort per topic instead of a scan each."""
    by_topic: dict[int, list[QueuedTicket]] = {}
    for ticket in waiting:
        by_topic.setdefault(ticket.topic_id, []).append(ticket)
    ranks: dict[int, int] = {}
    for tickets in by_topic.values():
        tickets.sort(key=lambda t: (not t.priority, t.queued_at, t.id))
        ranks.update((ticket.id, rank) for rank, ticket in enumerate(tickets))
    return ranks


def _fallback(view: LiveView, ticket: QueuedTicket, ahead: int | None = None) -> int:
    """Nobody at work serves the topic: assume one operator comes for it."""
    if ahead is None:
        ahead = people_ahead(view.waiting, ticket)
    return _one_operator_wait(view, ticket.topic_id, ahead)


def _one_operator_wait(view: LiveView, topic_id: int, ahead: int) -> int:
    return round((ahead + 1) * view.services.occupation(topic_id))


def _free_in(operator: OperatorAtWork, services: ServiceHistory) -> float:
    """Seconds until the operator is expected to call: the call in hand, then the break."""
    busy = operator.busy_topic_id
    left = 0.0 if busy is None else services.remaining(busy, operator.busy_seconds)
    if operator.paused_seconds is not None:
        left += max(BREAK_SECONDS - operator.paused_seconds, MIN_BREAK_LEFT_SECONDS)
    return left


def predict_wait_seconds(view: LiveView, ticket_id: int, with_arrivals: bool = True) -> int:
    """Seconds until this waiting ticket is called, by replaying the routing policy forward."""
    ticket = _find(view, ticket_id)
    services = view.services
    queue = list(view.waiting)
    free_at: list[tuple[float, int]] = []
    streaks = [operator.priority_streak for operator in view.operators]
    for index, operator in enumerate(view.operators):
        free_at.append((_free_in(operator, services), index))
    heapq.heapify(free_at)
    arrivals = _expected_arrivals(view) if with_arrivals else iter(())
    upcoming = next(arrivals, None)
    made = 0
    while free_at:
        moment, index = free_at[0]
        if upcoming is not None and upcoming[0] <= moment:
            due, topic, priority = upcoming
            made += 1
            virtual = QueuedTicket(-made, topic, priority, view.now + timedelta(seconds=due))
            queue.append(virtual)
            upcoming = next(arrivals, None)
            continue
        heapq.heappop(free_at)
        operator = view.operators[index]
        chosen = choose_next(queue, operator.skills, streaks[index], view.policy)
        if chosen is None:
            if upcoming is not None:  # idle until the next arrival might concern them
                heapq.heappush(free_at, (max(moment, upcoming[0]), index))
            continue
        if chosen.id == ticket.id:
            return round(moment)
        queue.remove(chosen)
        streaks[index] = next_priority_streak(streaks[index], chosen)
        heapq.heappush(free_at, (moment + services.occupation(chosen.topic_id), index))
    return _fallback(view, ticket)


class _Queue:
    """Waiting tickets by topic and kind, oldest first.

    `choose_next` only ever picks a topic's oldest ordinary or oldest priority ticket, so handing
    it those heads picks exactly what it would pick from the whole queue, whatever its length.
    """

    def __init__(self, tickets: Iterable[QueuedTicket] = ()) -> None:
        self._heaps: dict[tuple[int, bool], list[tuple[datetime, int, QueuedTicket]]] = {}
        for ticket in tickets:
            self.add(ticket)

    def add(self, ticket: QueuedTicket) -> None:
        heap = self._heaps.setdefault((ticket.topic_id, ticket.priority), [])
        heapq.heappush(heap, (ticket.queued_at, ticket.id, ticket))

    def heads(self) -> list[QueuedTicket]:
        return [heap[0][2] for heap in self._heaps.values() if heap]

    def take(self, ticket: QueuedTicket) -> None:
        heapq.heappop(self._heaps[(ticket.topic_id, ticket.priority)])

    def copy(self) -> _Queue:
        twin = _Queue()
        twin._heaps = {kind: list(heap) for kind, heap in self._heaps.items()}
        return twin


def _takes_newcomer(
    heads: Sequence[QueuedTicket],
    rival: QueuedTicket | None,
    newcomer: QueuedTicket,
    operator: OperatorAtWork,
    streak: int,
    policy: RoutingPolicy,
) -> bool:
    """Whether the operator would call `newcomer` were it waiting along with these heads.

    `rival` is the oldest ordinary ticket of the newcomer's topic among the heads, if any.
    """
    if not _serves(operator, newcomer.topic_id):
        return False
    if rival is not None and (rival.queued_at, rival.id) < (newcomer.queued_at, newcomer.id):
        return False  # an older ordinary ticket of its topic always goes before it
    others = [t for t in heads if t is not rival]
    return choose_next([*others, newcomer], operator.skills, streak, policy) == newcomer


@dataclass(frozen=True, slots=True)
class _Checkpoint:
    """The replay as it stood just before the decision that called a topic's newcomer.

    Resuming it with a real ticket in the newcomer's place replays only what follows that moment:
    nothing before it changes when an ordinary ticket joins the tail of its topic. `extras` are the
    tickets added since the checkpoint was taken (each called later than it, so waiting then).
    """

    step: int
    replay: _Replay
    extras: tuple[QueuedTicket, ...] = ()

    def joined(self, ticket: QueuedTicket) -> _Checkpoint:
        return _Checkpoint(self.step, self.replay, (*self.extras, ticket))

    def resumed(self, ticket: QueuedTicket) -> _Replay:
        """The replay from here on, with `ticket` (and the extras) waiting; `recent` holds the
        calls made from here on."""
        replay = self.replay.copy()
        for waiting in (*self.extras, ticket):
            replay.queue.add(waiting)
            replay.pending.add(waiting.id)
        replay.run()
        return replay


class _Replay:
    """One run of `predict_wait_seconds`'s replay that notes every call instead of stopping.

    A newcomer (an ordinary ticket of a topic issued now) changes nobody's choice before the
    moment it would be called itself, so one replay without them tells when each would be called.
    """

    def __init__(
        self, view: LiveView, newcomers: Mapping[int, QueuedTicket], with_arrivals: bool
    ) -> None:
        self.view = view
        self.queue = _Queue(view.waiting)
        self.pending = {ticket.id for ticket in view.waiting}
        self.unresolved = dict(newcomers)
        self.called: dict[int, float] = {}
        self.recent: dict[int, float] = {}  # the calls since this replay was copied
        self.newcomers_called: dict[int, float] = {}
        self.checkpoints: dict[int, _Checkpoint] = {}
        self.streaks = [operator.priority_streak for operator in view.operators]
        self.free_at = [
            (_free_in(operator, view.services), index)
            for index, operator in enumerate(view.operators)
        ]
        heapq.heapify(self.free_at)
        # Read ahead once, so that a copy of the replay resumes the same stream of arrivals.
        self.arrivals = list(_expected_arrivals(view)) if with_arrivals else []
        self.next_arrival = 0
        self.step = 0

    def copy(self) -> _Replay:
        twin = copy.copy(self)
        twin.queue = self.queue.copy()
        twin.pending = set(self.pending)
        twin.unresolved = dict(self.unresolved)
        twin.called = dict(self.called)
        twin.recent = {}
        twin.newcomers_called = dict(self.newcomers_called)
        twin.checkpoints = {}
        twin.streaks = list(self.streaks)
        twin.free_at = list(self.free_at)
        return twin

    @property
    def upcoming(self) -> tuple[float, int, bool] | None:
        return self.arrivals[self.next_arrival] if self.next_arrival < len(self.arrivals) else None

    def run(self) -> None:
        while self.free_at and (self.pending or self.unresolved):
            moment, index = self.free_at[0]
            upcoming = self.upcoming
            if upcoming is not None and upcoming[0] <= moment:
                self._arrive(upcoming)
            else:
                self._decide(moment, index)

    def _arrive(self, upcoming: tuple[float, int, bool]) -> None:
        due, topic, priority = upcoming
        self.next_arrival += 1
        at = self.view.now + timedelta(seconds=due)
        self.queue.add(QueuedTicket(-self.next_arrival, topic, priority, at))

    def _decide(self, moment: float, index: int) -> None:
        operator, streak, policy = self.view.operators[index], self.streaks[index], self.view.policy
        heads = self.queue.heads()
        ordinary = {ticket.topic_id: ticket for ticket in heads if not ticket.priority}
        taken = [
            topic
            for topic, newcomer in self.unresolved.items()
            if _takes_newcomer(heads, ordinary.get(topic), newcomer, operator, streak, policy)
        ]
        if taken:
            checkpoint = _Checkpoint(self.step, self.copy())
            for topic in taken:
                self.newcomers_called[topic] = moment
                self.checkpoints[topic] = checkpoint
                del self.unresolved[topic]
        self.step += 1
        heapq.heappop(self.free_at)
        chosen = choose_next(heads, operator.skills, streak, policy)
        if chosen is None:
            upcoming = self.upcoming
            if upcoming is not None:  # idle until the next arrival might concern them
                heapq.heappush(self.free_at, (max(moment, upcoming[0]), index))
            return
        self.queue.take(chosen)
        if chosen.id in self.pending:
            self.pending.remove(chosen.id)
            self.called[chosen.id] = self.recent[chosen.id] = moment
        self.streaks[index] = next_priority_streak(streak, chosen)
        occupation = self.view.services.occupation(chosen.topic_id)
        heapq.heappush(self.free_at, (moment + occupation, index))


@dataclass(frozen=True, slots=True)
class Forecast:
    """Predicted waits from one replay: per waiting ticket id, and per topic for a new ticket.

    `ahead` is each waiting ticket's `people_ahead`. `extend` adds a ticket issued since without
    replaying the queue again.
    """

    tickets: dict[int, int]
    newcomers: dict[int, int]
    ahead: dict[int, int] = field(default_factory=dict)
    view: LiveView | None = None
    _checkpoints: Mapping[int, _Checkpoint] = field(default_factory=dict)
    _counts: Mapping[int, int] = field(default_factory=dict)
    _added: int = 0
    _with_arrivals: bool = True

    def extend(self, ticket_id: int, topic_id: int) -> Forecast | None:
        """This forecast with one more ordinary ticket of `topic_id` at the tail of its topic.

        Wait for wait what a new `forecast` of the view with that ticket queued at the view's
        `now` gives (the arrival pace stays the one read then), at the cost of replaying only what
        follows its call. None when the topic had no newcomer here, or when the tickets added
        would have moved the arrival pace too far: make a new forecast instead.
        """
        view = self.view
        if view is None or topic_id not in self.newcomers or not self._pace_holds():
            return None
        added = self._added + 1
        ticket = QueuedTicket(ticket_id, topic_id, False, view.now)
        counts = {**self._counts, topic_id: self._counts.get(topic_id, 0) + 1}
        ahead = {**self.ahead, ticket_id: self._counts.get(topic_id, 0)}
        checkpoint = self._checkpoints.get(topic_id)
        if checkpoint is None:  # nobody at work serves the topic: it changes nobody's wait
            tickets = {**self.tickets, ticket_id: self.newcomers[topic_id]}
            newcomers = {**self.newcomers, topic_id: _fallback_wait(view, topic_id, counts)}
            kept = {topic: point.joined(ticket) for topic, point in self._checkpoints.items()}
            return Forecast(
                tickets, newcomers, ahead, view, kept, counts, added, self._with_arrivals
            )
        resumed = checkpoint.resumed(ticket)
        tickets = {**self.tickets, **{i: round(at) for i, at in resumed.recent.items()}}
        newcomers = {**self.newcomers, **_newcomer_waits(view, resumed, counts)}
        # Checkpoints from before the ticket's call stay true with the ticket waiting in them;
        # the resumed run took new ones for the topics whose newcomer it called.
        kept = {
            topic: point.joined(ticket)
            for topic, point in self._checkpoints.items()
            if point.step < checkpoint.step
        }
        checkpoints = {**kept, **resumed.checkpoints}
        return Forecast(
            tickets, newcomers, ahead, view, checkpoints, counts, added, self._with_arrivals
        )

    def _pace_holds(self) -> bool:
        if not self._with_arrivals or self.view is None:
            return True
        since = self.view.now - PACE_WINDOW
        recent = sum(1 for issue in self.view.issued_today if issue.at > since)
        return self._added + 1 <= PACE_DRIFT * recent


def _fallback_wait(view: LiveView, topic_id: int, counts: Mapping[int, int]) -> int:
    """A newcomer nobody at work would call: one operator is assumed to come for the topic."""
    return _one_operator_wait(view, topic_id, counts.get(topic_id, 0))


def _newcomer_waits(view: LiveView, replay: _Replay, counts: Mapping[int, int]) -> dict[int, int]:
    waits = {topic: round(moment) for topic, moment in replay.newcomers_called.items()}
    for topic in replay.unresolved:
        waits[topic] = _fallback_wait(view, topic, counts)
    return waits


def newcomer(view: LiveView, topic_id: int) -> QueuedTicket:
    """The ordinary ticket of this topic the kiosk would issue now (behind every waiting one)."""
    last = max((ticket.id for ticket in view.waiting), default=0)
    return QueuedTicket(last + 1, topic_id, False, view.now)


def forecast(
    view: LiveView, new_topics: Iterable[int] = (), with_arrivals: bool = True
) -> Forecast:
    """`predict_wait_seconds` of every waiting ticket and of a newcomer per topic, in one replay."""
    newcomers = {
        topic: QueuedTicket(NEWCOMER_IDS + topic, topic, False, view.now) for topic in new_topics
    }
    replay = _Replay(view, newcomers, with_arrivals)
    replay.run()
    ahead = positions(view.waiting)
    counts: dict[int, int] = {}
    for ticket in view.waiting:
        counts[ticket.topic_id] = counts.get(ticket.topic_id, 0) + 1
    tickets = {
        ticket.id: round(replay.called[ticket.id])
        if ticket.id in replay.called
        else _fallback(view, ticket, ahead[ticket.id])
        for ticket in view.waiting
    }
    new = _newcomer_waits(view, replay, counts)
    return Forecast(tickets, new, ahead, view, replay.checkpoints, counts, 0, with_arrivals)


def predict_all(view: LiveView, with_arrivals: bool = True) -> dict[int, int]:
    """Every waiting ticket's `predict_wait_seconds`, from a single replay."""
    return forecast(view, (), with_arrivals).tickets


def predict_new_ticket(view: LiveView, topic_id: int, with_arrivals: bool = True) -> int:
    """The wait an ordinary ticket of this topic issued now can expect."""
    return forecast(view, (topic_id,), with_arrivals).newcomers[topic_id]
