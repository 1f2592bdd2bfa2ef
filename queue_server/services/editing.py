"""Editing and retiring what administration created: offices, topics, windows and kiosks.

Nothing a ticket refers to is deleted; retiring sets `active` false. Each change is checked whole
before anything is written, then recorded as one audit entry with every field's [old, new] and
told to the office's screens (`office.changed`); a change that changes nothing writes nothing.
`wanted` holds the fields a client sent, named and shaped as the API names them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from queue_server.core import schedule, topic_rules
from queue_server.core.audit import action_of, changes_between
from queue_server.db.engine import UnitOfWork
from queue_server.db.models import Kiosk, Office, Topic, Window
from queue_server.db.repositories import offices as office_repo
from queue_server.errors import AlreadyExists, Unprocessable
from queue_server.services import audit, catalogue, lookups
from queue_server.services.access import Principal, require_office

T = TypeVar("T")
OFFICE_FIELDS = (
    "name",
    "address",
    "timezone",
    "hours",
    "peak",
    "max_priority_in_row",
    "recall_limit",
    "recall_timeout_seconds",
    "auto_no_show",
    "kiosk_tickets_per_minute",
    "remote_open",
    "remote_tickets_per_hour",
)
# A change to any of these can make a topic's prefix clash with another's.
NUMBERING_FIELDS = frozenset({"prefix", "parent_id", "active"})


async def _record(
    uow: UnitOfWork,
    actor: Principal,
    office_id: int,
    what: str,
    item_id: int,
    changes: dict[str, list[Any]],
    now: datetime,
) -> None:
    if changes:
        await audit.record(
            uow,
            actor=actor,
            office_id=office_id,
            object_type=what,
            object_id=item_id,
            now=now,
            action=action_of(changes),
            changes=changes,
        )


def _parsed(parse: Callable[[Any], T], value: Any) -> T:
    try:
        return parse(value)
    except ValueError as error:
        raise Unprocessable(str(error)) from error


def office_fields(office: Office) -> dict[str, Any]:
    """The office's editable fields, as the API names them."""
    return {name: getattr(office, name) for name in OFFICE_FIELDS}


def _office_values(wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The fields to set, checked like a new office's and stored in the same normal form."""
    values = dict(wanted)
    if "timezone" in values:
        _parsed(schedule.validate_timezone, values["timezone"])
    if "hours" in values:
        values["hours"] = schedule.hours_as_json(_parsed(schedule.parse_hours, values["hours"]))
    if "peak" in values:
        periods = _parsed(schedule.parse_periods, values["peak"])
        values["peak"] = [period.as_strings() for period in periods]
    return values


async def update_office(
    uow: UnitOfWork, actor: Principal, office_id: int, wanted: Mapping[str, Any], now: datetime
) -> Office:
    """Change an office's name, hours, peak periods and settings."""
    office = await lookups.office(uow.session, office_id)
    changes = changes_between(office_fields(office), _office_values(wanted))
    for name, (_old, new) in changes.items():
        setattr(office, name, new)
    await _record(uow, actor, office.id, "office", office.id, changes, now)
    return office


def topic_fields(topic: Topic) -> dict[str, Any]:
    """The topic's editable fields, as the API names them."""
    return {
        "name": {"ru": topic.name_ru, "en": topic.name_en},
        "prefix": topic.prefix,
        "parent_id": topic.parent_id,
        "target_wait_seconds": {
            "peak": topic.target_peak_seconds,
            "offpeak": topic.target_offpeak_seconds,
        },
        "operations": list(topic.operations or []),
        "sort_order": topic.sort_order,
        "active": topic.active,
    }


def _topic_values(wanted: Mapping[str, Any]) -> dict[str, Any]:
    """The fields to set, completed as creation completes them (English falls back to Russian)."""
    values = dict(wanted)
    if "name" in values:
        name = values["name"]
        values["name"] = {"ru": name["ru"], "en": name.get("en") or name["ru"]}
    if "target_wait_seconds" in values:
        target = values["target_wait_seconds"] or {}
        values["target_wait_seconds"] = {
            "peak": target.get("peak"),
            "offpeak": target.get("offpeak"),
        }
    if "operations" in values:
        values["operations"] = [
            {"ru": op["ru"], "en": op.get("en") or op["ru"]} for op in values["operations"]
        ]
    return values


def _apply_to_topic(topic: Topic, changes: Mapping[str, list[Any]]) -> None:
    for name, (_old, new) in changes.items():
        if name == "name":
            topic.name_ru, topic.name_en = new["ru"], new["en"]
        elif name == "target_wait_seconds":
            topic.target_peak_seconds = new["peak"]
            topic.target_offpeak_seconds = new["offpeak"]
        else:
            setattr(topic, name, new)


def _node(topic: Topic) -> topic_rules.Node:
    return topic_rules.Node(topic.id, topic.parent_id, topic.prefix, topic.active)


def _check_parent(topic: Topic, parent_id: int, topics: Sequence[Topic]) -> None:
    """422 unless the parent is a topic of the same office and not the topic or one below it."""
    if all(other.id != parent_id for other in topics):
        raise Unprocessable(f"parent_id {parent_id} is not a topic of office {topic.office_id}")
    if topic_rules.makes_cycle({t.id: t.parent_id for t in topics}, topic.id, parent_id):
        raise Unprocessable(
            f"topic {parent_id} is topic {topic.id} or lies under it: a topic cannot be placed "
            "under itself; choose another parent_id"
        )


def _check_prefix(result: topic_rules.Node, topics: Sequence[Topic]) -> None:
    """422 when another active topic outside the topic's menu already numbers with its prefix."""
    holder = topic_rules.prefix_holder((_node(t) for t in topics), result)
    if holder is not None:
        name = next(t.name_ru for t in topics if t.id == holder.id)
        raise Unprocessable(
            f"prefix {result.prefix} already numbers topic {holder.id} ({name}) of this office; "
            "choose another prefix, or retire that topic first"
        )


async def _check_topic_change(
    session: AsyncSession, topic: Topic, changes: Mapping[str, list[Any]]
) -> None:
    """Refuse a parent or prefix the tree cannot take, before anything is changed."""
    if not NUMBERING_FIELDS & changes.keys():
        return
    topics = await office_repo.topics_of_office(session, topic.office_id)
    result = topic_rules.Node(
        topic.id,
        changes["parent_id"][1] if "parent_id" in changes else topic.parent_id,
        changes["prefix"][1] if "prefix" in changes else topic.prefix,
        changes["active"][1] if "active" in changes else topic.active,
    )
    if "parent_id" in changes and result.parent_id is not None:
        _check_parent(topic, result.parent_id, topics)
    if result.active:
        _check_prefix(result, topics)


async def update_topic(
    uow: UnitOfWork, actor: Principal, topic_id: int, wanted: Mapping[str, Any], now: datetime
) -> Topic:
    """Change, retire or restore a topic (admin, or a manager of its office). A retired topic
    leaves the kiosk menu, and so do the sub-topics of a retired menu; their waiting tickets
    stay and are served. A new prefix numbers the tickets issued after it."""
    topic = await lookups.topic(uow.session, topic_id)
    require_office(actor, topic.office_id)
    changes = changes_between(topic_fields(topic), _topic_values(wanted))
    await _check_topic_change(uow.session, topic, changes)
    _apply_to_topic(topic, changes)
    await _record(uow, actor, topic.office_id, "topic", topic.id, changes, now)
    return topic


async def topics_of_office(session: AsyncSession, office_id: int) -> Sequence[Topic]:
    """Every topic of the office, retired ones too, in menu order."""
    return await office_repo.topics_of_office(session, office_id)


async def update_window(
    uow: UnitOfWork, actor: Principal, window_id: int, wanted: Mapping[str, Any], now: datetime
) -> Window:
    """Renumber, rename, retire or restore a window (admin, or a manager of its office); nobody
    opens a retired window or calls to it."""
    window = await lookups.window(uow.session, window_id)
    require_office(actor, window.office_id)
    values = dict(wanted)
    if "name" in values and not values["name"]:  # as at creation: a window is named by number
        values["name"] = str(values.get("number", window.number))
    old = {"number": window.number, "name": window.name, "active": window.active}
    changes = changes_between(old, values)
    number = changes.get("number", [None, None])[1]
    taken = f"office {window.office_id} already has a window number {number}"
    if number is not None and await office_repo.window_by_number(
        uow.session, window.office_id, number
    ):
        raise AlreadyExists(taken)
    for name, (_old, new) in changes.items():
        setattr(window, name, new)
    try:
        await uow.session.flush()
    except IntegrityError as error:  # a concurrent change to the same number
        raise AlreadyExists(taken) from error
    await _record(uow, actor, window.office_id, "window", window.id, changes, now)
    return window


async def update_kiosk(
    uow: UnitOfWork,
    actor: Principal,
    kiosk_id: int,
    wanted: Mapping[str, Any],
    now: datetime,
    *,
    spool_dir: Path | None = None,
) -> Kiosk:
    """Rename a kiosk, change its printer (file printers only inside `spool_dir`; None: none),
    retire or restore it; a retired kiosk's key issues nothing."""
    kiosk = await lookups.kiosk(uow.session, kiosk_id)
    if "printer" in wanted:
        catalogue.check_printer(wanted["printer"], spool_dir)
    old = {"name": kiosk.name, "printer": kiosk.printer, "active": kiosk.active}
    changes = changes_between(old, wanted)
    for name, (_old, new) in changes.items():
        setattr(kiosk, name, new)
    if "printer" in changes:  # what was known of the old printer says nothing of the new one
        kiosk.printer_status = "none" if kiosk.printer is None else "unknown"
        kiosk.printer_detail, kiosk.printer_failures, kiosk.printer_checked_at = "", 0, None
    await _record(uow, actor, kiosk.office_id, "kiosk", kiosk.id, changes, now)
    return kiosk
