"""The routing policy: which waiting ticket an operator at a window is given next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from queue_server.core.routing import (
    QueuedTicket,
    RoutingPolicy,
    choose_next,
    eligible_topics,
    next_priority_streak,
)

T0 = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
A, B, C = 1, 2, 3


def ticket(id: int, topic: int = A, minute: int = 0, priority: bool = False) -> QueuedTicket:
    return QueuedTicket(id, topic, priority, T0 + timedelta(minutes=minute))


def test_nobody_waiting_gives_none() -> None:
    assert choose_next([], None, 0) is None


def test_the_longest_waiting_comes_first() -> None:
    queue = [ticket(3, minute=5), ticket(1, minute=9), ticket(2, minute=1)]
    assert choose_next(queue, None, 0) == ticket(2, minute=1)


def test_equal_times_go_by_id() -> None:
    queue = [ticket(7, minute=1), ticket(4, minute=1)]
    assert choose_next(queue, None, 0) == ticket(4, minute=1)


def test_no_skills_means_every_topic() -> None:
    queue = [ticket(1, B, minute=3), ticket(2, C, minute=2)]
    assert choose_next(queue, None, 0) == ticket(2, C, minute=2)
    assert choose_next(queue, {}, 0) == ticket(2, C, minute=2)


def test_only_topics_the_operator_serves() -> None:
    queue = [ticket(1, A, minute=0), ticket(2, B, minute=5)]
    assert choose_next(queue, {B: 1}, 0) == ticket(2, B, minute=5)
    assert choose_next(queue, {C: 1}, 0) is None


def test_best_skill_priority_wins_over_waiting_time() -> None:
    queue = [ticket(1, A, minute=0), ticket(2, B, minute=30)]
    assert choose_next(queue, {A: 2, B: 1}, 0) == ticket(2, B, minute=30)


def test_a_lower_skill_priority_is_served_when_the_better_one_is_empty() -> None:
    queue = [ticket(1, A, minute=0)]
    assert choose_next(queue, {A: 2, B: 1}, 0) == ticket(1, A, minute=0)
    assert eligible_topics(queue, {A: 2, B: 1}) == {A}


def test_topics_sharing_the_best_priority_are_merged_by_age() -> None:
    queue = [ticket(1, A, minute=4), ticket(2, B, minute=2), ticket(3, C, minute=0)]
    assert eligible_topics(queue, {A: 1, B: 1, C: 2}) == {A, B}
    assert choose_next(queue, {A: 1, B: 1, C: 2}, 0) == ticket(2, B, minute=2)


def test_priority_visitors_go_first() -> None:
    queue = [ticket(1, minute=0), ticket(2, minute=10, priority=True)]
    assert choose_next(queue, None, 0) == ticket(2, minute=10, priority=True)


def test_priority_does_not_starve_ordinary_visitors() -> None:
    queue = [ticket(1, minute=0)] + [ticket(10 + n, minute=n, priority=True) for n in range(5)]
    policy = RoutingPolicy(max_priority_in_row=2)
    streak, called = 0, []
    for _ in range(4):
        chosen = choose_next(queue, None, streak, policy)
        assert chosen is not None
        called.append(chosen.id)
        streak = next_priority_streak(streak, chosen)
        queue.remove(chosen)
    assert called == [10, 11, 1, 12]


def test_priority_only_queue_keeps_calling_priority() -> None:
    queue = [ticket(1, minute=0, priority=True), ticket(2, minute=1, priority=True)]
    assert choose_next(queue, None, 99) == ticket(1, minute=0, priority=True)


def test_zero_in_a_row_disables_priority_while_others_wait() -> None:
    queue = [ticket(1, minute=5), ticket(2, minute=0, priority=True)]
    assert choose_next(queue, None, 0, RoutingPolicy(max_priority_in_row=0)) == ticket(1, minute=5)


def test_a_transferred_ticket_keeps_its_place_by_original_time() -> None:
    # Transferred into B at minute 40, issued at minute 0: it is ahead of B's minute-10 ticket.
    transferred = ticket(9, B, minute=0)
    queue = [ticket(5, B, minute=10), transferred]
    assert choose_next(queue, {B: 1}, 0) == transferred


def test_streak_counts_priority_calls_and_resets_on_ordinary() -> None:
    assert next_priority_streak(0, ticket(1, priority=True)) == 1
    assert next_priority_streak(1, ticket(1, priority=True)) == 2
    assert next_priority_streak(2, ticket(1)) == 0


queues = st.lists(
    st.builds(
        QueuedTicket,
        id=st.integers(1, 10_000),
        topic_id=st.integers(1, 4),
        priority=st.booleans(),
        queued_at=st.integers(0, 600).map(lambda m: T0 + timedelta(minutes=m)),
    ),
    max_size=30,
    unique_by=lambda t: t.id,
)
skill_maps = st.none() | st.dictionaries(st.integers(1, 5), st.integers(1, 3), max_size=5)


@given(queue=queues, skills=skill_maps, streak=st.integers(0, 5), limit=st.integers(0, 4))
def test_the_choice_always_follows_the_policy(
    queue: list[QueuedTicket], skills: dict[int, int] | None, streak: int, limit: int
) -> None:
    chosen = choose_next(queue, skills, streak, RoutingPolicy(limit))
    served = [t for t in queue if not skills or t.topic_id in skills]
    if not served:
        assert chosen is None
        return
    assert chosen in served
    if skills:
        assert skills[chosen.topic_id] == min(skills[t.topic_id] for t in served)
    peers = [t for t in served if t.topic_id in eligible_topics(queue, skills)]
    same_kind = [t for t in peers if t.priority == chosen.priority]
    assert chosen == min(same_kind, key=lambda t: (t.queued_at, t.id))
    ordinary_waits = any(not t.priority for t in peers)
    if chosen.priority and ordinary_waits:
        assert streak < limit
    if not chosen.priority and any(t.priority for t in peers):
        assert streak >= limit
