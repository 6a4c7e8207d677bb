"""From a point's axis values to a treaty variant and an evaluation context.

A variant is a :meth:`model_copy` of the base treaty with the ceiling and scope axes applied
(an id ``<base>-p<point>``). A point's context is the sweep's base context with the point's
force-building rule and, as its ``alert_overrides``, each parameter axis's alert-levels entry
fixed at the point's value (``value = low = high``; see :mod:`tripolar.sweep.spec`).
"""

from __future__ import annotations

from typing import Any

from tripolar.context import EvaluationContext
from tripolar.errors import InputError
from tripolar.exchange.alert import AlertLevels, alert_levels_for, load_alert_levels, with_overrides
from tripolar.sweep.spec import CONTEXT_KINDS, SweepFile
from tripolar.treaty.io import load_treaty
from tripolar.treaty.schema import Limit, Treaty

__all__ = [
    "base_treaty",
    "check_axes",
    "context_key",
    "point_context",
    "point_overrides",
    "variant",
]


def base_treaty(spec: SweepFile, *, source: str = "<sweep>") -> Treaty:
    """The sweep's base treaty (a built-in id or a treaty file)."""
    try:
        return load_treaty(spec.base_treaty)
    except InputError as exc:
        raise InputError(
            f"base treaty {spec.base_treaty!r} not found or invalid ({exc})",
            file=source,
            field="base_treaty",
            expected="a built-in treaty id (tripolar treaty list) or a treaty YAML file",
        ) from exc


def check_axes(spec: SweepFile, base: Treaty, *, source: str) -> None:
    """Axes must fit the base treaty: known limits (or a quantity to add), its parties."""
    ids = {lim.id for lim in base.limits}
    for i, a in enumerate(spec.axes):
        where = f"axes.{i}"
        if a.kind == "ceiling":
            if a.limit not in ids and a.quantity is None:
                raise InputError(
                    f"limit {a.limit!r} is not in {base.id}",
                    file=source,
                    field=f"{where}.limit",
                    expected=f"one of {', '.join(sorted(ids))}, or give quantity to add it",
                )
            for p in a.parties:
                if p not in base.parties:
                    raise InputError(
                        f"{p} is not a party to {base.id}",
                        file=source,
                        field=f"{where}.parties",
                        expected=", ".join(base.parties),
                    )
    try:
        variant(base, spec, dict(_first_point(spec)), 0)
    except (ValueError, KeyError) as exc:
        raise InputError(str(exc), file=source, field="axes", expected="a valid variant") from exc
    bundled = load_alert_levels()
    for i, a in enumerate(spec.axes):
        if a.alert_entry is None:
            continue
        ends = [x for x in (a.low, a.high) if x is not None]
        for v in list(a.values) if a.values is not None else ends:
            try:
                with_overrides(bundled, [(a.alert_entry, float(v))])
            except InputError as exc:
                raise InputError(
                    f"{a.alert_entry} = {v}: {exc}",
                    file=source,
                    field=f"axes.{i}",
                    expected="a value the alert levels accept",
                ) from exc


def _first_point(spec: SweepFile) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for a in spec.axes:
        out[a.name] = a.values[0] if a.values is not None else a.low
    return out


def variant(base: Treaty, spec: SweepFile, values: dict[str, Any], point: int) -> Treaty:
    """The base treaty with the point's ceiling and scope axes applied."""
    limits = [lim.model_copy(deep=True) for lim in base.limits]
    counting = base.counting.model_copy()
    for a in spec.axes:
        v = values[a.name]
        if a.kind == "ceiling":
            lim = next((x for x in limits if x.id == a.limit), None)
            if lim is None:
                lim = Limit(id=str(a.limit), quantity=a.quantity, per_party={})
                limits.append(lim)
            per = dict(lim.per_party)
            for p in a.parties:
                per[p] = float(v)
            # A per-party ceiling replaces the common one for that party (and its schedule).
            lim.per_party = per
            lim.schedule = []
        elif a.kind == "scope":
            setattr(counting, str(a.flag), bool(v))
    t = base.model_copy(
        update={"id": f"{base.id}-p{point}", "limits": limits, "counting": counting, "kind": "user"}
    )
    return Treaty.model_validate(t.model_dump())


def context_key(spec: SweepFile, values: dict[str, Any]) -> tuple[Any, ...]:
    """The values of the context axes: points with equal keys share one context."""
    return tuple(values[a.name] for a in spec.axes if a.kind in CONTEXT_KINDS)


def point_overrides(spec: SweepFile, values: dict[str, Any]) -> tuple[tuple[str, float], ...]:
    """The alert-levels entries the point's parameter axes fix: ``(path, value)`` pairs, as
    :attr:`tripolar.context.EvaluationContext.alert_overrides` takes them."""
    out = []
    for a in spec.axes:
        if a.alert_entry is not None:
            out.append((a.alert_entry, float(values[a.name])))
    return tuple(out)


def point_context(
    spec: SweepFile, values: dict[str, Any], base: EvaluationContext
) -> tuple[EvaluationContext, AlertLevels]:
    """The point's context and its alert levels.

    The context is ``base`` with the point's force-building rule and its parameter axes as
    ``alert_overrides`` (:func:`point_overrides`); every model reads its alert levels from it
    (:func:`tripolar.exchange.alert.alert_levels_for`: the bundled levels, the context's
    alert file, then the overrides), so the point's parameters reach the forces, the stability
    calculus and the negotiation baseline the same way.
    """
    rule = next((str(values[a.name]) for a in spec.axes if a.kind == "rule"), base.rule)
    ctx = base.with_(rule=rule, alert_overrides=point_overrides(spec, values))
    return ctx, alert_levels_for(ctx)
