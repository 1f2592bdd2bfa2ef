"""The `queue-server` command as an administrator runs it: migrate, seed, create-user, serve."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from argon2 import PasswordHasher

from queue_server.core.numbering import is_valid_prefix
from tests.concurrency import server_process
from tests.concurrency.server_process import QUEUE_SERVER
from tests.support import free_port, login_token

DAILY = [["08:00", "19:00"]]
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CENTRES = "SELECT id, name, address, timezone, hours FROM offices WHERE name LIKE 'ЦОК%'"


def cli(
    database_url: str, *args: str, stdin: str = "", **env: str
) -> subprocess.CompletedProcess[str]:
    """Run `queue-server ARGS` with a clean QUEUE_ environment; never hangs on a prompt."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("QUEUE_")}
    environment.update(
        QUEUE_DATABASE_URL=database_url,
        QUEUE_ARGON2_TIME_COST="1",
        QUEUE_ARGON2_MEMORY_COST="8192",
        **env,
    )
    return subprocess.run(
        [str(QUEUE_SERVER), *args],
        input=stdin,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture
def empty_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'var' / 'queue.sqlite3'}"


@pytest.fixture
def migrated_url(empty_url: str) -> str:
    ok(cli(empty_url, "migrate"))
    return empty_url


def rows(database_url: str, sql: str, **params: Any) -> list[Any]:
    return server_process.query(database_url, sql, **params)


def test_migrate_creates_the_schema_and_can_run_again(empty_url: str) -> None:
    output = ok(cli(empty_url, "migrate"))
    assert "newest schema" in output
    tables = {
        row[0] for row in rows(empty_url, "SELECT name FROM sqlite_master WHERE type='table'")
    }
    assert {
        "offices",
        "topics",
        "windows",
        "users",
        "tickets",
        "events",
        "alembic_version",
    } <= tables
    ok(cli(empty_url, "migrate"))
    assert rows(empty_url, "SELECT count(*) FROM alembic_version")[0][0] >= 1


def _catalogue_counts(url: str) -> tuple[int, int, int]:
    return (
        rows(url, "SELECT count(*) FROM offices")[0][0],
        rows(url, "SELECT count(*) FROM windows")[0][0],
        rows(url, "SELECT count(*) FROM topics")[0][0],
    )


def test_seed_loads_the_catalogue_once(migrated_url: str) -> None:
    first = ok(cli(migrated_url, "seed"))
    assert "3 offices, 12 windows, 34 topics added" in first
    counts = _catalogue_counts(migrated_url)
    second = ok(cli(migrated_url, "seed"))
    assert "0 offices, 0 windows, 0 topics added" in second
    assert _catalogue_counts(migrated_url) == counts == (3, 12, 34)


def test_seed_gives_both_lipetsk_offices_their_hours(migrated_url: str) -> None:
    import json

    ok(cli(migrated_url, "seed"))
    offices = rows(migrated_url, CENTRES)
    assert len(offices) == 2
    for office in offices:
        assert "Липецк" in office.name and "Липецк" in office.address
        assert office.timezone == "Europe/Moscow"
        hours = json.loads(office.hours) if isinstance(office.hours, str) else office.hours
        assert hours == {day: DAILY for day in WEEK}
    windows = rows(
        migrated_url,
        "SELECT office_id, count(*) FROM windows WHERE office_id IN "
        "(SELECT id FROM offices WHERE name LIKE 'ЦОК%') GROUP BY office_id",
    )
    assert sorted(count for _office, count in windows) == [4, 6]


def test_seed_builds_the_topic_tree_of_the_standard(migrated_url: str) -> None:
    ok(cli(migrated_url, "seed"))
    for office_id, *_ in rows(migrated_url, CENTRES):  # the representative's: test_seeding.py
        topics = rows(
            migrated_url,
            "SELECT id, parent_id, name_ru, name_en, prefix FROM topics WHERE office_id = :office",
            office=office_id,
        )
        top = [t for t in topics if t.parent_id is None]
        assert len(top) == 5
        children = {t.id: [c for c in topics if c.parent_id == t.id] for t in topics}
        menus = [t for t in top if children[t.id]]
        assert len(menus) == 1, "only the paid services are a menu"
        paid = children[menus[0].id]
        assert len(paid) == 10 and all(not children[leaf.id] for leaf in paid)
        assert "Платные" in menus[0].name_ru and "Paid" in menus[0].name_en
        assert len({leaf.name_ru for leaf in paid}) == 10
        for topic in topics:
            assert topic.name_ru.strip() and topic.name_en.strip()
            assert topic.name_ru != topic.name_en
            assert is_valid_prefix(topic.prefix)
        assert sorted({t.prefix for t in top}) == ["A", "B", "C", "D", "P"]


def test_create_user_reads_the_password_from_stdin(migrated_url: str) -> None:
    password = "a-long-secret-passphrase"
    output = ok(
        cli(
            migrated_url, "create-user", "--login", "boss", "--role", "admin", stdin=f"{password}\n"
        )
    )
    assert "boss" in output and password not in output
    user = rows(migrated_url, "SELECT login, role, office_id, password_hash FROM users")[0]
    assert (user.login, user.role, user.office_id) == ("boss", "admin", None)
    assert user.password_hash.startswith("$argon2id$") and password not in user.password_hash
    assert PasswordHasher().verify(user.password_hash, password)


def test_create_user_in_an_office_and_its_refusals(migrated_url: str) -> None:
    ok(cli(migrated_url, "seed"))
    ok(
        cli(
            migrated_url,
            "create-user",
            "--login",
            "ivan",
            "--role",
            "operator",
            "--office",
            "1",
            stdin="password-1\n",
        )
    )
    user = rows(migrated_url, "SELECT role, office_id FROM users WHERE login = 'ivan'")[0]
    assert (user.role, user.office_id) == ("operator", 1)

    taken = cli(
        migrated_url, "create-user", "--login", "ivan", "--role", "operator", stdin="password-2\n"
    )
    assert taken.returncode != 0 and "taken" in taken.stderr
    short = cli(
        migrated_url, "create-user", "--login", "petr", "--role", "manager", stdin="short\n"
    )
    assert short.returncode != 0 and "10 characters" in short.stderr
    nowhere = cli(
        migrated_url,
        "create-user",
        "--login",
        "anna",
        "--role",
        "manager",
        "--office",
        "99",
        stdin="password-3\n",
    )
    assert nowhere.returncode != 0 and nowhere.stderr.strip()
    bad_role = cli(
        migrated_url, "create-user", "--login", "olga", "--role", "root", stdin="password-4\n"
    )
    assert bad_role.returncode != 0
    assert rows(migrated_url, "SELECT count(*) FROM users")[0][0] == 1


@pytest.mark.parametrize("password", ["kassir.petrova", "KASSIR.PETROVA", "qwertyuiop"])
def test_create_user_refuses_a_weak_password_with_advice(migrated_url: str, password: str) -> None:
    weak = cli(
        migrated_url,
        "create-user",
        "--login",
        "kassir.petrova",
        "--role",
        "operator",
        stdin=f"{password}\n",
    )
    assert weak.returncode == 2 and "unrelated words" in weak.stderr
    assert rows(migrated_url, "SELECT count(*) FROM users")[0][0] == 0


def _wait_until_answering(server: server_process.ServerProcess) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert server.process.poll() is None, f"the demo exited:\n{server.log_tail()}"
        try:
            if httpx.get(f"{server.url}/api/v1/offices", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the demo did not answer within 60 s:\n{server.log_tail()}")


@pytest.mark.slow
def test_demo_signs_in_a_consultant_at_the_representative_with_its_kiosk(
    empty_url: str, tmp_path: Path
) -> None:
    port = free_port()
    log = tmp_path / "demo.log"
    with log.open("wb") as sink:
        demo = subprocess.Popen(
            [str(QUEUE_SERVER), "demo", "--host", "127.0.0.1", "--port", str(port)],
            env=server_process.server_env(empty_url, PYTHONUNBUFFERED="1"),
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = server_process.ServerProcess(f"http://127.0.0.1:{port}", demo, log)
    url = server.url
    try:
        _wait_until_answering(server)
        printed = log.read_text("utf-8")
        representative = "Представитель Компании, Липецк, пр. Победы, 87а"
        kiosks = [line for line in printed.splitlines() if line.strip().startswith("kiosk")]
        assert len(kiosks) == 3 and representative in kiosks[2], printed
        assert "consultant demo-consultant operator, office 3" in " ".join(printed.split())
        kiosk_page = kiosks[2].split()[1].replace("localhost", "127.0.0.1")
        assert httpx.get(kiosk_page, timeout=10).status_code == 200
        token = login_token(url, "consultant", "demo-consultant")
        me = httpx.get(
            f"{url}/api/v1/operators/me", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        assert me.json()["office"]["name"] == representative
    finally:
        server.stop()


def test_demo_refuses_to_make_its_accounts_outside_demo_mode(migrated_url: str) -> None:
    refused = cli(migrated_url, "demo", "--port", "1", QUEUE_ENV="production")
    assert refused.returncode == 2
    assert "QUEUE_ENV=demo" in refused.stderr and refused.stderr.count("\n") == 1
    assert rows(migrated_url, "SELECT count(*) FROM users")[0][0] == 0


@pytest.mark.parametrize("secret", ["abc", "x" * 40, "0123456789abcdef" * 2])
def test_serve_refuses_a_short_or_repetitive_secret_saying_how_to_make_one(
    migrated_url: str, secret: str
) -> None:
    env = {"QUEUE_ENV": "production", "QUEUE_SECRET_KEY": secret}
    result = cli(migrated_url, "serve", "--port", "1", QUEUE_PUBLIC_URL="https://q.example", **env)
    assert result.returncode != 0 and result.stderr.count("\n") == 1
    assert "QUEUE_SECRET_KEY" in result.stderr
    assert "python -c 'import secrets; print(secrets.token_urlsafe(48))'" in result.stderr


@pytest.mark.parametrize("secret", [None, "", "changeme", "  secret  "])
def test_serve_refuses_to_start_without_a_secret_outside_demo(
    migrated_url: str, secret: str | None
) -> None:
    env = {"QUEUE_ENV": "production"}
    if secret is not None:
        env["QUEUE_SECRET_KEY"] = secret
    result = cli(migrated_url, "serve", "--port", "1", **env)
    assert result.returncode != 0
    assert "QUEUE_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("public_url", [None, "", "queue.example.ru", "ftp://queue.example.ru"])
def test_serve_refuses_to_start_in_production_without_a_public_url(
    migrated_url: str, public_url: str | None
) -> None:
    env = {"QUEUE_ENV": "production", "QUEUE_SECRET_KEY": "a-real-secret-of-decent-length-42"}
    if public_url is not None:
        env["QUEUE_PUBLIC_URL"] = public_url
    result = cli(migrated_url, "serve", "--port", "1", **env)
    assert result.returncode != 0
    assert result.stderr.count("\n") == 1 and "QUEUE_PUBLIC_URL must be set" in result.stderr


@pytest.mark.slow
def test_serve_starts_in_production_with_a_secret(migrated_url: str, tmp_path: Path) -> None:
    env = {
        "QUEUE_ENV": "production",
        "QUEUE_SECRET_KEY": "a-real-secret-of-decent-length-42",
        "QUEUE_PUBLIC_URL": "https://queue.example.ru",
    }
    server = server_process.start(migrated_url, tmp_path / "serve.log", workers=1, env=env)
    try:
        assert httpx.get(f"{server.url}/api/v1/offices", timeout=10).json() == []
    finally:
        server.stop()
