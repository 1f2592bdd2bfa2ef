"""Loading a catalogue (offices, windows, topic tree) from data; safe to run again."""

from __future__ import annotations

import json
from datetime import datetime
from importlib import resources
from typing import Any

from queue_server.db.engine import UnitOfWork
from queue_server.db.models import Office, Topic
from queue_server.db.repositories import offices as office_repo
from queue_server.services import catalogue, holidays


def builtin_catalogue() -> dict[str, Any]:
    """The two Lipetsk centres, the Company representative and their topic trees."""
    text = resources.files("queue_server.catalogue").joinpath("lipetsk.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def office_tree(data: dict[str, Any], office: dict[str, Any]) -> list[dict[str, Any]]:
    """The topic tree an office names in `trees`; the centres' tree (`topics`) if it names none."""
    name = office.get("tree")
    trees: dict[str, list[dict[str, Any]]] = data.get("trees", {})
    if name is not None and name not in trees:
        raise ValueError(f"office {office['name']!r} names the tree {name!r}, not in trees")
    tree: list[dict[str, Any]] = data["topics"] if name is None else trees[name]
    return tree


async def _ensure_topic(
    uow: UnitOfWork,
    office: Office,
    existing: list[Topic],
    node: dict[str, Any],
    parent: int | None,
    now: datetime,
) -> int:
    created = 0
    match = next(
        (t for t in existing if t.parent_id == parent and t.name_ru == node["name"]["ru"]), None
    )
    if match is None:
        target = node.get("target_wait_seconds") or {}
        match = await catalogue.create_topic(
            uow,
            office.id,
            catalogue.TopicSpec(
                name_ru=node["name"]["ru"],
                name_en=node["name"]["en"],
                prefix=node["prefix"],
                parent_id=parent,
                target_peak_seconds=target.get("peak"),
                target_offpeak_seconds=target.get("offpeak"),
                operations=node.get("operations", []),
            ),
            now,
        )
        existing.append(match)
        created += 1
    for child in node.get("children", []):
        created += await _ensure_topic(uow, office, existing, child, match.id, now)
    return created


async def seed(uow: UnitOfWork, data: dict[str, Any], now: datetime) -> dict[str, int]:
    """Create what is missing; returns how many offices, windows and topics were added."""
    added = {"offices": 0, "windows": 0, "topics": 0}
    for spec in data["offices"]:
        office = await office_repo.find_office_by_name(uow.session, spec["name"])
        if office is None:
            office = await catalogue.create_office(
                uow,
                catalogue.OfficeSpec(
                    name=spec["name"],
                    address=spec["address"],
                    timezone=spec["timezone"],
                    hours=spec["hours"],
                    peak=spec.get("peak", []),
                ),
                now,
            )
            added["offices"] += 1
        for number in range(1, spec["windows"] + 1):
            if await office_repo.window_by_number(uow.session, office.id, number) is None:
                await catalogue.create_window(uow, office.id, number, f"Окно {number}", now)
                added["windows"] += 1
        existing = list(await office_repo.topics_of_office(uow.session, office.id))
        for node in office_tree(data, spec):
            added["topics"] += await _ensure_topic(uow, office, existing, node, None, now)
    return added


async def seed_holidays(uow: UnitOfWork, now: datetime) -> int:
    """Russia's public holidays and shortened days (2026-2027) as calendar days of the offices in
    Russian time zones, keeping every date an admin set; how many dates were added or changed."""
    return await holidays.load(uow, holidays.production_calendar(), now)
