"""The per-process login cache: bounded, never storing what a revocation overtook, and
`auth.revoke_user` reaching this process at once and another within its check interval."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import update

from queue_server.db.engine import Database
from queue_server.db.models import User
from queue_server.db.repositories import users as user_repo
from queue_server.services import auth
from queue_server.services.access import Principal, Role
from queue_server.services.principal_cache import Login, PrincipalCache, Revoked
from tests.support import ADMIN_LOGIN, DEFAULT_NOW, run_coroutine
from tests.support import test_settings as settings_for


def login_of(user_id: int, minutes: int = 60) -> Login:
    principal = Principal(user_id=user_id, login=f"user{user_id}", role=Role.OPERATOR, office_id=1)
    return Login(principal, DEFAULT_NOW + timedelta(minutes=minutes))


def test_the_least_recently_used_login_goes_first() -> None:
    cache = PrincipalCache(max_entries=2)
    cache.put("a", login_of(1), cache.generation)
    cache.put("b", login_of(2), cache.generation)
    assert cache.get("a", DEFAULT_NOW) is not None
    cache.put("c", login_of(3), cache.generation)
    assert len(cache) == 2
    assert cache.get("b", DEFAULT_NOW) is None
    assert cache.get("a", DEFAULT_NOW) is not None and cache.get("c", DEFAULT_NOW) is not None


def test_an_expired_session_is_not_answered() -> None:
    cache = PrincipalCache()
    cache.put("a", login_of(1, minutes=10), cache.generation)
    assert cache.get("a", DEFAULT_NOW + timedelta(minutes=9)) is not None
    assert cache.get("a", DEFAULT_NOW + timedelta(minutes=10)) is None
    assert len(cache) == 0


def test_a_lookup_overtaken_by_a_revocation_is_not_stored() -> None:
    cache = PrincipalCache()
    generation = cache.generation  # a lookup starts reading the database...
    cache.forget(Revoked(token_hash="a"))  # ...a logout commits meanwhile
    cache.put("a", login_of(1), generation)
    assert cache.get("a", DEFAULT_NOW) is None


def test_forgetting_a_user_forgets_every_session_of_theirs() -> None:
    cache = PrincipalCache()
    for token_hash, user_id in (("a", 1), ("b", 1), ("c", 2)):
        cache.put(token_hash, login_of(user_id), cache.generation)
    cache.forget(Revoked(user_id=1))
    assert [cache.get(t, DEFAULT_NOW) is not None for t in "abc"] == [False, False, True]


def test_a_moved_epoch_empties_the_cache_once_checked() -> None:
    epoch = 0

    async def read_epoch() -> int:
        return epoch

    async def scenario() -> None:
        nonlocal epoch
        cache = PrincipalCache(check_interval=0.05)
        await cache.check(read_epoch)
        cache.put("a", login_of(1), cache.generation)
        epoch += 1
        await cache.check(read_epoch)  # not due yet: remembered
        assert cache.get("a", DEFAULT_NOW) is not None
        await asyncio.sleep(0.06)
        await cache.check(read_epoch)
        assert cache.get("a", DEFAULT_NOW) is None

    run_coroutine(scenario())


def test_revoke_user_reaches_this_process_at_once_and_another_within_its_interval(
    database_url: str,
) -> None:
    settings = settings_for(database_url)

    async def scenario() -> None:
        database = Database(database_url)
        # Two processes: this one never re-reads the epoch in the test, the other every 0.2 s.
        here, there = PrincipalCache(check_interval=3600), PrincipalCache(check_interval=0.2)
        try:
            async with database.unit_of_work() as uow:
                user = await user_repo.by_login(uow.session, ADMIN_LOGIN)
                assert user is not None
                token, _csrf = await auth.open_session(uow, settings, user, "bearer", DEFAULT_NOW)

            async def resolve(cache: PrincipalCache) -> Principal | None:
                return await auth.resolve_token(
                    database, cache, settings, token, False, DEFAULT_NOW
                )

            remembered = await resolve(here)
            assert remembered is not None and remembered == await resolve(there)
            async with database.unit_of_work() as uow:
                deactivate = update(User).where(User.id == user.id).values(active=False)
                await uow.session.execute(deactivate)
                await auth.revoke_user(uow, here, user.id)
            assert await resolve(here) is None
            assert await resolve(there) is not None  # remembered until it looks again
            await asyncio.sleep(0.25)
            assert await resolve(there) is None
        finally:
            await database.dispose()

    run_coroutine(scenario())
