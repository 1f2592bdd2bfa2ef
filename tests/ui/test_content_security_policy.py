"""Every page under the server's Content-Security-Policy, in Chromium: no violation, still working."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.support import Api, LiveServer
from tests.ui.console_support import choose_window, sign_in

pytestmark = pytest.mark.browser

# Waits are given as functions (`() => ...`): Playwright re-evaluates a bare expression with
# eval() on every poll, which the policy forbids; a function it evaluated once is just called.

# Runs before any script of the page: the violations the policy reports, as the page sees them.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.effectiveDirective} ${event.blockedURI}`);
});
"""


class Place:
    """An always-open office with a topic, a window, an operator, a manager and a kiosk."""

    def __init__(self, server: LiveServer, admin: Api) -> None:
        self.server, self.admin = server, admin
        self.office = admin.office(name="ЦОК Липецк")
        self.topic = admin.topic(self.office["id"], "A", name={"ru": "Договоры", "en": "Contracts"})
        self.window = admin.window(self.office["id"], 4)
        _user, self.operator_login, self.operator_password = admin.user(
            "operator", self.office["id"]
        )
        _user, self.manager_login, self.manager_password = admin.user("manager", self.office["id"])
        self.kiosk = admin.ok(
            admin.post(f"/api/v1/offices/{self.office['id']}/kiosks", json={"name": "Entrance"}),
            201,
        )

    def issue(self) -> dict[str, Any]:
        return self.admin.issue(self.office["id"], self.topic["id"])

    def call_next(self) -> None:
        operator = self.admin.operator(self.office["id"])
        operator.ok(operator.post(f"/api/v1/windows/{self.window['id']}/call-next"))
        operator.close()


def use_index(page: Page, place: Place) -> str:
    page.goto(f"{place.server.url}/")
    expect(page.locator("#offices .office .name").last).to_have_text("ЦОК Липецк")
    return "/"


def use_kiosk(page: Page, place: Place) -> str:
    # The kiosk is opened once with its key, where the API hands one out.
    page.goto(place.kiosk.get("setup_url") or f"{place.server.url}/kiosk/{place.kiosk['id']}")
    page.click(f"button.topic[data-topic-id='{place.topic['id']}']")
    page.click("#individual")
    expect(page.locator("#ticket-number")).to_have_text("A001")
    page.wait_for_function(
        "() => document.querySelector('.qr img').naturalWidth > 0"
    )  # the QR code
    return "/kiosk/"


def use_display(page: Page, place: Place) -> str:
    page.goto(f"{place.server.url}/display/{place.office['id']}")
    expect(page.locator("#office-name")).to_have_text("ЦОК Липецк")
    place.issue()
    place.call_next()
    expect(page.locator("li.call")).to_have_count(1)  # through the websocket
    page.wait_for_function("() => window.boardAnnouncements.some((spoken) => spoken.endedAt)")
    # Spoken from the server's recording (media-src), not the browser's own voice.
    assert page.evaluate("window.boardAnnouncements[0].via") == "server"
    return "/display/"


def use_status_page(page: Page, place: Place) -> str:
    ticket = place.issue()
    page.goto(f"{place.server.url}/t/{ticket['code']}")
    page.wait_for_function("() => document.getElementById('card').dataset.status === 'waiting'")
    place.call_next()
    page.wait_for_function("() => document.getElementById('card').dataset.status === 'called'")
    return "/t/"


def use_console(page: Page, place: Place) -> str:
    place.issue()
    page.goto(f"{place.server.url}/console?lang=en")
    sign_in(page, place.operator_login, place.operator_password)
    choose_window(page, place.window)
    page.click(".actions [data-action='call']")
    expect(page.locator("#ticket-number")).to_have_text("A001")
    return "/console"


def use_dashboard(page: Page, place: Place) -> str:
    page.goto(f"{place.server.url}/dashboard?lang=en")
    page.fill("input[name=username]", place.manager_login)
    page.fill("input[name=password]", place.manager_password)
    page.click("#login-form button[type=submit]")
    expect(page.locator("#mode")).to_have_text("Live")  # the websocket is open
    place.issue()
    cell = f"#topics tr[data-topic-id='{place.topic['id']}'] td[data-field=waiting]"
    expect(page.locator(cell)).to_have_text("1")
    return "/dashboard"


def use_load_page(page: Page, place: Place) -> str:
    page.goto(f"{place.server.url}/load/{place.office['id']}?lang=en")
    expect(page.locator("h1")).to_have_text("When to visit")
    # Its stylesheet applies: the heatmaps are laid out as tables with a legend beside.
    assert page.evaluate("document.styleSheets.length") >= 2
    return "/load/"


def use_docs(page: Page, place: Place) -> str:
    page.goto(f"{place.server.url}/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    return "/docs"


PAGES: dict[str, Callable[[Page, Place], str]] = {
    "index": use_index,
    "kiosk": use_kiosk,
    "display": use_display,
    "status": use_status_page,
    "console": use_console,
    "dashboard": use_dashboard,
    "load": use_load_page,
    "docs": use_docs,
}


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    made = browser.new_context(viewport={"width": 1366, "height": 900})
    made.add_init_script(RECORD_VIOLATIONS)
    yield made
    made.close()


@pytest.mark.parametrize("name", PAGES)
def test_the_page_works_under_the_policy_without_a_violation(
    sqlite_server: LiveServer, sqlite_admin: Api, context: BrowserContext, name: str
) -> None:
    place = Place(sqlite_server, sqlite_admin)
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    policies: list[str] = []
    page.on(
        "response",
        lambda response: (
            policies.append(response.headers.get("content-security-policy", ""))
            if response.request.resource_type == "document"
            else None
        ),
    )
    PAGES[name](page, place)
    assert policies and all("script-src 'self'" in policy for policy in policies), policies
    assert page.evaluate("window.cspViolations") == []
    assert [text for text in refused if "Content Security Policy" in text] == []
    assert errors == []


def test_an_injected_inline_script_does_not_run(
    sqlite_server: LiveServer, sqlite_admin: Api, context: BrowserContext
) -> None:
    """What the policy is for: markup that slipped into a page cannot run code."""
    place = Place(sqlite_server, sqlite_admin)
    page = context.new_page()
    use_status_page(page, place)
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
          const image = document.createElement("img");
          image.setAttribute("onerror", "window.injected = true");
          image.src = "/missing.png";
          document.body.append(image);
        }"""
    )
    page.wait_for_function("() => window.cspViolations.length >= 2")
    assert page.evaluate("window.injected") is None


def test_another_site_can_frame_the_load_page_but_not_the_console(
    sqlite_server: LiveServer, sqlite_admin: Api, context: BrowserContext
) -> None:
    office = sqlite_admin.office()
    page = context.new_page()
    with page.expect_console_message(lambda message: "frame-ancestors" in message.text):
        page.set_content(
            "<h3>Company website</h3>"
            f'<iframe id="load" src="{sqlite_server.url}/load/{office["id"]}?lang=en"></iframe>'
            f'<iframe id="console" src="{sqlite_server.url}/console?lang=en"></iframe>'
        )
    expect(page.frame_locator("#load").locator("h1")).to_have_text("When to visit")
    assert page.frame_locator("#console").locator("#login-form").count() == 0
    assert any(frame.url.startswith("chrome-error:") for frame in page.frames)
