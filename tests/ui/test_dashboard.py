"""The managers' dashboard in headless Chromium: live updates within 2 s, alerts past the target."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.support import Api, LiveServer

pytestmark = pytest.mark.browser

# Stands in for a network where websockets do not get through: every socket closes at once.
NO_WEBSOCKETS = """
window.WebSocket = class {
  constructor() { this.readyState = 3; setTimeout(() => this.onclose && this.onclose({ code: 1006 }), 5); }
  send() {}
  close() {}
};
window.WebSocket.OPEN = 1;
"""


@dataclass
class Office:
    id: int
    topic: dict[str, Any]
    window: dict[str, Any]
    operator: Api
    login: str
    password: str


@pytest.fixture
def office(sqlite_admin: Api) -> Iterator[Office]:
    created = sqlite_admin.office()
    topic = sqlite_admin.topic(
        created["id"], "A", target_wait_seconds={"peak": 1200, "offpeak": 420}
    )
    window = sqlite_admin.window(created["id"], 3)
    operator = sqlite_admin.operator(created["id"])
    _user, login, password = sqlite_admin.user("manager", created["id"])
    yield Office(created["id"], topic, window, operator, login, password)
    operator.close()


def open_dashboard(
    browser: Browser, server: LiveServer, office: Office, sockets: bool
) -> tuple[BrowserContext, Page]:
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    if not sockets:
        context.add_init_script(NO_WEBSOCKETS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server.url}/dashboard?lang=en")
    page.fill("input[name=username]", office.login)
    page.fill("input[name=password]", office.password)
    page.click("#login-form button[type=submit]")
    expect(waiting_cell(page, office)).to_have_text("0")
    expect(page.locator("#mode")).to_have_text("Live" if sockets else "Polling")
    assert not errors, errors
    return context, page


def waiting_cell(page: Page, office: Office) -> Any:
    return page.locator(f"#topics tr[data-topic-id='{office.topic['id']}'] td[data-field=waiting]")


@pytest.mark.parametrize("sockets", [True, False], ids=["websocket", "polling"])
def test_dashboard_shows_an_issue_and_a_call_within_two_seconds(
    sqlite_server: LiveServer,
    sqlite_admin: Api,
    office: Office,
    browser: Browser,
    artifacts: Path,
    sockets: bool,
) -> None:
    context, page = open_dashboard(browser, sqlite_server, office, sockets)
    ticket = sqlite_admin.issue(office.id, office.topic["id"])
    started = time.monotonic()
    expect(waiting_cell(page, office)).to_have_text("1", timeout=2000)
    assert time.monotonic() - started <= 2.0

    sqlite_server.clock.advance(200)
    office.operator.ok(office.operator.post(f"/api/v1/windows/{office.window['id']}/call-next"))
    started = time.monotonic()
    expect(waiting_cell(page, office)).to_have_text("0", timeout=2000)
    operator_row = page.locator("#operators tbody tr", has_text=ticket["number"])
    expect(operator_row).to_contain_text("Calling", timeout=2000)
    assert time.monotonic() - started <= 2.0
    expect(operator_row).to_contain_text("Window 3")
    # The stream shows the office's events as they come, by socket or by polling.
    expect(page.locator("#events")).to_contain_text(f"Ticket {ticket['number']} called to window 3")
    expect(page.locator("#events")).to_contain_text("Window 3 opened")  # said by the event itself
    page.screenshot(
        path=str(artifacts / f"dashboard-{'socket' if sockets else 'polling'}.png"), full_page=True
    )
    context.close()


@pytest.mark.parametrize("sockets", [True, False], ids=["websocket", "polling"])
def test_the_event_stream_starts_with_todays_events_and_keeps_up(
    sqlite_server: LiveServer, sqlite_admin: Api, office: Office, browser: Browser, sockets: bool
) -> None:
    earlier = sqlite_admin.issue(office.id, office.topic["id"])
    office.operator.ok(office.operator.post(f"/api/v1/windows/{office.window['id']}/call-next"))
    context, page = open_dashboard(browser, sqlite_server, office, sockets)
    lines = page.locator("#events li")
    expect(lines).to_have_count(7)
    expect(lines).to_contain_text(
        [  # newest first: what happened before the manager opened the page, office set-up too
            f"Ticket {earlier['number']} called to window 3",
            "Window 3 opened",
            f"Ticket {earlier['number']} issued",
            "An account was added",  # the manager
            "An account was added",  # the operator
            "A window was added",
            "A topic was added",
        ],
        timeout=2000,
    )
    later = sqlite_admin.issue(office.id, office.topic["id"])
    expect(lines.first).to_contain_text(f"Ticket {later['number']} issued", timeout=2000)
    expect(lines).to_have_count(8)
    context.close()


def test_a_topic_added_during_the_day_appears_with_a_line_in_the_event_stream(
    sqlite_server: LiveServer, sqlite_admin: Api, office: Office, browser: Browser
) -> None:
    context, page = open_dashboard(browser, sqlite_server, office, True)
    added = sqlite_admin.topic(office.id, "N", name={"ru": "Новая", "en": "New service"})
    expect(page.locator(f"#topics tr[data-topic-id='{added['id']}']")).to_contain_text(
        "New service", timeout=2000
    )
    expect(page.locator("#events")).to_contain_text("A topic was added")
    context.close()


def test_an_alert_appears_when_a_ticket_passes_its_target(
    sqlite_server: LiveServer, sqlite_admin: Api, office: Office, browser: Browser, artifacts: Path
) -> None:
    context, page = open_dashboard(browser, sqlite_server, office, sockets=True)
    ticket = sqlite_admin.issue(office.id, office.topic["id"])
    expect(page.locator("#alerts li.calm")).to_be_visible()
    row = page.locator(f"#topics tr[data-topic-id='{office.topic['id']}']")
    sqlite_server.clock.advance(350)  # 350 s of 420: amber
    expect(row).to_have_class("state-amber", timeout=7000)
    sqlite_server.clock.advance(100)  # 450 s: past the off-peak target
    alert = page.locator("#alerts li.alert")
    expect(alert).to_contain_text(
        f"ticket {ticket['number']} has waited 7:30, target 7:00", timeout=7000
    )
    expect(row).to_have_class("state-red")
    expect(row.locator("td[data-field=state]")).to_have_text("Target exceeded")
    expect(page.locator("#events li.alert")).to_contain_text(ticket["number"])
    page.screenshot(path=str(artifacts / "dashboard-alert.png"), full_page=True)
    context.close()


def test_an_operator_cannot_open_the_dashboard(
    sqlite_server: LiveServer, sqlite_admin: Api, office: Office, browser: Browser
) -> None:
    _user, login, password = sqlite_admin.user("operator", office.id)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{sqlite_server.url}/dashboard?lang=en")
    page.fill("input[name=username]", login)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#message")).to_contain_text("The dashboard is for managers")
    expect(page.locator("#board")).to_be_hidden()
    context.close()
