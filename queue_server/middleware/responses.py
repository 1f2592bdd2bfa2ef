"""The contract's error body, answered by middleware before any route runs."""

from __future__ import annotations

from starlette.responses import JSONResponse


def refusal(status: int, code: str, detail: str) -> JSONResponse:
    """`{"detail", "code"}` with `status`, as every client error of the API has."""
    return JSONResponse({"detail": detail, "code": code}, status_code=status)
