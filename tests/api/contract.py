"""Helpers of the contract tests: error assertions, direct SQL, a small office with people in it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import CursorResult, text

from queue_server.db.engine import Database
from tests.support import Api, run_coroutine

MOSCOW = ZoneInfo("Europe/Moscow")
WEEKDAYS_8_TO_19 = {day: [["08:00", "19:00"]] for day in ("mon", "tue", "wed", "thu", "fri")}


def moscow(
    year: int, month: int, day: int, hour: int, minute: int = 0, second: int = 0
) -> datetime:
    """A Moscow wall-clock time as the aware UTC instant the FrozenClock wants."""
    return datetime(year, month, day, hour, minute, second, tzinfo=MOSCOW).astimezone(UTC)


def error(response: httpx.Response, status: int, code: str) -> Any:
    """Assert the contract's error shape {"detail", "code"} with this status and code."""
    assert response.status_code == status, f"{response.status_code}: {response.text}"
    body = response.json()
    assert body["code"] == code, body
    assert body["detail"], body
    return body["detail"]


def client_error(response: httpx.Response) -> None:
    """Any 4xx with the contract's error shape: never a 5xx, never a bare body."""
    assert 400 <= response.status_code < 500, f"{response.status_code}: {response.text}"
    body = response.json()
    assert isinstance(body.get("code"), str) and body["code"], body
    assert body.get("detail"), body


def aware(stamp: str | None) -> datetime:
    """Parse an ISO 8601 time and insist that it carries a UTC offset."""
    assert stamp is not None
    parsed = datetime.fromisoformat(stamp)
    assert parsed.utcoffset() is not None, f"{stamp} has no UTC offset"
    return parsed


def sql(database_url: str, statement: str, **params: Any) -> list[Any]:
    """Run one SQL statement on the test database (committed) and return its rows."""

    async def run() -> list[Any]:
        database = Database(database_url)
        try:
            async with database.unit_of_work() as uow:
                result = cast(CursorResult[Any], await uow.session.execute(text(statement), params))
                return list(result.all()) if result.returns_rows else []
        finally:
            await database.dispose()

    return run_coroutine(run())


@dataclass
class Hall:
    """An office with topics, windows and operators, built through the public API."""

    admin: Api
    office: dict[str, Any]
    topics: dict[str, dict[str, Any]]
    windows: list[dict[str, Any]]

    @property
    def id(self) -> int:
        return int(self.office["id"])

    def topic_id(self, prefix: str) -> int:
        return int(self.topics[prefix]["id"])

    def window_id(self, index: int = 0) -> int:
        return int(self.windows[index]["id"])

    def issue(self, prefix: str = "A", **extra: Any) -> dict[str, Any]:
        return self.admin.issue(self.id, self.topic_id(prefix), **extra)

    def operator(self, skills: dict[str, int] | None = None) -> Api:
        listed = (
            None
            if skills is None
            else [{"topic_id": self.topic_id(p), "priority": rank} for p, rank in skills.items()]
        )
        return self.admin.operator(self.id, listed)

    def status(self, ticket: dict[str, Any]) -> dict[str, Any]:
        return self.admin.ok(self.admin.get(f"/api/v1/tickets/{ticket['code']}"))  # type: ignore[no-any-return]


def hall(
    admin: Api, prefixes: str = "A", windows: int = 1, hours: Any = None, **office: Any
) -> Hall:
    """An office (always open by default) with one leaf topic per prefix letter and windows 1..n."""
    created = admin.office(hours=hours, **office)
    topics = {prefix: admin.topic(created["id"], prefix) for prefix in prefixes}
    made = [admin.window(created["id"], number) for number in range(1, windows + 1)]
    return Hall(admin, created, topics, made)


def call_next(operator: Api, window_id: int) -> httpx.Response:
    return operator.post(f"/api/v1/windows/{window_id}/call-next")


def act(operator: Api, ticket_id: int, action: str, **body: Any) -> httpx.Response:
    path = f"/api/v1/tickets/{ticket_id}/{action}"
    return operator.post(path, json=body) if body else operator.post(path)
