"""Repeating a saved run from its record, and saying whether the outputs are the same.

A run's record holds everything the command used: its options, the content hashes of
the treaty and posture texts (kept in the store) and the hash of the dataset edition.
:func:`reproduce` reads them back, checks each text and the dataset against its recorded
hash, calls the same API functions as the command (``count`` and ``check``:
:func:`tripolar.treaty.evaluate`; ``upload``: :func:`tripolar.treaty.upload_potential`;
``assess``: :func:`tripolar.assess`) and compares the new outputs with the recorded ones
field by field. Sweeps are repeated with ``tripolar sweep run FILE`` (their chunks are
written to a results folder, not kept in the record).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tripolar.errors import InputError
from tripolar.store.hashing import content_hash, to_json_value
from tripolar.store.store import Store

#: The commands whose runs :func:`reproduce` repeats.
REPRODUCIBLE = ("count", "check", "upload", "assess")
#: Output keys a command adds from inputs outside the record (``assess --landscape`` reads
#: a sweep's results folder): left out of the comparison.
NOT_COMPARED = frozenset({"landscape"})
#: Differences listed at most (the count is always complete).
MAX_LISTED = 20


@dataclass(frozen=True)
class Reproduction:
    """The outcome of repeating run ``run_id``: the same outputs or where they differ."""

    run_id: int
    command: str
    differences: list[str]
    n_differences: int
    compared: int
    new_run_id: int | None = None
    outputs: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def matches(self) -> bool:
        return self.n_differences == 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "command": self.command,
            "matches": self.matches,
            "compared_values": self.compared,
            "n_differences": self.n_differences,
            "differences": self.differences,
            "new_run_id": self.new_run_id,
        }


def _normal(value: Any) -> Any:
    """A value as the store's JSON column gives it back (tuples as lists, keys as text)."""
    return json.loads(json.dumps(to_json_value(value)))


def _diff(old: Any, new: Any, path: str = "") -> Iterator[tuple[str, bool]]:
    """(path, same) for every leaf of two JSON documents."""
    if isinstance(old, dict) and isinstance(new, dict):
        for k in list(old) + [k for k in new if k not in old]:
            if not path and k in NOT_COMPARED:
                continue
            sub = f"{path}.{k}" if path else str(k)
            if k not in old or k not in new:
                yield sub, False
            else:
                yield from _diff(old[k], new[k], sub)
    elif isinstance(old, list) and isinstance(new, list):
        if len(old) != len(new):
            yield f"{path} (length {len(old)} then {len(new)})", False
        for i, (a, b) in enumerate(zip(old, new, strict=False)):
            yield from _diff(a, b, f"{path}[{i}]")
    else:
        yield path or "(top level)", old == new and type(old) is type(new)


def _texts(st: Store, model: Any, **key: str) -> list[str]:
    """Every stored text of one treaty id (or posture party and date), oldest first."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    with Session(st.engine) as s:
        return list(s.scalars(select(model.yaml_text).filter_by(**key).order_by(model.id)))


def _treaties(st: Store, hashes: dict[str, str]) -> dict[str, Any]:
    """The treaties a run used: the stored text whose model has the recorded hash (the
    record hashes the treaty's model, the store keys its text by the text's hash)."""
    from tripolar.store.models import TreatyText
    from tripolar.treaty.schema import Treaty

    out: dict[str, Any] = {}
    for tid, h in hashes.items():
        for text in _texts(st, TreatyText, treaty_id=tid):
            t = Treaty.model_validate_json(text)
            if content_hash(t.model_dump(mode="json")) == h:
                out[tid] = t
                break
        else:
            raise InputError(
                f"no stored text of treaty {tid!r} has the recorded hash {h[:12]}",
                file=st.location,
                field="treaties",
            )
    return out


def _postures(st: Store, hashes: dict[str, str]) -> list[Any]:
    """The postures a run used (keys ``PARTY@DATE``), found as the treaties are."""
    from tripolar.forces import Posture
    from tripolar.store.models import PostureText

    out = []
    for key, h in hashes.items():
        party, _, as_of = key.partition("@")
        for text in _texts(st, PostureText, party=party, as_of=as_of):
            p = Posture.model_validate_json(text)
            if content_hash(p.model_dump(mode="json")) == h:
                out.append(p)
                break
        else:
            raise InputError(
                f"no stored posture {key} has the recorded hash {h[:12]}",
                file=st.location,
                field="postures",
            )
    return out


#: ``on_progress(fraction, what)``: how far a repetition has come (0 to 1) and its step.
Progress = Callable[[float, str], None]


def _outputs(
    command: str,
    inputs: dict[str, Any],
    treaties: dict[str, Any],
    ps: list[Any],
    on_progress: Progress,
) -> Any:
    """The command's outputs computed again, by the functions the command calls."""
    from tripolar.context import EvaluationContext

    data = inputs.get("data")
    if command == "assess":
        from tripolar.assessment import assess
        from tripolar.treaty import builtin_treaties

        # The order the command used: the built-in proposals' (a JSONB column does not
        # keep the order of the recorded mapping).
        order = [t.id for t in builtin_treaties() if t.kind == "proposal"]
        ids = sorted(treaties, key=lambda i: order.index(i) if i in order else len(order))
        ctx = EvaluationContext(
            data_dir=data, year=inputs["year"], samples=inputs["samples"], seed=inputs["seed"]
        )

        def each(treaty_id: str, i: int, n: int) -> None:
            on_progress(0.05 + 0.85 * i / n, f"treaty {i + 1} of {n}: {treaty_id}")

        return assess(ctx, treaties=[treaties[i] for i in ids], on_progress=each).to_dict()
    if len(treaties) != 1:
        raise InputError(f"a {command} run names {len(treaties)} treaties", field="treaties")
    (t,) = treaties.values()
    if command in ("count", "check"):
        from tripolar.treaty import evaluate

        return evaluate(t, ps, data_dir=data).to_dict()
    from tripolar.treaty.upload import upload_potential

    up_ctx = None if data is None else EvaluationContext(data_dir=data)
    return {p.party: upload_potential(t, p, context=up_ctx).to_dict() for p in ps}


def _status(command: str, outputs: dict[str, Any]) -> str:
    if command == "check":
        return {"complies": "ok", "exceeds": "violation"}.get(
            str(outputs.get("verdict")), "undetermined"
        )
    return "ok"


def reproduce(
    st: Store, run_id: int, *, save: bool = True, on_progress: Progress | None = None
) -> Reproduction:
    """Repeat run ``run_id`` of ``st`` from its record and compare the outputs.

    Raises :class:`InputError` when the run cannot be repeated as recorded: a command
    this module does not repeat, a treaty or posture text missing or not matching its
    hash, or a dataset whose content hash is no longer the recorded one. With ``save``,
    the repetition is recorded as a new run with the same inputs (so the same inputs
    hash). ``on_progress(fraction, what)`` is called between the steps (and before each
    treaty of an ``assess`` run).
    """
    from tripolar.data import load_dataset

    def step(f: float, what: str) -> None:
        if on_progress is not None:
            on_progress(f, what)

    step(0.0, "reading the record")
    rec = st.get_run(run_id)
    if rec.command not in REPRODUCIBLE:
        raise InputError(
            f"runs of {rec.command!r} are not repeated here",
            field="run",
            expected="a run of "
            + ", ".join(REPRODUCIBLE)
            + (
                " (repeat a sweep with `tripolar sweep run FILE`)" if rec.command == "sweep" else ""
            ),
        )
    inputs = dict(rec.inputs)
    ds = load_dataset(inputs.get("data"))
    if rec.dataset_hash is not None and ds.content_hash != rec.dataset_hash:
        raise InputError(
            f"the dataset is now {ds.content_hash[:12]}, not the run's {rec.dataset_hash[:12]}",
            field="dataset",
            expected="the dataset edition the run used",
        )
    treaties = _treaties(st, dict(inputs.get("treaties") or {}))
    postures = _postures(st, dict(inputs.get("postures") or {}))
    step(0.05, f"repeating {rec.command}")
    new = _normal(_outputs(rec.command, inputs, treaties, postures, step))
    step(0.9, "comparing the recorded values")
    leaves = list(_diff(_normal(rec.outputs), new))
    bad = [p for p, same in leaves if not same]
    new_id = None
    if save:
        step(0.95, "saving the repetition")
        saved = st.record_run(
            rec.command,
            inputs,
            new,
            dataset_hash=ds.content_hash,
            status=_status(rec.command, new),
        )
        new_id = saved.id
    return Reproduction(rec.id, rec.command, bad[:MAX_LISTED], len(bad), len(leaves), new_id, new)
