"""Shared set-up of the administration pages' browser tests: a browser tab per person, signing in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, LiveServer

VIEWPORT = {"width": 1366, "height": 768}
SECTIONS = ("offices", "topics", "windows", "users", "kiosks", "calendar", "audit")

# Runs before any script of the page: what the Content-Security-Policy refused.
RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.effectiveDirective} ${event.blockedURI}`);
});
"""


@contextmanager
def person(browser: Browser, **options: Any) -> Iterator[BrowserContext]:
    """A browser of its own (cookies and all), as a second person at another desk has."""
    context = browser.new_context(viewport=VIEWPORT, **options)
    context.add_init_script(RECORD_VIOLATIONS)
    try:
        yield context
    finally:
        context.close()


def open_admin(
    context: BrowserContext,
    server: LiveServer,
    section: str,
    *,
    office_id: int | None = None,
    lang: str = "en",
    login: str = ADMIN_LOGIN,
    password: str = ADMIN_PASSWORD,
) -> Page:
    """A tab on an administration section, signed in (the form shows when nobody is)."""
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.errors = errors  # type: ignore[attr-defined]
    query = f"?lang={lang}" + (f"&office={office_id}" if office_id else "")
    page.goto(f"{server.url}/admin/{section}{query}")
    form = page.locator("#login-form")
    shell = page.locator("#shell")
    expect(form.or_(shell).first).to_be_visible()
    if form.is_visible():
        page.fill("#login-form input[name=username]", login)
        page.fill("#login-form input[name=password]", password)
        page.click("#login-form button[type=submit]")
    ready(page)
    return page


def ready(page: Page) -> None:
    """The section has loaded its data and bound its forms."""
    expect(page.locator("body")).to_have_attribute("data-ready", "true")


def go_to(page: Page, server: LiveServer, section: str, office_id: int, lang: str = "en") -> None:
    page.goto(f"{server.url}/admin/{section}?lang={lang}&office={office_id}")
    ready(page)


def clean(page: Page) -> None:
    """No script error and nothing the policy refused."""
    assert page.errors == [], page.errors  # type: ignore[attr-defined]
    assert page.evaluate("window.cspViolations") == []
