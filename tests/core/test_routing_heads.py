"""Call-next hands `choose_next` only the heads of the queue: it must pick what the whole queue gives."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from queue_server.core.routing import QueuedTicket, RoutingPolicy, choose_next

T0 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)


def heads(waiting: Iterable[QueuedTicket]) -> list[QueuedTicket]:
    """Per topic and kind the oldest ticket, by (queued_at, id): what `tickets.waiting_heads` loads."""
    oldest: dict[tuple[int, bool], QueuedTicket] = {}
    for ticket in waiting:
        key = (ticket.topic_id, ticket.priority)
        held = oldest.get(key)
        if held is None or (ticket.queued_at, ticket.id) < (held.queued_at, held.id):
            oldest[key] = ticket
    return list(oldest.values())


queues = st.lists(
    st.builds(
        QueuedTicket,
        id=st.integers(1, 10_000),
        topic_id=st.integers(1, 5),
        priority=st.booleans(),
        # Few distinct minutes: ties on queued_at, broken by id, are common.
        queued_at=st.integers(0, 20).map(lambda m: T0 + timedelta(minutes=m)),
    ),
    max_size=40,
    unique_by=lambda t: t.id,
)
skill_maps = st.none() | st.dictionaries(st.integers(1, 6), st.integers(1, 3), max_size=6)


@given(queue=queues, skills=skill_maps, streak=st.integers(0, 5), limit=st.integers(0, 4))
def test_the_heads_give_the_choice_of_the_whole_queue(
    queue: list[QueuedTicket], skills: dict[int, int] | None, streak: int, limit: int
) -> None:
    policy = RoutingPolicy(limit)
    served = [t for t in queue if not skills or t.topic_id in skills]  # the query's topic filter
    assert choose_next(heads(served), skills, streak, policy) == choose_next(
        queue, skills, streak, policy
    )


@given(queue=queues, skills=skill_maps, streak=st.integers(0, 5), limit=st.integers(0, 4))
def test_after_a_lost_race_the_heads_without_it_give_the_next_choice(
    queue: list[QueuedTicket], skills: dict[int, int] | None, streak: int, limit: int
) -> None:
    """A ticket taken by a colleague is left out of the heads query; the next one comes up."""
    policy = RoutingPolicy(limit)
    lost = choose_next(queue, skills, streak, policy)
    rest = [t for t in queue if t != lost]
    served = [t for t in rest if not skills or t.topic_id in skills]
    assert choose_next(heads(served), skills, streak, policy) == choose_next(
        rest, skills, streak, policy
    )
