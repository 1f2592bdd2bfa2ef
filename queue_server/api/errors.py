"""One error shape for every client error: {"detail": ..., "code": ...}."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import iter_route_contexts
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from queue_server import i18n
from queue_server.errors import QueueError

STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
}


def _clean(errors: list[Any]) -> list[dict[str, Any]]:
    """FastAPI's error list without the raw input (it may hold anything, even undecodable bytes)."""
    cleaned = []
    for error in errors:
        item = {key: error.get(key) for key in ("type", "loc", "msg")}
        item["loc"] = [str(part) for part in item["loc"] or []]
        cleaned.append(item)
    return cleaned


def localised_detail(request: Request, error: QueueError) -> str:
    """Messages shown to visitors follow ?lang (Russian by default) where a translation exists."""
    lang = i18n.negotiate(request.query_params.get("lang"))
    return i18n.translator(lang, "errors")(error.template, **error.values)


def allowed_methods(request: Request) -> str:
    """The methods the routes of the request's path answer, OPTIONS included, for `Allow`;
    empty when no route of the app has this path (a static mount's files, say)."""
    methods: set[str] = set()
    for route in iter_route_contexts(request.app.routes):
        if route.methods and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods
    return ", ".join(sorted(methods | {"OPTIONS"})) if methods else ""


def _method_not_allowed(request: Request, error: StarletteHTTPException) -> Response:
    """405 with every method of the path in `Allow` (the router names only its first route's).
    No route declares OPTIONS, so this is also where OPTIONS is answered: 204 and `Allow`."""
    allow = allowed_methods(request)
    if allow and request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": allow})
    headers = dict(getattr(error, "headers", None) or {})
    if allow:
        headers["Allow"] = allow
    return JSONResponse(
        {
            "detail": f"{request.method} is not allowed here; use {allow or 'another method'}",
            "code": STATUS_CODES[405],
        },
        status_code=405,
        headers=headers,
    )


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(QueueError)
    async def _queue_error(request: Request, error: QueueError) -> JSONResponse:
        return JSONResponse(
            {"detail": localised_detail(request, error), "code": error.code},
            status_code=error.status,
            headers=error.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse(
            {"detail": _clean(list(error.errors())), "code": "validation_error"}, status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Response:
        if error.status_code == 405:
            return _method_not_allowed(request, error)
        code = STATUS_CODES.get(error.status_code, "http_error")
        return JSONResponse(
            {"detail": str(error.detail), "code": code},
            status_code=error.status_code,
            headers=getattr(error, "headers", None),
        )
