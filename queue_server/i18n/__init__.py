"""One translation mechanism for every page: gettext catalogues (.po) per domain, ru and en.

Each UI keeps its own domain (kiosk, display, console, dashboard, common) so teams do not edit one
file; all are read the same way. Message ids are English; Russian is the default language.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from babel.messages.pofile import read_po

LANGUAGES = ("ru", "en")
DEFAULT_LANGUAGE = "ru"
LOCALES = Path(__file__).resolve().parent / "locales"


class Translate(Protocol):
    def __call__(self, message: str, **values: object) -> str: ...


@lru_cache(maxsize=32)
def _catalogue(lang: str, domain: str) -> dict[str, str]:
    path = LOCALES / lang / "LC_MESSAGES" / f"{domain}.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    return {
        str(message.id): str(message.string)
        for message in catalog
        if message.id and message.string and not message.fuzzy
    }


def domains() -> list[str]:
    return sorted(path.stem for path in (LOCALES / DEFAULT_LANGUAGE / "LC_MESSAGES").glob("*.po"))


def negotiate(requested: str | None, cookie: str | None = None) -> str:
    """?lang= wins, then the remembered choice, then Russian."""
    for candidate in (requested, cookie):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT_LANGUAGE


def translator(lang: str, *domain_names: str) -> Translate:
    """A `_` function for one language over the given domains (plus `common`)."""
    lookups = [_catalogue(lang, name) for name in (*domain_names, "common")]

    def translate(message: str, **values: object) -> str:
        text = next((found[message] for found in lookups if message in found), message)
        return text.format(**values) if values else text

    return translate


def translate_all(messages: Mapping[str, str], lang: str, domain: str) -> dict[str, str]:
    """A page script's texts (key -> English message id) in `lang`."""
    translate = translator(lang, domain)
    return {key: translate(message) for key, message in messages.items()}


def in_every_language(messages: Mapping[str, str], domain: str) -> dict[str, dict[str, str]]:
    """A page script's texts in every language, for pages that switch without a round trip."""
    return {lang: translate_all(messages, lang, domain) for lang in LANGUAGES}


def missing_translations(lang: str) -> dict[str, list[str]]:
    """Message ids without a translation, per domain (a test keeps this empty for Russian)."""
    result: dict[str, list[str]] = {}
    for name in domains():
        path = LOCALES / lang / "LC_MESSAGES" / f"{name}.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        missing = [str(m.id) for m in catalog if m.id and not m.string]
        if missing:
            result[name] = missing
    return result
