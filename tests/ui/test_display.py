"""The hall display in headless Chromium against a real server: calls, sound queue, restarts."""

from __future__ import annotations

import itertools
import time
from pathlib import Path
from typing import Any

import pytest

from queue_server.clock import FrozenClock
from tests import support
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, Api, LiveServer, login_token

pytestmark = pytest.mark.browser
LANDSCAPE = {"width": 1920, "height": 1080}
PORTRAIT = {"width": 1080, "height": 1920}


def furnish(admin: Api, windows: int = 3) -> dict[str, Any]:
    """An office as the hall sees it: two plain topics and a menu with two children."""
    office = admin.office(name="ЦОК Липецк, пр. Победы, 87а")
    office_id = office["id"]
    plain = [
        admin.topic(
            office_id, "A", name={"ru": "Заключение и сопровождение договора", "en": "Contracts"}
        ),
        admin.topic(office_id, "B", name={"ru": "Исполнение договора", "en": "Contract execution"}),
    ]
    menu = admin.topic(office_id, "P", name={"ru": "Платные услуги", "en": "Paid services"})
    children = [
        admin.topic(
            office_id, "P", parent_id=menu["id"], name={"ru": f"Услуга {n}", "en": f"Service {n}"}
        )
        for n in (1, 2)
    ]
    made = [admin.window(office_id, number) for number in range(1, windows + 1)]
    return {"office": office, "topics": plain + children, "windows": made}


def open_display(
    browser: Any, server: LiveServer, office_id: int, size: dict[str, int], query: str = ""
) -> Any:
    page = browser.new_page(viewport=size)
    page.goto(f"{server.url}/display/{office_id}{query}")
    page.wait_for_function(
        "() => document.getElementById('office-name').textContent.trim().length > 0"
    )
    return page


def call_next(operator: Api, window: dict[str, Any]) -> dict[str, Any]:
    return operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))  # type: ignore[no-any-return]


def test_a_call_appears_within_a_second_in_large_type_and_is_spoken(
    sqlite_server: LiveServer, sqlite_admin: Api, browser: Any
) -> None:
    place = furnish(sqlite_admin)
    office_id = place["office"]["id"]
    ticket = sqlite_admin.issue(office_id, place["topics"][0]["id"])
    page = open_display(browser, sqlite_server, office_id, LANDSCAPE)
    assert page.locator("#office-name").inner_text() == place["office"]["name"]
    operator = sqlite_admin.operator(office_id)
    started = time.monotonic()
    call_next(operator, place["windows"][2])
    answered = time.monotonic()
    row = page.locator(f'li.call[data-ticket="{ticket["id"]}"]')
    row.wait_for(timeout=1000)
    shown = time.monotonic()
    print(f"call-next answered in {answered - started:.3f} s, shown {shown - answered:.3f} s later")
    assert shown - started < 1.0
    assert row.inner_text().split() == ["A001", "→", "3"]
    assert "current" in row.get_attribute("class")
    number_px = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('li.call .number')).fontSize)"
    )
    assert number_px >= 0.08 * LANDSCAPE["height"]
    page.wait_for_function(
        "() => window.boardAnnouncements.length === 1 && window.boardAnnouncements[0].endedAt"
    )
    spoken = page.evaluate("window.boardAnnouncements[0]")
    assert spoken["text"] == "Талон А ноль ноль один, окно три"
    assert spoken["via"] in ("browser", "server")
    page.close()


def test_calls_at_the_same_moment_are_all_shown_and_spoken_one_after_the_other(
    sqlite_server: LiveServer, sqlite_admin: Api, browser: Any
) -> None:
    place = furnish(sqlite_admin)
    office_id = place["office"]["id"]
    for _ in range(3):
        sqlite_admin.issue(office_id, place["topics"][1]["id"])
    page = open_display(browser, sqlite_server, office_id, LANDSCAPE, "?lang=en")
    operators = [sqlite_admin.operator(office_id) for _ in range(3)]
    for operator, window in zip(operators, place["windows"], strict=True):
        call_next(operator, window)
    page.wait_for_function(
        "() => document.querySelectorAll('li.call.current').length === 3", timeout=2000
    )
    page.wait_for_function(
        "() => window.boardAnnouncements.length === 3 && window.boardAnnouncements.every(a => a.endedAt)",
        timeout=60000,
    )
    said = page.evaluate("window.boardAnnouncements")
    assert [entry["text"] for entry in said] == [
        "Ticket B zero zero one, window one",
        "Ticket B zero zero two, window two",
        "Ticket B zero zero three, window three",
    ]
    for earlier, later in itertools.pairwise(said):
        assert later["startedAt"] >= earlier["endedAt"], "an announcement cut another off"
    page.close()


def test_voice_off_keeps_the_display_to_the_chime(
    sqlite_server: LiveServer, sqlite_admin: Api, browser: Any
) -> None:
    place = furnish(sqlite_admin, windows=1)
    office_id = place["office"]["id"]
    sqlite_admin.issue(office_id, place["topics"][0]["id"])
    page = open_display(browser, sqlite_server, office_id, LANDSCAPE, "?voice=off")
    call_next(sqlite_admin.operator(office_id), place["windows"][0])
    page.wait_for_function(
        "() => window.boardAnnouncements.length === 1 && window.boardAnnouncements[0].endedAt"
    )
    assert page.evaluate("window.boardAnnouncements[0].via") == "chime"
    page.close()


def test_a_topic_added_while_the_display_is_on_gets_its_row_without_a_reload(
    sqlite_server: LiveServer, sqlite_admin: Api, browser: Any
) -> None:
    place = furnish(sqlite_admin, windows=1)
    office_id = place["office"]["id"]
    page = open_display(browser, sqlite_server, office_id, LANDSCAPE, "?lang=en")
    page.evaluate("window.boardChannel.socket.marked = true")  # to see that it never reconnects
    added = sqlite_admin.topic(office_id, "C", name={"ru": "Новая услуга", "en": "New service"})
    sqlite_admin.issue(office_id, added["id"])
    row = page.locator(f'#waiting li[data-topic="{added["id"]}"]')
    row.wait_for(timeout=2000)
    assert row.inner_text().split() == ["C", "New", "service", "1"]
    assert page.evaluate("window.boardChannel.socket.marked") is True
    page.close()


def test_the_display_recovers_by_itself_after_a_server_restart(
    sqlite_url: str, clock: FrozenClock, browser: Any
) -> None:
    settings = support.test_settings(sqlite_url)
    server = support.start_server(settings, clock)
    port = int(server.url.rsplit(":", 1)[1])
    try:
        admin = Api(server.url, login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD))
        place = furnish(admin, windows=1)
        office_id, topic_id = place["office"]["id"], place["topics"][0]["id"]
        first, second = admin.issue(office_id, topic_id), admin.issue(office_id, topic_id)
        operator = admin.operator(office_id)
        page = open_display(browser, server, office_id, LANDSCAPE, "?voice=off&chime=off")
        page.evaluate("window.loadedOnce = true")
        called = call_next(operator, place["windows"][0])
        page.locator(f'li.call[data-ticket="{first["id"]}"]').wait_for(timeout=1000)
        server.stop()
        page.locator("#connection-lost.shown").wait_for(timeout=8000)  # after 5 s without a link
        server = support.start_server(settings, clock, port=port)
        restarted = time.monotonic()
        operator.ok(operator.post(f"/api/v1/tickets/{called['id']}/no-show"))
        call_next(operator, place["windows"][0])
        page.locator(f'li.call.current[data-ticket="{second["id"]}"]').wait_for(timeout=10000)
        page.locator(f'li.call.past[data-ticket="{first["id"]}"]').wait_for(timeout=1000)
        assert time.monotonic() - restarted < 10
        page.wait_for_function(
            "() => !document.getElementById('connection-lost').classList.contains('shown')",
            timeout=1000,
        )
        assert page.evaluate("window.loadedOnce") is True, "the page was reloaded"
        page.close()
        admin.close()
    finally:
        server.stop()


@pytest.mark.parametrize(("name", "size"), [("landscape", LANDSCAPE), ("portrait", PORTRAIT)])
def test_screenshots_of_a_busy_hall(
    sqlite_server: LiveServer,
    sqlite_admin: Api,
    browser: Any,
    artifacts: Path,
    name: str,
    size: dict[str, int],
) -> None:
    place = furnish(sqlite_admin, windows=4)
    office_id = place["office"]["id"]
    topics = place["topics"]
    for index in range(16):
        sqlite_admin.issue(office_id, topics[index % len(topics)]["id"])
    operators = [sqlite_admin.operator(office_id) for _ in range(4)]
    for round_ in range(3):
        for operator, window in zip(operators, place["windows"], strict=True):
            called = call_next(operator, window)
            if round_ < 2:
                operator.ok(operator.post(f"/api/v1/tickets/{called['id']}/no-show"))
    page = open_display(browser, sqlite_server, office_id, size, "?voice=off&chime=off")
    rows = page.locator("li.call")
    assert rows.count() == 8
    assert page.locator("li.call.current").count() == 4
    for index in range(8):
        box = rows.nth(index).locator(".number").bounding_box()
        assert box is not None and box["y"] + box["height"] <= size["height"], "a call is cut off"
    number_px = page.evaluate(
        "Math.min(...[...document.querySelectorAll('li.call .number')]"
        ".map(n => parseFloat(getComputedStyle(n).fontSize)))"
    )
    assert number_px >= 0.08 * size["height"]
    assert page.locator("#waiting li").count() == 3  # A, B and the paid-services menu
    page.wait_for_timeout(300)
    page.screenshot(path=str(artifacts / f"display-{name}.png"))
    page.close()
