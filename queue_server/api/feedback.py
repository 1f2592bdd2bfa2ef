"""Visitors rate a finished service from the status page (no sign-in: the ticket code is the key)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from queue_server.api.deps import ClockDep, DatabaseDep
from queue_server.services import feedback

router = APIRouter(tags=["visitors"])
TicketCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


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
    code: TicketCode, body: FeedbackIn, database: DatabaseDep, clock: ClockDep
) -> FeedbackOut:
    """Rate a finished service 1-5 with an optional comment; once per ticket.

    `409 ticket_not_finished` before the service is over, `409 already_rated` the second time."""
    async with database.unit_of_work() as uow:
        ticket = await feedback.rate_ticket(
            uow, code=code, rating=body.rating, comment=body.comment, now=clock.now()
        )
    return FeedbackOut(number=ticket.number, rating=body.rating, comment=ticket.comment)
