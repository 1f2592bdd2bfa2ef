"""Every text of the administration pages and their scripts is in the admin catalogue, in both
languages; the pages are Russian by default and English on request."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from admin_pages.routes import DOMAIN, SCRIPT_TEXTS, SECTIONS
from queue_server import i18n
from tests.support import LiveServer

TEMPLATES = Path(__file__).resolve().parents[2] / "admin_pages/templates/admin"


def test_every_admin_text_has_a_russian_and_an_english_entry() -> None:
    in_templates = {
        match[1]
        for template in TEMPLATES.glob("*.html")
        for match in re.findall(r"""_\(\s*(["'])(.+?)\1\s*\)""", template.read_text("utf-8"))
    }
    wanted = in_templates | set(SCRIPT_TEXTS.values()) | {section.title for section in SECTIONS}
    for lang in i18n.LANGUAGES:
        catalogue = i18n._catalogue(lang, DOMAIN)
        assert sorted(wanted - set(catalogue)) == [], lang


def test_script_texts_keep_their_placeholders_in_russian() -> None:
    russian = i18n.translate_all(SCRIPT_TEXTS, "ru", DOMAIN)
    for key, english in SCRIPT_TEXTS.items():
        assert sorted(re.findall(r"{\w+}", russian[key])) == sorted(re.findall(r"{\w+}", english))


def test_each_section_is_russian_by_default_and_english_on_request(
    sqlite_server: LiveServer,
) -> None:
    with httpx.Client(base_url=sqlite_server.url, timeout=30) as client:
        home = client.get("/admin?office=3")
        assert home.status_code == 303 and home.headers["location"] == "/admin/topics?office=3"
        for section in SECTIONS:
            page = client.get(f"/admin/{section.slug}")
            assert page.status_code == 200 and 'lang="ru"' in page.text
            assert "Вход в администрирование" in page.text
            assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
            english = client.get(f"/admin/{section.slug}?lang=en")
            assert "Sign in to the administration" in english.text and 'lang="en"' in english.text
            client.cookies.clear()  # the language chosen is remembered
        assert client.get("/admin/nothing").status_code == 404
        for script in ("admin.js", "common.js", "forms.js", "sections/topics.js"):
            assert client.get(f"/static/admin/{script}").status_code == 200
        for module in ("http.js", "dom.js", "i18n.js", "format.js"):
            assert client.get(f"/static/common/{module}").status_code == 200
