"""Ticket numbers as people read them."""

from __future__ import annotations

import pytest

from queue_server.core.numbering import format_number, is_valid_prefix


@pytest.mark.parametrize(
    ("prefix", "sequence", "number"),
    [
        ("A", 1, "A001"),
        ("A", 15, "A015"),
        ("B", 999, "B999"),
        ("B", 1000, "B1000"),
        ("ZZ", 12345, "ZZ12345"),
        ("ABC", 7, "ABC007"),
    ],
)
def test_prefix_and_at_least_three_digits(prefix: str, sequence: int, number: str) -> None:
    assert format_number(prefix, sequence) == number


@pytest.mark.parametrize("sequence", [0, -1])
def test_sequences_start_at_one(sequence: int) -> None:
    with pytest.raises(ValueError, match="starts at 1"):
        format_number("A", sequence)


def test_numbers_of_one_prefix_never_collide() -> None:
    numbers = {format_number("A", n) for n in range(1, 5001)}
    assert len(numbers) == 5000


@pytest.mark.parametrize("prefix", ["A", "AB", "ABC", "Z"])
def test_valid_prefixes(prefix: str) -> None:
    assert is_valid_prefix(prefix)


@pytest.mark.parametrize("prefix", ["", "a", "ABCD", "A1", "A ", " A", "A\n", "A\x00"])
def test_invalid_prefixes(prefix: str) -> None:
    assert not is_valid_prefix(prefix)
