"""The hall display's websocket against a real server: snapshot, every event in seq order, resync."""

from __future__ import annotations

from typing import Any

from tests.realtime.clients import listening
from tests.support import Api, LiveServer


def setup_office(admin: Api, windows: int = 1) -> dict[str, Any]:
    office = admin.office()
    topic = admin.topic(office["id"], "A")
    made = [admin.window(office["id"], number) for number in range(1, windows + 1)]
    return {"office": office, "topic": topic, "windows": made}


def call_next(operator: Api, window: dict[str, Any]) -> dict[str, Any]:
    return operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))  # type: ignore[no-any-return]


def test_display_gets_a_snapshot_then_every_event_in_seq_order(
    server: LiveServer, admin: Api
) -> None:
    place = setup_office(admin)
    office_id = place["office"]["id"]
    path = f"/ws/offices/{office_id}/display"
    with listening(server.url, path) as first, listening(server.url, path) as second:
        snapshots = [first.next(), second.next()]
        assert all(snap["type"] == "snapshot" for snap in snapshots)
        start = snapshots[0]["seq"]
        assert snapshots[1]["seq"] == start
        assert snapshots[0]["recent_calls"] == [] and snapshots[0]["waiting"] == {}
        assert snapshots[0]["office"]["name"] == place["office"]["name"]
        tickets = [admin.issue(office_id, place["topic"]["id"]) for _ in range(3)]
        operator = admin.operator(office_id)
        called = call_next(operator, place["windows"][0])
        operator.ok(operator.post(f"/api/v1/tickets/{called['id']}/recall"))
        for display in (first, second):
            events = display.events(7)
            assert [event["seq"] for event in events] == list(range(start + 1, start + 8))
            types = [event["type"] for event in events]
            assert types == ["ticket.issued"] * 3 + [
                "office.changed",  # the operator's account: the hall learns nothing more
                "window.opened",
                "ticket.called",
                "ticket.recalled",
            ]
            assert set(events[3]) == {"type", "seq", "office_id", "at", "topics"}
            call = events[5]
            assert call["ticket"]["number"] == tickets[0]["number"] == "A001"
            assert call["ticket"]["window"]["number"] == 1
            assert call["waiting"] == {str(place["topic"]["id"]): 2}
            assert call["announcement"]["ru"] == "Талон А ноль ноль один, окно один"
            assert "operator_id" not in call["ticket"] and "user_id" not in call


def test_snapshot_holds_the_last_eight_calls_with_windows_and_the_waiting(
    server: LiveServer, admin: Api
) -> None:
    place = setup_office(admin, windows=2)
    office_id, topic_id = place["office"]["id"], place["topic"]["id"]
    for _ in range(12):
        admin.issue(office_id, topic_id)
    operators = [admin.operator(office_id) for _ in range(2)]
    for round_ in range(5):
        for operator, window in zip(operators, place["windows"], strict=True):
            called = call_next(operator, window)
            if round_ < 4:
                operator.ok(operator.post(f"/api/v1/tickets/{called['id']}/no-show"))
    operators[0].ok(operators[0].post(f"/api/v1/tickets/{called['id'] - 1}/recall"))
    with listening(server.url, f"/ws/offices/{office_id}/display") as display:
        snapshot = display.next()
    calls = snapshot["recent_calls"]
    numbers = [call["ticket"]["number"] for call in calls]
    # A009 was recalled last, so it leads; a recall does not list a ticket twice.
    assert numbers == ["A009", "A010", "A008", "A007", "A006", "A005", "A004", "A003"]
    assert [call["ticket"]["window"]["number"] for call in calls[:3]] == [1, 2, 2]
    assert [call["ticket"]["status"] for call in calls[:3]] == ["called", "called", "no_show"]
    assert snapshot["waiting"] == {str(topic_id): 2}
    assert [topic["prefix"] for topic in snapshot["topics"]] == ["A"]


def test_reconnecting_with_since_gets_the_missed_events_else_a_snapshot(
    server: LiveServer, admin: Api
) -> None:
    place = setup_office(admin)
    office_id, topic_id = place["office"]["id"], place["topic"]["id"]
    path = f"/ws/offices/{office_id}/display"
    with listening(server.url, path) as display:
        seen = display.next()["seq"]
    for _ in range(3):
        admin.issue(office_id, topic_id)
    with listening(server.url, f"{path}?since={seen}") as display:
        missed = display.events(3)
        assert [event["seq"] for event in missed] == [seen + 1, seen + 2, seen + 3]
        assert all(event["replayed"] for event in missed)
        assert missed[-1]["waiting"] == {str(topic_id): 3}
        admin.issue(office_id, topic_id)
        live = display.next()
        assert live["seq"] == seen + 4 and "replayed" not in live
    with listening(server.url, f"{path}?since={seen + 1000}") as display:
        snapshot = display.next()  # ahead of this database: it was replaced, start afresh
        assert snapshot["type"] == "snapshot" and snapshot["seq"] == seen + 4


def test_a_topic_added_during_the_day_reaches_open_displays_live_and_on_replay(
    server: LiveServer, admin: Api
) -> None:
    place = setup_office(admin)
    office_id = place["office"]["id"]
    path = f"/ws/offices/{office_id}/display"
    with listening(server.url, path) as display:
        seen = display.next()["seq"]
        added = admin.topic(office_id, "C", name={"ru": "Новая услуга", "en": "New service"})
        change = display.next()
        assert change["type"] == "office.changed" and change["seq"] == seen + 1
        assert "data" not in change  # what changed, and who did it, stays with the staff
        assert [topic["prefix"] for topic in change["topics"]] == ["A", "C"]
        assert change["topics"][1] == {
            "id": added["id"],
            "prefix": "C",
            "name": {"ru": "Новая услуга", "en": "New service"},
            "parent_id": None,
        }
        admin.issue(office_id, added["id"])
        assert display.next()["waiting"] == {str(added["id"]): 1}
    with listening(server.url, f"{path}?since={seen}") as display:
        replayed = display.events(2)
        assert replayed[0]["type"] == "office.changed" and replayed[0]["replayed"]
        assert [topic["prefix"] for topic in replayed[0]["topics"]] == ["A", "C"]


def test_an_unknown_office_is_refused_with_a_reason(server: LiveServer) -> None:
    with listening(server.url, "/ws/offices/999999/display") as display:
        error = display.next()
        assert error == {
            "type": "error",
            "code": "office_not_found",
            "detail": "there is no office with id 999999",
        }
        assert display.close_code() == 4404
