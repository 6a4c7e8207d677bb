"""The negotiation room: a round to agreement, privacy of inputs, cross-delegation access.

Every room endpoint is tried with another delegation's cookie, the facilitator's, no
cookie and guessed ids: the answer is 403 or 404 and never contains private data.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, csrf_of, make_room

SECRET_WEIGHT = "7.77"


def _save_inputs(
    c: TestClient, room: str, reservation: str, red: tuple[str, ...] = (), weight: str = "0.12"
) -> None:
    page = c.get(f"/rooms/{room}")
    data: dict = {
        "csrf": csrf_of(page.text),
        "reservation_utility": reservation,
        "red_line": list(red),
        "w:transparency": weight,
    }
    r = c.post(f"/rooms/{room}/inputs", data=data, follow_redirects=False)
    assert r.status_code == 303, r.text


def test_round_to_agreement_and_privacy(app) -> None:  # type: ignore[no-untyped-def]
    rm = make_room(app)
    room, cl = rm["room"], rm["clients"]
    state = cl["US"].get(f"/api/rooms/{room}/state").json()
    assert state["published"] == {"ready": False, "waiting_for": ["US", "RU", "CN"]}
    _save_inputs(cl["US"], room, "-100", weight=SECRET_WEIGHT)
    for p in ("RU", "CN"):
        _save_inputs(cl[p], room, "-100")
    pub = cl["RU"].get(f"/api/rooms/{room}/state").json()["published"]
    assert pub["ready"] and pub["zopa_exists"] and pub["nash"] is not None
    member = pub["nash"]["index"]
    page = cl["US"].get(f"/rooms/{room}")
    r = cl["US"].post(
        f"/rooms/{room}/propose",
        data={"member": member, "csrf": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    for p in ("RU", "CN"):
        page = cl[p].get(f"/rooms/{room}")
        r = cl[p].post(
            f"/rooms/{room}/vote", data={"round": 1, "choice": "accept", "csrf": csrf_of(page.text)}
        )
        assert r.status_code == 200
    state = cl["CN"].get(f"/api/rooms/{room}/state").json()
    assert state["status"] == "agreed" and state["rounds"][0]["status"] == "agreed"
    # no page or endpoint shows another delegation's weight to anyone but its owner
    for who in ("facilitator", "RU", "CN"):
        for path in (f"/rooms/{room}", f"/api/rooms/{room}/state"):
            assert SECRET_WEIGHT not in cl[who].get(path).text
    summary = cl["facilitator"].get(f"/rooms/{room}/summary.json").json()
    actions = [e["action"] for e in summary["audit_log"]]
    assert actions[0] == "room_created" and "agreement" in actions
    assert actions.count("inputs_saved") == 3
    assert SECRET_WEIGHT not in str(summary)
    # the own delegation sees its own inputs, only them
    mine = cl["US"].get(f"/api/rooms/{room}/inputs").json()
    assert mine["party"] == "US" and mine["inputs"]["weights"]["transparency"] == 7.77


def test_reservation_above_everything_empties_the_zopa(app) -> None:  # type: ignore[no-untyped-def]
    rm = make_room(app)
    room, cl = rm["room"], rm["clients"]
    _save_inputs(cl["US"], room, "100")
    for p in ("RU", "CN"):
        _save_inputs(cl[p], room, "-100")
    pub = cl["US"].get(f"/api/rooms/{room}/state").json()["published"]
    assert pub["zopa_exists"] is False and pub["nash"] is None and pub["kalai_smorodinsky"] is None


def test_red_line_excludes_members(app) -> None:  # type: ignore[no-untyped-def]
    rm = make_room(app)
    room, cl = rm["room"], rm["clients"]
    for p in ("US", "RU"):
        _save_inputs(cl[p], room, "-100")
    _save_inputs(cl["CN"], room, "-100", ("deployed_warheads.CN=1000",))
    pub = cl["US"].get(f"/api/rooms/{room}/state").json()["published"]
    assert pub["zopa_exists"]
    assert "CN1000" not in pub["nash"]["label"]
    assert "CN1000" not in pub["kalai_smorodinsky"]["label"]


def test_invitation_is_single_use(app) -> None:  # type: ignore[no-untyped-def]
    rm = make_room(app)
    url = rm["invites"]["US"]
    token = url.rsplit("/", 1)[1]
    c = TestClient(app)
    form = c.get(f"/join/{token}")
    r = c.post(
        "/join", data={"token": token, "password": "another pass", "csrf": csrf_of(form.text)}
    )
    assert r.status_code == 404


def test_signin_is_rate_limited_and_checks_passwords(app) -> None:  # type: ignore[no-untyped-def]
    rm = make_room(app)
    room = rm["room"]
    c = TestClient(app)
    form = c.get(f"/rooms/{room}/signin")
    token = csrf_of(form.text)
    codes = [
        c.post(
            f"/rooms/{room}/signin",
            data={"role": "RU", "password": "wrong-password", "csrf": token},
        ).status_code
        for _ in range(7)
    ]
    assert codes[:5] == [403] * 5 and codes[-1] == 429
    c2 = TestClient(app)
    form = c2.get(f"/rooms/{room}/signin")
    r = c2.post(
        f"/rooms/{room}/signin",
        data={"role": "CN", "password": PASSWORD, "csrf": csrf_of(form.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/rooms/{room}"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert PASSWORD not in r.headers["location"]


def test_forms_need_the_csrf_token(app, room) -> None:  # type: ignore[no-untyped-def]
    rid, cl = room["room"], room["clients"]
    r = cl["US"].post(f"/rooms/{rid}/propose", data={"member": 0, "csrf": "forged"})
    assert r.status_code == 403
    r = cl["US"].post(f"/rooms/{rid}/propose", data={"member": 0})
    assert r.status_code == 403
    r = TestClient(app).post(
        "/rooms", data={"name": "x", "family": "trilateral-ceilings", "password": PASSWORD}
    )
    assert r.status_code == 403


ENDPOINTS = [
    ("get", "/rooms/{room}", None),
    ("get", "/api/rooms/{room}/state", None),
    ("get", "/api/rooms/{room}/inputs", None),
    ("get", "/rooms/{room}/summary", None),
    ("get", "/rooms/{room}/summary.json", None),
    ("post", "/rooms/{room}/inputs", {"reservation_utility": "5", "w:transparency": "9"}),
    ("post", "/rooms/{room}/propose", {"member": "0"}),
    ("post", "/rooms/{room}/vote", {"round": "1", "choice": "reject"}),
    ("post", "/rooms/{room}/signout", {}),
]


@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS)
def test_other_rooms_and_guessed_ids_are_refused(app, room, other_room, method, path, data) -> None:  # type: ignore[no-untyped-def]
    """A delegation of another room, no session, or a guessed id: 404, never data."""
    other = other_room
    intruder = other["clients"]["US"]
    csrf = csrf_of(intruder.get(f"/rooms/{other['room']}").text)
    before = room["clients"]["RU"].get(f"/api/rooms/{room['room']}/state").json()
    for c in (intruder, TestClient(app)):
        for rid in (room["room"], "AAAAAAAAAAAAAAAAAAAAAA", "1"):
            url = path.format(room=rid)
            r = c.get(url) if method == "get" else c.post(url, data={**data, "csrf": csrf})
            assert r.status_code in (403, 404), (url, r.status_code)
            assert "reservation_utility" not in r.text and "weights" not in r.text
    after = room["clients"]["RU"].get(f"/api/rooms/{room['room']}/state").json()
    assert before == after


def test_roles_inside_a_room(app, room) -> None:  # type: ignore[no-untyped-def]
    """The facilitator cannot vote, propose or read inputs; a delegation cannot read the
    facilitator's summary; a tampered cookie is no session."""
    rid, cl = room["room"], room["clients"]
    fac = cl["facilitator"]
    csrf = csrf_of(fac.get(f"/rooms/{rid}").text)
    assert fac.get(f"/api/rooms/{rid}/inputs").status_code == 403
    assert fac.post(f"/rooms/{rid}/propose", data={"member": 0, "csrf": csrf}).status_code == 403
    assert fac.post(f"/rooms/{rid}/inputs", data={"csrf": csrf}).status_code == 403
    assert cl["RU"].get(f"/rooms/{rid}/summary.json").status_code == 403
    us_cookie = cl["US"].cookies.get("tp_session")
    forged = TestClient(app)
    forged.cookies.set("tp_session", us_cookie.replace(us_cookie[-4:], "AAAA"))
    assert forged.get(f"/api/rooms/{rid}/inputs").status_code == 404
    # swapping cookies: RU's browser with US's cookie is US, sees US's inputs only
    swapped = TestClient(app)
    swapped.cookies.set("tp_session", us_cookie)
    assert swapped.get(f"/api/rooms/{rid}/inputs").json()["party"] == "US"


def test_rooms_survive_a_restart(app, room, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from tripolar.web.app import create_app

    again = create_app(
        app.state.store.location,
        secret="another-secret",
        password_hasher=app.state.passwords._hasher,
    )
    c = TestClient(again)
    form = c.get(f"/rooms/{room['room']}/signin")
    r = c.post(
        f"/rooms/{room['room']}/signin",
        data={"role": "facilitator", "password": PASSWORD, "csrf": csrf_of(form.text)},
    )
    assert r.status_code == 200 and "Audit log" in r.text
    assert re.search(r"room_created", r.text)
