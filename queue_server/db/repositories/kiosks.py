"""Kiosks' printer state, kept with plain updates after each slip."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.db.models import Kiosk


async def record_print(
    session: AsyncSession, kiosk_id: int, ok: bool, detail: str, now: datetime
) -> int | None:
    """Note a slip's outcome; the consecutive failures since the last good print, or None if the
    kiosk is gone."""
    statement = (
        update(Kiosk)
        .where(Kiosk.id == kiosk_id)
        .values(
            printer_status="ok" if ok else "failed",
            printer_detail=detail,
            printer_checked_at=now,
            # what a manager's alert cares about: failures in a row
            printer_failures=0 if ok else Kiosk.printer_failures + 1,
        )
        .returning(Kiosk.printer_failures)
    )
    failures = (await session.execute(statement)).scalar_one_or_none()
    return None if failures is None else int(failures)
