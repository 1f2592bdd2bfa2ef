"""/docs: Swagger UI from the files of the swagger-ui-bundle package, served by this server, so
the API docs open where no CDN is reachable (a kiosk network) and under the pages' CSP."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from swagger_ui_bundle import swagger_ui_path

from queue_server.web import mount_static, render

SWAGGER_UI_URL = "/static/swagger-ui"


def install(app: FastAPI) -> None:
    mount_static(app, SWAGGER_UI_URL, Path(str(swagger_ui_path)))

    @app.get("/docs", include_in_schema=False)
    async def docs(request: Request) -> HTMLResponse:
        context = {"openapi_url": app.openapi_url, "swagger_ui": SWAGGER_UI_URL}
        return render(request, "web/docs.html", "common", context)
