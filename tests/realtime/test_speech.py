"""What the display says, and the offline voice the server synthesises when a browser has none."""

from __future__ import annotations

import shutil

import pytest

from queue_server.realtime import speech
from tests.support import IN_CI, Api


@pytest.mark.parametrize(
    ("number", "window", "lang", "phrase"),
    [
        ("A015", 3, "ru", "Талон А ноль пятнадцать, окно три"),
        ("B001", 12, "ru", "Талон бэ ноль ноль один, окно двенадцать"),
        ("P120", 21, "ru", "Талон пэ сто двадцать, окно двадцать один"),
        ("Д1000", 2, "ru", "Талон дэ одна тысяча, окно два"),
        ("A015", 3, "en", "Ticket A zero fifteen, window three"),
        ("C999", 40, "en", "Ticket C nine hundred ninety-nine, window forty"),
    ],
)
def test_call_phrases(number: str, window: int, lang: str, phrase: str) -> None:
    assert speech.call_phrase(number, window, lang) == phrase


def test_numbers_in_russian_words() -> None:
    assert speech.russian_number(0) == "ноль"
    assert speech.russian_number(11) == "одиннадцать"
    assert speech.russian_number(2042) == "две тысячи сорок два"
    assert speech.russian_number(5000) == "пять тысяч"
    assert speech.russian_number(21_001) == "двадцать одна тысяча один"


def test_the_server_speaks_a_call_offline_and_caches_it(sqlite_admin: Api) -> None:
    if shutil.which("espeak-ng") is None:
        if IN_CI:
            pytest.fail("CI=true but espeak-ng is not installed (make test installs it)")
        pytest.skip("espeak-ng is not installed")
    path = "/display/speech?lang=ru&number=A015&window=3"
    first = sqlite_admin.get(path)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "audio/wav"
    assert first.content[:4] == b"RIFF" and len(first.content) > 10_000
    assert sqlite_admin.get(path).content == first.content
    for bad in ("number=DROP;--&window=3", "number=A015&window=-1", "number=A015&window=3&lang=de"):
        refused = sqlite_admin.get(f"/display/speech?{bad}")
        assert refused.status_code == 422
