"""The console's session: wrong password and throttling messages, CSRF, two tabs kept consistent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, expect

from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, Api, LiveServer
from tests.ui.console_support import (
    Desk,
    action,
    choose_window,
    make_desk,
    no_page_errors,
    open_console,
    shoot,
    sign_in,
    start_working,
)

pytestmark = pytest.mark.browser


def test_wrong_password_then_too_many_attempts(desk: Desk, context: BrowserContext) -> None:
    page = open_console(context, desk)
    error = page.locator("#login-error")
    for _attempt in range(5):  # the server allows five failures per login
        sign_in(page, desk.login, "not-the-password")
        expect(error).to_have_text("Wrong login or password.")
        page.evaluate("document.getElementById('login-error').hidden = true")
    sign_in(page, desk.login, desk.password)
    expect(error).to_have_text("Too many failed attempts. Wait 15 minutes and try again.")
    expect(page.locator("#work-view")).to_be_hidden()
    no_page_errors(page)


def test_wrong_password_message_in_russian(desk: Desk, context: BrowserContext) -> None:
    page = open_console(context, desk, lang="ru")
    sign_in(page, desk.login, "wrong")
    expect(page.locator("#login-error")).to_have_text("Неверный логин или пароль.")


def test_a_forged_post_without_the_csrf_token_is_refused(
    desk: Desk, context: BrowserContext
) -> None:
    ticket = desk.issue()
    page = start_working(context, desk)
    call_next = f"{desk.url}/api/v1/windows/{desk.window1['id']}/call-next"
    # A script request that carries the session cookie but not the token.
    refused = context.request.post(call_next)
    assert refused.status == 403
    assert refused.json()["code"] == "csrf_failed"
    # A plain HTML form posted at the API, as a forged page would.
    page.evaluate(
        """(action) => {
            const form = document.createElement("form");
            form.method = "post";
            form.action = action;
            document.body.append(form);
            form.submit();
        }""",
        call_next,
    )
    expect(page.locator("body")).to_contain_text("csrf_failed")
    assert [t["id"] for t in desk.waiting()] == [ticket["id"]]
    assert desk.operator_state()["ticket"] is None


def test_a_second_tab_follows_the_first(
    desk: Desk, context: BrowserContext, artifacts: Path
) -> None:
    ticket = desk.issue()
    first = start_working(context, desk)
    second = open_console(context, desk)  # same browser: already signed in, window remembered
    expect(second.locator("#work-view")).to_be_visible()
    # Connected, the page refreshes only once a minute: what follows arrives as live events.
    for page in (first, second):
        expect(page.locator("body")).to_have_attribute("data-live", "connected")
    expect(second.locator("#bar-window")).to_contain_text("1")
    first.keyboard.press("n")
    expect(first.locator("#ticket-number")).to_have_text(ticket["number"])
    expect(second.locator("#ticket-number")).to_have_text(ticket["number"], timeout=10_000)
    expect(action(second, "call")).to_be_disabled()
    second.keyboard.press("s")
    expect(first.locator("#current")).to_have_class("card current is-serving", timeout=10_000)
    newcomer = desk.issue(desk.topic_b)
    expect(first.locator(f"#waiting-list li[data-ticket='{newcomer['id']}']")).to_be_visible(
        timeout=10_000
    )
    expect(second.locator("#topic-table tr.total .count")).to_have_text("1", timeout=10_000)
    shoot(second, artifacts, "10-second-tab")
    no_page_errors(first)
    no_page_errors(second)


def test_admin_without_an_office_chooses_one(
    sqlite_server: LiveServer, sqlite_admin: Api, context: BrowserContext
) -> None:
    desk = make_desk(sqlite_server, sqlite_admin)
    ticket = desk.issue()
    page = open_console(context, desk)
    sign_in(page, ADMIN_LOGIN, ADMIN_PASSWORD)
    expect(page.locator("#office-view")).to_be_visible()
    page.locator("#office-list button", has_text=desk.office["name"]).click()
    choose_window(page, desk.window1)
    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).to_have_text(ticket["number"])
    no_page_errors(page)


def test_a_lost_connection_is_shown_and_recovers_by_itself(
    desk: Desk, context: BrowserContext
) -> None:
    network = {"down": False}
    sockets: list[Any] = []

    def websocket(route: Any) -> None:
        if network["down"]:
            route.close()
            return
        route.connect_to_server()  # a transparent proxy while the network is up
        sockets.append(route)

    def http(route: Any) -> None:
        if network["down"]:
            route.abort("internetdisconnected")
        else:
            route.continue_()

    context.route_web_socket(re.compile(r"/ws/offices/\d+/staff"), websocket)
    context.route(re.compile(r"/api/v1/"), http)
    page = start_working(context, desk)
    expect(page.locator("body")).to_have_attribute("data-live", "connected")
    network["down"] = True
    for route in sockets:
        route.close()
    expect(page.locator("#connection-lost")).to_have_class(re.compile(r"\bshown\b"), timeout=15_000)
    ticket = desk.issue()  # happens while the console is cut off
    network["down"] = False
    expect(page.locator("#connection-lost")).not_to_have_class(
        re.compile(r"\bshown\b"), timeout=20_000
    )
    expect(page.locator("body")).to_have_attribute("data-live", "connected")
    expect(page.locator(f"#waiting-list li[data-ticket='{ticket['id']}']")).to_be_visible()
    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).to_have_text(ticket["number"])
    no_page_errors(page)
