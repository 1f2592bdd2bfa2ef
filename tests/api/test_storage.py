"""A database that cannot store data: writes answer 503 storage_unavailable in the contract's form,
nothing is half done, reads go on, and the server recovers by itself once the storage is back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.engine import make_url

from queue_server.clock import FrozenClock
from tests import support
from tests.api.contract import Hall, error, hall, sql
from tests.support import (
    ADMIN_LOGIN,
    ADMIN_PASSWORD,
    Api,
    LiveServer,
    PostgresTemplates,
    login_token,
    on_postgres_as_admin,
    running_server,
)

GENEROUS_PAGES = 1_000_000_000


def page_limit(server: LiveServer) -> Callable[[int], None]:
    """A setter of SQLite's page limit on every connection the server writes with (the limit
    belongs to a connection, not to the file): a low one makes a real "database or disk is full"."""
    limit = {"pages": 0}

    def on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        if limit["pages"]:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA max_page_count = {limit['pages']}")
            cursor.close()

    event.listen(server.app.state.database.write_engine.sync_engine, "checkout", on_checkout)
    return lambda pages: limit.__setitem__("pages", pages)


def try_issue(place: Hall, lang: str = "en") -> httpx.Response:
    path = f"/api/v1/offices/{place.id}/tickets?lang={lang}"
    return place.admin.post(path, json={"topic_id": place.topic_id("A")})


def unavailable(response: httpx.Response) -> str:
    detail: str = error(response, 503, "storage_unavailable")
    return detail


def counts(database_url: str, office_id: int) -> tuple[Any, ...]:
    """Tickets, their events and the numbers used, as the database holds them."""
    return tuple(
        sql(
            database_url,
            "SELECT (SELECT count(*) FROM tickets WHERE office_id = :o), "
            "(SELECT count(*) FROM events WHERE office_id = :o AND type = 'ticket.issued'), "
            "(SELECT max(last_value) FROM number_counters WHERE office_id = :o)",
            o=office_id,
        )[0]
    )


def test_a_full_disk_answers_503_and_the_server_recovers_by_itself(
    sqlite_server: LiveServer, sqlite_admin: Api
) -> None:
    set_pages = page_limit(sqlite_server)
    place = hall(sqlite_admin, "A")
    first = place.issue()
    set_pages(1)  # raised at once to the file's size: it cannot grow by a single page
    issued = [first]
    for _ in range(500):
        response = try_issue(place)
        if response.status_code != 201:
            break
        issued.append(response.json())
    detail = unavailable(response)
    assert "cannot store data" in detail and "try again" in detail, detail
    assert "попробуйте" in unavailable(try_issue(place, lang="ru"))
    # Reading goes on: the visitors' status pages and the queue still answer.
    assert place.status(first)["status"] == "waiting"
    # Nothing of the refused tickets is left: no row, no event, no number used up.
    url = sqlite_server.settings.database_url
    assert counts(url, place.id) == (len(issued), len(issued), len(issued))
    set_pages(GENEROUS_PAGES)  # space is back: no restart
    assert place.issue()["number"] == f"A{len(issued) + 1:03d}"


def _read_only(database: str, on: bool) -> None:
    """Switch the database to read-only (as a standby is) and cut its sessions, so every new
    session of the server is read-only, or switch it back."""
    setting = (
        "SET default_transaction_read_only = on" if on else "RESET default_transaction_read_only"
    )
    on_postgres_as_admin(
        f'ALTER DATABASE "{database}" {setting}',
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{database}' AND pid <> pg_backend_pid()",
    )


@pytest.mark.postgres
def test_a_read_only_postgresql_answers_503_and_the_server_recovers_by_itself(
    postgres_templates: PostgresTemplates, clock: FrozenClock
) -> None:
    url = postgres_templates.fresh()
    with running_server(support.test_settings(url), clock) as live:
        admin = Api(live.url, login_token(live.url, ADMIN_LOGIN, ADMIN_PASSWORD))
        place = hall(admin, "A")
        first = place.issue()
        _read_only(str(make_url(url).database), on=True)
        for _ in range(3):
            detail = unavailable(try_issue(place))
            assert "try again" in detail, detail
        assert place.status(first)["status"] == "waiting"
        assert counts(url, place.id) == (1, 1, 1)
        _read_only(str(make_url(url).database), on=False)
        # Sessions the switch cut may answer 503 once each; then tickets are issued again.
        answers = [try_issue(place) for _ in range(8)]
        refused = [a for a in answers if a.status_code != 201]
        for answer in refused:
            unavailable(answer)
        assert answers[-1].status_code == 201, answers[-1].text
        assert answers[-1].json()["number"] == f"A{len(answers) - len(refused) + 1:03d}"
        admin.close()


def test_an_unreachable_postgresql_answers_503(clock: FrozenClock) -> None:
    url = f"postgresql://postgres@127.0.0.1:{support.free_port()}/test"  # nothing listens there
    with running_server(support.test_settings(url), clock) as live:
        offices = httpx.get(f"{live.url}/api/v1/offices?lang=en", timeout=30)
        assert "try again" in unavailable(offices)
        credentials = {"username": ADMIN_LOGIN, "password": ADMIN_PASSWORD}
        unavailable(httpx.post(f"{live.url}/api/v1/auth/token", data=credentials, timeout=30))
