"""Positions and waiting-time estimates as the kiosk and the status page show them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core import eta
from queue_server.core.lifecycle import TicketStatus
from queue_server.db.models import Ticket, User
from queue_server.db.repositories import offices as office_repo
from queue_server.db.repositories import tickets as ticket_repo
from queue_server.db.repositories import users as user_repo


async def servers_for_topics(session: AsyncSession, office_id: int) -> dict[int, int]:
    """How many operators of the office can serve each topic (no skills = every topic)."""
    topics = [topic.id for topic in await office_repo.topics_of_office(session, office_id)]
    operators: list[User] = list(await user_repo.users_of_office(session, office_id))
    skills = await user_repo.skills_of_office(session, office_id)
    counts = dict.fromkeys(topics, 0)
    for operator in operators:
        if operator.paused_reason is not None:
            continue
        served = skills.get(operator.id) or dict.fromkeys(topics, 1)
        for topic_id in served:
            if topic_id in counts:
                counts[topic_id] += 1
    return counts


async def estimate_for_position(
    session: AsyncSession, office_id: int, topic_id: int, position: int, servers: int
) -> int:
    durations = await ticket_repo.recent_service_seconds(session, office_id, topic_id)
    if not durations:
        durations = await ticket_repo.recent_service_seconds(session, office_id, None)
    return eta.estimate_wait_seconds(position, eta.mean_service_seconds(durations), servers)


async def ticket_position(session: AsyncSession, ticket: Ticket) -> tuple[int, int]:
    """(people ahead, estimated wait in seconds) for a waiting ticket; (0, 0) otherwise."""
    if ticket.status != TicketStatus.WAITING.value:
        return 0, 0
    ahead = await ticket_repo.people_ahead(session, ticket)
    servers = (await servers_for_topics(session, ticket.office_id)).get(ticket.topic_id, 1)
    wait = await estimate_for_position(session, ticket.office_id, ticket.topic_id, ahead, servers)
    return ahead, wait


def waited_seconds(ticket: Ticket, now: datetime) -> float:
    end = ticket.first_called_at or now
    return max(0.0, (end - ticket.issued_at).total_seconds())
