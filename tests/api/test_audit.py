"""The audit trail: every change to an office's set-up, for its managers, by service day."""

from __future__ import annotations

from tests.api.contract import error, hall
from tests.support import Api


def test_creations_are_in_the_office_audit_for_its_managers(admin: Api) -> None:
    place, other = hall(admin, "A", windows=1), hall(admin, "B")
    manager = admin.operator(place.id, role="manager")
    path = f"/api/v1/offices/{place.id}/audit"
    entries = manager.ok(manager.get(path))
    made = {(e["object"]["type"], e["object"]["id"]) for e in entries if e["action"] == "created"}
    assert ("topic", place.topic_id("A")) in made and ("window", place.window_id()) in made
    assert all(set(e) == {"at", "user", "action", "object", "changes"} for e in entries)
    error(manager.get(f"/api/v1/offices/{other.id}/audit"), 403, "forbidden")
    error(place.operator().get(path), 403, "forbidden")
    error(manager.get(f"{path}?date_from=2026-11-24&date_to=2026-11-23"), 422, "validation_error")
    assert manager.ok(manager.get(f"{path}?date_from=2026-11-22&date_to=2026-11-22")) == []
