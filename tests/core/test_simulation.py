"""The virtual-time day: routing, shifts, no-shows, closing, summary, and an estimator that cannot peek."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from queue_server.core import eta
from queue_server.core.simulation import DayPlan, TicketOutcome, simulate, summarize
from queue_server.simulation import parse_scenario, run

SCENARIOS = Path(__file__).resolve().parents[2] / "benchmarks" / "scenarios"


def scenario(arrivals: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    """One topic pair, one operator for both (contract first), open 08:00-19:00."""
    document: dict[str, Any] = {
        "version": 1,
        "date": "2026-11-23",
        "timezone": "Europe/Moscow",
        "hours": [["08:00", "19:00"]],
        "peak": [["08:00", "10:00"], ["17:00", "19:00"]],
        "topics": [
            {"id": "contract", "prefix": "A", "target_wait_seconds": {"peak": 600, "offpeak": 300}},
            {"id": "execution", "prefix": "B"},
        ],
        "operators": [
            {"id": "op1", "skills": {"contract": 1, "execution": 2}, "shifts": [["08:00", "19:00"]]}
        ],
        "arrivals": arrivals,
    }
    document.update(changes)
    return document


def visit(at: str, topic: str = "contract", seconds: int = 300, **extra: Any) -> dict[str, Any]:
    return {"at": at, "topic": topic, "service_seconds": seconds, **extra}


def tickets(document: dict[str, Any]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = run(parse_scenario(document))["tickets"]
    return result


def test_the_example_of_the_format_plays_as_documented() -> None:
    document = json.loads((SCENARIOS / "example.json").read_text("utf-8"))
    assert run(parse_scenario(document)) == {
        "version": 1,
        "tickets": [
            {"index": 0, "number": "A001", "topic": "contract", "issued_at": "08:00:41",
             "predicted_wait_seconds": 0, "actual_wait_seconds": 0, "status": "done",
             "operator": "op1"}
        ],
        "summary": {"issued": 1, "served": 1, "no_show": 0, "mean_wait_seconds": 0,
                    "mean_absolute_error_seconds": 0, "within_target_share": 1.0},
    }  # fmt: skip


def test_numbers_run_per_prefix_and_the_skill_priority_decides_the_order() -> None:
    played = tickets(
        scenario(
            [
                visit("08:00:00", seconds=600),
                visit("08:01:00", "execution"),
                visit("08:02:00"),
                visit("08:03:00", "execution"),
            ]
        )
    )
    assert [t["number"] for t in played] == ["A001", "B001", "A002", "B002"]
    # The contract ticket issued later is called before the older execution ticket.
    assert [t["actual_wait_seconds"] for t in played] == [0, 840, 480, 1020]
    assert {t["operator"] for t in played} == {"op1"}


def test_priority_visitors_go_first_but_not_forever() -> None:
    arrivals = [visit("08:00:00", seconds=600), visit("08:01:00")]
    arrivals += [visit(f"08:0{m}:00", priority=True) for m in range(2, 6)]
    played = tickets(scenario(arrivals))
    order = sorted(range(len(played)), key=lambda i: played[i]["actual_wait_seconds"] + i * 60)
    # Two priority calls in a row (the default policy), then the waiting ordinary visitor.
    assert order == [0, 2, 3, 1, 4, 5]


def test_a_shift_end_does_not_cut_a_service_and_the_next_shift_calls_again() -> None:
    operators = [{"id": "op1", "shifts": [["08:00", "13:00"], ["14:00", "19:00"]]}]
    played = tickets(
        scenario([visit("12:50:00", seconds=1200), visit("12:55:00")], operators=operators)
    )
    assert played[0]["status"] == "done"
    # The first service ends at 13:10, after the shift: the next call waits for 14:00.
    assert played[1]["actual_wait_seconds"] == 65 * 60


def test_a_no_show_holds_the_operator_for_the_recall_timeout() -> None:
    arrivals = [visit("08:00:00", no_show=True), visit("08:00:30")]
    default = tickets(scenario(arrivals))
    assert default[0]["status"] == "no_show"
    assert default[1]["actual_wait_seconds"] == 180 - 30
    shorter = tickets(scenario(arrivals, recall_timeout_seconds=60))
    assert shorter[1]["actual_wait_seconds"] == 60 - 30


def test_tickets_still_waiting_at_closing_expire_without_a_wait() -> None:
    played = run(parse_scenario(scenario([visit("18:40:00", seconds=1800), visit("18:45:00")])))
    assert played["tickets"][1]["status"] == "expired"
    assert played["tickets"][1]["actual_wait_seconds"] is None
    assert played["tickets"][0]["status"] == "done"  # a service is never cut at closing
    summary = played["summary"]
    assert (summary["issued"], summary["served"], summary["no_show"]) == (2, 1, 0)
    assert summary["mean_wait_seconds"] == 0
    # Both are contract tickets with a target: the expired one missed it.
    assert summary["within_target_share"] == 0.5


def test_the_target_is_the_one_of_the_period_the_ticket_was_issued_in() -> None:
    # 400 s waits: within the 600 s peak target at 09:50, over the 300 s off-peak one at 10:50.
    peak = scenario([visit("09:50:00", seconds=400), visit("09:50:00")])
    offpeak = scenario([visit("10:50:00", seconds=400), visit("10:50:00")])
    assert run(parse_scenario(peak))["summary"]["within_target_share"] == 1.0
    assert run(parse_scenario(offpeak))["summary"]["within_target_share"] == 0.5


def test_an_operator_starting_a_shift_calls_who_already_waits() -> None:
    operators = [{"id": "late", "shifts": [["09:00", "19:00"]]}]
    played = tickets(scenario([visit("08:30:00")], operators=operators))
    assert played[0]["actual_wait_seconds"] == 1800
    assert played[0]["operator"] == "late"


def predictions(document: dict[str, Any], estimator: Any = eta.predict_wait_seconds) -> list[int]:
    plan = parse_scenario(document)
    return [outcome.predicted_wait_seconds for outcome in simulate(plan, estimator)]


def test_predictions_do_not_depend_on_services_that_have_not_ended() -> None:
    # Nothing ends before the last ticket is issued; only the future differs between the two.
    first = [visit("08:00:00", seconds=3000)]
    first += [visit(f"08:0{m}:00", seconds=200 + 100 * m) for m in range(1, 6)]
    second = copy.deepcopy(first)
    second[0]["service_seconds"] = 5400
    for index, item in enumerate(second[1:], start=1):
        item["service_seconds"] = 1500 - 100 * index
        item["no_show"] = index % 2 == 0
    assert predictions(scenario(first)) == predictions(scenario(second))
    assert predictions(scenario(first), eta.naive_wait_seconds) == predictions(
        scenario(second), eta.naive_wait_seconds
    )
    # The check bites: an estimator that could read the plan would tell the two days apart.
    assert predictions(scenario(first), peeking(scenario(first))) != predictions(
        scenario(second), peeking(scenario(second))
    )


def peeking(document: dict[str, Any]) -> Any:
    """A cheating estimator: adds up the true service times of everyone waiting."""
    plan = parse_scenario(document)

    def estimate(view: eta.LiveView, ticket_id: int) -> int:
        ahead = [t.id for t in view.waiting if t.id < ticket_id]
        return round(sum(plan.visits[i].service_seconds for i in ahead))

    return estimate


def divergence(
    plan: DayPlan, changed: DayPlan, played: list[TicketOutcome], moved: set[int]
) -> float:
    """The first instant the two days can differ: the earliest end of a changed ticket's call."""
    ends = []
    for index in moved:
        outcome = played[index]
        if outcome.called_at is None:
            continue
        lasts = [
            p.recall_timeout_seconds if p.visits[index].no_show else p.visits[index].service_seconds
            for p in (plan, changed)
        ]
        ends.append(outcome.called_at.timestamp() + min(lasts))
    return min(ends)


@pytest.mark.parametrize("name", ["generated-day-1.json", "generated-day-2.json"])
def test_on_a_real_day_predictions_ignore_unfinished_services(name: str) -> None:
    document = json.loads((SCENARIOS / name).read_text("utf-8"))
    changed = copy.deepcopy(document)
    moved = set(range(60, len(document["arrivals"]), 3))
    for index in moved:
        item = changed["arrivals"][index]
        item["service_seconds"] = round(item["service_seconds"] * 1.7) + 60
        item["no_show"] = not item["no_show"]
    plan, other = parse_scenario(document), parse_scenario(changed)
    played, replayed = simulate(plan), simulate(other)
    until = divergence(plan, other, played, moved)
    before = [i for i, outcome in enumerate(played) if outcome.issued_at.timestamp() < until]
    assert len(before) > 60
    for index in before:
        assert played[index].predicted_wait_seconds == replayed[index].predicted_wait_seconds


def test_every_example_scenario_plays() -> None:
    for path in sorted(SCENARIOS.glob("*.json")):
        plan = parse_scenario(json.loads(path.read_text("utf-8")))
        outcomes = simulate(plan)
        summary = summarize(plan, outcomes)
        assert summary.issued == len(plan.visits), path.name
        assert summary.served + summary.no_show <= summary.issued
        assert all(o.predicted_wait_seconds >= 0 for o in outcomes)
