"""What visitors use without signing in: offices, topics, issuing a ticket, a ticket's status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from queue_server.api.deps import ClockDep, DatabaseDep
from queue_server.api.presenters import public_base_url, ticket_out
from queue_server.api.schemas import (
    MAX_ID,
    Lang,
    OfficeOut,
    PrintOut,
    TicketIn,
    TicketOut,
    TicketStatusOut,
    TopicNode,
)
from queue_server.db.repositories import offices as office_repo
from queue_server.services import issuing, lookups, queue_views, slips

router = APIRouter(tags=["visitors"])
OfficeId = Annotated[int, Path(ge=1, le=MAX_ID)]
TicketCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
LangQuery = Annotated[Lang, Query()]


@router.get("/offices", response_model=list[OfficeOut])
async def list_offices(database: DatabaseDep, clock: ClockDep) -> list[OfficeOut]:
    """Every office with its hours and whether it is open now."""
    now = clock.now()
    async with database.reading() as session:
        offices = await office_repo.list_offices(session)
    return [OfficeOut(**queue_views.office_view(office, now)) for office in offices]


@router.get("/offices/{office_id}", response_model=OfficeOut)
async def get_office(office_id: OfficeId, database: DatabaseDep, clock: ClockDep) -> OfficeOut:
    """One office."""
    async with database.reading() as session:
        office = await lookups.office(session, office_id)
    return OfficeOut(**queue_views.office_view(office, clock.now()))


@router.get("/offices/{office_id}/topics", response_model=list[TopicNode])
async def topic_tree(
    office_id: OfficeId, database: DatabaseDep, clock: ClockDep, lang: LangQuery = "ru"
) -> list[TopicNode]:
    """The kiosk menu: topics as a tree with people waiting and the wait to expect."""
    async with database.reading() as session:
        await lookups.office(session, office_id)
        tree = await queue_views.topic_tree(session, office_id, lang, clock.now())
    return [TopicNode.model_validate(node) for node in tree]


@router.post("/offices/{office_id}/tickets", status_code=201, response_model=TicketOut)
async def issue_ticket(
    request: Request,
    office_id: OfficeId,
    body: TicketIn,
    database: DatabaseDep,
    clock: ClockDep,
    lang: LangQuery = "ru",
) -> TicketOut:
    """Issue a ticket; it is committed before it is printed (in `lang`), so a broken printer
    loses nothing."""
    issue = issuing.IssueRequest(
        office_id=office_id,
        topic_id=body.topic_id,
        customer_type=body.customer_type,
        priority=body.priority,
        kiosk_id=body.kiosk_id,
    )
    async with database.unit_of_work() as uow:
        ticket = await issuing.issue_ticket(uow, issue, clock.now())
    printed = await slips.print_ticket(
        database, ticket, base_url=public_base_url(request), now=clock.now(), lang=lang
    )
    async with database.reading() as session:
        return await ticket_out(
            session,
            request,
            ticket,
            PrintOut(status=printed.status, detail=printed.detail),
        )


@router.get("/tickets/{code}", response_model=TicketStatusOut)
async def ticket_status(
    code: TicketCode, database: DatabaseDep, clock: ClockDep
) -> TicketStatusOut:
    """A ticket's live status for the visitor's phone, by the code on the ticket."""
    async with database.reading() as session:
        view = await queue_views.ticket_status(session, code, clock.now())
        where = await queue_views.where_of(session, view.ticket)
    return TicketStatusOut.model_validate({**view.as_json(), **where})
