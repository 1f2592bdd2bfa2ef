"""Shared set-up of the console browser tests: an office desk, signing in, choosing the window."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page, expect

from tests.support import Api, LiveServer

VIEWPORT = {"width": 1366, "height": 768}
NO_TICKET = re.compile(r"\bempty\b")  # the class of the ticket number while none is held
OPERATIONS = [
    {"ru": "Передать показания", "en": "Hand over meter readings"},
    {"ru": "Оплатить услугу", "en": "Pay for a service"},
    {"ru": "Получить платёжный документ", "en": "Get a payment document"},
]


@dataclass
class Desk:
    """An always-open office with two topics, two windows and one operator who serves both."""

    server: LiveServer
    admin: Api
    office: dict[str, Any]
    topic_a: dict[str, Any]
    topic_b: dict[str, Any]
    window1: dict[str, Any]
    window2: dict[str, Any]
    user: dict[str, Any]
    login: str
    password: str

    @property
    def url(self) -> str:
        return self.server.url

    def issue(self, topic: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
        return self.admin.issue(self.office["id"], (topic or self.topic_a)["id"], **extra)

    def waiting(self) -> list[dict[str, Any]]:
        body = self.admin.ok(self.admin.get(f"/api/v1/offices/{self.office['id']}/waiting"))
        return body["tickets"]  # type: ignore[no-any-return]

    def report(self) -> dict[str, dict[str, str]]:
        """Today's ticket report rows by number (every timestamp, outcomes, ...)."""
        path = f"/api/v1/offices/{self.office['id']}/reports/tickets.csv"
        response = self.admin.get(path, params={"date_from": "2026-11-23", "date_to": "2026-11-23"})
        assert response.status_code == 200, response.text
        return {row["number"]: row for row in csv.DictReader(io.StringIO(response.text))}

    def operator_state(self) -> dict[str, Any]:
        path = f"/api/v1/offices/{self.office['id']}/stats/live"
        operators = self.admin.ok(self.admin.get(path))["operators"]
        return next(o for o in operators if o["user_id"] == self.user["id"])  # type: ignore[no-any-return]


def make_desk(server: LiveServer, admin: Api, **office: Any) -> Desk:
    made = admin.office(**office)
    topic_a = admin.topic(made["id"], "A", operations=OPERATIONS)
    topic_b = admin.topic(made["id"], "B")
    window1, window2 = admin.window(made["id"], 1), admin.window(made["id"], 2)
    user, login, password = admin.user("operator", made["id"])
    return Desk(server, admin, made, topic_a, topic_b, window1, window2, user, login, password)


def new_context(browser: Any) -> BrowserContext:
    context: BrowserContext = browser.new_context(viewport=VIEWPORT)
    return context


def open_console(context: BrowserContext, desk: Desk, lang: str = "en") -> Page:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{desk.url}/console?lang={lang}")
    page.errors = errors  # type: ignore[attr-defined]
    return page


def sign_in(page: Page, login: str, password: str) -> None:
    page.fill("input[name=username]", login)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")


def choose_window(page: Page, window: dict[str, Any]) -> None:
    page.click(f"#window-list [data-window='{window['id']}']")
    expect(page.locator("#work-view")).to_be_visible()
    expect(page.locator("#bar-window")).to_contain_text(str(window["number"]))


def start_working(context: BrowserContext, desk: Desk, lang: str = "en") -> Page:
    """Open the console, sign in as the desk's operator and take window 1."""
    page = open_console(context, desk, lang)
    sign_in(page, desk.login, desk.password)
    choose_window(page, desk.window1)
    return page


def action(page: Page, name: str) -> Any:
    return page.locator(f".actions [data-action='{name}']")


def shoot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"console-{name}.png"))


def no_page_errors(page: Page) -> None:
    assert page.errors == [], page.errors  # type: ignore[attr-defined]
