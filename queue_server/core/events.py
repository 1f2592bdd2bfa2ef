"""Office events as types: their names, the pieces they carry, and the one message form of both
the live event (published after its commit) and the replayed one (read back from the event log)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    """What happened, in the past tense; the value is the `type` clients and the log see."""

    TICKET_ISSUED = "ticket.issued"
    TICKET_CALLED = "ticket.called"
    TICKET_RECALLED = "ticket.recalled"
    TICKET_STARTED = "ticket.started"
    TICKET_FINISHED = "ticket.finished"
    TICKET_NO_SHOW = "ticket.no_show"
    TICKET_RETURNED = "ticket.returned"
    TICKET_TRANSFERRED = "ticket.transferred"
    TICKET_EXPIRED = "ticket.expired"
    TICKET_RATED = "ticket.rated"
    WINDOW_OPENED = "window.opened"
    WINDOW_CLOSED = "window.closed"
    OPERATOR_PAUSED = "operator.paused"
    OPERATOR_RESUMED = "operator.resumed"
    PRINTER_OK = "printer.ok"
    PRINTER_FAILED = "printer.failed"
    OFFICE_CHANGED = "office.changed"


# A call and a recall both send a visitor to a window: displays announce either.
CALL_TYPES: frozenset[str] = frozenset({EventType.TICKET_CALLED, EventType.TICKET_RECALLED})


@dataclass(frozen=True, slots=True)
class WindowRef:
    """A service window as events name it."""

    id: int
    number: int
    name: str

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "number": self.number, "name": self.name}


@dataclass(frozen=True, slots=True)
class TicketRef:
    """A ticket as events, snapshots and recent calls carry it."""

    id: int
    number: str
    status: str
    topic_id: int
    customer_type: str
    priority: bool
    issued_at: datetime
    called_at: datetime | None
    operator_id: int | None
    window: WindowRef | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "number": self.number,
            "status": self.status,
            "topic_id": self.topic_id,
            "customer_type": self.customer_type,
            "priority": self.priority,
            "issued_at": self.issued_at.isoformat(),
            "called_at": self.called_at.isoformat() if self.called_at else None,
            "operator_id": self.operator_id,
            "window": None if self.window is None else self.window.as_json(),
        }


@dataclass(frozen=True, slots=True)
class OfficeEvent:
    """One entry of an office's event log, numbered by the office's `seq`."""

    type: str
    seq: int
    office_id: int
    at: datetime
    ticket: TicketRef | None = None
    window: WindowRef | None = None
    user_id: int | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def as_message(self) -> dict[str, Any]:
        """The message listeners receive, live or replayed: optional parts only when present."""
        message: dict[str, Any] = {
            "type": str(self.type),
            "seq": self.seq,
            "office_id": self.office_id,
            "at": self.at.isoformat(),
        }
        if self.ticket is not None:
            message["ticket"] = self.ticket.as_json()
        elif self.window is not None:  # a window opened or closed: say which
            message["window"] = self.window.as_json()
        if self.user_id is not None:
            message["user_id"] = self.user_id
        if self.data:
            message["data"] = self.data
        return message
