"""An edit reaches open screens at once: the display hears `office.changed` with the topics."""

from __future__ import annotations

from tests.realtime.clients import listening
from tests.support import Api, LiveServer


def test_an_edited_and_a_retired_topic_reach_an_open_display(
    server: LiveServer, admin: Api
) -> None:
    office = admin.office()
    kept = admin.topic(office["id"], "A")
    edited = admin.topic(office["id"], "B")
    path = f"/api/v1/topics/{edited['id']}"
    with listening(server.url, f"/ws/offices/{office['id']}/display") as display:
        seen = display.next()["seq"]
        renamed = {"ru": "Оплата", "en": "Payments"}
        admin.ok(admin.http.patch(path, json={"name": renamed, "prefix": "C"}))
        change = display.next()
        assert change["type"] == "office.changed" and change["seq"] == seen + 1
        assert change["topics"][1] == {
            "id": edited["id"],
            "prefix": "C",
            "name": renamed,
            "parent_id": None,
        }
        admin.ok(admin.http.patch(path, json={"active": False}))
        retired = display.next()
        assert retired["type"] == "office.changed" and retired["seq"] == seen + 2
        assert [topic["id"] for topic in retired["topics"]] == [kept["id"]]
        admin.ok(admin.http.patch(path, json={"active": False}))  # nothing changes: no event
        admin.issue(office["id"], kept["id"])
        assert display.next()["seq"] == seen + 3
