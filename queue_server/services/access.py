"""Who may do what: roles, and which offices a user may act in."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from queue_server.errors import Forbidden


class Role(StrEnum):
    OPERATOR = "operator"
    MANAGER = "manager"
    ADMIN = "admin"


RANK = {Role.OPERATOR: 1, Role.MANAGER: 2, Role.ADMIN: 3}


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated user of a request."""

    user_id: int
    login: str
    role: Role
    office_id: int | None
    via_cookie: bool = False
    csrf_token: str = ""

    def at_least(self, role: Role) -> bool:
        return RANK[self.role] >= RANK[role]


def require_role(principal: Principal, role: Role) -> None:
    """Forbidden unless the user's role is `role` or higher."""
    if not principal.at_least(role):
        raise Forbidden(f"this needs the {role.value} role; you are signed in as {principal.role}")


def require_office(principal: Principal, office_id: int) -> None:
    """Forbidden when a user bound to one office tries to act in another.

    Admins act anywhere, and so does a manager without an office (a regional manager). An operator
    without an office serves nowhere: windows belong to an office, and so must the person at one.
    """
    if principal.role is Role.ADMIN:
        return
    if principal.office_id is None:
        if principal.role is Role.MANAGER:
            return
        raise Forbidden(
            "your account is not assigned to an office yet; ask an administrator to assign one"
        )
    if principal.office_id != office_id:
        raise Forbidden("you work in another office and cannot act in this one")
