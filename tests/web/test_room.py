"""The negotiation room: a round to agreement, privacy of inputs, cross-delegation access.

Every room endpoint is tried with another delegation's cookie, the facilitator's, no
cookie and guessed ids: the answer is 403 or 404 and never contains private data.
"""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from tests.web.conftest import PASSWORD, csrf_of, make_room

from tripolar.forces import TRILATERAL

SECRET_WEIGHT = "7.77"


def _save_inputs(
    c: TestClient,
    room: str,
    reservation: str,
    red: tuple[str, ...] = (),
    weight: str | None = "0.12",
) -> None:
    """Save a delegation's inputs; ``weight`` (the transparency weight) None keeps the
    profile's weights."""
    page = c.get(f"/rooms/{room}")
    data: dict = {
        "csrf": csrf_of(page.text),
        "reservation_utility": reservation,
        "red_line": list(red),
    }
    if weight is not None:
        data["w:transparency"] = weight
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
    # a treaty of a delegation's own: proposing one, reading the one proposed in round 1
    ("post", "/rooms/{room}/propose-treaty", {"treaty_yaml": "OWN"}),
    ("get", "/rooms/{room}/rounds/1/treaty.yaml", None),
    ("get", "/rooms/{room}/rounds/999/treaty.yaml", None),
]


@pytest.fixture(scope="session")
def room_with_own_treaty(room) -> dict:  # type: ignore[no-untyped-def]
    """The shared room, with round 1 a treaty the US delegation proposed."""
    rounds = room["clients"]["US"].get(f"/api/rooms/{room['room']}/state").json()["rounds"]
    if not rounds:
        r = _propose_own(room["clients"]["US"], room["room"], treaty_yaml=own_treaty_yaml())
        assert r.status_code == 303  # type: ignore[attr-defined]
    return room


@pytest.mark.parametrize(("method", "path", "data"), ENDPOINTS)
def test_other_rooms_and_guessed_ids_are_refused(  # type: ignore[no-untyped-def]
    app, room_with_own_treaty, other_room, method, path, data
) -> None:
    """A delegation of another room, no session, or a guessed id: 404, never data."""
    room = room_with_own_treaty
    if data and data.get("treaty_yaml") == "OWN":
        data = {"treaty_yaml": own_treaty_yaml("intruder-offer")}
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
            assert "limits:" not in r.text  # no treaty proposed in the room either
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
    own = own_treaty_yaml("facilitator-offer")
    r = fac.post(f"/rooms/{rid}/propose-treaty", data={"treaty_yaml": own, "csrf": csrf})
    assert r.status_code == 403
    # a delegation's own CSRF token does not pass with another delegation's cookie
    ru_csrf = csrf_of(cl["RU"].get(f"/rooms/{rid}").text)
    r = cl["US"].post(f"/rooms/{rid}/propose-treaty", data={"treaty_yaml": own, "csrf": ru_csrf})
    assert r.status_code == 403
    r = cl["US"].post(f"/rooms/{rid}/propose-treaty", data={"treaty_yaml": own})
    assert r.status_code == 403
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


# -- a delegation's own treaty, and a room on an uploaded family ------------------------


def own_treaty_yaml(treaty_id: str = "us-offer", ceiling: int = 1100) -> str:
    """tri-equal-1000 with another id and a final ceiling of ``ceiling`` warheads."""
    import yaml

    from tripolar.treaty import load_treaty

    t = load_treaty("tri-equal-1000").model_dump(mode="json", exclude_defaults=True)
    t["id"], t["name"] = treaty_id, f"Offer at {ceiling}"
    t["limits"][0]["schedule"][-1]["ceiling"] = ceiling
    return yaml.safe_dump(t, sort_keys=False)


def _propose_own(c: TestClient, room: str, **data: object) -> object:
    page = c.get(f"/rooms/{room}")
    return c.post(
        f"/rooms/{room}/propose-treaty",
        data={"csrf": csrf_of(page.text), **data},
        follow_redirects=False,
    )


def test_a_delegation_proposes_its_own_treaty(app) -> None:  # type: ignore[no-untyped-def]
    import yaml

    from tripolar.treaty.schema import Treaty

    rm = make_room(app)
    room, cl = rm["room"], rm["clients"]
    _save_inputs(cl["US"], room, "-100", weight=SECRET_WEIGHT)
    for p in ("RU", "CN"):
        _save_inputs(cl[p], room, "-100")
    text = own_treaty_yaml()
    r = _propose_own(cl["US"], room, treaty_yaml=text)
    assert r.status_code == 303, r.text  # type: ignore[attr-defined]
    state = cl["RU"].get(f"/api/rooms/{room}/state").json()
    rnd = state["rounds"][-1]
    assert rnd["own_treaty"] == "us-offer" and rnd["proposer"] == "US"
    assert rnd["member_index"] == -1 and rnd["votes"] == {"US": "accept"}
    # the protocol publishes the proposal, not anyone's utility of it
    assert "utilit" not in str(state) and SECRET_WEIGHT not in str(state)
    # every member of the room reads the proposed treaty; it is the one proposed
    for who in ("RU", "CN", "facilitator"):
        got = cl[who].get(f"/rooms/{room}/rounds/1/treaty.yaml")
        assert got.status_code == 200
        assert Treaty.model_validate(yaml.safe_load(got.text)) == Treaty.model_validate(
            yaml.safe_load(text)
        )
    # each delegation sees its own utility of it, different weights give different values
    pages = {p: cl[p].get(f"/rooms/{room}").text for p in ("US", "RU")}
    utils = {
        p: re.search(r'id="own-treaty-utility">([-0-9.]+)<', t).group(1)  # type: ignore[union-attr]
        for p, t in pages.items()
    }
    assert utils["US"] not in pages["RU"].split("own-treaty-utility")[1][:40]
    for p in ("RU", "CN"):
        page = cl[p].get(f"/rooms/{room}")
        v = cl[p].post(
            f"/rooms/{room}/vote", data={"round": 1, "choice": "accept", "csrf": csrf_of(page.text)}
        )
        assert v.status_code == 200
    summary = cl["facilitator"].get(f"/rooms/{room}/summary.json").json()
    assert summary["status"] == "agreed"
    assert summary["rounds"][0]["treaty"]["id"] == "us-offer"
    proposed = [e for e in summary["audit_log"] if e["action"] == "proposed"]
    assert proposed[0]["detail"]["own_treaty"] == "us-offer"
    assert SECRET_WEIGHT not in str(summary)


def test_own_treaty_is_validated_as_the_cli_validates_a_file(app, room) -> None:  # type: ignore[no-untyped-def]
    rid, us = room["room"], room["clients"]["US"]
    before = us.get(f"/api/rooms/{rid}/state").json()["rounds"]
    r = _propose_own(us, rid, treaty_yaml="id: x\nname: y\nparties: [US]\n")
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert r.json()["detail"] == "treaty_yaml: field 'limits': Field required"  # type: ignore[attr-defined]
    r = _propose_own(us, rid)
    assert r.status_code == 422 and r.json()["field"] == "treaty"  # type: ignore[attr-defined]
    r = _propose_own(us, rid, treaty_yaml=own_treaty_yaml(), treaty_json="{}")
    assert r.status_code == 422 and "not treaty_yaml and treaty_json" in r.text  # type: ignore[attr-defined]
    page = us.get(f"/rooms/{rid}")
    r = us.post(
        f"/rooms/{rid}/propose-treaty",
        data={"csrf": csrf_of(page.text)},
        files={"file": ("bad.yaml", b"id: x\nname: y\nparties: [XX]\nlimits: []\n")},
    )
    assert r.status_code == 422 and r.json()["detail"].startswith("bad.yaml: field 'parties'")
    assert us.get(f"/api/rooms/{rid}/state").json()["rounds"] == before


def test_the_builder_proposes_in_the_delegations_room(app) -> None:  # type: ignore[no-untyped-def]
    import json

    from tripolar.treaty import load_treaty

    rm = make_room(app)
    room, cl = rm["room"], rm["clients"]
    page = cl["CN"].get("/builder?from=tri-proportional")
    form = re.search(
        r'<form method="post" action="([^"]+)"[^>]*id="room-propose-form">(.*?)</form>',
        page.text,
        re.S,
    )
    assert form and form.group(1) == f"/rooms/{room}/propose-treaty"
    # nobody else's builder offers it: not the facilitator, not a visitor
    assert "room-propose-form" not in cl["facilitator"].get("/builder").text
    assert "room-propose-form" not in TestClient(app).get("/builder").text
    t = load_treaty("tri-proportional").model_dump(mode="json")
    r = cl["CN"].post(
        form.group(1),
        data={"csrf": csrf_of(form.group(2)), "treaty_json": json.dumps(t)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    rnd = cl["US"].get(f"/api/rooms/{room}/state").json()["rounds"][-1]
    assert rnd["own_treaty"] == "tri-proportional" and rnd["proposer"] == "CN"


FAMILY = """\
id: classroom-two-levels
name: Two ceilings for all
parties: [US, RU, CN]
compliance_date: 2034-01-01
deployed_warheads:
  symmetric: true
  options: [1000, 1500]
verification:
  none: {}
  notifications: {notifications: true}
"""


def _create_with_family(c: TestClient, text: str, name: str = "family.yaml") -> object:
    page = c.get("/rooms")
    return c.post(
        "/rooms",
        data={
            "name": "Uploaded",
            "family": "trilateral-ceilings",
            "password": PASSWORD,
            "csrf": csrf_of(page.text),
        },
        files={"family_file": (name, text.encode("utf-8"), "application/yaml")},
    )


def test_a_room_on_an_uploaded_family_survives_a_restart(app) -> None:  # type: ignore[no-untyped-def]
    from tripolar.web.app import create_app

    fac = TestClient(app)
    r = _create_with_family(fac, FAMILY)
    assert r.status_code == 200, r.text  # type: ignore[attr-defined]
    room = re.search(r'href="/rooms/([^"/]+)"', r.text).group(1)  # type: ignore[attr-defined,union-attr]
    page = fac.get(f"/rooms/{room}").text
    assert "classroom-two-levels" in page and "uploaded, 4 members" in page
    invite = re.search(r'data-party="US">([^<]+)<', r.text).group(1)  # type: ignore[attr-defined,union-attr]
    us = TestClient(app)
    token = invite.rsplit("/", 1)[1]
    form = us.get(f"/join/{token}")
    us.post("/join", data={"token": token, "password": PASSWORD, "csrf": csrf_of(form.text)})
    options = re.findall(r'<option value="(\d+)">\d+: ([^<(]+)', us.get(f"/rooms/{room}").text)
    assert [lab.strip() for _, lab in options] == [
        "US1000 RU1000 CN1000 ver:none",
        "US1000 RU1000 CN1000 ver:notifications",
        "US1500 RU1500 CN1500 ver:none",
        "US1500 RU1500 CN1500 ver:notifications",
    ]
    again = TestClient(
        create_app(
            app.state.store.location,
            secret="restart-secret",
            password_hasher=app.state.passwords._hasher,
        )
    )
    from tripolar.web.room_protocol import family_space

    family_space.cache_clear()  # a fresh process has no evaluated family in memory
    form = again.get(f"/rooms/{room}/signin")
    r = again.post(
        f"/rooms/{room}/signin",
        data={"role": "US", "password": PASSWORD, "csrf": csrf_of(form.text)},
    )
    assert r.status_code == 200 and "US1500 RU1500 CN1500 ver:notifications" in r.text


def test_an_uploaded_family_is_validated(app) -> None:  # type: ignore[no-untyped-def]
    c = TestClient(app)
    r = _create_with_family(c, FAMILY.replace("[1000, 1500]", "[1000, -5]"), "neg.yaml")
    assert r.status_code == 422  # type: ignore[attr-defined]
    assert r.json()["detail"].startswith("neg.yaml: field 'deployed_warheads'")  # type: ignore[attr-defined]
    r = _create_with_family(c, FAMILY.replace("[US, RU, CN]", "[US, RU, GB]"), "gb.yaml")
    assert r.status_code == 422 and "gb.yaml" in r.json()["detail"]  # type: ignore[attr-defined]
    big = FAMILY.replace("[1000, 1500]", str(list(range(100, 100 + 260))))
    r = _create_with_family(c, big, "big.yaml")
    assert r.status_code == 422 and "520 members" in r.json()["detail"]  # type: ignore[attr-defined]
    # no CSRF token: refused before the file is read
    r = TestClient(app).post(
        "/rooms",
        data={"name": "x", "family": "trilateral-ceilings", "password": PASSWORD},
        files={"family_file": ("f.yaml", FAMILY.encode(), "application/yaml")},
    )
    assert r.status_code == 403


# -- own treaties are candidates of the bargaining ---------------------------------------

#: What the protocol publishes, and nothing else (no utility, weight or reservation).
PUBLISHED_KEYS = {"ready", "candidates", "zopa_exists", "zopa_size", "nash", "kalai_smorodinsky"}
SUGGESTION_KEYS = {"index", "label", "own_treaty", "round"}


def _keys(obj: object) -> set[str]:
    """Every mapping key anywhere in a JSON document."""
    if isinstance(obj, dict):
        return set(obj) | {k for v in obj.values() for k in _keys(v)}
    if isinstance(obj, list):
        return {k for v in obj for k in _keys(v)}
    return set()


def _assert_publishes_no_private_data(state: dict) -> None:
    pub = state["published"]
    assert set(pub) == PUBLISHED_KEYS
    for key in ("nash", "kalai_smorodinsky"):
        assert pub[key] is None or set(pub[key]) == SUGGESTION_KEYS
    assert not {k for k in _keys(state) if "utilit" in k or k in ("weights", "red_lines")}
    assert "reservation" not in str(state)


def _variant_yaml(member: int, treaty_id: str, per_party: dict[str, int | None]) -> str:
    """The treaty of member ``member`` of trilateral-ceilings with other deployed-warhead
    ceilings: a treaty of a delegation's own that no member is."""
    import yaml

    from tripolar.negotiation.family import expand, load_family

    t = expand(load_family("trilateral-ceilings"))[member].treaty.model_dump(mode="json")
    t["id"], t["name"] = treaty_id, "Offer between the family's ceilings"
    t["limits"][0]["per_party"] = per_party
    return yaml.safe_dump(t, sort_keys=False)


def test_an_own_treaty_that_is_the_nash_solution_is_the_suggestion(app) -> None:  # type: ignore[no-untyped-def]
    """With no deal as everyone's reservation and the US refusing to count UK and French
    forces, the family's Nash member is US1250 RU1550 CN- under New START's regime; a US
    offer at 1,225 (not a member) raises the product of the gains (China's gain, the
    smallest, grows as the US cuts deeper) and becomes the Nash suggestion, published by
    its id and round; Russia's red line on its own 1,550 then excludes it."""
    import numpy as np
    import yaml

    from tripolar.negotiation.evaluate import treaty_outcome
    from tripolar.negotiation.utility import utility
    from tripolar.treaty.io import treaty_from_mapping
    from tripolar.web.room_protocol import family_space

    rm = make_room(app)
    room, cl = rm["room"], rm["clients"]
    _save_inputs(cl["US"], room, "0", ("uk_fr_accounted=true",), weight=None)
    for p in ("RU", "CN"):
        _save_inputs(cl[p], room, "0", weight=None)
    before = cl["CN"].get(f"/api/rooms/{room}/state").json()["published"]
    member = before["nash"]["index"]
    assert before["nash"]["label"] == "US1250 RU1550 CN- ver:new-start"
    assert before["candidates"] == 144
    text = _variant_yaml(member, "us-offer-1225", {"US": 1225, "RU": 1550, "CN": None})
    assert _propose_own(cl["US"], room, treaty_yaml=text).status_code == 303  # type: ignore[attr-defined]
    state = cl["RU"].get(f"/api/rooms/{room}/state").json()
    pub = state["published"]
    assert pub["candidates"] == 145 and pub["zopa_exists"]
    assert pub["nash"] == {
        "index": None,
        "label": "own treaty us-offer-1225: Offer between the family's ceilings",
        "own_treaty": "us-offer-1225",
        "round": 1,
    }
    # the suggestion is the argmax of the product of gains, each party's utility computed
    # here from its bundled profile (the inputs keep every weight), over the candidates
    # the US red line leaves: the members without UK/French forces, and the offer
    space = family_space("trilateral-ceilings")
    offer = treaty_outcome(
        treaty_from_mapping(yaml.safe_load(text), source="offer"), space.baseline
    )
    keep = [k for k, c in enumerate(space.choices) if c["uk_fr_accounted"] == "false"]
    outcomes = [space.outcomes[k] for k in keep] + [offer]
    gains = np.array(
        [[utility(space.profiles[p], o, space.no_deal).total for o in outcomes] for p in TRILATERAL]
    )
    product = np.where((gains > 0).all(axis=0), gains.prod(axis=0), -np.inf)
    assert int(product.argmax()) == len(keep)  # the offer, not a member
    page = cl["CN"].get(f"/rooms/{room}").text
    assert re.search(
        r'id="nash">own treaty us-offer-1225[^<]*</strong> \(own treaty, round 1\)', page
    )
    # nobody's utilities or inputs are published: the US sees its own utility of the offer
    # on its page, no other page, state or summary shows it
    _assert_publishes_no_private_data(state)
    us_page = cl["US"].get(f"/rooms/{room}").text
    mine = re.search(r'id="own-treaty-utility">([-0-9.]+)<', us_page).group(1)  # type: ignore[union-attr]
    assert "it crosses none of your red lines" in us_page
    for who in ("facilitator", "RU", "CN"):
        for path in (f"/rooms/{room}", f"/api/rooms/{room}/state"):
            assert f">{mine}<" not in cl[who].get(path).text
    summary = cl["facilitator"].get(f"/rooms/{room}/summary.json").json()
    _assert_publishes_no_private_data(summary)
    # Russia refuses to stay at 1,550: the offer crosses the red line, as members do
    _save_inputs(cl["RU"], room, "0", ("deployed_warheads.RU=1550",), weight=None)
    after = cl["US"].get(f"/api/rooms/{room}/state").json()["published"]
    assert after["nash"] is None or after["nash"]["own_treaty"] is None
    ru_page = cl["RU"].get(f"/rooms/{room}").text
    assert "it crosses your red line(s) deployed_warheads.RU=1550" in ru_page


def test_red_lines_exclude_an_own_treaty(app) -> None:  # type: ignore[no-untyped-def]
    """Everyone accepts anything (reservation -100): the ZOPA is every candidate. New START
    proposed as China's offer leaves China unlimited; a US red line on an unlimited China
    removes it with the 72 members that leave China unlimited, a red line on China at
    1,000 removes those 72 members and keeps it."""
    from tripolar.treaty import load_treaty
    from tripolar.web.builder import treaty_yaml

    rm = make_room(app)
    room, cl = rm["room"], rm["clients"]
    for p in TRILATERAL:
        _save_inputs(cl[p], room, "-100")
    r = _propose_own(cl["CN"], room, treaty_yaml=treaty_yaml(load_treaty("new-start")))
    assert r.status_code == 303  # type: ignore[attr-defined]
    pub = cl["US"].get(f"/api/rooms/{room}/state").json()["published"]
    assert (pub["candidates"], pub["zopa_size"]) == (145, 145)
    _save_inputs(cl["US"], room, "-100", ("deployed_warheads.CN=-",))
    state = cl["RU"].get(f"/api/rooms/{room}/state").json()
    assert (state["published"]["candidates"], state["published"]["zopa_size"]) == (145, 72)
    for key in ("nash", "kalai_smorodinsky"):
        assert state["published"][key]["own_treaty"] is None
        assert "CN1000" in state["published"][key]["label"]
    _assert_publishes_no_private_data(state)
    assert "crosses your red line(s) deployed_warheads.CN=-" in cl["US"].get(f"/rooms/{room}").text
    assert "crosses none of your red lines" in cl["RU"].get(f"/rooms/{room}").text
    _save_inputs(cl["US"], room, "-100", ("deployed_warheads.CN=1000",))
    pub = cl["CN"].get(f"/api/rooms/{room}/state").json()["published"]
    assert (pub["candidates"], pub["zopa_size"]) == (145, 73)
