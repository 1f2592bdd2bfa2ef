"""Managers: live figures and the ticket report."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from queue_server.api.deps import ClockDep, DatabaseDep, ManagerDep
from queue_server.api.schemas import MAX_ID
from queue_server.errors import Unprocessable
from queue_server.realtime import queries
from queue_server.services import lookups, stats
from queue_server.services.access import require_office

router = APIRouter(tags=["managers"])
OfficeId = Annotated[int, Path(ge=1, le=MAX_ID)]
MAX_REPORT_DAYS = 3660
MAX_EVENTS = 200
MAX_SEQ = 2**62


@router.get("/offices/{office_id}/stats/live")
async def live_stats(
    office_id: OfficeId, manager: ManagerDep, database: DatabaseDep, clock: ClockDep
) -> dict[str, Any]:
    """Waiting, longest and average wait, served today and the target that applies now."""
    async with database.reading() as session:
        office = await lookups.office(session, office_id)
        require_office(manager, office_id)
        return await stats.live(session, office, clock.now())


@router.get("/offices/{office_id}/events")
async def recent_events(
    office_id: OfficeId,
    manager: ManagerDep,
    database: DatabaseDep,
    clock: ClockDep,
    after: Annotated[int, Query(ge=0, le=MAX_SEQ, description="only events after this seq")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_EVENTS, description="at most this many")] = 50,
) -> dict[str, Any]:
    """Today's latest events of the office, oldest first, as the staff channel sends them: for a
    dashboard opened in the middle of the day, or one that has no websocket and polls."""
    async with database.reading() as session:
        office = await lookups.office(session, office_id)
        require_office(manager, office_id)
        since = queries.service_day_start(office, clock.now())
        return {"events": await queries.latest_events(session, office_id, after, since, limit)}


@router.get("/offices/{office_id}/reports/tickets.csv", response_class=Response)
async def tickets_csv(
    office_id: OfficeId,
    manager: ManagerDep,
    database: DatabaseDep,
    date_from: Annotated[date, Query()],
    date_to: Annotated[date, Query()],
) -> Response:
    """One row per ticket with every timestamp, for the service days in the range."""
    if date_to < date_from:
        raise Unprocessable("date_to must not be before date_from")
    if (date_to - date_from).days > MAX_REPORT_DAYS:
        raise Unprocessable(f"the range may span at most {MAX_REPORT_DAYS} days")
    async with database.reading() as session:
        await lookups.office(session, office_id)
        require_office(manager, office_id)
        text = await stats.tickets_csv(session, office_id, date_from, date_to)
    filename = f"tickets-{office_id}-{date_from}-{date_to}.csv"
    return Response(
        content=text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
