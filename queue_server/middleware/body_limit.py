"""Request bodies over 1 MiB are refused before they are read into memory."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from queue_server.middleware.responses import refusal

MAX_BODY_BYTES = 1024 * 1024
DETAIL = "The request body is larger than 1 MiB: send less data in one request."


class BodyTooLarge(Exception):
    """Raised to the application when a body without a length grows past the limit."""


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


class BodyLimit:
    """Pure ASGI (BaseHTTPMiddleware would buffer the body it is meant to refuse)."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > self.max_bytes:
            # Answered unread: the server discards the rest as it arrives, never holding it.
            await refusal(413, "payload_too_large", DETAIL)(scope, receive, send)
            return
        await self._counting(scope, receive, send)

    async def _counting(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Chunked bodies have no length to check: count them as they stream in."""
        received = 0
        too_large = started = False

        async def counted_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                too_large = too_large or received > self.max_bytes
            if too_large:
                raise BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large:
                return  # whatever the application makes of a body it never got whole
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            # The framework may wrap our signal (a 400 "error parsing the body", a group).
            if not too_large:
                raise
        if too_large and not started:
            await refusal(413, "payload_too_large", DETAIL)(scope, receive, send)
