"""Page data of the operator console: the operator's own state, the waiting list, topic operations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from queue_server.api.deps import ClockDep, DatabaseDep, OperatorDep
from queue_server.api.schemas import MAX_ID
from queue_server.services import console, lookups
from queue_server.services.access import require_office

router = APIRouter(tags=["operators"])
OfficeId = Annotated[int, Path(ge=1, le=MAX_ID)]


@router.get("/operators/me")
async def my_state(
    principal: OperatorDep,
    database: DatabaseDep,
    clock: ClockDep,
    office_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict[str, Any]:
    """The signed-in user's state (idle, paused, called, serving), window, held ticket and
    today's own figures (served, average service time, no-shows) in `office_id` (default: theirs)."""
    async with database.reading() as session:
        return await console.operator_overview(session, principal, office_id, clock.now())


@router.get("/offices/{office_id}/waiting")
async def waiting_list(
    office_id: OfficeId, principal: OperatorDep, database: DatabaseDep, clock: ClockDep
) -> dict[str, Any]:
    """Every waiting ticket of the office in queue order, without position estimates."""
    async with database.reading() as session:
        await lookups.office(session, office_id)
        require_office(principal, office_id)
        return await console.waiting_list(session, office_id, clock.now())


@router.get("/offices/{office_id}/topics/operations")
async def topic_operations(
    office_id: OfficeId, principal: OperatorDep, database: DatabaseDep
) -> list[dict[str, Any]]:
    """Leaf topics (transfer targets) with the operations an operator ticks on finish."""
    async with database.reading() as session:
        await lookups.office(session, office_id)
        require_office(principal, office_id)
        return await console.topic_operations(session, office_id)
