"""/docs renders the API's operations from this server's own files, with no other host reachable."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Route, expect

from tests.support import LiveServer

pytestmark = pytest.mark.browser


def test_the_api_docs_render_with_every_other_host_blocked(
    sqlite_server: LiveServer, browser: Browser
) -> None:
    context = browser.new_context()
    elsewhere: list[str] = []

    def only_this_server(route: Route) -> None:
        if route.request.url.startswith(f"{sqlite_server.url}/"):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort()  # as on a kiosk network: no CDN answers

    context.route("**/*", only_this_server)
    page = context.new_page()
    page.goto(f"{sqlite_server.url}/docs")
    operation = page.locator(".opblock", has_text="/api/v1/offices/{office_id}/tickets").first
    expect(operation).to_be_visible()
    operation.locator(".opblock-summary").click()
    expect(operation.locator(".opblock-body")).to_be_visible()
    assert elsewhere == []
    context.close()
