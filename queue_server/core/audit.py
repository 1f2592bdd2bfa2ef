"""What an audit entry records of a change: each field that moved, as [old, new]."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

CREATED, CHANGED, RETIRED, RESTORED, DELETED = (
    "created",
    "changed",
    "retired",
    "restored",
    "deleted",
)


def changes_between(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The fields of `new` whose value differs from `old`'s, as {field: [old, new]}."""
    return {name: [old.get(name), value] for name, value in new.items() if old.get(name) != value}


def action_of(changes: Mapping[str, list[Any]]) -> str:
    """`retired` or `restored` when the change is to `active`, else `changed`."""
    active = changes.get("active")
    if active is None:
        return CHANGED
    return RESTORED if active[1] else RETIRED
