"""The audit trail's rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.db.models import AuditEntry


async def entries(
    session: AsyncSession, office_id: int, since: datetime, until: datetime
) -> Sequence[AuditEntry]:
    """The office's entries at `since` <= at < `until`, newest first."""
    statement = (
        select(AuditEntry)
        .where(AuditEntry.office_id == office_id, AuditEntry.at >= since, AuditEntry.at < until)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    return (await session.scalars(statement)).all()
