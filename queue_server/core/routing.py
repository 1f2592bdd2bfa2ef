"""Which waiting ticket an operator gets next: the one policy that call-next and the simulator share.

Policy, in order:
1. Only topics the operator serves count (no skills = every topic of the office).
2. Among those, only the topics with the best (lowest) skill priority that have waiting tickets.
3. Within them, priority tickets (disabled, elderly, pregnant visitors) go first, oldest first, but
   never more than `max_priority_in_row` priority calls in a row by one operator while ordinary
   tickets wait: then the oldest ordinary ticket is called and the streak starts again.
4. Otherwise the ticket waiting longest, by its original issue time (a transfer keeps it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class QueuedTicket:
    id: int
    topic_id: int
    priority: bool
    queued_at: datetime


@dataclass(frozen=True, slots=True)
class RoutingPolicy:
    max_priority_in_row: int = 2


def eligible_topics(waiting: Iterable[QueuedTicket], skills: Mapping[int, int] | None) -> set[int]:
    """Topics with waiting tickets that share the operator's best skill priority."""
    present = {ticket.topic_id for ticket in waiting}
    if not skills:
        return present
    served = {topic: rank for topic, rank in skills.items() if topic in present}
    if not served:
        return set()
    best = min(served.values())
    return {topic for topic, rank in served.items() if rank == best}


def choose_next(
    waiting: Iterable[QueuedTicket],
    skills: Mapping[int, int] | None,
    priority_streak: int,
    policy: RoutingPolicy = RoutingPolicy(),
) -> QueuedTicket | None:
    """The ticket this operator should be given, or None when nobody eligible waits."""
    tickets = list(waiting)
    topics = eligible_topics(tickets, skills)
    candidates = [ticket for ticket in tickets if ticket.topic_id in topics]
    if not candidates:
        return None
    by_age = sorted(candidates, key=lambda ticket: (ticket.queued_at, ticket.id))
    ordinary = [ticket for ticket in by_age if not ticket.priority]
    priority = [ticket for ticket in by_age if ticket.priority]
    if priority and (not ordinary or priority_streak < policy.max_priority_in_row):
        return priority[0]
    return ordinary[0] if ordinary else priority[0]


def next_priority_streak(streak: int, called: QueuedTicket) -> int:
    """How many priority tickets in a row the operator has called after this call."""
    return streak + 1 if called.priority else 0
