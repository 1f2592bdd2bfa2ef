"""Sign-in throttling, shared by every worker process through the database.

Each attempt claims one count on three keys before its password is checked: the login from this
client address (a low cap: a guesser there is stopped soon, and nobody elsewhere is locked out),
the login alone (a higher cap: guessing spread over many addresses still ends) and the address
alone (one client trying many logins). The claim commits at once, so attempts under way count
and no burst, on however many workers, gets more checks than the caps allow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from queue_server.db.engine import Database, UnitOfWork
from queue_server.db.repositories import login_throttles
from queue_server.errors import TooManyAttempts
from queue_server.settings import Settings

KEY_PART_LENGTH = 100


@dataclass(frozen=True, slots=True)
class AttemptKeys:
    """The counters one sign-in attempt claims, in the order every attempt takes their locks."""

    login_from_client: str
    login: str
    client: str

    @classmethod
    def of(cls, login: str, client: str) -> AttemptKeys:
        login, client = login[:KEY_PART_LENGTH], client[:KEY_PART_LENGTH]
        return cls(f"login+client:{login}\n{client}", f"login:{login}", f"client:{client}")

    def limits(self, settings: Settings) -> list[tuple[str, int]]:
        return [
            (self.login_from_client, settings.login_max_failures),
            (self.login, settings.login_max_failures_per_login),
            (self.client, settings.login_max_failures_per_client),
        ]


async def claim_attempt(
    database: Database, settings: Settings, keys: AttemptKeys, now: datetime
) -> None:
    """Count this attempt on every key and commit, or raise 429 (counting nothing) when one of
    them has reached its cap; its detail and Retry-After say when that cap's window ends."""
    window_end = now + timedelta(seconds=settings.login_throttle_window_seconds)
    async with database.unit_of_work() as uow:
        for key, limit in keys.limits(settings):
            if not await login_throttles.claim(
                uow.session, uow.dialect, key, limit, now, window_end
            ):
                # Raising rolls back the keys claimed before this one.
                raise too_many_attempts(await login_throttles.window_end(uow.session, key), now)


async def succeeded(uow: UnitOfWork, keys: AttemptKeys, now: datetime) -> None:
    """The right password: forget this client's failures for the login, and give back the
    claim on the others (it was no failure); counters whose window ended go too."""
    await login_throttles.forget(uow.session, [keys.login_from_client])
    await login_throttles.give_back(uow.session, [keys.login, keys.client])
    await login_throttles.delete_ended(uow.session, now)


def too_many_attempts(window_end: datetime | None, now: datetime) -> TooManyAttempts:
    seconds = max(1, math.ceil(((window_end or now) - now).total_seconds()))
    return TooManyAttempts(
        "Too many failed sign-ins; wait {minutes} minutes and try again.",
        minutes=max(1, math.ceil(seconds / 60)),
    ).retry_after(seconds)
