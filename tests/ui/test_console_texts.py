"""Every text of the console page and its script is in the console catalogue, in both languages."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from operator_console.routes import DOMAIN, SCRIPT_TEXTS
from queue_server import i18n
from tests.support import LiveServer

TEMPLATE = (
    Path(__file__).resolve().parents[2] / "operator_console/templates/console/console.html"
).read_text("utf-8")


def test_every_console_text_has_a_russian_and_an_english_entry() -> None:
    in_template = set(re.findall(r"""_\(\s*["']([^"']+)["']\s*\)""", TEMPLATE))
    wanted = in_template | set(SCRIPT_TEXTS.values())
    for lang in i18n.LANGUAGES:
        catalogue = i18n._catalogue(lang, "console")
        assert sorted(wanted - set(catalogue)) == [], lang


def test_script_texts_keep_their_placeholders_in_russian() -> None:
    russian = i18n.translate_all(SCRIPT_TEXTS, "ru", DOMAIN)
    for key, english in SCRIPT_TEXTS.items():
        assert re.findall(r"{\w+}", russian[key]) == re.findall(r"{\w+}", english), key


def test_the_page_is_russian_by_default_and_english_on_request(sqlite_server: LiveServer) -> None:
    page = httpx.get(f"{sqlite_server.url}/console", timeout=30)
    assert page.status_code == 200
    assert "Вызвать следующего" in page.text and 'lang="ru"' in page.text
    english = httpx.get(f"{sqlite_server.url}/console?lang=en", timeout=30)
    assert "Call next" in english.text and 'lang="en"' in english.text
    script = httpx.get(f"{sqlite_server.url}/static/console/console.js", timeout=30)
    assert script.status_code == 200
