"""Printing a ticket's slip after its transaction has committed: never loses the ticket."""

from __future__ import annotations

from dataclasses import dataclass

from queue_server.db.engine import Database
from queue_server.db.models import Ticket


@dataclass(frozen=True, slots=True)
class PrintResult:
    status: str  # printed | failed | none
    detail: str = ""


async def print_ticket(database: Database, ticket: Ticket) -> PrintResult:
    """Print on the issuing kiosk's printer, if it has one (kiosk issue: real ESC/POS)."""
    return PrintResult("none", "")
