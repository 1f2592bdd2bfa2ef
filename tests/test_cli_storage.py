"""Starting on a database that cannot be written: one line that says what is wrong and what to do,
a non-zero exit, no traceback (`serve`, `demo` and `migrate` alike)."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.concurrency.server_process import QUEUE_SERVER, server_env
from tests.support import PG_ADMIN_URL, PostgresTemplates, SqliteTemplates, free_port

COMMANDS = {
    "serve": ["serve", "--port", "0"],
    "demo": ["demo", "--port", "0"],
    "migrate": ["migrate"],
}


def as_ordinary_user(command: Sequence[str]) -> list[str]:
    """Root writes whatever the permissions say; without the capabilities that let it (what an
    ordinary account lacks) it meets read-only files as the server's own account would."""
    if os.geteuid() != 0:
        return list(command)
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--", *command]


def start(database_url: str, command: str = "serve") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        as_ordinary_user([str(QUEUE_SERVER), *COMMANDS[command]]),
        env=server_env(database_url),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def refused(result: subprocess.CompletedProcess[str]) -> str:
    """The one line the command printed before it exited non-zero."""
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.fixture
def database_file(sqlite_templates: SqliteTemplates, tmp_path: Path) -> Path:
    directory = tmp_path / "var"
    directory.mkdir()
    return Path(str(make_url(sqlite_templates.fresh(directory)).database))


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_read_only_database_file_is_one_line(database_file: Path, command: str) -> None:
    database_file.chmod(0o444)
    line = refused(start(f"sqlite:///{database_file}", command))
    assert str(database_file) in line and "read-only" in line and "writable" in line, line


def test_a_read_only_directory_is_one_line(database_file: Path) -> None:
    database_file.parent.chmod(0o555)  # SQLite cannot create its -wal and -shm files there
    try:
        line = refused(start(f"sqlite:///{database_file}"))
    finally:
        database_file.parent.chmod(0o755)
    assert str(database_file.parent) in line and "writable" in line, line


@contextlib.contextmanager
def small_disk(where: Path) -> Iterator[Path]:
    """A real 1 MiB file system (tmpfs), mounted at `where` for the test."""
    where.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(where)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small file system here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", str(where)], check=True)


def test_a_full_disk_is_one_line(database_file: Path, tmp_path: Path) -> None:
    with small_disk(tmp_path / "disk") as disk:
        moved = disk / database_file.name
        moved.write_bytes(database_file.read_bytes())
        with (disk / "filler").open("wb", buffering=0) as filler, contextlib.suppress(OSError):
            while True:  # until the disk is full
                filler.write(b"\0" * 4096)
        assert os.statvfs(disk).f_bavail == 0
        line = refused(start(f"sqlite:///{moved}"))
    assert "full" in line and "free some space" in line, line


def test_an_unreachable_postgresql_is_one_line() -> None:
    port = free_port()  # nothing listens there
    line = refused(start(f"postgresql://postgres@127.0.0.1:{port}/test"))
    assert f"cannot reach PostgreSQL at 127.0.0.1:{port}/test" in line, line
    assert "start it, or fix QUEUE_DATABASE_URL" in line, line


@pytest.mark.postgres
def test_a_read_only_postgresql_is_one_line(postgres_templates: PostgresTemplates) -> None:
    import asyncio

    import asyncpg

    url = postgres_templates.fresh()
    name = make_url(url).database

    async def read_only() -> None:
        connection = await asyncpg.connect(PG_ADMIN_URL)
        try:
            await connection.execute(
                f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'
            )
        finally:
            await connection.close()

    asyncio.run(read_only())
    line = refused(start(url))
    assert "takes only reads" in line and "QUEUE_DATABASE_URL" in line, line
