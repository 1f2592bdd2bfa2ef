"""Operators at their windows: call next, serve, transfer, pause."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from queue_server.api.deps import (
    ClockDep,
    IdPath,
    OperatorDep,
    OperatorOffice,
    ReadingDep,
    UnitOfWorkDep,
)
from queue_server.api.presenters import ticket_out, window_out
from queue_server.api.schemas import FinishIn, NoteIn, PauseIn, TicketOut, TransferIn, WindowOut
from queue_server.core.lifecycle import Action
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import Ticket
from queue_server.services import calling, catalogue, operators, queue_views, serving
from queue_server.services.access import Principal

router = APIRouter(tags=["operators"])


async def _respond(uow: UnitOfWork, request: Request, ticket: Ticket, clock: ClockDep) -> TicketOut:
    """The answer of an action, from the action's own transaction (a ticket in hand has no
    estimate to make; one sent back to the queue is forecast once)."""
    return ticket_out(request, await queue_views.staff_status_of(uow.session, ticket, clock.now()))


@router.get("/offices/{office_id}/windows", response_model=list[WindowOut])
async def list_windows(office: OperatorOffice, session: ReadingDep) -> list[WindowOut]:
    """The office's windows and who holds each (retired ones too, `active: false`)."""
    return [window_out(w) for w in await catalogue.windows_of_office(session, office.id)]


@router.post(
    "/windows/{window_id}/call-next",
    response_model=TicketOut,
    responses={204: {"description": "Nobody eligible is waiting"}},
)
async def call_next(
    request: Request, window_id: IdPath, principal: OperatorDep, clock: ClockDep, uow: UnitOfWorkDep
) -> TicketOut | Response:
    """Call the next ticket by the routing policy to this window; 204 if nobody eligible waits."""
    ticket = await calling.call_next(uow, principal, window_id, clock.now())
    if ticket is None:
        return Response(status_code=204)
    return await _respond(uow, request, ticket, clock)


@router.post("/windows/{window_id}/call/{ticket_id}", response_model=TicketOut)
async def call_specific(
    request: Request,
    window_id: IdPath,
    ticket_id: IdPath,
    principal: OperatorDep,
    clock: ClockDep,
    uow: UnitOfWorkDep,
) -> TicketOut:
    """Call one waiting ticket out of turn (recorded as such in the event log)."""
    ticket = await calling.call_ticket(uow, principal, window_id, ticket_id, clock.now())
    return await _respond(uow, request, ticket, clock)


async def _act(
    request: Request,
    uow: UnitOfWork,
    clock: ClockDep,
    principal: Principal,
    ticket_id: int,
    action: Action,
    details: serving.Details | None = None,
) -> TicketOut:
    ticket = await serving.act(uow, principal, ticket_id, action, clock.now(), details)
    return await _respond(uow, request, ticket, clock)


@router.post("/tickets/{ticket_id}/recall", response_model=TicketOut)
async def recall(
    request: Request, ticket_id: IdPath, principal: OperatorDep, clock: ClockDep, uow: UnitOfWorkDep
) -> TicketOut:
    """Call the same ticket again (the visitor has not come yet)."""
    return await _act(request, uow, clock, principal, ticket_id, Action.RECALL)


@router.post("/tickets/{ticket_id}/start", response_model=TicketOut)
async def start(
    request: Request, ticket_id: IdPath, principal: OperatorDep, clock: ClockDep, uow: UnitOfWorkDep
) -> TicketOut:
    """The visitor has come to the window: service starts."""
    return await _act(request, uow, clock, principal, ticket_id, Action.START)


@router.post("/tickets/{ticket_id}/finish", response_model=TicketOut)
async def finish(
    request: Request,
    ticket_id: IdPath,
    principal: OperatorDep,
    clock: ClockDep,
    uow: UnitOfWorkDep,
    body: FinishIn | None = None,
) -> TicketOut:
    """Service done, optionally with the operations performed (outcomes)."""
    details = serving.Details(outcomes=body.outcomes, note=body.note) if body else None
    return await _act(request, uow, clock, principal, ticket_id, Action.FINISH, details)


@router.post("/tickets/{ticket_id}/no-show", response_model=TicketOut)
async def no_show(
    request: Request, ticket_id: IdPath, principal: OperatorDep, clock: ClockDep, uow: UnitOfWorkDep
) -> TicketOut:
    """The called visitor did not come."""
    return await _act(request, uow, clock, principal, ticket_id, Action.NO_SHOW)


@router.post("/tickets/{ticket_id}/return", response_model=TicketOut)
async def return_to_queue(
    request: Request,
    ticket_id: IdPath,
    principal: OperatorDep,
    clock: ClockDep,
    uow: UnitOfWorkDep,
    body: NoteIn | None = None,
) -> TicketOut:
    """Put the ticket back in its queue, keeping its place by the original issue time."""
    details = serving.Details(note=body.note) if body else None
    return await _act(request, uow, clock, principal, ticket_id, Action.RETURN, details)


@router.post("/tickets/{ticket_id}/transfer", response_model=TicketOut)
async def transfer(
    request: Request,
    ticket_id: IdPath,
    body: TransferIn,
    principal: OperatorDep,
    clock: ClockDep,
    uow: UnitOfWorkDep,
) -> TicketOut:
    """Send the ticket to another topic's queue; it keeps its original issue time."""
    details = serving.Details(topic_id=body.topic_id, note=body.note)
    return await _act(request, uow, clock, principal, ticket_id, Action.TRANSFER, details)


@router.get("/offices/{office_id}/queue", response_model=list[TicketOut])
async def waiting_list(
    request: Request, office: OperatorOffice, session: ReadingDep, clock: ClockDep
) -> list[TicketOut]:
    """Tickets waiting in the office, oldest first (for calling one out of turn)."""
    views = await queue_views.waiting_views(session, office.id, clock.now())
    return [ticket_out(request, view) for view in views]


@router.post("/operators/me/pause", status_code=204)
async def pause(
    body: PauseIn, principal: OperatorDep, clock: ClockDep, uow: UnitOfWorkDep
) -> Response:
    """Stop being offered tickets, with a reason."""
    await operators.pause(uow, principal, body.reason, clock.now())
    return Response(status_code=204)


@router.post("/operators/me/resume", status_code=204)
async def resume(principal: OperatorDep, clock: ClockDep, uow: UnitOfWorkDep) -> Response:
    """Be offered tickets again."""
    await operators.resume(uow, principal, clock.now())
    return Response(status_code=204)


@router.post("/operators/me/leave", status_code=204)
async def leave(principal: OperatorDep, clock: ClockDep, uow: UnitOfWorkDep) -> Response:
    """Free the window(s) this operator holds."""
    await operators.leave_windows(uow, principal, clock.now())
    return Response(status_code=204)
