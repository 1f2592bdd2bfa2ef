"""Security headers on every response, from one place: content policy, sniffing, framing."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# What the pages load, and nothing else: their scripts and styles are files of this server
# (no inline code, so an injected <script> does not run); a QR code is an image of this server
# and Swagger UI's stylesheet draws its icons as data: images; the display plays announcements
# from this server (blob: lets a page play audio it fetched); 'self' in connect-src covers the
# websockets to this host and port (CSP 3).
POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    )
)
# Pages other sites may show in a frame: the load page is made to be embedded in the
# company's website, and the hall display in a signage player's; neither does anything for
# the person looking at it, so a frame cannot trick them into an action. Everything else -
# the console, the dashboard, admin pages, the kiosk (it issues tickets), the visitor's status
# page (it sends a rating) - could be overlaid by a framing page to steer clicks: never framed.
EMBEDDABLE_PREFIXES = ("/load/", "/display/")


def security_headers(path: str) -> dict[str, str]:
    """The headers a response to `path` carries (a response may set its own instead)."""
    headers = {"X-Content-Type-Options": "nosniff"}
    if path.startswith(EMBEDDABLE_PREFIXES):
        headers["Content-Security-Policy"] = POLICY
    else:
        headers["Content-Security-Policy"] = f"{POLICY}; frame-ancestors 'none'"
        headers["X-Frame-Options"] = "DENY"  # for browsers without frame-ancestors
    return headers


class SecurityHeaders:
    """Pure ASGI: adds the headers to the response start, never touching the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        added = security_headers(scope["path"])

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])  # optional in ASGI
                headers = MutableHeaders(scope=message)
                for name, value in added.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)
