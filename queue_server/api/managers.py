"""Managers: live figures and the ticket report."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from queue_server.api.deps import ClockDep, CurrentFigures, ManagerOffice, ReadingDep, ReportPeriod
from queue_server.services import live_state, stats

router = APIRouter(tags=["managers"])
MAX_EVENTS = 200
MAX_SEQ = 2**62


@router.get("/offices/{office_id}/stats/live")
async def live_stats(
    office: ManagerOffice, _figures: CurrentFigures, session: ReadingDep, clock: ClockDep
) -> dict[str, Any]:
    """Waiting, longest and average wait, served today and the target that applies now."""
    return await stats.live(session, office, clock.now())


@router.get("/offices/{office_id}/events")
async def recent_events(
    office: ManagerOffice,
    session: ReadingDep,
    clock: ClockDep,
    after: Annotated[int, Query(ge=0, le=MAX_SEQ, description="only events after this seq")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_EVENTS, description="at most this many")] = 50,
) -> dict[str, Any]:
    """Today's latest events of the office, oldest first, as the staff channel sends them: for a
    dashboard opened in the middle of the day, or one that has no websocket and polls."""
    since = live_state.service_day_start(office, clock.now())
    return {"events": await live_state.latest_events(session, office.id, after, since, limit)}


@router.get("/offices/{office_id}/reports/tickets.csv", response_class=Response)
async def tickets_csv(office: ManagerOffice, session: ReadingDep, period: ReportPeriod) -> Response:
    """One row per ticket with every timestamp, for the service days in the range (today's by
    default)."""
    date_from, date_to = period
    text = await stats.tickets_csv(session, office.id, date_from, date_to)
    filename = f"tickets-{office.id}-{date_from}-{date_to}.csv"
    return Response(
        content=text,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
