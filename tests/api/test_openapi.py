"""The OpenAPI document lists the client errors of each operation, with the contract's error body."""

from __future__ import annotations

from typing import Any

import pytest

from queue_server.app import create_app
from queue_server.clock import FrozenClock
from tests import support

Errors = dict[str, str]  # status -> description (which names the error codes)


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    app = create_app(support.test_settings("sqlite:///:memory:"), FrozenClock(support.DEFAULT_NOW))
    built: dict[str, Any] = app.openapi()
    return built


def _client_errors(document: dict[str, Any], method: str, path: str) -> Errors:
    responses = document["paths"][path][method]["responses"]
    return {
        status: answer["description"] for status, answer in responses.items() if status[0] == "4"
    }


def test_client_errors_follow_from_what_the_route_depends_on(document: dict[str, Any]) -> None:
    # Every operation: a Host header not the server's (production) is refused before routing.
    assert set(_client_errors(document, "get", "/api/v1/offices")) == {"400"}
    public = _client_errors(document, "get", "/api/v1/offices/{office_id}")
    assert set(public) == {"400", "404", "422"} and "office_not_found" in public["404"]
    assert set(_client_errors(document, "get", "/api/v1/auth/me")) == {"400", "401"}
    admin = _client_errors(document, "post", "/api/v1/offices")
    assert set(admin) == {"400", "401", "403", "413", "422"}
    assert "forbidden" in admin["403"] and "csrf_failed" in admin["403"]
    assert "bad_request" in admin["400"] and "host_not_allowed" in admin["400"]
    manager = _client_errors(document, "get", "/api/v1/offices/{office_id}/reports/tickets.csv")
    assert set(manager) == {"400", "401", "403", "404", "422"}


def test_each_routes_own_answers_are_listed(document: dict[str, Any]) -> None:
    call_next = _client_errors(document, "post", "/api/v1/windows/{window_id}/call-next")
    assert "window_not_found" in call_next["404"]
    assert "operator_busy" in call_next["409"] and "window_busy" in call_next["409"]
    transfer = _client_errors(document, "post", "/api/v1/tickets/{ticket_id}/transfer")
    assert "ticket_not_found" in transfer["404"] and "topic_not_found" in transfer["404"]
    assert "invalid_transition" in transfer["409"]
    for sign_in in ("/api/v1/auth/token", "/api/v1/auth/session"):
        answers = _client_errors(document, "post", sign_in)
        assert "invalid_credentials" in answers["401"] and "too_many_attempts" in answers["429"]
    issuing = _client_errors(document, "post", "/api/v1/offices/{office_id}/tickets")
    assert {"401", "404", "409", "429"} <= set(issuing)


def test_every_client_error_carries_the_contracts_error_body(document: dict[str, Any]) -> None:
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["detail", "code"]
    assert error["properties"]["code"]["type"] == "string"
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if status.startswith("4"):
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
