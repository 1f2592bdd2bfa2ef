"""Visitors rate a finished service from the status page (no sign-in: the ticket code is the key)."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from queue_server.api.deps import ClockDep, TicketCode, UnitOfWorkDep
from queue_server.services import feedback

router = APIRouter(tags=["visitors"])


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: int = Field(ge=1, le=5, description="1 (bad) to 5 (excellent)")
    comment: str | None = Field(default=None, max_length=2000)


class FeedbackOut(BaseModel):
    number: str
    rating: int
    comment: str | None


@router.post("/tickets/{code}/feedback", response_model=FeedbackOut)
async def rate_service(
    code: TicketCode, body: FeedbackIn, clock: ClockDep, uow: UnitOfWorkDep
) -> FeedbackOut:
    """Rate a finished service 1-5 with an optional comment; once per ticket.

    `409 ticket_not_finished` before the service is over, `409 already_rated` the second time."""
    ticket = await feedback.rate_ticket(
        uow, code=code, rating=body.rating, comment=body.comment, now=clock.now()
    )
    return FeedbackOut(number=ticket.number, rating=body.rating, comment=ticket.comment)
