"""`queue-server simulate`: replays a day in virtual time (see shared/SCENARIO.md).

This module reads and checks the scenario file and writes the result; the day itself is played by
the pure engine in `queue_server.core.simulation`.
"""

from __future__ import annotations

import json
import math
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date, time
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from queue_server.core import schedule
from queue_server.core.numbering import is_valid_prefix
from queue_server.core.routing import RoutingPolicy
from queue_server.core.simulation import (
    DayPlan,
    OperatorPlan,
    Summary,
    TicketOutcome,
    TopicPlan,
    Visit,
    simulate,
    summarize,
)

FORMAT_VERSION = 1
CUSTOMER_TYPES = ("individual", "organization")
MOMENT_PATTERN = re.compile(r"([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?")


class ScenarioError(ValueError):
    """The scenario file cannot be played; the message says where and why."""


def _require(condition: bool, where: str, problem: str) -> None:
    if not condition:
        raise ScenarioError(f"{where}: {problem}")


def _object(raw: Any, where: str) -> Mapping[str, Any]:
    _require(isinstance(raw, dict), where, "must be a JSON object")
    return cast(Mapping[str, Any], raw)


def _list(raw: Any, where: str) -> Sequence[Any]:
    _require(isinstance(raw, list), where, "must be a JSON list")
    return cast(Sequence[Any], raw)


def _text(raw: Any, where: str) -> str:
    _require(isinstance(raw, str) and raw.strip() != "", where, "must be a non-empty string")
    return str(raw)


def _seconds(raw: Any, where: str, optional: bool = False) -> float | None:
    if raw is None and optional:
        return None
    number = isinstance(raw, int | float) and not isinstance(raw, bool)
    _require(number and math.isfinite(raw) and raw >= 0, where, "must be a number of seconds >= 0")
    return float(raw)


def _flag(raw: Any, where: str) -> bool:
    _require(isinstance(raw, bool), where, "must be true or false")
    return bool(raw)


def _intervals(raw: Any, where: str) -> schedule.Intervals:
    pairs = isinstance(raw, list) and all(
        isinstance(pair, list) and len(pair) == 2 and all(isinstance(t, str) for t in pair)
        for pair in raw
    )
    _require(pairs, where, 'must be a list of ["HH:MM", "HH:MM"] pairs')
    try:
        return schedule.parse_intervals(raw, where)
    except (ValueError, TypeError) as error:
        raise ScenarioError(str(error) if where in str(error) else f"{where}: {error}") from None


def _moment(raw: Any, where: str) -> time:
    match = MOMENT_PATTERN.fullmatch(raw) if isinstance(raw, str) else None  # `$` allows "\n"
    _require(match is not None, where, f"{raw!r} is not a time of day as HH:MM:SS")
    assert match is not None
    return time(int(match[1]), int(match[2]), int(match[3] or 0))


def _target(raw: Any, where: str) -> tuple[int | None, int | None]:
    if raw is None:
        return None, None
    targets = _object(raw, where)
    unknown = set(targets) - {"peak", "offpeak"}
    _require(not unknown, where, f"unknown keys {sorted(unknown)}; use peak and offpeak")
    peak = _seconds(targets.get("peak"), f"{where}.peak", optional=True)
    offpeak = _seconds(targets.get("offpeak"), f"{where}.offpeak", optional=True)
    return (None if peak is None else round(peak)), (None if offpeak is None else round(offpeak))


def _topics(raw: Any) -> list[TopicPlan]:
    topics: list[TopicPlan] = []
    for position, item in enumerate(_list(raw, "topics")):
        where = f"topics[{position}]"
        entry = _object(item, where)
        key = _text(entry.get("id"), f"{where}.id")
        _require(all(t.key != key for t in topics), f"{where}.id", f"'{key}' is used twice")
        prefix = entry.get("prefix")
        _require(
            isinstance(prefix, str) and is_valid_prefix(prefix),
            f"{where}.prefix",
            "must be one to three Latin capitals, like A",
        )
        peak, offpeak = _target(entry.get("target_wait_seconds"), f"{where}.target_wait_seconds")
        topics.append(TopicPlan(key, str(prefix), peak, offpeak))
    _require(bool(topics), "topics", "must name at least one topic")
    return topics


def _topic_index(raw: Any, topics: Sequence[TopicPlan], where: str) -> int:
    for index, topic in enumerate(topics):
        if topic.key == raw:
            return index
    raise ScenarioError(f"{where}: {raw!r} is not one of the topics")


def _skills(raw: Any, topics: Sequence[TopicPlan], where: str) -> dict[int, int] | None:
    if raw is None:
        return None
    skills: dict[int, int] = {}
    for key, rank in _object(raw, where).items():
        ok = isinstance(rank, int) and not isinstance(rank, bool) and rank >= 1
        _require(ok, f"{where}.{key}", "priority must be a whole number >= 1 (1 is served first)")
        skills[_topic_index(key, topics, where)] = rank
    return skills or None


def _operators(raw: Any, topics: Sequence[TopicPlan]) -> list[OperatorPlan]:
    operators: list[OperatorPlan] = []
    for position, item in enumerate(_list(raw, "operators")):
        where = f"operators[{position}]"
        entry = _object(item, where)
        key = _text(entry.get("id"), f"{where}.id")
        _require(all(o.key != key for o in operators), f"{where}.id", f"'{key}' is used twice")
        skills = _skills(entry.get("skills"), topics, f"{where}.skills")
        shifts = _intervals(entry.get("shifts"), f"{where}.shifts")
        operators.append(OperatorPlan(key, skills, shifts))
    return operators


def _history(raw: Any, topics: Sequence[TopicPlan]) -> list[tuple[int, float]]:
    history: list[tuple[int, float]] = []
    for position, item in enumerate(_list(raw or [], "history")):
        where = f"history[{position}]"
        entry = _object(item, where)
        topic = _topic_index(entry.get("topic"), topics, f"{where}.topic")
        seconds = _seconds(entry.get("service_seconds"), f"{where}.service_seconds")
        assert seconds is not None
        history.append((topic, seconds))
    return history


def _visit(entry: Mapping[str, Any], where: str, plan: DayPlan) -> Visit:
    at = plan.at(_moment(entry.get("at"), f"{where}.at"))
    open_now = schedule.is_open(plan.weekly_hours(), at, plan.zone)
    _require(open_now, f"{where}.at", f"{entry.get('at')} is outside the opening hours")
    customer = entry.get("customer_type", "individual")
    _require(
        customer in CUSTOMER_TYPES, f"{where}.customer_type", f"use {' or '.join(CUSTOMER_TYPES)}"
    )
    seconds = _seconds(entry.get("service_seconds"), f"{where}.service_seconds")
    assert seconds is not None
    return Visit(
        at=at,
        topic=_topic_index(entry.get("topic"), plan.topics, f"{where}.topic"),
        customer_type=str(customer),
        priority=_flag(entry.get("priority", False), f"{where}.priority"),
        service_seconds=seconds,
        no_show=_flag(entry.get("no_show", False), f"{where}.no_show"),
    )


def _visits(raw: Any, plan: DayPlan) -> list[Visit]:
    visits: list[Visit] = []
    for position, item in enumerate(_list(raw, "arrivals")):
        where = f"arrivals[{position}]"
        visit = _visit(_object(item, where), where, plan)
        if visits and visit.at < visits[-1].at:
            raise ScenarioError(f"{where}.at: arrivals must be in time order")
        visits.append(visit)
    return visits


def _day(raw: Mapping[str, Any]) -> tuple[date, ZoneInfo]:
    text = _text(raw.get("date"), "date")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ScenarioError(f"date: {text!r} is not a calendar date as YYYY-MM-DD") from None
    name = _text(raw.get("timezone"), "timezone")
    try:
        zone = schedule.validate_timezone(name)
    except ValueError as error:
        raise ScenarioError(f"timezone: {error}") from None
    return day, zone


def _policy(raw: Mapping[str, Any]) -> RoutingPolicy:
    limit = raw.get("max_priority_in_row", RoutingPolicy().max_priority_in_row)
    ok = isinstance(limit, int) and not isinstance(limit, bool) and limit >= 0
    _require(ok, "max_priority_in_row", "must be a whole number >= 0")
    return RoutingPolicy(max_priority_in_row=limit)


def parse_scenario(raw: Any) -> DayPlan:
    """A scenario document (already parsed JSON) as a day plan; ScenarioError says what is wrong."""
    document = _object(raw, "scenario")
    version = document.get("version")
    _require(version == FORMAT_VERSION, "version", f"must be {FORMAT_VERSION}, not {version!r}")
    day, zone = _day(document)
    topics = _topics(document.get("topics"))
    timeout = _seconds(document.get("recall_timeout_seconds", 180), "recall_timeout_seconds")
    assert timeout is not None
    plan = DayPlan(
        day=day,
        zone=zone,
        hours=_intervals(document.get("hours"), "hours"),
        peak=_intervals(document.get("peak", []), "peak"),
        topics=topics,
        operators=_operators(document.get("operators"), topics),
        visits=(),
        history=_history(document.get("history"), topics),
        recall_timeout_seconds=timeout,
        policy=_policy(document),
    )
    _require(bool(plan.hours), "hours", "must hold at least one opening interval")
    visits = _visits(document.get("arrivals"), plan)
    return replace(plan, visits=visits)


def load_scenario(path: str | Path) -> DayPlan:
    """Read and check a scenario file."""
    try:
        text = Path(path).read_text("utf-8")
    except OSError as error:
        raise ScenarioError(f"cannot read {path}: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise ScenarioError(f"{path} is not UTF-8 text") from None
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(
            f"{path} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    return parse_scenario(raw)


def _rounded(value: float | None) -> int | None:
    return None if value is None else round(value)


def ticket_json(plan: DayPlan, outcome: TicketOutcome) -> dict[str, Any]:
    local = schedule.local(outcome.issued_at, plan.zone)
    return {
        "index": outcome.index,
        "number": outcome.number,
        "topic": plan.topics[outcome.topic].key,
        "issued_at": local.strftime("%H:%M:%S"),
        "predicted_wait_seconds": outcome.predicted_wait_seconds,
        "actual_wait_seconds": _rounded(outcome.actual_wait_seconds),
        "status": outcome.status.value,
        "operator": None if outcome.operator is None else plan.operators[outcome.operator].key,
    }


def summary_json(summary: Summary) -> dict[str, Any]:
    share = summary.within_target_share
    return {
        "issued": summary.issued,
        "served": summary.served,
        "no_show": summary.no_show,
        "mean_wait_seconds": _rounded(summary.mean_wait_seconds),
        "mean_absolute_error_seconds": _rounded(summary.mean_absolute_error_seconds),
        "within_target_share": None if share is None else round(share, 4),
    }


def run(plan: DayPlan) -> dict[str, Any]:
    """Play the day and shape the result document of SCENARIO.md."""
    outcomes = simulate(plan)
    return {
        "version": FORMAT_VERSION,
        "tickets": [ticket_json(plan, outcome) for outcome in outcomes],
        "summary": summary_json(summarize(plan, outcomes)),
    }


def main(scenario_path: str, out_path: str | None) -> int:
    """Play a scenario file; print the result or write it to `out_path`."""
    try:
        result = run(load_scenario(scenario_path))
    except ScenarioError as error:
        print(f"error: invalid scenario: {error}", file=sys.stderr)
        return 2
    text = json.dumps(result, ensure_ascii=False, indent=2) + "\n"
    if out_path is None:
        sys.stdout.write(text)
        return 0
    try:
        Path(out_path).write_text(text, "utf-8")
    except OSError as error:
        print(f"error: cannot write {out_path}: {error.strerror or error}", file=sys.stderr)
        return 1
    summary = {key: "n/a" if value is None else value for key, value in result["summary"].items()}
    print(
        f"{summary['issued']} tickets, {summary['served']} served, {summary['no_show']} no-shows, "
        f"mean wait {summary['mean_wait_seconds']} s, estimate error "
        f"{summary['mean_absolute_error_seconds']} s; result in {out_path}"
    )
    return 0
