"""Two worker processes sharing Redis: a call made through either reaches displays on both."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.realtime.clients import displays_on_both_workers
from tests.realtime.processes import serving
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, IN_CI, Api, login_token, port_open

pytestmark = [pytest.mark.redis, pytest.mark.slow]
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_available() -> None:
    if not port_open("127.0.0.1", 6379):
        if IN_CI:
            pytest.fail("CI=true but Redis is not reachable on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379 (CI=true makes this a failure)")


@pytest.fixture
def two_workers(redis_available: None, sqlite_url: str, tmp_path: Path) -> Iterator[str]:
    with serving(sqlite_url, tmp_path / "server.log", 2, QUEUE_REDIS_URL=REDIS_URL) as url:
        yield url


def test_a_call_through_one_worker_reaches_displays_on_the_other(two_workers: str) -> None:
    admin = Api(two_workers, login_token(two_workers, ADMIN_LOGIN, ADMIN_PASSWORD))
    office = admin.office()
    topic = admin.topic(office["id"], "A")
    window = admin.window(office["id"], 5)
    operator = admin.operator(office["id"])
    kiosk_key = admin.kiosk(office["id"])["key"]
    with ExitStack() as stack:
        displays = displays_on_both_workers(
            two_workers, f"/ws/offices/{office['id']}/display", stack
        )
        start = displays[0].received[0]["seq"]
        tickets = []
        for _ in range(6):
            # A kiosk on a fresh client each time: requests land on either worker.
            visitor = Api(two_workers, kiosk_key=kiosk_key)
            tickets.append(visitor.issue(office["id"], topic["id"]))
            visitor.close()
        operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
        for display in displays:
            events = display.events(8, timeout=5)
            assert [event["seq"] for event in events] == list(range(start + 1, start + 9))
            assert [event["ticket"]["number"] for event in events[:6]] == [
                ticket["number"] for ticket in tickets
            ]
            assert events[-1]["type"] == "ticket.called"
            assert events[-1]["ticket"]["window"]["number"] == 5
    admin.close()
