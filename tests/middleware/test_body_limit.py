"""Request bodies over 1 MiB are refused with 413 before they are read, with or without a length."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.concurrency import server_process
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, Api, LiveServer, login_token

MiB = 1024 * 1024
CHUNK = b" " * (64 * 1024)  # JSON allows any amount of white space


def office_body(size: int) -> bytes:
    """A valid office as JSON, padded with white space to `size` bytes."""
    body = json.dumps({"name": "Big", "address": "Lipetsk", "timezone": "Europe/Moscow"}).encode()
    return body[:-1] + b" " * (size - len(body)) + b"}"


def streamed(body: bytes) -> Iterator[bytes]:
    """The body in pieces, which httpx sends chunked: no Content-Length for the server."""
    for start in range(0, len(body), len(CHUNK)):
        yield body[start : start + len(CHUNK)]


def office_names(admin: Api) -> list[str]:
    return [office["name"] for office in admin.ok(admin.get("/api/v1/offices"))]


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    body = response.json()
    assert body["code"] == "payload_too_large"
    assert "1 MiB" in body["detail"]


def test_a_body_longer_than_1_mib_by_its_length_is_refused_and_changes_nothing(
    sqlite_server: LiveServer, sqlite_admin: Api
) -> None:
    before = office_names(sqlite_admin)
    headers = {"Content-Type": "application/json"}
    response = sqlite_admin.post("/api/v1/offices", content=office_body(2 * MiB), headers=headers)
    assert_too_large(response)
    assert office_names(sqlite_admin) == before
    # The same office in an ordinary body is created, on the same connection.
    created = sqlite_admin.post("/api/v1/offices", content=office_body(1000), headers=headers)
    assert created.status_code == 201, created.text
    assert office_names(sqlite_admin) == [*before, "Big"]


def test_a_chunked_body_growing_past_1_mib_is_refused_and_changes_nothing(
    sqlite_server: LiveServer, sqlite_admin: Api
) -> None:
    before = office_names(sqlite_admin)
    headers = {"Content-Type": "application/json"}
    big = sqlite_admin.post(
        "/api/v1/offices", content=streamed(office_body(2 * MiB)), headers=headers
    )
    assert "content-length" not in big.request.headers
    assert_too_large(big)
    assert office_names(sqlite_admin) == before
    # Just under the limit, streamed the same way, is no refusal.
    near = sqlite_admin.post(
        "/api/v1/offices", content=streamed(office_body(MiB - 1000)), headers=headers
    )
    assert near.status_code == 201, near.text


def rss_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise AssertionError(f"no {field} for process {pid}")


def send_100_mb(url: str, token: str, chunked: bool) -> int:
    """POST 100 MB of white space, without holding it in this process either; the status."""
    size = 100 * MiB

    def pieces() -> Iterator[bytes]:
        for _ in range(size // len(CHUNK)):
            yield CHUNK

    headers: dict[str, Any] = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
    }
    if not chunked:
        headers["Content-Length"] = str(size)
    response = httpx.post(f"{url}/api/v1/offices", content=pieces(), headers=headers, timeout=120)
    return response.status_code


@pytest.mark.slow
def test_the_servers_memory_stays_flat_under_100_mb_bodies(sqlite_url: str, tmp_path: Path) -> None:
    server = server_process.start(sqlite_url, tmp_path / "serve.log", workers=1)
    try:
        token = login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD)
        pid = server.process.pid  # one worker: uvicorn serves in this very process
        Path(f"/proc/{pid}/clear_refs").write_text("5")  # restart the peak (VmHWM) from now
        before = rss_kib(pid, "VmRSS")
        started = time.monotonic()
        with ThreadPoolExecutor(max_workers=4) as pool:
            statuses = list(
                pool.map(lambda n: send_100_mb(server.url, token, chunked=n % 2 == 1), range(8))
            )
        peak = rss_kib(pid, "VmHWM")
        print(
            f"8 x 100 MB bodies (4 at once, half chunked) in {time.monotonic() - started:.1f} s: "
            f"RSS {before / 1024:.0f} MiB before, peak {peak / 1024:.0f} MiB; answers {statuses}"
        )
        assert statuses == [413] * 8
        assert peak - before < 40 * 1024, f"grew by {(peak - before) / 1024:.0f} MiB"
    finally:
        server.stop()
