"""The kiosk page in headless Chromium, tapped like a touchscreen, in both orientations and languages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from queue_server.clock import FrozenClock
from tests.printing.fake_printer import loopback_printer, refusing_port
from tests.support import Api, LiveServer

pytestmark = pytest.mark.browser

SIZES = {"portrait": {"width": 1080, "height": 1920}, "landscape": {"width": 1920, "height": 1080}}
# 15 mm on a 21.5" full-HD panel (about 0.25 mm per pixel) is 60 px; 96 dpi would make it 57.
MIN_TARGET_PX = 60
PAID = [
    ("Дополнительное оборудование", "Additional equipment"),
    ("Электромонтажные работы", "Electrical installation work"),
    ("Возобновление и ограничение электроснабжения", "Restoring and limiting supply"),
    ("Перепрограммирование приборов учёта (коррекция тарифов)", "Reprogramming meters (tariffs)"),
    ("Электролабораторные испытания", "Electrical laboratory tests"),
    ("Проведение энергоаудита", "Energy audit"),
    ("Установка и модернизация систем освещения", "Lighting systems"),
    ("Сопровождение технологического присоединения", "Grid connection support"),
    ("Монтаж и ремонт средств пожарной безопасности", "Fire safety equipment"),
    ("Установка и замена приборов учёта воды", "Water meters"),
]
ROOTS = [
    ("A", "Заключение и сопровождение договора", "Concluding and maintaining a contract"),
    ("B", "Исполнение договора", "Performing a contract"),
    ("C", "Контроль и оценка качества обслуживания", "Quality of service"),
    ("D", "Бесплатные сопутствующие товары и услуги", "Free related goods and services"),
]


@dataclass
class Hall:
    office: dict[str, Any]
    kiosk_id: int
    topics: dict[str, int]  # English name -> id
    kiosk_key: str = ""


def make_hall(admin: Api, printer: str | None = None, **office: Any) -> Hall:
    """An office shaped like the standard's: four topics and a menu of ten paid services."""
    created = admin.office(name="ЦОК Липецк, пр. Победы, 87а", **office)
    path = f"/api/v1/offices/{created['id']}/topics"
    target = {"peak": 1200, "offpeak": 420}
    topics: dict[str, int] = {}

    def add(prefix: str, ru: str, en: str, parent: int | None = None) -> int:
        body: dict[str, Any] = {"name": {"ru": ru, "en": en}, "prefix": prefix}
        body.update({"target_wait_seconds": target, "parent_id": parent})
        topics[en] = admin.ok(admin.post(path, json=body), 201)["id"]
        return topics[en]

    for prefix, ru, en in ROOTS:
        add(prefix, ru, en)
    menu = add("P", "Платные сопутствующие товары и услуги", "Paid related goods and services")
    for ru, en in PAID:
        add("P", ru, en, menu)
    kiosk_path = f"/api/v1/offices/{created['id']}/kiosks"
    kiosk = admin.ok(admin.post(kiosk_path, json={"name": "Вход", "printer": printer}), 201)
    return Hall(created, kiosk["id"], topics, kiosk["key"])


@pytest.fixture
def open_kiosk(browser: Browser, sqlite_server: LiveServer) -> Iterator[Any]:
    contexts = []

    def opener(hall: Hall, orientation: str = "portrait", query: str = "") -> Page:
        context = browser.new_context(viewport=SIZES[orientation], has_touch=True)
        contexts.append(context)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.errors = errors  # type: ignore[attr-defined]
        extra = f"&{query[1:]}" if query.startswith("?") else query
        page.goto(f"{sqlite_server.url}/kiosk/{hall.kiosk_id}?key={hall.kiosk_key}{extra}")
        return page

    yield opener
    for context in contexts:
        context.close()


def screen(page: Page) -> Any:
    return page.locator("#screen")


def shoot(page: Page, artifacts: Path, name: str) -> None:
    page.screenshot(path=str(artifacts / f"kiosk-{name}.png"))


# Measured in one pass inside the page: the kiosk redraws a screen when fresh topic names
# arrive, and a button looked up before such a redraw would be measured after it, detached.
VISIBLE_BUTTON_BOXES = """buttons => buttons
    .filter(button => button.checkVisibility())
    .map(button => {
        const box = button.getBoundingClientRect();
        return {label: button.innerText.trim().slice(0, 40), width: box.width, height: box.height};
    })"""


def assert_touch_targets(page: Page) -> None:
    """Every visible button is at least 15 mm each way."""
    boxes = page.eval_on_selector_all("button", VISIBLE_BUTTON_BOXES)
    assert boxes, "no visible buttons on the screen"
    for box in boxes:
        assert box["width"] >= MIN_TARGET_PX and box["height"] >= MIN_TARGET_PX, box


def tap_topic(page: Page, topic_id: int) -> None:
    page.tap(f"button.topic[data-topic-id='{topic_id}']")


def queue_of(admin: Api, office_id: int) -> list[dict[str, Any]]:
    return admin.ok(admin.get(f"/api/v1/offices/{office_id}/queue"))  # type: ignore[no-any-return]


WORDS = {
    "ru": {
        "choose": "Выберите услугу",
        "who": "Вы обращаетесь как",
        "citizen": "Гражданин",
        "take": "Возьмите напечатанный талон",
    },
    "en": {
        "choose": "Choose a service",
        "who": "Who are you here for?",
        "citizen": "A private person",
        "take": "Take your printed ticket",
    },
}


@pytest.mark.parametrize("orientation", ["portrait", "landscape"])
@pytest.mark.parametrize("lang", ["ru", "en"])
def test_topic_subtopic_citizen_ticket(
    sqlite_admin: Api, open_kiosk: Any, artifacts: Path, orientation: str, lang: str
) -> None:
    words = WORDS[lang]
    with loopback_printer() as printer:
        hall = make_hall(sqlite_admin, printer.url)
        sqlite_admin.issue(hall.office["id"], hall.topics["Energy audit"])  # one person ahead
        page = open_kiosk(hall, orientation)
        expect(screen(page)).to_have_attribute("data-screen", "home")
        if lang == "en":
            page.tap("button.lang[data-lang='en']")
        expect(page.locator("h1")).to_have_text(words["choose"])
        expect(page.locator("#office-name")).to_have_text("ЦОК Липецк, пр. Победы, 87а")
        assert_touch_targets(page)
        shoot(page, artifacts, f"{orientation}-{lang}-1-home")

        tap_topic(page, hall.topics["Paid related goods and services"])
        expect(screen(page)).to_have_attribute("data-screen", "menu")
        expect(page.locator("button.topic")).to_have_count(10)
        assert_touch_targets(page)
        shoot(page, artifacts, f"{orientation}-{lang}-2-menu")

        tap_topic(page, hall.topics["Energy audit"])
        expect(page.locator("h1")).to_have_text(words["who"])
        assert_touch_targets(page)
        shoot(page, artifacts, f"{orientation}-{lang}-3-customer")

        page.tap("#individual")
        number = page.locator("#ticket-number")
        expect(number).to_have_text("P002")
        expect(page.locator(".print-note")).to_contain_text(words["take"])
        expect(page.locator(".stat-value").first).to_have_text("1")
        qr = page.locator(".qr img")
        expect(qr).to_be_visible()
        page.wait_for_function("() => document.querySelector('.qr img').naturalWidth > 0")
        assert_touch_targets(page)
        shoot(page, artifacts, f"{orientation}-{lang}-4-ticket")
        job = printer.wait_for_job()
        assert b"P002" in job
        phone_note = {
            "ru": "Следите за очередью на телефоне",
            "en": "Follow the queue on your phone",
        }
        assert phone_note[lang].encode("cp866") in job  # the slip speaks the visitor's language
    queued = {t["number"]: t for t in queue_of(sqlite_admin, hall.office["id"])}
    ticket = queued["P002"]
    assert ticket["topic_id"] == hall.topics["Energy audit"]
    assert (ticket["customer_type"], ticket["priority"]) == ("individual", False)
    assert ticket["status"] == "waiting"
    assert page.errors == []  # type: ignore[attr-defined]


def test_back_and_home_buttons(sqlite_admin: Api, open_kiosk: Any) -> None:
    hall = make_hall(sqlite_admin)
    page = open_kiosk(hall)
    expect(page.locator("#back")).to_be_hidden()
    tap_topic(page, hall.topics["Paid related goods and services"])
    tap_topic(page, hall.topics["Water meters"])
    expect(screen(page)).to_have_attribute("data-screen", "customer")
    page.tap("#back")
    expect(screen(page)).to_have_attribute("data-screen", "menu")
    page.tap("#back")
    expect(screen(page)).to_have_attribute("data-screen", "home")
    tap_topic(page, hall.topics["Performing a contract"])
    page.tap("#home")
    expect(screen(page)).to_have_attribute("data-screen", "home")
    assert queue_of(sqlite_admin, hall.office["id"]) == []


def test_an_open_kiosk_page_shows_on_the_dashboard_as_online(
    sqlite_admin: Api, open_kiosk: Any
) -> None:
    hall = make_hall(sqlite_admin)
    live = f"/api/v1/offices/{hall.office['id']}/stats/live"
    (before,) = sqlite_admin.ok(sqlite_admin.get(live))["kiosks"]
    assert (before["online"], before["last_seen_at"]) == (None, None)  # never seen
    page = open_kiosk(hall)
    expect(screen(page)).to_have_attribute("data-screen", "home")
    (seen,) = sqlite_admin.ok(sqlite_admin.get(live))["kiosks"]
    assert seen["online"] is True
    assert seen["last_seen_at"] is not None


def test_organisation_priority_ticket(sqlite_admin: Api, open_kiosk: Any, artifacts: Path) -> None:
    hall = make_hall(sqlite_admin)
    page = open_kiosk(hall, "landscape")
    page.tap("#priority")
    expect(screen(page)).to_have_attribute("data-screen", "priority")
    tap_topic(page, hall.topics["Performing a contract"])
    page.tap("#organization")
    expect(page.locator("#ticket-number")).to_have_text("B001")
    expect(page.locator(".badge")).to_have_text("Приоритетное обслуживание")
    expect(page.locator(".nobody")).to_be_visible()
    shoot(page, artifacts, "landscape-ru-priority-ticket")
    [ticket] = queue_of(sqlite_admin, hall.office["id"])
    assert (ticket["number"], ticket["priority"]) == ("B001", True)
    assert ticket["customer_type"] == "organization"


def test_idle_kiosk_returns_home_in_its_own_language(sqlite_admin: Api, open_kiosk: Any) -> None:
    hall = make_hall(sqlite_admin)
    page = open_kiosk(hall, "portrait", "?idle=1.5")
    page.tap("button.lang[data-lang='en']")
    tap_topic(page, hall.topics["Paid related goods and services"])
    tap_topic(page, hall.topics["Energy audit"])
    expect(screen(page)).to_have_attribute("data-screen", "customer")
    expect(screen(page)).to_have_attribute("data-screen", "home", timeout=4000)
    expect(page.locator("h1")).to_have_text("Выберите услугу")


def test_idle_default_is_twenty_seconds(sqlite_admin: Api, open_kiosk: Any) -> None:
    hall = make_hall(sqlite_admin)
    page = open_kiosk(hall)
    config = page.evaluate("JSON.parse(document.getElementById('kiosk-config').textContent)")
    assert config["idleSeconds"] == 20


def test_printer_failure_shows_the_number_and_the_qr_code(
    sqlite_admin: Api, open_kiosk: Any, artifacts: Path
) -> None:
    hall = make_hall(sqlite_admin, f"tcp://127.0.0.1:{refusing_port()}")
    for orientation in ("portrait", "landscape"):
        page = open_kiosk(hall, orientation)
        tap_topic(page, hall.topics["Concluding and maintaining a contract"])
        page.tap("#individual")
        number = page.locator("#ticket-number").inner_text(timeout=5000)
        expect(page.locator(".print-note.failed")).to_have_text(
            f"Принтер не работает — ваш номер {number}, следите за ним на телефоне"
        )
        page.wait_for_function("() => document.querySelector('.qr img').naturalWidth > 0")
        shoot(page, artifacts, f"{orientation}-ru-printer-failed")
    assert [t["number"] for t in queue_of(sqlite_admin, hall.office["id"])] == ["A001", "A002"]


def test_english_printer_failure_message(sqlite_admin: Api, open_kiosk: Any) -> None:
    hall = make_hall(sqlite_admin, f"tcp://127.0.0.1:{refusing_port()}")
    page = open_kiosk(hall, "portrait", "?lang=en")
    tap_topic(page, hall.topics["Performing a contract"])
    page.tap("#individual")
    expect(page.locator(".print-note.failed")).to_have_text(
        "The printer is not working — your number is B001, follow it on your phone"
    )


def test_closed_office_says_when_it_opens_and_offers_nothing(
    sqlite_admin: Api, open_kiosk: Any, clock: FrozenClock, artifacts: Path
) -> None:
    weekdays = {day: [["08:00", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}
    hall = make_hall(sqlite_admin, hours=weekdays)
    clock.set(datetime(2026, 11, 23, 17, 30, tzinfo=UTC))  # Monday 20:30 in Moscow
    for orientation in ("portrait", "landscape"):
        page = open_kiosk(hall, orientation)
        expect(screen(page)).to_have_attribute("data-screen", "closed")
        expect(page.locator(".closed")).to_contain_text("Офис закрыт")
        expect(page.locator(".closed")).to_contain_text("Откроется завтра в 08:00.")
        expect(page.locator(".closed")).to_contain_text("It opens tomorrow at 08:00.")
        expect(page.locator("button:visible")).to_have_count(0)
        shoot(page, artifacts, f"{orientation}-closed")
    clock.set(datetime(2026, 11, 27, 17, 30, tzinfo=UTC))  # Friday evening: Monday next
    page = open_kiosk(hall, "portrait", "?lang=en")
    expect(page.locator(".closed")).to_contain_text("It opens on Monday at 08:00.")
    expect(page.locator(".closed")).to_contain_text("Откроется в понедельник в 08:00.")


def test_server_down_says_so_and_shows_no_number(
    sqlite_admin: Api, sqlite_server: LiveServer, open_kiosk: Any, artifacts: Path
) -> None:
    hall = make_hall(sqlite_admin)
    page = open_kiosk(hall, "portrait")
    tap_topic(page, hall.topics["Concluding and maintaining a contract"])
    sqlite_server.stop()
    page.tap("#individual")
    expect(screen(page)).to_have_attribute("data-screen", "offline", timeout=10000)
    expect(page.locator("h1")).to_have_text("Нет связи с сервером")
    expect(page.locator(".retrying")).to_contain_text(re.compile(r"Новая попытка через \d с"))
    expect(page.locator("#ticket-number")).to_have_count(0)
    expect(page.locator("button:visible:not(.lang)")).to_have_count(0)
    shoot(page, artifacts, "portrait-ru-server-down")
    page.wait_for_timeout(3500)  # a retry has failed too: still no number, still the message
    expect(screen(page)).to_have_attribute("data-screen", "offline")


def test_connection_comes_back_and_the_kiosk_recovers(
    sqlite_admin: Api, open_kiosk: Any, artifacts: Path
) -> None:
    hall = make_hall(sqlite_admin)
    page = open_kiosk(hall, "landscape", "?lang=en")
    expect(screen(page)).to_have_attribute("data-screen", "home")
    page.route("**/api/v1/**", lambda route: route.abort())
    tap_topic(page, hall.topics["Quality of service"])
    page.tap("#organization")
    # the tap is asked again a few times before the kiosk gives up
    expect(screen(page)).to_have_attribute("data-screen", "offline", timeout=10000)
    expect(page.locator("h1")).to_have_text("No connection to the server")
    shoot(page, artifacts, "landscape-en-server-down")
    page.unroute("**/api/v1/**")
    expect(screen(page)).to_have_attribute("data-screen", "home", timeout=8000)
    assert queue_of(sqlite_admin, hall.office["id"]) == []


def test_too_many_tickets_gives_a_friendly_message(
    sqlite_admin: Api, open_kiosk: Any, artifacts: Path
) -> None:
    hall = make_hall(sqlite_admin, kiosk_tickets_per_minute=1)
    topic = hall.topics["Performing a contract"]
    sqlite_admin.issue(hall.office["id"], topic, kiosk_id=hall.kiosk_id)
    page = open_kiosk(hall, "portrait")
    tap_topic(page, topic)
    page.tap("#individual")
    expect(screen(page)).to_have_attribute("data-screen", "busy")
    expect(page.locator("h1")).to_have_text("Слишком много талонов за короткое время")
    expect(page.locator("#ticket-number")).to_have_count(0)
    shoot(page, artifacts, "portrait-ru-too-many")
    page.tap("#home")
    expect(screen(page)).to_have_attribute("data-screen", "home")


def test_no_text_selection_no_zoom_no_hover_only(sqlite_admin: Api, open_kiosk: Any) -> None:
    hall = make_hall(sqlite_admin)
    page = open_kiosk(hall)
    expect(screen(page)).to_have_attribute("data-screen", "home")
    viewport = page.locator("meta[name=viewport]").get_attribute("content") or ""
    assert "user-scalable=no" in viewport and "maximum-scale=1" in viewport
    style = "getComputedStyle(document.body)"
    assert page.evaluate(f"{style}.userSelect") == "none"
    assert page.evaluate(f"{style}.touchAction") == "manipulation"
    hover_rules = page.evaluate(
        """[...document.styleSheets].flatMap(s => [...s.cssRules]).map(r => r.cssText)
           .filter(t => t.includes(':hover'))"""
    )
    assert hover_rules == []


def test_unknown_kiosk_says_so(browser: Browser, sqlite_server: LiveServer) -> None:
    context = browser.new_context(viewport=SIZES["portrait"])
    try:
        page = context.new_page()
        page.goto(f"{sqlite_server.url}/kiosk/4242?key=some-key")
        expect(page.locator("h1")).to_have_text("Этот терминал не зарегистрирован")
    finally:
        context.close()


def test_the_kiosk_keeps_its_key_and_shows_it_nowhere(
    browser: Browser, sqlite_admin: Api, sqlite_server: LiveServer, artifacts: Path
) -> None:
    hall = make_hall(sqlite_admin)
    context = browser.new_context(viewport=SIZES["portrait"], has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{sqlite_server.url}/kiosk/{hall.kiosk_id}")  # never opened with its key
        expect(page.locator("h1")).to_have_text("Терминал не настроен")
        expect(page.locator("button:visible:not(.lang)")).to_have_count(0)
        shoot(page, artifacts, "portrait-ru-no-key")
        page.goto(f"{sqlite_server.url}/kiosk/{hall.kiosk_id}?key={hall.kiosk_key}&idle=60")
        expect(screen(page)).to_have_attribute("data-screen", "home")
        assert hall.kiosk_key not in page.url and "idle=60" in page.url
        page.goto(f"{sqlite_server.url}/kiosk/{hall.kiosk_id}")  # after a restart of the kiosk
        tap_topic(page, hall.topics["Performing a contract"])
        page.tap("#individual")
        expect(page.locator("#ticket-number")).to_have_text("B001")
        assert hall.kiosk_key not in page.content()
    finally:
        context.close()


def test_a_lost_answer_is_asked_again_and_the_visitor_gets_the_one_ticket(
    sqlite_admin: Api, open_kiosk: Any
) -> None:
    hall = make_hall(sqlite_admin)
    page = open_kiosk(hall, "portrait")
    expect(screen(page)).to_have_attribute("data-screen", "home")
    keys: list[str | None] = []

    def lose_the_first_answer(route: Any) -> None:
        keys.append(route.request.headers.get("idempotency-key"))
        if len(keys) == 1:
            route.fetch()  # the server issues the ticket...
            route.abort("connectionreset")  # ...and its answer never reaches the kiosk
        else:
            route.continue_()

    page.route("**/api/v1/offices/*/tickets*", lose_the_first_answer)
    tap_topic(page, hall.topics["Performing a contract"])
    page.tap("#individual")
    expect(page.locator("#ticket-number")).to_have_text("B001", timeout=10000)
    assert len(keys) == 2 and keys[0] and keys[0] == keys[1], keys
    assert [t["number"] for t in queue_of(sqlite_admin, hall.office["id"])] == ["B001"]
