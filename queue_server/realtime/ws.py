"""Websocket endpoints: the hall display, a visitor's ticket, and the staff's view of an office.

Office channels start with a snapshot (or, with `?since=SEQ`, the events after SEQ when the event
log still has them), then send every event of the office with `seq` increasing by one. The server
pings every ten seconds (`{"type": "ping", "seq"}`); clients answer `{"type": "pong"}`.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, WebSocket

from queue_server.clock import Clock
from queue_server.db.engine import Database
from queue_server.db.models import Office
from queue_server.errors import Forbidden, TicketNotFound
from queue_server.realtime import projections, snapshots
from queue_server.realtime.channels import (
    FORBIDDEN,
    NOT_AUTHENTICATED,
    NOT_FOUND,
    Connection,
)
from queue_server.realtime.hub import NODE, Delivery, Hub, Subscription
from queue_server.services import auth, live_state, queue_views
from queue_server.services.access import Principal, Role, require_office, require_role
from queue_server.settings import Settings
from queue_server.state import (
    SESSION_COOKIE,
    get_clock,
    get_database,
    get_principals,
    get_settings,
)

router = APIRouter()
TICKET_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
Message = dict[str, Any]


def _hub(websocket: WebSocket) -> Hub:
    hub: Hub = websocket.app.state.hub
    return hub


def _connection(websocket: WebSocket) -> Connection:
    settings = get_settings(websocket)
    return Connection(websocket, settings.ws_ping_interval_seconds, settings.ws_dead_after_seconds)


def origin_allowed(websocket: WebSocket, settings: Settings) -> bool:
    """A browser page from another site must not ride on a signed-in user's cookie."""
    origin = websocket.headers.get("origin")
    if not origin:
        return True  # not a browser: it can only authenticate with a token it holds
    allowed = {websocket.headers.get("host", "").lower()}
    if settings.public_url:
        allowed.add(urlsplit(settings.public_url).netloc.lower())
    return urlsplit(origin).netloc.lower() in allowed


async def _principal(websocket: WebSocket) -> Principal | None:
    """The user behind a one-use ?ticket= (POST /api/v1/auth/ws-ticket), a bearer header or the
    session cookie. Never a login token in the URL: access logs keep URLs."""
    database, principals = get_database(websocket), get_principals(websocket)
    settings, now = get_settings(websocket), get_clock(websocket).now()
    if "ticket" in websocket.query_params:
        ticket = websocket.query_params["ticket"]
        if not ticket or len(ticket) > 200:
            return None
        return await auth.redeem_ws_ticket(database, principals, settings, ticket, now)
    scheme, _, bearer = websocket.headers.get("authorization", "").partition(" ")
    token = bearer.strip() if scheme.lower() == "bearer" else ""
    via_cookie = not token
    token = token or websocket.cookies.get(SESSION_COOKIE, "")
    if not token or len(token) > 200:
        return None
    # The cache the HTTP requests of this process share.
    return await auth.resolve_token(database, principals, settings, token, via_cookie, now)


def _since(websocket: WebSocket) -> int | None:
    raw = websocket.query_params.get("since", "")
    return int(raw) if raw.isdigit() and len(raw) < 18 else None


@router.websocket("/ws/offices/{office_id}/display")
async def display_channel(websocket: WebSocket, office_id: int) -> None:
    """The hall display: a public snapshot, then every event of the office in seq order."""
    await websocket.accept()
    await _office_channel(websocket, office_id, staff=False)


@router.websocket("/ws/offices/{office_id}/staff")
async def staff_channel(websocket: WebSocket, office_id: int) -> None:
    """Consoles and dashboards: the full snapshot and events; operator or higher of the office."""
    if not origin_allowed(websocket, get_settings(websocket)):
        await websocket.close(code=1008)  # before accept: the handshake is refused with 403
        return
    principal = await _principal(websocket)
    await websocket.accept()
    connection = _connection(websocket)
    if principal is None:
        await connection.refuse(
            NOT_AUTHENTICATED,
            "not_authenticated",
            "sign in first: a session cookie, or ?ticket= from POST /api/v1/auth/ws-ticket",
        )
        return
    try:
        require_role(principal, Role.OPERATOR)
        require_office(principal, office_id)
    except Forbidden as error:
        await connection.refuse(FORBIDDEN, error.code, error.detail)
        return
    await _office_channel(websocket, office_id, staff=True)


async def _office_channel(websocket: WebSocket, office_id: int, *, staff: bool) -> None:
    database, hub = get_database(websocket), _hub(websocket)
    connection = _connection(websocket)
    async with database.reading() as session:
        office = await live_state.office(session, office_id)
    if office is None:
        detail = f"there is no office with id {office_id}"
        await connection.refuse(NOT_FOUND, "office_not_found", detail)
        return
    # Subscribe before reading the snapshot: an event committed in between is queued, not lost.
    subscription, _ = await hub.subscribe(office_id, get_settings(websocket).ws_queue_size)
    try:
        sent = _Sent(await _catch_up(websocket, connection, office, staff=staff))
        kind = "staff" if staff else "display"
        await connection.serve(
            _pump_office(connection, subscription, sent, kind),
            subscription,
            lambda: {"type": "ping", "seq": sent.seq},
        )
    finally:
        await hub.unsubscribe(subscription)


async def _catch_up(
    websocket: WebSocket, connection: Connection, office: Office, *, staff: bool
) -> int:
    """Send what the client lacks: the missed events if it says where it was, else a snapshot."""
    since, now = _since(websocket), get_clock(websocket).now()
    async with get_database(websocket).reading() as session:
        missed = None
        if since is not None:
            missed = await snapshots.missed_events(session, office.id, since, now)
        if missed is None:
            picture = await snapshots.snapshot(session, office, now, staff=staff, node=NODE)
            await connection.send_json(picture)
            return int(picture["seq"])
    for message in missed:
        await connection.send(projections.dumps(message if staff else projections.public(message)))
    return int(missed[-1]["seq"]) if missed else int(since or 0)


@dataclass
class _Sent:
    """The last seq this connection has sent; its pings tell the client."""

    seq: int


async def _pump_office(
    connection: Connection, subscription: Subscription, sent: _Sent, kind: str
) -> None:
    while True:
        delivery = await subscription.queue.get()
        if delivery.seq <= sent.seq:
            continue  # already in the snapshot the client has
        await connection.send(delivery.texts[kind])
        sent.seq = delivery.seq


@router.websocket("/ws/tickets/{code}")
async def ticket_channel(websocket: WebSocket, code: str) -> None:
    """A visitor's ticket: its status object at once and again whenever it changes."""
    await websocket.accept()
    connection = _connection(websocket)
    database, hub, clock = get_database(websocket), _hub(websocket), get_clock(websocket)

    def look_up() -> Awaitable[tuple[int, Message]]:
        return _ticket_status(database, clock, code)

    try:
        if not TICKET_CODE.match(code):
            raise TicketNotFound("No ticket has this code; check the link on your ticket.")
        ticket_id, status = await look_up()
    except TicketNotFound as error:
        await connection.refuse(NOT_FOUND, error.code, error.detail)
        return
    subscription, _ = await hub.subscribe(
        int(status["office_id"]), get_settings(websocket).ws_queue_size
    )
    try:
        ticket_id, status = await look_up()  # nothing between subscribing and now is missed
        await connection.send_json(status)
        pump = _pump_ticket(connection, subscription, look_up, ticket_id, status)
        await connection.serve(pump, subscription, lambda: {"type": "ping"})
    finally:
        await hub.unsubscribe(subscription)


async def _ticket_status(database: Database, clock: Clock, code: str) -> tuple[int, Message]:
    async with database.reading() as session:
        view = await queue_views.ticket_status(session, code, clock.now())
    return view.ticket.id, {"type": "status", **view.as_json()}


def _concerns(delivery: Delivery, ticket_id: int, status: Message) -> bool:
    """Whether an office event may change this ticket's status, position or estimate."""
    ticket = delivery.message.get("ticket") or {}
    return ticket.get("id") == ticket_id or status["status"] == "waiting"


async def _pump_ticket(
    connection: Connection,
    subscription: Subscription,
    look_up: Callable[[], Awaitable[tuple[int, Message]]],
    ticket_id: int,
    status: Message,
) -> None:
    while True:
        changed = _concerns(await subscription.queue.get(), ticket_id, status)
        while not subscription.queue.empty():  # a burst of events: look up the status once
            changed = _concerns(subscription.queue.get_nowait(), ticket_id, status) or changed
        if not changed:
            continue
        _id, fresh = await look_up()
        if fresh != status:
            await connection.send_json(fresh)
            status = fresh
