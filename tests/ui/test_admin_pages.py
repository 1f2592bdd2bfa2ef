"""The administration pages in headless Chromium, doing what an administrator does, and what the
other screens show of it at once: the kiosk's menu and hours, an operator's queue, a sign-in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.support import Api, LiveServer
from tests.ui.admin_support import SECTIONS, clean, go_to, open_admin, person
from tests.ui.console_support import Desk, make_desk, sign_in, start_working

pytestmark = pytest.mark.browser
WORKDAYS = {day: [["08:00", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat")}


def kiosk_topic(page: Page, name: str) -> Any:
    return page.locator("#screen button.topic", has_text=name)


def topic_row(page: Page, name: str) -> Any:
    return page.locator("#topics-table tbody tr", has_text=name)


def test_a_topic_added_renamed_and_retired_shows_on_an_open_kiosk_without_a_reload(
    sqlite_server: LiveServer, sqlite_admin: Api, browser: Browser
) -> None:
    office = sqlite_admin.office()
    first = sqlite_admin.topic(office["id"], "A", name={"ru": "Договоры", "en": "Contracts"})
    kiosk = sqlite_admin.kiosk(office["id"])
    with person(browser) as hall, person(browser) as desk:
        screen = hall.new_page()
        screen.goto(kiosk["setup_url"])
        expect(kiosk_topic(screen, "Договоры")).to_be_visible()

        page = open_admin(desk, sqlite_server, "topics", office_id=office["id"])
        expect(topic_row(page, "Договоры")).to_be_visible()
        page.fill("#topic-form [name='name.ru']", "Справки")
        page.fill("#topic-form [name='name.en']", "Certificates")
        page.fill("#topic-form [name=prefix]", "c")  # typed in lower case, sent as C
        page.fill("#topic-form [name='target_wait_seconds.offpeak']", "15")
        page.click("#topic-form button[type=submit]")
        expect(topic_row(page, "Справки").locator("td.targets")).to_have_text("— / 15")
        expect(topic_row(page, "Справки").locator("td.prefix")).to_have_text("C")
        expect(kiosk_topic(screen, "Справки")).to_be_visible()  # no reload: office.changed

        # Renamed in both languages: the kiosk shows the new name.
        topic_row(page, "Договоры").locator("[data-action=edit]").click()
        page.fill("#topic-form [name='name.ru']", "Договоры и счета")
        page.fill("#topic-form [name='name.en']", "Contracts and bills")
        page.click("#topic-form button[type=submit]")
        expect(topic_row(page, "Договоры и счета")).to_contain_text("Contracts and bills")
        expect(kiosk_topic(screen, "Договоры и счета")).to_be_visible()

        # Moved up: first on the kiosk too.
        topic_row(page, "Справки").locator("[data-action=up]").click()
        expect(page.locator("#topics-table tbody tr").first).to_contain_text("Справки")
        expect(screen.locator("#screen button.topic").first).to_contain_text("Справки")

        topic_row(page, "Справки").locator("[data-action=retire]").click()
        expect(topic_row(page, "Справки").locator(".state-tag")).to_have_text("Retired")
        expect(kiosk_topic(screen, "Справки")).to_have_count(0)
        expect(screen.locator(f"button.topic[data-topic-id='{first['id']}']")).to_be_visible()

        topic_row(page, "Справки").locator("[data-action=restore]").click()
        expect(kiosk_topic(screen, "Справки")).to_be_visible()
        clean(page)


def test_the_server_s_detail_shows_next_to_the_field_it_concerns(
    sqlite_server: LiveServer, sqlite_admin: Api, browser: Browser
) -> None:
    office = sqlite_admin.office()
    sqlite_admin.topic(office["id"], "A")
    with person(browser) as desk:
        page = open_admin(desk, sqlite_server, "topics", office_id=office["id"])
        expect(page.locator("#topics-table tbody tr[data-topic-id]")).to_have_count(1)
        page.fill("#topic-form [name='name.ru']", "Тема")
        page.fill("#topic-form [name=prefix]", "A1")  # letters only: the server says so
        page.click("#topic-form button[type=submit]")
        error = page.locator("#topic-form label:has([name=prefix]) .field-error")
        expect(error).to_be_visible()
        assert error.inner_text().strip()
        expect(page.locator("#topic-form [name=prefix]")).to_have_attribute("aria-invalid", "true")
        # Fixed, it goes through and the message is gone.
        page.fill("#topic-form [name=prefix]", "B")
        page.click("#topic-form button[type=submit]")
        expect(page.locator("#topics-table tbody tr[data-topic-id]")).to_have_count(2)
        expect(page.locator("#topic-form .field-error")).to_have_count(0)

        go_to(page, sqlite_server, "offices", office["id"])
        page.uncheck("#office-form [name=always_open]")
        page.fill("#office-form [name='hours.mon']", "eight to seven")
        page.click("#office-form button[type=submit]")
        expect(
            page.locator("#office-form label:has([name='hours.mon']) .field-error")
        ).to_be_visible()
        clean(page)


def test_an_operator_s_new_skills_change_their_console_s_queue_at_once(
    sqlite_server: LiveServer, sqlite_admin: Api, browser: Browser
) -> None:
    desk: Desk = make_desk(sqlite_server, sqlite_admin)
    desk.issue(desk.topic_a)
    desk.issue(desk.topic_b)
    a_row = f"#topic-table tr[data-topic='{desk.topic_a['id']}']"
    b_row = f"#topic-table tr[data-topic='{desk.topic_b['id']}']"
    with person(browser) as window, person(browser) as office:
        console = start_working(window, desk)
        expect(console.locator(b_row)).to_be_visible()  # no skills: every topic

        page = open_admin(office, sqlite_server, "users", office_id=desk.office["id"])
        page.locator(
            f"#users-table tr[data-user-id='{desk.user['id']}'] [data-action=edit]"
        ).click()
        skill = page.locator(f"#skills [data-topic-id='{desk.topic_a['id']}']")
        skill.locator("input[type=checkbox]").check()
        skill.locator("input[type=number]").fill("2")
        page.click("#user-form button[type=submit]")
        expect(page.locator("#notice")).to_contain_text(desk.login)
        row = page.locator(f"#users-table tr[data-user-id='{desk.user['id']}']")
        expect(row.locator(".skills-cell")).to_have_text("A·2")

        expect(console.locator(b_row)).to_have_count(0)
        expect(console.locator(a_row)).to_be_visible()
        users = sqlite_admin.ok(sqlite_admin.get(f"/api/v1/users?office_id={desk.office['id']}"))
        mine = next(user for user in users if user["id"] == desk.user["id"])
        assert mine["skills"] == [{"topic_id": desk.topic_a["id"], "priority": 2}]
        clean(page)


def test_tomorrow_made_a_holiday_the_closed_kiosk_names_the_next_real_opening(
    sqlite_server: LiveServer, sqlite_admin: Api, browser: Browser
) -> None:
    # Monday 23 November 2026, 19:30 in Moscow: closed for the night, open tomorrow at 08:00.
    sqlite_server.clock.set(datetime(2026, 11, 23, 16, 30, tzinfo=UTC))
    office = sqlite_admin.office(hours=WORKDAYS)
    sqlite_admin.topic(office["id"], "A")
    kiosk = sqlite_admin.kiosk(office["id"])
    with person(browser) as hall, person(browser) as desk:
        screen = hall.new_page()
        screen.goto(kiosk["setup_url"])
        opens = screen.locator(".closed-block.en .opens")
        expect(opens).to_have_text("It opens tomorrow at 08:00.")

        page = open_admin(desk, sqlite_server, "calendar", office_id=office["id"])
        expect(page.locator("#calendar-form [name=date]")).to_have_value("2026-11-24")
        page.check("#calendar-form input[name=kind][value=off]")
        page.fill("#calendar-form [name=note]", "Public holiday")
        page.click("#calendar-form button[type=submit]")
        expect(page.locator("#days-table tr[data-date='2026-11-24']")).to_contain_text("Day off")

        expect(opens).to_have_text("It opens on Wednesday at 08:00.")  # without a reload
        days = sqlite_admin.ok(
            sqlite_admin.get(
                f"/api/v1/offices/{office['id']}/calendar?date_from=2026-11-24&date_to=2026-11-24"
            )
        )
        assert [(day["date"], day["hours"], day["note"]) for day in days] == [
            ("2026-11-24", [], "Public holiday")
        ]

        # Other hours instead: open from ten on that day.
        page.locator("#days-table tr[data-date='2026-11-24'] [data-action=edit]").click()
        page.check("#calendar-form input[name=kind][value=hours]")
        page.fill("#calendar-form [name=hours]", "10:00-16:00")
        page.click("#calendar-form button[type=submit]")
        expect(page.locator("#days-table tr[data-date='2026-11-24']")).to_contain_text(
            "10:00–16:00"
        )
        expect(opens).to_have_text("It opens tomorrow at 10:00.")
        clean(page)


def test_a_password_reset_by_the_admin_is_the_one_that_signs_in(
    sqlite_server: LiveServer, sqlite_admin: Api, browser: Browser
) -> None:
    office = sqlite_admin.office()
    user, login, old_password = sqlite_admin.user("operator", office["id"])
    new_password = "Lipetsk-window-7-queue"
    with person(browser) as desk, person(browser) as window:
        page = open_admin(desk, sqlite_server, "users", office_id=office["id"])
        page.locator(f"#users-table tr[data-user-id='{user['id']}'] [data-action=edit]").click()
        page.fill("#password-form [name=password]", "password")  # too short and too common
        page.click("#password-form button[type=submit]")
        expect(
            page.locator("#password-form label:has([name=password]) .field-error")
        ).to_be_visible()
        page.fill("#password-form [name=password]", new_password)
        page.click("#password-form button[type=submit]")
        expect(page.locator("#notice")).to_contain_text(login)
        clean(page)

        console = window.new_page()
        console.goto(f"{sqlite_server.url}/console?lang=en")
        sign_in(console, login, old_password)
        expect(console.locator("#login-error")).to_be_visible()
        sign_in(console, login, new_password)
        expect(console.locator("#login-view")).to_be_hidden()
        expect(console.locator("#bar-user")).to_have_text(login)

        # Deactivated: nobody signs in with it any more.
        page.click("#user-active")
        expect(page.locator(f"#users-table tr[data-user-id='{user['id']}'] td.state")).to_have_text(
            "Retired"
        )
        answer = httpx.post(
            f"{sqlite_server.url}/api/v1/auth/token",
            data={"username": login, "password": new_password},
            timeout=30,
        )
        assert answer.status_code in (401, 403), answer.text


def test_windows_are_added_renumbered_and_retired_with_errors_at_the_number(
    sqlite_server: LiveServer, sqlite_admin: Api, browser: Browser
) -> None:
    office = sqlite_admin.office()
    first = sqlite_admin.window(office["id"], 1)
    with person(browser) as desk:
        page = open_admin(desk, sqlite_server, "windows", office_id=office["id"])
        page.fill("#window-new-form [name=number]", "2")
        page.fill("#window-new-form [name=name]", "Юристы")
        page.click("#window-new-form button[type=submit]")
        expect(page.locator("#windows-list form")).to_have_count(2)
        expect(page.locator("#notice")).to_have_text("Window 2 added.")
        # The number of another window: the server's detail under the number.
        row = page.locator(f"#windows-list form[data-window-id='{first['id']}']")
        row.locator("[name=number]").fill("2")
        row.locator("button[type=submit]").click()
        expect(row.locator(".field-error")).to_be_visible()
        row.locator("[name=number]").fill("5")
        row.locator("button[type=submit]").click()
        expect(page.locator("#notice")).to_have_text("Window 5 saved.")
        row = page.locator(f"#windows-list form[data-window-id='{first['id']}']")
        row.locator("[data-action=retire]").click()
        expect(row.locator(".state")).to_contain_text("Retired")
        clean(page)
    windows = sqlite_admin.ok(sqlite_admin.get(f"/api/v1/offices/{office['id']}/windows"))
    assert {(w["number"], w["name"], w["active"]) for w in windows} == {
        (5, first["name"], False),
        (2, "Юристы", True),
    }


def test_a_new_kiosk_s_link_is_shown_once_and_sets_the_kiosk_up(
    sqlite_server: LiveServer, sqlite_admin: Api, browser: Browser
) -> None:
    office = sqlite_admin.office()
    sqlite_admin.topic(office["id"], "A", name={"ru": "Договоры", "en": "Contracts"})
    with person(browser) as desk, person(browser) as hall:
        page = open_admin(desk, sqlite_server, "kiosks", office_id=office["id"])
        page.fill("#kiosk-new-form [name=name]", "Вход")
        page.fill("#kiosk-new-form [name=printer]", "ftp://printer")  # not a printer address
        page.click("#kiosk-new-form button[type=submit]")
        expect(
            page.locator("#kiosk-new-form label:has([name=printer]) .field-error")
        ).to_be_visible()
        page.fill("#kiosk-new-form [name=printer]", "")
        page.click("#kiosk-new-form button[type=submit]")
        link = page.locator("#key-link")
        expect(link).to_be_visible()
        first_link = link.get_attribute("href") or ""
        assert "key=" in first_link
        screen = hall.new_page()
        screen.goto(first_link)
        expect(screen.locator("#screen button.topic", has_text="Договоры")).to_be_visible()

        # A new key: the old link sets nothing up any more, the new one does.
        page.on("dialog", lambda dialog: dialog.accept())
        page.locator("#kiosks-list [data-action=key]").click()
        expect(link).not_to_have_attribute("href", first_link)
        second_link = link.get_attribute("href") or ""
        page.reload()
        expect(page.locator("#key-box")).to_be_hidden()  # shown once
        other = hall.new_page()
        other.goto(second_link)
        expect(other.locator("#screen button.topic", has_text="Договоры")).to_be_visible()
        clean(page)


def test_a_manager_sees_only_their_own_office_and_not_another_s_users(
    sqlite_server: LiveServer, sqlite_admin: Api, browser: Browser
) -> None:
    mine, other = sqlite_admin.office(), sqlite_admin.office()
    _colleague, colleague_login, _ = sqlite_admin.user("operator", mine["id"])
    _stranger, stranger_login, _ = sqlite_admin.user("operator", other["id"])
    _manager, manager_login, manager_password = sqlite_admin.user("manager", mine["id"])
    with person(browser) as desk:
        # Asking for the other office in the address changes nothing.
        page = open_admin(
            desk,
            sqlite_server,
            "users",
            office_id=other["id"],
            login=manager_login,
            password=manager_password,
        )
        expect(page.locator("#users-table")).to_contain_text(colleague_login)
        assert stranger_login not in page.locator("#users-table").inner_text()
        expect(page.locator(".office-pick")).to_be_hidden()
        expect(page.locator("#office-name")).to_have_text(mine["name"])
        expect(page.locator(".sections a[data-section=offices]")).to_be_hidden()
        expect(page.locator(".sections a[data-section=kiosks]")).to_be_hidden()
        expect(page.locator("#new-user")).to_be_hidden()
        go_to(page, sqlite_server, "offices", other["id"])
        expect(page.locator("#message")).to_have_text("Only an administrator edits this section.")
        clean(page)
    manager = sqlite_admin.as_user(manager_login, manager_password)
    answer = manager.get(f"/api/v1/users?office_id={other['id']}")
    listed = answer.json() if answer.status_code == 200 else []
    assert answer.status_code in (200, 403), answer.text
    assert stranger_login not in {user["login"] for user in listed}
    manager.close()


def _fill_an_office(server: LiveServer, admin: Api) -> dict[str, Any]:
    office = admin.office(name="ЦОК Липецк, ул. Гагарина", hours=WORKDAYS)
    oid = office["id"]
    admin.ok(
        admin.http.patch(
            f"/api/v1/offices/{oid}", json={"peak": [["08:00", "10:00"], ["17:00", "19:00"]]}
        )
    )
    menu = admin.topic(oid, "Ю", name={"ru": "Юридическим лицам", "en": "Companies"})
    target = {"peak": 900, "offpeak": 600}
    a = admin.topic(
        oid,
        "A",
        name={"ru": "Передача показаний", "en": "Meter readings"},
        target_wait_seconds=target,
    )
    admin.topic(
        oid, "Д", parent_id=menu["id"], name={"ru": "Заключение договора", "en": "New contract"}
    )
    admin.topic(
        oid, "С", parent_id=menu["id"], name={"ru": "Сверка расчётов", "en": "Reconciliation"}
    )
    old = admin.topic(oid, "П", name={"ru": "Приём платежей", "en": "Payments"})
    admin.ok(admin.http.patch(f"/api/v1/topics/{old['id']}", json={"active": False}))
    for number in (1, 2, 3):
        admin.window(oid, number)
    admin.user("operator", oid, skills=[{"topic_id": a["id"], "priority": 1}])
    admin.user("operator", oid)
    admin.user("manager", oid)
    admin.kiosk(oid)
    admin.ok(
        admin.http.put(
            f"/api/v1/offices/{oid}/calendar/2026-12-31",
            json={"hours": [["08:00", "16:00"]], "note": "Предпраздничный день"},
        )
    )
    admin.ok(
        admin.http.put(
            f"/api/v1/offices/{oid}/calendar/2027-01-01", json={"hours": [], "note": "Новый год"}
        )
    )
    return office


OVERFLOWING = """() => [...document.querySelectorAll(".card, .content, .sections")]
  .filter((part) => part.offsetParent && part.scrollWidth > part.clientWidth + 1)
  .map((part) => part.id || part.className)"""
READY = {
    "offices": "#offices-table tbody tr",
    "topics": "#topics-table tbody tr[data-topic-id]",
    "windows": "#windows-list form",
    "users": "#users-table tbody tr[data-user-id]",
    "kiosks": "#kiosks-list form",
    "calendar": "#days-table tbody tr[data-date]",
    "audit": "#audit-table tbody tr[data-object-type]",
}


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_every_admin_page_at_1366x768_in_both_languages(
    sqlite_server: LiveServer, sqlite_admin: Api, browser: Browser, artifacts: Path, lang: str
) -> None:
    office = _fill_an_office(sqlite_server, sqlite_admin)
    with person(browser) as desk:
        page = desk.new_page()
        page.goto(f"{sqlite_server.url}/admin?lang={lang}")
        expect(page.locator("#login-form")).to_be_visible()
        page.screenshot(path=str(artifacts / f"admin-00-login-{lang}.png"))
        page = open_admin(desk, sqlite_server, "topics", office_id=office["id"], lang=lang)
        page.on("dialog", lambda dialog: dialog.accept())
        for number, section in enumerate(SECTIONS, start=1):
            go_to(page, sqlite_server, section, office["id"], lang)
            expect(page.locator(READY[section]).first).to_be_visible()
            if section == "users":
                page.locator("#users-table [data-action=edit]").first.click()
                expect(page.locator("#user-side")).to_be_visible()
            if section == "kiosks":
                page.locator("#kiosks-list [data-action=key]").first.click()
                expect(page.locator("#key-box")).to_be_visible()
            if section == "topics":
                page.locator("#topics-table [data-action=edit]").nth(1).click()
            # Nothing sticks out sideways: the page fits the screen, every card its content.
            assert page.evaluate("document.documentElement.scrollWidth") <= 1366
            assert page.evaluate(OVERFLOWING) == [], section
            page.screenshot(
                path=str(artifacts / f"admin-{number:02d}-{section}-{lang}.png"), full_page=True
            )
        clean(page)
