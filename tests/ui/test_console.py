"""The operator console in headless Chromium: a working day from the keyboard and the mouse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from queue_server.clock import FrozenClock
from tests.support import Api, LiveServer
from tests.ui.console_support import (
    NO_TICKET,
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


def fits(page: Page) -> None:
    """Nothing scrolls or sticks out: every action and panel is on the screen."""
    overflow = page.evaluate(
        """() => {
            const height = window.innerHeight, width = window.innerWidth;
            const out = [...document.querySelectorAll(".actions button, .figures, .card, .bar")]
                .filter((el) => { const r = el.getBoundingClientRect();
                                  return r.bottom > height + 1 || r.right > width + 1; })
                .map((el) => el.className);
            const scrolls = document.documentElement.scrollHeight > height + 1;
            return { out, scrolls };
        }"""
    )
    assert overflow == {"out": [], "scrolls": False}, overflow


def test_keyboard_day_call_recall_start_finish_with_outcomes(
    desk: Desk, context: BrowserContext, clock: FrozenClock, artifacts: Path
) -> None:
    first = desk.issue(priority=True)
    desk.issue(desk.topic_b, customer_type="organization")
    clock.advance(150)
    page = open_console(context, desk, lang="ru")
    shoot(page, artifacts, "01-login")
    sign_in(page, desk.login, desk.password)
    expect(page.locator("#window-view")).to_be_visible()
    shoot(page, artifacts, "02-window")
    choose_window(page, desk.window1)
    expect(page.locator("#topic-table tr.total .count")).to_have_text("2")
    expect(action(page, "call")).to_be_enabled()
    for name in ("recall", "start", "finish", "noshow", "return", "transfer"):
        expect(action(page, name)).to_be_disabled()
    shoot(page, artifacts, "03-idle")

    page.keyboard.press("Space")
    expect(page.locator("#ticket-number")).to_have_text(first["number"])
    expect(page.locator("#current")).to_have_class("card current is-called")
    expect(page.locator("#ticket-priority")).to_be_visible()
    expect(page.locator("#time-waited")).to_have_text("2:30")
    expect(action(page, "call")).to_be_disabled()
    expect(action(page, "finish")).to_be_disabled()
    expect(page.locator(f"#waiting-list li[data-ticket='{first['id']}']")).to_have_count(0)
    shoot(page, artifacts, "04-called")
    fits(page)
    page.set_viewport_size({"width": 1366, "height": 650})  # 768 less the browser's own bars
    fits(page)
    shoot(page, artifacts, "04b-called-1366x650")
    page.set_viewport_size({"width": 1366, "height": 768})

    page.keyboard.press("r")
    expect(page.locator("#time-recalls")).to_have_text("1 / 2")
    page.keyboard.press("s")
    expect(page.locator("#current")).to_have_class("card current is-serving")
    expect(action(page, "finish")).to_be_enabled()
    expect(action(page, "start")).to_be_disabled()
    expect(page.locator("#time-service")).not_to_have_text("—")
    shoot(page, artifacts, "05-serving")

    clock.advance(240)
    page.keyboard.press("f")
    dialog = page.locator("#finish-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator("input[name=outcome]")).to_have_count(3)
    page.keyboard.press("1")
    page.keyboard.press("3")
    shoot(page, artifacts, "06-finish-dialog")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#ticket-number")).to_have_class(NO_TICKET)
    expect(page.locator("#fig-served")).to_have_text("1")
    expect(page.locator("#fig-average")).to_have_text("4:00")
    row = desk.report()[first["number"]]
    assert row["status"] == "done"
    assert row["outcomes"] == "Передать показания;Получить платёжный документ"
    assert row["recall_count"] == "1"
    no_page_errors(page)


def test_transfer_to_another_topic_with_a_note(
    desk: Desk, context: BrowserContext, artifacts: Path
) -> None:
    ticket = desk.issue()
    page = start_working(context, desk)
    action(page, "call").click()
    expect(page.locator("#ticket-number")).to_have_text(ticket["number"])
    page.keyboard.press("t")
    dialog = page.locator("#transfer-dialog")
    expect(dialog).to_be_visible()
    page.keyboard.type("zz")
    page.keyboard.press("Escape")  # closes the dialog even from the filter field
    expect(dialog).to_be_hidden()
    page.keyboard.press("t")
    expect(dialog).to_be_visible()
    expect(page.locator("#transfer-filter")).to_have_value("")
    expect(dialog.locator("input[name=topic]")).to_have_count(1)  # every leaf but its own
    page.keyboard.type(desk.topic_b["name"]["en"][:8])
    dialog.locator("textarea").fill("needs a new contract")
    shoot(page, artifacts, "07-transfer-dialog")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator("#ticket-number")).to_have_class(NO_TICKET)
    waiting = {t["id"]: t for t in desk.waiting()}
    assert waiting[ticket["id"]]["topic_id"] == desk.topic_b["id"]
    assert waiting[ticket["id"]]["note"] == "needs a new contract"
    expect(
        page.locator(f"#waiting-list li[data-ticket='{ticket['id']}'] .mark.transfer")
    ).to_be_visible()
    no_page_errors(page)


def test_a_topic_added_during_the_day_is_named_in_the_queue_and_offered_for_transfer(
    desk: Desk, context: BrowserContext
) -> None:
    ticket = desk.issue()
    page = start_working(context, desk)
    action(page, "call").click()
    expect(page.locator("#ticket-number")).to_have_text(ticket["number"])
    added = desk.admin.topic(desk.office["id"], "C", name={"ru": "Новая", "en": "New service"})
    newcomer = desk.issue(added)
    listed = page.locator(f"#waiting-list li[data-ticket='{newcomer['id']}'] .topic")
    expect(listed).to_have_text("C · New service")
    page.keyboard.press("t")
    dialog = page.locator("#transfer-dialog")
    expect(dialog.locator("input[name=topic]")).to_have_count(2)  # B, and the new C
    expect(dialog).to_contain_text("New service")
    no_page_errors(page)


def test_pause_offers_no_ticket_until_resumed(
    desk: Desk, context: BrowserContext, artifacts: Path
) -> None:
    ticket = desk.issue()
    page = start_working(context, desk)
    page.keyboard.press("p")
    expect(page.locator("#pause-dialog")).to_be_visible()
    page.keyboard.press("3")
    page.keyboard.press("Enter")
    expect(page.locator("#bar-state")).to_have_text("Paused: Consultation by phone")
    expect(page.locator("#paused-info")).to_be_visible()
    expect(action(page, "call")).to_be_disabled()
    expect(page.locator("#waiting-list .call-this").first).to_be_disabled()
    page.keyboard.press("Space")
    page.keyboard.press("n")
    shoot(page, artifacts, "08-paused")
    assert [t["id"] for t in desk.waiting()] == [ticket["id"]]
    assert desk.operator_state()["state"] == "paused"
    assert desk.operator_state()["paused_reason"] == "phone"

    page.click("#resume")
    expect(page.locator("#bar-state")).to_have_text("Ready")
    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).to_have_text(ticket["number"])
    no_page_errors(page)


def test_call_a_specific_ticket_out_of_turn(desk: Desk, context: BrowserContext) -> None:
    tickets = [desk.issue(), desk.issue(desk.topic_b), desk.issue()]
    page = start_working(context, desk)
    expect(page.locator("#waiting-list li")).to_have_count(3)
    page.locator(f"#waiting-list li[data-ticket='{tickets[2]['id']}'] .call-this").click()
    expect(page.locator("#ticket-number")).to_have_text(tickets[2]["number"])
    assert [t["id"] for t in desk.waiting()] == [tickets[0]["id"], tickets[1]["id"]]
    expect(page.locator("#waiting-list li")).to_have_count(2)
    no_page_errors(page)


def test_a_refused_action_shows_the_server_message_and_keeps_the_screen(
    desk: Desk, context: BrowserContext
) -> None:
    desk.issue()
    desk.issue()
    colleague = desk.admin.operator(desk.office["id"])
    colleague.ok(colleague.post(f"/api/v1/windows/{desk.window1['id']}/call-next"))
    page = start_working(context, desk)  # window 1, though the colleague holds it
    page.keyboard.press("n")
    expect(page.locator("#message.error")).to_contain_text("window 1 is taken by another operator")
    expect(page.locator("#work-view")).to_be_visible()
    expect(page.locator("#waiting-list li")).to_have_count(1)
    page.click("#change-window")
    choose_window(page, desk.window2)
    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).not_to_have_class(NO_TICKET)
    no_page_errors(page)


def test_the_window_choice_is_remembered_by_the_browser(
    desk: Desk, context: BrowserContext
) -> None:
    page = open_console(context, desk)
    sign_in(page, desk.login, desk.password)
    choose_window(page, desk.window2)
    page.click("#logout")
    expect(page.locator("#login-view")).to_be_visible()
    sign_in(page, desk.login, desk.password)
    expect(page.locator("#work-view")).to_be_visible()
    expect(page.locator("#bar-window")).to_contain_text("2")
    no_page_errors(page)


def test_recall_limit_proposes_no_show_after_the_timeout(
    sqlite_server: LiveServer,
    sqlite_admin: Api,
    context: BrowserContext,
    clock: FrozenClock,
    artifacts: Path,
) -> None:
    desk = make_desk(sqlite_server, sqlite_admin, recall_limit=1, recall_timeout_seconds=60)
    ticket = desk.issue()
    page = start_working(context, desk)
    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).to_have_text(ticket["number"])
    expect(page.locator("#proposal")).to_be_hidden()
    page.keyboard.press("r")
    expect(page.locator("#proposal")).to_contain_text("Recall limit reached")
    expect(action(page, "recall")).to_be_disabled()
    clock.advance(61)
    page.reload()  # the page takes the server's time on each load
    expect(page.locator("#proposal")).to_contain_text("Mark as no-show?")
    expect(action(page, "noshow")).to_have_class(re.compile(r"\bsuggested\b"))
    shoot(page, artifacts, "09-no-show-proposed")
    assert desk.report()[ticket["number"]]["status"] == "called"  # nothing automatic
    page.click("#proposal-no-show")
    expect(page.locator("#ticket-number")).to_have_class(NO_TICKET)
    expect(page.locator("#fig-no-show")).to_have_text("1")
    assert desk.report()[ticket["number"]]["status"] == "no_show"
    no_page_errors(page)


def test_automatic_no_show_when_the_office_enables_it(
    sqlite_server: LiveServer, sqlite_admin: Api, context: BrowserContext, clock: FrozenClock
) -> None:
    desk = make_desk(
        sqlite_server, sqlite_admin, recall_limit=0, recall_timeout_seconds=30, auto_no_show=True
    )
    ticket = desk.issue()
    page = start_working(context, desk)
    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).to_have_text(ticket["number"])
    clock.advance(31)
    page.reload()
    expect(page.locator("#message")).to_contain_text("automatically")
    expect(page.locator("#ticket-number")).to_have_class(NO_TICKET)
    assert desk.report()[ticket["number"]]["status"] == "no_show"
    no_page_errors(page)


def test_a_manager_serves_at_any_window_of_the_office(desk: Desk, context: BrowserContext) -> None:
    ticket = desk.issue()
    _user, login, password = desk.admin.user("manager", desk.office["id"])
    page = open_console(context, desk)
    sign_in(page, login, password)
    choose_window(page, desk.window2)
    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).to_have_text(ticket["number"])
    no_page_errors(page)


def test_buttons_and_keys_follow_the_actions_the_server_allows(
    desk: Desk, context: BrowserContext
) -> None:
    """The console keeps no lifecycle of its own: an action the server leaves out of the ticket's
    `actions` is a disabled button and a refused key, whatever the ticket's state."""
    ticket = desk.issue()
    page = start_working(context, desk)
    sent: list[str] = []
    page.on("request", lambda request: sent.append(f"{request.method} {request.url}"))
    withheld = {"start"}

    def withholding(route: Route) -> None:
        response = route.fetch()
        body = response.json()
        if body.get("ticket"):
            body["ticket"]["actions"] = [a for a in body["ticket"]["actions"] if a not in withheld]
        route.fulfill(response=response, json=body)

    # The console's view of the ticket in hand, as the server sends it less what is withheld.
    page.route(re.compile(r"/api/v1/operators/me(\?|$)"), withholding)
    page.keyboard.press("n")
    expect(page.locator("#ticket-number")).to_have_text(ticket["number"])
    expect(page.locator("#current")).to_have_class("card current is-called")
    expect(action(page, "start")).to_be_disabled()
    for allowed in ("recall", "noshow", "return", "transfer"):
        expect(action(page, allowed)).to_be_enabled()
    page.keyboard.press("s")
    expect(action(page, "start")).to_have_class(re.compile(r"\brefused\b"))
    assert not [line for line in sent if line.startswith("POST") and line.endswith("/start")]
    assert desk.report()[ticket["number"]]["status"] == "called"

    withheld.clear()
    page.keyboard.press("r")  # a recall reloads the ticket, now as the server tells it
    expect(action(page, "start")).to_be_enabled()
    page.keyboard.press("s")
    expect(page.locator("#current")).to_have_class("card current is-serving")
    for refused in ("recall", "start", "noshow"):
        expect(action(page, refused)).to_be_disabled()
    page.unroute_all(behavior="wait")
    no_page_errors(page)
