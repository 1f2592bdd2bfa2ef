"""SQLite writers take turns: one queue per process, then one blocking file lock across processes.

SQLite lets one writer in at a time and makes the others sleep and retry (its busy handler). That
retry is unfair: a process whose writers hand the lock to each other back to back can keep a
writer of another worker process sleeping until `busy_timeout` runs out, and the visitor gets a
500 ("database is locked"). Here a writer first waits its turn in this process (an asyncio lock,
first come first served), then blocks in the kernel on `flock()` of a file next to the database,
which wakes a waiting process as soon as the holder lets go. By the time SQLite's own BEGIN
IMMEDIATE runs, nobody else is writing, so its busy handler never has to sleep.

The turns are about fairness only: SQLite's own locking still keeps every write correct, so a
writer that slips past a turn (a process without them, a migration) is merely unfair, not unsafe.

Only on SQLite; PostgreSQL queues its writers itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import weakref
from collections.abc import AsyncIterator
from pathlib import Path

from queue_server.db.storage import StorageFailed
from queue_server.errors import ServerBusy


class WriterTurns:
    """One SQLite writer at a time among every process using the same database file."""

    def __init__(self, database_path: Path, timeout_seconds: float) -> None:
        self.lock_path = database_path.with_name(database_path.name + ".writelock")
        self.timeout_seconds = timeout_seconds
        self._fd: int | None = None
        # A lock per event loop: tests and the CLI may use one Database from several loops.
        self._local: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )

    def _file(self) -> int:
        if self._fd is None:
            try:
                self._fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as error:  # a read-only or full directory: the request answers 503
                raise StorageFailed(error) from error
        return self._fd

    def _local_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._local.get(loop)
        if lock is None:
            lock = self._local[loop] = asyncio.Lock()
        return lock

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait until this writer may write, and let the next one in afterwards."""
        async with self._local_lock():
            fd = self._file()
            await self._lock_file(fd)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)

    async def _lock_file(self, fd: int) -> None:
        loop = asyncio.get_running_loop()
        locking = loop.run_in_executor(None, fcntl.flock, fd, fcntl.LOCK_EX)
        try:
            await asyncio.wait_for(asyncio.shield(locking), self.timeout_seconds)
        except BaseException as error:
            # The thread may still get the lock after we stop waiting: give it straight back.
            locking.add_done_callback(lambda done: _unlock_if_taken(done, fd))
            if isinstance(error, TimeoutError):
                raise ServerBusy(
                    "The server is busy saving other changes; please try again in a moment."
                ) from error
            raise

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _unlock_if_taken(done: asyncio.Future[None], fd: int) -> None:
    if not done.cancelled() and done.exception() is None:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
