"""`queue-server simulate` as a user runs it: a result file or JSON on stdout, clear errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from queue_server.cli import main

SCENARIOS = Path(__file__).resolve().parents[1] / "benchmarks" / "scenarios"


def example() -> dict[str, Any]:
    document: dict[str, Any] = json.loads((SCENARIOS / "example.json").read_text("utf-8"))
    return document


def write(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "scenario.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document), "utf-8")
    return path


def test_writes_the_result_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "result.json"
    assert main(["simulate", str(SCENARIOS / "generated-day-1.json"), "--out", str(out)]) == 0
    result = json.loads(out.read_text("utf-8"))
    assert result["version"] == 1
    assert set(result["summary"]) == {
        "issued",
        "served",
        "no_show",
        "mean_wait_seconds",
        "mean_absolute_error_seconds",
        "within_target_share",
    }
    first = result["tickets"][0]
    assert list(first) == [
        "index",
        "number",
        "topic",
        "issued_at",
        "predicted_wait_seconds",
        "actual_wait_seconds",
        "status",
        "operator",
    ]
    assert [t["index"] for t in result["tickets"]] == list(range(result["summary"]["issued"]))
    assert {t["status"] for t in result["tickets"]} <= {"done", "no_show", "expired"}
    assert "result in" in capsys.readouterr().out


def test_prints_the_result_without_out(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", str(SCENARIOS / "example.json")]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["tickets"][0]["number"] == "A001"
    assert result["summary"]["within_target_share"] == 1.0


def broken(change: str) -> Any:
    document = example()
    if change == "version":
        document["version"] = 2
    elif change == "topic":
        document["arrivals"][0]["topic"] = "nonsense"
    elif change == "closed":
        document["arrivals"][0]["at"] = "19:30:00"
    elif change == "time":
        document["arrivals"][0]["at"] = "8 o'clock"
    elif change == "seconds":
        document["arrivals"][0]["service_seconds"] = -5
    elif change == "skills":
        document["operators"][0]["skills"] = {"contract": 0}
    elif change == "shifts":
        document["operators"][0]["shifts"] = [["13:00", "08:00"]]
    elif change == "zone":
        document["timezone"] = "Mars/Olympus"
    elif change == "order":
        document["arrivals"].append({**document["arrivals"][0], "at": "08:00:00"})
    elif change == "shape":
        return [1, 2, 3]
    elif change == "json":
        return '{"version": 1,'
    return document


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("version", "version: must be 1"),
        ("topic", "arrivals[0].topic: 'nonsense' is not one of the topics"),
        ("closed", "arrivals[0].at: 19:30:00 is outside the opening hours"),
        ("time", "arrivals[0].at"),
        ("seconds", "arrivals[0].service_seconds"),
        ("skills", "operators[0].skills.contract"),
        ("shifts", "operators[0].shifts"),
        ("zone", "timezone: 'Mars/Olympus' is not a known time zone"),
        ("order", "arrivals[1].at: arrivals must be in time order"),
        ("shape", "scenario: must be a JSON object"),
        ("json", "is not valid JSON"),
    ],
)
def test_an_invalid_scenario_is_refused_with_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: str, message: str
) -> None:
    path = write(tmp_path, broken(change))
    assert main(["simulate", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: invalid scenario: ")
    assert message in captured.err


def test_a_missing_file_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "queue_server.cli", "simulate", str(tmp_path / "nope.json")]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert finished.returncode == 2
    assert "cannot read" in finished.stderr and "nope.json" in finished.stderr
    assert "Traceback" not in finished.stderr


def test_an_unwritable_result_path_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "missing-dir" / "result.json"
    assert main(["simulate", str(SCENARIOS / "example.json"), "--out", str(out)]) == 1
    assert "cannot write" in capsys.readouterr().err
