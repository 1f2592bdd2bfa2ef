"""Report figures against values computed by hand on constructed days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from queue_server.core import reporting, schedule
from queue_server.core.reporting import OperatorEvent, TicketRecord

MOSCOW = ZoneInfo("Europe/Moscow")
A, B = 1, 2
TARGETS = reporting.Targets(
    {A: (1200, 420), B: (1200, 420)},
    schedule.parse_periods([["11:00", "13:00"]]),
    MOSCOW,
)


def at(hhmm: str, seconds: int = 0) -> datetime:
    """Monday 23 November 2026 at this Moscow time."""
    hours, minutes = (int(p) for p in hhmm.split(":"))
    return datetime(2026, 11, 23, hours, minutes, tzinfo=MOSCOW).astimezone(UTC) + timedelta(
        seconds=seconds
    )


def ticket(
    number: str,
    issued: str,
    wait: int | None,
    status: str = "done",
    service: int | None = None,
    topic: int = A,
    original: int = A,
    **extra: object,
) -> TicketRecord:
    issued_at = at(issued)
    called = None if wait is None else issued_at + timedelta(seconds=wait)
    started = called if service is not None else None
    finished = None if started is None or service is None else started + timedelta(seconds=service)
    if status == "expired":
        finished = at("19:00")
    return TicketRecord(
        id=hash(number) & 0xFFFF,
        number=number,
        topic_id=topic,
        original_topic_id=original,
        customer_type=str(extra.pop("customer_type", "individual")),
        status=status,
        issued_at=issued_at,
        first_called_at=called,
        started_at=started,
        finished_at=finished,
        **extra,  # type: ignore[arg-type]
    )


def test_percentile_is_nearest_rank() -> None:
    assert reporting.percentile([], 0.9) is None
    assert reporting.percentile([5], 0.9) == 5
    assert reporting.percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.9) == 9
    assert reporting.percentile([10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11], 0.9) == 10
    assert reporting.percentile([3, 1, 2], 0.5) == 2


def test_target_follows_the_peak_boundary_at_issue_time() -> None:
    assert TARGETS.at(A, at("10:59", 59)) == 420
    assert TARGETS.at(A, at("11:00")) == 1200
    assert TARGETS.at(A, at("12:59", 59)) == 1200
    assert TARGETS.at(A, at("13:00")) == 420
    assert TARGETS.at(99, at("11:00")) is None


def test_a_day_crossing_the_peak_boundary() -> None:
    tickets = [
        ticket("A001", "10:50", 500, service=300),  # off-peak, 500 > 420: miss
        ticket("A002", "11:00", 1000, service=600),  # peak, 1000 <= 1200: within
        ticket("A003", "12:59", 1300, service=900),  # still peak at issue, 1300 > 1200: miss
        ticket("A004", "13:00", 400, service=120),  # off-peak again, 400 <= 420: within
        ticket("A005", "13:10", 420, service=60),  # exactly the target counts as within
    ]
    figures = reporting.report_figures(tickets, TARGETS)
    # waits 400, 420, 500, 1000, 1300: mean 724, median 500, p90 rank ceil(4.5) = 5th
    assert figures.wait == reporting.WaitFigures(
        count=5,
        mean_seconds=724.0,
        median_seconds=500.0,
        p90_seconds=1300.0,
        within_target=3,
        judged=5,
        share_within_target=0.6,
    )
    # services 60, 120, 300, 600, 900: mean 396, p90 = 5th
    assert (figures.service_mean_seconds, figures.service_p90_seconds) == (396.0, 900.0)
    assert (figures.issued, figures.served, figures.no_show, figures.expired) == (5, 5, 0, 0)


def test_no_shows_count_their_wait_and_expired_tickets_count_as_misses() -> None:
    tickets = [
        ticket("A001", "09:00", 100, service=200),
        ticket("A002", "09:05", 300, status="no_show"),
        ticket("A003", "18:50", None, status="expired"),
        ticket("A004", "18:55", None, status="waiting"),  # still waiting: not judged yet
    ]
    figures = reporting.report_figures(tickets, TARGETS)
    assert (figures.issued, figures.served, figures.no_show, figures.expired) == (4, 1, 1, 1)
    assert figures.wait.count == 2 and figures.wait.mean_seconds == 200.0
    assert figures.wait.median_seconds == 200.0
    assert (figures.wait.within_target, figures.wait.judged) == (2, 3)
    assert figures.wait.share_within_target == round(2 / 3, 4)
    assert figures.service_mean_seconds == 200.0


def test_transferred_tickets_wait_where_issued_and_are_served_where_they_end() -> None:
    tickets = [
        ticket("A001", "10:00", 200, service=100),
        ticket("A002", "10:05", 600, service=300, topic=B, transfer_count=1),
        ticket("A003", "10:10", 60, status="no_show", topic=B, transfer_count=1),
        ticket("B001", "10:20", 30, service=500, topic=B, original=B),
    ]
    in_a = reporting.report_figures(tickets, TARGETS, topic_id=A)
    assert (in_a.issued, in_a.transferred, in_a.served, in_a.no_show) == (3, 2, 1, 0)
    assert in_a.wait.count == 3 and in_a.wait.mean_seconds == round((200 + 600 + 60) / 3, 1)
    assert in_a.service_mean_seconds == 100.0
    in_b = reporting.report_figures(tickets, TARGETS, topic_id=B)
    assert (in_b.issued, in_b.transferred, in_b.served, in_b.no_show) == (1, 0, 2, 1)
    assert in_b.wait.count == 1 and in_b.wait.mean_seconds == 30.0
    assert in_b.service_mean_seconds == 400.0
    whole = reporting.report_figures(tickets, TARGETS)
    assert (whole.issued, whole.transferred, whole.served, whole.no_show) == (4, 2, 3, 1)


def test_ratings_and_outcomes() -> None:
    tickets = [
        ticket("A001", "10:00", 10, service=10, rating=5, outcomes=("paid", "readings")),
        ticket("A002", "10:01", 10, service=10, rating=3, outcomes=("paid",)),
        ticket("A003", "10:02", 10, status="no_show"),
    ]
    figures = reporting.report_figures(tickets, TARGETS)
    assert figures.ratings == {1: 0, 2: 0, 3: 1, 4: 0, 5: 1}
    assert figures.rating_mean == 4.0
    assert figures.outcomes == {"paid": 2, "readings": 1}


def test_operator_time_splits_window_time_into_busy_paused_and_idle() -> None:
    events = [
        OperatorEvent(at("09:00"), "window.opened", 7),
        OperatorEvent(at("09:10"), "ticket.called", 7),
        OperatorEvent(at("09:25"), "ticket.finished", 7),
        OperatorEvent(at("09:30"), "operator.paused", 7, {"reason": "lunch"}),
        OperatorEvent(at("10:00"), "operator.resumed", 7, {"reason": "lunch"}),
        OperatorEvent(at("10:05"), "ticket.called", 7),
        OperatorEvent(at("10:06"), "ticket.no_show", 7),
        OperatorEvent(at("10:20"), "operator.paused", 7, {"reason": "phone"}),
        OperatorEvent(at("10:30"), "operator.resumed", 7),
        OperatorEvent(at("10:40"), "ticket.called", 7),
        OperatorEvent(at("10:45"), "ticket.transferred", 7),
        OperatorEvent(at("11:00"), "window.closed", 7),
        OperatorEvent(at("11:30"), "ticket.called", 8),  # still busy when the report ends
    ]
    times = reporting.operator_time(events, at("08:00"), at("12:00"))
    seven = times[7]
    assert seven.at_window_seconds == 2 * 3600
    assert seven.busy_seconds == (15 + 1 + 5) * 60
    assert seven.pause_seconds == {"lunch": 1800, "phone": 600}
    assert seven.idle_seconds == 7200 - 21 * 60 - 2400
    assert times[8].busy_seconds == times[8].at_window_seconds == 1800

    tickets = [
        ticket("A001", "09:05", 300, service=600, served_by_id=7),
        ticket("A002", "09:06", 300, service=1200, served_by_id=7),
    ]
    (figures_7, figures_8) = reporting.operator_figures(tickets, times)
    assert (figures_7.served, figures_7.served_per_hour) == (2, 1.0)
    assert (figures_7.service_mean_seconds, figures_7.service_p90_seconds) == (900.0, 1200.0)
    assert figures_7.idle_seconds == 3540 and figures_7.pause_seconds == {
        "lunch": 1800,
        "phone": 600,
    }
    assert (figures_8.served, figures_8.served_per_hour) == (0, 0.0)


def test_last_hour_average_and_the_state_against_the_target() -> None:
    now = at("12:00")
    tickets = [
        ticket("A001", "10:30", 1200),  # first called 10:50: outside the last hour
        ticket("A002", "11:00", 300),
        ticket("A003", "11:30", 600),
        ticket("A004", "11:50", None, status="waiting"),
    ]
    assert reporting.last_hour_average(tickets, now) == 450
    assert reporting.last_hour_average([], now) is None
    assert reporting.state_against(None, 5000) == "none"
    assert reporting.state_against(420, 300) == "green"
    assert reporting.state_against(420, 337) == "amber"
    assert reporting.state_against(420, None, 421) == "red"


def test_live_alerts_for_late_tickets_and_a_late_average() -> None:
    now = at("11:20")
    tickets = [
        ticket("A001", "10:50", None, status="waiting"),  # off-peak target 420: 1800 s late
        ticket("A002", "11:05", None, status="waiting"),  # peak target 1200: 900 s, fine
        ticket("A003", "10:40", None, status="waiting"),
    ]
    topic = {"topic_id": A, "prefix": "A", "average_wait_seconds_last_hour": 1300}
    topic["target_wait_seconds"] = 1200
    alerts = reporting.live_alerts(topic, tickets, TARGETS, now)
    assert alerts[0] == {
        "kind": "ticket_over_target",
        "topic_id": A,
        "prefix": "A",
        "ticket_number": "A003",
        "tickets": 2,
        "wait_seconds": 2400,
        "target_wait_seconds": 420,
    }
    assert alerts[1]["kind"] == "average_over_target" and alerts[1]["wait_seconds"] == 1300


def test_load_levels_are_shares_of_the_busiest_open_hour() -> None:
    hours = schedule.parse_hours({"mon": [["08:00", "10:30"]], "tue": [["09:00", "10:00"]]})
    opened = reporting.open_cells(hours)
    assert opened == {(0, 8), (0, 9), (0, 10), (1, 9)}
    levels = reporting.load_levels({(0, 8): 9.0, (0, 9): 6.0, (0, 10): 5.9, (1, 9): 2.0}, opened)
    assert levels[(0, 8)] == "maximum"
    assert levels[(0, 9)] == "maximum"  # 6 >= 2/3 of 9
    assert levels[(0, 10)] == "high"
    assert levels[(1, 9)] == "minimum"
    assert levels[(2, 9)] == "closed"
    assert set(reporting.load_levels({}, opened).values()) == {"minimum", "closed"}
    only_monday = reporting.load_levels({(0, 8): 3.0}, opened, known_weekdays=[0])
    assert (only_monday[(0, 9)], only_monday[(1, 9)]) == ("minimum", "no_data")


def test_hourly_increments_count_only_the_first_call_as_the_wait() -> None:
    first = ticket("A001", "10:50", 600, status="called")
    assert first.first_called_at is not None
    counts = reporting.hourly_increments("ticket.called", first, first.first_called_at, 420)
    assert counts == [
        (A, {"dequeued": 1, "first_called": 1, "wait_seconds_sum": 600, "within_target": 0})
    ]
    again = reporting.hourly_increments("ticket.called", first, at("11:30"), 420)
    assert again == [(A, {"dequeued": 1})]
    moved = ticket("A002", "10:00", 60, status="waiting", topic=B)
    assert reporting.hourly_increments("ticket.transferred", moved, at("10:05"), 420, A) == [
        (A, {"transferred": 1}),
        (B, {"enqueued": 1}),
    ]
    assert reporting.hourly_increments("ticket.expired", moved, at("19:00"), 420) == [
        (B, {"dequeued": 1, "expired": 1})
    ]


def test_day_series_tracks_the_queue_hour_by_hour() -> None:
    rows = [
        reporting.HourCounts(
            9, issued=5, enqueued=5, dequeued=2, first_called=2, wait_seconds_sum=600
        ),
        reporting.HourCounts(
            9, issued=1, enqueued=2, dequeued=1, first_called=1, wait_seconds_sum=300
        ),
        reporting.HourCounts(
            11, issued=0, enqueued=0, dequeued=4, first_called=3, wait_seconds_sum=900
        ),
    ]
    series = reporting.day_series(rows, 12)
    assert series == [
        {"hour": 9, "issued": 6, "waiting": 4, "average_wait_seconds": 300},
        {"hour": 10, "issued": 0, "waiting": 4, "average_wait_seconds": None},
        {"hour": 11, "issued": 0, "waiting": 0, "average_wait_seconds": 300},
        {"hour": 12, "issued": 0, "waiting": 0, "average_wait_seconds": None},
    ]


@pytest.mark.parametrize("share", [0.0, 0.5, 1.0])
def test_percentile_stays_within_the_values(share: float) -> None:
    values = [4.0, 8.0, 15.0, 16.0, 23.0, 42.0]
    result = reporting.percentile(values, share)
    assert result is not None and min(values) <= result <= max(values)
