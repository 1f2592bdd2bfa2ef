"""Positions and waiting-time estimates as the kiosk, the slip and the status page show them.

The waits come from `core.eta.forecast`: the replay of the routing policy that
`queue-server simulate` scores, fed with a `LiveView` read in a few bounded queries:
- the office's waiting tickets;
- the operators on duty: active users holding a window of the office that they opened or called
  at today (a window left occupied since an earlier day does not count), with their skills,
  priority streak, pause (seconds since `paused_at`) and the ticket in hand (its topic and the
  seconds since it was called);
- the latest HISTORY_SERVICES finished services, start to finish (today's, then earlier days'
  going back at most HISTORY_DAYS days, one day per query), today's served and no-show counts,
  the office's recall timeout and `max_priority_in_row`;
- today's tickets issued within the last ISSUE_WINDOW, for the arrival pace.

Nobody on duty (before the first operator sits down, or after all have left their windows): the
office's active operator accounts are assumed to be on a break about to end, so they come back
within `eta.MIN_BREAK_LEFT_SECONDS` and share the queue by their skills. An office without any
operator account gets `eta`'s own fallback: (people ahead + 1) calls of the topic's mean length.

`now` is optional for the callers that have no clock at hand; they get the system time.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from queue_server.core import eta, schedule
from queue_server.core.lifecycle import TicketStatus
from queue_server.core.routing import QueuedTicket, RoutingPolicy
from queue_server.db.models import Office, Ticket
from queue_server.db.repositories import estimation as repo
from queue_server.services import lookups

HISTORY_SERVICES = 200
HISTORY_DAYS = 7
# Longer than eta.PACE_WINDOW, the span the arrival pace is taken from.
ISSUE_WINDOW = timedelta(hours=1)
# Within one session, a forecast is reused while the office's event seq has not moved and the
# clock has moved less than this: a list of 100 tickets costs one replay, not 100.
REUSE_SECONDS = 2.0
_SESSION_KEY = "queue_server.services.estimates"


@dataclass(frozen=True, slots=True)
class _Known:
    seq: int
    now: datetime
    waits: dict[int, int]
    ahead: dict[int, int]


def _service_start(now: datetime, zone: ZoneInfo) -> datetime:
    """The instant the office's current service day began (local midnight)."""
    day = schedule.service_day(now, zone)
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _at_work(member: repo.Staff, held: repo.InHand | None, now: datetime) -> eta.OperatorAtWork:
    paused = None
    if member.paused:
        since = member.paused_at or now
        paused = max(0.0, (now - since).total_seconds())
    busy = 0.0
    if held is not None and held.called_at is not None:
        busy = max(0.0, (now - held.called_at).total_seconds())
    return eta.OperatorAtWork(
        skills=member.skills or None,
        priority_streak=member.priority_streak,
        busy_topic_id=None if held is None else held.topic_id,
        busy_seconds=busy,
        paused_seconds=paused,
    )


async def _operators(
    session: AsyncSession, office: Office, held: dict[int, repo.InHand], now: datetime
) -> list[eta.OperatorAtWork]:
    since = _service_start(now, ZoneInfo(office.timezone))
    staff = await repo.operators_at_windows(session, office.id, since)
    if staff:
        return [_at_work(member, held.get(member.user_id), now) for member in staff]
    return [
        eta.OperatorAtWork(
            skills=member.skills or None,
            priority_streak=member.priority_streak,
            paused_seconds=eta.BREAK_SECONDS,  # a break about to end: back within minutes
        )
        for member in await repo.operators_of_office(session, office.id)
    ]


async def _history(session: AsyncSession, office: Office, now: datetime) -> eta.ServiceHistory:
    """Finished services and today's outcomes, read again only when they can have changed.

    The services loaded are finished ones (done is final), so the same day, served and no-show
    counts mean the very same history: most estimates (every issue, every menu refresh) then cost
    one count query instead of up to eight. The history is never modified once built.
    """
    today = schedule.service_day(now, ZoneInfo(office.timezone))
    served, no_shows = await repo.outcomes_of_day(session, office.id, today)
    key = (_database_of(session), office.id, today, served, no_shows, office.recall_timeout_seconds)
    history = _HISTORIES.get(key)
    if history is None:
        history = await _read_history(session, office, today)
        # The whole day's counts, not only the services loaded: they set the no-show share.
        history.served_today, history.no_shows_today = served, no_shows
        _remember(_HISTORIES, key, history)
    return history


async def _read_history(session: AsyncSession, office: Office, today: date) -> eta.ServiceHistory:
    todays = await repo.services_of_day(session, office.id, today, HISTORY_SERVICES)
    earlier: list[repo.FinishedService] = []
    day = today
    for _ in range(HISTORY_DAYS):
        missing = HISTORY_SERVICES - len(todays) - len(earlier)
        if missing <= 0:
            break
        day -= timedelta(days=1)
        earlier = await repo.services_of_day(session, office.id, day, missing) + earlier
    history = eta.ServiceHistory(office.recall_timeout_seconds)
    for service in earlier:
        history.add_service(service.topic_id, service.seconds, today=False)
    for service in todays:
        history.add_service(service.topic_id, service.seconds, today=True)
    return history


def _database_of(session: AsyncSession) -> str:
    bind = session.bind
    return str(bind.engine.url if isinstance(bind, AsyncConnection) else bind.url) if bind else ""


CACHED_OFFICES = 512
_HISTORIES: dict[tuple[str, int, date, int, int, int], eta.ServiceHistory] = {}
K = TypeVar("K")
V = TypeVar("V")


def _remember(cache: dict[K, V], key: K, value: V) -> None:
    """Keep `value` in a process-wide cache bounded to CACHED_OFFICES entries (oldest out)."""
    if key not in cache and len(cache) >= CACHED_OFFICES:
        cache.pop(next(iter(cache)))
    cache[key] = value


async def live_view(session: AsyncSession, office: Office, now: datetime) -> eta.LiveView:
    """What the office knows at `now`, as the estimator (and the simulator's kiosk) sees it."""
    waiting, held = await repo.open_tickets(session, office.id)
    today = schedule.service_day(now, ZoneInfo(office.timezone))
    issued = await repo.issued_since(session, office.id, today, now - ISSUE_WINDOW)
    return eta.LiveView(
        now=now,
        waiting=waiting,
        operators=await _operators(session, office, held, now),
        services=await _history(session, office, now),
        policy=RoutingPolicy(max_priority_in_row=office.max_priority_in_row),
        issued_today=[eta.Issued(line.issued_at, line.topic_id, line.priority) for line in issued],
    )


def _positions(waiting: Sequence[QueuedTicket]) -> dict[int, int]:
    """People ahead of each waiting ticket in its topic: priority first, then by queue time."""
    by_topic: dict[int, list[QueuedTicket]] = {}
    for ticket in waiting:
        by_topic.setdefault(ticket.topic_id, []).append(ticket)
    ahead: dict[int, int] = {}
    for tickets in by_topic.values():
        tickets.sort(key=lambda t: (not t.priority, t.queued_at, t.id))
        ahead.update((ticket.id, index) for index, ticket in enumerate(tickets))
    return ahead


def _reusable(known: _Known | None, seq: int, now: datetime) -> bool:
    return (
        known is not None
        and known.seq == seq
        and abs((now - known.now).total_seconds()) < REUSE_SECONDS
    )


async def _forecast_now(session: AsyncSession, office_id: int, seq: int, now: datetime) -> _Known:
    view = await live_view(session, await lookups.office(session, office_id), now)
    return _Known(seq, now, eta.predict_all(view), _positions(view.waiting))


async def _known(session: AsyncSession, office_id: int, now: datetime) -> _Known:
    seq = await repo.state_seq(session, office_id)
    cache: dict[int, _Known] = session.info.setdefault(_SESSION_KEY, {})
    known = cache.get(office_id)
    if not _reusable(known, seq, now):
        known = cache[office_id] = await _forecast_now(session, office_id, seq, now)
    assert known is not None
    return known


Compute = Callable[[AsyncSession, int, int, datetime], Awaitable[_Known]]


class _SharedForecasts:
    """The last forecast per database and office, for every status page of this process.

    One event wakes every visitor's status page at once; without this each of them replays the
    whole queue (60 phones in a hall: 60 replays per call). With it the first one replays and the
    rest, waiting on the same (office, seq), reuse its forecast. Only for pushes: an answer that
    may be up to REUSE_SECONDS old is fine on a phone, while API answers stay exact per request.
    """

    def __init__(self, compute: Compute | None = None) -> None:
        self._compute = compute or _forecast_now
        self._known: dict[tuple[str, int], _Known] = {}
        self._running: dict[tuple[int, str, int, int], asyncio.Future[_Known]] = {}

    async def get(self, session: AsyncSession, office_id: int, now: datetime) -> _Known:
        seq = await repo.state_seq(session, office_id)
        key = (_database_of(session), office_id)
        known = self._known.get(key)
        if _reusable(known, seq, now):
            assert known is not None
            return known
        # Futures belong to one event loop; tests run servers on several loops in one process.
        flight = (id(asyncio.get_running_loop()), *key, seq)
        running = self._running.get(flight)
        if running is not None:
            try:
                return await asyncio.shield(running)
            except asyncio.CancelledError:
                if not running.cancelled():
                    raise  # this request itself is being cancelled
                # The page computing it went away mid-way: compute here instead.
        future: asyncio.Future[_Known] = asyncio.get_running_loop().create_future()
        self._running[flight] = future
        try:
            known = await self._compute(session, office_id, seq, now)
            future.set_result(known)
        except asyncio.CancelledError:
            future.cancel()
            raise
        except Exception as error:
            future.set_exception(error)
            future.exception()  # retrieved: waiters get it, nobody else is told twice
            raise
        finally:
            if self._running.get(flight) is future:
                del self._running[flight]
        _remember(self._known, key, known)
        return known


_shared = _SharedForecasts()


async def ticket_position(
    session: AsyncSession, ticket: Ticket, now: datetime | None = None, *, shared: bool = False
) -> tuple[int, int]:
    """(people ahead, estimated wait in seconds) for a waiting ticket; (0, 0) otherwise.

    `shared` lets status pushes reuse another request's forecast of the same office state.
    """
    if ticket.status != TicketStatus.WAITING.value:
        return 0, 0
    moment = now or datetime.now(UTC)
    if shared:
        known = await _shared.get(session, ticket.office_id, moment)
    else:
        known = await _known(session, ticket.office_id, moment)
    if ticket.id not in known.waits:  # called or closed since it was loaded
        return 0, 0
    return known.ahead[ticket.id], known.waits[ticket.id]


async def new_ticket_waits(
    session: AsyncSession, office_id: int, topic_ids: Collection[int], now: datetime | None = None
) -> dict[int, int]:
    """The wait an ordinary ticket issued now can expect, per topic, from one replay."""
    office = await lookups.office(session, office_id)
    view = await live_view(session, office, now or datetime.now(UTC))
    return eta.forecast(view, topic_ids).newcomers


def waited_seconds(ticket: Ticket, now: datetime) -> float:
    """How long the ticket waited (or has waited so far) before its first call."""
    end = ticket.first_called_at or now
    return max(0.0, (end - ticket.issued_at).total_seconds())
