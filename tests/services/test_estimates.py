"""The live server's waits come from the simulator's estimator, fed from the database."""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.clock import FrozenClock
from queue_server.core import eta
from queue_server.core.routing import QueuedTicket, RoutingPolicy
from queue_server.db.engine import Database
from queue_server.db.models import Ticket
from queue_server.db.repositories import tickets as ticket_repo
from queue_server.services import estimates, lookups
from tests.api.contract import Hall, act, call_next, hall, sql
from tests.support import Api, LiveServer, on_database

T = TypeVar("T")
# One call of a topic without any history: a mean service, or a no-show's recall wait.
FIRST_OCCUPATION = (1 - eta.PRIOR_NO_SHOW_SHARE) * eta.DEFAULT_SERVICE_SECONDS + (
    eta.PRIOR_NO_SHOW_SHARE * eta.DEFAULT_RECALL_TIMEOUT_SECONDS
)


def in_process(server: LiveServer, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run `work` on a read session of the server's own database, in this process."""

    async def read(database: Database) -> T:
        async with database.reading() as session:
            return await work(session)

    return on_database(server.settings.database_url, read)


def live_view(server: LiveServer, office_id: int) -> eta.LiveView:
    async def read(session: AsyncSession) -> eta.LiveView:
        office = await lookups.office(session, office_id)
        return await estimates.live_view(session, office, server.clock.now())

    return in_process(server, read)


def tree_waits(api: Api, office_id: int) -> dict[str, int]:
    """The kiosk menu's wait for a new ticket, per topic prefix (leaves at the top level)."""
    tree = api.ok(api.get(f"/api/v1/offices/{office_id}/topics"))
    return {node["prefix"]: node["estimated_wait_seconds"] for node in tree}


def waits(place: Hall, tickets: list[dict[str, Any]]) -> list[int]:
    return [place.status(ticket)["estimated_wait_seconds"] for ticket in tickets]


def sit_down(operator: Api, window_id: int) -> None:
    """Open the window with nobody waiting: the operator is free at it."""
    assert call_next(operator, window_id).status_code == 204


def test_a_free_operator_means_no_wait_for_the_first_ticket(admin: Api) -> None:
    place = hall(admin, "A")
    sit_down(place.operator(), place.window_id())
    assert tree_waits(admin, place.id) == {"A": 0}
    first = place.issue()
    assert (first["position"], first["estimated_wait_seconds"]) == (0, 0)
    assert place.status(first)["estimated_wait_seconds"] == 0


def test_waits_grow_with_the_queue(admin: Api, clock: FrozenClock) -> None:
    place = hall(admin, "A")
    sit_down(place.operator(), place.window_id())
    issued, menu = [], []
    for _ in range(5):
        menu.append(tree_waits(admin, place.id)["A"])
        issued.append(place.issue())
        clock.advance(30)
    assert menu == sorted(menu) and menu[0] == 0 and menu[-1] > menu[1] > 0
    shown = waits(place, issued)
    assert shown[0] == 0
    assert all(later > earlier for earlier, later in pairwise(shown))
    assert [ticket["position"] for ticket in issued] == [0, 1, 2, 3, 4]
    # The new ticket the menu promises would come after all five.
    assert tree_waits(admin, place.id)["A"] > shown[-1]


def test_an_operator_serving_several_topics_by_priority(admin: Api) -> None:
    place = hall(admin, "AB", windows=2)
    sit_down(place.operator({"A": 1, "B": 2}), place.window_id(0))
    colleague = place.operator({"B": 1})
    sit_down(colleague, place.window_id(1))
    colleague.ok(colleague.post("/api/v1/operators/me/pause", json={"reason": "lunch"}), 204)
    a_tickets = [place.issue("A") for _ in range(3)]
    b_ticket = place.issue("B")
    a_waits = waits(place, a_tickets)
    b_status = place.status(b_ticket)
    # Nobody is ahead of it in B, yet it waits until the operator has done with A (and the A
    # tickets that keep coming), or until the colleague is back from lunch.
    assert b_status["position"] == 0
    assert a_waits[0] == 0
    assert a_waits[-1] >= 2 * FIRST_OCCUPATION - 1
    assert b_status["estimated_wait_seconds"] == eta.BREAK_SECONDS > a_waits[-1]
    assert tree_waits(admin, place.id)["B"] == eta.BREAK_SECONDS + round(FIRST_OCCUPATION)
    # The colleague, who serves B first, is back: B is called at once.
    colleague.ok(colleague.post("/api/v1/operators/me/resume"), 204)
    assert place.status(b_ticket)["estimated_wait_seconds"] == 0
    assert waits(place, a_tickets) == a_waits


def test_waits_follow_queue_order_and_match_the_simulators_estimator(
    admin: Api, server: LiveServer, clock: FrozenClock
) -> None:
    # With the default limit of 2 priority calls in a row, an ordinary ticket may rightly be called
    # before the third priority one, which has a lower position: a high limit keeps the two orders
    # the same, so the waits must follow positions.
    place = hall(admin, "ABC", windows=3, max_priority_in_row=10)
    generalist, specialist = place.operator({"A": 1, "B": 2}), place.operator({"B": 1, "C": 1})
    sit_down(generalist, place.window_id(0))
    sit_down(specialist, place.window_id(1))
    chooser = random.Random(7)
    for _ in range(30):
        place.issue(chooser.choice("AABBC"), priority=chooser.random() < 0.2)
        clock.advance(chooser.randrange(5, 40))
    specialist.ok(call_next(specialist, place.window_id(1)))
    clock.advance(90)
    listed = generalist.ok(generalist.get(f"/api/v1/offices/{place.id}/queue"))
    assert len(listed) == 29
    by_topic: dict[int, list[dict[str, Any]]] = {}
    for ticket in listed:
        by_topic.setdefault(ticket["topic_id"], []).append(ticket)
    for tickets in by_topic.values():
        tickets.sort(key=lambda t: t["position"])
        assert [t["position"] for t in tickets] == list(range(len(tickets)))
        shown = [t["estimated_wait_seconds"] for t in tickets]
        assert shown == sorted(shown), shown

    async def people_ahead(session: AsyncSession) -> dict[int, int]:
        found = await ticket_repo.waiting_tickets(session, place.id)
        return {t.id: await ticket_repo.people_ahead(session, t) for t in found}

    assert {t["id"]: t["position"] for t in listed} == in_process(server, people_ahead)
    view = live_view(server, place.id)
    assert {t["id"]: t["estimated_wait_seconds"] for t in listed} == {
        ticket.id: eta.predict_wait_seconds(view, ticket.id) for ticket in view.waiting
    }
    menu = tree_waits(admin, place.id)
    for prefix in "ABC":
        newcomer = eta.newcomer(view, place.topic_id(prefix))
        with_it = replace(view, waiting=[*view.waiting, newcomer])
        assert menu[prefix] == eta.predict_wait_seconds(with_it, newcomer.id)


def test_the_live_view_reads_operators_services_and_issues(
    admin: Api, server: LiveServer, clock: FrozenClock
) -> None:
    place = hall(admin, "AB", windows=3)
    first, second, gone = place.operator({"A": 1}), place.operator(), place.operator()
    sit_down(gone, place.window_id(2))
    yesterday = clock.now() - timedelta(days=1)
    sql(
        server.settings.database_url,
        "UPDATE windows SET occupied_at = :at WHERE id = :w",
        at=yesterday,
        w=place.window_id(2),
    )
    issued = [place.issue("A"), place.issue("A"), place.issue("B"), place.issue("A")]
    first.ok(call_next(first, place.window_id(0)))
    clock.advance(30)
    first.ok(act(first, issued[0]["id"], "start"))
    clock.advance(400)
    first.ok(act(first, issued[0]["id"], "finish"))
    assert first.ok(call_next(first, place.window_id(0)))["id"] == issued[1]["id"]
    assert second.ok(call_next(second, place.window_id(1)))["id"] == issued[2]["id"]
    clock.advance(180)
    second.ok(act(second, issued[2]["id"], "no-show"))
    second.ok(second.post("/api/v1/operators/me/pause", json={"reason": "lunch"}), 204)
    clock.advance(60)

    view = live_view(server, place.id)
    assert [ticket.id for ticket in view.waiting] == [issued[3]["id"]]
    a = place.topic_id("A")
    assert list(view.operators) == [
        eta.OperatorAtWork(skills={a: 1}, busy_topic_id=a, busy_seconds=240.0),
        eta.OperatorAtWork(skills=None, paused_seconds=60.0),
    ]
    assert view.services.recent(None) == [400.0]
    assert (view.services.served_today, view.services.no_shows_today) == (1, 1)
    assert view.services.recall_timeout_seconds == 180
    assert view.policy == RoutingPolicy(max_priority_in_row=2)
    assert [issue.topic_id for issue in view.issued_today] == [a, a, place.topic_id("B"), a]
    shown = place.status(issued[3])["estimated_wait_seconds"]
    assert shown == eta.predict_wait_seconds(view, issued[3]["id"])
    assert 0 < shown < FIRST_OCCUPATION  # what is left of the service in hand


def test_nobody_on_duty_assumes_the_operators_come_back_soon(admin: Api) -> None:
    place = hall(admin, "A")
    # Not a single operator account: one operator for the topic, after one call's time.
    assert tree_waits(admin, place.id)["A"] == round(FIRST_OCCUPATION)
    place.operator()
    place.operator()
    assert tree_waits(admin, place.id)["A"] == eta.MIN_BREAK_LEFT_SECONDS
    issued = [place.issue() for _ in range(3)]
    assert waits(place, issued) == [
        eta.MIN_BREAK_LEFT_SECONDS,
        eta.MIN_BREAK_LEFT_SECONDS,
        eta.MIN_BREAK_LEFT_SECONDS + round(FIRST_OCCUPATION),
    ]


def test_a_ticket_no_longer_waiting_has_no_position_or_wait(admin: Api, server: LiveServer) -> None:
    place = hall(admin, "A")
    operator = place.operator()
    issued = place.issue()
    operator.ok(call_next(operator, place.window_id()))

    async def stale(session: AsyncSession) -> tuple[int, int]:
        ticket = await session.get(Ticket, issued["id"])
        assert ticket is not None
        ticket.status = "waiting"  # as loaded before the call, in memory only
        return await estimates.ticket_position(session, ticket, server.clock.now())

    assert in_process(server, stale) == (0, 0)
    assert place.status(issued)["estimated_wait_seconds"] == 0


NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def random_view(chooser: random.Random) -> eta.LiveView:
    topics = chooser.randint(1, 4)
    waiting = [
        QueuedTicket(
            number,
            chooser.randrange(topics),
            chooser.random() < 0.25,
            NOW - timedelta(seconds=chooser.randrange(0, 3600, 10)),
        )
        for number in range(chooser.randrange(0, 30))
    ]
    history = eta.ServiceHistory(180)
    for _ in range(chooser.randrange(0, 120)):
        history.add_service(chooser.randrange(topics), chooser.uniform(60, 1200))
    for _ in range(chooser.randrange(0, 8)):
        history.add_no_show()
    return eta.LiveView(
        now=NOW,
        waiting=waiting,
        operators=[random_operator(chooser, topics) for _ in range(chooser.randrange(0, 5))],
        services=history,
        policy=RoutingPolicy(chooser.randint(1, 3)),
        issued_today=[
            eta.Issued(NOW - timedelta(seconds=chooser.randrange(3600)), topic, priority)
            for topic, priority in (
                (chooser.randrange(topics), chooser.random() < 0.2)
                for _ in range(chooser.randrange(0, 60))
            )
        ],
    )


def random_operator(chooser: random.Random, topics: int) -> eta.OperatorAtWork:
    skills = None
    if chooser.random() < 0.7:
        served = chooser.sample(range(topics), chooser.randint(1, topics))
        skills = {topic: chooser.randint(1, 3) for topic in served}
    busy = chooser.randrange(topics) if chooser.random() < 0.5 else None
    return eta.OperatorAtWork(
        skills=skills,
        priority_streak=chooser.randrange(3),
        busy_topic_id=busy,
        busy_seconds=chooser.uniform(0, 900) if busy is not None else 0.0,
        paused_seconds=chooser.uniform(0, 4000)
        if busy is None and chooser.random() < 0.2
        else None,
    )


def test_one_replay_gives_what_predict_wait_seconds_gives_ticket_by_ticket() -> None:
    chooser = random.Random(20261123)
    for _ in range(150):
        view = random_view(chooser)
        for with_arrivals in (True, False):
            predicted = eta.forecast(view, range(4), with_arrivals)
            assert predicted.tickets == {
                t.id: eta.predict_wait_seconds(view, t.id, with_arrivals) for t in view.waiting
            }
            assert eta.predict_all(view, with_arrivals) == predicted.tickets
            for topic in range(4):
                newcomer = eta.newcomer(view, topic)
                with_it = replace(view, waiting=[*view.waiting, newcomer])
                expected = eta.predict_wait_seconds(with_it, newcomer.id, with_arrivals)
                assert predicted.newcomers[topic] == expected
                assert eta.predict_new_ticket(view, topic, with_arrivals) == expected


def test_extending_a_forecast_gives_what_a_new_replay_gives() -> None:
    """Issuing extends the forecast instead of replaying the queue: every wait, and every
    newcomer's, must be the one a replay of the longer queue gives (at the arrival pace the
    forecast was made with, which holds for a tenth of the tickets it was read from)."""
    chooser = random.Random(20261201)
    extensions = 0
    for _ in range(120):
        view = random_view(chooser)
        for with_arrivals in (True, False):
            extended = eta.forecast(view, range(4), with_arrivals)
            waiting = list(view.waiting)
            recent = sum(1 for i in view.issued_today if i.at > view.now - eta.PACE_WINDOW)
            for number in range(100, 100 + chooser.randrange(1, 6)):
                topic = chooser.randrange(4)
                grown = extended.extend(number, topic)
                if grown is None:
                    assert with_arrivals and number - 99 > eta.PACE_DRIFT * recent
                    break
                extensions += 1
                extended = grown
                waiting.append(QueuedTicket(number, topic, False, view.now))
                replayed = eta.forecast(replace(view, waiting=waiting), range(4), with_arrivals)
                assert extended.tickets == replayed.tickets
                assert extended.newcomers == replayed.newcomers
                assert extended.ahead == replayed.ahead
    assert extensions > 300
