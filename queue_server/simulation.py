"""`queue-server simulate`: replays a day in virtual time (see shared/SCENARIO.md)."""

from __future__ import annotations


def main(scenario_path: str, out_path: str | None) -> int:
    """Not built yet: the estimates issue brings it."""
    raise SystemExit("simulate is not available yet")
