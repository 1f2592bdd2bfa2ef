"""What issuing checks besides the queue: kiosk keys, per-window issue counts, idempotency keys."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.db.models import IdempotencyKey, Kiosk, KioskIssue, RemoteIssue, Ticket


def _insert(dialect: str, model: Any) -> Any:
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model)


async def count_one_more(
    session: AsyncSession, dialect: str, model: type[KioskIssue] | type[RemoteIssue], **key: Any
) -> int:
    """Add one to the counter row `key` (made at 1) and return the new count, in one atomic
    statement: concurrent requests on any worker each see their own number."""
    statement = (
        _insert(dialect, model)
        .values(**key, count=1)
        .on_conflict_do_update(index_elements=list(key), set_={"count": model.count + 1})
        .returning(model.count)
    )
    return int((await session.execute(statement)).scalar_one())


async def forget_counts_before(
    session: AsyncSession,
    model: type[KioskIssue] | type[RemoteIssue],
    column: str,
    cutoff: datetime,
) -> None:
    """Drop counter rows of windows that ended before `cutoff` (they decide nothing any more)."""
    await session.execute(delete(model).where(getattr(model, column) < cutoff))


async def kiosk_by_key_hash(session: AsyncSession, key_hash: str) -> Kiosk | None:
    result = await session.execute(select(Kiosk).where(Kiosk.key_hash == key_hash))
    return result.scalar_one_or_none()


async def claim_idempotency_key(
    session: AsyncSession, dialect: str, office_id: int, key: str, now: datetime, since: datetime
) -> int | None:
    """Claim `key` for this attempt; None when it is ours, else the ticket an earlier attempt
    issued with it since `since`.

    An attempt still running with the same key holds its row: on PostgreSQL this insert waits
    for that attempt to end and then sees its ticket; on SQLite writers take turns anyway."""
    await session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.office_id == office_id,
            IdempotencyKey.key == key,
            IdempotencyKey.created_at < since,
        )
    )
    claim = (
        _insert(dialect, IdempotencyKey)
        .values(office_id=office_id, key=key, ticket_id=None, created_at=now)
        .on_conflict_do_nothing(index_elements=["office_id", "key"])
        .returning(IdempotencyKey.key)
    )
    if (await session.execute(claim)).first() is not None:
        return None
    earlier = select(IdempotencyKey.ticket_id).where(
        IdempotencyKey.office_id == office_id, IdempotencyKey.key == key
    )
    ticket_id = (await session.execute(earlier)).scalar_one()
    assert ticket_id is not None  # a committed claim always names its ticket
    return int(ticket_id)


async def fulfil_idempotency_key(
    session: AsyncSession, office_id: int, key: str, ticket: Ticket
) -> None:
    await session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.office_id == office_id, IdempotencyKey.key == key)
        .values(ticket_id=ticket.id)
    )


async def forget_idempotency_keys_before(session: AsyncSession, cutoff: datetime) -> None:
    await session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < cutoff))
