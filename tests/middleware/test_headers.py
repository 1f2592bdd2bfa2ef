"""Security headers: nosniff on every answer; only the load page and the hall display framed."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api, LiveServer


@pytest.fixture
def paths(sqlite_admin: Api) -> dict[str, str]:
    """One path of every kind the server answers, by what it is."""
    office = sqlite_admin.office()
    topic = sqlite_admin.topic(office["id"])
    ticket = sqlite_admin.issue(office["id"], topic["id"])
    kiosk: dict[str, Any] = sqlite_admin.ok(
        sqlite_admin.post(f"/api/v1/offices/{office['id']}/kiosks", json={"name": "K"}), 201
    )
    return {
        "index": "/",
        "console": "/console",
        "dashboard": "/dashboard",
        "admin": "/admin",
        "kiosk": f"/kiosk/{kiosk['id']}",
        "status": f"/t/{ticket['code']}",
        "docs": "/docs",
        "api": "/api/v1/offices",
        "api error": "/api/v1/offices/999999/topics",
        "static": "/static/common/base.css",
        "openapi": "/openapi.json",
        "load": f"/load/{office['id']}",
        "display": f"/display/{office['id']}",
    }


def test_every_answer_forbids_content_sniffing(
    sqlite_server: LiveServer, sqlite_admin: Api, paths: dict[str, str]
) -> None:
    for name, path in paths.items():
        response = sqlite_admin.get(path)
        assert response.headers.get("x-content-type-options") == "nosniff", name
        assert "script-src 'self'" in response.headers["content-security-policy"], name
    refused = sqlite_admin.post("/api/v1/offices", content=b" " * (2 * 1024 * 1024))
    assert refused.status_code == 413
    assert refused.headers.get("x-content-type-options") == "nosniff"


def test_only_the_load_page_and_the_hall_display_may_be_framed_by_other_sites(
    sqlite_server: LiveServer, sqlite_admin: Api, paths: dict[str, str]
) -> None:
    embeddable = {"load", "display"}
    for name, path in paths.items():
        headers = sqlite_admin.get(path).headers
        policy = headers["content-security-policy"]
        if name in embeddable:
            assert "frame-ancestors" not in policy and "x-frame-options" not in headers, name
        else:
            assert "frame-ancestors 'none'" in policy, name
            assert headers.get("x-frame-options") == "DENY", name
