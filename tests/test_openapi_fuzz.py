"""Schemathesis against /openapi.json of a live server on SQLite: no input yields a 5xx, and
every answer's status code is one the document lists for that operation.

Every operation is fuzzed with schema-valid and schema-invalid data, signed in as an admin so the
protected routes run their real code, on an office that has topics, windows, a kiosk, an operator
and tickets in several states (most generated ids miss them: documented 404s are fine, 5xx are
not). Methods an operation does not have answer 405 with `Allow`. The two sign-in routes are
fuzzed on their own as well, half of the cases with a real login so that success is exercised too.
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
from schemathesis.checks import (
    allow_header_conformance,
    not_a_server_error,
    status_code_conformance,
    unsupported_method,
)

from queue_server.app import create_app
from queue_server.clock import FrozenClock
from tests import support
from tests.support import ADMIN_LOGIN, ADMIN_PASSWORD, DEFAULT_NOW, Api, login_token

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("fuzz")]
CHECKS = [not_a_server_error, status_code_conformance, unsupported_method, allow_header_conformance]
SIGN_IN_LOGIN, SIGN_IN_PASSWORD = "fuzz-sign-in", "fuzz-sign-in-password"


@dataclass
class Target:
    url: str
    token: str
    # Logout revokes the token it is sent with, so each logout case gets a token of its own,
    # made before the login endpoint is fuzzed into throttling this client.
    spare_tokens: list[str] = field(default_factory=list)
    sign_ins: int = 0
    # Users whose password or active state a fuzzed call must not change (the fuzzer's admin,
    # the sign-in login), and the user such a call edits instead.
    protected_user_ids: frozenset[int] = frozenset()
    spare_user_id: int = 0

    def aim(self, case: Any) -> None:
        """A new password or a deactivation of a protected user would sign the fuzzer out (or
        fail every real sign-in) for the rest of the run: edit the spare user instead."""
        if case.path_parameters and case.path_parameters.get("user_id") in self.protected_user_ids:
            case.path_parameters["user_id"] = self.spare_user_id

    def token_for(self, case: Any) -> str:
        if case.operation.path.endswith("/auth/logout") and self.spare_tokens:
            return self.spare_tokens.pop()
        return self.token

    def real_login_next(self) -> bool:
        """Every other sign-in case: a generated login never exists."""
        self.sign_ins += 1
        return self.sign_ins % 2 == 0


def _populate(admin: Api) -> tuple[int, int]:
    """Something for generated ids and bodies to hit: the first ids of each kind exist. The ids
    of the sign-in user and of a spare user."""
    office = admin.office()
    topic = admin.topic(office["id"], "A")
    menu = admin.topic(office["id"], "M")
    admin.topic(office["id"], "C", parent_id=menu["id"])
    window = admin.window(office["id"], 1)
    admin.window(office["id"], 2)
    admin.ok(admin.post(f"/api/v1/offices/{office['id']}/kiosks", json={"name": "Hall"}), 201)
    operator = admin.operator(office["id"])
    body = {"login": SIGN_IN_LOGIN, "password": SIGN_IN_PASSWORD, "role": "operator"}
    sign_in = admin.ok(admin.post("/api/v1/users", json={**body, "office_id": office["id"]}), 201)
    spare, _login, _password = admin.user("operator", office["id"])
    for _ in range(4):
        admin.issue(office["id"], topic["id"])
    called = operator.ok(operator.post(f"/api/v1/windows/{window['id']}/call-next"))
    operator.ok(operator.post(f"/api/v1/tickets/{called['id']}/start"))
    operator.close()
    return sign_in["id"], spare["id"]


@pytest.fixture(scope="module")
def fuzz_target(
    sqlite_templates: support.SqliteTemplates, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    url = sqlite_templates.fresh(tmp_path_factory.mktemp("fuzz"))
    # Every generated login fails from this one address: with the usual limit per address the
    # sign-in routes would answer nothing but 429 after the first few cases. Per login, the
    # usual limits stay (generated logins repeat, so 429 is still reached).
    settings_ = support.test_settings(url, login_max_failures_per_client=1_000_000)
    with support.running_server(settings_, FrozenClock(DEFAULT_NOW)) as server:
        token = login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD)
        admin = Api(server.url, token)
        admin_id = admin.ok(admin.get("/api/v1/auth/me"))["user_id"]
        sign_in_id, spare_id = _populate(admin)
        admin.close()
        spares = [login_token(server.url, ADMIN_LOGIN, ADMIN_PASSWORD) for _ in range(40)]
        yield Target(server.url, token, spares, 0, frozenset({admin_id, sign_in_id}), spare_id)


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
def test_no_input_yields_a_server_error_or_an_undocumented_status(
    case: Any, fuzz_target: Target
) -> None:
    headers = {"Authorization": f"Bearer {fuzz_target.token_for(case)}"}
    fuzz_target.aim(case)
    case.call_and_validate(base_url=fuzz_target.url, headers=headers, checks=CHECKS, timeout=30)


@schema.include(path_regex=r"/auth/(token|session)$").parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_sign_in_answers_every_form_as_documented(case: Any, fuzz_target: Target) -> None:
    if fuzz_target.real_login_next() and isinstance(case.body, dict):
        case.body = {**case.body, "username": SIGN_IN_LOGIN, "password": SIGN_IN_PASSWORD}
    case.call_and_validate(base_url=fuzz_target.url, checks=CHECKS, timeout=30)
