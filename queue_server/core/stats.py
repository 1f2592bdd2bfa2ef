"""Figures over tickets: waits, services, targets. Pure functions over plain records."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from statistics import fmean


@dataclass(frozen=True, slots=True)
class TicketFacts:
    topic_id: int
    status: str
    issued_at: datetime
    first_called_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True, slots=True)
class TopicFigures:
    waiting: int
    longest_wait_seconds: int
    average_wait_seconds_today: int
    served_today: int
    no_show_today: int


def wait_seconds(facts: TicketFacts) -> float | None:
    """Issue to first call; None while never called."""
    if facts.first_called_at is None:
        return None
    return max(0.0, (facts.first_called_at - facts.issued_at).total_seconds())


def topic_figures(
    tickets: Iterable[TicketFacts], now: datetime, carried_over: Iterable[TicketFacts] = ()
) -> TopicFigures:
    """Today's figures of one topic from its tickets of today; `carried_over`: its tickets of
    earlier days still waiting (always open), which are in the queue but not in today's figures."""
    items: Sequence[TicketFacts] = list(tickets)
    waiting = [t for t in (*items, *carried_over) if t.status == "waiting"]
    waits = [w for w in (wait_seconds(t) for t in items) if w is not None]
    longest = max(((now - t.issued_at).total_seconds() for t in waiting), default=0.0)
    return TopicFigures(
        waiting=len(waiting),
        longest_wait_seconds=round(max(longest, 0.0)),
        average_wait_seconds_today=round(fmean(waits)) if waits else 0,
        served_today=sum(1 for t in items if t.status == "done"),
        no_show_today=sum(1 for t in items if t.status == "no_show"),
    )
