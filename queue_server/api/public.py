"""What visitors use without signing in: offices, topics, issuing a ticket, a ticket's status."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response

from queue_server.api.deps import (
    ClockDep,
    DatabaseDep,
    OfficeId,
    ReadingDep,
    SettingsDep,
    TicketCode,
    UnitOfWorkDep,
    client_address,
    signed_in_or_none,
)
from queue_server.api.presenters import public_base_url, ticket_out
from queue_server.api.schemas import (
    Lang,
    OfficeOut,
    PrintOut,
    TicketIn,
    TicketOut,
    TicketStatusOut,
    TopicNode,
)
from queue_server.services import issuing, lookups, queue_views, slips

router = APIRouter(tags=["visitors"])
LangQuery = Annotated[Lang, Query()]


@router.get("/offices", response_model=list[OfficeOut])
async def list_offices(session: ReadingDep, clock: ClockDep) -> list[OfficeOut]:
    """Every office with its hours and whether it is open now."""
    now = clock.now()
    offices = await lookups.offices(session)
    return [OfficeOut(**view) for view in await queue_views.office_views(session, offices, now)]


@router.get("/offices/{office_id}", response_model=OfficeOut)
async def get_office(office_id: OfficeId, session: ReadingDep, clock: ClockDep) -> OfficeOut:
    """One office."""
    office = await lookups.office(session, office_id)
    (view,) = await queue_views.office_views(session, [office], clock.now())
    return OfficeOut(**view)


@router.get("/offices/{office_id}/topics", response_model=list[TopicNode])
async def topic_tree(
    office_id: OfficeId, session: ReadingDep, clock: ClockDep, lang: LangQuery = "ru"
) -> list[TopicNode]:
    """The kiosk menu: topics as a tree with people waiting and the wait to expect."""
    await lookups.office(session, office_id)
    tree = await queue_views.topic_tree(session, office_id, lang, clock.now())
    return [TopicNode.model_validate(node) for node in tree]


KioskKey = Annotated[
    str | None,
    Header(alias="X-Kiosk-Key", max_length=200, description="The kiosk's key (kiosk channel)."),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[\x21-\x7e]{1,100}$",
        description="One per tap: a repeat within 24 h answers 200 with the ticket first issued.",
    ),
]


@router.post(
    "/offices/{office_id}/tickets",
    status_code=201,
    response_model=TicketOut,
    responses={
        200: {
            "model": TicketOut,
            "description": "The ticket an earlier attempt with "
            "the same Idempotency-Key issued (nothing new, nothing printed).",
        }
    },
)
async def issue_ticket(
    request: Request,
    response: Response,
    office_id: OfficeId,
    body: TicketIn,
    database: DatabaseDep,
    clock: ClockDep,
    settings: SettingsDep,
    uow: UnitOfWorkDep,
    kiosk_key: KioskKey = None,
    idempotency_key: IdempotencyKey = None,
    lang: LangQuery = "ru",
) -> TicketOut:
    """Issue a ticket, for a kiosk (its key), staff or a remote visitor; it is committed before
    it is printed (in `lang`), so a broken printer loses nothing. A repeated `Idempotency-Key`
    answers 200 with the ticket already issued and prints nothing."""
    remote = body.channel == "remote" and not kiosk_key
    principal = None if kiosk_key or remote else await signed_in_or_none(request)
    issuer = await issuing.identify_issuer(
        uow,
        kiosk_key=kiosk_key,
        remote=remote,
        principal=principal,
        address=client_address(request),
    )
    issue = issuing.IssueRequest(
        office_id=office_id,
        topic_id=body.topic_id,
        customer_type=body.customer_type,
        priority=body.priority,
        kiosk_id=body.kiosk_id,
        issuer=issuer,
        idempotency_key=idempotency_key,
    )
    issued = await issuing.issue_ticket(uow, issue, clock.now())
    await uow.commit()
    if issued.repeated:
        response.status_code = 200
        printed = slips.NOT_PRINTED_AGAIN
    else:
        printed = await slips.print_ticket(
            database,
            issued,
            base_url=public_base_url(request),
            now=clock.now(),
            lang=lang,
            spool_dir=settings.spool_path,
        )
    view = queue_views.TicketStatusView(
        issued.ticket, issued.people_ahead, issued.wait_seconds, None
    )
    return ticket_out(request, view, PrintOut(status=printed.status, detail=printed.detail))


@router.get("/tickets/{code}", response_model=TicketStatusOut)
async def ticket_status(code: TicketCode, session: ReadingDep, clock: ClockDep) -> TicketStatusOut:
    """A ticket's live status for the visitor's phone, by the code on the ticket."""
    view = await queue_views.ticket_status(session, code, clock.now())
    where = await queue_views.where_of(session, view.ticket)
    return TicketStatusOut.model_validate({**view.as_json(), **where})
