"""`queue-server serve --workers N` in a subprocess group, with the environment a test chooses."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.support import free_port

QUEUE_SERVER = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "queue-server"


@contextmanager
def serving(database_url: str, log: Path, workers: int, **env: str) -> Iterator[str]:
    """The server's base URL while it runs; its log is in `log`."""
    port = free_port()
    environment = {key: value for key, value in os.environ.items() if not key.startswith("QUEUE_")}
    environment.update(
        QUEUE_DATABASE_URL=database_url,
        QUEUE_ENV="demo",
        QUEUE_SECRET_KEY="realtime-test-secret-key",
        QUEUE_ARGON2_TIME_COST="1",
        QUEUE_ARGON2_MEMORY_COST="8192",
        QUEUE_HOUSEKEEPING_INTERVAL_SECONDS="3600",
        **env,
    )
    command = [str(QUEUE_SERVER), "serve", "--host", "127.0.0.1", "--port", str(port)]
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [*command, "--workers", str(workers)],
            env=environment,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield url
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if httpx.get(f"{url}/api/v1/offices", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server did not start:\n{log.read_text(errors='replace')[-3000:]}")
