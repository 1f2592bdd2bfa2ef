"""The topic tree's rules: which topics the kiosk offers, where a topic may hang, which prefixes
may be shared."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Node:
    """What the rules need of a topic."""

    id: int
    parent_id: int | None
    prefix: str
    active: bool


def ancestors(parents: Mapping[int, int | None], topic_id: int) -> list[int]:
    """The menus above `topic_id`, nearest first (`parents`: topic id -> parent id)."""
    found: list[int] = []
    parent = parents.get(topic_id)
    # Bounded by the number of topics: a cycle in stored data must not hang the server.
    while parent is not None and parent not in found and len(found) <= len(parents):
        found.append(parent)
        parent = parents.get(parent)
    return found


def makes_cycle(parents: Mapping[int, int | None], topic_id: int, parent_id: int | None) -> bool:
    """Whether hanging `topic_id` under `parent_id` would put it under itself."""
    if parent_id is None:
        return False
    return parent_id == topic_id or topic_id in ancestors(parents, parent_id)


def offered(nodes: Iterable[Node]) -> set[int]:
    """The topics the kiosk shows: active, under menus that are all active. Retiring a menu
    takes its sub-topics out with it; restoring it brings back those still active."""
    listed = list(nodes)
    parents = {node.id: node.parent_id for node in listed}
    inactive = {node.id for node in listed if not node.active}
    return {
        node.id
        for node in listed
        if node.active and not inactive.intersection(ancestors(parents, node.id))
    }


def one_menu(first: Node, second: Node) -> bool:
    """Whether two topics are one menu's family (siblings under it, or the menu and a child):
    the service standard numbers a whole menu with one prefix (paid services, P)."""
    siblings = first.parent_id is not None and first.parent_id == second.parent_id
    return siblings or first.parent_id == second.id or second.parent_id == first.id


def prefix_holder(others: Iterable[Node], topic: Node) -> Node | None:
    """Another active topic that already numbers with `topic`'s prefix outside its menu, if any:
    two unrelated services sharing a prefix would share one sequence of numbers."""
    return next(
        (
            other
            for other in others
            if other.id != topic.id
            and other.active
            and other.prefix == topic.prefix
            and not one_menu(other, topic)
        ),
        None,
    )
