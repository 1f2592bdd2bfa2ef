"""How far off is the kiosk's waiting-time estimate? Naive formula versus the routing replay.

Generates realistic service days (seeded, so every run gives the same figures): 08:00-19:00, peaks
08-10 and 17-19 with more arrivals, 5 topics with their own service times, 4-6 operators with
skill priorities and lunch breaks, a few priority visitors and no-shows. Each day is played once
per estimator by the simulator; the actual course of the day does not depend on the estimator,
so the errors are measured on the same waits.

    .venv/bin/python benchmarks/estimator_accuracy.py            # the table
    .venv/bin/python benchmarks/estimator_accuracy.py --write-scenarios benchmarks/scenarios
    (also saves days 1-3 as scenario files for `queue-server simulate` and the tests)
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Callable
from datetime import time
from functools import partial
from pathlib import Path
from statistics import fmean
from typing import Any

from queue_server import simulation
from queue_server.core import eta
from queue_server.core.simulation import DayPlan, simulate, summarize

# id, prefix, mean service seconds, share of arrivals, targets (peak, off-peak)
TOPICS = (
    ("contract", "A", 720, 0.30, (1200, 600)),
    ("execution", "B", 540, 0.25, (1200, 600)),
    ("quality", "C", 420, 0.15, (900, 420)),
    ("free", "D", 300, 0.20, (900, 420)),
    ("paid", "E", 960, 0.10, (1500, 900)),
)
# Arrivals per hour for an office of 5 operators, by hour of the day (08 to 18); scaled by staff.
HOURLY_ARRIVALS = (40, 36, 24, 22, 20, 22, 20, 22, 24, 36, 38)
SERVICE_SPREAD = 0.55  # sigma of the log-normal service times
PRIORITY_SHARE = 0.08
NO_SHOW_SHARE = 0.06
HISTORY_SERVICES = 150
# A pool of operators; a day takes the first 4 to 6 of them.
OPERATORS: tuple[tuple[str, dict[str, int], list[list[str]]], ...] = (
    ("op1", {"contract": 1, "execution": 2}, [["08:00", "13:00"], ["14:00", "19:00"]]),
    ("op2", {"execution": 1, "quality": 2, "free": 2}, [["08:00", "12:00"], ["13:00", "19:00"]]),
    ("op3", {"free": 1, "quality": 1, "contract": 3}, [["08:00", "13:30"], ["14:30", "19:00"]]),
    ("op4", {"paid": 1, "contract": 2}, [["08:00", "12:30"], ["13:30", "19:00"]]),
    ("op5", {}, [["09:00", "13:00"], ["14:00", "18:00"]]),
    ("op6", {"contract": 1, "paid": 1, "execution": 2}, [["08:00", "19:00"]]),
)
WRITTEN_DAYS = (1, 2, 3)  # --write-scenarios keeps these as examples; the rest are only measured
DAYS = (
    (1, 4),
    (2, 5),
    (3, 6),
    (4, 4),
    (5, 5),
    (6, 6),
    (7, 4),
    (8, 5),
    (9, 6),
    (10, 5),
)  # (seed, operators)


def _service_seconds(rng: random.Random, mean: float) -> int:
    # A log-normal with this mean: most services are quick, a few drag on.
    mu = math.log(mean) - SERVICE_SPREAD**2 / 2
    return max(30, round(rng.lognormvariate(mu, SERVICE_SPREAD)))


def _arrival_times(rng: random.Random, scale: float) -> list[int]:
    """Seconds after midnight, a Poisson process with the hourly rates."""
    moments: list[int] = []
    for hour, office_rate in enumerate(HOURLY_ARRIVALS, start=8):
        per_hour = office_rate * scale
        moment = hour * 3600 + rng.expovariate(per_hour / 3600)
        while moment < (hour + 1) * 3600:
            moments.append(int(moment))
            moment += rng.expovariate(per_hour / 3600)
    return moments


def _clock(seconds: int) -> str:
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60).strftime("%H:%M:%S")


def generate_day(seed: int, operators: int) -> dict[str, Any]:
    """One realistic scenario document."""
    rng = random.Random(seed)
    names = [t[0] for t in TOPICS]
    weights = [t[3] for t in TOPICS]
    means = {t[0]: t[2] for t in TOPICS}
    arrivals = []
    for moment in _arrival_times(rng, operators / 5):
        topic = rng.choices(names, weights)[0]
        arrivals.append(
            {
                "at": _clock(moment),
                "topic": topic,
                "customer_type": "organization" if rng.random() < 0.15 else "individual",
                "priority": rng.random() < PRIORITY_SHARE,
                "service_seconds": _service_seconds(rng, means[topic]),
                "no_show": rng.random() < NO_SHOW_SHARE,
            }
        )
    history = []
    for _ in range(HISTORY_SERVICES):
        topic = rng.choices(names, weights)[0]
        history.append({"topic": topic, "service_seconds": _service_seconds(rng, means[topic])})
    return {
        "version": 1,
        "date": "2026-11-23",
        "timezone": "Europe/Moscow",
        "hours": [["08:00", "19:00"]],
        "peak": [["08:00", "10:00"], ["17:00", "19:00"]],
        "topics": [
            {"id": n, "prefix": p, "target_wait_seconds": {"peak": t[0], "offpeak": t[1]}}
            for n, p, _mean, _share, t in TOPICS
        ],
        "operators": [
            {"id": key, "skills": skills, "shifts": shifts}
            for key, skills, shifts in OPERATORS[:operators]
        ],
        "history": history,
        "arrivals": arrivals,
    }


def write_scenario(path: Path, document: dict[str, Any]) -> None:
    """JSON with one arrival or history entry a line: readable and diff-friendly."""
    lines = ["{"]
    items = list(document.items())
    for position, (key, value) in enumerate(items):
        comma = "," if position < len(items) - 1 else ""
        if isinstance(value, list) and value and isinstance(value[0], dict):
            rows = ",\n".join(f"    {json.dumps(row, ensure_ascii=False)}" for row in value)
            lines.append(f'  "{key}": [\n{rows}\n  ]{comma}')
        else:
            lines.append(f'  "{key}": {json.dumps(value, ensure_ascii=False)}{comma}')
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", "utf-8")


ESTIMATORS: dict[str, Callable[[eta.LiveView, int], int]] = {
    "naive": eta.naive_wait_seconds,
    "replay, no arrivals": partial(eta.predict_wait_seconds, with_arrivals=False),
    "replay (shipped)": eta.predict_wait_seconds,
}


def measure(plan: DayPlan) -> dict[str, float]:
    """Mean absolute error of each estimator over the called tickets of the day."""
    errors = {}
    for name, estimator in ESTIMATORS.items():
        summary = summarize(plan, simulate(plan, estimator))
        errors[name] = summary.mean_absolute_error_seconds or 0.0
    return errors


def main(argv: list[str] | None = None) -> int:
    """Print the accuracy table; optionally write the generated days as scenario files."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-scenarios", type=Path, default=None)
    args = parser.parse_args(argv)
    header = " | ".join(ESTIMATORS)
    print(f"| day (seed) | operators | tickets | mean wait, s | {header} |")
    print("|---" * (4 + len(ESTIMATORS)) + "|")
    totals: dict[str, list[float]] = {name: [] for name in ESTIMATORS}
    for seed, operators in DAYS:
        document = generate_day(seed, operators)
        if args.write_scenarios is not None and seed in WRITTEN_DAYS:
            path = args.write_scenarios / f"generated-day-{seed}.json"
            write_scenario(path, document)
        plan = simulation.parse_scenario(document)
        summary = summarize(plan, simulate(plan, eta.naive_wait_seconds))
        errors = measure(plan)
        for name, error in errors.items():
            totals[name].append(error)
        cells = " | ".join(f"{error:.0f}" for error in errors.values())
        wait = summary.mean_wait_seconds or 0.0
        print(f"| {seed} | {operators} | {summary.issued} | {wait:.0f} | {cells} |")
    means = " | ".join(f"**{fmean(values):.0f}**" for values in totals.values())
    print(f"| mean | | | | {means} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
