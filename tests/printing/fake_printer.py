"""A loopback ESC/POS "printer" on 127.0.0.1: answers status queries like a real one, keeps jobs."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

PAPER_QUERY = b"\x10\x04\x04"  # DLE EOT 4
PAPER_OK = b"\x12"  # fixed bits only: paper present
PAPER_NEAR_END = b"\x1e"
PAPER_OUT = b"\x72"


class LoopbackPrinter:
    """Accepts connections, answers DLE EOT 4 with `paper` (None: never answers), records bytes."""

    def __init__(self, paper: bytes | None = PAPER_OK) -> None:
        self.paper = paper
        self.jobs: list[bytes] = []
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(8)
        self._listener.settimeout(0.2)
        self.port: int = self._listener.getsockname()[1]
        self._stop = threading.Event()
        self._connections: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._connections.append(connection)
            threading.Thread(target=self._job, args=(connection,), daemon=True).start()

    def _job(self, connection: socket.socket) -> None:
        received = b""
        connection.settimeout(0.2)
        while not self._stop.is_set():
            try:
                chunk = connection.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            received += chunk
            if self.paper is not None and PAPER_QUERY in chunk:
                connection.sendall(self.paper)
        self.jobs.append(received)
        with contextlib.suppress(OSError):
            connection.close()

    def wait_for_job(self, timeout: float = 5.0) -> bytes:
        deadline = time.monotonic() + timeout
        while not self.jobs:
            if time.monotonic() > deadline:
                raise AssertionError("the printer received no job")
            time.sleep(0.01)
        return self.jobs[-1]

    def close(self) -> None:
        self._stop.set()
        self._listener.close()
        self._thread.join(timeout=2)
        for connection in self._connections:
            with contextlib.suppress(OSError):
                connection.close()


@contextmanager
def loopback_printer(paper: bytes | None = PAPER_OK) -> Iterator[LoopbackPrinter]:
    printer = LoopbackPrinter(paper)
    try:
        yield printer
    finally:
        printer.close()


def refusing_port() -> int:
    """A port on 127.0.0.1 where nothing listens: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
