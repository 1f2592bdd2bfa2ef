"""What the display says, and the offline voice the server synthesises when a browser has none."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from queue_server.clock import FrozenClock
from queue_server.realtime import speech
from tests.support import DEFAULT_NOW, IN_CI, Api, running_server
from tests.support import test_settings as settings_for


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


def needs_espeak() -> None:
    if shutil.which("espeak-ng") is None:
        if IN_CI:
            pytest.fail("CI=true but espeak-ng is not installed (make test installs it)")
        pytest.skip("espeak-ng is not installed")


@contextmanager
def speaking_server(sqlite_url: str, cache: Path, **bounds: int) -> Iterator[httpx.Client]:
    settings = settings_for(sqlite_url, speech_cache_dir=str(cache), **bounds)
    with (
        running_server(settings, FrozenClock(DEFAULT_NOW)) as server,
        httpx.Client(base_url=server.url, timeout=30) as client,
    ):
        yield client


def speak(client: httpx.Client, number: str) -> bytes:
    response = client.get(f"/display/speech?lang=ru&number={number}&window=3")
    assert response.status_code == 200, response.text
    assert response.content[:4] == b"RIFF"
    return response.content


def test_distinct_calls_keep_the_speech_cache_within_its_entry_bound(
    sqlite_url: str, tmp_path: Path
) -> None:
    needs_espeak()
    cache = tmp_path / "speech"
    with speaking_server(sqlite_url, cache, speech_cache_max_entries=2) as client:
        for number in range(1, 5):
            speak(client, f"A{number:03d}")
            assert len(list(cache.glob("*.wav"))) <= 2
    assert len(list(cache.glob("*.wav"))) == 2


def test_distinct_calls_keep_the_speech_cache_within_its_byte_bound(
    sqlite_url: str, tmp_path: Path
) -> None:
    needs_espeak()
    cache = tmp_path / "speech"
    limit = 300_000  # room for about two calls of 100-150 KB
    with speaking_server(sqlite_url, cache, speech_cache_max_bytes=limit) as client:
        for number in range(1, 6):
            speak(client, f"B{number:03d}")
            assert sum(path.stat().st_size for path in cache.glob("*.wav")) <= limit
    assert 1 <= len(list(cache.glob("*.wav"))) < 5


def test_a_call_played_again_stays_cached_and_the_least_recent_goes(
    sqlite_url: str, tmp_path: Path
) -> None:
    needs_espeak()
    cache = tmp_path / "speech"
    with speaking_server(sqlite_url, cache, speech_cache_max_entries=3) as client:
        first = speak(client, "A015")
        cached = next(cache.glob("*.wav"))
        made = cached.stat().st_ino
        speak(client, "A016")
        for number in range(17, 20):
            assert speak(client, "A015") == first  # a call repeated while others come in
            speak(client, f"A{number:03d}")
        assert cached.stat().st_ino == made  # served from the cache, never made again
        names = {path.name for path in cache.glob("*.wav")}
    synthesiser = speech.Synthesiser(cache, max_entries=3, max_bytes=10**9)
    phrase = speech.call_phrase
    assert synthesiser.path_for(phrase("A016", 3, "ru"), "ru").name not in names
    assert names == {
        synthesiser.path_for(phrase(number, 3, "ru"), "ru").name
        for number in ("A015", "A018", "A019")
    }
