"""What the hall display says when it calls a ticket, and offline speech synthesis (espeak-ng).

Phrases are built here once, for the display's browser voice and for the server's audio alike:
"Талон А ноль пятнадцать, окно три". Numbers are spoken as words (leading zeros as "ноль", as
on the ticket), prefix letters by their names, so "B" is heard as "бэ", not as a bare consonant.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import shutil
from pathlib import Path

NUMBER_PATTERN = re.compile(r"^([A-Za-zА-ЯЁа-яё]{0,3})(\d{1,6})$")
ESPEAK_TIMEOUT_SECONDS = 15
VOICES = {"ru": "ru", "en": "en-gb"}

RU_UNITS = ["ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять"]
RU_TEENS = [
    "десять", "одиннадцать", "двенадцать", "тринадцать", "четырнадцать",
    "пятнадцать", "шестнадцать", "семнадцать", "восемнадцать", "девятнадцать",
]  # fmt: skip
RU_TENS = [
    "", "", "двадцать", "тридцать", "сорок",
    "пятьдесят", "шестьдесят", "семьдесят", "восемьдесят", "девяносто",
]  # fmt: skip
RU_HUNDREDS = [
    "", "сто", "двести", "триста", "четыреста",
    "пятьсот", "шестьсот", "семьсот", "восемьсот", "девятьсот",
]  # fmt: skip
EN_UNITS = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
    "eighteen", "nineteen",
]  # fmt: skip
EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]

# How Russians name the letters of a ticket prefix, Latin (as printed) and Cyrillic.
RU_LETTER_NAMES = {
    "A": "А", "B": "бэ", "C": "цэ", "D": "дэ", "E": "е", "F": "эф", "G": "гэ", "H": "аш",
    "I": "и", "J": "жи", "K": "ка", "L": "эль", "M": "эм", "N": "эн", "O": "о", "P": "пэ",
    "Q": "ку", "R": "эр", "S": "эс", "T": "тэ", "U": "у", "V": "вэ", "W": "дубль-вэ",
    "X": "икс", "Y": "игрек", "Z": "зэт",
    "А": "А", "Б": "бэ", "В": "вэ", "Г": "гэ", "Д": "дэ", "Е": "е", "Ё": "ё", "Ж": "жэ",
    "З": "зэ", "И": "и", "Й": "и краткое", "К": "ка", "Л": "эль", "М": "эм", "Н": "эн",
    "О": "о", "П": "пэ", "Р": "эр", "С": "эс", "Т": "тэ", "У": "у", "Ф": "эф", "Х": "ха",
    "Ц": "цэ", "Ч": "че", "Ш": "ша", "Щ": "ща", "Э": "э", "Ю": "ю", "Я": "я",
}  # fmt: skip


def _ru_below_thousand(value: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(value, 100)
    if hundreds:
        words.append(RU_HUNDREDS[hundreds])
    if 10 <= rest < 20:
        words.append(RU_TEENS[rest - 10])
    else:
        tens, units = divmod(rest, 10)
        if tens:
            words.append(RU_TENS[tens])
        if units:
            words.append(RU_UNITS[units])
    return words


def _ru_thousands(count: int) -> list[str]:
    """'одна тысяча', 'две тысячи', 'пять тысяч': thousand is feminine and agrees in number."""
    words = _ru_below_thousand(count)
    if words and words[-1] == "один":
        words[-1] = "одна"
    elif words and words[-1] == "два":
        words[-1] = "две"
    last_two, last = count % 100, count % 10
    if last == 1 and last_two != 11:
        noun = "тысяча"
    elif 2 <= last <= 4 and not 12 <= last_two <= 14:
        noun = "тысячи"
    else:
        noun = "тысяч"
    return [*words, noun]


def russian_number(value: int) -> str:
    """A cardinal number below a million in Russian words: 15 -> 'пятнадцать'."""
    if not 0 <= value < 1_000_000:
        raise ValueError("only numbers below a million are spoken")
    if value == 0:
        return RU_UNITS[0]
    thousands, rest = divmod(value, 1000)
    words = _ru_thousands(thousands) if thousands else []
    return " ".join([*words, *_ru_below_thousand(rest)])


def _en_below_thousand(value: int) -> list[str]:
    words: list[str] = []
    hundreds, rest = divmod(value, 100)
    if hundreds:
        words += [EN_UNITS[hundreds], "hundred"]
    if rest >= 20:
        tens, units = divmod(rest, 10)
        words.append(EN_TENS[tens] + (f"-{EN_UNITS[units]}" if units else ""))
    elif rest:
        words.append(EN_UNITS[rest])
    return words


def english_number(value: int) -> str:
    """A cardinal number below a million in English words: 15 -> 'fifteen'."""
    if not 0 <= value < 1_000_000:
        raise ValueError("only numbers below a million are spoken")
    if value == 0:
        return EN_UNITS[0]
    thousands, rest = divmod(value, 1000)
    words = [*_en_below_thousand(thousands), "thousand"] if thousands else []
    return " ".join([*words, *_en_below_thousand(rest)])


def _digits(digits: str, lang: str) -> str:
    """'015' -> 'ноль пятнадцать': the zeros printed on the ticket are read out too."""
    zero, spell = ("ноль", russian_number) if lang == "ru" else ("zero", english_number)
    significant = digits.lstrip("0")
    words = [zero] * (len(digits) - len(significant))
    if significant:
        words.append(spell(int(significant)))
    return " ".join(words)


def parse_number(number: str) -> tuple[str, str] | None:
    """('A', '015') for 'A015'; None for anything that is not a ticket number."""
    match = NUMBER_PATTERN.match(number.strip())
    return (match.group(1), match.group(2)) if match else None


def call_phrase(number: str, window: int, lang: str) -> str:
    """'Талон А ноль пятнадцать, окно три' / 'Ticket A zero fifteen, window three'."""
    parsed = parse_number(number)
    if parsed is None:
        raise ValueError(f"not a ticket number: {number!r}")
    prefix, digits = parsed
    if lang == "ru":
        letters = " ".join(RU_LETTER_NAMES.get(letter.upper(), letter) for letter in prefix)
        spoken = " ".join(part for part in (letters, _digits(digits, "ru")) if part)
        return f"Талон {spoken}, окно {russian_number(window)}"
    letters = " ".join(prefix.upper())
    spoken = " ".join(part for part in (letters, _digits(digits, "en")) if part)
    return f"Ticket {spoken}, window {english_number(window)}"


def _mark_used(path: Path) -> bool:
    """Note a cached WAV as just played (its mtime); False when it is not in the cache."""
    try:
        os.utime(path)
    except FileNotFoundError:
        return False
    return True


def announcements(number: str, window: int) -> dict[str, str]:
    """The phrase in every display language."""
    return {lang: call_phrase(number, window, lang) for lang in VOICES}


class SpeechUnavailable(Exception):
    """No offline speech engine is installed; displays fall back to the chime."""


class Synthesiser:
    """espeak-ng run locally (never an online service), one WAV file per phrase, cached on disk.

    The route is public and every ticket number and window is a phrase of its own, so the cache
    is bounded by entries and by bytes and drops the least recently played first. A file's mtime
    is its last use: the order then holds across restarts and across workers sharing the folder.
    """

    def __init__(
        self,
        cache_dir: Path,
        engine: str | None = None,
        *,
        max_entries: int,
        max_bytes: int,
    ) -> None:
        self.cache_dir = cache_dir
        self.engine = engine if engine is not None else shutil.which("espeak-ng")
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self._locks: dict[str, asyncio.Lock] = {}

    @property
    def available(self) -> bool:
        return bool(self.engine)

    def path_for(self, text: str, lang: str) -> Path:
        key = hashlib.sha256(f"{VOICES[lang]}\n{text}".encode()).hexdigest()[:32]
        return self.cache_dir / f"{lang}-{key}.wav"

    async def wav(self, text: str, lang: str) -> Path:
        """The cached WAV of `text`, synthesised on first use; concurrent requests wait for one run."""
        if not self.engine:
            raise SpeechUnavailable("espeak-ng is not installed")
        target = self.path_for(text, lang)
        if _mark_used(target):
            return target
        lock = self._locks.setdefault(target.name, asyncio.Lock())
        async with lock:
            if not _mark_used(target):
                await self._synthesise(text, lang, target)
                await asyncio.to_thread(self._evict, target)
        self._locks.pop(target.name, None)
        return target

    def _evict(self, keep: Path) -> None:
        """Delete the least recently used WAVs beyond either bound; never `keep`, just made."""
        entries: list[tuple[float, int, Path]] = []
        for path in self.cache_dir.glob("*.wav"):
            with contextlib.suppress(FileNotFoundError):  # another worker evicted it
                stat = path.stat()
                entries.append((stat.st_mtime, stat.st_size, path))
        entries.sort(key=lambda entry: (entry[2] != keep, -entry[0]))  # `keep`, then newest
        count, total = 0, 0
        for _used, size, path in entries:
            count, total = count + 1, total + size
            if path != keep and (count > self.max_entries or total > self.max_bytes):
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()

    async def _synthesise(self, text: str, lang: str, target: Path) -> None:
        assert self.engine is not None
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        process = await asyncio.create_subprocess_exec(
            self.engine, "-v", VOICES[lang], "-s", "135", "-w", str(partial), text,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            _out, error = await asyncio.wait_for(process.communicate(), ESPEAK_TIMEOUT_SECONDS)
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise SpeechUnavailable("espeak-ng did not finish in time") from None
        if process.returncode != 0 or not partial.exists():
            raise SpeechUnavailable(f"espeak-ng failed: {error.decode(errors='replace')[:200]}")
        partial.replace(target)  # atomic: a reader never sees half a file
