"""Ticket numbers as people read them: prefix + at least three digits."""

from __future__ import annotations

import re

PREFIX_PATTERN = re.compile(r"[A-Z]{1,3}")


def format_number(prefix: str, sequence: int) -> str:
    """A015 for the 15th ticket of prefix A; after 999 the number grows to four digits."""
    if sequence < 1:
        raise ValueError("ticket sequence starts at 1")
    return f"{prefix}{sequence:03d}"


def is_valid_prefix(prefix: str) -> bool:
    """One to three Latin capitals: readable on every printer and easy to say aloud."""
    return bool(PREFIX_PATTERN.fullmatch(prefix))  # `$` would let "A\n" through


def first_of_day(highest_live: int | None) -> int:
    """The first sequence of a new service day for one office and prefix.

    Numbers restart at 1 each day, except that a number still live (waiting, called or being
    served: on a screen or in a hand) from an earlier day is never given again: an office open
    round the clock carries its queue over midnight. The new day then counts on from the highest
    such number, so no later number of the day can meet one either (nothing becomes live with an
    earlier day's number again); as soon as none is left, the next day starts at 1.
    """
    return 1 if highest_live is None else highest_live + 1
