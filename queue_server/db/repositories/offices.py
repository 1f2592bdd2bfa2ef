"""Offices, topics, windows and kiosks."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, exists, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from queue_server.db.models import Kiosk, Office, Topic, Window
from queue_server.db.repositories import locking


async def list_offices(session: AsyncSession) -> Sequence[Office]:
    return (await session.scalars(select(Office).order_by(Office.id))).all()


async def find_office_by_name(session: AsyncSession, name: str) -> Office | None:
    return (await session.scalars(select(Office).where(Office.name == name))).first()


async def topics_of_office(session: AsyncSession, office_id: int) -> Sequence[Topic]:
    statement = (
        select(Topic).where(Topic.office_id == office_id).order_by(Topic.sort_order, Topic.id)
    )
    return (await session.scalars(statement)).all()


async def has_children(session: AsyncSession, topic_id: int) -> bool:
    statement = select(func.count()).select_from(Topic).where(Topic.parent_id == topic_id)
    return bool((await session.execute(statement)).scalar_one())


async def next_topic_sort_order(session: AsyncSession, office_id: int) -> int:
    statement = select(func.coalesce(func.max(Topic.sort_order), 0)).where(
        Topic.office_id == office_id
    )
    return int((await session.execute(statement)).scalar_one()) + 1


async def windows_of_office(session: AsyncSession, office_id: int) -> Sequence[Window]:
    statement = select(Window).where(Window.office_id == office_id).order_by(Window.number)
    return (await session.scalars(statement)).all()


async def window_by_number(session: AsyncSession, office_id: int, number: int) -> Window | None:
    statement = select(Window).where(Window.office_id == office_id, Window.number == number)
    return (await session.scalars(statement)).first()


async def lock_window(session: AsyncSession, window_id: int) -> Window | None:
    return await locking.locked(session, Window, window_id)


async def windows_held_by(session: AsyncSession, user_id: int) -> Sequence[Window]:
    return (await session.scalars(select(Window).where(Window.operator_id == user_id))).all()


async def kiosks_of_office(session: AsyncSession, office_id: int) -> Sequence[Kiosk]:
    statement = select(Kiosk).where(Kiosk.office_id == office_id).order_by(Kiosk.id)
    return (await session.scalars(statement)).all()


def _retired_in_chain() -> Any:
    """EXISTS: the topic `:topic_id` or a menu above it is retired (the kiosk does not offer it)."""
    start, above = aliased(Topic), aliased(Topic)
    chain = (
        select(start.id, start.parent_id, start.active)
        .where(start.id == bindparam("topic_id"))
        .cte("topic_chain", recursive=True)
    )
    chain = chain.union_all(
        select(above.id, above.parent_id, above.active).where(above.id == chain.c.parent_id)
    )
    return exists().where(chain.c.active == false())


def _office_with_topic() -> Any:
    child = aliased(Topic)
    has_children = exists().where(child.parent_id == Topic.id)
    topic_of_office = and_(Topic.id == bindparam("topic_id"), Topic.office_id == Office.id)
    return (
        select(Office, Topic, has_children, _retired_in_chain())
        .outerjoin(Topic, topic_of_office)
        .where(Office.id == bindparam("office_id"))
    )


# Built once: on the kiosk's tap, building the statement cost more than running it.
_OFFICE_WITH_TOPIC = _office_with_topic()


class OfficeTopic(NamedTuple):
    office: Office
    topic: Topic | None
    has_children: bool
    offered: bool
    """The topic and every menu above it are active."""


async def office_with_topic(
    session: AsyncSession, office_id: int, topic_id: int
) -> OfficeTopic | None:
    """The office, its topic `topic_id` (None if it has no such topic), whether that topic has
    sub-topics and whether the kiosk offers it, in one query (the kiosk's tap); None if there is
    no such office."""
    values = {"office_id": office_id, "topic_id": topic_id}
    row = (await session.execute(_OFFICE_WITH_TOPIC, values)).first()
    if row is None:
        return None
    office, topic, children, retired = row
    if topic is None:
        return OfficeTopic(office, None, False, False)
    return OfficeTopic(office, topic, bool(children), not retired)


_RETIRED_IN_CHAIN = select(_retired_in_chain())


async def topic_offered(session: AsyncSession, topic_id: int) -> bool:
    """Whether the topic and every menu above it are active."""
    retired = (await session.execute(_RETIRED_IN_CHAIN, {"topic_id": topic_id})).scalar_one()
    return not retired
