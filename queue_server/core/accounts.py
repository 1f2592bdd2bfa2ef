"""What may change about a user account, and by whom: the rules of editing users."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

ADMIN, OPERATOR = "admin", "operator"
# What a manager may change about an operator of their office; roles and offices are an
# administrator's, or a manager could promote themselves or take people from another office.
MANAGER_FIELDS = frozenset({"display_name", "skills", "active"})
# A change to any of these alters what the user's sessions may do, so every worker must look
# the user up afresh.
SESSION_FIELDS = frozenset({"role", "office_id", "active"})


def manager_refusal(
    manager_office_id: int | None,
    target: Mapping[str, Any],
    changed: Iterable[str],
) -> str | None:
    """Why a manager may not make these changes to the user `target`, or None when they may.

    A manager without an office (a regional one) edits operators of every office."""
    if target["role"] != OPERATOR:
        return "managers edit operators only; ask an administrator to change this user"
    if manager_office_id is not None and target["office_id"] != manager_office_id:
        return (
            "this operator works in another office; ask a manager of that office "
            "or an administrator"
        )
    refused = sorted(set(changed) - MANAGER_FIELDS)
    if refused:
        return (
            f"managers change display_name, skills and active only, not {', '.join(refused)}; "
            "ask an administrator"
        )
    return None


def is_active_admin(account: Mapping[str, Any]) -> bool:
    return bool(account["role"] == ADMIN and account["active"])


def removes_an_admin(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Whether the change takes an active administrator away (demoted or deactivated)."""
    return is_active_admin(before) and not is_active_admin(after)


LAST_ADMIN = (
    "{login} is the last active administrator, and nobody could change the set-up without one; "
    "make another user an administrator first, then change this one"
)


def leaves_office(before: Mapping[str, Any], after: Mapping[str, Any]) -> bool:
    """Whether the user stops working where they did: deactivated or moved to another office."""
    return bool(before["active"] and not after["active"]) or (
        before["office_id"] != after["office_id"]
    )
