"""Engines and the unit of work: one transaction, committed once, side effects after the commit."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import Session

from queue_server.db import storage
from queue_server.db.writer_turns import WriterTurns

AfterCommit = Callable[[], Awaitable[None]]
Message = dict[str, Any]
SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_WRITER_TURN_SECONDS = 30.0


def async_database_url(url: str) -> str:
    """Accept plain sqlite:///path and postgresql://... and pick the async driver ourselves."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite").render_as_string(hide_password=False)
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    raise ValueError(f"unsupported database URL '{url}': use sqlite:///path or postgresql://...")


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return Path(parsed.database)


def _configure_sqlite(engine: AsyncEngine, begin_statement: str, busy_timeout_ms: int) -> None:
    """WAL, a busy timeout and our own BEGIN: IMMEDIATE takes the write lock up front.

    SQLAlchemy drops FOR UPDATE on SQLite, and a deferred BEGIN that later tries to write fails with
    "database is locked" under load; BEGIN IMMEDIATE makes writers queue on the busy timeout instead.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql(begin_statement)


def _configure_postgresql(engine: AsyncEngine) -> None:
    """Connecting fails with a plain OSError (refused, unknown host, timed out), which SQLAlchemy
    passes on unwrapped: name it a storage failure, as the requests that meet it answer."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def _connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except OSError as error:
            raise storage.StorageFailed(error) from error


class EventSink(Protocol):
    """Where committed events go; `publish` must return at once (it runs after every commit)."""

    def publish(self, office_id: int, message: Message) -> None: ...


class NoEvents:
    """The sink of a database nobody listens to (the CLI, tests, scripts)."""

    def publish(self, office_id: int, message: Message) -> None:
        return None


class UnitOfWork:
    """A session plus the side effects to run once its transaction has committed.

    The transaction commits once: at the end of `Database.unit_of_work`, or earlier when the
    request still has work to do after it (printing) and calls `commit` itself.
    """

    def __init__(
        self,
        session: AsyncSession,
        database: Database,
        turn: contextlib.AbstractAsyncContextManager[None],
        events: EventSink,
    ) -> None:
        self.session = session
        self.database = database
        self.events = events
        self._turn = turn
        self._after_commit: list[AfterCommit] = []
        self._open = False
        self._ended = False

    @property
    def dialect(self) -> str:
        return self.database.dialect

    def after_commit(self, callback: AfterCommit) -> None:
        """Run `callback` only if and after the transaction commits (events, printing)."""
        self._after_commit.append(callback)

    async def begin(self) -> None:
        """Wait for the writer's turn and open the transaction; once (`Database.unit_of_work`
        does it, unless told to leave it to a request with slow work to do first)."""
        if self._open or self._ended:
            return
        await self._turn.__aenter__()
        self._open = True
        try:
            await self.session.begin()
        except BaseException:
            await self._close(rollback=True)
            raise

    async def commit(self) -> None:
        """Commit now, let the next writer in, then run the after-commit effects; once only."""
        if not self._open:
            self._ended = True
            return
        try:
            await self.session.commit()
        except BaseException:
            await self._close(rollback=True)
            raise
        await self._close(rollback=False)
        await self.run_after_commit()

    async def rollback(self) -> None:
        if self._open:
            await self._close(rollback=True)

    async def _close(self, rollback: bool) -> None:
        self._open, self._ended = False, True
        try:
            if rollback:
                await self.session.rollback()
            await self.session.close()
        finally:
            await self._turn.__aexit__(None, None, None)

    async def run_after_commit(self) -> None:
        callbacks, self._after_commit = self._after_commit, []
        for callback in callbacks:
            await callback()


@event.listens_for(Session, "loaded_as_persistent")
def _pin_loaded_row(session: Session, instance: Any) -> None:
    """Keep every row a write transaction loaded until its session ends.

    The session's identity map holds rows weakly: a window a use case looked at and let go of is
    forgotten, and the answer built from it reads it again. Pinned, `session.get` finds it.
    """
    if session.info.get("writes"):
        session.info.setdefault("pinned", []).append(instance)


class Database:
    """The configured database: a write engine and, on SQLite, a separate one for reads."""

    def __init__(
        self,
        url: str,
        *,
        events: EventSink | None = None,
        echo: bool = False,
        writer_turns: bool = True,
        writer_turn_seconds: float = SQLITE_WRITER_TURN_SECONDS,
        busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
    ) -> None:
        self.url = async_database_url(url)
        self.dialect = make_url(self.url).get_backend_name()
        path = sqlite_path(self.url)
        self.writer_turns: WriterTurns | None = None
        if path is not None and str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
            if writer_turns:
                self.writer_turns = WriterTurns(path, writer_turn_seconds)
        self.write_engine = create_async_engine(self.url, echo=echo)
        if self.dialect == "sqlite":
            _configure_sqlite(self.write_engine, "BEGIN IMMEDIATE", busy_timeout_ms)
            self.read_engine = create_async_engine(self.url, echo=echo)
            _configure_sqlite(self.read_engine, "BEGIN", busy_timeout_ms)
        else:
            _configure_postgresql(self.write_engine)
            self.read_engine = self.write_engine
        # `writes` tells caches that what this session reads may not be committed (yet, or ever).
        self._writers = async_sessionmaker(
            self.write_engine, expire_on_commit=False, info={"writes": True}
        )
        self._readers = async_sessionmaker(self.read_engine, expire_on_commit=False)
        self.events: EventSink = events or NoEvents()

    @asynccontextmanager
    async def unit_of_work(self, *, begin: bool = True) -> AsyncIterator[UnitOfWork]:
        """A write transaction: committed at the end of the block, rolled back on any error.

        `begin=False` leaves `uow.begin()` to the block, for work that must not hold the
        writer's turn (a password check) before it writes."""
        uow = UnitOfWork(self._writers(), self, self._write_turn(), self.events)
        with storage.unavailable_on_failure():
            if begin:
                await uow.begin()
            try:
                yield uow
            except BaseException:
                await uow.rollback()
                raise
            await uow.commit()

    def _write_turn(self) -> contextlib.AbstractAsyncContextManager[None]:
        if self.writer_turns is None:
            return contextlib.nullcontext()
        return self.writer_turns.turn()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A read-only session that never takes the write lock.

        Closing it ends the transaction without expiring what was loaded, so results stay readable.
        """
        with storage.unavailable_on_failure():
            async with self._readers() as session:
                yield session

    async def dispose(self) -> None:
        await self.write_engine.dispose()
        if self.read_engine is not self.write_engine:
            await self.read_engine.dispose()
        if self.writer_turns is not None:
            self.writer_turns.close()
