"""From a point's axis values to a treaty variant and an evaluation context.

A variant is a :meth:`model_copy` of the base treaty with the ceiling and scope axes applied
(an id ``<base>-p<point>``). A point's context is the sweep's base context with the point's
force-building rule and its alert levels: the bundled alert levels with each parameter axis's
entry replaced by the point's value (``value = low = high``; see :mod:`tripolar.sweep.spec`).
"""

from __future__ import annotations

from typing import Any

from tripolar.context import EvaluationContext
from tripolar.errors import InputError
from tripolar.exchange.alert import AlertLevels, alert_levels_from_mapping, load_alert_levels
from tripolar.sweep.spec import CONTEXT_KINDS, SweepFile
from tripolar.treaty.io import load_treaty
from tripolar.treaty.schema import Limit, Treaty

__all__ = ["base_treaty", "check_axes", "context_key", "point_levels", "variant"]


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
        point_levels(spec, _first_point(spec), load_alert_levels())
    except (ValueError, KeyError) as exc:
        raise InputError(str(exc), file=source, field="axes", expected="a valid variant") from exc


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


def point_levels(spec: SweepFile, values: dict[str, Any], bundled: AlertLevels) -> AlertLevels:
    """The bundled alert levels with the point's parameter axes applied."""
    data = bundled.to_dict()
    params = data["parameters"]
    for a in spec.axes:
        v = values[a.name]
        if a.kind == "silo_hardness_psi":
            params["hardness_psi"]["silo"] = _exact(params["hardness_psi"]["silo"], float(v))
        elif a.kind == "reliability":
            params["reliability"] = _exact(params["reliability"], float(v))
        elif a.kind == "w80":
            params["w80"][a.party] = _exact(params["w80"][a.party], float(v))
        elif a.kind == "cep_scale":
            for k, e in params["cep_m"].items():
                params["cep_m"][k] = {
                    **e,
                    "value": e["value"] * float(v),
                    "low": e["low"] * float(v),
                    "high": e["high"] * float(v),
                    "basis": "assumed",
                    "note": f"bundled default scaled by {float(v):g} (sweep axis {a.name})",
                }
        elif a.kind == "alert_fraction":
            party = data["postures"].setdefault(str(a.posture), {}).setdefault(str(a.party), {})
            party[str(a.key)] = _exact(party.get(str(a.key)), float(v))
    return alert_levels_from_mapping(data, source="sweep parameter axes")


def _exact(entry: dict[str, Any] | None, v: float) -> dict[str, Any]:
    return {
        "value": v,
        "low": v,
        "high": v,
        "basis": "assumed",
        "sources": list((entry or {}).get("sources", [])),
        "note": "fixed by a sweep parameter axis",
    }


def _const(value: Any) -> Any:
    return lambda: value


def point_context(
    spec: SweepFile, values: dict[str, Any], base: EvaluationContext, bundled: AlertLevels
) -> tuple[EvaluationContext, AlertLevels]:
    """The point's context (rule, year, seed, samples) and its alert levels.

    The context's alert-levels cache is filled with the point's levels, the way
    :meth:`EvaluationContext.cached` lets a caller supply what a context derives; the
    postures are shared with ``base`` (they do not depend on the point).
    """
    rule = next((str(values[a.name]) for a in spec.axes if a.kind == "rule"), base.rule)
    ctx = base.with_(rule=rule)
    levels = point_levels(spec, values, bundled)
    ctx.cached("exchange.alert_levels", lambda: levels)
    ctx.cached("alert_levels", lambda: levels)
    for p in ("US", "RU", "CN"):
        ctx.cached(f"posture:{p}:{ctx.year}", _const(base.posture(p)))
    return ctx, levels
