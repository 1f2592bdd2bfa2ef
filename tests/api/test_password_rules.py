"""New passwords follow one rule (core.credentials): the API refuses weak ones with advice."""

from __future__ import annotations

import pytest

from tests.api.contract import error
from tests.support import Api


@pytest.mark.parametrize(
    "password", ["password", " " * 8, "kassir.ivanova", "Kassir.Ivanova", "qwertyuiop"]
)
def test_a_weak_password_is_refused_and_says_what_makes_a_good_one(
    admin: Api, password: str
) -> None:
    body = {"login": "kassir.ivanova", "password": password, "role": "operator"}
    detail = error(admin.post("/api/v1/users", json=body), 422, "weak_password")
    assert "unrelated words" in detail
    # Nobody was created: the login is still free for the same person with a good password.
    good = admin.post("/api/v1/users", json=body | {"password": "snow over the river bank"})
    assert good.status_code == 201, good.text
