"""Fixtures: one app on a throwaway SQLite store, and a room with three joined delegations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tripolar.web.app import create_app

PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    store = Path(tmp_path_factory.mktemp("webstore")) / "store.sqlite"
    from argon2 import PasswordHasher

    # Argon2id still, with small costs: the tests hash dozens of passwords.
    fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    return create_app(str(store), secret="test-secret", password_hasher=fast)


@pytest.fixture()
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


def csrf_of(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m, "no CSRF field in the form"
    return m.group(1)


def make_room(app) -> dict:  # type: ignore[no-untyped-def]
    """Create a room and join US, RU and CN; one client (cookie jar) per role."""
    fac = TestClient(app)
    page = fac.get("/rooms")
    r = fac.post(
        "/rooms",
        data={
            "name": "Exercise",
            "family": "trilateral-ceilings",
            "password": PASSWORD,
            "csrf": csrf_of(page.text),
        },
    )
    assert r.status_code == 200, r.text
    invites = dict(re.findall(r'data-party="(US|RU|CN)">([^<]+)<', r.text))
    room = re.search(r'href="/rooms/([^"/]+)"', r.text).group(1)  # type: ignore[union-attr]
    clients = {"facilitator": fac}
    for party, url in invites.items():
        c = TestClient(app)
        path = url.split("://", 1)[1].split("/", 1)[1]
        form = c.get("/" + path)
        j = c.post(
            "/join",
            data={"token": path.split("/")[-1], "password": PASSWORD, "csrf": csrf_of(form.text)},
            follow_redirects=False,
        )
        assert j.status_code == 303 and j.headers["location"] == f"/rooms/{room}"
        clients[party] = c
    return {"room": room, "clients": clients, "invites": invites}


@pytest.fixture(scope="session")
def room(app) -> dict:  # type: ignore[no-untyped-def]
    return make_room(app)


@pytest.fixture(scope="session")
def other_room(app) -> dict:  # type: ignore[no-untyped-def]
    return make_room(app)
