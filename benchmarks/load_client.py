"""A closed-loop HTTP/1.1 load client for `benchmarks/request_path.py`, run in a process of its own.

    echo '{"port": 8000, "duration": 5, "workers": [...]}' | .venv/bin/python -m benchmarks.load_client

Every worker holds one keep-alive connection (plain asyncio streams: a few tens of microseconds per
request on the client side, where httpx costs about a millisecond, which would be most of the bare
endpoint's time) and sends its next request as soon as the previous answer is read. A worker is
either
- `{"kind": "issue", "path": "/api/v1/offices/1/tickets", "body": {...}}`: one POST after another;
- `{"kind": "cycle", "token": "...", "window_id": 3}`: an operator's cycle, POST
  /windows/{id}/call-next, then /tickets/{id}/start and /tickets/{id}/finish; a 204 from call-next
  (nobody waiting) ends that worker and is reported as `queue_ran_out`.
The run ends after `duration` seconds (a unit in progress is finished, so the server answered every
request counted) or after `requests` units in all. Prints one JSON object: units, requests,
elapsed seconds, HTTP statuses, and latency summaries in milliseconds (per request kind, per cycle).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter, defaultdict
from typing import Any


class Connection:
    def __init__(self, host: str, port: int, headers: dict[str, str]) -> None:
        self.host, self.port = host, port
        self.extra = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        assert self.reader is not None
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self.extra}"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
        )
        self.writer.write(head.encode("latin-1") + body)
        status, headers, answer = await read_response(self.reader)
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, answer

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer, self.reader = None, None


async def read_response(reader: asyncio.StreamReader) -> tuple[int, dict[str, str], bytes]:
    lines = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        if line:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
    if status in (204, 304) or status < 200:
        return status, headers, b""
    if "content-length" in headers:
        return status, headers, await reader.readexactly(int(headers["content-length"]))
    if headers.get("transfer-encoding", "").lower() != "chunked":
        raise RuntimeError(f"answer {status} has neither a length nor chunks")
    chunks: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, headers, b"".join(chunks)
        chunks.append(chunk[:-2])


class Run:
    def __init__(self, spec: dict[str, Any]) -> None:
        self.host = spec.get("host", "127.0.0.1")
        self.port = int(spec["port"])
        duration = spec.get("duration")
        self.deadline = None if duration is None else time.perf_counter() + float(duration)
        self.left = spec.get("requests")
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: Counter[int] = Counter()
        self.errors: list[str] = []
        self.units = 0
        self.ran_out = False

    def another(self) -> bool:
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            return False
        if self.left is not None:
            if self.left <= 0:
                return False
            self.left -= 1
        return True

    async def timed(
        self, connection: Connection, kind: str, method: str, path: str, body: bytes = b""
    ) -> tuple[int, bytes]:
        started = time.perf_counter()
        status, answer = await connection.request(method, path, body)
        self.latencies[kind].append((time.perf_counter() - started) * 1000)
        self.statuses[status] += 1
        return status, answer

    def failed(self, what: str, status: int, answer: bytes) -> None:
        if len(self.errors) < 5:
            self.errors.append(f"{what}: {status} {answer[:200].decode(errors='replace')}")

    async def issue(self, worker: dict[str, Any]) -> None:
        connection = Connection(self.host, self.port, worker.get("headers", {}))
        body = json.dumps(worker["body"]).encode()
        try:
            while self.another():
                status, answer = await self.timed(connection, "issue", "POST", worker["path"], body)
                if status != 201:
                    self.failed("issue", status, answer)
                self.units += 1
        finally:
            await connection.close()

    async def cycle(self, worker: dict[str, Any]) -> None:
        headers = {"Authorization": f"Bearer {worker['token']}"}
        connection = Connection(self.host, self.port, headers)
        call = f"/api/v1/windows/{worker['window_id']}/call-next"
        try:
            while self.another():
                started = time.perf_counter()
                status, answer = await self.timed(connection, "call-next", "POST", call)
                if status == 204:
                    self.ran_out = True
                    return
                if status != 200:
                    self.failed("call-next", status, answer)
                    return
                ticket = json.loads(answer)["id"]
                for action in ("start", "finish"):
                    path = f"/api/v1/tickets/{ticket}/{action}"
                    status, answer = await self.timed(connection, action, "POST", path)
                    if status != 200:
                        self.failed(action, status, answer)
                        return
                self.latencies["cycle"].append((time.perf_counter() - started) * 1000)
                self.units += 1
        finally:
            await connection.close()


def summary(values: list[float]) -> dict[str, float | int]:
    ordered = sorted(values)
    if not ordered:
        return {"count": 0}

    def rank(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)

    return {
        "count": len(ordered),
        "p50": rank(0.50),
        "p99": rank(0.99),
        "max": round(ordered[-1], 2),
        "mean": round(sum(ordered) / len(ordered), 2),
    }


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    load = Run(spec)
    started = time.perf_counter()
    await asyncio.gather(*(getattr(load, w["kind"])(w) for w in spec["workers"]))
    elapsed = time.perf_counter() - started
    every = [
        value for kind, values in load.latencies.items() if kind != "cycle" for value in values
    ]
    return {
        "units": load.units,
        "requests": len(every),
        "elapsed_s": round(elapsed, 3),
        "statuses": {str(code): count for code, count in sorted(load.statuses.items())},
        "latency_ms": {
            "request": summary(every),
            **{kind: summary(values) for kind, values in load.latencies.items()},
        },
        "queue_ran_out": load.ran_out,
        "errors": load.errors,
    }


def main() -> int:
    print(json.dumps(asyncio.run(run(json.load(sys.stdin)))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
