"""Negotiation rooms and the web evaluation cache, kept in the store.

A room belongs to one treaty family and has three delegations (US, RU, CN). Each
delegation is invited by a single-use, expiring token (only its SHA-256 is stored), then
signs in with a password (only its hash, computed by the caller, is stored). Private
inputs live on the delegation row and are returned only by :func:`delegation_inputs`.
Every change appends a :class:`~tripolar.store.models.RoomEvent`; events are never updated
or deleted, so the log is the room's history.

The evaluation cache maps the content hash of an evaluation's inputs to its result.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tripolar.errors import InputError
from tripolar.store.models import (
    Delegation,
    EvaluationCacheEntry,
    Room,
    RoomEvent,
    RoomRound,
    RoomVote,
)
from tripolar.store.store import Store

__all__ = [
    "INVITE_TTL",
    "DelegationView",
    "EventView",
    "RoomView",
    "RoundView",
    "add_event",
    "cache_get",
    "cache_put",
    "close_round",
    "create_room",
    "delegation",
    "delegation_inputs",
    "get_room",
    "list_events",
    "list_rooms",
    "list_rounds",
    "propose",
    "redeem_invitation",
    "set_agreement",
    "set_inputs",
    "vote",
]

#: How long an invitation token stays valid.
INVITE_TTL = timedelta(days=7)


def _now() -> datetime:
    return datetime.now(UTC)


def token_hash(token: str) -> str:
    """SHA-256 (hex) of an invitation token: what the store keeps instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class DelegationView:
    """What the store says about a delegation, without its private inputs."""

    party: str
    signed_up: bool
    has_inputs: bool
    password_hash: str | None


@dataclass(frozen=True)
class RoomView:
    public_id: str
    name: str
    family_id: str
    status: str
    created_at: datetime
    facilitator_hash: str
    agreement: dict[str, Any] | None
    delegations: dict[str, DelegationView]
    family_doc: dict[str, Any] | None = None


@dataclass(frozen=True)
class RoundView:
    number: int
    proposer: str
    member_index: int
    member_label: str
    status: str
    created_at: datetime
    votes: dict[str, bool]
    treaty: dict[str, Any] | None = None


@dataclass(frozen=True)
class EventView:
    id: int
    at: datetime
    actor: str
    action: str
    detail: dict[str, Any]


def _room_row(session: Session, public_id: str) -> Room:
    row = session.scalar(select(Room).where(Room.public_id == public_id))
    if row is None:
        raise KeyError(public_id)
    return row


def _event(session: Session, room: Room, actor: str, action: str, detail: dict[str, Any]) -> None:
    session.add(RoomEvent(room_id=room.id, at=_now(), actor=actor, action=action, detail=detail))


def create_room(
    st: Store,
    name: str,
    family_id: str,
    facilitator_hash: str,
    parties: tuple[str, ...],
    *,
    ttl: timedelta = INVITE_TTL,
    family_doc: dict[str, Any] | None = None,
) -> tuple[str, dict[str, str]]:
    """Create a room; return its public id and one fresh invitation token per party.

    ``family_doc`` is an uploaded family (validated by the caller), kept with the room so
    that it survives a restart; None for a bundled family.
    """
    if not name.strip() or len(name) > 200:
        raise InputError("room name must be 1 to 200 characters", field="name")
    public_id = secrets.token_urlsafe(16)
    tokens = {p: secrets.token_urlsafe(24) for p in parties}
    now = _now()
    with st._transaction() as s:
        room = Room(
            public_id=public_id,
            name=name.strip(),
            family_id=family_id,
            facilitator_hash=facilitator_hash,
            status="open",
            created_at=now,
            agreement=None,
            family_doc=family_doc,
        )
        s.add(room)
        s.flush()
        for p, tok in tokens.items():
            s.add(
                Delegation(
                    room_id=room.id,
                    party=p,
                    invite_hash=token_hash(tok),
                    invite_expires_at=now + ttl,
                )
            )
        detail = {"family": family_id, "name": name}
        if family_doc is not None:
            detail["family_source"] = "uploaded"
        _event(s, room, "facilitator", "room_created", detail)
    return public_id, tokens


def _view(s: Session, room: Room) -> RoomView:
    dels = s.scalars(select(Delegation).where(Delegation.room_id == room.id)).all()
    return RoomView(
        room.public_id,
        room.name,
        room.family_id,
        room.status,
        room.created_at,
        room.facilitator_hash,
        room.agreement,
        {
            d.party: DelegationView(
                d.party, d.password_hash is not None, d.inputs is not None, d.password_hash
            )
            for d in dels
        },
        room.family_doc,
    )


def get_room(st: Store, public_id: str) -> RoomView:
    """The room with ``public_id``; :class:`KeyError` if there is none."""
    with Session(st.engine) as s:
        return _view(s, _room_row(s, public_id))


def list_rooms(st: Store, limit: int = 50) -> list[RoomView]:
    with Session(st.engine) as s:
        rows = s.scalars(select(Room).order_by(Room.id.desc()).limit(limit)).all()
        return [_view(s, r) for r in rows]


def redeem_invitation(st: Store, token: str, password_hash: str) -> tuple[str, str]:
    """Use an invitation token once: set the delegation's password hash.

    Returns (room public id, party). A token that is unknown, used or expired raises
    :class:`KeyError` (the caller answers 404 and says nothing more).
    """
    h = token_hash(token)
    with st._transaction() as s:
        d = s.scalar(select(Delegation).where(Delegation.invite_hash == h))
        if d is None or d.invite_used_at is not None or d.invite_expires_at < _now():
            raise KeyError("invitation")
        d.invite_used_at = _now()
        d.password_hash = password_hash
        room = s.get(Room, d.room_id)
        assert room is not None
        _event(s, room, d.party, "signed_up", {})
        return room.public_id, d.party


def _delegation_row(s: Session, room: Room, party: str) -> Delegation:
    d = s.scalar(select(Delegation).where(Delegation.room_id == room.id, Delegation.party == party))
    if d is None:
        raise KeyError(party)
    return d


def delegation(st: Store, public_id: str, party: str) -> DelegationView:
    with Session(st.engine) as s:
        room = _room_row(s, public_id)
        d = _delegation_row(s, room, party)
        return DelegationView(
            d.party, d.password_hash is not None, d.inputs is not None, d.password_hash
        )


def delegation_inputs(st: Store, public_id: str, party: str) -> dict[str, Any] | None:
    """``party``'s private inputs (the caller checks that ``party`` is the one asking)."""
    with Session(st.engine) as s:
        room = _room_row(s, public_id)
        return _delegation_row(s, room, party).inputs


def all_inputs(st: Store, public_id: str) -> dict[str, dict[str, Any] | None]:
    """Every delegation's private inputs, for computing what the protocol publishes."""
    with Session(st.engine) as s:
        room = _room_row(s, public_id)
        dels = s.scalars(select(Delegation).where(Delegation.room_id == room.id)).all()
        return {d.party: d.inputs for d in dels}


def set_inputs(st: Store, public_id: str, party: str, inputs: dict[str, Any]) -> None:
    """Replace ``party``'s private inputs (the log records that they changed, not what)."""
    with st._transaction() as s:
        room = _room_row(s, public_id)
        _delegation_row(s, room, party).inputs = inputs
        _event(s, room, party, "inputs_saved", {})


def add_event(st: Store, public_id: str, actor: str, action: str, detail: dict[str, Any]) -> None:
    with st._transaction() as s:
        _event(s, _room_row(s, public_id), actor, action, detail)


def _rounds(s: Session, room: Room) -> list[RoundView]:
    rows = s.scalars(
        select(RoomRound).where(RoomRound.room_id == room.id).order_by(RoomRound.number)
    ).all()
    out: list[RoundView] = []
    for r in rows:
        votes = s.scalars(select(RoomVote).where(RoomVote.round_id == r.id)).all()
        out.append(
            RoundView(
                r.number,
                r.proposer,
                r.member_index,
                r.member_label,
                r.status,
                r.created_at,
                {v.party: v.accept for v in votes},
                r.treaty,
            )
        )
    return out


def list_rounds(st: Store, public_id: str) -> list[RoundView]:
    with Session(st.engine) as s:
        return _rounds(s, _room_row(s, public_id))


def propose(
    st: Store,
    public_id: str,
    party: str,
    member_index: int,
    member_label: str,
    *,
    treaty: dict[str, Any] | None = None,
) -> int:
    """Open a new round with ``party``'s proposal; the previous open round is withdrawn.

    The proposal is a member of the room's family (``member_index``) or, with ``treaty``
    (validated by the caller), a treaty of the delegation's own (``member_index`` -1).
    The proposer's own vote is recorded as an accept. Returns the round number.
    """
    with st._transaction() as s:
        room = _room_row(s, public_id)
        if room.status != "open":
            raise InputError(f"the room is {room.status}", field="room")
        rounds = s.scalars(select(RoomRound).where(RoomRound.room_id == room.id)).all()
        for r in rounds:
            if r.status == "open":
                r.status = "superseded"
        number = 1 + max((r.number for r in rounds), default=0)
        rnd = RoomRound(
            room_id=room.id,
            number=number,
            proposer=party,
            member_index=member_index,
            member_label=member_label,
            status="open",
            created_at=_now(),
            treaty=treaty,
        )
        s.add(rnd)
        s.flush()
        s.add(RoomVote(round_id=rnd.id, party=party, accept=True, at=_now()))
        detail: dict[str, Any] = {"round": number, "member": member_label}
        if treaty is not None:
            detail["own_treaty"] = str(treaty.get("id", ""))
        _event(s, room, party, "proposed", detail)
        return number


def vote(
    st: Store, public_id: str, party: str, number: int, accept: bool, parties: tuple[str, ...]
) -> str:
    """Record ``party``'s vote on round ``number``; return the round's status afterwards.

    A reject closes the round as rejected; when every party has accepted, the round is
    agreed and the room is closed with it. A party votes at most once per round.
    """
    with st._transaction() as s:
        room = _room_row(s, public_id)
        rnd = s.scalar(
            select(RoomRound).where(RoomRound.room_id == room.id, RoomRound.number == number)
        )
        if rnd is None:
            raise KeyError(number)
        if rnd.status != "open" or room.status != "open":
            raise InputError(f"round {number} is {rnd.status}", field="round")
        s.add(RoomVote(round_id=rnd.id, party=party, accept=accept, at=_now()))
        try:
            s.flush()
        except IntegrityError as exc:
            raise InputError(f"{party} has already voted in round {number}", field="vote") from exc
        _event(s, room, party, "accepted" if accept else "rejected", {"round": number})
        votes = s.scalars(select(RoomVote).where(RoomVote.round_id == rnd.id)).all()
        if not accept:
            rnd.status = "rejected"
        elif {v.party for v in votes if v.accept} >= set(parties):
            rnd.status = "agreed"
            room.status = "agreed"
            _event(s, room, "room", "agreement", {"round": number, "member": rnd.member_label})
        return rnd.status


def close_round(st: Store, public_id: str, number: int, status: str) -> None:
    with st._transaction() as s:
        room = _room_row(s, public_id)
        rnd = s.scalar(
            select(RoomRound).where(RoomRound.room_id == room.id, RoomRound.number == number)
        )
        if rnd is None:
            raise KeyError(number)
        rnd.status = status


def set_agreement(st: Store, public_id: str, agreement: dict[str, Any]) -> None:
    with st._transaction() as s:
        _room_row(s, public_id).agreement = agreement


def list_events(st: Store, public_id: str) -> list[EventView]:
    with Session(st.engine) as s:
        room = _room_row(s, public_id)
        rows = s.scalars(
            select(RoomEvent).where(RoomEvent.room_id == room.id).order_by(RoomEvent.id)
        ).all()
        return [EventView(e.id, e.at, e.actor, e.action, dict(e.detail)) for e in rows]


# -- the evaluation cache ----------------------------------------------------------------


def cache_get(st: Store, key: str) -> dict[str, Any] | None:
    """The cached result under ``key`` (a SHA-256 hex of the inputs), or None."""
    with Session(st.engine) as s:
        row = s.scalar(select(EvaluationCacheEntry).where(EvaluationCacheEntry.key == key))
        return None if row is None else dict(row.result)


def cache_put(
    st: Store, key: str, kind: str, inputs: dict[str, Any], result: dict[str, Any]
) -> None:
    """Keep ``result`` under ``key``; a second writer of the same key is a no-op."""
    try:
        with st._transaction() as s:
            s.add(
                EvaluationCacheEntry(
                    key=key, kind=kind, created_at=_now(), inputs=inputs, result=result
                )
            )
    except InputError as exc:
        if "UNIQUE" not in str(exc).upper() and "DUPLICATE" not in str(exc).upper():
            raise
