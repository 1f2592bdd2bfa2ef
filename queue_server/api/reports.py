"""Reports for managers (JSON, CSV, XLSX) and the public load statistics."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Response

from queue_server.api.deps import (
    ClockDep,
    CurrentFigures,
    ManagerOffice,
    OfficeId,
    ReadingDep,
    ReportPeriod,
)
from queue_server.api.schemas import MAX_ID
from queue_server.services import lookups, reports

router = APIRouter(tags=["reports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

TopicFilter = Annotated[int | None, Query(ge=1, le=MAX_ID, description="only this topic")]
OperatorFilter = Annotated[int | None, Query(ge=1, le=MAX_ID, description="only this operator")]
CustomerFilter = Annotated[
    Literal["individual", "organization"] | None, Query(description="only this customer type")
]
Part = Annotated[
    Literal["topics", "operators", "days"], Query(description="which table of the report")
]


def _report_query(
    office_id: OfficeId,
    period: ReportPeriod,
    topic_id: TopicFilter = None,
    operator_id: OperatorFilter = None,
    customer_type: CustomerFilter = None,
) -> reports.ReportQuery:
    """The filters every report download shares."""
    first, last = period
    return reports.ReportQuery(office_id, first, last, topic_id, operator_id, customer_type)


ReportQueryDep = Annotated[reports.ReportQuery, Depends(_report_query)]


async def _report_data(
    office: ManagerOffice,
    query: ReportQueryDep,
    _figures: CurrentFigures,
    session: ReadingDep,
    clock: ClockDep,
) -> dict[str, Any]:
    """The report, for a signed-in manager of the office (checked before anything else)."""
    if query.topic_id is not None:
        await lookups.topic_in_office(session, query.office_id, query.topic_id)
    data: dict[str, Any] = await reports.report(session, office, query, clock.now())
    return data


ReportData = Annotated[dict[str, Any], Depends(_report_data)]


def _attachment(content: str | bytes, media_type: str, filename: str) -> Response:
    return Response(
        content=content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _filename(query: reports.ReportQuery, suffix: str) -> str:
    return f"report-{query.office_id}-{query.date_from}-{query.date_to}{suffix}"


@router.get("/offices/{office_id}/reports")
async def report(data: ReportData) -> dict[str, Any]:
    """Issued, served, no-show, expired, transferred; waits against the target; services,
    ratings, outcomes; per operator served per hour, idle and pause time; per day."""
    return data


@router.get("/offices/{office_id}/reports/report.csv", response_class=Response)
async def report_csv(data: ReportData, query: ReportQueryDep, part: Part = "topics") -> Response:
    """One table of the report (topics, operators or days) as CSV."""
    filename = _filename(query, f"-{part}.csv")
    return _attachment(reports.as_csv(data, part), "text/csv; charset=utf-8", filename)


@router.get("/offices/{office_id}/reports/report.xlsx", response_class=Response)
async def report_xlsx(data: ReportData, query: ReportQueryDep) -> Response:
    """The report as an Excel workbook: sheets topics, operators and days."""
    return _attachment(reports.as_xlsx(data), XLSX, _filename(query, ".xlsx"))


@router.get("/offices/{office_id}/load")
async def office_load(
    office_id: OfficeId, _figures: CurrentFigures, session: ReadingDep, clock: ClockDep
) -> dict[str, Any]:
    """Public: average visits by weekday and hour, citizens and organisations separately, with the
    level of each hour ("maximum", "high", "minimum", or "closed"). Visits on calendar days
    (holidays, shortened days) are left out; `calendar_days` lists those of the next two weeks."""
    office = await lookups.office(session, office_id)
    return await reports.load(session, office, clock.now())
