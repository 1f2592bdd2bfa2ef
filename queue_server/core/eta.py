"""Waiting-time estimates from what a live system knows: the queue, the operators, past services."""

from __future__ import annotations

from collections.abc import Iterable
from statistics import fmean

DEFAULT_SERVICE_SECONDS = 600.0


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
