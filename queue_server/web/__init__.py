"""The shared Jinja2 environment, base templates and static files of every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, select_autoescape

from queue_server import i18n

WEB = Path(__file__).resolve().parent
ROOT = WEB.parent.parent
UI_PACKAGES = (
    "kiosk_ui",
    "display_board",
    "operator_console",
    "manager_dashboard",
    "admin_pages",
)
LANG_COOKIE = "lang"


def _loader() -> ChoiceLoader:
    folders = [WEB / "templates"] + [ROOT / name / "templates" for name in UI_PACKAGES]
    return ChoiceLoader([FileSystemLoader(str(folder)) for folder in folders if folder.exists()])


environment = Environment(
    loader=_loader(), autoescape=select_autoescape(["html"]), enable_async=False
)


def page_language(request: Request) -> str:
    return i18n.negotiate(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE))


def render(
    request: Request,
    template: str,
    domain: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page in the visitor's language; `_` translates through the page's domain."""
    lang = page_language(request)
    values = {
        "request": request,
        "lang": lang,
        "_": i18n.translator(lang, domain),
        **(context or {}),
    }
    response = HTMLResponse(
        environment.get_template(template).render(values), status_code=status_code
    )
    if request.query_params.get("lang") in i18n.LANGUAGES:
        response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, samesite="lax")
    response.headers["Cache-Control"] = "no-store"
    return response


def mount_static(app: FastAPI, url_path: str, folder: Path) -> None:
    if folder.exists():
        app.mount(
            url_path, StaticFiles(directory=str(folder)), name=url_path.strip("/").replace("/", "-")
        )


def install(app: FastAPI) -> None:
    """Shared static files at /static/common and the index page linking every screen."""
    mount_static(app, "/static/common", WEB / "static")

    @app.get("/", include_in_schema=False)
    async def index(request: Request) -> HTMLResponse:
        return render(request, "web/index.html", "common")
