"""The waiting-time estimators, on queues small enough to work out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from queue_server.core import eta
from queue_server.core.routing import QueuedTicket, RoutingPolicy

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
A, B = 1, 2


def ticket(
    ticket_id: int, topic: int, minutes_ago: float = 0, priority: bool = False
) -> QueuedTicket:
    return QueuedTicket(ticket_id, topic, priority, NOW - timedelta(minutes=minutes_ago))


def services(**means: float) -> eta.ServiceHistory:
    """A history where topic A (or B) always took exactly the given seconds, 50 times."""
    history = eta.ServiceHistory(recall_timeout_seconds=180)
    for name, seconds in means.items():
        for _ in range(50):
            history.add_service({"a": A, "b": B}[name], seconds, today=False)
    return history


def view(
    waiting: list[QueuedTicket],
    operators: list[eta.OperatorAtWork],
    history: eta.ServiceHistory,
    **extra: object,
) -> eta.LiveView:
    return eta.LiveView(now=NOW, waiting=waiting, operators=operators, services=history, **extra)  # type: ignore[arg-type]


def test_the_first_formula_keeps_working_for_the_kiosk_service() -> None:
    assert eta.mean_service_seconds([]) == eta.DEFAULT_SERVICE_SECONDS
    assert eta.mean_service_seconds([300, 500, 0]) == 400
    assert eta.estimate_wait_seconds(0, 600, 2) == 0
    assert eta.estimate_wait_seconds(3, 600, 2) == 900
    assert eta.estimate_wait_seconds(3, 600, 0) == 1800


def test_a_topic_with_few_services_borrows_from_the_overall_mean() -> None:
    assert eta.shrunk_mean([], 600) == 600
    assert eta.shrunk_mean([1200], 600) == pytest.approx(600 + 600 / 9)
    assert eta.shrunk_mean([1200] * 200, 600) == pytest.approx(1200, rel=0.03)


def test_no_show_share_starts_from_a_prior_and_learns_from_today() -> None:
    history = eta.ServiceHistory()
    assert history.no_show_share() == pytest.approx(eta.PRIOR_NO_SHOW_SHARE)
    for _ in range(80):
        history.add_service(A, 300)
    for _ in range(20):
        history.add_no_show()
    assert history.no_show_share() == pytest.approx((20 + 1) / 120)


def test_a_long_running_service_is_expected_to_run_longer_than_mean_minus_elapsed() -> None:
    history = eta.ServiceHistory()
    for seconds in [200] * 40 + [1800] * 10:
        history.add_service(A, seconds)
    mean = history.mean(A)
    # Past 200 s only the long services are left: 1800 - 600 remain, not mean - 600 (negative).
    assert mean - 600 < 0
    assert history.remaining(A, 600) > 600
    assert history.remaining(A, 0) == pytest.approx(mean, rel=0.25)


def test_an_idle_operator_who_serves_the_topic_means_no_wait() -> None:
    live = view([ticket(1, A)], [eta.OperatorAtWork(skills={A: 1})], services(a=600))
    assert eta.predict_wait_seconds(live, 1) == 0
    assert eta.naive_wait_seconds(live, 1) == 0


def test_an_operator_who_serves_another_topic_first_makes_the_ticket_wait() -> None:
    # One operator, contract (A) before execution (B): the new B ticket waits for both A tickets.
    waiting = [ticket(1, A, 5), ticket(2, A, 4), ticket(3, B)]
    busy = eta.OperatorAtWork(skills={A: 1, B: 2}, busy_topic_id=A, busy_seconds=0)
    live = view(waiting, [busy], services(a=600, b=300))
    occupation = live.services.occupation(A)
    predicted = eta.predict_wait_seconds(live, 3, with_arrivals=False)
    assert predicted == pytest.approx(live.services.remaining(A, 0) + 2 * occupation, abs=1)
    # The first formula sees nobody ahead in B and promises no wait at all.
    assert eta.naive_wait_seconds(live, 3) == 0


def test_two_operators_share_the_queue() -> None:
    waiting = [ticket(index, A, 10 - index) for index in range(1, 6)]
    history = services(a=600)
    one = view(waiting, [eta.OperatorAtWork(skills=None, busy_topic_id=A)], history)
    two = view(waiting, [eta.OperatorAtWork(skills=None, busy_topic_id=A)] * 2, history)
    alone, shared = (eta.predict_wait_seconds(v, 5, with_arrivals=False) for v in (one, two))
    # 600 + 4 calls for one operator; two take ticket 5 after 600 + 2 calls.
    assert shared < alone * 0.65


def test_the_elapsed_time_of_the_service_in_progress_counts() -> None:
    history = services(a=600)
    fresh = eta.OperatorAtWork(skills=None, busy_topic_id=A, busy_seconds=0)
    nearly_done = eta.OperatorAtWork(skills=None, busy_topic_id=A, busy_seconds=500)
    early = eta.predict_wait_seconds(view([ticket(1, A)], [fresh], history), 1)
    late = eta.predict_wait_seconds(view([ticket(1, A)], [nearly_done], history), 1)
    assert late < early


def test_an_operator_on_a_break_comes_back_after_it() -> None:
    history = services(a=600)
    paused = eta.OperatorAtWork(skills=None, paused_seconds=1200)
    live = view([ticket(1, A)], [paused], history)
    assert eta.predict_wait_seconds(live, 1) == eta.BREAK_SECONDS - 1200
    assert eta.naive_wait_seconds(live, 1) == 0  # the first formula does not count it at all


def test_priority_tickets_of_the_topic_go_first() -> None:
    waiting = [ticket(1, A, 5), ticket(2, A, 0, priority=True)]
    live = view(waiting, [eta.OperatorAtWork(skills=None, busy_topic_id=A)], services(a=600))
    assert eta.people_ahead(waiting, waiting[0]) == 1
    assert eta.people_ahead(waiting, waiting[1]) == 0
    ordinary = eta.predict_wait_seconds(live, 1, with_arrivals=False)
    assert ordinary > eta.predict_wait_seconds(live, 2, with_arrivals=False)


def test_priority_visitors_arriving_meanwhile_are_expected_to_go_first() -> None:
    waiting = [ticket(index, A, 3 - index) for index in range(1, 4)]
    issued = [eta.Issued(NOW - timedelta(minutes=m), A, True) for m in range(1, 30, 2)]
    operator = eta.OperatorAtWork(skills=None, busy_topic_id=A)
    history = services(a=600)
    quiet = view(waiting, [operator], history, policy=RoutingPolicy(max_priority_in_row=5))
    busy = view(waiting, [operator], history, issued_today=issued, policy=quiet.policy)
    assert eta.predict_wait_seconds(busy, 3) > eta.predict_wait_seconds(quiet, 3)


def test_nobody_serving_the_topic_still_gives_a_finite_estimate() -> None:
    live = view([ticket(1, B)], [eta.OperatorAtWork(skills={A: 1})], services(a=600, b=300))
    predicted = eta.predict_wait_seconds(live, 1)
    assert 0 < predicted < 3600
