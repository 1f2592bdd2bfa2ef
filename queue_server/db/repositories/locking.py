"""Row locks for the rest of a write transaction."""

from __future__ import annotations

from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.db.models import Base

Row = TypeVar("Row", bound=Base)


async def locked(
    session: AsyncSession, model: type[Row], row_id: int, *, key_share: bool = False
) -> Row | None:
    """The row, locked until the transaction ends, as it is now.

    On PostgreSQL: SELECT ... FOR UPDATE, refreshing what the session had loaded; `key_share`:
    FOR NO KEY UPDATE, which lets other transactions insert rows that refer to this one (their
    foreign key check takes FOR KEY SHARE). On SQLite every write transaction already holds the
    database's one write lock (BEGIN IMMEDIATE), so a row loaded in it is current: the session's
    copy serves, and a query runs only if it has none.
    """
    if session.get_bind().dialect.name == "sqlite":
        return await session.get(model, row_id)
    primary_key = model.__mapper__.primary_key[0]
    statement = (
        select(model)
        .where(primary_key == row_id)
        .with_for_update(key_share=key_share)
        .execution_options(populate_existing=True)
    )
    return (await session.scalars(statement)).first()
