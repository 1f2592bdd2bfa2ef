"""Pure ASGI middleware that guards every request before a route runs."""

from __future__ import annotations

from fastapi import FastAPI

from queue_server.middleware.body_limit import BodyLimit
from queue_server.middleware.headers import SecurityHeaders
from queue_server.middleware.hosts import AllowedHosts, allowed_hosts
from queue_server.settings import Settings


def install(app: FastAPI, settings: Settings) -> None:
    """The last added runs first: headers go on every answer, refusals included."""
    app.add_middleware(BodyLimit)
    hosts = allowed_hosts(settings)
    if hosts is not None:
        app.add_middleware(AllowedHosts, hosts=hosts, public_url=settings.public_url or "")
    app.add_middleware(SecurityHeaders)
