"""A retired kiosk in headless Chromium: its page says it is not set up, until staff restore it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.support import Api, LiveServer

pytestmark = pytest.mark.browser


def test_a_retired_kiosk_says_it_is_not_set_up(
    browser: Browser, sqlite_admin: Api, sqlite_server: LiveServer
) -> None:
    office = sqlite_admin.office()
    topic = sqlite_admin.topic(office["id"], "A", name={"ru": "Договоры", "en": "Contracts"})
    kiosk = sqlite_admin.kiosk(office["id"])
    path = f"/api/v1/kiosks/{kiosk['id']}"
    context = browser.new_context(viewport={"width": 1080, "height": 1920}, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{sqlite_server.url}/kiosk/{kiosk['id']}?key={kiosk['key']}")
        expect(page.locator("#screen")).to_have_attribute("data-screen", "home")
        page.tap(f"button.topic[data-topic-id='{topic['id']}']")
        expect(page.locator("#individual")).to_be_visible()
        # Retired while a visitor is choosing: told at the tap; a reloaded page says so at once.
        sqlite_admin.ok(sqlite_admin.http.patch(path, json={"active": False}))
        page.tap("#individual")
        expect(page.locator("h1")).to_have_text("Терминал не настроен")
        page.reload()
        expect(page.locator("h1")).to_have_text("Терминал не настроен")
        sqlite_admin.ok(sqlite_admin.http.patch(path, json={"active": True}))
        page.reload()
        expect(page.locator("#screen")).to_have_attribute("data-screen", "home")
    finally:
        context.close()
