"""The public "when to come" page: heatmaps for citizens and organisations, ru and en, in an iframe."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, expect

from tests.support import Api, LiveServer

pytestmark = pytest.mark.browser

WORDS = {
    "ru": {
        "title": "Когда лучше прийти",
        "citizens": "Граждане",
        "mon": "Пн",
        "max": "Максимальная",
    },
    "en": {"title": "When to visit", "citizens": "Citizens", "mon": "Mon", "max": "Maximum"},
}


def _busy_monday(server: LiveServer, admin: Api) -> int:
    week = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    office = admin.office(hours={day: [["08:00", "19:00"]] for day in week[:6]})
    topic = admin.topic(office["id"], "A")
    for _ in range(6):
        admin.issue(office["id"], topic["id"])  # 10:30
    server.clock.advance(2 * 3600)
    for _ in range(3):
        admin.issue(office["id"], topic["id"])  # 12:30
    admin.issue(office["id"], topic["id"], customer_type="organization")
    server.clock.advance(3 * 3600)
    admin.issue(office["id"], topic["id"])  # 15:30
    return int(office["id"])


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_load_page_levels_in_both_languages(
    sqlite_server: LiveServer, sqlite_admin: Api, browser: Browser, artifacts: Path, lang: str
) -> None:
    office_id = _busy_monday(sqlite_server, sqlite_admin)
    words = WORDS[lang]
    page = browser.new_page(viewport={"width": 1000, "height": 800}, java_script_enabled=False)
    response = page.goto(f"{sqlite_server.url}/load/{office_id}?lang={lang}")
    assert response is not None and response.status == 200
    assert "x-frame-options" not in response.headers  # the company embeds it
    expect(page.locator("h1")).to_have_text(words["title"])
    citizens = page.locator("table[data-kind=individual]")
    expect(page.locator("#title-individual")).to_have_text(words["citizens"])
    monday = citizens.locator("tbody tr").first
    expect(monday.locator("th")).to_have_text(words["mon"])
    cells = monday.locator("td")
    assert cells.count() == 11  # 08:00 to 18:00
    levels = [cells.nth(i).get_attribute("data-level") for i in range(11)]
    assert levels[2] == "maximum"  # 10:00, six visits
    assert levels[4] == "high"  # 12:00, three: half the busiest
    assert levels[7] == "minimum"  # 15:00, one
    assert levels[0] == "minimum"  # open, nobody came
    assert words["max"] in (cells.nth(2).get_attribute("title") or "")
    sunday = citizens.locator("tbody tr").nth(6).locator("td").first
    assert sunday.get_attribute("data-level") == "closed"
    tuesday = citizens.locator("tbody tr").nth(1).locator("td").first
    assert tuesday.get_attribute("data-level") == "no_data"  # no Tuesday worked yet
    organisations = page.locator("table[data-kind=organization] tbody tr").first.locator("td")
    assert organisations.nth(4).get_attribute("data-level") == "maximum"
    page.screenshot(path=str(artifacts / f"load-{lang}.png"), full_page=True)
    page.close()


def test_load_page_fits_an_iframe(
    sqlite_server: LiveServer, sqlite_admin: Api, browser: Browser, artifacts: Path, tmp_path: Path
) -> None:
    office_id = _busy_monday(sqlite_server, sqlite_admin)
    page = browser.new_page(viewport={"width": 520, "height": 760})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    frame_src = f"{sqlite_server.url}/load/{office_id}?lang=en&embed=1"
    page.set_content(
        "<h3>Company website</h3>"
        f'<iframe src="{frame_src}" style="width:480px;height:640px;border:1px solid #ccc"></iframe>'
    )
    frame = page.frame_locator("iframe")
    expect(frame.locator("h1")).to_have_text("When to visit")
    expect(frame.locator("body.embed")).to_be_visible()
    expect(frame.locator("a[aria-current]")).to_have_attribute("href", "?lang=en&embed=1")
    page.screenshot(path=str(artifacts / "load-iframe.png"))
    assert not errors
    page.close()


def test_unknown_office_is_a_page_not_a_crash(sqlite_server: LiveServer) -> None:
    for office_id in ("999999", "99999999999999999999", "0"):
        response = httpx.get(f"{sqlite_server.url}/load/{office_id}?lang=en")
        assert response.status_code == 404
        assert "There is no such office." in response.text
