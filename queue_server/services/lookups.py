"""Fetch-or-404 helpers shared by the use cases."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.db.models import Kiosk, Office, Ticket, Topic, User, Window
from queue_server.db.repositories import offices as office_repo
from queue_server.errors import (
    KioskNotFound,
    OfficeNotFound,
    TicketNotFound,
    TopicNotFound,
    UserNotFound,
    WindowNotFound,
)


def no_office(office_id: int) -> OfficeNotFound:
    return OfficeNotFound("There is no office with id {office_id}.", office_id=office_id)


def no_topic(office_id: int, topic_id: int) -> TopicNotFound:
    return TopicNotFound(
        "Office {office_id} has no topic with id {topic_id}.",
        office_id=office_id,
        topic_id=topic_id,
    )


async def office(session: AsyncSession, office_id: int) -> Office:
    found = await session.get(Office, office_id)
    if found is None:
        raise no_office(office_id)
    return found


async def topic_in_office(session: AsyncSession, office_id: int, topic_id: int) -> Topic:
    found = await session.get(Topic, topic_id)
    if found is None or found.office_id != office_id:
        raise no_topic(office_id, topic_id)
    return found


async def topic(session: AsyncSession, topic_id: int) -> Topic:
    found = await session.get(Topic, topic_id)
    if found is None:
        raise TopicNotFound(f"there is no topic with id {topic_id}")
    return found


async def window(session: AsyncSession, window_id: int) -> Window:
    found = await session.get(Window, window_id)
    if found is None:
        raise WindowNotFound(f"there is no window with id {window_id}")
    return found


async def ticket(session: AsyncSession, ticket_id: int) -> Ticket:
    found = await session.get(Ticket, ticket_id)
    if found is None:
        raise TicketNotFound(f"there is no ticket with id {ticket_id}")
    return found


async def kiosk(session: AsyncSession, kiosk_id: int) -> Kiosk:
    found = await session.get(Kiosk, kiosk_id)
    if found is None:
        raise KioskNotFound(f"there is no kiosk with id {kiosk_id}")
    return found


async def user(session: AsyncSession, user_id: int) -> User:
    found = await session.get(User, user_id)
    if found is None:
        raise UserNotFound(f"there is no user with id {user_id}")
    return found


async def offices(session: AsyncSession) -> Sequence[Office]:
    """Every office."""
    return await office_repo.list_offices(session)
