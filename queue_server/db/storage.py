"""When the database cannot store data: a full disk, a read-only file or directory, a disk error,
a PostgreSQL that cannot be reached or takes only reads.

A request that meets one answers `503 storage_unavailable`: its transaction is rolled back (nothing
half-done) and the next request simply tries again, so the server recovers by itself once space
returns. The commands that start the server check first and say what is wrong in one line.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import errno
import logging
import socket
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from queue_server.errors import QueueError, StorageUnavailable

log = logging.getLogger(__name__)
# Enough to hold a few pages, a WAL frame and the -shm file: less free space than this is full.
PROBE_BYTES = 64 * 1024
PG_CONNECT_TIMEOUT_SECONDS = 10


class Failure(enum.Enum):
    FULL = "the disk is full"
    READ_ONLY = "the database is read-only"
    DISK_ERROR = "the disk reports an I/O error"
    CANNOT_OPEN = "the database file cannot be opened"
    UNREACHABLE = "the database server cannot be reached"


SQLITE_FAILURES = {
    sqlite3.SQLITE_FULL: Failure.FULL,
    sqlite3.SQLITE_READONLY: Failure.READ_ONLY,
    sqlite3.SQLITE_IOERR: Failure.DISK_ERROR,
    sqlite3.SQLITE_CANTOPEN: Failure.CANNOT_OPEN,
}
POSTGRES_FAILURES = {
    "53100": Failure.FULL,  # disk_full
    "25006": Failure.READ_ONLY,  # read_only_sql_transaction: a standby, or read-only by setting
    "57P01": Failure.UNREACHABLE,  # admin_shutdown
    "57P02": Failure.UNREACHABLE,  # crash_shutdown
    "57P03": Failure.UNREACHABLE,  # cannot_connect_now: starting up or shutting down
}
OS_FAILURES = {
    errno.ENOSPC: Failure.FULL,
    errno.EDQUOT: Failure.FULL,
    errno.EROFS: Failure.READ_ONLY,
    errno.EACCES: Failure.READ_ONLY,
    errno.EPERM: Failure.READ_ONLY,
    errno.EIO: Failure.DISK_ERROR,
}


class StorageFailed(Exception):
    """A storage failure met outside the database driver's own errors: connecting (a plain
    OSError SQLAlchemy does not wrap) or the SQLite writers' lock file."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.failure = os_failure(error)


def os_failure(error: OSError) -> Failure:
    if isinstance(error, ConnectionError | socket.gaierror | TimeoutError):
        return Failure.UNREACHABLE
    return OS_FAILURES.get(error.errno or 0, Failure.CANNOT_OPEN)


def _one(error: BaseException) -> Failure | None:
    """A driver's error, or ours; never any OSError: one from a client's socket is no storage's."""
    if isinstance(error, StorageFailed):
        return error.failure
    if getattr(error, "connection_invalidated", False):  # SQLAlchemy saw the connection drop
        return Failure.UNREACHABLE
    if isinstance(error, sqlite3.Error):
        return SQLITE_FAILURES.get(getattr(error, "sqlite_errorcode", 0) & 0xFF)
    code = getattr(error, "pgcode", None) or getattr(error, "sqlstate", None)
    if isinstance(code, str):
        # Class 08: the connection failed or was lost.
        return Failure.UNREACHABLE if code.startswith("08") else POSTGRES_FAILURES.get(code)
    return None


def failure(error: BaseException) -> Failure | None:
    """Why storing failed, if `error` (or what caused it) says the storage cannot take data."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [error]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen or isinstance(current, QueueError):
            continue
        seen.add(id(current))
        found = _one(current)
        if found is not None:
            return found
        orig = getattr(current, "orig", None)  # SQLAlchemy's wrapper of the driver's error
        todo += [orig if isinstance(orig, BaseException) else None]
        todo += [current.__cause__, current.__context__]
    return None


@contextlib.contextmanager
def unavailable_on_failure() -> Iterator[None]:
    """Turn a storage failure inside the block into `StorageUnavailable` (503)."""
    try:
        yield
    except QueueError:
        raise
    except Exception as error:
        found = failure(error)
        if found is None:
            raise
        log.warning("cannot store data: %s (%s)", found.value, _first_line(error))
        raise StorageUnavailable(
            "The server cannot store data right now. Nothing was changed; please try again "
            "in a few minutes, or tell the staff if it goes on."
        ) from error


ADVICE = {
    Failure.FULL: "free some space on the disk",
    Failure.READ_ONLY: "make the database and its directory writable by the user that runs it",
    Failure.DISK_ERROR: "check the disk",
    Failure.CANNOT_OPEN: "check QUEUE_DATABASE_URL and that its directory can be written",
    Failure.UNREACHABLE: "start the database server, or fix QUEUE_DATABASE_URL",
}


def explain(error: BaseException) -> str | None:
    """One line for a person: which storage failure stopped a command, and what to do about it;
    None when `error` is not one."""
    cause = error.__cause__ if isinstance(error, StorageUnavailable) else error
    found = None if cause is None else failure(cause)
    if found is None or cause is None:
        return None
    return f"{found.value} ({_first_line(cause)}): {ADVICE[found]}, then run the command again"


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


# --- at start: can this database be written? ----------------------------------------------------


def startup_problem(database_url: str) -> str | None:
    """What keeps the server from storing data in this database, with what to do; None if fine."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if not url.database or url.database == ":memory:":
            return None
        return _sqlite_problem(Path(url.database))
    return asyncio.run(_postgres_problem(database_url))


def _sqlite_problem(path: Path) -> str | None:
    writable = (
        "make it writable by the user that runs the server, "
        "or point QUEUE_DATABASE_URL at a place that can be written"
    )
    directory = path.parent
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # SQLite keeps its -wal and -shm files beside the database: the directory must take files.
        with tempfile.TemporaryFile(dir=directory) as probe:
            probe.write(b"\0" * PROBE_BYTES)
            probe.flush()
    except OSError as error:
        found = OS_FAILURES.get(error.errno or 0)
        if found is Failure.FULL:
            return f"the disk holding {directory} is full ({error.strerror}): free some space"
        return f"cannot create files in {directory} ({error.strerror}): {writable}"
    try:
        _write_header(path)
    except sqlite3.Error as error:
        found = SQLITE_FAILURES.get(error.sqlite_errorcode & 0xFF)
        if found is Failure.FULL:
            return f"the disk holding {path} is full ({error}): free some space"
        if found is Failure.READ_ONLY:
            return f"the database file {path} is read-only ({error}): {writable}"
        return f"cannot write the database file {path} ({error}): check it and the disk"
    return None


def _write_header(path: Path) -> None:
    """A real write of the database: its header's user version, set to what it already is."""
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    try:
        connection.execute("BEGIN IMMEDIATE")
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        connection.execute(f"PRAGMA user_version = {version}")
        connection.execute("COMMIT")
    finally:
        connection.close()


async def _postgres_problem(database_url: str) -> str | None:
    from queue_server.db.engine import async_database_url  # the engine module imports this one

    url = make_url(database_url)
    where = f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"
    engine = create_async_engine(
        async_database_url(database_url), connect_args={"timeout": PG_CONNECT_TIMEOUT_SECONDS}
    )
    try:
        async with engine.connect() as connection:
            read_only = (await connection.execute(text("SHOW transaction_read_only"))).scalar()
    except Exception as error:
        if failure(error) is Failure.UNREACHABLE or isinstance(error, OSError):
            return (
                f"cannot reach {where} ({_first_line(error)}): start it, or fix QUEUE_DATABASE_URL"
            )
        return f"cannot use {where} ({_first_line(error)}): check QUEUE_DATABASE_URL"
    finally:
        await engine.dispose()
    if read_only == "on":
        return (
            f"{where} takes only reads (a standby, or default_transaction_read_only is on): "
            "point QUEUE_DATABASE_URL at a database that can be written"
        )
    return None
