"""Reports (JSON, CSV, XLSX), the public load statistics and the live figures against the target."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any

from openpyxl import load_workbook

from queue_server.clock import FrozenClock
from tests.api.contract import error
from tests.support import Api, LiveServer

DAY = "2026-11-23"  # the default test clock's Monday; it starts at 10:30 Moscow, off-peak
PEAK = [["11:00", "13:00"]]
TARGETS = {"peak": 1200, "offpeak": 420}


def _at(clock: FrozenClock, hhmm: str) -> None:
    hours, minutes = (int(part) for part in hhmm.split(":"))
    midnight_utc = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    clock.set(midnight_utc + timedelta(hours=hours - 3, minutes=minutes))  # Moscow is UTC+3


def _constructed_day(server: LiveServer, admin: Api) -> dict[str, Any]:
    """Four tickets across the 11:00 peak boundary, a no-show, a transfer and a pause."""
    clock = server.clock
    office = admin.office(peak=PEAK)
    a = admin.topic(office["id"], "A", target_wait_seconds=TARGETS)
    b = admin.topic(office["id"], "B", target_wait_seconds=TARGETS)
    window = admin.window(office["id"], 1)
    operator = admin.operator(office["id"])
    call = f"/api/v1/windows/{window['id']}/call-next"

    def act(ticket: dict[str, Any], action: str, **body: Any) -> None:
        operator.ok(operator.post(f"/api/v1/tickets/{ticket['id']}/{action}", json=body or None))

    _at(clock, "10:30")
    t1 = admin.issue(office["id"], a["id"])
    t2 = admin.issue(office["id"], a["id"], customer_type="organization")
    _at(clock, "10:35")
    assert operator.ok(operator.post(call))["id"] == t1["id"]  # waited 300 s, target 420
    act(t1, "start")
    _at(clock, "10:45")
    act(t1, "finish", outcomes=["contract signed"])
    assert operator.ok(operator.post(call))["id"] == t2["id"]  # waited 900 s: a miss
    _at(clock, "10:46")
    act(t2, "no-show")
    _at(clock, "10:58")
    t3 = admin.issue(office["id"], a["id"])  # off-peak issue: target 420
    _at(clock, "11:05")
    assert operator.ok(operator.post(call))["id"] == t3["id"]  # waited 420 s: within
    _at(clock, "11:06")
    act(t3, "transfer", topic_id=b["id"])
    t4 = admin.issue(office["id"], a["id"])  # peak issue: target 1200
    _at(clock, "11:10")
    assert operator.ok(operator.post(call))["id"] == t3["id"]  # keeps its place
    act(t3, "start")
    _at(clock, "11:20")
    act(t3, "finish")
    operator.ok(operator.post("/api/v1/operators/me/pause", json={"reason": "lunch"}), 204)
    _at(clock, "11:25")
    operator.ok(operator.post("/api/v1/operators/me/resume"), 204)
    _at(clock, "11:26")
    assert operator.ok(operator.post(call))["id"] == t4["id"]  # waited 1200 s: within at peak
    act(t4, "start")
    _at(clock, "11:30")
    act(t4, "finish")
    operator.close()
    return {"office": office, "a": a, "b": b}


def test_report_figures_match_the_hand_computed_day(server: LiveServer, admin: Api) -> None:
    day = _constructed_day(server, admin)
    office_id = day["office"]["id"]
    data = admin.ok(admin.get(f"/api/v1/offices/{office_id}/reports?date_from={DAY}&date_to={DAY}"))
    summary = data["summary"]
    assert (summary["issued"], summary["served"], summary["no_show"]) == (4, 3, 1)
    assert (summary["expired"], summary["transferred"]) == (0, 1)
    assert summary["wait"] == {
        "count": 4,
        "mean_seconds": 705.0,
        "median_seconds": 660.0,
        "p90_seconds": 1200.0,
        "within_target": 3,
        "judged": 4,
        "share_within_target": 0.75,
    }
    assert summary["service"] == {"mean_seconds": 480.0, "p90_seconds": 600.0}
    assert summary["outcomes"] == {"contract signed": 1}
    topics = {t["prefix"]: t for t in data["topics"]}
    assert (topics["A"]["issued"], topics["A"]["served"], topics["A"]["transferred"]) == (4, 2, 1)
    assert (topics["B"]["issued"], topics["B"]["served"]) == (0, 1)
    (operator,) = data["operators"]
    assert operator["served"] == 3
    assert operator["at_window_seconds"] == 55 * 60  # first call 10:35 to the report's now 11:30
    assert operator["pause_seconds"] == {"lunch": 300}
    assert operator["idle_seconds"] == 3300 - 1560 - 300  # busy: 600+60+60+600+240
    assert operator["served_per_hour"] == round(3 / (3300 / 3600), 2)
    (by_day,) = data["days"]
    assert by_day == {
        "day": DAY,
        "issued": 4,
        "served": 3,
        "no_show": 1,
        "expired": 0,
        "transferred": 1,
        "average_wait_seconds": 705,
    }


def test_filters_narrow_the_report(server: LiveServer, admin: Api) -> None:
    day = _constructed_day(server, admin)
    base = f"/api/v1/offices/{day['office']['id']}/reports?date_from={DAY}&date_to={DAY}"
    organisations = admin.ok(admin.get(f"{base}&customer_type=organization"))["summary"]
    assert (organisations["issued"], organisations["no_show"], organisations["served"]) == (1, 1, 0)
    only_b = admin.ok(admin.get(f"{base}&topic_id={day['b']['id']}"))
    assert [t["prefix"] for t in only_b["topics"]] == ["B"]
    assert (only_b["summary"]["served"], only_b["summary"]["issued"]) == (1, 0)
    other_day = admin.ok(
        admin.get(
            base.replace(f"date_from={DAY}", "date_from=2026-11-24").replace(
                f"date_to={DAY}", "date_to=2026-11-24"
            )
        )
    )
    assert other_day["summary"]["issued"] == 0


def test_csv_and_xlsx_carry_the_same_figures(server: LiveServer, admin: Api) -> None:
    day = _constructed_day(server, admin)
    query = f"date_from={DAY}&date_to={DAY}"
    base = f"/api/v1/offices/{day['office']['id']}/reports"
    data = admin.ok(admin.get(f"{base}?{query}"))
    response = admin.get(f"{base}/report.csv?{query}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["scope"] == "office"
    assert int(rows[0]["issued"]) == data["summary"]["issued"]
    assert float(rows[0]["wait_median_seconds"]) == data["summary"]["wait"]["median_seconds"]
    assert [r["prefix"] for r in rows[1:]] == ["A", "B"]
    operators = list(
        csv.DictReader(io.StringIO(admin.get(f"{base}/report.csv?{query}&part=operators").text))
    )
    assert operators[0]["pause_seconds"] == "lunch=300"

    workbook = load_workbook(io.BytesIO(admin.get(f"{base}/report.xlsx?{query}").content))
    assert workbook.sheetnames == ["topics", "operators", "days"]
    sheet = list(workbook["topics"].iter_rows(values_only=True))
    header, office_row = sheet[0], dict(zip(sheet[0], sheet[1], strict=True))
    assert header[0] == "scope" and office_row["share_within_target"] == 0.75
    assert office_row["served"] == data["summary"]["served"]
    days = list(workbook["days"].iter_rows(values_only=True))
    assert days[1][:2] == (DAY, 4)


def test_report_access_and_validation(server: LiveServer, admin: Api) -> None:
    office = admin.office()
    other = admin.office()
    base = f"/api/v1/offices/{office['id']}/reports"
    anonymous = Api(server.url)
    assert anonymous.get(f"{base}?date_from={DAY}&date_to={DAY}").status_code == 401
    manager = admin.operator(other["id"], role="manager")
    refused = manager.get(f"{base}?date_from={DAY}&date_to={DAY}")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    backwards = admin.get(f"{base}?date_from=2026-11-24&date_to={DAY}")
    assert backwards.status_code == 422 and backwards.json()["code"] == "validation_error"
    wrong_topic = admin.get(f"{base}?date_from={DAY}&date_to={DAY}&topic_id=999999")
    assert wrong_topic.status_code == 404
    contract_csv = admin.get(f"{base}/tickets.csv?date_from={DAY}&date_to={DAY}")
    assert contract_csv.status_code == 200 and contract_csv.text.startswith("id,number,")
    anonymous.close()
    manager.close()


REPORT_ROUTES = ("", "/report.csv", "/report.xlsx", "/tickets.csv")


def test_every_report_route_refuses_a_range_no_report_covers(
    server: LiveServer, admin: Api
) -> None:
    base = f"/api/v1/offices/{admin.office()['id']}/reports"
    hints = {  # what the message tells the manager to change
        "date_from=9999-12-30&date_to=9999-12-31": "2000-2100",
        "date_to=9999-12-31": "2000-2100",
        "date_from=1999-12-31&date_to=2000-01-01": "2000-2100",
        "date_from=2025-11-22&date_to=2026-11-23": "366",  # one day more than a leap year
        "date_from=2026-11-24&date_to=2026-11-23": "date_from",
        "date_from=2026-11-24": "current service day",  # tomorrow, with today's default end
    }
    for route in REPORT_ROUTES:
        for query, hint in hints.items():
            detail = error(admin.get(f"{base}{route}?{query}"), 422, "validation_error")
            assert hint in detail, (route, query, detail)
        longest = admin.get(f"{base}{route}?date_from=2025-11-23&date_to=2026-11-23")
        assert longest.status_code == 200, (route, longest.text)


def test_reports_without_dates_cover_the_offices_current_service_day(
    server: LiveServer, admin: Api
) -> None:
    office = admin.office(timezone="Asia/Vladivostok")
    topic = admin.topic(office["id"], "A")
    yesterday = admin.issue(office["id"], topic["id"])
    # 14:30 UTC on the 23rd is 00:30 on the 24th in Vladivostok: the office's day counts.
    server.clock.set(server.clock.now().replace(hour=14))
    today = admin.issue(office["id"], topic["id"])
    base = f"/api/v1/offices/{office['id']}/reports"
    rows = list(csv.DictReader(io.StringIO(admin.get(f"{base}/tickets.csv").text)))
    assert [int(row["id"]) for row in rows] == [today["id"]]
    data = admin.ok(admin.get(base))
    assert (data["date_from"], data["date_to"]) == ("2026-11-24", "2026-11-24")
    assert data["summary"]["issued"] == 1
    since = list(csv.DictReader(io.StringIO(admin.get(f"{base}/tickets.csv?date_from={DAY}").text)))
    assert [int(row["id"]) for row in since] == [yesterday["id"], today["id"]]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_no_export_cell_starts_a_formula(server: LiveServer, admin: Api) -> None:
    office = admin.office()
    names = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-1+1", "@SUM(1)", "Pensions"]
    topics = [
        admin.topic(office["id"], prefix, name={"ru": name, "en": name})
        for prefix, name in zip("ABCDE", names, strict=True)
    ]
    window = admin.window(office["id"], 1)
    body = {"login": admin.unique("op"), "password": "password-123", "role": "operator"}
    body.update(office_id=office["id"], display_name="\t=cmd|' /C calc'!A0")
    admin.ok(admin.post("/api/v1/users", json=body), 201)
    operator = admin.as_user(body["login"], body["password"])
    ticket = admin.issue(office["id"], topics[0]["id"])
    operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
    operator.ok(operator.post(f"/api/v1/tickets/{ticket['id']}/start"))
    outcomes = ["=1+2", "contract signed"]
    path = f"/api/v1/tickets/{ticket['id']}/finish"
    operator.ok(operator.post(path, json={"outcomes": outcomes}))
    base, query = f"/api/v1/offices/{office['id']}/reports", f"date_from={DAY}&date_to={DAY}"
    files = [f"{base}/report.csv?{query}&part={part}" for part in ("topics", "operators", "days")]
    tables = [list(csv.reader(io.StringIO(admin.get(f).text))) for f in files]
    tables.append(list(csv.reader(io.StringIO(admin.get(f"{base}/tickets.csv?{query}").text))))
    workbook = load_workbook(io.BytesIO(admin.get(f"{base}/report.xlsx?{query}").content))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert not [c.value for c in cells if c.data_type == "f"]
    texts = [cell for table in tables for row in table for cell in row]
    texts += [c.value for c in cells if isinstance(c.value, str)]
    assert not [text for text in texts if text.startswith(FORMULA_STARTS)]
    # The text is all there, marked as text; ordinary values are untouched.
    topic_rows = {row[2]: row for row in tables[0][1:] if row[2]}
    assert [topic_rows[prefix][3] for prefix in "ABCDE"] == [f"'{n}" for n in names[:4]] + [
        "Pensions"
    ]
    assert topic_rows["A"][-1] == "'=1+2=1;contract signed=1"
    assert tables[1][1][2] == "'\t=cmd|' /C calc'!A0"
    (ticket_row,) = [dict(zip(tables[3][0], row, strict=True)) for row in tables[3][1:]]
    assert (ticket_row["number"], ticket_row["outcomes"]) == ("A001", "'=1+2;contract signed")
    sheet = list(workbook["topics"].iter_rows(values_only=True))
    office_row = dict(zip(sheet[0], sheet[1], strict=True))
    assert (office_row["issued"], office_row["served"]) == (1, 1)
    assert dict(zip(sheet[0], sheet[2], strict=True))["topic"] == f"'{names[0]}"
    operator.close()


def test_load_is_public_and_levels_cells(server: LiveServer, admin: Api) -> None:
    office = admin.office(hours={d: [["08:00", "19:00"]] for d in ("mon", "tue", "wed")})
    topic = admin.topic(office["id"], "A")
    for _ in range(3):
        admin.issue(office["id"], topic["id"])
    server.clock.advance(3600)  # 11:30: one visit, a third of the busiest hour
    admin.issue(office["id"], topic["id"])
    admin.issue(office["id"], topic["id"], customer_type="organization")
    anonymous = Api(server.url)
    load = anonymous.ok(anonymous.get(f"/api/v1/offices/{office['id']}/load"))
    assert load["hours"] == list(range(8, 19))
    cells = {(c["weekday"], c["hour"]): c for c in load["individual"]}
    assert cells[("mon", 10)]["visits"] == 3 and cells[("mon", 10)]["level"] == "maximum"
    assert cells[("mon", 11)]["level"] == "high"
    assert cells[("mon", 12)]["level"] == "minimum"
    assert cells[("sun", 12)]["level"] == "closed"
    organisations = {(c["weekday"], c["hour"]): c for c in load["organization"]}
    assert organisations[("mon", 11)]["level"] == "maximum"
    assert load["days_counted"]["mon"] == 1
    assert anonymous.get("/api/v1/offices/999999/load").status_code == 404
    anonymous.close()


def test_live_figures_turn_red_and_alert_past_the_target(server: LiveServer, admin: Api) -> None:
    office = admin.office()
    topic = admin.topic(office["id"], "A", target_wait_seconds={"peak": 600, "offpeak": 300})
    ticket = admin.issue(office["id"], topic["id"])
    path = f"/api/v1/offices/{office['id']}/stats/live"
    (item,) = admin.ok(admin.get(path))["topics"]
    assert item["state"] == "green" and item["target_wait_seconds"] == 300
    assert {
        "topic_id",
        "waiting",
        "longest_wait_seconds",
        "average_wait_seconds_today",
        "served_today",
        "target_wait_seconds",
    } <= set(item)
    server.clock.advance(250)
    assert admin.ok(admin.get(path))["topics"][0]["state"] == "amber"
    server.clock.advance(60)
    live = admin.ok(admin.get(path))
    assert live["topics"][0]["state"] == "red"
    (alert,) = live["alerts"]
    assert alert["kind"] == "ticket_over_target" and alert["ticket_number"] == ticket["number"]
    assert alert["wait_seconds"] == 310
    assert live["today_by_hour"][-1] == {
        "hour": 10,
        "issued": 1,
        "waiting": 1,
        "average_wait_seconds": None,
    }
