"""Reports on the dashboard: the table on screen, and CSV and XLSX downloads that open and match."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect

from tests.support import Api, LiveServer

pytestmark = pytest.mark.browser


def _serve_a_morning(server: LiveServer, admin: Api) -> tuple[int, str, str]:
    office = admin.office()
    topic = admin.topic(office["id"], "A", target_wait_seconds={"peak": 1200, "offpeak": 420})
    window = admin.window(office["id"], 1)
    operator = admin.operator(office["id"])
    first = admin.issue(office["id"], topic["id"])
    admin.issue(office["id"], topic["id"], customer_type="organization")
    server.clock.advance(300)
    operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
    operator.ok(operator.post(f"/api/v1/tickets/{first['id']}/start"))
    server.clock.advance(600)
    body = {"outcomes": ["readings accepted"]}
    operator.ok(operator.post(f"/api/v1/tickets/{first['id']}/finish", json=body))
    second = operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
    server.clock.advance(60)
    operator.ok(operator.post(f"/api/v1/tickets/{second['id']}/no-show"))
    operator.close()
    _user, login, password = admin.user("manager", office["id"])
    return office["id"], login, password


def _download(page: Page, selector: str, target: Path) -> Path:
    with page.expect_download() as info:
        page.click(selector)
    download = info.value
    path = target / download.suggested_filename
    download.save_as(str(path))
    return path


def test_report_table_and_downloads_match(
    sqlite_server: LiveServer,
    sqlite_admin: Api,
    browser: Browser,
    artifacts: Path,
    tmp_path: Path,
) -> None:
    _office_id, login, password = _serve_a_morning(sqlite_server, sqlite_admin)
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{sqlite_server.url}/dashboard?lang=ru")
    page.fill("input[name=username]", login)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    total = page.locator("#report-topics tbody tr.total td")
    expect(total.nth(1)).to_have_text("2")  # issued, shown without asking
    on_screen = [total.nth(i).inner_text() for i in range(13)]
    assert on_screen[2:4] == ["1", "1"]  # served, no-shows
    assert on_screen[6] == "10:00"  # mean wait of 300 s and 900 s
    assert on_screen[9] == "50 %"  # 300 s within 420 s, 900 s not
    expect(page.locator("#report-outcomes")).to_have_text("readings accepted: 1")
    page.screenshot(path=str(artifacts / "dashboard-report-ru.png"), full_page=True)

    rows = list(csv.DictReader(io.StringIO(_download(page, "#download-csv", tmp_path).read_text())))
    assert rows[0]["scope"] == "office"
    assert (rows[0]["issued"], rows[0]["served"], rows[0]["no_show"]) == ("2", "1", "1")
    assert float(rows[0]["wait_mean_seconds"]) == 600.0
    assert float(rows[0]["share_within_target"]) == 0.5
    assert rows[0]["outcomes"] == "readings accepted=1"

    operators_csv = _download(page, "#download-operators-csv", tmp_path).read_text()
    (operator,) = list(csv.DictReader(io.StringIO(operators_csv)))
    assert operator["served"] == "1" and float(operator["service_mean_seconds"]) == 600.0

    workbook = load_workbook(_download(page, "#download-xlsx", tmp_path))
    sheet = list(workbook["topics"].iter_rows(values_only=True))
    office_row = dict(zip(sheet[0], sheet[1], strict=True))
    assert office_row["issued"] == 2 and office_row["wait_mean_seconds"] == 600.0
    assert office_row["wait_median_seconds"] == 600.0
    csv_rows = [[str(v) if v is not None else "" for v in row] for row in sheet[1:]]
    assert [row[:9] for row in csv_rows] == [list(r.values())[:9] for r in rows]

    page.select_option("#report-form select[name=customer_type]", "organization")
    page.click("#report-form button[type=submit]")
    expect(total.nth(1)).to_have_text("1")
    expect(total.nth(3)).to_have_text("1")
    assert "customer_type=organization" in (page.get_attribute("#download-xlsx", "href") or "")
    context.close()
