"""Fixtures of the operator console's browser tests: a desk (office, window, operator) and a tab."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import BrowserContext

from tests.support import Api, LiveServer
from tests.ui.console_support import Desk, make_desk, new_context


@pytest.fixture
def desk(sqlite_server: LiveServer, sqlite_admin: Api) -> Desk:
    return make_desk(sqlite_server, sqlite_admin)


@pytest.fixture
def context(browser: Any) -> Iterator[BrowserContext]:
    made = new_context(browser)
    yield made
    made.close()
