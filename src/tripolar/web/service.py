"""What the web pages and JSON endpoints show, computed by the same API as the CLI.

Each function takes validated inputs and an :class:`~tripolar.context.EvaluationContext`,
calls the area functions (counting and compliance, stability, verification, negotiation,
upload potential, the assessment) and returns their results serialized with
:func:`tripolar.jsonio.to_jsonable`. No model logic lives here: only which functions are
called and how their results are laid out for a page.
"""

from __future__ import annotations

import math
from typing import Any

from tripolar.context import EvaluationContext
from tripolar.jsonio import to_jsonable
from tripolar.treaty.schema import Treaty

#: Evaluations slower than this run as a background job (seconds, the issue's figure).
BACKGROUND_AFTER_S = 0.5


def _clean(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


def _sources(ds: Any, ids: Any) -> list[dict[str, Any]]:
    out = []
    listed = ids if isinstance(ids, list | tuple) else str(ids or "").split(";")
    for sid in listed:
        sid = str(sid)
        sid = sid.strip()
        if not sid or sid == "nan":
            continue
        src = ds.source(sid)
        if src is None:
            out.append({"id": sid, "publisher": None, "date": None, "url": None, "title": None})
        else:
            out.append(
                {
                    "id": sid,
                    "publisher": _clean(src.get("publisher")),
                    "title": _clean(src.get("title")),
                    "date": _clean(src.get("date")),
                    "url": _clean(src.get("url")),
                }
            )
    return out


def forces_view(ctx: EvaluationContext, state: str, year: int) -> dict[str, Any]:
    """The stockpile and per-system figures of ``state`` in ``year``, each with its sources,
    and the state's stockpile history (military stockpile, 1945 to the latest year)."""
    ds = ctx.dataset()
    st = ds.stockpiles
    rows = st[(st["state"] == state) & (st["year"] == year)]
    stockpile = [
        {
            "metric": r["metric"],
            "value": _clean(r["value"]),
            "low": _clean(r["low"]),
            "high": _clean(r["high"]),
            "basis": _clean(r["basis"]),
            "grade": _clean(r["grade"]),
            "note": _clean(r["note"]),
            "sources": _sources(ds, r["source_ids"]),
        }
        for r in rows.to_dict("records")
    ]
    sysdf = ds.systems[ds.systems["state"] == state]
    names = dict(zip(sysdf["system_id"], sysdf["name"], strict=True))
    figs = ds.system_figures
    figs = figs[figs["system_id"].isin(list(names)) & (figs["as_of"].astype(str) == str(year))]
    systems = [
        {
            "system_id": r["system_id"],
            "name": names.get(r["system_id"], r["system_id"]),
            "quantity": r["quantity"],
            "value": _clean(r["value"]),
            "low": _clean(r["low"]),
            "high": _clean(r["high"]),
            "basis": _clean(r["basis"]),
            "grade": _clean(r["grade"]),
            "note": _clean(r["note"]),
            "sources": _sources(ds, r["source_ids"]),
        }
        for r in figs.to_dict("records")
    ]
    hist = st[(st["state"] == state) & (st["metric"] == "military_stockpile")].sort_values("year")
    history = {
        "year": [int(y) for y in hist["year"]],
        "value": [_clean(v) for v in hist["value"]],
        "low": [_clean(v) for v in hist["low"]],
        "high": [_clean(v) for v in hist["high"]],
    }
    return {
        "state": state,
        "year": year,
        "years": ds.years(state),
        "dataset_hash": ds.content_hash,
        "stockpile": stockpile,
        "systems": systems,
        "history": history,
    }


def count_view(treaty: Treaty, ctx: EvaluationContext) -> dict[str, Any]:
    """Counts, ceilings and compliance per party (:func:`tripolar.treaty.evaluate`)."""
    from tripolar.treaty.compliance import evaluate

    ev = evaluate(treaty, context=ctx)
    out: dict[str, Any] = to_jsonable(ev.to_dict())
    out["verdict"] = ev.verdict
    return out


def evaluation_view(
    treaty: Treaty, ctx: EvaluationContext, on_progress: Any = None
) -> dict[str, Any]:
    """The full evaluation of one treaty: stability (every pair and coalition, with bands
    and the least-stable case), verification needs, each party's utility and the ZOPA,
    upload potential, and every assumption.

    ``on_progress(fraction, what)`` is called between the steps.
    """
    from tripolar.assessment.core import assess
    from tripolar.stability.run import run_stability

    def step(f: float, what: str) -> None:
        if on_progress is not None:
            on_progress(f, what)

    step(0.05, "stability Monte Carlo")
    stab = run_stability(treaty, context=ctx)
    step(0.6, "counts, verification, negotiation, upload")
    cols = (
        ("verification", "negotiation")
        if set(treaty.parties) >= {"US", "RU", "CN"}
        else ("verification",)
    )
    a = assess(ctx, treaties=[treaty], columns=cols)
    pa = a.proposals[0]
    step(0.95, "rendering")
    return to_jsonable(
        {
            "treaty": treaty.id,
            "name": treaty.name,
            "context": ctx.to_dict(),
            "stability": stab.to_dict(),
            "assessment": pa.to_dict(),
            "assumptions": list(stab.assumptions),
        }
    )


def evaluation_key(treaty: Treaty, ctx: EvaluationContext) -> tuple[str, dict[str, Any]]:
    """The cache key of an evaluation: the content hash of (treaty, data, seed, samples,
    year, rule), and the inputs it hashes."""
    from tripolar.store.hashing import content_hash

    inputs = {
        "treaty": treaty.model_dump(mode="json"),
        "dataset_hash": ctx.dataset().content_hash,
        "seed": ctx.seed,
        "samples": ctx.samples,
        "year": ctx.year,
        "rule": ctx.rule,
        "view": 1,
    }
    return content_hash(inputs), inputs


def compare_view(treaties: list[Treaty], ctx: EvaluationContext) -> dict[str, Any]:
    """The assessment table of ``treaties`` side by side (:func:`tripolar.assess`)."""
    from tripolar.assessment.core import assess

    cols: tuple[str, ...] = ("verification",)
    if all(set(t.parties) >= {"US", "RU", "CN"} for t in treaties):
        cols = ("verification", "negotiation")
    a = assess(ctx, treaties=treaties, columns=cols)
    out: dict[str, Any] = to_jsonable(a.to_dict())
    return out
