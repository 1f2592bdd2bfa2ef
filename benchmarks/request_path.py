"""The request path (issue 10): what issuing and calling cost, against a bare FastAPI endpoint.

    .venv/bin/python -m benchmarks.request_path                 # everything but the profile, ~5 min
    .venv/bin/python -m benchmarks.request_path --profile       # ... and the in-process profile
    .venv/bin/python -m benchmarks.request_path --quick         # 2 s runs, fewer levels, ~2 min
    .venv/bin/python -m benchmarks.request_path --only issue estimator --duration 3
    .venv/bin/python -m benchmarks.request_path --only profile --profile-requests 200

Baseline, measured in the same run (at the start and again at the end; the mean is used):
`benchmarks/bare_app.py`, a FastAPI app with only `POST /api/v1/offices/{id}/tickets`, which
validates the same body (`TicketIn`) and answers 201 with a small JSON; served like the real app
(`uvicorn.run`, factory, log level info, one worker). Every figure comes with its ratio to it.

- issue: `POST /api/v1/offices/{id}/tickets` with `{"topic_id", "customer_type": "individual"}`
  (no kiosk, so no printer and no per-kiosk rate limit) at 1 and 16 connections, with 0, 100 and
  1,000 tickets waiting when the run starts (a fresh SQLite copy per run: the run itself adds
  tickets, the table says how many were waiting at the end). Load from `wrk` with a Lua script when
  installed (`--tool client` forces the asyncio client of `benchmarks/load_client.py`).
- cycle: call-next, start, finish (`/windows/{id}/call-next`, `/tickets/{id}/start`, `.../finish`)
  by 1 and 8 operators, each with an account, a bearer token and a window, all serving the topic,
  from a queue of `--cycle-waiting` tickets. wrk cannot time a cycle, so the asyncio client (a
  process of its own) drives it; the bare endpoint is measured with that client too.
- server CPU: utime + stime of the server process from /proc (10 ms ticks) before and after each
  run, once the server is idle again, divided by the requests (or cycles) it answered.
- estimator: `--estimator-requests` sequential issues (one client) at 10, 100 and 1,000 waiting:
  CPU ms per issue at each level, to see whether it is flat.
- profile (`--profile`): N issues in-process (httpx.ASGITransport against `create_app`) at about
  200 waiting; time per request grouped into estimate / write transaction / other app code /
  framework, and the top functions by cumulative time. `--profiler sampler` (default) samples
  the event loop's stack from a thread every millisecond (wall clock, awaits charged to the
  awaiting code, little overhead); `pyinstrument` and `cprofile` hook every call, which makes
  call-heavy code (the estimate's replay) look 2-4x dearer than it is.

Each run is a fresh copy of one prepared database: office "Bench" (always open: `hours` null),
topic A, windows 1..8, 8 operators serving A; office "Warm-up" with its own topic, window and
operator, which takes the warm-up requests so that the measured office's queue stays as prepared.
Waiting tickets are added in-process through `services.issuing` before the server starts.
Figures are printed as tables and written as JSON (`benchmarks/results/request_path-<UTC>.json`,
or `--out`).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

import queue_server  # noqa: E402
from benchmarks import realtime_latency  # noqa: E402
from benchmarks.realtime_latency import ADMIN, PASSWORD, prepare_database, server  # noqa: E402
from benchmarks.status_pages import server_cpu_seconds  # noqa: E402
from queue_server.core.lifecycle import TicketStatus  # noqa: E402
from queue_server.db.engine import Database  # noqa: E402
from queue_server.services import issuing  # noqa: E402
from queue_server.settings import Settings  # noqa: E402
from tests.support import Api, login_token  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"
ISSUE_BODY_EXTRA = {"customer_type": "individual"}
BARE_OFFICE = 1  # the bare endpoint answers for any office id


# ---------------------------------------------------------------- the prepared database


@dataclass
class Setup:
    office_id: int
    topic_id: int
    windows: list[int]
    operators: list[tuple[str, str]]
    warm_office_id: int
    warm_topic_id: int
    warm_window_id: int
    warm_operator: tuple[str, str]
    issuer_token: str  # tickets are issued as staff: a kiosk key would bring its per-minute limit

    @property
    def issue_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.issuer_token}"}

    def issue_path(self, office_id: int | None = None) -> str:
        return f"/api/v1/offices/{office_id or self.office_id}/tickets"

    def issue_body(self, topic_id: int | None = None) -> dict[str, Any]:
        return {"topic_id": topic_id or self.topic_id, **ISSUE_BODY_EXTRA}


def build_base(directory: Path, operators: int) -> tuple[Path, Setup]:
    """A migrated database with the admin, then offices, topics, windows, users through the API."""
    directory.mkdir(parents=True, exist_ok=True)
    url = prepare_database(directory)
    with server(url, 1, False, directory / "server.log") as base:
        issuer_token = login_token(base, ADMIN, PASSWORD)
        admin = Api(base, issuer_token)
        office = admin.office(hours=None)  # hours null: open at any time of any day
        topic = admin.topic(office["id"], "A")
        serves = [{"topic_id": topic["id"], "priority": 1}]
        windows = [admin.window(office["id"], number)["id"] for number in range(1, operators + 1)]
        accounts = [admin.user("operator", office["id"], serves)[1:] for _ in range(operators)]
        warm = admin.office(hours=None)
        warm_topic = admin.topic(warm["id"], "W")
        warm_window = admin.window(warm["id"], 1)["id"]
        warm_serves = [{"topic_id": warm_topic["id"], "priority": 1}]
        warm_account = admin.user("operator", warm["id"], warm_serves)[1:]
        admin.close()
    setup = Setup(
        office["id"],
        topic["id"],
        windows,
        accounts,
        warm["id"],
        warm_topic["id"],
        warm_window,
        warm_account,
        issuer_token,
    )
    return directory / "bench.sqlite3", setup


def copy_database(source: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{source}{suffix}").exists():
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")
    return target


async def _prefill(url: str, office_id: int, topic_id: int, count: int) -> None:
    database = Database(url)
    try:
        for start in range(0, count, 250):
            async with database.unit_of_work() as uow:
                for _ in range(min(250, count - start)):
                    request = issuing.IssueRequest(office_id=office_id, topic_id=topic_id)
                    await issuing.issue_ticket(uow, request, datetime.now(UTC))
    finally:
        await database.dispose()


def with_waiting(base: Path, target: Path, setup: Setup, waiting: int) -> Path:
    """A copy of the base database with `waiting` tickets queued in the measured office."""
    copy_database(base, target)
    if waiting:
        asyncio.run(_prefill(f"sqlite:///{target}", setup.office_id, setup.topic_id, waiting))
    return target


def ticket_counts(database: Path, office_id: int) -> dict[str, int]:
    with contextlib.closing(sqlite3.connect(database, timeout=30)) as connection:
        rows = connection.execute(
            "SELECT status, count(*) FROM tickets WHERE office_id = ? GROUP BY status",
            (office_id,),
        ).fetchall()
    counts = {str(status): int(count) for status, count in rows}
    counts["all"] = sum(counts.values())
    return counts


def waiting_in(database: Path, office_id: int) -> int:
    return ticket_counts(database, office_id).get(TicketStatus.WAITING.value, 0)


# ---------------------------------------------------------------- servers and load


@dataclass
class Target:
    url: str
    port: int
    database: Path | None = None


@contextlib.contextmanager
def queue_server_on(template: Path, workdir: Path) -> Iterator[Target]:
    """`queue-server serve`, one worker, on a fresh copy of `template`."""
    run = Path(tempfile.mkdtemp(dir=workdir))
    database = copy_database(template, run / "bench.sqlite3")
    with server(f"sqlite:///{database}", 1, False, run / "server.log") as url:
        yield Target(url, int(url.rsplit(":", 1)[1]), database)


@contextlib.contextmanager
def bare_server(workdir: Path) -> Iterator[Target]:
    """`benchmarks/bare_app.py` under `realtime_latency.server`, which runs `QUEUE_SERVER serve
    --port N --workers 1`: pointed at a two-line script that starts the bare app instead, it
    gets the same environment, readiness check and shutdown as the real server."""
    launcher = workdir / "bare-app"
    launcher.write_text(
        f"#!/bin/sh\ncd '{ROOT}' && exec '{sys.executable}' -m benchmarks.bare_app \"$@\"\n"
    )
    launcher.chmod(0o755)
    with (
        mock.patch.object(realtime_latency, "QUEUE_SERVER", launcher),
        server("sqlite:///unused", 1, False, workdir / "bare.log") as url,
    ):
        yield Target(url, int(url.rsplit(":", 1)[1]))


def settle(port: int, limit: float = 10.0) -> float:
    """Wait until the server has been idle for 0.3 s (requests in flight done); its CPU seconds."""
    deadline = time.monotonic() + limit
    used = server_cpu_seconds(port)
    while time.monotonic() < deadline:
        time.sleep(0.3)
        now = server_cpu_seconds(port)
        if now == used:
            return now
        used = now
    return used


def run_client(spec: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.load_client"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"load client failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    if result["errors"]:
        print(f"    ! unexpected answers: {result['errors'][:2]}", flush=True)
    return result


WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = [[%(body)s]]
wrk.headers["Content-Type"] = "application/json"
%(headers)s

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %%d, "duration_us": %%d, "p50_us": %%.1f, "p99_us": %%.1f, ' ..
    '"max_us": %%.1f, "status_errors": %%d, "socket_errors": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.status, e.connect + e.read + e.write + e.timeout))
end
"""


def find_wrk() -> str | None:
    return shutil.which("wrk") or ("/usr/bin/wrk" if Path("/usr/bin/wrk").exists() else None)


def issue_load(
    tool: str,
    target: Target,
    path: str,
    body: dict[str, Any],
    connections: int,
    duration: int,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Closed-loop POSTs of `body` for `duration` s: requests, req/s, p50/p99/max ms, errors."""
    headers = headers or {}
    if tool == "wrk":
        lines = "\n".join(f'wrk.headers["{name}"] = "{value}"' for name, value in headers.items())
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT % {"body": json.dumps(body), "headers": lines})
        command = [
            find_wrk() or "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "--timeout",
            "10s",
            "-s",
            script.name,
            target.url + path,
        ]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        os.unlink(script.name)
        line = next((x for x in done.stdout.splitlines() if x.startswith("RESULT ")), None)
        if done.returncode != 0 or line is None:
            raise RuntimeError(f"wrk failed: {done.stdout[-1500:]} {done.stderr[-1500:]}")
        raw = json.loads(line.removeprefix("RESULT "))
        seconds = raw["duration_us"] / 1e6
        return {
            "requests": raw["requests"],
            "seconds": round(seconds, 3),
            "rps": round(raw["requests"] / seconds, 1),
            "p50_ms": round(raw["p50_us"] / 1000, 2),
            "p99_ms": round(raw["p99_us"] / 1000, 2),
            "max_ms": round(raw["max_us"] / 1000, 2),
            "errors": raw["status_errors"] + raw["socket_errors"],
        }
    worker = {"kind": "issue", "path": path, "body": body, "headers": headers}
    result = run_client(
        {"port": target.port, "duration": duration, "workers": [worker] * connections}
    )
    latency = result["latency_ms"]["request"]
    return {
        "requests": result["requests"],
        "seconds": result["elapsed_s"],
        "rps": round(result["requests"] / result["elapsed_s"], 1),
        "p50_ms": latency["p50"],
        "p99_ms": latency["p99"],
        "max_ms": latency["max"],
        "errors": len(result["errors"]),
    }


def warm_up(target: Target, setup: Setup) -> None:
    """Requests to the warm-up office: every code path runs once, the measured queue is untouched."""
    path, body = setup.issue_path(setup.warm_office_id), setup.issue_body(setup.warm_topic_id)
    run_client(
        {
            "port": target.port,
            "requests": 30,
            "workers": [
                {"kind": "issue", "path": path, "body": body, "headers": setup.issue_headers}
            ],
        }
    )
    token = login_token(target.url, *setup.warm_operator)
    cycle = {"kind": "cycle", "token": token, "window_id": setup.warm_window_id}
    run_client({"port": target.port, "requests": 5, "workers": [cycle]})


def cpu_ms(used: float, units: int) -> float | None:
    return round(used * 1000 / units, 2) if units else None


def ratio(value: Any, base: Any) -> float | None:
    """value / base to three significant digits (None when either is missing)."""
    return float(f"{value / base:.3g}") if value is not None and base else None


# ---------------------------------------------------------------- the sections


@dataclass
class Benchmark:
    args: argparse.Namespace
    tool: str
    workdir: Path
    base: Path | None = None
    setup: Setup | None = None
    templates: dict[int, Path] = field(default_factory=dict)
    baseline: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))

    def prepared(self) -> tuple[Path, Setup]:
        if self.base is None or self.setup is None:
            self.base, self.setup = build_base(self.workdir / "base", max(self.args.operators))
        return self.base, self.setup

    def template(self, waiting: int) -> Path:
        if waiting not in self.templates:
            base, setup = self.prepared()
            started = time.perf_counter()
            target = self.workdir / "templates" / f"waiting-{waiting}.sqlite3"
            self.templates[waiting] = with_waiting(base, target, setup, waiting)
            print(
                f"  prepared {waiting} waiting in {time.perf_counter() - started:.1f} s", flush=True
            )
        return self.templates[waiting]

    # -- baseline

    def measure_baseline(self, sections: set[str]) -> None:
        wrk_connections = sorted(set(self.args.connections)) if "issue" in sections else []
        if self.tool == "wrk" and ("estimator" in sections or "cycle" in sections):
            wrk_connections = sorted({1, *wrk_connections})
        client_connections = sorted(set(self.args.operators)) if "cycle" in sections else []
        if self.tool == "client":
            client_connections = sorted({1, *client_connections, *wrk_connections})
            wrk_connections = []
        with bare_server(self.workdir) as bare:
            issue_load(self.tool, bare, self.bare_path(), self.bare_body(), 4, 1)  # warm-up
            for tool, counts in (("wrk", wrk_connections), ("client", client_connections)):
                for connections in counts:
                    used = settle(bare.port)
                    load = issue_load(
                        tool,
                        bare,
                        self.bare_path(),
                        self.bare_body(),
                        connections,
                        self.args.duration,
                    )
                    load["cpu_ms_per_request"] = cpu_ms(settle(bare.port) - used, load["requests"])
                    load.update(tool=tool, connections=connections)
                    self.baseline[f"{tool}/{connections}"].append(load)
                    print(f"  bare {tool} c={connections}: {compact(load)}", flush=True)

    def bare_path(self) -> str:
        return f"/api/v1/offices/{BARE_OFFICE}/tickets"

    def bare_body(self) -> dict[str, Any]:
        return {"topic_id": 1, **ISSUE_BODY_EXTRA}

    def bare(self, tool: str, connections: int) -> dict[str, Any] | None:
        """The baseline at this client and connection count, averaged over its measurements."""
        runs = self.baseline.get(f"{tool}/{connections}")
        if not runs:
            return None
        mean = {
            key: round(sum(r[key] for r in runs) / len(runs), 3)
            for key in ("rps", "p50_ms", "p99_ms", "cpu_ms_per_request")
        }
        mean["runs"] = len(runs)
        if len(runs) > 1:
            mean["rps_drift"] = round(runs[-1]["rps"] / runs[0]["rps"] - 1, 3)
        return mean

    # -- issue

    def measure_issue(self) -> list[dict[str, Any]]:
        _base, setup = self.prepared()
        rows = []
        for waiting in self.args.waiting:
            template = self.template(waiting)
            for connections in self.args.connections:
                with queue_server_on(template, self.workdir) as target:
                    assert target.database is not None
                    warm_up(target, setup)
                    before = ticket_counts(target.database, setup.office_id)
                    used = settle(target.port)
                    load = issue_load(
                        self.tool,
                        target,
                        setup.issue_path(),
                        setup.issue_body(),
                        connections,
                        self.args.duration,
                        setup.issue_headers,
                    )
                    used = settle(target.port) - used
                    after = ticket_counts(target.database, setup.office_id)
                answered = after["all"] - before["all"]
                load.update(
                    waiting=waiting,
                    connections=connections,
                    waiting_after=after.get(TicketStatus.WAITING.value, 0),
                    answered=answered,  # tickets the server issued, in-flight ones included
                    cpu_ms_per_request=cpu_ms(used, answered),
                )
                rows.append(load)
                print(f"  issue waiting={waiting} c={connections}: {compact(load)}", flush=True)
        return rows

    # -- call-next, start, finish

    def measure_cycles(self) -> list[dict[str, Any]]:
        _base, setup = self.prepared()
        template = self.template(self.args.cycle_waiting)
        rows = []
        for operators in self.args.operators:
            with queue_server_on(template, self.workdir) as target:
                assert target.database is not None
                warm_up(target, setup)
                workers = [
                    {"kind": "cycle", "token": login_token(target.url, *account), "window_id": w}
                    for account, w in zip(setup.operators[:operators], setup.windows, strict=False)
                ]
                waiting = waiting_in(target.database, setup.office_id)
                used = settle(target.port)
                load = run_client(
                    {"port": target.port, "duration": self.args.duration, "workers": workers}
                )
                used = settle(target.port) - used
                waiting_after = waiting_in(target.database, setup.office_id)
            latency = load["latency_ms"]
            row = {
                "operators": operators,
                "waiting": waiting,
                "waiting_after": waiting_after,
                "cycles": load["units"],
                "requests": load["requests"],
                "seconds": load["elapsed_s"],
                "cycles_per_s": round(load["units"] / load["elapsed_s"], 2),
                "requests_per_s": round(load["requests"] / load["elapsed_s"], 1),
                "cycle_p50_ms": latency.get("cycle", {}).get("p50"),
                "cycle_p99_ms": latency.get("cycle", {}).get("p99"),
                "request_p50_ms": latency["request"].get("p50"),
                "request_p99_ms": latency["request"].get("p99"),
                "per_kind_ms": {k: v for k, v in latency.items() if k not in ("cycle", "request")},
                "cpu_ms_per_cycle": cpu_ms(used, load["units"]),
                "cpu_ms_per_request": cpu_ms(used, load["requests"]),
                "queue_ran_out": load["queue_ran_out"],
                "errors": load["errors"],
            }
            if row["queue_ran_out"]:
                print("    ! the queue ran out: raise --cycle-waiting", flush=True)
            rows.append(row)
            print(f"  cycle operators={operators}: {compact(row)}", flush=True)
        return rows

    # -- the estimator against the queue's length

    def measure_estimator(self) -> list[dict[str, Any]]:
        _base, setup = self.prepared()
        rows = []
        for waiting in self.args.estimator_levels:
            with queue_server_on(self.template(waiting), self.workdir) as target:
                assert target.database is not None
                warm_up(target, setup)
                worker = {
                    "kind": "issue",
                    "path": setup.issue_path(),
                    "body": setup.issue_body(),
                    "headers": setup.issue_headers,
                }
                used = settle(target.port)
                load = run_client(
                    {
                        "port": target.port,
                        "requests": self.args.estimator_requests,
                        "workers": [worker],
                    }
                )
                used = settle(target.port) - used
                waiting_after = waiting_in(target.database, setup.office_id)
            row = {
                "waiting": waiting,
                "waiting_after": waiting_after,
                "issues": load["units"],
                "cpu_ms_per_issue": cpu_ms(used, load["units"]),
                "p50_ms": load["latency_ms"]["request"].get("p50"),
                "p99_ms": load["latency_ms"]["request"].get("p99"),
            }
            rows.append(row)
            print(f"  estimator waiting={waiting}: {compact(row)}", flush=True)
        return rows

    # -- profile

    def profile(self) -> dict[str, Any]:
        base, setup = self.prepared()
        requests = self.args.profile_requests
        waiting = max(0, 200 - requests // 2)  # about 200 on average over the profiled requests
        database = with_waiting(base, self.workdir / "profile" / "bench.sqlite3", setup, waiting)
        settings = Settings(
            database_url=f"sqlite:///{database}",
            env="demo",
            argon2_time_cost=1,
            argon2_memory_cost=8192,
            housekeeping_interval_seconds=3600,
        )
        result = asyncio.run(profile_issues(settings, setup, requests, self.args.profiler))
        result.update(waiting=waiting, waiting_after=waiting_in(database, setup.office_id))
        return result


# ---------------------------------------------------------------- profile


ESTIMATE_FILES = (
    "queue_server/services/estimates.py",
    "queue_server/core/eta.py",
    "queue_server/core/routing.py",
)
WRITE_FILES = (
    "queue_server/services/issuing.py",
    "queue_server/services/eventlog.py",
    "queue_server/db/repositories/counters.py",
)
FRAMEWORK_LIBS = ("fastapi", "starlette", "pydantic", "pydantic_core", "anyio")
GROUPS = {
    "estimate": f"estimate ({', '.join(Path(f).stem for f in ESTIMATE_FILES)})",
    "write": "write transaction (issuing, event log, counters, unit_of_work: commit, publish)",
    "app": "other app code (handler, answer's reads, presenter, slip)",
    "framework": "framework (FastAPI, Starlette, pydantic, ...)",
    "client": "in-process client (httpx), not part of the request",
    "outside": "outside the requests (event loop, other tasks)",
}


def classify(path: str, function: str) -> str | None:
    path = path.replace(os.sep, "/")
    if any(path.endswith(f) for f in ESTIMATE_FILES):
        return "estimate"
    if any(path.endswith(f) for f in WRITE_FILES) or (
        path.endswith("queue_server/db/engine.py") and function == "unit_of_work"
    ):
        return "write"
    if any(f"/{lib}/" in path for lib in FRAMEWORK_LIBS):
        return "framework"
    if "/queue_server/" in path:
        return "app"
    if "/httpx/" in path or "/httpcore/" in path:
        return "client"
    return None  # stdlib, SQLAlchemy, aiosqlite...: charged to whoever called them


def inherit(outer: str, own: str | None) -> str:
    """The estimate absorbs everything under it; the write transaction everything but estimates."""
    if outer == "estimate" or (outer == "write" and own != "estimate"):
        return outer
    return own or outer


async def profile_issues(
    settings: Settings, setup: Setup, requests: int, profiler: str
) -> dict[str, Any]:
    from queue_server.app import create_app

    app = create_app(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _ in range(20):
                warm = setup.issue_body(setup.warm_topic_id)
                answer = await client.post(setup.issue_path(setup.warm_office_id), json=warm)
                answer.raise_for_status()

            async def issue_all() -> float:
                started = time.perf_counter()
                for _ in range(requests):
                    answer = await client.post(setup.issue_path(), json=setup.issue_body())
                    assert answer.status_code == 201, answer.text
                return time.perf_counter() - started

            used = time.process_time()
            if profiler == "sampler":
                result = await _sampled(issue_all, requests)
            elif profiler == "pyinstrument":
                result = await _pyinstrument(issue_all, requests)
            else:
                result = await _cprofile(issue_all, requests)
            result["process_cpu_ms_per_request"] = round(
                (time.process_time() - used) * 1000 / requests, 2
            )
            return result


Code = tuple[str, str, int]  # qualified name, file, first line


def _code(frame: Any) -> Code:
    code = frame.f_code
    return (code.co_qualname, code.co_filename, code.co_firstlineno)


def _frames_up(frame: Any) -> list[Any]:
    frames = []
    while frame is not None:
        frames.append(frame)
        frame = frame.f_back
    return frames[::-1]


class Sampler:
    """Wall-clock stack samples of the event loop's thread, taken from another thread.

    No per-call hook (cProfile and pyinstrument pay one on every call, which inflates call-heavy
    code such as the estimate's replay 2-3x). Three details keep a sample's stack whole:
    - while the loop waits in select(), the sample takes the profiled task's await chain
      (coroutine by coroutine; `async with` generators through contextlib's `self.gen`), so
      time spent waiting for the database thread goes to the code that awaits it;
    - SQLAlchemy runs its ORM work in greenlets, whose bottom frame has no caller: a greenlet
      trace remembers the running greenlet and its parent's suspended frames are prepended;
    - the switch interval is lowered while sampling, so that the sampler gets the GIL on time.
    """

    def __init__(self, task: asyncio.Task[Any], interval: float = 0.001) -> None:
        self.task, self.interval = task, interval
        self.thread_id = threading.get_ident()
        self.samples: list[tuple[float, bool, list[Code]]] = []
        self.greenlet: Any = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        import greenlet  # type: ignore[import-untyped]

        def trace(event: str, args: Any) -> None:
            if event in ("switch", "throw"):
                self.greenlet = args[1]

        self._previous_trace = greenlet.settrace(trace)
        self._switch = sys.getswitchinterval()
        sys.setswitchinterval(self.interval / 5)
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        import greenlet

        self._stop.set()
        self._thread.join()
        sys.setswitchinterval(self._switch)
        greenlet.settrace(self._previous_trace)

    def _run(self) -> None:
        last = time.perf_counter()
        while not self._stop.is_set():
            time.sleep(self.interval)
            frame = sys._current_frames().get(self.thread_id)
            now = time.perf_counter()
            weight, last = now - last, now
            if frame is None:
                continue
            frames = _frames_up(frame)
            idle = frames[-1].f_code.co_name == "select" and frames[-1].f_code.co_filename.endswith(
                "selectors.py"
            )
            if idle:
                frames = self._awaiting()
            else:
                current = self.greenlet
                while frames[0].f_back is None and frames[0].f_code.co_name != "<module>":
                    parent = getattr(current, "parent", None)
                    if parent is None or parent.gr_frame is None:
                        break
                    frames = _frames_up(parent.gr_frame) + frames
                    current = parent
            self.samples.append((weight, idle, [_code(f) for f in frames]))

    def _awaiting(self) -> list[Any]:
        frames: list[Any] = []
        awaited: Any = self.task.get_coro()
        while awaited is not None:
            frame = next(
                (
                    getattr(awaited, a)
                    for a in ("cr_frame", "gi_frame", "ag_frame")
                    if getattr(awaited, a, None) is not None
                ),
                None,
            )
            if frame is None:
                break
            frames.append(frame)
            following = next(
                (
                    getattr(awaited, a)
                    for a in ("cr_await", "gi_yieldfrom", "ag_await")
                    if getattr(awaited, a, None) is not None
                ),
                None,
            )
            if following is not None and not any(
                hasattr(following, a) for a in ("cr_frame", "gi_frame", "ag_frame")
            ):  # anext(generator) of an `async with`: follow contextlib's generator instead
                generator = getattr(frame.f_locals.get("self"), "gen", None)
                following = generator if hasattr(generator, "ag_frame") else following
            awaited = following
        return frames


async def _sampled(issue_all: Any, requests: int) -> dict[str, Any]:
    task = asyncio.current_task()
    assert task is not None
    with Sampler(task) as sampler:
        elapsed = await issue_all()
    groups: dict[str, float] = defaultdict(float)
    waiting: dict[str, float] = defaultdict(float)
    cumulative: dict[tuple[str, str], float] = defaultdict(float)
    for weight, idle, stack in sampler.samples:
        start = next((i for i, c in enumerate(stack) if c[0].endswith("issue_all")), None)
        if start is None:
            groups["outside"] += weight
            continue
        context = "client"
        seen = set()
        for name, path, line in stack[start + 1 :]:
            context = inherit(context, classify(path, name))
            key = (name, f"{short(path)}:{line}")
            if key not in seen:
                seen.add(key)
                cumulative[key] += weight
        groups[context] += weight
        if idle:
            waiting[context] += weight
    result = _profile_result(
        f"stack sampler, {len(sampler.samples)} samples", elapsed, requests, groups, cumulative
    )
    result["groups_waiting_ms_per_request"] = {
        GROUPS.get(k, k): round(v * 1000 / requests, 2) for k, v in waiting.items()
    }
    return result


async def _pyinstrument(issue_all: Any, requests: int) -> dict[str, Any]:
    from pyinstrument import Profiler

    profile = Profiler(interval=0.0005, async_mode="enabled")
    profile.start()
    elapsed = await issue_all()
    profile.stop()
    root = profile.last_session.root_frame() if profile.last_session else None
    groups: dict[str, float] = defaultdict(float)
    cumulative: dict[tuple[str, str], float] = defaultdict(float)

    def walk(frame: Any, context: str, above: frozenset[tuple[str, str]]) -> None:
        path = frame.file_path or ""
        here = inherit(context, classify(path, frame.function))
        groups[here] += frame.time - sum(child.time for child in frame.children)
        key = (frame.function, f"{short(path)}:{frame.line_no}")
        if frame.file_path and key not in above:  # recursion counted once
            cumulative[key] += frame.time
        for child in frame.children:
            walk(child, here, above | {key})

    if root is not None:
        walk(root, "client", frozenset())
    return _profile_result("pyinstrument (wall clock)", elapsed, requests, groups, cumulative)


async def _cprofile(issue_all: Any, requests: int) -> dict[str, Any]:
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    elapsed = await issue_all()
    profile.disable()
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    groups: dict[str, float] = defaultdict(float)
    cumulative: dict[tuple[str, str], float] = {}
    for (path, line, function), (_cc, _nc, _tt, ct, callers) in stats.items():
        cumulative[(function, f"{short(path)}:{line}")] = ct
        group = classify(path, function)
        if group in ("estimate", "write") and not any(
            classify(caller[0], caller[2]) == group for caller in callers
        ):
            groups[group] += ct  # an entry into the group from outside it
        if function == "__call__" and path.endswith("fastapi/applications.py"):
            groups["request"] += ct
    groups["framework and the rest"] = (
        groups.pop("request", 0.0) - groups["estimate"] - groups["write"]
    )
    return _profile_result(
        "cProfile (CPU of the event loop's thread only)", elapsed, requests, groups, cumulative
    )


def short(path: str) -> str:
    path = path.replace(os.sep, "/")
    for marker in ("/site-packages/", "/queue_server/", "/lib/python"):
        if marker in path:
            tail = path.split(marker, 1)[1]
            return ("queue_server/" + tail) if marker == "/queue_server/" else tail
    return path


def _profile_result(
    tool: str,
    elapsed: float,
    requests: int,
    groups: dict[str, float],
    cumulative: dict[tuple[str, str], float],
) -> dict[str, Any]:
    request_total = sum(v for k, v in groups.items() if k not in ("client", "outside"))
    top = sorted(cumulative.items(), key=lambda item: item[1], reverse=True)
    return {
        "profiler": tool,
        "requests": requests,
        "wall_ms_per_request": round(elapsed * 1000 / requests, 2),
        "groups_ms_per_request": {
            GROUPS.get(k, k): round(v * 1000 / requests, 2)
            for k, v in sorted(groups.items(), key=lambda item: -item[1])
        },
        "groups_share_of_request": {
            GROUPS.get(k, k): round(v / request_total, 3)
            for k, v in sorted(groups.items(), key=lambda item: -item[1])
            if k not in ("client", "outside") and request_total
        },
        "top_cumulative_ms_per_request": [
            {"function": f, "where": w, "ms": round(t * 1000 / requests, 2)}
            for (f, w), t in top[:80]
        ],
    }


# ---------------------------------------------------------------- output


def compact(row: dict[str, Any]) -> str:
    keep = {k: v for k, v in row.items() if not isinstance(v, dict | list) or k == "errors"}
    return json.dumps(keep)


def fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and abs(value) < 1:
        return f"{value:.3g}"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def table(headers: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(fmt(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def report(bench: Benchmark, results: dict[str, Any]) -> str:
    out = []
    if bench.baseline:
        rows = []
        for key in sorted(bench.baseline, key=lambda k: (k.split("/")[0], int(k.split("/")[1]))):
            tool, connections = key.split("/")
            mean = bench.bare(tool, int(connections))
            assert mean is not None
            rows.append(
                [
                    tool,
                    int(connections),
                    mean["rps"],
                    mean["p50_ms"],
                    mean["p99_ms"],
                    mean["cpu_ms_per_request"],
                    mean.get("rps_drift"),
                ]
            )
        out.append("Bare endpoint (baseline, mean of the runs at start and end):")
        out.append(
            table(
                [
                    "client",
                    "conns",
                    "req/s",
                    "p50 ms",
                    "p99 ms",
                    "CPU ms/req",
                    "req/s drift end vs start",
                ],
                rows,
            )
        )
    if results.get("issue"):
        rows = []
        for r in results["issue"]:
            bare = r.get("bare") or {}
            rows.append(
                [
                    r["waiting"],
                    r["connections"],
                    r["rps"],
                    r["rps_vs_bare"],
                    r["p50_ms"],
                    r["p99_ms"],
                    ratio(r["p50_ms"], bare.get("p50_ms")),
                    r["cpu_ms_per_request"],
                    r["cpu_vs_bare"],
                    r["waiting_after"],
                ]
            )
        out.append(f"\nPOST /offices/{{id}}/tickets (load: {bench.tool}):")
        out.append(
            table(
                [
                    "waiting",
                    "conns",
                    "req/s",
                    "x bare req/s",
                    "p50 ms",
                    "p99 ms",
                    "x bare p50",
                    "CPU ms/req",
                    "x bare CPU",
                    "waiting at end",
                ],
                rows,
            )
        )
    if results.get("cycle"):
        rows = []
        for r in results["cycle"]:
            rows.append(
                [
                    r["operators"],
                    r["waiting"],
                    r["cycles_per_s"],
                    r["cycle_p50_ms"],
                    r["cycle_p99_ms"],
                    r["request_p50_ms"],
                    r["request_p99_ms"],
                    r["request_p50_vs_bare"],
                    r["cpu_ms_per_cycle"],
                    r["cpu_ms_per_request"],
                    r["cpu_per_request_vs_bare"],
                ]
            )
        out.append(
            "\nCall-next + start + finish (load: asyncio client, one connection per operator):"
        )
        out.append(
            table(
                [
                    "operators",
                    "waiting",
                    "cycles/s",
                    "cycle p50 ms",
                    "cycle p99 ms",
                    "request p50 ms",
                    "request p99 ms",
                    "x bare p50",
                    "CPU ms/cycle",
                    "CPU ms/req",
                    "x bare CPU",
                ],
                rows,
            )
        )
        kinds = []
        for r in results["cycle"]:
            for kind, s in r["per_kind_ms"].items():
                kinds.append([r["operators"], kind, s.get("p50"), s.get("p99"), s.get("mean")])
        out.append(table(["operators", "request", "p50 ms", "p99 ms", "mean ms"], kinds))
    if results.get("estimator"):
        rows = [
            [
                r["waiting"],
                r["waiting_after"],
                r["issues"],
                r["cpu_ms_per_issue"],
                r["cpu_vs_bare"],
                r["p50_ms"],
            ]
            for r in results["estimator"]
        ]
        out.append("\nIssue cost against the queue's length (one client, sequential):")
        out.append(
            table(
                ["waiting", "waiting at end", "issues", "CPU ms/issue", "x bare CPU", "p50 ms"],
                rows,
            )
        )
        slope = results.get("estimator_slope_ms_per_100_waiting")
        if slope is not None:
            out.append(f"slope: {slope:.2f} CPU ms per issue per 100 more waiting")
    if results.get("profile"):
        p = results["profile"]
        out.append(
            f"\nProfile: {p['requests']} issues in-process, {p['waiting']} -> "
            f"{p['waiting_after']} waiting, {p['profiler']}, "
            f"{p['wall_ms_per_request']} ms per request (profiler included):"
        )
        shares = p["groups_share_of_request"]
        idle = p.get("groups_waiting_ms_per_request", {})
        out.append(
            f"(process CPU under the profiler: {p['process_cpu_ms_per_request']} ms per "
            "request, client and database thread included)"
        )
        out.append(
            table(
                ["group", "ms/request", "of which loop idle (awaiting)", "share of request"],
                [
                    [g, ms, idle.get(g), shares.get(g)]
                    for g, ms in p["groups_ms_per_request"].items()
                ],
            )
        )
        whole = max((t["ms"] for t in p["top_cumulative_ms_per_request"]), default=0)
        inner = [t for t in p["top_cumulative_ms_per_request"] if t["ms"] < 0.9 * whole]
        out.append(
            f"Top functions by cumulative time ({len(p['top_cumulative_ms_per_request']) - len(inner)}"
            " wrappers around the whole request left out; all in the JSON):"
        )
        out.append(
            table(
                ["function", "where", "cumulative ms/request"],
                [[t["function"], t["where"], t["ms"]] for t in inner[:30]],
            )
        )
    return "\n".join(out)


def code_under_test() -> dict[str, Any]:
    where = Path(queue_server.__file__).resolve().parent.parent
    info: dict[str, Any] = {"queue_server": str(Path(queue_server.__file__).resolve().parent)}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        head = subprocess.run(
            ["git", "-C", str(where), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
        status = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(where), "status", "--porcelain"],
            capture_output=True,
            text=True,
            check=False,
        )
        info["git_head"] = head.stdout.strip()
        info["changed_files"] = len([x for x in status.stdout.splitlines() if x.strip()])
    return info


# ---------------------------------------------------------------- main

SECTIONS = ("issue", "cycle", "estimator", "profile")


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="sections to run")
    parser.add_argument("--profile", action="store_true", help="add the in-process profile")
    parser.add_argument(
        "--quick", action="store_true", help="2 s runs, 0 and 100 waiting, estimator at 10 and 100"
    )
    parser.add_argument("--duration", type=int, help="seconds per load run (default 5)")
    parser.add_argument("--connections", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--waiting", type=int, nargs="+", help="issue levels (0 100 1000)")
    parser.add_argument("--operators", type=int, nargs="+", default=[1, 8])
    parser.add_argument("--cycle-waiting", type=int, default=300, help="queue before the cycles")
    parser.add_argument("--estimator-levels", type=int, nargs="+", help="(10 100 1000)")
    parser.add_argument("--estimator-requests", type=int, help="issues per level (40)")
    parser.add_argument("--profile-requests", type=int, help="issues profiled (100)")
    parser.add_argument(
        "--profiler",
        choices=["sampler", "pyinstrument", "cprofile"],
        default="sampler",
        help="sampler: this script's stack sampler",
    )
    parser.add_argument("--tool", choices=["auto", "wrk", "client"], default="auto")
    parser.add_argument("--out", type=Path, help="JSON file (default benchmarks/results/...)")
    args = parser.parse_args(argv)
    quick = args.quick
    args.duration = args.duration or (2 if quick else 5)
    args.waiting = args.waiting or ([0, 100] if quick else [0, 100, 1000])
    args.estimator_levels = args.estimator_levels or ([10, 100] if quick else [10, 100, 1000])
    args.estimator_requests = args.estimator_requests or (15 if quick else 40)
    args.profile_requests = args.profile_requests or (30 if quick else 100)
    if quick and args.cycle_waiting == 300:
        args.cycle_waiting = 150
    if max(args.operators) > 8:
        parser.error("at most 8 operators")
    return args


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv)
    sections = set(args.only or ["issue", "cycle", "estimator"])
    if args.profile:
        sections.add("profile")
    tool = args.tool
    if tool == "auto":
        tool = "wrk" if find_wrk() else "client"
    elif tool == "wrk" and not find_wrk():
        raise SystemExit("wrk is not installed (apt-get install -y wrk), or use --tool client")
    started = datetime.now(UTC)
    code = code_under_test()
    print(
        f"code under test: {code}; load average {os.getloadavg()[0]:.2f} on "
        f"{os.cpu_count()} cores; load: {tool}; sections: {sorted(sections)}",
        flush=True,
    )
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="request-path-") as directory:
        bench = Benchmark(args, tool, Path(directory))
        measured = sections & {"issue", "cycle", "estimator"}
        if measured:
            print("bare endpoint (start):", flush=True)
            bench.measure_baseline(measured)
        if "issue" in sections:
            results["issue"] = bench.measure_issue()
        if "cycle" in sections:
            results["cycle"] = bench.measure_cycles()
        if "estimator" in sections:
            results["estimator"] = bench.measure_estimator()
        if measured and not args.quick:
            print("bare endpoint (end):", flush=True)
            bench.measure_baseline(measured)
        if "profile" in sections:
            print("profile:", flush=True)
            results["profile"] = bench.profile()
    for row in results.get("issue", []):
        bare = bench.bare(tool, row["connections"])
        row["bare"] = bare
        row["rps_vs_bare"] = ratio(row["rps"], bare and bare["rps"])
        row["cpu_vs_bare"] = ratio(row["cpu_ms_per_request"], bare and bare["cpu_ms_per_request"])
    cpu_tool = tool  # the bare CPU per request does not depend on the client much
    for row in results.get("cycle", []):
        bare = bench.bare("client", row["operators"])
        row["bare"] = bare
        row["request_p50_vs_bare"] = ratio(row["request_p50_ms"], bare and bare["p50_ms"])
        cpu_base = bench.bare(cpu_tool, 1)
        row["cpu_per_request_vs_bare"] = ratio(
            row["cpu_ms_per_request"], cpu_base and cpu_base["cpu_ms_per_request"]
        )
    estimator = results.get("estimator", [])
    for row in estimator:
        base = bench.bare(cpu_tool, 1)
        row["cpu_vs_bare"] = ratio(row["cpu_ms_per_issue"], base and base["cpu_ms_per_request"])
    if len(estimator) >= 2 and estimator[-1]["waiting"] != estimator[0]["waiting"]:
        first, last = estimator[0], estimator[-1]
        mean_first = (first["waiting"] + first["waiting_after"]) / 2
        mean_last = (last["waiting"] + last["waiting_after"]) / 2
        if first["cpu_ms_per_issue"] is not None and last["cpu_ms_per_issue"] is not None:
            results["estimator_slope_ms_per_100_waiting"] = round(
                (last["cpu_ms_per_issue"] - first["cpu_ms_per_issue"])
                / (mean_last - mean_first)
                * 100,
                3,
            )
    document = {
        "benchmark": "request_path",
        "started": started.isoformat(timespec="seconds"),
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "load_average_end": round(os.getloadavg()[0], 2),
        "cores": os.cpu_count(),
        "code": code,
        "load_tool": tool,
        "arguments": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "command": " ".join(
            [
                Path(sys.executable).name,
                "-m",
                "benchmarks.request_path",
                *(argv if argv is not None else sys.argv[1:]),
            ]
        ),
        "baseline": {k: v for k, v in bench.baseline.items()},
        "setup": asdict(bench.setup) if bench.setup else None,
        **results,
    }
    if document["setup"]:
        document["setup"].pop("operators", None)
        document["setup"].pop("warm_operator", None)
    print()
    print(report(bench, results))
    out = args.out or RESULTS / f"request_path-{started.strftime('%Y%m%dT%H%M%SZ')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"\nfigures written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
