"""The OpenAPI document lists the client errors (4xx) each operation can answer, each with the
contract's error body. They are derived here, in one place, from what a route depends on:

- a sign-in dependency: 401; a role above operator, an object of the path or a state-changing
  method (the CSRF check of cookie requests): 403;
- each path parameter: 404 (its object is unknown);
- a request body: 400 (it cannot be decoded), 413 (over 1 MiB);
- any parameter or body: 422;
- any operation at all: 400 `host_not_allowed` (in production, a Host header not the server's);

plus the answers of a route's own use case (conflicts, rate limits, ids inside the body), declared
once in ROUTE_ERRORS below rather than on every route.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any, get_args

from fastapi import FastAPI, params
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts

from queue_server.api import deps

ERROR_SCHEMA = "Error"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
INVALID_TRANSITION = ((409, "invalid_transition"),)
SIGN_IN = ((401, "invalid_credentials"), (429, "too_many_attempts"))
CALLING = (
    (409, "operator_busy"),
    (409, "window_busy"),
    (409, "operator_paused"),
    (409, "window_inactive"),
)
TOPIC_FILTER = ((404, "topic_not_found"),)
# Refused by middleware before any route runs (queue_server.middleware.hosts).
EVERY_ROUTE = ((400, "host_not_allowed"),)

# What a route's use case answers beyond what its dependencies imply: (method, path) -> answers.
ROUTE_ERRORS: dict[tuple[str, str], tuple[tuple[int, str], ...]] = {
    ("POST", "/api/v1/auth/token"): SIGN_IN,
    ("POST", "/api/v1/auth/session"): SIGN_IN,
    ("POST", "/api/v1/offices/{office_id}/windows"): ((409, "already_exists"),),
    ("POST", "/api/v1/users"): (
        (404, "office_not_found"),
        (404, "topic_not_found"),
        (409, "already_exists"),
        (422, "weak_password"),
    ),
    ("GET", "/api/v1/users"): ((404, "office_not_found"),),
    ("PATCH", "/api/v1/users/{user_id}"): (
        (404, "office_not_found"),
        (409, "operator_busy"),
        (409, "last_admin"),
    ),
    ("POST", "/api/v1/users/{user_id}/password"): ((422, "weak_password"),),
    ("POST", "/api/v1/auth/password"): (
        (403, "wrong_password"),
        (422, "weak_password"),
        (429, "too_many_attempts"),
    ),
    ("POST", "/api/v1/offices/{office_id}/kiosks"): ((422, "printer_not_allowed"),),
    ("PATCH", "/api/v1/windows/{window_id}"): ((409, "already_exists"),),
    ("PATCH", "/api/v1/kiosks/{kiosk_id}"): ((422, "printer_not_allowed"),),
    ("POST", "/api/v1/offices/{office_id}/tickets"): (
        (401, "not_authenticated"),
        (403, "forbidden"),
        (403, "csrf_failed"),
        (404, "topic_not_found"),
        (404, "kiosk_not_found"),
        (409, "topic_not_issuable"),
        (409, "office_closed"),
        (409, "remote_closed"),
        (422, "kiosk_in_other_office"),
        (429, "too_many_tickets"),
    ),
    ("POST", "/api/v1/windows/{window_id}/call-next"): CALLING,
    ("POST", "/api/v1/windows/{window_id}/call/{ticket_id}"): CALLING + INVALID_TRANSITION,
    ("POST", "/api/v1/tickets/{ticket_id}/recall"): (
        *INVALID_TRANSITION,
        (409, "recall_limit_reached"),
    ),
    ("POST", "/api/v1/tickets/{ticket_id}/start"): INVALID_TRANSITION,
    ("POST", "/api/v1/tickets/{ticket_id}/finish"): INVALID_TRANSITION,
    ("POST", "/api/v1/tickets/{ticket_id}/no-show"): INVALID_TRANSITION,
    ("POST", "/api/v1/tickets/{ticket_id}/return"): INVALID_TRANSITION,
    ("POST", "/api/v1/tickets/{ticket_id}/transfer"): (
        (404, "topic_not_found"),
        *INVALID_TRANSITION,
        (409, "topic_not_issuable"),
    ),
    ("POST", "/api/v1/operators/me/pause"): ((409, "operator_busy"),),
    ("POST", "/api/v1/operators/me/leave"): ((409, "operator_busy"),),
    ("GET", "/api/v1/operators/me"): ((403, "forbidden"), (404, "office_not_found")),
    ("GET", "/api/v1/offices/{office_id}/reports"): TOPIC_FILTER,
    ("GET", "/api/v1/offices/{office_id}/reports/report.csv"): TOPIC_FILTER,
    ("GET", "/api/v1/offices/{office_id}/reports/report.xlsx"): TOPIC_FILTER,
    ("PUT", "/api/v1/offices/{office_id}/calendar/{day}"): ((409, "conflict"),),
    ("DELETE", "/api/v1/offices/{office_id}/calendar/{day}"): ((404, "calendar_day_not_found"),),
    ("POST", "/api/v1/tickets/{code}/feedback"): (
        (409, "ticket_not_finished"),
        (409, "already_rated"),
    ),
}


def _dependency_of(alias: Any) -> Any:
    """The callable behind an `Annotated[..., Depends(f)]` alias of deps.py."""
    return next(m.dependency for m in get_args(alias)[1:] if isinstance(m, params.Depends))


SIGNED_IN = deps.current_principal
ELEVATED = frozenset({_dependency_of(deps.ManagerDep), _dependency_of(deps.AdminDep)})


def _dependants(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for child in dependant.dependencies:
        yield from _dependants(child)


def _not_found_code(path: str, name: str) -> str:
    """`office_id` -> office_not_found; a path value without `_id` (`/tickets/{code}`) names its
    object by the path segment before it."""
    if name.endswith("_id"):
        return f"{name.removesuffix('_id')}_not_found"
    before = path.split("{" + name + "}")[0].rstrip("/").rsplit("/", 1)[-1]
    return f"{before.removesuffix('s')}_not_found"


def route_errors(path: str, method: str, dependant: Dependant) -> dict[int, set[str]]:
    """The client errors one operation can answer: status -> error codes."""
    found: dict[int, set[str]] = defaultdict(set)
    parts = list(_dependants(dependant))
    calls = {part.call for part in parts}
    path_params = {field.name for part in parts for field in part.path_params}
    bodies = [field for part in parts for field in part.body_params]
    inputs = path_params or bodies or any(p.query_params or p.header_params for p in parts)
    signed_in = SIGNED_IN in calls
    if signed_in:
        found[401].add("not_authenticated")
        if calls & ELEVATED or path_params:
            found[403].add("forbidden")
    if (signed_in or deps.signed_in_or_none in calls) and method not in SAFE_METHODS:
        found[403].add("csrf_failed")
    for name in path_params:
        found[404].add(_not_found_code(path, name))
    if bodies:  # a body that cannot be decoded (not UTF-8, a broken form) is a 400
        found[400].add("bad_request")
        found[413].add("payload_too_large")
    if inputs:
        found[422].add("validation_error")
    for status, code in (*EVERY_ROUTE, *ROUTE_ERRORS.get((method, path), ())):
        found[status].add(code)
    return found


def _error_schema(document: dict[str, Any]) -> dict[str, Any]:
    """Add the contract's error body to the document's schemas; a reference to it back."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    detail: dict[str, Any] = {"type": "string"}
    if "ValidationError" in schemas:  # a 422 may list FastAPI's problems instead
        listed = {"type": "array", "items": {"$ref": "#/components/schemas/ValidationError"}}
        detail = {"anyOf": [detail, listed]}
    schemas[ERROR_SCHEMA] = {
        "title": ERROR_SCHEMA,
        "type": "object",
        "required": ["detail", "code"],
        "properties": {
            "detail": {
                "title": "Detail",
                "description": "what went wrong and what to do",
                **detail,
            },
            "code": {"title": "Code", "type": "string", "description": "snake_case error code"},
        },
    }
    return {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}


def _operations(
    document: dict[str, Any], app: FastAPI
) -> Iterator[tuple[str, str, Dependant, dict[str, Any]]]:
    """(method, path, dependant, operation of the document) of every documented route."""
    paths = document.get("paths", {})
    for context in iter_route_contexts(app.routes):
        path, dependant = context.path_format, getattr(context, "dependant", None)
        if path is None or dependant is None or not getattr(context, "include_in_schema", False):
            continue
        for method in sorted(context.methods or ()):
            operation = paths.get(path, {}).get(method.lower())
            if operation is not None:
                yield method, path, dependant, operation


def document_client_errors(document: dict[str, Any], app: FastAPI) -> None:
    """Add every operation's client errors to an OpenAPI document of `app`, in place."""
    reference = _error_schema(document)
    seen: set[tuple[str, str]] = set()
    for method, path, dependant, operation in _operations(document, app):
        seen.add((method, path))
        responses = operation.setdefault("responses", {})
        for status, codes in sorted(route_errors(path, method, dependant).items()):
            listed = ", ".join(f"`{code}`" for code in sorted(codes))
            responses[str(status)] = {
                "description": f"{HTTPStatus(status).phrase}: {listed}",
                "content": {"application/json": {"schema": reference}},
            }
    unknown = set(ROUTE_ERRORS) - seen
    if unknown:  # a renamed route must not silently lose its errors
        raise RuntimeError(f"ROUTE_ERRORS names operations that do not exist: {sorted(unknown)}")


def install(app: FastAPI) -> None:
    """Make the app's OpenAPI document (and /openapi.json) list every operation's client errors."""
    build = app.openapi  # FastAPI's own: builds once per set of routes and keeps the document
    completed: list[int] = []

    def openapi() -> dict[str, Any]:
        document = build()
        if completed != [id(document)]:
            document_client_errors(document, app)
            completed[:] = [id(document)]
        return document

    app.openapi = openapi  # type: ignore[method-assign]
