"""Sign-in attempt counters: one atomic claim per attempt, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, case, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.db.models import LoginThrottle


@lru_cache(maxsize=4)
def _claim(dialect: str) -> Any:
    """Count one attempt unless the key is at its limit: a window that has ended starts again.

    One statement, so that concurrent attempts on any worker are counted one after the other
    under the row's lock, and a refused one changes nothing (it returns no row)."""
    module = postgresql if dialect == "postgresql" else sqlite
    statement = module.insert(LoginThrottle).values(
        key=bindparam("key"), attempts=1, resets_at=bindparam("resets_at")
    )
    ended = LoginThrottle.resets_at <= bindparam("now")
    return statement.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "attempts": case((ended, 1), else_=LoginThrottle.attempts + 1),
            "resets_at": case((ended, statement.excluded.resets_at), else_=LoginThrottle.resets_at),
        },
        where=or_(ended, LoginThrottle.attempts < bindparam("limit")),
    ).returning(LoginThrottle.attempts)


async def claim(
    session: AsyncSession, dialect: str, key: str, limit: int, now: datetime, resets_at: datetime
) -> bool:
    """Claim one attempt on `key` (a new window ends at `resets_at`); False when at the limit."""
    values = {"key": key, "limit": limit, "now": now, "resets_at": resets_at}
    return (await session.execute(_claim(dialect), values)).first() is not None


async def window_end(session: AsyncSession, key: str) -> datetime | None:
    """When the key's window ends."""
    statement = select(LoginThrottle.resets_at).where(LoginThrottle.key == key)
    return (await session.execute(statement)).scalar()


async def forget(session: AsyncSession, keys: Sequence[str]) -> None:
    await session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))


async def give_back(session: AsyncSession, keys: Sequence[str]) -> None:
    """Return one claimed attempt to each key: it was not a failure."""
    await session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key.in_(keys), LoginThrottle.attempts > 0)
        .values(attempts=LoginThrottle.attempts - 1)
    )


async def delete_ended(session: AsyncSession, now: datetime) -> None:
    """Drop counters whose window has ended, skipping any an attempt holds at this moment (so
    this never waits for, nor deadlocks with, a claim)."""
    ended = (
        select(LoginThrottle.key)
        .where(LoginThrottle.resets_at < now)
        .limit(500)
        .with_for_update(skip_locked=True)
    )
    await session.execute(delete(LoginThrottle).where(LoginThrottle.key.in_(ended)))
