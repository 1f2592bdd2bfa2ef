"""Promises to a new user and to translators that a test keeps true."""

from __future__ import annotations

from pathlib import Path

from queue_server import i18n
from queue_server.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_every_setting_is_documented_in_code_and_readme() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"
        assert f"QUEUE_{name.upper()}" in readme, f"README does not document QUEUE_{name.upper()}"


def test_readme_opens_with_the_two_commands() -> None:
    lines = (ROOT / "README.md").read_text("utf-8").splitlines()
    opening = "\n".join(lines[:8])
    assert "make run" in opening and "make test" in opening


def test_every_russian_message_is_translated() -> None:
    assert i18n.missing_translations("ru") == {}


def test_catalogues_have_the_same_messages_in_both_languages() -> None:
    for domain in i18n.domains():
        ru = set(i18n._catalogue("ru", domain))
        en = set(i18n._catalogue("en", domain))
        assert ru == en, (
            f"{domain}: only in ru {sorted(ru - en)[:5]}, only in en {sorted(en - ru)[:5]}"
        )
