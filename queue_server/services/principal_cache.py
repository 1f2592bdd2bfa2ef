"""Who is signed in, remembered per process: an authenticated request usually costs no query.

A token is looked up once (its session and user) and then answered from memory until its session
expires. A revoked login (logout, a deactivated or changed user) must stop working on every worker
process, so revocations travel three ways:
- this process forgets it at once, after the revoking transaction commits;
- with Redis (`QUEUE_REDIS_URL`) the other processes forget it on a message of a channel of its
  own (`realtime.revocations`), published in the background: no request waits for Redis;
- in any case the revoking transaction bumps a one-row counter (`auth_epoch`), and each process
  re-reads it at most once a second, on a request, forgetting everything when it has moved. Redis
  may lose a message; the counter does not, so no process accepts a revoked login much past a second.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from queue_server.services.access import Principal

MAX_ENTRIES = 4096
CHECK_INTERVAL_SECONDS = 1.0
# Also bounds how long a user changed outside `auth.revoke_user` (by hand in the database) is
# seen as before.
MAX_AGE_SECONDS = 60.0


@dataclass(frozen=True, slots=True)
class Login:
    """A valid session: who is behind it and until when."""

    principal: Principal
    expires_at: datetime


@dataclass(frozen=True, slots=True)
class Revoked:
    """What to forget: one session (by token hash) or every session of a user."""

    token_hash: str | None = None
    user_id: int | None = None


class Revocations(Protocol):
    """How revocations reach the other processes at once (Redis), besides the epoch counter."""

    async def start(
        self, receive: Callable[[Revoked], None], reconnected: Callable[[], None]
    ) -> None: ...

    def announce(self, revoked: Revoked) -> None: ...

    async def stop(self) -> None: ...


@dataclass(frozen=True, slots=True)
class _Entry:
    login: Login
    cached_at: float


class PrincipalCache:
    """Logins by token hash, at most `max_entries` (least recently used go first)."""

    def __init__(
        self,
        revocations: Revocations | None = None,
        *,
        max_entries: int = MAX_ENTRIES,
        check_interval: float = CHECK_INTERVAL_SECONDS,
        max_age: float = MAX_AGE_SECONDS,
    ) -> None:
        self.revocations = revocations
        self.max_entries = max_entries
        self.check_interval = check_interval
        self.max_age = max_age
        # Bumped by every forgetting: a lookup that began before it must not store what it read.
        self.generation = 0
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._epoch: int | None = None
        self._checked_at = -float("inf")
        self._checking = asyncio.Lock()

    def __len__(self) -> int:
        return len(self._entries)

    async def check(self, read_epoch: Callable[[], Awaitable[int]]) -> None:
        """Forget everything if a login was revoked anywhere since the last check (once a second)."""
        if time.monotonic() - self._checked_at < self.check_interval:
            return
        async with self._checking:
            started = time.monotonic()
            if started - self._checked_at < self.check_interval:
                return  # a concurrent request has just checked
            epoch = await read_epoch()
            if self._epoch is not None and epoch != self._epoch:
                self.clear()
            self._epoch, self._checked_at = epoch, started

    def get(self, token_hash: str, now: datetime) -> Login | None:
        """The remembered login, unless its session has expired by `now`."""
        entry = self._entries.get(token_hash)
        if entry is None:
            return None
        if entry.login.expires_at <= now or time.monotonic() - entry.cached_at > self.max_age:
            del self._entries[token_hash]
            return None
        self._entries.move_to_end(token_hash)
        return entry.login

    def put(self, token_hash: str, login: Login, generation: int) -> None:
        """Remember a login read from the database while `generation` was current."""
        if generation != self.generation:
            return  # revoked while it was being read: it may be stale already
        self._entries[token_hash] = _Entry(login, time.monotonic())
        self._entries.move_to_end(token_hash)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def forget(self, revoked: Revoked) -> None:
        """Forget a session, or every session of a user, in this process."""
        self.generation += 1
        if revoked.token_hash is not None:
            self._entries.pop(revoked.token_hash, None)
        if revoked.user_id is not None:
            for token_hash, entry in list(self._entries.items()):
                if entry.login.principal.user_id == revoked.user_id:
                    del self._entries[token_hash]

    def clear(self) -> None:
        self.generation += 1
        self._entries.clear()

    def revoke(self, revoked: Revoked) -> None:
        """After the revoking commit: forget here, and tell the other processes without waiting."""
        self.forget(revoked)
        if self.revocations is not None:
            self.revocations.announce(revoked)

    async def start(self) -> None:
        if self.revocations is not None:
            # After a lost subscription messages may be missing: start afresh.
            await self.revocations.start(self.forget, self.clear)

    async def stop(self) -> None:
        if self.revocations is not None:
            await self.revocations.stop()
