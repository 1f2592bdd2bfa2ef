"""The migrations make exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import create_async_engine

from queue_server.db.engine import async_database_url
from queue_server.db.models import Base
from queue_server.migrate import alembic_config, upgrade
from tests.support import IN_CI, PG_ADMIN_URL, outside_event_loop, port_open, run_coroutine


def _run_sync(database_url: str, work: Any) -> Any:
    """Run `work(sync_connection)` on the database through the async driver the server uses."""

    async def run() -> Any:
        engine = create_async_engine(async_database_url(database_url))
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(work)
        finally:
            await engine.dispose()

    return run_coroutine(run())


def schema_diff(database_url: str) -> list[Any]:
    """What alembic autogenerate would still have to do to reach the models: nothing, we hope."""

    def compare(connection: Any) -> list[Any]:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "target_metadata": Base.metadata}
        )
        return list(compare_metadata(context, Base.metadata))

    result: list[Any] = _run_sync(database_url, compare)
    return result


def applied_revisions(database_url: str) -> set[str]:
    def heads(connection: Any) -> set[str]:
        return set(MigrationContext.configure(connection).get_current_heads())

    result: set[str] = _run_sync(database_url, heads)
    return result


def schema_snapshot(database_url: str) -> dict[str, Any]:
    """Tables with their columns, indexes and unique constraints, to see a rerun changes nothing."""

    def snapshot(connection: Any) -> dict[str, Any]:
        inspector = inspect(connection)
        return {
            table: (
                [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)],
                sorted(str(sorted(i.items())) for i in inspector.get_indexes(table)),
                sorted(str(sorted(u.items())) for u in inspector.get_unique_constraints(table)),
            )
            for table in sorted(inspector.get_table_names())
        }

    result: dict[str, Any] = _run_sync(database_url, snapshot)
    return result


def _pg_admin(statement: str) -> None:
    import asyncpg

    async def run() -> None:
        connection = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await connection.execute(statement)
        finally:
            await connection.close()

    run_coroutine(run())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    if not port_open("127.0.0.1", 5432):
        if IN_CI:
            pytest.fail("CI=true but PostgreSQL is not reachable on 127.0.0.1:5432")
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432 (CI=true makes this a failure)")
    name = f"qt_migrations_{uuid.uuid4().hex[:8]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    base, _, _ = PG_ADMIN_URL.rpartition("/")
    try:
        yield f"{base}/{name}"
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migrations_make_exactly_the_models_schema(empty_database: str) -> None:
    outside_event_loop(lambda: upgrade(empty_database))
    assert schema_diff(empty_database) == []
    script = ScriptDirectory.from_config(alembic_config(empty_database))
    assert applied_revisions(empty_database) == set(script.get_heads())


def test_upgrade_heads_is_idempotent(empty_database: str) -> None:
    config = alembic_config(empty_database)
    outside_event_loop(lambda: command.upgrade(config, "heads"))
    before = schema_snapshot(empty_database)
    outside_event_loop(lambda: command.upgrade(config, "heads"))
    outside_event_loop(lambda: upgrade(empty_database))
    assert schema_snapshot(empty_database) == before
    assert schema_diff(empty_database) == []


def test_downgrade_to_nothing_and_up_again(empty_database: str) -> None:
    config = alembic_config(empty_database)
    outside_event_loop(lambda: upgrade(empty_database))
    outside_event_loop(lambda: command.downgrade(config, "base"))
    assert set(schema_snapshot(empty_database)) <= {"alembic_version"}
    outside_event_loop(lambda: upgrade(empty_database))
    assert schema_diff(empty_database) == []


def test_every_revision_descends_from_the_initial_one() -> None:
    """New migrations branch from 0001 with unique ids; `upgrade` applies all heads."""
    script = ScriptDirectory.from_config(alembic_config("sqlite:///unused.sqlite3"))
    revisions = list(script.walk_revisions())
    ids = [revision.revision for revision in revisions]
    assert len(ids) == len(set(ids))
    bases = [revision.revision for revision in revisions if revision.down_revision is None]
    assert bases == ["0001"]
