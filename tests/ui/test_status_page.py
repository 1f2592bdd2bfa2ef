"""The visitor's status page on a phone: live position, the loud called screen, the rating."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support import Api, LiveServer

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_the_status_page_follows_the_ticket_to_the_window_and_takes_a_rating(
    sqlite_server: LiveServer, sqlite_admin: Api, browser: Any, artifacts: Path
) -> None:
    office = sqlite_admin.office(name="ЦОК Липецк")
    topic = sqlite_admin.topic(office["id"], "A", name={"ru": "Договоры", "en": "Contracts"})
    window = sqlite_admin.window(office["id"], 7)
    ahead = sqlite_admin.issue(office["id"], topic["id"])
    mine = sqlite_admin.issue(office["id"], topic["id"])
    operator = sqlite_admin.operator(office["id"])
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{sqlite_server.url}/t/{mine['code']}")
    page.wait_for_function("() => document.getElementById('card').dataset.status === 'waiting'")
    assert page.locator("#number").inner_text() == "A002"
    assert page.locator("#ahead").inner_text() == "1"
    expect(page.locator("#where-topic")).to_have_text("A · Договоры")
    expect(page.locator("#where-office")).to_have_text("ЦОК Липецк")
    page.screenshot(path=str(artifacts / "status-waiting.png"))

    operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
    page.wait_for_function(
        "() => document.getElementById('ahead').textContent === '0'", timeout=2000
    )
    operator.ok(operator.post(f"/api/v1/tickets/{ahead['id']}/start"))
    operator.ok(operator.post(f"/api/v1/tickets/{ahead['id']}/finish"))
    started = time.monotonic()
    operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
    page.wait_for_function(
        "() => document.getElementById('card').dataset.status === 'called'", timeout=2000
    )
    assert time.monotonic() - started < 2
    assert page.locator("#window-big").inner_text() == "Пройдите к окну 7"
    assert page.locator("#headline").inner_text() == "Ваша очередь!"
    page.screenshot(path=str(artifacts / "status-called.png"))

    operator.ok(operator.post(f"/api/v1/tickets/{mine['id']}/start"))
    operator.ok(operator.post(f"/api/v1/tickets/{mine['id']}/finish"))
    page.locator("#rating").wait_for(timeout=2000)
    page.locator('#stars button[data-rating="4"]').click()
    page.locator("#comment").fill("Быстро и вежливо")
    page.locator("#send").click()
    page.locator("#rated").wait_for(timeout=2000)
    assert "4 из 5" in page.locator("#rated").inner_text()
    assert page.locator("#rating").is_hidden()
    page.screenshot(path=str(artifacts / "status-rated.png"))
    status = sqlite_admin.ok(sqlite_admin.get(f"/api/v1/tickets/{mine['code']}"))
    assert status["rating"] == 4
    page.close()


def test_after_a_transfer_the_page_names_the_new_topic(
    sqlite_server: LiveServer, sqlite_admin: Api, browser: Any
) -> None:
    office = sqlite_admin.office()
    first = sqlite_admin.topic(office["id"], "A", name={"ru": "Договоры", "en": "Contracts"})
    other = sqlite_admin.topic(office["id"], "B", name={"ru": "Оплата", "en": "Payments"})
    window = sqlite_admin.window(office["id"], 1)
    mine = sqlite_admin.issue(office["id"], first["id"])
    operator = sqlite_admin.operator(office["id"])
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto(f"{sqlite_server.url}/t/{mine['code']}?lang=en")
    expect(page.locator("#where-topic")).to_have_text("A · Contracts")
    operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
    transfer = {"topic_id": other["id"]}
    operator.ok(operator.post(f"/api/v1/tickets/{mine['id']}/transfer", json=transfer))
    expect(page.locator("#where-topic")).to_have_text("B · Payments", timeout=2000)
    assert page.locator("#number").inner_text() == "A001"  # the number stays the visitor's
    page.close()


def test_an_unknown_code_says_so(sqlite_server: LiveServer, browser: Any) -> None:
    page = browser.new_page(viewport=PHONE)
    page.goto(f"{sqlite_server.url}/t/no-such-code?lang=en")
    page.wait_for_function("() => document.getElementById('card').dataset.status === 'missing'")
    assert "no ticket with this code" in page.locator("#headline").inner_text()
    page.close()
