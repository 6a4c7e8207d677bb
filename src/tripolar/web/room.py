"""The negotiation room: a facilitator, three delegations, rounds of proposals and votes.

Every route checks the signed session: a delegation reads and changes only its own inputs
and votes in its own room; the facilitator sees rounds, the audit log and the summary but
no delegation's private inputs. A room or round another session asks for answers 404 (a
room it is not in) or 403 (a page of its own room that its role may not use), never data.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import FastAPI, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from tripolar.errors import InputError, from_validation_error
from tripolar.forces import TRILATERAL
from tripolar.store import rooms as rs
from tripolar.web.room_protocol import (
    FamilySpace,
    OwnTreaty,
    RoomInputs,
    check_inputs,
    crossed_red_lines,
    family_space,
    own_candidate,
    own_treaties,
    own_treaty_utility,
    own_utilities,
)
from tripolar.web.room_protocol import published as published_view
from tripolar.web.security import MIN_PASSWORD, Session

Text = Annotated[str, Form(max_length=200)]
#: Largest family or treaty file a room accepts (real ones are a few kilobytes).
MAX_UPLOAD_BYTES = 1024 * 1024


def _check_password(password: str) -> None:
    """A room or delegation password of at least :data:`MIN_PASSWORD` characters."""
    if len(password) < MIN_PASSWORD:
        raise InputError(
            "password too short", field="password", expected=f"at least {MIN_PASSWORD} characters"
        )


def register(app: FastAPI) -> None:
    templates = app.state.templates
    sessions = app.state.sessions
    st = app.state.store
    hash_password = app.state.passwords.hash
    check_password = app.state.passwords.check

    def render(request: Request, template: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        resp: HTMLResponse = templates.TemplateResponse(request, template, ctx, status_code=status)
        return resp

    def csrf_or_403(request: Request, token: str | None) -> None:
        if not sessions.csrf_ok(request, token):
            raise HTTPException(403, "missing or wrong CSRF token")

    def session_for(request: Request, room_id: str) -> Session:
        """The session of a member of ``room_id``; anyone else gets 404 (the room's
        existence is not revealed)."""
        s = sessions.read(request)
        if s is None or s.room != room_id:
            raise HTTPException(404, "no such room")
        try:
            rs.get_room(st, room_id)
        except KeyError as exc:
            raise HTTPException(404, "no such room") from exc
        return s

    def delegation_for(request: Request, room_id: str) -> Session:
        s = session_for(request, room_id)
        if s.role != "delegation" or s.party not in TRILATERAL:
            raise HTTPException(403, "delegations only")
        return s

    def facilitator_for(request: Request, room_id: str) -> Session:
        s = session_for(request, room_id)
        if s.role != "facilitator":
            raise HTTPException(403, "the facilitator only")
        return s

    def space_of(room: rs.RoomView) -> FamilySpace:
        """The room's family: bundled, or uploaded and kept with the room."""
        if room.family_doc is None:
            return family_space(room.family_id)
        return family_space(room.family_id, json.dumps(room.family_doc, sort_keys=True))

    def inputs_of(room_id: str) -> dict[str, RoomInputs | None]:
        raw = rs.all_inputs(st, room_id)
        return {p: None if v is None else RoomInputs.model_validate(v) for p, v in raw.items()}

    def own_of(space: FamilySpace, rounds: list[rs.RoundView]) -> list[OwnTreaty]:
        """Every treaty of a delegation's own proposed so far: candidates of the room."""
        from tripolar.treaty.schema import Treaty

        return own_treaties(
            space,
            (
                (r.number, r.member_label, Treaty.model_validate(r.treaty))
                for r in rounds
                if r.treaty is not None
            ),
        )

    def public_state(room_id: str) -> dict[str, Any]:
        room = rs.get_room(st, room_id)
        space = space_of(room)
        rounds = rs.list_rounds(st, room_id)
        return {
            "room": room.public_id,
            "name": room.name,
            "family": room.family_id,
            "status": room.status,
            "delegations": {
                p: {"signed_up": d.signed_up, "inputs_entered": d.has_inputs}
                for p, d in room.delegations.items()
            },
            "published": published_view(space, inputs_of(room_id), own_of(space, rounds)),
            "rounds": [
                {
                    "round": r.number,
                    "proposer": r.proposer,
                    "member": r.member_label,
                    "member_index": r.member_index,
                    "status": r.status,
                    "votes": {p: ("accept" if a else "reject") for p, a in r.votes.items()},
                    "own_treaty": None if r.treaty is None else r.treaty.get("id"),
                }
                for r in rounds
            ],
        }

    def start_session(room_id: str, role: str, party: str | None) -> RedirectResponse:
        resp = RedirectResponse(f"/rooms/{room_id}", status_code=303)
        sessions.start(resp, room_id, role, party)
        return resp

    # -- creating a room and joining it ---------------------------------------------------

    @app.get("/rooms", response_class=HTMLResponse, include_in_schema=False)
    def rooms_home(request: Request) -> HTMLResponse:
        from tripolar.negotiation.family import list_families

        resp = render(request, "rooms.html", families=list_families(), csrf="")
        token = sessions.anonymous_csrf(request, resp)
        return render_with(request, "rooms.html", resp, families=list_families(), csrf=token)

    def render_with(request: Request, template: str, resp: Response, **ctx: Any) -> HTMLResponse:
        out = render(request, template, **ctx)
        for k, v in resp.headers.items():
            if k.lower() == "set-cookie":
                out.headers.append("set-cookie", v)
        return out

    @app.post("/rooms", response_class=HTMLResponse, include_in_schema=False)
    async def create_room(
        request: Request,
        name: Text,
        family: Text,
        password: Annotated[str, Form(max_length=200)],
        csrf: Annotated[str, Form(max_length=200)] = "",
        family_file: UploadFile | None = None,
    ) -> HTMLResponse:
        csrf_or_403(request, csrf)
        _check_password(password)
        upload = None
        if family_file is not None and family_file.filename:
            upload = await uploaded_family_of(family_file)
        # Evaluating the members and hashing the password take a while: off the event loop.
        return await run_in_threadpool(new_room, request, name, family, password, upload)

    def new_room(
        request: Request,
        name: str,
        family: str,
        password: str,
        upload: tuple[Any, str] | None,
    ) -> HTMLResponse:
        from tripolar.negotiation.family import list_families

        doc: dict[str, Any] | None = None
        if upload is not None:
            fam, doc_json = upload
            family, doc = fam.id, json.loads(doc_json)
            family_space(family, doc_json)  # evaluate every member now (errors name one)
        elif family not in list_families():
            raise InputError(
                f"unknown family {family!r}", field="family", expected=", ".join(list_families())
            )
        else:
            family_space(family)  # evaluate the members now, not in the first delegation's request
        room_id, tokens = rs.create_room(
            st, name, family, hash_password(password), TRILATERAL, family_doc=doc
        )
        base = str(request.base_url).rstrip("/")
        invites = {p: f"{base}/join/{tok}" for p, tok in tokens.items()}
        resp = render(request, "room_created.html", room=room_id, invites=invites, room_name=name)
        sessions.start(resp, room_id, "facilitator", None)
        return resp

    async def uploaded_family_of(file: UploadFile) -> tuple[Any, str]:
        """An uploaded family YAML, validated as ``tripolar negotiate --family FILE`` does."""
        from tripolar.io_yaml import load_yaml_text
        from tripolar.web.room_protocol import uploaded_family

        source = file.filename or "family.yaml"
        raw = await file.read(MAX_UPLOAD_BYTES + 1)
        if len(raw) > MAX_UPLOAD_BYTES:
            raise InputError("file above 1 MiB", file=source, expected="a family YAML file")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError("not valid UTF-8", file=source, expected="UTF-8 text") from exc
        return uploaded_family(load_yaml_text(text, source=source), source=source)

    @app.get("/join/{token}", response_class=HTMLResponse, include_in_schema=False)
    def join_form(request: Request, token: str) -> HTMLResponse:
        resp = render(request, "join.html", token=token, csrf="")
        csrf = sessions.anonymous_csrf(request, resp)
        return render_with(request, "join.html", resp, token=token, csrf=csrf)

    @app.post("/join", include_in_schema=False)
    def join(
        request: Request,
        token: Text,
        password: Annotated[str, Form(max_length=200)],
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        csrf_or_403(request, csrf)
        _check_password(password)
        try:
            room_id, party = rs.redeem_invitation(st, token, hash_password(password))
        except KeyError as exc:
            raise HTTPException(404, "invitation unknown, used or expired") from exc
        # Redirect to the room: the token leaves the address bar with this answer.
        return start_session(room_id, "delegation", party)

    @app.get("/rooms/{room_id}/signin", response_class=HTMLResponse, include_in_schema=False)
    def signin_form(request: Request, room_id: str) -> HTMLResponse:
        resp = render(request, "signin.html", room=room_id, parties=TRILATERAL, csrf="")
        csrf = sessions.anonymous_csrf(request, resp)
        return render_with(
            request, "signin.html", resp, room=room_id, parties=TRILATERAL, csrf=csrf
        )

    @app.post("/rooms/{room_id}/signin", include_in_schema=False)
    def signin(
        request: Request,
        room_id: str,
        role: Text,
        password: Annotated[str, Form(max_length=200)],
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        csrf_or_403(request, csrf)
        client = request.client.host if request.client else "-"
        if not app.state.signin_limit.allow(f"{room_id}|{role}|{client}"):
            raise HTTPException(429, "too many sign-in attempts; wait a minute")
        try:
            room = rs.get_room(st, room_id)
        except KeyError:
            check_password(None, password)
            raise HTTPException(403, "wrong room, delegation or password") from None
        if role == "facilitator":
            ok, party = check_password(room.facilitator_hash, password), None
        elif role in room.delegations:
            ok, party = check_password(room.delegations[role].password_hash, password), role
        else:
            ok, party = check_password(None, password), None
        if not ok:
            rs.add_event(st, room_id, "anonymous", "signin_failed", {"as": role[:10]})
            raise HTTPException(403, "wrong room, delegation or password")
        rs.add_event(st, room_id, party or "facilitator", "signed_in", {})
        return start_session(room_id, "delegation" if party else "facilitator", party)

    @app.post("/rooms/{room_id}/signout", include_in_schema=False)
    def signout(
        request: Request, room_id: str, csrf: Annotated[str, Form(max_length=200)] = ""
    ) -> Response:
        session_for(request, room_id)
        csrf_or_403(request, csrf)
        resp = RedirectResponse(f"/rooms/{room_id}/signin", status_code=303)
        sessions.end(resp)
        return resp

    # -- the room -----------------------------------------------------------------------

    @app.get("/rooms/{room_id}", response_class=HTMLResponse, include_in_schema=False)
    def room_page(request: Request, room_id: str) -> HTMLResponse:
        s = session_for(request, room_id)
        room = rs.get_room(st, room_id)
        space = space_of(room)
        state = public_state(room_id)
        common: dict[str, Any] = {
            "room": room,
            "state": state,
            "session": s,
            "csrf": s.csrf,
            "labels": space.labels,
        }
        if s.role == "facilitator":
            return render(
                request, "room_facilitator.html", events=rs.list_events(st, room_id), **common
            )
        assert s.party is not None
        raw = rs.delegation_inputs(st, room_id, s.party)
        mine = RoomInputs.model_validate(raw) if raw is not None else RoomInputs()
        utils = own_utilities(space, s.party, mine)
        weights = space.profiles[s.party].weights()
        weights.update(mine.weights)
        best = sorted(range(len(utils)), key=lambda k: -utils[k])[:10]
        # This delegation's own utility of the open round's treaty, when a delegation
        # proposed one of its own, and the red lines of its own it crosses (for its eyes
        # only; closed rounds need none).
        from tripolar.treaty.schema import Treaty

        open_own = [
            r for r in rs.list_rounds(st, room_id) if r.treaty is not None and r.status == "open"
        ]
        own_utils, own_crossed = {}, {}
        for r in open_own:
            o = own_candidate(space, r.number, r.member_label, Treaty.model_validate(r.treaty))
            own_utils[r.number] = own_treaty_utility(space, s.party, mine, o)
            own_crossed[r.number] = crossed_red_lines(mine, o.choice)
        return render(
            request,
            "room_delegation.html",
            mine=mine,
            own_utils=own_utils,
            own_crossed=own_crossed,
            weights=weights,
            options=space.options(),
            utilities=utils,
            best=best,
            **common,
        )

    @app.get("/api/rooms/{room_id}/state", tags=["rooms"])
    def room_state(request: Request, room_id: str) -> dict[str, Any]:
        """What the protocol publishes in a room (members of the room only)."""
        session_for(request, room_id)
        return public_state(room_id)

    @app.get("/api/rooms/{room_id}/inputs", tags=["rooms"])
    def room_inputs(request: Request, room_id: str) -> dict[str, Any]:
        """The signed-in delegation's own private inputs (nobody else's)."""
        s = delegation_for(request, room_id)
        assert s.party is not None
        raw = rs.delegation_inputs(st, room_id, s.party)
        return {"party": s.party, "inputs": raw}

    @app.post("/rooms/{room_id}/inputs", include_in_schema=False)
    async def save_inputs(request: Request, room_id: str) -> Response:
        s = delegation_for(request, room_id)
        assert s.party is not None
        form = await request.form()
        csrf_or_403(request, str(form.get("csrf", "")))
        space = space_of(rs.get_room(st, room_id))
        weights: dict[str, Any] = {}
        for name in space.profiles[s.party].weights():
            v = form.get(f"w:{name}")
            if v not in (None, ""):
                weights[name] = v
        data = {
            "weights": weights,
            "reservation_utility": form.get("reservation_utility") or 0.0,
            "red_lines": [str(v) for v in form.getlist("red_line")],
        }
        try:
            inputs = RoomInputs.model_validate(data)
        except ValidationError as exc:
            raise from_validation_error(exc, None) from exc
        check_inputs(space, s.party, inputs)
        rs.set_inputs(st, room_id, s.party, inputs.model_dump(mode="json"))
        return RedirectResponse(f"/rooms/{room_id}", status_code=303)

    @app.post("/rooms/{room_id}/propose", include_in_schema=False)
    def propose(
        request: Request,
        room_id: str,
        member: Annotated[int, Form(ge=0)],
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        s = delegation_for(request, room_id)
        csrf_or_403(request, csrf)
        space = space_of(rs.get_room(st, room_id))
        if member >= len(space.labels):
            raise InputError(
                f"no member {member}", field="member", expected=f"0 to {len(space.labels) - 1}"
            )
        assert s.party is not None
        rs.propose(st, room_id, s.party, member, space.labels[member])
        return RedirectResponse(f"/rooms/{room_id}", status_code=303)

    @app.post("/rooms/{room_id}/propose-treaty", include_in_schema=False)
    async def propose_treaty(request: Request, room_id: str) -> Response:
        """A delegation proposes a treaty of its own: pasted YAML (``treaty_yaml``), an
        uploaded file (``file``) or the builder's treaty (``treaty_json``), validated as
        the command line validates a treaty file."""
        from starlette.datastructures import UploadFile as Upload

        from tripolar.io_yaml import load_yaml_text
        from tripolar.treaty.io import treaty_from_mapping
        from tripolar.web.builder import treaty_from_json_text, treaty_from_upload

        s = delegation_for(request, room_id)
        form = await request.form(max_files=1, max_fields=10, max_part_size=MAX_UPLOAD_BYTES)
        csrf_or_403(request, str(form.get("csrf", "")))
        pasted = str(form.get("treaty_yaml") or "")
        built = str(form.get("treaty_json") or "")
        file = form.get("file")
        given = [
            k
            for k, present in (
                ("treaty_yaml", pasted.strip()),
                ("treaty_json", built.strip()),
                ("file", isinstance(file, Upload) and file.filename),
            )
            if present
        ]
        if len(given) != 1:
            raise InputError(
                "give one treaty" if not given else "give one treaty, not " + " and ".join(given),
                field="treaty",
                expected="pasted YAML, a YAML file or the builder's treaty",
            )
        if given[0] == "treaty_yaml":
            if len(pasted.encode("utf-8")) > MAX_UPLOAD_BYTES:
                raise InputError("treaty above 1 MiB", field="treaty_yaml")
            source = "treaty_yaml"
            t = treaty_from_mapping(load_yaml_text(pasted, source=source), source=source)
        elif given[0] == "treaty_json":
            t = treaty_from_json_text(built, source="treaty_json")
        else:
            assert isinstance(file, Upload)
            t = await treaty_from_upload(file)
        assert s.party is not None
        label = f"own treaty {t.id}: {t.name}"[:500]
        rs.propose(st, room_id, s.party, -1, label, treaty=t.model_dump(mode="json"))
        return RedirectResponse(f"/rooms/{room_id}", status_code=303)

    @app.get("/rooms/{room_id}/rounds/{number}/treaty.yaml", include_in_schema=False)
    def round_treaty(request: Request, room_id: str, number: int) -> Response:
        """The treaty a delegation proposed in round ``number`` (members of the room only):
        a proposal is published to the room, as a family member's label is."""
        from tripolar.treaty.schema import Treaty
        from tripolar.web.builder import treaty_yaml

        session_for(request, room_id)
        rnd = next((r for r in rs.list_rounds(st, room_id) if r.number == number), None)
        if rnd is None or rnd.treaty is None:
            raise HTTPException(404, "no treaty of a delegation's own in that round")
        t = Treaty.model_validate(rnd.treaty)
        return Response(
            treaty_yaml(t),
            media_type="application/yaml",
            headers={"Content-Disposition": f'inline; filename="{t.id}.yaml"'},
        )

    @app.post("/rooms/{room_id}/vote", include_in_schema=False)
    def vote(
        request: Request,
        room_id: str,
        round_: Annotated[int, Form(alias="round", ge=1)],
        choice: Annotated[str, Form(pattern="^(accept|reject)$")],
        csrf: Annotated[str, Form(max_length=200)] = "",
    ) -> Response:
        s = delegation_for(request, room_id)
        csrf_or_403(request, csrf)
        assert s.party is not None
        try:
            status = rs.vote(st, room_id, s.party, round_, choice == "accept", TRILATERAL)
        except KeyError as exc:
            raise HTTPException(404, "no such round") from exc
        if status == "agreed":
            rs.set_agreement(st, room_id, summary(room_id))
        return RedirectResponse(f"/rooms/{room_id}", status_code=303)

    def summary(room_id: str) -> dict[str, Any]:
        from tripolar.jsonio import to_jsonable

        state = public_state(room_id)
        treaties = {r.number: r.treaty for r in rs.list_rounds(st, room_id)}
        for r in state["rounds"]:
            r["treaty"] = treaties.get(r["round"])
        events = rs.list_events(st, room_id)
        out: dict[str, Any] = to_jsonable(
            {
                **state,
                "audit_log": [
                    {
                        "id": e.id,
                        "at": e.at.isoformat(),
                        "actor": e.actor,
                        "action": e.action,
                        "detail": e.detail,
                    }
                    for e in events
                ],
            }
        )
        return out

    @app.get("/rooms/{room_id}/summary.json", include_in_schema=False)
    def summary_json(request: Request, room_id: str) -> JSONResponse:
        facilitator_for(request, room_id)
        return JSONResponse(
            summary(room_id),
            headers={"Content-Disposition": f'attachment; filename="room-{room_id}.json"'},
        )

    @app.get("/rooms/{room_id}/summary", response_class=HTMLResponse, include_in_schema=False)
    def summary_page(request: Request, room_id: str) -> HTMLResponse:
        facilitator_for(request, room_id)
        data = summary(room_id)
        return render(request, "room_summary.html", s=data, text=json.dumps(data, indent=2))
