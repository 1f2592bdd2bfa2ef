"""Every change to the set-up, in one place: an audit entry, and an `office.changed` event so
open kiosks, displays, consoles and dashboards follow without a reload."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core.audit import CREATED
from queue_server.core.events import EventType
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import AuditEntry, Office
from queue_server.db.repositories import audit as repo
from queue_server.services import eventlog
from queue_server.services.access import Principal


async def record(
    uow: UnitOfWork,
    *,
    actor: Principal | None,
    office_id: int | None,
    object_type: str,
    object_id: int,
    now: datetime,
    action: str = CREATED,
    changes: dict[str, list[Any]] | None = None,
) -> None:
    """Note the change in the audit trail and tell the office's screens (`office.changed`).

    `actor` None: the server itself (seed, the command line)."""
    uow.session.add(
        AuditEntry(
            office_id=office_id,
            at=now,
            user_id=None if actor is None else actor.user_id,
            user_login="" if actor is None else actor.login,
            action=action,
            object_type=object_type,
            object_id=object_id,
            changes=changes or {},
        )
    )
    if office_id is not None:
        await eventlog.record(
            uow,
            office_id=office_id,
            type=EventType.OFFICE_CHANGED,
            at=now,
            data={"changed": object_type, "id": object_id, "action": action},
        )


async def entries_of(
    session: AsyncSession, office: Office, first: date, last: date
) -> Sequence[AuditEntry]:
    """The office's entries on its service days `first`..`last`, newest first."""
    zone = ZoneInfo(office.timezone)
    since = datetime.combine(first, time.min, zone)
    until = datetime.combine(last + timedelta(days=1), time.min, zone)
    return await repo.entries(session, office.id, since, until)


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at,
        "user": None
        if entry.user_id is None and not entry.user_login
        else {"id": entry.user_id, "login": entry.user_login},
        "action": entry.action,
        "object": {"type": entry.object_type, "id": entry.object_id},
        "changes": entry.changes,
    }
