"""In production only the public URL's host (and loopback) is answered: a forged Host header
must not reach a page, a link or a cookie of this server."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

from queue_server.middleware.responses import refusal
from queue_server.settings import Settings

# Health checks and a reverse proxy on the same machine reach the server by these names. A remote
# client naming them gains nothing: with QUEUE_PUBLIC_URL set, no link is built from the Host.
LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
DETAIL = (
    "This server answers only the address in QUEUE_PUBLIC_URL ({public}); open it by that address."
)


def host_name(value: str) -> str | None:
    """The lower-case host name of a Host header or URL authority, without port or brackets."""
    try:
        name = urlsplit(f"//{value}").hostname
    except ValueError:  # an unclosed IPv6 bracket, a port that is not a number
        return None
    return name.rstrip(".") if name else None


def allowed_hosts(settings: Settings) -> frozenset[str] | None:
    """The host names this server answers, or None for any (the demo and development)."""
    if settings.is_demo:
        return None
    public = host_name(urlsplit(settings.public_url or "").netloc)
    extra = {name for name in map(host_name, settings.allowed_host_list) if name}
    return LOOPBACK | extra | ({public} if public else set())


class AllowedHosts:
    """Pure ASGI: refuses a request for another host before any route sees it."""

    def __init__(self, app: ASGIApp, hosts: frozenset[str], public_url: str) -> None:
        self.app = app
        self.hosts = hosts
        self.detail = DETAIL.format(public=public_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or self._allowed(scope):
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # the server answers 403
        else:
            await refusal(400, "host_not_allowed", self.detail)(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        for name, value in scope["headers"]:
            if name == b"host":
                return host_name(value.decode("latin-1")) in self.hosts
        return False
