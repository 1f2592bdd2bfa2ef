"""A real `queue-server serve` in a subprocess (several worker processes), and direct DB queries."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import text

from queue_server.db.engine import Database
from tests.support import free_port, run_coroutine

QUEUE_SERVER = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "queue-server"


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment of a demo-mode server on this database, with cheap password hashing."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("QUEUE_")}
    env.update(
        QUEUE_DATABASE_URL=database_url,
        QUEUE_ENV="demo",
        QUEUE_SECRET_KEY="concurrency-test-secret-key",
        QUEUE_ARGON2_TIME_COST="1",
        QUEUE_ARGON2_MEMORY_COST="8192",
        QUEUE_HOUSEKEEPING_INTERVAL_SECONDS="3600",
    )
    env.update(extra)
    return env


@dataclass
class ServerProcess:
    """`queue-server serve` in its own process group, so that a kill reaches every worker."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def kill(self) -> None:
        """SIGKILL the supervisor and all its workers at once: a power cut, not a shutdown."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def start(
    database_url: str, log: Path, workers: int = 2, env: dict[str, str] | None = None
) -> ServerProcess:
    """Start the server and wait until it answers; raise with its log if it does not."""
    port = free_port()
    command: Sequence[str] = [
        str(QUEUE_SERVER), "serve", "--host", "127.0.0.1", "--port", str(port),
        "--workers", str(workers),
    ]  # fmt: skip
    with log.open("ab") as sink:
        process = subprocess.Popen(
            command,
            env=server_env(database_url, **(env or {})),
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = ServerProcess(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{server.log_tail()}")
        try:
            if httpx.get(f"{server.url}/api/v1/offices", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    server.stop()
    raise RuntimeError(f"the server did not answer within 60 s:\n{server.log_tail()}")


@contextmanager
def running(database_url: str, log: Path, workers: int = 2) -> Iterator[ServerProcess]:
    server = start(database_url, log, workers)
    try:
        yield server
    finally:
        server.stop()


def query(database_url: str, sql: str, **params: Any) -> list[Any]:
    """Rows of a read query straight from the database, bypassing the server."""

    async def run() -> list[Any]:
        database = Database(database_url)
        try:
            async with database.reading() as session:
                return list((await session.execute(text(sql), params)).all())
        finally:
            await database.dispose()

    return run_coroutine(run())
