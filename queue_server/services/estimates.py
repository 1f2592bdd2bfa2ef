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
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from queue_server.core import eta, schedule
from queue_server.core.lifecycle import TicketStatus
from queue_server.core.routing import RoutingPolicy
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import Office, Ticket
from queue_server.db.repositories import estimation as repo
from queue_server.services import lookups

HISTORY_SERVICES = 200
HISTORY_DAYS = 7
# Longer than eta.PACE_WINDOW, the span the arrival pace is taken from.
ISSUE_WINDOW = timedelta(hours=1)
# A forecast is reused while the office's event seq has not moved and the clock has moved less
# than this: a list of 100 tickets costs one replay, not 100, and so do 60 status pages.
REUSE_SECONDS = 2.0


@dataclass(frozen=True, slots=True)
class _Known:
    """The forecast of one office state (event seq), made at `now`."""

    seq: int
    now: datetime
    forecast: eta.Forecast

    @property
    def waits(self) -> dict[int, int]:
        return self.forecast.tickets

    @property
    def ahead(self) -> dict[int, int]:
        return self.forecast.ahead


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
    missing = HISTORY_SERVICES - len(todays)
    earlier = (await _earlier_services(session, office.id, today))[-missing:] if missing > 0 else []
    history = eta.ServiceHistory(office.recall_timeout_seconds)
    for service in earlier:
        history.add_service(service.topic_id, service.seconds, today=False)
    for service in todays:
        history.add_service(service.topic_id, service.seconds, today=True)
    return history


async def _earlier_services(
    session: AsyncSession, office_id: int, today: date
) -> list[repo.FinishedService]:
    """The latest HISTORY_SERVICES services of the days before `today` (at most HISTORY_DAYS back),
    oldest first: read once per service day, as those days are over."""
    key = (_database_of(session), office_id, today)
    earlier = _EARLIER.get(key)
    if earlier is None:
        earlier = []
        day = today
        for _ in range(HISTORY_DAYS):
            missing = HISTORY_SERVICES - len(earlier)
            if missing <= 0:
                break
            day -= timedelta(days=1)
            earlier = await repo.services_of_day(session, office_id, day, missing) + earlier
        _remember(_EARLIER, key, earlier)
    return earlier


def _database_of(session: AsyncSession) -> str:
    bind = session.bind
    return str(bind.engine.url if isinstance(bind, AsyncConnection) else bind.url) if bind else ""


CACHED_OFFICES = 512
_HISTORIES: dict[tuple[str, int, date, int, int, int], eta.ServiceHistory] = {}
_EARLIER: dict[tuple[str, int, date], list[repo.FinishedService]] = {}
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


def _reusable(known: _Known | None, seq: int, now: datetime) -> bool:
    return (
        known is not None
        and known.seq == seq
        and abs((now - known.now).total_seconds()) < REUSE_SECONDS
    )


async def _forecast_now(session: AsyncSession, office_id: int, seq: int, now: datetime) -> _Known:
    """A full replay of the office's state, with a newcomer for every active topic (the menu)."""
    view = await live_view(session, await lookups.office(session, office_id), now)
    topics = await repo.active_topic_ids(session, office_id)
    return _Known(seq, now, eta.forecast(view, topics))


Compute = Callable[[AsyncSession, int, int, datetime], Awaitable[_Known]]


class _Forecasts:
    """The last forecast per database and office, shared by every request and page of the process.

    One event wakes every visitor's status page at once; without sharing, each of them replays
    the whole queue (60 phones in a hall: 60 replays per call). Here the first one replays and the
    rest, waiting on the same (office, seq), reuse its forecast, for at most REUSE_SECONDS. Issuing
    a ticket extends the forecast of the state before it instead of replaying (`after_issue`).
    """

    def __init__(self, compute: Compute | None = None) -> None:
        self._compute = compute or _forecast_now
        self._known: dict[tuple[str, int], _Known] = {}
        self._running: dict[tuple[int, str, int, int], asyncio.Future[_Known]] = {}

    async def get(self, session: AsyncSession, office_id: int, now: datetime) -> _Known:
        """The forecast of the office's current state, made once per state and process.

        Inside a write transaction the state may never commit: it is forecast but not shared."""
        seq = await repo.state_seq(session, office_id)
        if session.info.get("writes"):
            return await self._compute(session, office_id, seq, now)
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
        self._keep(key, known)
        return known

    async def after_issue(
        self, uow: UnitOfWork, ticket: Ticket, seq: int, now: datetime
    ) -> tuple[int, int]:
        """(people ahead, wait) of a ticket just issued as event `seq`, in its transaction.

        An ordinary ticket joins the tail of its topic and moves nobody ahead of it, so the
        forecast of the state before it (seq - 1) is extended for it; a priority ticket, or a
        state this process has not forecast, is replayed. The result is kept once committed.
        """
        key = (_database_of(uow.session), ticket.office_id)
        known, grown = self._known.get(key), None
        if not ticket.priority and known is not None and _reusable(known, seq - 1, now):
            extended = known.forecast.extend(ticket.id, ticket.topic_id)
            grown = None if extended is None else _Known(seq, known.now, extended)
        if grown is None:
            grown = await self._compute(uow.session, ticket.office_id, seq, now)
        result = grown

        async def keep() -> None:
            self._keep(key, result)

        uow.after_commit(keep)
        return result.ahead[ticket.id], result.waits[ticket.id]

    def _keep(self, key: tuple[str, int], known: _Known) -> None:
        current = self._known.get(key)
        if current is None or current.seq <= known.seq:
            _remember(self._known, key, known)


_forecasts = _Forecasts()
after_issue = _forecasts.after_issue


async def ticket_position(
    session: AsyncSession, ticket: Ticket, now: datetime | None = None
) -> tuple[int, int]:
    """(people ahead, estimated wait in seconds) for a waiting ticket; (0, 0) otherwise."""
    if ticket.status != TicketStatus.WAITING.value:
        return 0, 0
    known = await _forecasts.get(session, ticket.office_id, now or datetime.now(UTC))
    if ticket.id not in known.waits:  # called or closed since it was loaded
        return 0, 0
    return known.ahead[ticket.id], known.waits[ticket.id]


async def positions(
    session: AsyncSession, office_id: int, now: datetime
) -> tuple[dict[int, int], dict[int, int]]:
    """(people ahead, wait) of every waiting ticket of the office, by ticket id, from one forecast."""
    known = await _forecasts.get(session, office_id, now)
    return known.ahead, known.waits


async def new_ticket_waits(
    session: AsyncSession, office_id: int, topic_ids: Collection[int], now: datetime | None = None
) -> dict[int, int]:
    """The wait an ordinary ticket issued now can expect, per topic."""
    known = await _forecasts.get(session, office_id, now or datetime.now(UTC))
    return {topic: known.forecast.newcomers.get(topic, 0) for topic in topic_ids}


def waited_seconds(ticket: Ticket, now: datetime) -> float:
    """How long the ticket waited (or has waited so far) before its first call."""
    end = ticket.first_called_at or now
    return max(0.0, (end - ticket.issued_at).total_seconds())
