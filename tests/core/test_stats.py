"""Figures of a topic over today's tickets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from queue_server.core.stats import TicketFacts, TopicFigures, topic_figures, wait_seconds

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def facts(status: str, issued_min_ago: float, called_min_ago: float | None = None) -> TicketFacts:
    called = None if called_min_ago is None else NOW - timedelta(minutes=called_min_ago)
    done = status in ("done", "no_show")
    return TicketFacts(
        topic_id=1,
        status=status,
        issued_at=NOW - timedelta(minutes=issued_min_ago),
        first_called_at=called,
        started_at=called if status in ("serving", "done") else None,
        finished_at=NOW if done else None,
    )


def test_no_tickets() -> None:
    assert topic_figures([], NOW) == TopicFigures(0, 0, 0, 0, 0)


def test_wait_is_issue_to_first_call() -> None:
    assert wait_seconds(facts("called", 10, 4)) == 360
    assert wait_seconds(facts("waiting", 10)) is None


def test_a_call_recorded_before_the_issue_counts_as_no_wait() -> None:
    assert wait_seconds(facts("called", 1, 2)) == 0


def test_figures_of_a_mixed_day() -> None:
    tickets = [
        facts("waiting", 30),
        facts("waiting", 5),
        facts("called", 20, 10),  # waited 600 s
        facts("done", 60, 50),  # waited 600 s
        facts("done", 40, 20),  # waited 1200 s
        facts("no_show", 15, 14),  # waited 60 s
        facts("expired", 600),
    ]
    figures = topic_figures(tickets, NOW)
    assert figures.waiting == 2
    assert figures.longest_wait_seconds == 1800
    assert figures.average_wait_seconds_today == round((600 + 600 + 1200 + 60) / 4)
    assert figures.served_today == 2
    assert figures.no_show_today == 1


def test_a_clock_behind_the_issue_never_gives_negative_waits() -> None:
    future = TicketFacts(1, "waiting", NOW + timedelta(minutes=3), None, None, None)
    assert topic_figures([future], NOW).longest_wait_seconds == 0
