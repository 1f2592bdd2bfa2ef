"""Page data of the operator console: the operator's own state, the waiting list, topic operations."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from queue_server.api.deps import ClockDep, OperatorDep, OperatorOffice, ReadingDep
from queue_server.api.schemas import MAX_ID
from queue_server.services import console

router = APIRouter(tags=["operators"])


@router.get("/operators/me")
async def my_state(
    principal: OperatorDep,
    session: ReadingDep,
    clock: ClockDep,
    office_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
) -> dict[str, Any]:
    """The signed-in user's state (idle, paused, called, serving), window, held ticket and
    today's own figures (served, average service time, no-shows) in `office_id` (default: theirs)."""
    return await console.operator_overview(session, principal, office_id, clock.now())


@router.get("/offices/{office_id}/waiting")
async def waiting_list(
    office: OperatorOffice, session: ReadingDep, clock: ClockDep
) -> dict[str, Any]:
    """Every waiting ticket of the office in queue order, without position estimates."""
    return await console.waiting_list(session, office.id, clock.now())


@router.get("/offices/{office_id}/topics/operations")
async def topic_operations(office: OperatorOffice, session: ReadingDep) -> list[dict[str, Any]]:
    """Leaf topics (transfer targets) with the operations an operator ticks on finish."""
    return await console.topic_operations(session, office.id)
