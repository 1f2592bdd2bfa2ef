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
