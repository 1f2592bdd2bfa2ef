"""The audit trail of an office's set-up, for its managers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from queue_server.api.deps import ManagerOffice, ReadingDep, ReportPeriod
from queue_server.services import audit

router = APIRouter(tags=["administration"])


class AuditUser(BaseModel):
    id: int | None
    login: str


class AuditObject(BaseModel):
    type: str
    id: int


class AuditEntryOut(BaseModel):
    at: datetime
    user: AuditUser | None
    """Null when the server itself made the change (seed, the command line)."""
    action: str
    object: AuditObject
    changes: dict[str, list[Any]]
    """Each field that changed, as [old, new]."""


@router.get("/offices/{office_id}/audit", response_model=list[AuditEntryOut])
async def audit_trail(
    office: ManagerOffice, period: ReportPeriod, session: ReadingDep
) -> list[AuditEntryOut]:
    """Who changed what in the office's set-up on the service days asked (today by default),
    newest first."""
    first, last = period
    entries = await audit.entries_of(session, office, first, last)
    return [AuditEntryOut.model_validate(audit.entry_json(entry)) for entry in entries]
