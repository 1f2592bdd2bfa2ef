"""What each kind of listener sees of an event: staff everything, the public hall display less."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from queue_server.core.events import CALL_TYPES, EventType
from queue_server.realtime import speech

Message = dict[str, Any]
# An administrator added a topic, window, account or kiosk: the event carries the topics, so a
# display shows a new topic's queue without reconnecting (which could cost it an announcement).
OFFICE_CHANGED = EventType.OFFICE_CHANGED
# A public display shows numbers and windows; who served whom, and why, stays with the staff.
PUBLIC_TICKET_FIELDS = ("id", "number", "status", "topic_id", "called_at")
PUBLIC_EXTRAS = ("waiting", "topics", "announcement", "replayed", "age_seconds")


def wanted_state(messages: Iterable[Message]) -> frozenset[str]:
    """Which parts of the office's state `enrich` adds to these events."""
    kinds = {message["type"] for message in messages}
    wanted = set()
    if any(kind.startswith("ticket.") for kind in kinds):
        wanted.add("waiting")
    if OFFICE_CHANGED in kinds:
        wanted.add("topics")
    return frozenset(wanted)


def enrich(message: Message, state: Message) -> Message:
    """The event plus what listeners need of the office's state now (`wanted_state`, as read by
    `live_state.office_state`): waiting counts after a ticket event, the topics after an
    `office.changed`, and, for a call, the phrase a display speaks."""
    enriched = dict(message)
    kind = message["type"]
    if "waiting" in state and kind.startswith("ticket."):
        enriched["waiting"] = state["waiting"]
    if "topics" in state and kind == OFFICE_CHANGED:
        enriched["topics"] = state["topics"]
    ticket = message.get("ticket") or {}
    window = ticket.get("window")
    if kind in CALL_TYPES and window and speech.parse_number(ticket["number"]):
        enriched["announcement"] = speech.announcements(ticket["number"], int(window["number"]))
    return enriched


def public_ticket(ticket: Message) -> Message:
    """A ticket as the hall may see it: number, status, topic, window."""
    shown = {key: ticket.get(key) for key in PUBLIC_TICKET_FIELDS}
    window = ticket.get("window")
    shown["window"] = (
        None
        if window is None
        else {"id": window["id"], "number": window["number"], "name": window["name"]}
    )
    return shown


def public(message: Message) -> Message:
    """The hall display's view of an event."""
    view: Message = {key: message[key] for key in ("type", "seq", "office_id", "at")}
    ticket = message.get("ticket")
    if ticket is not None:
        view["ticket"] = public_ticket(ticket)
    for key in PUBLIC_EXTRAS:
        if key in message:
            view[key] = message[key]
    return view


def dumps(message: Message) -> str:
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))


def texts(message: Message) -> dict[str, str]:
    """The event serialised once for every channel kind."""
    return {"staff": dumps(message), "display": dumps(public(message))}
