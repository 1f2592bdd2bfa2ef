"""Schemathesis against /openapi.json of a live server on SQLite: no input yields a 5xx.

Every operation is fuzzed with schema-valid and schema-invalid data, signed in as an admin so the
protected routes run their real code, on an office that has topics, windows, a kiosk, an operator
and tickets in several states (most generated ids miss them: 404s are fine, 5xx are not).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from queue_server.app import create_app
from queue_server.clock import FrozenClock
from tests import support
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, DEFAULT_NOW, Api, login_token

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("fuzz")]


@dataclass
class Target:
    url: str
    token: str
    # Logout revokes the token it is sent with, so each logout case gets a token of its own,
    # made before the login endpoint is fuzzed into throttling this client.
    spare_tokens: list[str] = field(default_factory=list)

    def token_for(self, case: Any) -> str:
        if case.operation.path.endswith("/auth/logout") and self.spare_tokens:
            return self.spare_tokens.pop()
        return self.token


def _populate(admin: Api) -> None:
    """Something for generated ids and bodies to hit: the first ids of each kind exist."""
    office = admin.office()
    topic = admin.topic(office["id"], "A")
    menu = admin.topic(office["id"], "M")
    admin.topic(office["id"], "C", parent_id=menu["id"])
    window = admin.window(office["id"], 1)
    admin.window(office["id"], 2)
    admin.ok(admin.post(f"/api/v1/offices/{office['id']}/kiosks", json={"name": "Hall"}), 201)
    operator = admin.operator(office["id"])
    for _ in range(4):
        admin.issue(office["id"], topic["id"])
    called = operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
    operator.ok(operator.post(f"/api/v1/tickets/{called['id']}/start"))
    operator.close()


@pytest.fixture(scope="module")
def fuzz_target(
    sqlite_templates: support.SqliteTemplates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    url = sqlite_templates.fresh(tmp_path_factory.mktemp("fuzz"))
    with support.running_server(support.test_settings(url), FrozenClock(DEFAULT_NOW)) as server:
        token = login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD)
        admin = Api(server.url, token)
        _populate(admin)
        admin.close()
        spares = [login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD) for _ in range(40)]
        yield Target(server.url, token, spares)


def _published_schema() -> dict[str, Any]:
    """The OpenAPI document the server publishes, built without touching any database.

    Schemathesis' lazy `from_fixture` loader breaks on pytest 9 (it writes `node._nodeid`), so the
    cases are generated from the document itself and sent to the live server; the first test
    checks that the live /openapi.json is this very document.
    """
    settings_ = support.test_settings("sqlite:///:memory:")
    document: dict[str, Any] = create_app(settings_, FrozenClock(DEFAULT_NOW)).openapi()
    return document


PUBLISHED = _published_schema()
schema = schemathesis.openapi.from_dict(PUBLISHED)


def test_the_live_server_publishes_the_fuzzed_schema(fuzz_target: Target) -> None:
    served = httpx.get(f"{fuzz_target.url}/openapi.json", timeout=30)
    assert served.status_code == 200
    assert served.json() == json.loads(json.dumps(PUBLISHED))


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_input_yields_a_server_error(case: Any, fuzz_target: Target) -> None:
    headers = {"Authorization": f"Bearer {fuzz_target.token_for(case)}"}
    case.call_and_validate(
        base_url=fuzz_target.url, headers=headers, checks=[not_a_server_error], timeout=30
    )
